package r4

import (
	"bytes"
	"testing"
)

func BenchmarkLoad(b *testing.B) {
	// Load itself is cached; this measures the one-time decode it pays.
	for b.Loop() {
		if _, err := Decode(bytes.NewReader(embedded), bytes.NewReader(embeddedValueSets)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkChild(b *testing.B) {
	m := Load()
	for b.Loop() {
		if _, _, ok := m.Child("Observation", "valueQuantity"); !ok {
			b.Fatal("not found")
		}
		if _, _, ok := m.Child("Patient.contact", "name"); !ok {
			b.Fatal("not found")
		}
	}
}

func BenchmarkDecodeValueSets(b *testing.B) {
	// The one-time cost of the first ValueSet call.
	for b.Loop() {
		if _, err := readValueSets(bytes.NewReader(embeddedValueSets)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearchParam(b *testing.B) {
	m := Load()
	for b.Loop() {
		if m.SearchParam("Observation", "code") == nil {
			b.Fatal("not found")
		}
	}
}
