package web_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/web"
	"github.com/sen-emr/sen/internal/web/webtest"
)

// fhirPut writes a resource through the app's FHIR API (open in tests).
func fhirPut(tb testing.TB, srv string, path, body string) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodPut, srv+"/fhir/"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/fhir+json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		b, _ := io.ReadAll(res.Body)
		tb.Fatalf("PUT %s: %d %s", path, res.StatusCode, b)
	}
}

// TestCarePlanEditor: a clinician adds two care-team members, removes one,
// adds a blood-pressure goal and an activity; each change is a FHIR write
// the page then shows, in vi and en; bad input gets a 400.
func TestCarePlanEditor(t *testing.T) {
	a := testApp(t)
	for _, lang := range []string{"vi", "en"} {
		t.Run(lang, func(t *testing.T) {
			c := newClient(t, a, lang)
			c.signInClinician("clinician")
			pid := "cpe-" + lang
			fhirPut(t, c.srv.URL, "Patient/"+pid, `{"resourceType":"Patient","id":"`+pid+`","name":[{"text":"Phạm Văn Tư"}],"birthDate":"1948-02-02"}`)
			fhirPut(t, c.srv.URL, "Observation/"+pid+"-bp", `{"resourceType":"Observation","id":"`+pid+`-bp","status":"final",
			 "code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},"subject":{"reference":"Patient/`+pid+`"},"effectiveDateTime":"2026-10-20T08:00:00+07:00",
			 "component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":132,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
			  {"code":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"valueQuantity":{"value":85,"unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]}`)
			base := "/app/patients/" + pid + "/careplan"
			want := map[string][]string{
				"vi": {"Kế hoạch và nhóm chăm sóc", "Chưa có thành viên."},
				"en": {"Care plan and care team", "No members yet."},
			}[lang]
			mustContain(t, "empty editor", c.get(base), 200, append(want, "Phạm Văn Tư")...)

			r := c.post(base+"/members", url.Values{"member": {"PractitionerRole/chw-1"}, "display": {"Y tá Hoa"}, "role": {"chw"}, "onBehalfOf": {"Organization/tyt-1"}})
			mustContain(t, "add CHW", r, 200, "Y tá Hoa", map[string]string{"vi": "Nhân viên y tế thôn bản", "en": "Community health worker"}[lang],
				map[string]string{"vi": "Cộng đồng", "en": "Community"}[lang])
			r = c.post(base+"/members", url.Values{"member": {"RelatedPerson/con-gai"}, "display": {"Chị Mai"}, "role": {"caregiver"}})
			mustContain(t, "add daughter", r, 200, "Chị Mai", "Y tá Hoa")
			r = c.post(base+"/members", url.Values{"member": {"RelatedPerson/x"}, "role": {"specialist"}})
			mustContain(t, "a RelatedPerson cannot be a specialist", r, 400)
			r = c.post(base+"/members/remove", url.Values{"i": {"0"}})
			if r.status != 200 || strings.Contains(r.body, "Y tá Hoa") || !strings.Contains(r.body, "Chị Mai") {
				t.Errorf("remove first member: %d, still lists Y tá Hoa or lost Chị Mai\n%s", r.status, snippet(r.body))
			}

			r = c.post(base+"/goals", url.Values{"description": {"Huyết áp < 140/90"}, "measure": {"sbp"}, "comparator": {"<"}, "value": {"140"}, "due": {"2027-01-01"}})
			mustContain(t, "add goal", r, 200, "Huyết áp &lt; 140/90", "&lt; 140 mm[Hg]", "132",
				map[string]string{"vi": "Đạt", "en": "Achieved"}[lang])
			mustContain(t, "bad comparator", c.post(base+"/goals", url.Values{"description": {"x"}, "measure": {"sbp"}, "comparator": {"=="}, "value": {"1"}}), 400)
			mustContain(t, "bad value", c.post(base+"/goals", url.Values{"description": {"x"}, "measure": {"sbp"}, "comparator": {"<"}, "value": {"nhiều"}}), 400)

			r = c.post(base+"/activities", url.Values{"kind": {"exercise"}, "description": {"Đi bộ 30 phút mỗi ngày"}})
			mustContain(t, "add activity", r, 200, "Đi bộ 30 phút mỗi ngày", map[string]string{"vi": "Vận động", "en": "Exercise"}[lang])
			mustContain(t, "bad kind", c.post(base+"/activities", url.Values{"kind": {"magic"}, "description": {"x"}}), 400)

			// The plan links the team and the goal.
			res, err := http.Get(c.srv.URL + "/fhir/CarePlan?subject=Patient/" + pid)
			if err != nil {
				t.Fatal(err)
			}
			body := readBody(res)
			res.Body.Close()
			for _, w := range []string{`"careTeam"`, `"Goal/`, `"Đi bộ 30 phút mỗi ngày"`, `"total":1`} {
				if !strings.Contains(body, w) {
					t.Errorf("CarePlan search lacks %s: %s", w, snippet(body))
				}
			}
		})
	}
}

// caregiverOf is a caregiver of the given patients, known from the request.
type caregiverOf []string

func (c caregiverOf) UserFromRequest(*http.Request) (*web.User, bool) {
	return &web.User{ID: "RelatedPerson/mai", Name: "Chị Mai", Role: web.RoleCaregiver, Patients: c}, true
}

