package view

import (
	"errors"
	"testing"

	"github.com/sen-emr/sen/internal/fhirpath"
)

// FuzzCompile feeds arbitrary bytes to Compile; whatever compiles is run
// over a few resources. Neither may panic, errors must say whether the
// definition was invalid, and every row must have one cell per column.
// Seeds: testdata/fuzz/FuzzCompile (the suite's views and a few more).
func FuzzCompile(f *testing.F) {
	resources := decodeBodies(f, byte2raw(
		`{"resourceType":"Patient","id":"p1","active":true,"name":[{"family":"F","given":["a","b"]}],"birthDate":"2000-01-02"}`,
		`{"resourceType":"Observation","id":"o1","valueQuantity":{"value":1.5},"subject":{"reference":"Patient/p1"}}`,
		`{"resourceType":"QuestionnaireResponse","id":"q1","item":[{"linkId":"1","item":[{"linkId":"1.1"}]}]}`,
	))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Compile(data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("compile error does not wrap ErrInvalid: %v", err)
			}
			return
		}
		n := len(v.Columns())
		for _, r := range resources {
			_ = v.Eval(r, func(row []any) error {
				if len(row) != n {
					t.Fatalf("row of %d cells for %d columns", len(row), n)
				}
				return nil
			})
		}
	})
}

func byte2raw(bodies ...string) [][]byte {
	out := make([][]byte, len(bodies))
	for i, b := range bodies {
		out[i] = []byte(b)
	}
	return out
}

func decodeBodies(tb testing.TB, bodies [][]byte) []fhirpath.Value {
	tb.Helper()
	out := make([]fhirpath.Value, len(bodies))
	for i, b := range bodies {
		v, err := fhirpath.DecodeJSON(b)
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = v
	}
	return out
}
