package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// writes records the size of every Write.
type writes struct {
	bytes.Buffer
	sizes []int
}

func (w *writes) Write(p []byte) (int, error) {
	w.sizes = append(w.sizes, len(p))
	return w.Buffer.Write(p)
}

// TestSearchsetWriteTo checks the streamed searchset against marshalBundle
// of the same Bundle (itself checked against encoding/json): byte for
// byte, through the pooled chunk and around it for a body larger than a
// chunk, with every Write but the last at least half a chunk.
func TestSearchsetWriteTo(t *testing.T) {
	big := `{"resourceType":"Binary","id":"big","data":"` + strings.Repeat("QUJD", chunkSize/2) + `"}`
	obs := func(i int) []byte {
		return []byte(`{"resourceType":"Observation","id":"o` + strings.Repeat("x", i%7) + `","note":[{"text":"Nguyễn \"<&>\""}]}`)
	}
	many := make([]searchEntry, 3000)
	for i := range many {
		many[i] = searchEntry{typ: "Observation", id: "o" + strings.Repeat("x", i%7), body: obs(i), mode: "match"}
	}
	tests := []struct {
		name string
		set  *searchset
	}{
		{"count only", &searchset{base: "http://x/fhir", lastUpdated: "2026-11-26T10:00:00.000Z", total: 115002,
			links: []bundleLink{{"self", "http://x/fhir/Observation?_summary=count&code=a%7Cb"}}}},
		{"no total, no meta time", &searchset{base: "http://x/fhir", total: -1}},
		{"total zero", &searchset{base: "http://x/fhir", total: 0}},
		{"matches, includes, outcome", &searchset{base: "http://x/fhir", lastUpdated: "2026-11-26T10:00:00.000Z", total: 2,
			links: []bundleLink{{"self", "http://x/fhir/Patient/p/$everything"}, {"next", "http://x/fhir/Patient/p/$everything?_cursor=a<b>"}},
			entries: []searchEntry{
				{typ: "Observation", id: "1", body: []byte(`{"resourceType":"Observation","id":"1"}`), mode: "match"},
				{typ: "Practitioner", id: "pr-1.a", body: []byte(`{"resourceType":"Practitioner","id":"pr-1.a"}`), mode: "include"},
				{body: []byte(`{"resourceType":"OperationOutcome","issue":[]}`), mode: "outcome"},
			}}},
		{"body larger than a chunk", &searchset{base: "http://x/fhir", total: 3, entries: []searchEntry{
			{typ: "Observation", id: "1", body: obs(1), mode: "match"},
			{typ: "Binary", id: "big", body: []byte(big), mode: "match"},
			{typ: "Observation", id: "2", body: obs(2), mode: "match"},
		}}},
		{"many chunks", &searchset{base: "http://sen.example/fhir", total: len(many), entries: many}},
	}
	var pool chunks
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &bundle{ResourceType: "Bundle", Type: "searchset", Meta: &bundleMeta{LastUpdated: tt.set.lastUpdated}, Link: tt.set.links}
			if tt.set.total >= 0 {
				n := tt.set.total
				b.Total = &n
			}
			for _, e := range tt.set.entries {
				be := &bundleEntry{Resource: json.RawMessage(e.body), Search: &entrySearch{Mode: e.mode}}
				if e.typ != "" {
					be.FullURL = tt.set.base + "/" + e.typ + "/" + e.id
				}
				b.Entry = append(b.Entry, be)
			}
			want, err := marshalBundle(b)
			if err != nil {
				t.Fatal(err)
			}
			for run := range 2 { // the second run reuses the pooled chunk
				var got writes
				if err := tt.set.writeTo(&got, &pool); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Bytes(), want) {
					t.Fatalf("run %d:\ngot  %.600s\nwant %.600s", run, got.Bytes(), want)
				}
				if !json.Valid(got.Bytes()) {
					t.Fatalf("not JSON: %.300s", got.Bytes())
				}
				for i, n := range got.sizes {
					if i < len(got.sizes)-1 && n < chunkSize/2 && n != len(big) && got.sizes[i+1] != len(big) {
						t.Errorf("write %d of %d is %d bytes: %v", i, len(got.sizes), n, got.sizes)
					}
				}
			}
		})
	}
}

type failing struct{ after int }

func (f *failing) Write(p []byte) (int, error) {
	if f.after <= 0 {
		return 0, errors.New("connection reset")
	}
	f.after--
	return len(p), nil
}

// TestSearchsetWriteError: a failed write is returned and ends the output.
func TestSearchsetWriteError(t *testing.T) {
	set := &searchset{base: "http://x/fhir", total: 5000}
	for range 5000 {
		set.entries = append(set.entries, searchEntry{typ: "Observation", id: "o", body: []byte(`{"resourceType":"Observation","id":"o"}`), mode: "match"})
	}
	var pool chunks
	for _, after := range []int{0, 1, 2} {
		w := &failing{after: after}
		if err := set.writeTo(w, &pool); err == nil || !strings.Contains(err.Error(), "reset") {
			t.Errorf("after %d writes: err %v, want the write's error", after, err)
		}
	}
}
