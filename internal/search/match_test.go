package search

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir/r4"
)

// TestMatch checks the Go evaluation of clauses (used for contained
// resources) on two resources indexed by the Indexer: each query is parsed
// by ParseQuery and every clause must give the stated answer.
func TestMatch(t *testing.T) {
	m := r4.Load()
	ix := newTestIndexer(t)
	docs := map[string]string{
		"Coverage": `{"resourceType":"Coverage","id":"cov","status":"active","type":{"text":"Bảo hiểm y tế"},
			"beneficiary":{"reference":"Patient/p1"},"payor":[{"reference":"Organization/bhxh"}],
			"period":{"start":"2024-01-01","end":"2024-12-31"},"identifier":[{"system":"urn:bhyt","value":"DN4010123456789"}]}`,
		"Observation": `{"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/p1"},
			"code":{"coding":[{"system":"http://loinc.org","code":"29463-7","display":"Body weight"}],"text":"Cân nặng"},
			"effectiveDateTime":"2024-03-05T08:00:00Z","valueQuantity":{"value":62.5,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"},
			"component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":130,"system":"http://unitsofmeasure.org","code":"mm[Hg]"}}],
			"text":{"div":"<div>Cân nặng <b>62,5</b> kg</div>"}}`,
	}
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		typ, query string
		want       bool
		wantErr    string
	}{
		{"Coverage", "status=active", true, ""},
		{"Coverage", "status=cancelled", false, ""},
		{"Coverage", "status:not=cancelled", true, ""},
		{"Coverage", "status:not=active", false, ""},
		{"Coverage", "type:text=bao hiem", true, ""},
		{"Coverage", "type:text=y te", false, ""},
		{"Coverage", "beneficiary=Patient/p1", true, ""},
		{"Coverage", "beneficiary=p1", true, ""},
		{"Coverage", "beneficiary=Patient/p2", false, ""},
		{"Coverage", "patient=p1", true, ""},
		{"Coverage", "payor:Organization=bhxh", true, ""},
		{"Coverage", "identifier=urn:bhyt|DN4010123456789", true, ""},
		{"Coverage", "identifier=urn:other|DN4010123456789", false, ""},
		{"Coverage", "identifier=DN4010123456789", true, ""},
		{"Coverage", "dependent:missing=true", true, ""},
		{"Coverage", "beneficiary:missing=true", false, ""},
		{"Coverage", "_id=cov", true, ""},
		{"Coverage", "_id:not=cov", false, ""},
		{"Coverage", "_content=bao hiem", true, ""},
		{"Coverage", "_content=bhxh DN401", true, ""},
		{"Coverage", "_content=medicaid", false, ""},
		{"Coverage", "_filter=" + url.QueryEscape("status eq active and not (beneficiary eq Patient/p2)"), true, ""},
		{"Coverage", "_filter=" + url.QueryEscape("status eq draft or _content eq cancelled"), false, ""},
		{"Observation", "code=http://loinc.org|29463-7", true, ""},
		{"Observation", "code=|29463-7", false, ""},
		{"Observation", "code=http://loinc.org|", true, ""},
		{"Observation", "code:text=body", true, ""},
		{"Observation", "code:text=can nang", true, ""},
		{"Observation", "date=2024-03", true, ""},
		{"Observation", "date=2024-04", false, ""},
		{"Observation", "date=ge2024-03-05", true, ""},
		{"Observation", "date=gt2024-03-05", false, ""},
		{"Observation", "date=lt2024-03-06", true, ""},
		{"Observation", "date=sa2024-03-04", true, ""},
		{"Observation", "date=eb2024-03-04", false, ""},
		{"Observation", "value-quantity=62.5", true, ""},
		{"Observation", "value-quantity=62", false, ""},
		{"Observation", "value-quantity=gt60|http://unitsofmeasure.org|kg", true, ""},
		{"Observation", "value-quantity=lt60|http://unitsofmeasure.org|kg", false, ""},
		{"Observation", "value-quantity=gt60000|http://unitsofmeasure.org|g", true, ""},
		{"Observation", "value-quantity=ap60|http://unitsofmeasure.org|kg", true, ""},
		{"Observation", "component-code-value-quantity=http://loinc.org|8480-6$gt120", true, ""},
		{"Observation", "component-code-value-quantity=http://loinc.org|8480-6$lt120", false, ""},
		{"Observation", "_text=can nang", true, ""},
		{"Observation", "_text=body", false, ""},
		{"Observation", "_filter=" + url.QueryEscape("date po 2024-03-05T07:00:00Z"), false, ""},
		{"Observation", "_filter=" + url.QueryEscape("date po 2024-03-05"), true, ""},
		{"Observation", "subject:Patient.gender=male", false, "chain"},
		{"Observation", "_list=l1", false, "_list"},
		{"Observation", "code:in=http://example.org/vs", false, ":in"},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"?"+tt.query, func(t *testing.T) {
			body := []byte(docs[tt.typ])
			idx, err := ix.Index(tt.typ, body)
			if err != nil {
				t.Fatal(err)
			}
			var doc any
			if err := json.Unmarshal(body, &doc); err != nil {
				t.Fatal(err)
			}
			vals, err := url.ParseQuery(tt.query)
			if err != nil {
				t.Fatal(err)
			}
			q, err := ParseQuery(m, tt.typ, vals, true)
			if err != nil {
				t.Fatal(err)
			}
			d := &Doc{ID: doc.(map[string]any)["id"].(string), Entries: idx.Entries, JSON: doc}
			for i := range q.Clauses {
				got, err := Match(&q.Clauses[i], d, now)
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("%s: %v, want %v", tt.query, got, tt.want)
				}
			}
		})
	}
}
