package rest

import (
	"net/http"
	"strings"
	"testing"
)

const patientBody = `{"resourceType":"Patient","identifier":[{"system":"urn:sen:test","value":"p1"}],"name":[{"family":"Nguyen","given":["An"]}],"gender":"female","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">An</div>"}}`

func create(tb testing.TB, h http.Handler, typ, body string) (id string) {
	tb.Helper()
	w := do(tb, h, "POST", "/fhir/"+typ, body)
	if w.Code != http.StatusCreated {
		tb.Fatalf("create %s: %d %s", typ, w.Code, w.Body.String())
	}
	return decode(tb, w)["id"].(string)
}

func TestCRUD(t *testing.T) {
	h, _ := newTestHandler(t, nil, nil)
	w := do(t, h, "POST", "/fhir/Patient", patientBody)
	if w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body.String())
	}
	id := decode(t, w)["id"].(string)
	if got, want := w.Header().Get("Location"), "http://sen.test/fhir/Patient/"+id+"/_history/1"; got != want {
		t.Errorf("Location = %q, want %q", got, want)
	}
	if got := w.Header().Get("ETag"); got != `W/"1"` {
		t.Errorf("ETag = %q", got)
	}
	upd := strings.Replace(patientBody, `"resourceType":"Patient"`, `"resourceType":"Patient","id":"`+id+`"`, 1)
	upd = strings.Replace(upd, "female", "male", 1)

	tests := []struct {
		name     string
		method   string
		path     string
		body     string
		headers  []string
		want     int
		contains string
	}{
		{"read", "GET", "/fhir/Patient/" + id, "", nil, 200, `"family":"Nguyen"`},
		{"read not modified", "GET", "/fhir/Patient/" + id, "", []string{"If-None-Match", `W/"1"`}, 304, ""},
		{"read unknown", "GET", "/fhir/Patient/nope", "", nil, 404, "not found"},
		{"read unknown type", "GET", "/fhir/Frobnicate/1", "", nil, 404, "unknown resource type"},
		{"summary", "GET", "/fhir/Patient/" + id + "?_summary=true", "", nil, 200, "SUBSETTED"},
		{"elements", "GET", "/fhir/Patient/" + id + "?_elements=gender", "", nil, 200, `"gender"`},
		{"xml refused", "GET", "/fhir/Patient/" + id + "?_format=xml", "", nil, 406, "JSON only"},
		{"xml accept refused", "GET", "/fhir/Patient/" + id, "", []string{"Accept", "application/fhir+xml"}, 406, "JSON only"},
		{"update stale If-Match", "PUT", "/fhir/Patient/" + id, upd, []string{"If-Match", `W/"7"`}, 412, ""},
		{"update id mismatch", "PUT", "/fhir/Patient/other", upd, nil, 400, "differs"},
		{"update", "PUT", "/fhir/Patient/" + id, upd, []string{"If-Match", `W/"1"`}, 200, `"male"`},
		{"vread 1", "GET", "/fhir/Patient/" + id + "/_history/1", "", nil, 200, `"female"`},
		{"vread 2", "GET", "/fhir/Patient/" + id + "/_history/2", "", nil, 200, `"male"`},
		{"vread 3 absent", "GET", "/fhir/Patient/" + id + "/_history/3", "", nil, 404, ""},
		{"history", "GET", "/fhir/Patient/" + id + "/_history", "", nil, 200, `"type":"history"`},
		{"json patch", "PATCH", "/fhir/Patient/" + id, `[{"op":"replace","path":"/gender","value":"other"}]`, []string{"Content-Type", "application/json-patch+json"}, 200, `"other"`},
		{"fhirpath patch", "PATCH", "/fhir/Patient/" + id, `{"resourceType":"Parameters","parameter":[{"name":"operation","part":[{"name":"type","valueCode":"add"},{"name":"path","valueString":"Patient"},{"name":"name","valueString":"telecom"},{"name":"value","valueContactPoint":{"system":"phone","value":"0900"}}]}]}`, nil, 200, `"telecom":[{`},
		{"patch bad path", "PATCH", "/fhir/Patient/" + id, `[{"op":"remove","path":"/nope"}]`, []string{"Content-Type", "application/json-patch+json"}, 422, ""},
		{"patch changes id", "PATCH", "/fhir/Patient/" + id, `[{"op":"replace","path":"/id","value":"x"}]`, []string{"Content-Type", "application/json-patch+json"}, 422, "id"},
		{"search identifier", "GET", "/fhir/Patient?identifier=urn:sen:test|p1", "", nil, 200, `"total":1`},
		{"search warning", "GET", "/fhir/Patient?frob=1", "", nil, 200, `"mode":"outcome"`},
		{"search post", "POST", "/fhir/Patient/_search", "identifier=urn:sen:test|p1", []string{"Content-Type", "application/x-www-form-urlencoded"}, 200, `"total":1`},
		{"search count", "GET", "/fhir/Patient?_summary=count", "", nil, 200, `"total":1`},
		{"metadata", "GET", "/fhir/metadata", "", nil, 200, `"CapabilityStatement"`},
		{"delete", "DELETE", "/fhir/Patient/" + id, "", nil, 204, ""},
		{"read deleted", "GET", "/fhir/Patient/" + id, "", nil, 410, ""},
		{"delete again", "DELETE", "/fhir/Patient/" + id, "", nil, 204, ""},
		{"history after delete", "GET", "/fhir/Patient/" + id + "/_history", "", nil, 200, `"method":"DELETE"`},
		{"type history", "GET", "/fhir/Patient/_history?_count=1", "", nil, 200, `"relation":"next"`},
		{"system history", "GET", "/fhir/_history", "", nil, 200, `"type":"history"`},
		{"update as create", "PUT", "/fhir/Patient/client-1", `{"resourceType":"Patient","id":"client-1"}`, nil, 201, `"client-1"`},
		{"prefer minimal", "PUT", "/fhir/Patient/client-1", `{"resourceType":"Patient","id":"client-1","active":true}`, []string{"Prefer", "return=minimal"}, 200, ""},
		{"prefer outcome", "PUT", "/fhir/Patient/client-1", `{"resourceType":"Patient","id":"client-1"}`, []string{"Prefer", "return=OperationOutcome"}, 200, "OperationOutcome"},
		{"pretty", "GET", "/fhir/Patient/client-1?_pretty=true", "", nil, 200, "\n  \"resourceType\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, h, tt.method, tt.path, tt.body, tt.headers...)
			if w.Code != tt.want {
				t.Fatalf("status = %d, want %d: %s", w.Code, tt.want, w.Body.String())
			}
			if tt.contains != "" && !strings.Contains(w.Body.String(), tt.contains) {
				t.Errorf("body %s\nwant it to contain %q", w.Body.String(), tt.contains)
			}
		})
	}
}

