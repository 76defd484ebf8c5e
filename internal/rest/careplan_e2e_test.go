package rest_test

// End-to-end test of integrated care over HTTP on SQLite: a small
// synthetic population, then an older woman with hypertension, diabetes
// and early dementia is discharged; the commune station receives the
// follow-up Task, the community health worker's worklist shows her first,
// the station accepts, the visit is recorded (replayed once, as an offline
// phone would), the Task is completed with the visit Encounter, and the
// care plan's goal reads the visit's blood pressure.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/clinical/careplan"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/ingest"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store/sqlite"
	"github.com/sen-emr/sen/internal/synth"
)

type client struct {
	tb  testing.TB
	url string
}

func (c client) do(method, path, body string) (int, map[string]any) {
	c.tb.Helper()
	req, _ := http.NewRequest(method, c.url+path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.tb.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		c.tb.Fatalf("%s %s: %v: %s", method, path, err, b)
	}
	return resp.StatusCode, m
}

func (c client) must(want int, method, path, body string) map[string]any {
	c.tb.Helper()
	code, m := c.do(method, path, body)
	if code != want {
		c.tb.Fatalf("%s %s: status %d, want %d: %v", method, path, code, want, m)
	}
	return m
}

// entries returns the "entry" parts of a $home-visits answer as
// patient reference → part values, in order.
func worklistPatients(p map[string]any) []string {
	var out []string
	for _, prm := range p["parameter"].([]any) {
		pm := prm.(map[string]any)
		if pm["name"] != "entry" {
			continue
		}
		for _, part := range pm["part"].([]any) {
			pt := part.(map[string]any)
			if pt["name"] == "patient" {
				out = append(out, pt["valueReference"].(map[string]any)["reference"].(string))
			}
		}
	}
	return out
}

func TestCarePlanDischargeToVisitEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a synthetic population into SQLite")
	}
	ctx := context.Background()
	now := time.Date(2025, 6, 30, 8, 0, 0, 0, time.UTC)
	gen := synth.New(synth.Config{Seed: 5, Patients: 40, End: now})
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sen.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	model := r4.Load()
	ix, err := search.NewIndexer(model)
	if err != nil {
		t.Fatal(err)
	}
	var all [][]byte
	if err := gen.Run(func(b []byte) error { all = append(all, b); return nil }); err != nil {
		t.Fatal(err)
	}
	l := ingest.Loader{Store: db, Indexer: ix}
	if _, err := l.Load(ctx, ingest.FromSlice(all)); err != nil {
		t.Fatal(err)
	}
	h := rest.New(rest.Config{Store: db, Indexer: ix, Model: model,
		Parser: rest.QueryParserFunc(func(typ string, p url.Values, strict bool) (*search.Query, error) {
			return search.ParseQuery(model, typ, p, strict)
		}),
		Now: func() time.Time { return now }})
	srv := httptest.NewServer(h)
	defer srv.Close()
	c := client{tb: t, url: srv.URL}

	// Three synthetic patients share the CHW with Bà Ba.
	others := c.must(200, "GET", "/fhir/Patient?_count=3", "")
	var otherIDs []string
	for _, e := range others["entry"].([]any) {
		otherIDs = append(otherIDs, e.(map[string]any)["resource"].(map[string]any)["id"].(string))
	}
	if len(otherIDs) != 3 {
		t.Fatalf("want 3 synthetic patients, got %v", otherIDs)
	}

	team, err := careplan.CareTeamJSON(careplan.Team{ID: "ct-ba", Patient: "Patient/ba", Name: "Chăm sóc bà Ba",
		Managing: []string{"Organization/bv", "Organization/tyt"},
		Members: []careplan.Member{
			{Ref: "PractitionerRole/bs-noi", Role: careplan.RoleSpecialist, OnBehalfOf: "Organization/bv"},
			{Ref: "PractitionerRole/chw", Role: careplan.RoleCHW, OnBehalfOf: "Organization/tyt"},
			{Ref: "RelatedPerson/hoa", Role: careplan.RoleCaregiver, Display: "Trần Thị Hoa (con gái)"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	put := func(typ, id, body string) string {
		return fmt.Sprintf(`{"resource":%s,"request":{"method":"PUT","url":"%s/%s"}}`, body, typ, id)
	}
	entries := []string{
		put("Organization", "bv", `{"resourceType":"Organization","id":"bv","name":"Bệnh viện đa khoa tỉnh"}`),
		put("Organization", "tyt", `{"resourceType":"Organization","id":"tyt","name":"Trạm y tế xã An Bình"}`),
		put("PractitionerRole", "bs-noi", `{"resourceType":"PractitionerRole","id":"bs-noi","organization":{"reference":"Organization/bv"}}`),
		put("PractitionerRole", "chw", `{"resourceType":"PractitionerRole","id":"chw","organization":{"reference":"Organization/tyt"}}`),
		put("Patient", "ba", `{"resourceType":"Patient","id":"ba","gender":"female","birthDate":"1947-03-01","name":[{"text":"Nguyễn Thị Ba"}],
			"address":[{"use":"home","line":["Thôn Đông"],"city":"Xã An Bình"}],"generalPractitioner":[{"reference":"Organization/tyt"}]}`),
		put("RelatedPerson", "hoa", `{"resourceType":"RelatedPerson","id":"hoa","patient":{"reference":"Patient/ba"},"name":[{"text":"Trần Thị Hoa"}]}`),
		put("CareTeam", "ct-ba", string(team)),
		put("Encounter", "adm", `{"resourceType":"Encounter","id":"adm","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"IMP"},
			"subject":{"reference":"Patient/ba"},"serviceProvider":{"reference":"Organization/bv"},
			"period":{"start":"2025-06-22T09:00:00Z","end":"2025-06-29T10:00:00Z"}}`),
		put("Goal", "g-bp", `{"resourceType":"Goal","id":"g-bp","lifecycleStatus":"active","description":{"text":"Huyết áp < 140/90"},
			"subject":{"reference":"Patient/ba"},"target":[
			{"measure":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"detailQuantity":{"value":140,"comparator":"<","unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}},
			{"measure":{"coding":[{"system":"http://loinc.org","code":"8462-4"}]},"detailQuantity":{"value":90,"comparator":"<","unit":"mmHg","system":"http://unitsofmeasure.org","code":"mm[Hg]"}}]}`),
		put("CarePlan", "cp-ba", `{"resourceType":"CarePlan","id":"cp-ba","status":"active","intent":"plan","title":"Kế hoạch chăm sóc sau ra viện",
			"subject":{"reference":"Patient/ba"},"careTeam":[{"reference":"CareTeam/ct-ba"}],"goal":[{"reference":"Goal/g-bp"}],
			"activity":[{"detail":{"kind":"Appointment","status":"scheduled","description":"Thăm tại nhà trong 7 ngày"}},
			            {"detail":{"status":"in-progress","description":"Tập đi bộ 30 phút mỗi ngày"}}]}`),
	}
	for i, code := range []string{"I10", "E11.9", "F03"} {
		entries = append(entries, put("Condition", fmt.Sprintf("ba-c%d", i), fmt.Sprintf(`{"resourceType":"Condition","id":"ba-c%d",
			"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},
			"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":%q}]},"subject":{"reference":"Patient/ba"}}`, i, code)))
	}
	for i, id := range otherIDs {
		entries = append(entries, put("CareTeam", fmt.Sprintf("ct-o%d", i), fmt.Sprintf(`{"resourceType":"CareTeam","id":"ct-o%d","status":"active",
			"subject":{"reference":"Patient/%s"},"participant":[{"member":{"reference":"PractitionerRole/chw"}}]}`, i, id)))
	}
	c.must(200, "POST", "/fhir", `{"resourceType":"Bundle","type":"transaction","entry":[`+strings.Join(entries, ",")+`]}`)

	// 1. The hospital discharges her: the follow-up Task goes to the station.
	task := c.must(201, "POST", "/fhir/Encounter/adm/$discharge-follow-up", `{"resourceType":"Parameters","parameter":[
		{"name":"station","valueReference":{"reference":"Organization/tyt"}},{"name":"reason","valueString":"THA, ĐTĐ, sa sút trí tuệ sớm"}]}`)
	taskID := task["id"].(string)
	if task["status"] != "requested" || task["owner"].(map[string]any)["reference"] != "Organization/tyt" {
		t.Fatalf("follow-up Task = %v", task)
	}
	if due := task["restriction"].(map[string]any)["period"].(map[string]any)["end"]; due != "2025-07-06T10:00:00Z" {
		t.Errorf("due %v, want 7 days after discharge", due)
	}
	again := c.must(200, "POST", "/fhir/Encounter/adm/$discharge-follow-up?station=Organization/tyt", "")
	if again["id"] != taskID {
		t.Errorf("asking again made a second Task %v", again["id"])
	}
	if code, _ := c.do("POST", "/fhir/Encounter/adm/$discharge-follow-up?station=Organization/none", ""); code != 400 {
		t.Errorf("unknown station: status %d, want 400", code)
	}

	// 2. The station's worklist and the CHW's worklist show her first.
	for _, owner := range []string{"Organization/tyt", "PractitionerRole/chw"} {
		wl := c.must(200, "GET", "/fhir/"+owner+"/$home-visits", "")
		got := worklistPatients(wl)
		if len(got) == 0 || got[0] != "Patient/ba" {
			t.Errorf("%s worklist = %v, want Patient/ba first", owner, got)
		}
	}
	chwList := worklistPatients(c.must(200, "GET", "/fhir/PractitionerRole/chw/$home-visits?all=true", ""))
	if len(chwList) != 4 {
		t.Errorf("CHW worklist (all) = %v, want Bà Ba and the 3 synthetic patients", chwList)
	}

	// 3. The station cannot skip steps; it accepts and starts.
	taskAt := func(status, owner string, extra string) string {
		m := map[string]any{}
		cur := c.must(200, "GET", "/fhir/Task/"+taskID, "")
		for k, v := range cur {
			if k != "meta" {
				m[k] = v
			}
		}
		m["status"] = status
		m["owner"] = map[string]string{"reference": owner}
		b, _ := json.Marshal(m)
		s := string(b)
		if extra != "" {
			s = strings.TrimSuffix(s, "}") + "," + extra + "}"
		}
		return s
	}
	code, oo := c.do("PUT", "/fhir/Task/"+taskID, taskAt("completed", "PractitionerRole/chw", ""))
	if code != 422 || !strings.Contains(fmt.Sprint(oo), "requested → completed") {
		t.Fatalf("jump to completed: %d %v, want 422 naming requested → completed", code, oo)
	}
	c.must(200, "PUT", "/fhir/Task/"+taskID, taskAt("accepted", "PractitionerRole/chw", ""))
	c.must(200, "PUT", "/fhir/Task/"+taskID, taskAt("in-progress", "PractitionerRole/chw", ""))

	// 4. The CHW records the visit offline; the phone sends it twice.
	sys, dia := 146.0, 88.0
	visit := careplan.Visit{ID: "5b1d8a0e-7c2f-4f4e-9a51-0c6b2e8d1f30", Patient: "Patient/ba", Performer: "PractitionerRole/chw",
		Organization: "Organization/tyt", Request: task["focus"].(map[string]any)["reference"].(string),
		Start: now.Add(-time.Hour), Systolic: &sys, Diastolic: &dia, Note: "Con gái cho uống thuốc đủ"}
	bundle, err := visit.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	c.must(200, "POST", "/fhir", string(bundle))
	c.must(200, "POST", "/fhir", string(bundle))
	encs := c.must(200, "GET", "/fhir/Encounter?patient=Patient/ba&_summary=count", "")
	if encs["total"].(float64) != 2 { // the admission and one visit
		t.Errorf("Encounters after a replayed visit: %v, want 2", encs["total"])
	}

	// 5. The Task is completed with the visit as its output.
	done := c.must(200, "PUT", "/fhir/Task/"+taskID, taskAt("completed", "PractitionerRole/chw",
		`"output":[{"type":{"text":"visit"},"valueReference":{"reference":"Encounter/`+visit.ID+`"}}]`))
	if done["status"] != "completed" {
		t.Fatalf("completed Task = %v", done)
	}
	hist := c.must(200, "GET", "/fhir/Task/"+taskID+"/_history", "")
	if n := len(hist["entry"].([]any)); n != 4 {
		t.Errorf("Task history has %d versions, want 4 (requested, accepted, in-progress, completed)", n)
	}

	// 6. The plan's goal reads the visit's blood pressure.
	prog := c.must(200, "GET", "/fhir/CarePlan/cp-ba/$progress", "")
	b, _ := json.Marshal(prog)
	for _, want := range []string{`"valueCode":"not-achieved"`, `"value":146`, `"valueString":"\u003c 140 mm[Hg]"`, `"valueCode":"achieved"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("$progress lacks %s: %s", want, b)
		}
	}

	// 7. Visited since discharge and no open task: no longer the discharge emergency.
	wl := c.must(200, "GET", "/fhir/PractitionerRole/chw/$home-visits?all=true", "")
	wb, _ := json.Marshal(wl)
	if strings.Contains(string(wb), `"valueCode":"discharge"`) {
		t.Errorf("after the visit the worklist still gives the discharge reason: %s", wb)
	}
}
