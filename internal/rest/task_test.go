package rest

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func taskBody(id, status, owner string) string {
	o := ""
	if owner != "" {
		o = fmt.Sprintf(`,"owner":{"reference":%q}`, owner)
	}
	idPart := ""
	if id != "" {
		idPart = fmt.Sprintf(`"id":%q,`, id)
	}
	return fmt.Sprintf(`{"resourceType":"Task",%s"status":%q,"intent":"order","for":{"reference":"Patient/p1"}%s}`, idPart, status, o)
}

// TestTaskStateMachineHTTP drives one Task through every write path and
// checks that each refused step is a 422 naming the transition and leaves
// the stored Task as it was.
func TestTaskStateMachineHTTP(t *testing.T) {
	h, st := newTestHandler(t, nil, nil)
	steps := []struct {
		name       string
		method     string
		path, body string
		ctype      string
		wantStatus int
		wantText   string // in the OperationOutcome for failures
		wantStored string // the stored status afterwards
	}{
		{"create completed refused", "PUT", "/fhir/Task/t1", taskBody("t1", "completed", "Organization/tyt"), "", 422, "a new Task cannot start as completed", ""},
		{"create requested", "PUT", "/fhir/Task/t1", taskBody("t1", "requested", ""), "", 201, "", "requested"},
		{"jump to completed", "PUT", "/fhir/Task/t1", taskBody("t1", "completed", "Organization/tyt"), "", 422, "requested → completed", "requested"},
		{"accept without owner", "PUT", "/fhir/Task/t1", taskBody("t1", "accepted", ""), "", 422, "Task.owner", "requested"},
		{"accept", "PUT", "/fhir/Task/t1", taskBody("t1", "accepted", "Organization/tyt"), "", 200, "", "accepted"},
		{"patch to on-hold refused", "PATCH", "/fhir/Task/t1", `[{"op":"replace","path":"/status","value":"on-hold"}]`, "application/json-patch+json", 422, "accepted → on-hold", "accepted"},
		{"patch to in-progress", "PATCH", "/fhir/Task/t1", `[{"op":"replace","path":"/status","value":"in-progress"}]`, "application/json-patch+json", 200, "", "in-progress"},
		{"transaction back to requested refused", "POST", "/fhir", `{"resourceType":"Bundle","type":"transaction","entry":[
			{"resource":` + taskBody("t1", "requested", "Organization/tyt") + `,"request":{"method":"PUT","url":"Task/t1"}}]}`, "", 422, "in-progress → requested", "in-progress"},
		{"complete", "PUT", "/fhir/Task/t1", taskBody("t1", "completed", "Organization/tyt"), "", 200, "", "completed"},
		{"reopen refused", "PUT", "/fhir/Task/t1", taskBody("t1", "in-progress", "Organization/tyt"), "", 422, "completed is final", "completed"},
		{"entered-in-error allowed", "PUT", "/fhir/Task/t1", taskBody("t1", "entered-in-error", "Organization/tyt"), "", 200, "", "entered-in-error"},
		{"POST create as in-progress refused", "POST", "/fhir/Task", taskBody("", "in-progress", "Organization/tyt"), "", 422, "cannot start as in-progress", ""},
	}
	for _, s := range steps {
		var hdr []string
		if s.ctype != "" {
			hdr = []string{"Content-Type", s.ctype}
		}
		w := do(t, h, s.method, s.path, s.body, hdr...)
		if w.Code != s.wantStatus {
			t.Fatalf("%s: status %d, want %d: %s", s.name, w.Code, s.wantStatus, w.Body.String())
		}
		if s.wantText != "" {
			if got := outcomeText(t, w); !strings.Contains(got, s.wantText) {
				t.Errorf("%s: outcome %q does not say %q", s.name, got, s.wantText)
			}
		}
		if s.wantStored == "" {
			continue
		}
		cur, err := st.Read(t.Context(), "Task", "t1")
		if err != nil {
			t.Fatalf("%s: read back: %v", s.name, err)
		}
		if !strings.Contains(string(cur.JSON), `"status":"`+s.wantStored+`"`) {
			t.Errorf("%s: stored Task %s, want status %s", s.name, cur.JSON, s.wantStored)
		}
	}
	if w := do(t, h, http.MethodGet, "/fhir/Task/t1/_history", ""); w.Code != 200 || strings.Count(w.Body.String(), `"fullUrl"`) != 5 {
		t.Errorf("history: want 5 versions (requested, accepted, in-progress, completed, entered-in-error): %d %s", w.Code, w.Body.String())
	}
}
