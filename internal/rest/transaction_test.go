package rest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

const txBundle = `{"resourceType":"Bundle","type":"transaction","entry":[
 {"fullUrl":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a","resource":{"resourceType":"Patient","identifier":[{"system":"s","value":"tx1"}]},"request":{"method":"POST","url":"Patient"}},
 {"fullUrl":"urn:uuid:88f151c0-a954-468a-88bd-5ae15c08e059","resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},
   "subject":{"reference":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"},
   "performer":[{"reference":"Practitioner?identifier=npi|42"}],
   "component":[{"code":{"text":"c"},"valueString":"v","extension":[{"url":"http://x","valueReference":{"reference":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"}}]}]},
   "request":{"method":"POST","url":"Observation"}},
 {"resource":{"resourceType":"Patient","id":"put-1","link":[{"type":"seealso","other":{"reference":"urn:uuid:61ebe359-bfdc-4613-8bf2-c5e300945f0a"}}]},"request":{"method":"PUT","url":"Patient/put-1"}},
 {"request":{"method":"GET","url":"Patient?identifier=s|tx1"}}
]}`

func TestTransactionResolvesReferences(t *testing.T) {
	h, _ := newTestHandler(t, nil, nil)
	prac := create(t, h, "Practitioner", `{"resourceType":"Practitioner","identifier":[{"system":"npi","value":"42"}]}`)
	w := do(t, h, "POST", "/fhir", txBundle)
	if w.Code != 200 {
		t.Fatalf("transaction: %d %s", w.Code, w.Body.String())
	}
	var resp bundle
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Type != "transaction-response" || len(resp.Entry) != 4 {
		t.Fatalf("response: %s", w.Body.String())
	}
	wantStatus := []string{"201 Created", "201 Created", "201 Created", "200 OK"}
	for i, e := range resp.Entry {
		if e.Response.Status != wantStatus[i] {
			t.Errorf("entry %d status %q, want %q", i, e.Response.Status, wantStatus[i])
		}
	}
	// The GET ran after the POST in the same transaction and sees it.
	if !strings.Contains(string(resp.Entry[3].Resource), `"total":1`) {
		t.Errorf("GET entry: %s", resp.Entry[3].Resource)
	}
	patID := strings.Split(resp.Entry[0].Response.Location, "/")[1]
	obsLoc := resp.Entry[1].Response.Location
	obs := do(t, h, "GET", "/fhir/"+strings.Join(strings.Split(obsLoc, "/")[:2], "/"), "").Body.String()
	for _, want := range []string{
		`"subject":{"reference":"Patient/` + patID + `"}`,
		`"performer":[{"reference":"Practitioner/` + prac + `"}]`,
		`"valueReference":{"reference":"Patient/` + patID + `"}`,
	} {
		if !strings.Contains(obs, want) {
			t.Errorf("observation %s\nwant %s", obs, want)
		}
	}
	if put := do(t, h, "GET", "/fhir/Patient/put-1", "").Body.String(); !strings.Contains(put, `"reference":"Patient/`+patID+`"`) {
		t.Errorf("PUT entry not rewritten: %s", put)
	}
}

