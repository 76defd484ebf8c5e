package rest

import (
	"bytes"
	"encoding/json"
	"testing"
)

// TestMarshalBundle checks the hand-written Bundle encoder against
// encoding/json (HTML escaping off) on bundles that exercise every member,
// omitted empties and the string escapes.
func TestMarshalBundle(t *testing.T) {
	total := 3
	zero := 0
	tests := []struct {
		name string
		b    *bundle
	}{
		{"empty searchset", &bundle{ResourceType: "Bundle", Type: "searchset"}},
		{"total zero", &bundle{ResourceType: "Bundle", Type: "searchset", Total: &zero, Meta: &bundleMeta{}}},
		{"searchset", &bundle{ResourceType: "Bundle", Type: "searchset", Total: &total,
			Meta: &bundleMeta{LastUpdated: "2026-11-26T10:00:00.000Z"},
			Link: []bundleLink{{"self", "http://x/fhir/Observation?code=a|b&_count=2"}, {"next", "http://x/fhir/Observation?_cursor=abc<>"}},
			Entry: []*bundleEntry{
				{FullURL: "http://x/fhir/Observation/1", Resource: json.RawMessage(`{"resourceType":"Observation","id":"1"}`), Search: &entrySearch{Mode: "match"}},
				{FullURL: "http://x/fhir/Patient/p", Resource: json.RawMessage("{ \"resourceType\" : \"Patient\",\n \"id\": \"p\" }"), Search: &entrySearch{Mode: "include"}},
				{Resource: json.RawMessage(`{"resourceType":"OperationOutcome"}`), Search: &entrySearch{}},
			}}},
		{"transaction-response", &bundle{ResourceType: "Bundle", ID: "b1", Type: "transaction-response", Timestamp: "2026-11-26T10:00:00Z",
			Entry: []*bundleEntry{
				{Response: &entryResponse{Status: "201 Created", Location: "Patient/1/_history/1", Etag: `W/"1"`, LastModified: "2026-11-26T10:00:00Z"}},
				{Response: &entryResponse{Status: "400 Bad Request", Outcome: json.RawMessage(`{"resourceType":"OperationOutcome","issue":[]}`)}},
				{Request: &entryRequest{Method: "PUT", URL: "Patient/1", IfMatch: `W/"2"`, IfNoneExist: "identifier=a|b"}},
				{Request: &entryRequest{Method: "GET", URL: "Patient", IfNoneMatch: "*", IfModifiedSince: "2026-01-01"}},
			}}},
		{"escapes", &bundle{ResourceType: "Bundle", Type: "searchset\"\\\n\r\t\x01\x1f",
			Link: []bundleLink{{"self", "Nguyễn Văn An \u2028\u2029 \xff\xfe end"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := marshalBundle(tt.b)
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(tt.b); err != nil {
				t.Fatal(err)
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, got); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, got)
			}
			if w := bytes.TrimSpace(want.Bytes()); !bytes.Equal(compact.Bytes(), w) {
				t.Errorf("got  %s\nwant %s", compact.Bytes(), w)
			}
		})
	}
}
