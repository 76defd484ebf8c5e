package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/web/webtest"
)

// count returns how many resources of typ the store holds for a patient.
func count(tb testing.TB, a *webtest.App, typ, param, patientID string) int {
	tb.Helper()
	q, err := search.ParseQuery(r4.Load(), typ, url.Values{param: {"Patient/" + patientID}}, false)
	if err != nil {
		tb.Fatal(err)
	}
	p, err := a.Store.Search(context.Background(), q)
	if err != nil {
		tb.Fatal(err)
	}
	return p.Total
}

func rxForm(action string) url.Values {
	return url.Values{"medicine": {"Metformin 500 mg"}, "dose": {"1"}, "unit": {"viên"}, "perday": {"2"},
		"when": {"PCM", "PCV"}, "days": {"30"}, "start": {"2026-10-31"}, "action": {action}}
}

func TestPrescribe(t *testing.T) {
	a := testApp(t)
	c := newClient(t, a, "vi")
	id := patientOnMeds(t, c)
	c.signInClinician("clinician")
	mustContain(t, "form", c.get("/app/patients/"+id+"/prescribe"), 200, "Kê đơn thuốc", `list="drugs"`, "Sau ăn sáng")

	before := count(t, a, "MedicationRequest", "subject", id)
	r := c.post("/app/patients/"+id+"/prescribe", rxForm("preview"))
	mustContain(t, "preview", r, 200, "Uống 1 viên x 2 lần/ngày sau ăn sáng và tối", "Take 1 tablet twice a day after breakfast and dinner", "Tổng 60 lần uống")
	if got := count(t, a, "MedicationRequest", "subject", id); got != before {
		t.Fatalf("preview wrote a prescription: %d -> %d", before, got)
	}

	bad := []struct {
		name  string
		edit  func(url.Values)
		msgVI string
	}{
		{"no medicine", func(v url.Values) { v.Set("medicine", " ") }, "Hãy nhập tên thuốc."},
		{"dose zero", func(v url.Values) { v.Set("dose", "0") }, "Liều phải là số"},
		{"dose text", func(v url.Values) { v.Set("dose", "hai") }, "Liều phải là số"},
		{"times mismatch", func(v url.Values) { v.Set("perday", "3") }, "Số thời điểm đã chọn"},
		{"bad when", func(v url.Values) { v["when"] = []string{"PCM", "<script>"} }, "Thời điểm uống không hợp lệ."},
		{"bad days", func(v url.Values) { v.Set("days", "9999") }, "Số ngày phải từ 1 đến 365."},
		{"bad start", func(v url.Values) { v.Set("start", "31/10/2026") }, "Ngày bắt đầu không hợp lệ."},
	}
	for _, tt := range bad {
		v := rxForm("save")
		tt.edit(v)
		mustContain(t, tt.name, c.post("/app/patients/"+id+"/prescribe", v), 422, tt.msgVI)
	}
	if got := count(t, a, "MedicationRequest", "subject", id); got != before {
		t.Fatalf("invalid forms wrote prescriptions: %d -> %d", before, got)
	}

	r = c.post("/app/patients/"+id+"/prescribe", rxForm("save"))
	if r.status != 200 || !strings.Contains(r.url, "saved=rx") {
		t.Fatalf("save: status %d at %s", r.status, r.url)
	}
	if got := count(t, a, "MedicationRequest", "subject", id); got != before+1 {
		t.Fatalf("save: %d prescriptions, want %d", got, before+1)
	}
	mustContain(t, "summary after save", r, 200, "Metformin 500 mg")

	// A pharmacist may not prescribe.
	p := newClient(t, a, "vi")
	p.signInClinician("pharmacist")
	if r := p.post("/app/patients/"+id+"/prescribe", rxForm("save")); r.status != http.StatusForbidden {
		t.Errorf("pharmacist prescribing: status %d, want 403", r.status)
	}
}