// TestCaregiverPlan: a daughter caring for both parents sees, for each,
// the plan's activities, goals with progress from the record, open tasks
// (not completed ones) and the next booked visit, in vi and en.
func TestCaregiverPlan(t *testing.T) {
	a, err := webtest.NewApp(webtest.Options{Patients: 2, Identity: caregiverOf{"cg-me", "cg-bo"}})
	if err != nil {
		t.Fatal(err)
	}
	srv := newClient(t, a, "vi").srv.URL
	put := func(path, body string) { t.Helper(); fhirPut(t, srv, path, body) }
	put("Patient/cg-me", `{"resourceType":"Patient","id":"cg-me","name":[{"text":"Đỗ Thị Cúc"}],"birthDate":"1948-05-05"}`)
	put("Patient/cg-bo", `{"resourceType":"Patient","id":"cg-bo","name":[{"text":"Nguyễn Văn Bảy"}],"birthDate":"1945-01-01"}`)
	put("Goal/cg-g1", `{"resourceType":"Goal","id":"cg-g1","lifecycleStatus":"active","description":{"text":"HbA1c dưới 7%"},"subject":{"reference":"Patient/cg-me"},
	 "target":[{"measure":{"coding":[{"system":"http://loinc.org","code":"4548-4"}]},"detailQuantity":{"value":7,"comparator":"<","unit":"%","system":"http://unitsofmeasure.org","code":"%"}}]}`)
	put("Observation/cg-a1", `{"resourceType":"Observation","id":"cg-a1","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}]},
	 "subject":{"reference":"Patient/cg-me"},"effectiveDateTime":"2026-09-01","valueQuantity":{"value":8.1,"unit":"%","system":"http://unitsofmeasure.org","code":"%"}}`)
	put("Observation/cg-a2", `{"resourceType":"Observation","id":"cg-a2","status":"final","code":{"coding":[{"system":"http://loinc.org","code":"4548-4"}]},
	 "subject":{"reference":"Patient/cg-me"},"effectiveDateTime":"2026-10-20","valueQuantity":{"value":7.6,"unit":"%","system":"http://unitsofmeasure.org","code":"%"}}`)
	put("CarePlan/cg-p1", `{"resourceType":"CarePlan","id":"cg-p1","status":"active","intent":"plan","title":"Chăm sóc sau ra viện","subject":{"reference":"Patient/cg-me"},
	 "goal":[{"reference":"Goal/cg-g1"}],"activity":[{"detail":{"status":"in-progress","description":"Uống metformin 500 mg sáng và tối"}},{"detail":{"status":"cancelled","description":"Hoạt động đã huỷ"}}]}`)
	put("Task/cg-t1", `{"resourceType":"Task","id":"cg-t1","status":"requested","intent":"order","description":"Thăm tại nhà sau ra viện","for":{"reference":"Patient/cg-me"},
	 "owner":{"reference":"Organization/tyt","display":"Trạm y tế xã Thử"},"restriction":{"period":{"end":"2026-11-05"}}}`)
	put("Task/cg-t2", `{"resourceType":"Task","id":"cg-t2","status":"requested","intent":"order","description":"Việc đã huỷ","for":{"reference":"Patient/cg-me"}}`)
	put("Task/cg-t2", `{"resourceType":"Task","id":"cg-t2","status":"cancelled","intent":"order","description":"Việc đã huỷ","for":{"reference":"Patient/cg-me"}}`)
	put("Appointment/cg-ap1", `{"resourceType":"Appointment","id":"cg-ap1","status":"booked","description":"Tái khám đái tháo đường","start":"2026-11-12T08:00:00+07:00","end":"2026-11-12T08:30:00+07:00",
	 "participant":[{"actor":{"reference":"Patient/cg-me"},"status":"accepted"},{"actor":{"reference":"Location/tyt","display":"Trạm y tế xã Thử"},"status":"accepted"}]}`)
	put("Appointment/cg-ap0", `{"resourceType":"Appointment","id":"cg-ap0","status":"booked","description":"Lần khám đã qua","start":"2026-10-01T08:00:00+07:00","end":"2026-10-01T08:30:00+07:00",
	 "participant":[{"actor":{"reference":"Patient/cg-me"},"status":"accepted"}]}`)

	for _, tc := range []struct {
		lang string
		want []string
	}{
		{"vi", []string{"Kế hoạch chăm sóc", "Đang cải thiện", "Chưa có kế hoạch chăm sóc.", "Không có việc nào đang mở.", "Chưa hẹn lần khám tới."}},
		{"en", []string{"Care plan", "Improving", "No care plan yet.", "No open tasks.", "No visit booked."}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			c := newClient(t, a, tc.lang)
			r := c.get("/me/plan")
			mustContain(t, "family plan", r, 200, append(tc.want, "Đỗ Thị Cúc", "Nguyễn Văn Bảy", "Chăm sóc sau ra viện",
				"Uống metformin 500 mg sáng và tối", "HbA1c dưới 7%", "&lt; 7 %", "7.6", "Thăm tại nhà sau ra viện", "Trạm y tế xã Thử",
				"Tái khám đái tháo đường")...)
			for _, not := range []string{"Hoạt động đã huỷ", "Việc đã huỷ", "Lần khám đã qua"} {
				if strings.Contains(r.body, not) {
					t.Errorf("page shows %q", not)
				}
			}
		})
	}
}
