package search

import (
	"errors"
	"net/url"
	"testing"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
)

// FuzzParseQuery checks that no query string makes the parser panic and
// that every rejection is a KindInvalid error.
func FuzzParseQuery(f *testing.F) {
	m := r4.Load()
	f.Add("Patient", "name=a&_sort=-birthdate")
	f.Add("", "_type=Patient,Observation&_id=1")
	f.Fuzz(func(t *testing.T, typ, query string) {
		vals, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		for _, strict := range []bool{false, true} {
			q, err := ParseQuery(m, typ, vals, strict)
			if err != nil {
				var fe *fhir.Error
				if !errors.As(err, &fe) || fe.Kind != fhir.KindInvalid {
					t.Fatalf("ParseQuery(%q, %q): error %v is not KindInvalid", typ, query, err)
				}
				continue
			}
			if q == nil {
				t.Fatalf("ParseQuery(%q, %q): nil query without error", typ, query)
			}
		}
	})
}
