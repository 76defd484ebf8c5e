package alert_test

// Missed-dose and side-effect alerts end to end over the REST handler and
// SQLite: raised once as a Flag and a Task with the evidence linked,
// deduplicated while the Task is open, closed when the care team closes
// the Task, raised again only for new reports; and in real time from a
// chat check-in.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/chat"
	"github.com/sen-emr/sen/internal/clinical/alert"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

const amloRequest = `{"resourceType":"MedicationRequest","id":"r1","status":"active","intent":"order","subject":{"reference":"Patient/p1"},
"medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C08CA01"}],"text":"Amlodipin 5 mg"},"authoredOn":"2025-06-01",
"dosageInstruction":[{"timing":{"repeat":{"boundsPeriod":{"start":"2025-06-01"},"frequency":1,"period":1,"periodUnit":"d","timeOfDay":["08:00:00"]}},
"doseAndRate":[{"doseQuantity":{"value":1,"unit":"viên"}}]}]}`

func administration(id, status string, day int) string {
	return fmt.Sprintf(`{"resourceType":"MedicationAdministration","id":%q,"status":%q,"subject":{"reference":"Patient/p1"},
"medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C08CA01"}]},"effectiveDateTime":"2025-06-%02dT08:05:00+07:00"}`, id, status, day)
}

func seedPatient(tb testing.TB, c alert.Client) {
	tb.Helper()
	put(tb, c, "Patient", "p1", `{"resourceType":"Patient","id":"p1","gender":"male","birthDate":"1955-04-01"}`)
	put(tb, c, "CareTeam", "ct1", `{"resourceType":"CareTeam","id":"ct1","status":"active","subject":{"reference":"Patient/p1"}}`)
	put(tb, c, "MedicationRequest", "r1", amloRequest)
}

