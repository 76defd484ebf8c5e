package alert_test

// End to end over Sen's REST handler and a real SQLite store: alerts are
// raised once, deduplicated on rescans and resolved on recovery. It lives
// in the external test package so that package alert never imports a
// backend.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/clinical/alert"
	"github.com/sen-emr/sen/internal/clinical/risk"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store/sqlite"
	"github.com/sen-emr/sen/internal/validate"
)

var ict = time.FixedZone("ICT", 7*3600)

func newClient(tb testing.TB, now func() time.Time) alert.Client {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "sen.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	model := r4.Load()
	ix, err := search.NewIndexer(model)
	if err != nil {
		tb.Fatal(err)
	}
	h := rest.New(rest.Config{Store: db, Indexer: ix, Model: model, Validator: validate.New(model), Now: now,
		Parser: rest.QueryParserFunc(func(typ string, p url.Values, strict bool) (*search.Query, error) {
			return search.ParseQuery(model, typ, p, strict)
		})})
	return alert.Client{Handler: h, PageSize: 7} // small pages exercise paging
}

func put(tb testing.TB, c alert.Client, typ, id, body string) {
	tb.Helper()
	if err := c.Update(context.Background(), typ, id, []byte(body)); err != nil {
		tb.Fatal(err)
	}
}

func dispense(id, day string) string {
	return fmt.Sprintf(`{"resourceType":"MedicationDispense","id":%q,"status":"completed","subject":{"reference":"Patient/p1"},
"medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C08CA01","display":"Amlodipin 5 mg"}]},
"whenHandedOver":%q,"daysSupply":{"value":30,"unit":"d","system":"http://unitsofmeasure.org","code":"d"}}`, id, day)
}

