package fhir

import (
	"errors"
	"testing"
)

// FuzzParseHeader feeds arbitrary bytes to the JSON reader every write
// goes through: it must return a header or a KindInvalid *Error, never
// panic, and a header always has a resourceType.
func FuzzParseHeader(f *testing.F) {
	for _, s := range []string{
		`{"resourceType":"Patient","id":"p1","meta":{"versionId":"2","lastUpdated":"2024-01-01T00:00:00Z"}}`,
		`{"resourceType":"Bundle","type":"transaction","entry":[]}`,
		`{"resourceType":""}`,
		`{"resourceType":1}`,
		`{"id":"x"}`,
		`[{"resourceType":"Patient"}]`,
		`{"resourceType":"Patient","meta":[]}`,
		`{"resourceType":"Patient"`,
		` {"resourceType":"Patient"} `,
		`{"resourceType":"Patient","resourceType":"Observation"}`,
		"{\"resourceType\":\"Bệnh nhân\xff\"}",
		``,
		`null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		h, err := ParseHeader(body)
		if err != nil {
			var fe *Error
			if !errors.As(err, &fe) || fe.Kind != KindInvalid {
				t.Fatalf("error %v is not a KindInvalid *Error", err)
			}
			if h != nil {
				t.Fatal("a header together with an error")
			}
			return
		}
		if h.ResourceType == "" {
			t.Fatal("header without resourceType accepted")
		}
	})
}