// alertResources returns the Flags and Tasks of the alert package for
// Patient/p1, in creation order.
func alertResources(tb testing.TB, c alert.Client) (flags, tasks []map[string]any) {
	tb.Helper()
	for _, r := range resources(tb, c, "Flag") {
		if strings.Contains(fmt.Sprint(r["identifier"]), alert.SystemIdentifier) {
			flags = append(flags, r)
		}
	}
	err := c.Search(context.Background(), "Task", url.Values{"patient": {"Patient/p1"}, "identifier": {alert.SystemIdentifier + "|"}, "_sort": {"_lastUpdated"}}, func(b []byte) error {
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			return err
		}
		tasks = append(tasks, m)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return flags, tasks
}

func statuses(rs []map[string]any) string {
	var s []string
	for _, r := range rs {
		s = append(s, fmt.Sprint(r["status"]))
	}
	slices.Sort(s)
	return strings.Join(s, " ")
}

// closeTask moves a requested Task through the Task workflow to status
// (completed: accepted, in-progress, completed).
func closeTask(tb testing.TB, c alert.Client, task map[string]any, status string) {
	tb.Helper()
	steps := []string{status}
	if status == "completed" {
		steps = []string{"accepted", "in-progress", "completed"}
	}
	for _, st := range steps {
		task["status"] = st
		delete(task, "meta")
		b, _ := json.Marshal(task)
		if err := c.Update(context.Background(), "Task", task["id"].(string), b); err != nil {
			tb.Fatal(err)
		}
	}
}

func TestScanMissedDosesRaiseDeduplicateCloseRefire(t *testing.T) {
	ctx := context.Background()
	clk := &clock{time.Date(2025, 6, 12, 20, 0, 0, 0, ict)}
	c := newClient(t, clk.now)
	seedPatient(t, c)
	// Taken 1–9 June, then missed 10, 11, 12 June.
	for d := 1; d <= 9; d++ {
		put(t, c, "MedicationAdministration", fmt.Sprintf("t%d", d), administration(fmt.Sprintf("t%d", d), "completed", d))
	}
	for d := 10; d <= 11; d++ {
		put(t, c, "MedicationAdministration", fmt.Sprintf("m%d", d), administration(fmt.Sprintf("m%d", d), "not-done", d))
	}
	s := &alert.Scanner{Client: c, Now: clk.now, Loc: ict}

	// Two misses: below N = 3.
	if raised, _, err := s.Sync(ctx, "p1"); err != nil || len(raised) != 0 {
		t.Fatalf("two misses: raised %v, err %v", raised, err)
	}
	put(t, c, "MedicationAdministration", "m12", administration("m12", "not-done", 12))
	raised, _, err := s.Sync(ctx, "p1")
	if err != nil || fmt.Sprint(raised) != "[doses-missed]" {
		t.Fatalf("three misses: raised %v, err %v", raised, err)
	}
	flags, tasks := alertResources(t, c)
	if len(flags) != 1 || len(tasks) != 1 {
		t.Fatalf("%d flags, %d tasks, want 1 and 1", len(flags), len(tasks))
	}
	fb, _ := json.Marshal(flags[0])
	tb, _ := json.Marshal(tasks[0])
	for _, want := range []string{`"value":"p1/doses-missed/C08CA01"`, `"code":"clinical"`, `"code":"drug"`, `"code":"doses-missed"`,
		`Amlodipin 5 mg: người bệnh báo bỏ 3 liều liên tiếp`, `the patient reported 3 doses missed in a row`,
		`{"reference":"MedicationAdministration/m12"}`, `{"reference":"MedicationAdministration/m10"}`, `"period":{"start":"2025-06-12T20:00:00+07:00"}`} {
		if !strings.Contains(string(fb), want) {
			t.Errorf("flag lacks %s:\n%s", want, fb)
		}
	}
	for _, want := range []string{`"owner":{"reference":"CareTeam/ct1"}`, `"focus":{"reference":"Flag/` + flags[0]["id"].(string) + `"}`,
		`"reasonReference":{"reference":"MedicationAdministration/m12"}`, `"valueReference":{"reference":"MedicationAdministration/m11"}`,
		`"priority":"urgent"`, `"for":{"reference":"Patient/p1"}`, `tìm hiểu lý do bỏ liều`, `understand the missed doses`} {
		if !strings.Contains(string(tb), want) {
			t.Errorf("task lacks %s:\n%s", want, tb)
		}
	}

	// Rescans: nothing new.
	for range 2 {
		if st, err := s.Scan(ctx); err != nil || st != (alert.Stats{Patients: 1}) {
			t.Fatalf("rescan %+v %v, want nothing done", st, err)
		}
	}
	// The care team completes the Task: the Flag goes inactive, and the
	// same misses do not raise a new alert.
	closeTask(t, c, tasks[0], "completed")
	if st, err := s.Scan(ctx); err != nil || st != (alert.Stats{Patients: 1, Closed: 1}) {
		t.Fatalf("after completion %+v %v, want the flag closed and nothing raised", st, err)
	}
	if st, err := s.Scan(ctx); err != nil || st != (alert.Stats{Patients: 1}) {
		t.Fatalf("rescan after completion %+v %v, want nothing done", st, err)
	}
	flags, tasks = alertResources(t, c)
	if statuses(flags) != "inactive" || statuses(tasks) != "completed" {
		t.Fatalf("after completion: flags %s, tasks %s", statuses(flags), statuses(tasks))
	}
	// A new miss after completion: a new alert with all four misses.
	clk.t = clk.t.AddDate(0, 0, 1)
	put(t, c, "MedicationAdministration", "m13", administration("m13", "not-done", 13))
	if raised, _, err := s.Sync(ctx, "p1"); err != nil || fmt.Sprint(raised) != "[doses-missed]" {
		t.Fatalf("re-fire: raised %v, err %v", raised, err)
	}
	flags, tasks = alertResources(t, c)
	if statuses(flags) != "active inactive" || statuses(tasks) != "completed requested" {
		t.Fatalf("after re-fire: flags %s, tasks %s", statuses(flags), statuses(tasks))
	}
	if tb, _ := json.Marshal(tasks[1]); !strings.Contains(string(tb), "bỏ 4 liều liên tiếp") {
		t.Errorf("new task:\n%s", tb)
	}
	// Another miss while that Task is open: deduplicated.
	clk.t = clk.t.AddDate(0, 0, 1)
	put(t, c, "MedicationAdministration", "m14", administration("m14", "not-done", 14))
	if st, err := s.Scan(ctx); err != nil || st != (alert.Stats{Patients: 1}) {
		t.Fatalf("miss while open %+v %v, want nothing done", st, err)
	}
	// A dose taken again resolves the open alert.
	clk.t = clk.t.AddDate(0, 0, 1)
	put(t, c, "MedicationAdministration", "t15", administration("t15", "completed", 15))
	if _, resolved, err := s.Sync(ctx, "p1"); err != nil || fmt.Sprint(resolved) != "[doses-missed]" {
		t.Fatalf("taken again: resolved %v, err %v", resolved, err)
	}
	flags, tasks = alertResources(t, c)
	if statuses(flags) != "inactive inactive" || statuses(tasks) != "cancelled completed" {
		t.Fatalf("after a dose taken: flags %s, tasks %s", statuses(flags), statuses(tasks))
	}
	for _, task := range tasks {
		if task["status"] == "cancelled" && !strings.Contains(fmt.Sprint(task["statusReason"]), "taken a dose since") {
			t.Errorf("cancelled task reason %v", task["statusReason"])
		}
	}
}

func TestCheckInSideEffectInRealTime(t *testing.T) {
	ctx := context.Background()
	clk := &clock{time.Date(2025, 6, 12, 9, 0, 0, 0, ict)}
	c := newClient(t, clk.now)
	seedPatient(t, c)
	s := &alert.Scanner{Client: c, Now: clk.now, Loc: ict}
	meds := chat.Options{Medicines: []string{"Amlodipin 5 mg"}}
	checkIn := func(msg string) alert.CheckInResult {
		t.Helper()
		clk.t = clk.t.Add(time.Hour)
		r := chat.Parse(msg, meds)
		res, err := s.CheckIn(ctx, r, chat.Context{Patient: "Patient/p1", Received: clk.t, Loc: ict, MedicationATC: "C08CA01",
			MedicationText: "Amlodipin 5 mg", Request: "MedicationRequest/r1", Text: msg})
		if err != nil {
			t.Fatalf("check-in %q: %v", msg, err)
		}
		return res
	}

	res := checkIn("uống amlodipin xong bị ho khan quá")
	if len(res.Recorded) != 1 || !strings.HasPrefix(res.Recorded[0], "Communication/") || fmt.Sprint(res.Raised) != "[side-effect]" {
		t.Fatalf("first report: %+v", res)
	}
	flags, tasks := alertResources(t, c)
	if len(flags) != 1 || len(tasks) != 1 {
		t.Fatalf("%d flags, %d tasks", len(flags), len(tasks))
	}
	tb, _ := json.Marshal(tasks[0])
	for _, want := range []string{`"reasonReference":{"reference":"` + res.Recorded[0] + `"}`, `"owner":{"reference":"CareTeam/ct1"}`,
		`Ho khan`, `dry cough`, `"value":"p1/side-effect/C08CA01"`, `đánh giá triệu chứng`} {
		if !strings.Contains(string(tb), want) {
			t.Errorf("task lacks %s:\n%s", want, tb)
		}
	}
	// The report went to the care team found for the patient.
	var comm map[string]any
	for _, r := range resources(t, c, "Communication") {
		comm = r
	}
	if !strings.Contains(fmt.Sprint(comm["recipient"]), "CareTeam/ct1") {
		t.Errorf("communication recipient %v", comm["recipient"])
	}

	// A second report while the Task is open: recorded, not alerted again.
	if res := checkIn("vẫn còn ho khan"); len(res.Recorded) != 1 || len(res.Raised) != 0 {
		t.Fatalf("second report: %+v", res)
	}
	// A scan does not resolve a side effect on its own.
	if st, err := s.Scan(ctx); err != nil || st != (alert.Stats{Patients: 1}) {
		t.Fatalf("scan %+v %v", st, err)
	}
	// Once the care team cancels the Task, a new report raises a new alert.
	_, tasks = alertResources(t, c)
	closeTask(t, c, tasks[0], "cancelled")
	if res := checkIn("bị chóng mặt"); fmt.Sprint(res.Raised) != "[side-effect]" {
		t.Fatalf("report after the task was cancelled: %+v", res)
	}
	flags, tasks = alertResources(t, c)
	if statuses(flags) != "active inactive" || statuses(tasks) != "cancelled requested" {
		t.Errorf("flags %s, tasks %s", statuses(flags), statuses(tasks))
	}
	// The new alert links only the reports in the lookback, newest first.
	tb, _ = json.Marshal(tasks[len(tasks)-1])
	if !strings.Contains(string(tb), "Chóng mặt") {
		t.Errorf("new task lacks the new symptom:\n%s", tb)
	}

	// Messages that record nothing, or nothing alerting.
	if res := checkIn("hello"); len(res.Recorded) != 0 || len(res.Raised) != 0 {
		t.Errorf("unknown message: %+v", res)
	}
	if res := checkIn("hết thuốc rồi"); len(res.Recorded) != 2 || len(res.Raised) != 0 {
		t.Errorf("ran out: %+v, want a Task and a Communication in one transaction", res)
	}
	if _, err := s.CheckIn(ctx, chat.Parse("bị ho", meds), chat.Context{Patient: "p1", Received: clk.t}); err == nil {
		t.Error("a patient without Patient/: no error")
	}
}

func TestCheckInMissedDosesReachTheCareTeamOnTheThird(t *testing.T) {
	ctx := context.Background()
	clk := &clock{}
	c := newClient(t, clk.now)
	seedPatient(t, c)
	s := &alert.Scanner{Client: c, Now: clk.now, Loc: ict}
	var raised [][]alert.Kind
	for d := 10; d <= 12; d++ {
		clk.t = time.Date(2025, 6, d, 9, 0, 0, 0, ict)
		msg := "quên uống thuốc sáng nay"
		res, err := s.CheckIn(ctx, chat.Parse(msg, chat.Options{}), chat.Context{Patient: "Patient/p1", Received: clk.t, Loc: ict,
			MedicationATC: "C08CA01", MedicationText: "Amlodipin 5 mg", Request: "MedicationRequest/r1", Text: msg})
		if err != nil {
			t.Fatal(err)
		}
		raised = append(raised, res.Raised)
	}
	if fmt.Sprint(raised) != "[[] [] [doses-missed]]" {
		t.Errorf("raised per check-in %v, want the alert on the third miss", raised)
	}
}
