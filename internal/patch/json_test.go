package patch

import (
	"encoding/json"
	"os"
	"reflect"
	"testing"

	"github.com/sen-emr/sen/internal/fhir"
)

func TestApplyJSONOfficialCases(t *testing.T) {
	var cases []struct {
		Comment  string          `json:"comment"`
		Doc      json.RawMessage `json:"doc"`
		Patch    json.RawMessage `json:"patch"`
		Expected json.RawMessage `json:"expected"`
		Error    string          `json:"error"`
		Disabled bool            `json:"disabled"`
	}
	readJSON(t, "testdata/json-patch-tests.json", &cases)
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range cases {
		t.Run(c.Comment, func(t *testing.T) {
			if c.Disabled {
				t.Skip("disabled in the suite")
			}
			got, err := ApplyJSON(c.Doc, c.Patch)
			if c.Error != "" {
				if err == nil {
					t.Fatalf("ApplyJSON = %s, want error %q", got, c.Error)
				}
				if k := fhir.KindOf(err); k != fhir.KindUnprocessable && k != fhir.KindInvalid {
					t.Errorf("kind = %v, want invalid or unprocessable", k)
				}
				return
			}
			if err != nil {
				t.Fatalf("ApplyJSON: %v", err)
			}
			assertJSONEqual(t, got, c.Expected)
		})
	}
}

func TestApplyJSONMalformedPatch(t *testing.T) {
	tests := []struct {
		name  string
		patch string
		want  fhir.Kind
	}{
		{"not JSON", `{`, fhir.KindInvalid},
		{"object not array", `{"op":"add"}`, fhir.KindInvalid},
		{"unknown op", `[{"op":"frob","path":"/a"}]`, fhir.KindInvalid},
		{"missing path", `[{"op":"remove","path":"/nope"}]`, fhir.KindUnprocessable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ApplyJSON([]byte(`{"a":1}`), []byte(tt.patch))
			if got := fhir.KindOf(err); err == nil || got != tt.want {
				t.Errorf("kind = %v (err %v), want %v", got, err, tt.want)
			}
		})
	}
}

func readJSON(tb testing.TB, path string, v any) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
}

func assertJSONEqual(tb testing.TB, got, want []byte) {
	tb.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		tb.Fatalf("got is not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		tb.Fatalf("want is not JSON: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		tb.Errorf("got  %s\nwant %s", got, want)
	}
}