// resources returns the resources of typ about Patient/p1.
func resources(tb testing.TB, c alert.Client, typ string) []map[string]any {
	tb.Helper()
	var out []map[string]any
	err := c.Search(context.Background(), typ, url.Values{"subject": {"Patient/p1"}}, func(b []byte) error {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		out = append(out, m)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func TestScanRaisesDeduplicatesAndResolves(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 6, 30, 9, 0, 0, 0, ict)
	clock := func() time.Time { return now }
	c := newClient(t, clock)
	put(t, c, "Patient", "p1", `{"resourceType":"Patient","id":"p1","gender":"male","birthDate":"1955-04-01",
		"generalPractitioner":[{"reference":"Organization/tram-y-te"}]}`)
	put(t, c, "Patient", "p2", `{"resourceType":"Patient","id":"p2","gender":"female","birthDate":"1960-01-01"}`)
	put(t, c, "CareTeam", "ct1", `{"resourceType":"CareTeam","id":"ct1","status":"active","subject":{"reference":"Patient/p1"}}`)
	// Fills every 45 days over the year: 67 % of days covered.
	start := now.AddDate(-1, 0, 1)
	for i := range 9 {
		put(t, c, "MedicationDispense", fmt.Sprintf("d%d", i), dispense(fmt.Sprintf("d%d", i), start.AddDate(0, 0, 45*i).Format(time.DateOnly)))
	}
	s := &alert.Scanner{Client: c, Now: clock, Loc: ict}

	st, err := s.Scan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st != (alert.Stats{Patients: 2, Raised: 1}) {
		t.Errorf("first scan %+v, want 2 patients, 1 raised", st)
	}
	flags, tasks := resources(t, c, "Flag"), resources(t, c, "Task")
	if len(flags) != 1 || len(tasks) != 1 {
		t.Fatalf("%d flags, %d tasks, want 1 and 1", len(flags), len(tasks))
	}
	f, task := flags[0], tasks[0]
	fb, _ := json.Marshal(f)
	tb, _ := json.Marshal(task)
	for _, want := range []string{`"status":"active"`, `"code":"pdc-low"`, `có thuốc 67% số ngày`, `medicine on hand 67% of days`,
		`"valueReference":{"reference":"MedicationDispense/d8"}`, `"value":"p1/pdc-low"`} {
		if !strings.Contains(string(fb), want) {
			t.Errorf("flag lacks %s:\n%s", want, fb)
		}
	}
	for _, want := range []string{`"status":"requested"`, `"owner":{"reference":"CareTeam/ct1"}`, `"focus":{"reference":"Flag/` + f["id"].(string) + `"}`,
		`Contact the patient`, `Liên hệ người bệnh`} {
		if !strings.Contains(string(tb), want) {
			t.Errorf("task lacks %s:\n%s", want, tb)
		}
	}

	// Rescans while the patient is still under-covered: nothing new.
	for range 2 {
		if st, err := s.Scan(ctx); err != nil || st.Raised != 0 || st.Resolved != 0 {
			t.Fatalf("rescan %+v %v, want nothing raised or resolved", st, err)
		}
	}
	if n, m := len(resources(t, c, "Flag")), len(resources(t, c, "Task")); n != 1 || m != 1 {
		t.Fatalf("after rescans %d flags, %d tasks: duplicated", n, m)
	}

	// The patient catches up: fills in between bring cover above 80 %.
	for i := range 8 {
		put(t, c, "MedicationDispense", fmt.Sprintf("e%d", i), dispense(fmt.Sprintf("e%d", i), start.AddDate(0, 0, 45*i+30).Format(time.DateOnly)))
	}
	raised, resolved, err := s.Sync(ctx, "p1")
	if err != nil || len(raised) != 0 || fmt.Sprint(resolved) != "[pdc-low]" {
		t.Fatalf("sync after recovery: raised %v resolved %v err %v", raised, resolved, err)
	}
	f, task = resources(t, c, "Flag")[0], resources(t, c, "Task")[0]
	if f["status"] != "inactive" || f["period"].(map[string]any)["end"] == nil {
		t.Errorf("flag after recovery: %v", f)
	}
	if task["status"] != "cancelled" || !strings.Contains(fmt.Sprint(task["statusReason"]), "recovered") {
		t.Errorf("task after recovery: %v", task)
	}
	if st, err := s.Scan(ctx); err != nil || st.Raised != 0 || st.Resolved != 0 {
		t.Errorf("scan after recovery %+v %v, want nothing to do", st, err)
	}
}

func TestScanHighRiskWithRiskAssessment(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2025, 6, 30, 9, 0, 0, 0, ict)
	c := newClient(t, func() time.Time { return now })
	put(t, c, "Patient", "p1", `{"resourceType":"Patient","id":"p1","gender":"female","birthDate":"1948-02-01"}`)
	put(t, c, "MedicationDispense", "d1", dispense("d1", "2025-06-20"))
	high, err := risk.ParseModel([]byte(`{"version":"test-high","features":["cover180"],"mean":[0],"scale":[1],"coef":[0],"intercept":4,"moderate":0.3,"high":0.6}`))
	if err != nil {
		t.Fatal(err)
	}
	s := &alert.Scanner{Client: c, Now: func() time.Time { return now }, Loc: ict, Model: high}
	raised, _, err := s.Sync(ctx, "p1")
	if err != nil || fmt.Sprint(raised) != "[risk-high]" {
		t.Fatalf("raised %v, err %v", raised, err)
	}
	ras := resources(t, c, "RiskAssessment")
	tasks := resources(t, c, "Task")
	if len(ras) != 1 || len(tasks) != 1 {
		t.Fatalf("%d risk assessments, %d tasks", len(ras), len(tasks))
	}
	if got, want := fmt.Sprint(tasks[0]["reasonReference"]), "RiskAssessment/"+ras[0]["id"].(string); !strings.Contains(got, want) {
		t.Errorf("task reasonReference %s, want %s", got, want)
	}
	if tasks[0]["priority"] != "urgent" || tasks[0]["owner"] != nil {
		t.Errorf("task priority %v owner %v: want urgent, no owner (no care team or GP)", tasks[0]["priority"], tasks[0]["owner"])
	}
	if _, _, err := s.Sync(ctx, "p1"); err != nil || len(resources(t, c, "RiskAssessment")) != 1 {
		t.Errorf("rescan wrote another RiskAssessment (%v)", err)
	}
	// A model that now scores the patient low resolves the alert.
	s.Model, _ = risk.ParseModel([]byte(`{"version":"test-low","features":["cover180"],"mean":[0],"scale":[1],"coef":[0],"intercept":-4,"moderate":0.3,"high":0.6}`))
	if _, resolved, err := s.Sync(ctx, "p1"); err != nil || fmt.Sprint(resolved) != "[risk-high]" {
		t.Errorf("resolved %v, err %v", resolved, err)
	}
}

func TestSyncUnknownPatient(t *testing.T) {
	c := newClient(t, time.Now)
	s := &alert.Scanner{Client: c}
	if _, _, err := s.Sync(context.Background(), "nobody"); err == nil || !strings.Contains(err.Error(), "404") {
		t.Errorf("err = %v, want a 404 naming the patient", err)
	}
}
