package search

import (
	"errors"
	"net/url"
	"strings"
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

// FuzzIndex checks that no resource body makes extraction panic.
func FuzzIndex(f *testing.F) {
	ix := newTestIndexer(f)
	f.Add("Patient", []byte(`{"resourceType":"Patient","id":"1","name":[{"family":"Nguyễn"}],"birthDate":"1988"}`))
	f.Add("Observation", []byte(`{"resourceType":"Observation","valueQuantity":{"value":1e400,"code":"mg/"},"effectivePeriod":{"start":"2024-13"}}`))
	f.Add("Observation", []byte(`{"resourceType":"Observation","component":[{"code":{"coding":[{"code":"x"}]},"valueQuantity":{"value":"7"}}]}`))
	f.Fuzz(func(t *testing.T, typ string, body []byte) {
		// IndexValue recovers from panics to protect the server; here a
		// recovered panic is a bug.
		if _, err := ix.Index(typ, body); err != nil && strings.Contains(err.Error(), "panic:") {
			t.Fatalf("Index(%q, %q): %v", typ, body, err)
		}
	})
}