// TestBadInputWritesNothing checks status, outcome and that the store is unchanged.
func TestBadInputWritesNothing(t *testing.T) {
	h, _ := newTestHandler(t, nil, func(c *Config) { c.MaxBodyBytes = 2000 })
	create(t, h, "Patient", `{"resourceType":"Patient","identifier":[{"system":"s","value":"dup"}]}`)
	create(t, h, "Patient", `{"resourceType":"Patient","identifier":[{"system":"s","value":"dup"}]}`)
	tests := []struct {
		name, method, path, body string
		headers                  []string
		want                     int
		contains                 string
	}{
		{"malformed JSON", "POST", "/fhir/Patient", `{"resourceType":"Patient",`, nil, 400, "malformed JSON"},
		{"not an object", "POST", "/fhir/Patient", `[1]`, nil, 400, "not a JSON object"},
		{"wrong resourceType", "POST", "/fhir/Patient", `{"resourceType":"Observation"}`, nil, 400, "@resourceType"},
		{"unknown resourceType", "POST", "/fhir/Patient", `{"resourceType":"Frob"}`, nil, 400, "unknown resource type"},
		{"missing resourceType", "POST", "/fhir/Patient", `{"id":"x"}`, nil, 400, "no resourceType"},
		{"too large", "POST", "/fhir/Patient", `{"resourceType":"Patient","text":{"div":"` + strings.Repeat("x", 3000) + `"}}`, nil, 413, "limit"},
		{"unsupported media type", "POST", "/fhir/Patient", `<Patient/>`, []string{"Content-Type", "application/fhir+xml"}, 415, "not supported"},
		{"conditional create two matches", "POST", "/fhir/Patient", `{"resourceType":"Patient"}`, []string{"If-None-Exist", "identifier=s|dup"}, 412, "more than one"},
		{"conditional update two matches", "PUT", "/fhir/Patient?identifier=s|dup", `{"resourceType":"Patient"}`, nil, 412, "more than one"},
		{"conditional delete two matches", "DELETE", "/fhir/Patient?identifier=s|dup", "", nil, 412, "more than one"},
		{"update without id", "PUT", "/fhir/Patient/abc", `{"resourceType":"Patient"}`, nil, 400, "@id"},
		{"bad id", "PUT", "/fhir/Patient/a_b", `{"resourceType":"Patient","id":"a_b"}`, nil, 400, "valid"},
		{"bad If-Match", "PUT", "/fhir/Patient/abc", `{"resourceType":"Patient","id":"abc"}`, []string{"If-Match", "nope"}, 400, "ETag"},
		{"If-Match on absent", "PUT", "/fhir/Patient/abc", `{"resourceType":"Patient","id":"abc"}`, []string{"If-Match", `W/"1"`}, 412, ""},
		{"patch absent", "PATCH", "/fhir/Patient/abc", `[]`, []string{"Content-Type", "application/json-patch+json"}, 404, ""},
		{"unknown element", "POST", "/fhir/Patient", `{"resourceType":"Patient","frobnicate":1}`, nil, 400, "frobnicate"},
		{"invalid code", "POST", "/fhir/Patient", `{"resourceType":"Patient","gender":"robot"}`, nil, 400, "gender"},
		{"duplicate property", "POST", "/fhir/Patient", `{"resourceType":"Patient","gender":"male","gender":"female"}`, nil, 400, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, h, tt.method, tt.path, tt.body, tt.headers...)
			if w.Code != tt.want {
				t.Fatalf("status = %d, want %d: %s", w.Code, tt.want, w.Body.String())
			}
			if got := outcomeText(t, w); !strings.Contains(got, tt.contains) {
				t.Errorf("outcome %q, want it to contain %q", got, tt.contains)
			}
			// Nothing was written: still exactly the two patients, one version each.
			hist := decode(t, do(t, h, "GET", "/fhir/_history", ""))
			if got := hist["total"].(float64); got != 2 {
				t.Errorf("history total = %v after a rejected request, want 2", got)
			}
		})
	}
}

