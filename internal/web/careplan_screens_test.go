package web_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestCommunityScreens: a discharge makes a follow-up Task for the
// station; the station's worklist page lists the patient by village in vi
// and en; the visit form's offline queue submits by PUT twice (a replay),
// which records one visit and completes the Task.
func TestCommunityScreens(t *testing.T) {
	a := testApp(t)
	c := newClient(t, a, "vi")
	c.signInClinician("clinician")

	fhirDo := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, c.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/fhir+json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		var m map[string]any
		_ = json.Unmarshal(b, &m)
		return res.StatusCode, m
	}
	code, m := fhirDo("POST", "/fhir", `{"resourceType":"Bundle","type":"transaction","entry":[
	 {"resource":{"resourceType":"Organization","id":"cp-tyt","name":"Trạm y tế xã Thử"},"request":{"method":"PUT","url":"Organization/cp-tyt"}},
	 {"resource":{"resourceType":"Organization","id":"cp-bv","name":"Bệnh viện Thử"},"request":{"method":"PUT","url":"Organization/cp-bv"}},
	 {"resource":{"resourceType":"Patient","id":"cp-ba","name":[{"text":"Đỗ Thị Cúc"}],"birthDate":"1946-05-05","gender":"female",
	   "address":[{"use":"home","line":["Thôn Thượng"],"city":"Xã Thử"}],"generalPractitioner":[{"reference":"Organization/cp-tyt"}]},
	  "request":{"method":"PUT","url":"Patient/cp-ba"}},
	 {"resource":{"resourceType":"Encounter","id":"cp-adm","status":"finished","class":{"code":"IMP"},"subject":{"reference":"Patient/cp-ba"},
	   "serviceProvider":{"reference":"Organization/cp-bv"},"period":{"start":"2020-01-01T00:00:00Z","end":"2020-01-05T00:00:00Z"}},
	  "request":{"method":"PUT","url":"Encounter/cp-adm"}}]}`)
	if code != 200 {
		t.Fatalf("setup transaction: %d %v", code, m)
	}
	code, task := fhirDo("POST", "/fhir/Encounter/cp-adm/$discharge-follow-up?station=Organization/cp-tyt", "")
	if code != 201 {
		t.Fatalf("$discharge-follow-up: %d %v", code, task)
	}
	taskID := task["id"].(string)

	r := c.get("/app/community?owner=Organization/cp-tyt")
	mustContain(t, "worklist vi", r, 200, "Danh sách thăm tại nhà", "Đỗ Thị Cúc", "Thôn Thượng", "Theo dõi sau ra viện", "?task="+taskID)
	en := newClient(t, a, "en")
	en.signInClinician("clinician")
	mustContain(t, "worklist en", en.get("/app/community?owner=Organization/cp-tyt"), 200, "Home-visit worklist", "Đỗ Thị Cúc", "overdue")
	mustContain(t, "bad owner", c.get("/app/community?owner=Patient/x"), 400)

	r = c.get("/app/community/visit/cp-ba?task=" + taskID)
	mustContain(t, "visit form", r, 200, "Ghi kết quả thăm tại nhà", `id="cp-visit"`, "/static/careplan_visit.js", `name="task" value="`+taskID+`"`)
	m2 := regexpMust(`/app/community/visits/([0-9a-f-]{36})`).FindStringSubmatch(r.body)
	if m2 == nil {
		t.Fatal("the form carries no client visit id")
	}
	visitID := m2[1]

	put := func(body string, origin string) (int, string) {
		req, _ := http.NewRequest("PUT", c.srv.URL+"/app/community/visits/"+visitID, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		res, err := c.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	visit := `{"patient":"cp-ba","task":"` + taskID + `","start":"2020-01-08T09:30","systolic":"150","diastolic":"92","glucose":"7,8","note":"ổn"}`
	if code, b := put(visit, "http://evil.example"); code != 403 {
		t.Errorf("cross-origin PUT: %d %s, want 403", code, b)
	}
	if code, b := put(`{"patient":"cp-ba","start":"2020-01-08T09:30","systolic":"1500","diastolic":"92"}`, c.srv.URL); code != 400 || !strings.Contains(b, "systolic") {
		t.Errorf("implausible BP: %d %s, want 400 naming systolic", code, b)
	}
	for i := 0; i < 2; i++ { // the queue replays after a lost acknowledgement
		if code, b := put(visit, c.srv.URL); code != 200 {
			t.Fatalf("PUT visit (try %d): %d %s", i+1, code, b)
		}
	}
	code, enc := fhirDo("GET", "/fhir/Encounter/"+visitID, "")
	if code != 200 || enc["class"].(map[string]any)["code"] != "HH" {
		t.Fatalf("visit Encounter: %d %v", code, enc)
	}
	code, done := fhirDo("GET", "/fhir/Task/"+taskID, "")
	if code != 200 || done["status"] != "completed" {
		t.Fatalf("Task after the visit: %d %v, want completed", code, done["status"])
	}
	code, glu := fhirDo("GET", "/fhir/Observation/"+visitID+"-glu", "")
	if code != 200 || glu["valueQuantity"].(map[string]any)["value"].(float64) != 7.8 {
		t.Errorf("glucose with a decimal comma: %d %v", code, glu["valueQuantity"])
	}
	// Form post without JavaScript, new visit id.
	r = c.post("/app/community/visits/0d9e2b8c-1111-4a43-9d7e-1c2b3a4d5e6f", url.Values{"patient": {"cp-ba"}, "start": {"2020-02-01T10:00"}, "weight": {"51,5"}})
	mustContain(t, "form post", r, 200, "Đã ghi lần thăm")
}