func TestRecordVisit(t *testing.T) {
	a := testApp(t)
	c := newClient(t, a, "en")
	id := patientOnMeds(t, c)
	c.signInClinician("clinician")
	mustContain(t, "form", c.get("/app/patients/"+id+"/record"), 200, "Record a visit", "Vital signs", "ICD-10 code")

	obs := count(t, a, "Observation", "subject", id)
	r := c.post("/app/patients/"+id+"/vitals", url.Values{"systolic": {"152"}, "diastolic": {"94"}, "weight": {"61,5"}})
	if !strings.Contains(r.url, "saved=vitals") {
		t.Fatalf("vitals: status %d at %s\n%s", r.status, r.url, snippet(r.body))
	}
	if got := count(t, a, "Observation", "subject", id); got != obs+2 {
		t.Errorf("vitals: %d observations, want %d (BP panel + weight)", got, obs+2)
	}
	mustContain(t, "summary shows new BP", r, 200, "152 mmHg", "Above target: Systolic BP 152")

	for _, tt := range []struct {
		name string
		form url.Values
		want string
	}{
		{"nothing", url.Values{}, "Enter at least one value."},
		{"half BP", url.Values{"systolic": {"120"}}, "Enter both systolic and diastolic pressure."},
		{"absurd", url.Values{"weight": {"4000"}}, "out of range"},
		{"text", url.Values{"hr": {"fast"}}, "out of range"},
	} {
		mustContain(t, tt.name, c.post("/app/patients/"+id+"/vitals", tt.form), 422, tt.want)
	}

	conds := count(t, a, "Condition", "subject", id)
	r = c.post("/app/patients/"+id+"/problems", url.Values{"icd": {"E78.5"}})
	if !strings.Contains(r.url, "saved=problem") {
		t.Fatalf("problem: status %d at %s", r.status, r.url)
	}
	if got := count(t, a, "Condition", "subject", id); got != conds+1 {
		t.Errorf("problem: %d conditions, want %d", got, conds+1)
	}
	mustContain(t, "problem listed in English", r, 200, "E78.5", "Hyperlipidaemia, unspecified")
	mustContain(t, "problem without code", c.post("/app/patients/"+id+"/problems", url.Values{"icd": {""}}), 422, "Enter an ICD-10 code")

	r = c.post("/app/patients/"+id+"/notes", url.Values{"note": {"Bệnh nhân ổn định, hẹn tái khám sau 30 ngày."}})
	mustContain(t, "note on the summary", r, 200, "Bệnh nhân ổn định, hẹn tái khám sau 30 ngày.")
	mustContain(t, "empty note", c.post("/app/patients/"+id+"/notes", url.Values{"note": {"  "}}), 422, "The note must not be empty")
}

func TestDispense(t *testing.T) {
	a := testApp(t)
	c := newClient(t, a, "vi")
	id := patientOnMeds(t, c)
	c.signInClinician("pharmacist")
	r := c.get("/app/pharmacy?patient=" + id)
	m := regexpFind(`action="/app/dispense/([^"]+)"`, r.body)
	if m == "" {
		t.Fatalf("no prescription to dispense for %s\n%s", id, snippet(r.body))
	}
	before := count(t, a, "MedicationDispense", "subject", id)
	r = c.post("/app/dispense/"+m, url.Values{})
	mustContain(t, "dispensed", r, 200, "Đã ghi nhận cấp thuốc.")
	if got := count(t, a, "MedicationDispense", "subject", id); got != before+1 {
		t.Errorf("%d dispenses, want %d", got, before+1)
	}
	if r := c.post("/app/dispense/no-such-rx", url.Values{}); r.status != 404 {
		t.Errorf("unknown prescription: status %d, want 404", r.status)
	}
}

func TestConfirmDose(t *testing.T) {
	a := testApp(t)
	c := newClient(t, a, "vi")
	id := patientOnMeds(t, c)
	c.signInPatient(id, "patient")
	today := c.get("/me")
	m := doseForm.FindStringSubmatch(today.body)
	if m == nil {
		t.Fatalf("no dose to confirm today\n%s", snippet(today.body))
	}
	takenBefore := strings.Count(today.body, `class="dose taken"`)
	before := count(t, a, "MedicationAdministration", "subject", id)
	r := c.post("/me/doses", url.Values{"rx": {m[1]}, "at": {m[2]}, "back": {"/me"}})
	mustContain(t, "confirmed", r, 200, "Đã ghi nhận. Cảm ơn bạn!")
	if got := strings.Count(r.body, `class="dose taken"`); got != takenBefore+1 {
		t.Errorf("taken doses %d -> %d, want one more", takenBefore, got)
	}
	if got := count(t, a, "MedicationAdministration", "subject", id); got != before+1 {
		t.Errorf("%d administrations, want %d", got, before+1)
	}

	for _, tt := range []struct {
		name string
		form url.Values
		want int
	}{
		{"no time", url.Values{"rx": {m[1]}}, 400},
		{"far future", url.Values{"rx": {m[1]}, "at": {"4102444800"}}, 400},
		{"unknown rx", url.Values{"rx": {"nope"}, "at": {m[2]}}, 404},
	} {
		if r := c.post("/me/doses", tt.form); r.status != tt.want {
			t.Errorf("%s: status %d, want %d", tt.name, r.status, tt.want)
		}
	}

	// Another patient may not confirm this patient's doses.
	other := newClient(t, a, "vi")
	var otherID string
	for _, mm := range pickPatient.FindAllStringSubmatch(other.get("/me/signin").body, -1) {
		if mm[1] != id {
			otherID = mm[1]
			break
		}
	}
	if otherID == "" {
		t.Skip("only one patient on medicines")
	}
	other.signInPatient(otherID, "caregiver")
	if r := other.post("/me/doses", url.Values{"rx": {m[1]}, "at": {m[2]}}); r.status != http.StatusForbidden {
		t.Errorf("someone else's prescription: status %d, want 403", r.status)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	c := newClient(t, testApp(t), "vi")
	req, _ := http.NewRequest("POST", c.srv.URL+"/app/signin", strings.NewReader("role=clinician"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin POST: status %d, want 403", res.StatusCode)
	}
}

func regexpFind(pattern, s string) string {
	m := regexpMust(pattern).FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return m[1]
}