func TestConditionalCreateAndUpdate(t *testing.T) {
	h, _ := newTestHandler(t, nil, nil)
	id := create(t, h, "Patient", `{"resourceType":"Patient","identifier":[{"system":"s","value":"one"}]}`)
	w := do(t, h, "POST", "/fhir/Patient", `{"resourceType":"Patient"}`, "If-None-Exist", "identifier=s|one")
	if w.Code != 200 || decode(t, w)["id"] != id {
		t.Fatalf("conditional create with one match: %d %s, want 200 and id %s", w.Code, w.Body.String(), id)
	}
	w = do(t, h, "PUT", "/fhir/Patient?identifier=s|one", `{"resourceType":"Patient","identifier":[{"system":"s","value":"one"}],"active":true}`)
	if w.Code != 200 || decode(t, w)["id"] != id {
		t.Fatalf("conditional update: %d %s", w.Code, w.Body.String())
	}
	w = do(t, h, "PUT", "/fhir/Patient?identifier=s|two", `{"resourceType":"Patient","identifier":[{"system":"s","value":"two"}]}`)
	if w.Code != 201 {
		t.Fatalf("conditional update with no match: %d %s, want 201", w.Code, w.Body.String())
	}
	w = do(t, h, "DELETE", "/fhir/Patient?identifier=s|one", "")
	if w.Code != 204 {
		t.Fatalf("conditional delete: %d %s", w.Code, w.Body.String())
	}
	if w := do(t, h, "GET", "/fhir/Patient/"+id, ""); w.Code != 410 {
		t.Errorf("read after conditional delete: %d, want 410", w.Code)
	}
}

func TestHealth(t *testing.T) {
	h, _ := newTestHandler(t, nil, nil)
	for _, p := range []string{"/healthz", "/readyz"} {
		if w := do(t, h, "GET", p, ""); w.Code != 200 {
			t.Errorf("%s = %d", p, w.Code)
		}
	}
}
