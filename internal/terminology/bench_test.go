package terminology

import "testing"

func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		if _, err := New(Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLookup(b *testing.B) {
	tm := newTest(b)
	for b.Loop() {
		if _, _, err := tm.Lookup(SystemICD10, "E11.9"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMemberOfChronic(b *testing.B) {
	tm := newTest(b)
	url := CanonicalBase + "/ValueSet/chronic-conditions"
	for b.Loop() {
		if in, err := tm.MemberOf(SystemICD10, "N18.3", url); err != nil || !in {
			b.Fatal(in, err)
		}
	}
}

func BenchmarkExpandFilter(b *testing.B) {
	tm := newTest(b)
	req := ExpandRequest{URL: CanonicalBase + "/ValueSet/icd-10-vn", Filter: "tang huyet ap", Count: 20}
	for b.Loop() {
		if x, err := tm.Expand(req); err != nil || x.Total == 0 {
			b.Fatal(err)
		}
	}
}