func TestTransactionAllOrNothing(t *testing.T) {
	entry := func(s string) string { return `{"resourceType":"Bundle","type":"transaction","entry":[` + s + `]}` }
	okPost := `{"fullUrl":"urn:uuid:a","resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}}`
	tests := []struct {
		name, body string
		want       int
		contains   string
	}{
		{"unresolvable urn", entry(okPost + `,{"resource":{"resourceType":"Observation","status":"final","code":{"text":"x"},"subject":{"reference":"urn:uuid:missing"}},"request":{"method":"POST","url":"Observation"}}`), 400, "Bundle.entry[1]"},
		{"conditional ref no match", entry(okPost + `,{"resource":{"resourceType":"Observation","subject":{"reference":"Patient?identifier=x|y"}},"request":{"method":"POST","url":"Observation"}}`), 400, "matches no resource"},
		{"conditional ref two matches", entry(okPost + `,{"resource":{"resourceType":"Observation","subject":{"reference":"Patient?identifier=s|dup"}},"request":{"method":"POST","url":"Observation"}}`), 412, "more than one"},
		{"ifNoneExist two matches", entry(`{"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient","ifNoneExist":"identifier=s|dup"}}`), 412, "Bundle.entry[0]"},
		{"stale ifMatch", entry(okPost + `,{"resource":{"resourceType":"Patient","id":"fixed"},"request":{"method":"PUT","url":"Patient/fixed","ifMatch":"W/\"9\""}}`), 412, "Bundle.entry[1]"},
		{"wrong type in entry", entry(`{"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Observation"}}`), 400, "Bundle.entry[0]"},
		{"no request", entry(`{"resource":{"resourceType":"Patient"}}`), 400, "Bundle.entry[0].request"},
		{"bad method", entry(`{"resource":{"resourceType":"Patient"},"request":{"method":"FROB","url":"Patient"}}`), 400, "FROB"},
		{"put id mismatch", entry(`{"resource":{"resourceType":"Patient","id":"a"},"request":{"method":"PUT","url":"Patient/b"}}`), 400, "differs"},
		{"same resource twice", entry(`{"resource":{"resourceType":"Patient","id":"a"},"request":{"method":"PUT","url":"Patient/a"}},{"resource":{"resourceType":"Patient","id":"a"},"request":{"method":"PUT","url":"Patient/a"}}`), 400, "both change"},
		{"not a bundle", `{"resourceType":"Patient"}`, 400, "Bundle"},
		{"searchset", `{"resourceType":"Bundle","type":"searchset"}`, 400, "Bundle.type"},
		{"malformed", `{"resourceType":"Bundle","type":"transaction","entry":[`, 400, "malformed"},
		{"patch fails", entry(okPost + `,{"resource":{"resourceType":"Parameters","parameter":[{"name":"operation","part":[{"name":"type","valueCode":"delete"},{"name":"path","valueString":"Patient.name"}]}]},"request":{"method":"PATCH","url":"Patient/nope"}}`), 404, "Bundle.entry[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, _ := newTestHandler(t, nil, nil)
			for range 2 {
				create(t, h, "Patient", `{"resourceType":"Patient","identifier":[{"system":"s","value":"dup"}]}`)
			}
			w := do(t, h, "POST", "/fhir", tt.body)
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.want, w.Body.String())
			}
			if got := outcomeText(t, w); !strings.Contains(got, tt.contains) {
				t.Errorf("outcome %q, want it to contain %q", got, tt.contains)
			}
			hist := decode(t, do(t, h, "GET", "/fhir/_history", ""))
			if got := hist["total"].(float64); got != 2 {
				t.Errorf("history total %v after a failed transaction, want 2 (nothing written)", got)
			}
		})
	}
}

func TestBatchEntriesIndependent(t *testing.T) {
	h, _ := newTestHandler(t, nil, nil)
	body := `{"resourceType":"Bundle","type":"batch","entry":[
	 {"resource":{"resourceType":"Organization","identifier":[{"system":"org","value":"1"}]},"request":{"method":"POST","url":"Organization","ifNoneExist":"identifier=org|1"}},
	 {"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Observation"}},
	 {"resource":{"resourceType":"Organization","identifier":[{"system":"org","value":"1"}]},"request":{"method":"POST","url":"Organization","ifNoneExist":"identifier=org|1"}},
	 {"request":{"method":"GET","url":"Organization/none"}}]}`
	w := do(t, h, "POST", "/fhir", body)
	if w.Code != 200 {
		t.Fatalf("batch: %d %s", w.Code, w.Body.String())
	}
	var resp bundle
	if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
		t.Fatal(err)
	}
	got := []string{}
	for _, e := range resp.Entry {
		got = append(got, e.Response.Status)
	}
	want := []string{"201 Created", "400 Bad Request", "200 OK", "404 Not Found"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("statuses %v, want %v", got, want)
	}
	if resp.Entry[1].Response.Outcome == nil {
		t.Error("failed entry has no outcome")
	}
}

func FuzzTransaction(f *testing.F) {
	f.Add(txBundle)
	f.Add(`{"resourceType":"Bundle","type":"batch","entry":[{"request":{"method":"GET","url":"Patient/x/_history/1"}}]}`)
	f.Add(`{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Parameters"},"request":{"method":"PATCH","url":"Patient/a"}},{"request":{"method":"DELETE","url":"Patient?identifier=a"}}]}`)
	f.Add(`{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Binary","contentType":"application/json-patch+json","data":"W10="},"request":{"method":"PATCH","url":"Patient/a"}}]}`)
	f.Add(`{"resourceType":"Bundle","type":"transaction","entry":[null,{},{"request":null}]}`)
	f.Add(`[]`)
	h, _ := newTestHandler(f, nil, nil)
	f.Fuzz(func(t *testing.T, body string) {
		w := do(t, h, "POST", "/fhir", body)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q: %s", w.Code, body, w.Body.String())
		}
		if w.Code != http.StatusOK {
			outcomeText(t, w)
		}
	})
}
