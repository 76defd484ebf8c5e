package careplan

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
)

// Kinds of work passed between organisations.
const (
	KindDischargeFollowUp = "discharge-follow-up" // hospital → commune station, within FollowUpDays
	KindReferral          = "referral"            // commune station → hospital
	KindHomeVisit         = "home-visit"          // a planned visit by the station or a CHW
)

// CodeSystemWork is Sen's code system for the kinds of work above.
const CodeSystemWork = "https://sen-emr.github.io/fhir/CodeSystem/care-work"

// FollowUpDays is how soon after discharge the commune station must see
// the patient (Vietnam's chronic-disease follow-up practice: within a week).
const FollowUpDays = 7

var workNames = map[string][2]string{
	KindDischargeFollowUp: {"Theo dõi sau ra viện", "Post-discharge follow-up"},
	KindReferral:          {"Chuyển tuyến", "Referral"},
	KindHomeVisit:         {"Thăm khám tại nhà", "Home visit"},
}

// WorkName returns the display of a work kind in lang.
func WorkName(kind, lang string) string {
	n, ok := workNames[kind]
	if !ok {
		return kind
	}
	if lang == "en" {
		return n[1]
	}
	return n[0]
}

// Work is one request from one organisation to another, written as a
// ServiceRequest (what is asked, on whose authority) and a Task (who must
// do it, by when, and how far it got).
type Work struct {
	Kind      string    // KindDischargeFollowUp, KindReferral or KindHomeVisit
	RequestID string    // id of the ServiceRequest
	TaskID    string    // id of the Task
	Patient   string    // Patient/…
	Encounter string    // the encounter it arises from (the discharge), optional
	Requester string    // Organization/… or PractitionerRole/… asking
	Performer string    // Organization/… asked (the commune station, the hospital)
	Reason    string    // free text, shown to the performer
	Authored  time.Time // when it was asked
	Due       time.Time // when it must be done by (zero: Authored + FollowUpDays for a discharge)
	Priority  string    // routine, urgent, asap, stat ("" routine)
}

// Resources returns the ServiceRequest and the Task (status requested,
// owner and recipient the performer, due date in restriction.period.end)
// as R4 JSON.
func (w Work) Resources() (serviceRequest, task []byte, err error) {
	names, ok := workNames[w.Kind]
	if !ok {
		return nil, nil, fmt.Errorf("work kind %q: want %s, %s or %s", w.Kind, KindDischargeFollowUp, KindReferral, KindHomeVisit)
	}
	switch {
	case !strings.HasPrefix(w.Patient, "Patient/"):
		return nil, nil, fmt.Errorf("%s: patient %q is not a Patient reference", w.Kind, w.Patient)
	case w.Requester == "" || w.Performer == "":
		return nil, nil, fmt.Errorf("%s for %s: requester and performer are required", w.Kind, w.Patient)
	case !fhir.ValidID(w.RequestID) || !fhir.ValidID(w.TaskID):
		return nil, nil, fmt.Errorf("%s for %s: ids %q, %q are not valid FHIR ids", w.Kind, w.Patient, w.RequestID, w.TaskID)
	case w.Authored.IsZero():
		return nil, nil, fmt.Errorf("%s for %s: the authored time is required", w.Kind, w.Patient)
	}
	prio := w.Priority
	if prio == "" {
		prio = "routine"
	}
	due := w.Due
	if due.IsZero() && w.Kind == KindDischargeFollowUp {
		due = w.Authored.AddDate(0, 0, FollowUpDays)
	}
	code := concept{Coding: []coding{{System: CodeSystemWork, Code: w.Kind, Display: names[0]}}, Text: names[0]}
	if w.Kind == KindReferral {
		code.Coding = append(code.Coding, coding{System: "http://snomed.info/sct", Code: "3457005", Display: "Patient referral"})
	}
	var enc *reference
	if w.Encounter != "" {
		enc = &reference{Reference: w.Encounter}
	}
	authored := w.Authored.Format(time.RFC3339)
	sr := map[string]any{
		"resourceType": "ServiceRequest", "id": w.RequestID, "status": "active", "intent": "order", "priority": prio,
		"code": code, "subject": reference{Reference: w.Patient}, "authoredOn": authored,
		"requester": reference{Reference: w.Requester}, "performer": []reference{{Reference: w.Performer}},
	}
	if enc != nil {
		sr["encounter"] = enc
	}
	if w.Reason != "" {
		sr["reasonCode"] = []concept{{Text: w.Reason}}
	}
	if !due.IsZero() {
		sr["occurrencePeriod"] = period{Start: authored, End: due.Format(time.RFC3339)}
	}
	tk := map[string]any{
		"resourceType": "Task", "id": w.TaskID, "status": TaskRequested, "intent": "order", "priority": prio,
		"code":        concept{Coding: []coding{{System: "http://hl7.org/fhir/CodeSystem/task-code", Code: "fulfill", Display: "Fulfill the focal request"}}},
		"description": names[0] + " / " + names[1],
		"basedOn":     []reference{{Reference: "ServiceRequest/" + w.RequestID}},
		"focus":       reference{Reference: "ServiceRequest/" + w.RequestID},
		"for":         reference{Reference: w.Patient}, "authoredOn": authored, "lastModified": authored,
		"requester": reference{Reference: w.Requester}, "owner": reference{Reference: w.Performer},
	}
	if enc != nil {
		tk["encounter"] = enc
	}
	restriction := map[string]any{"recipient": []reference{{Reference: w.Performer}}}
	if !due.IsZero() {
		restriction["period"] = period{Start: authored, End: due.Format(time.RFC3339)}
	}
	tk["restriction"] = restriction
	if w.Reason != "" {
		tk["note"] = []map[string]string{{"text": w.Reason}}
	}
	if serviceRequest, err = json.Marshal(sr); err != nil {
		return nil, nil, fmt.Errorf("%s ServiceRequest: %w", w.Kind, err)
	}
	if task, err = json.Marshal(tk); err != nil {
		return nil, nil, fmt.Errorf("%s Task: %w", w.Kind, err)
	}
	return serviceRequest, task, nil
}

// TaskView is the part of a Task that worklists and reminders show.
type TaskView struct {
	ID          string
	Status      string
	Kind        string // a Work kind when the Task is Sen's ("" otherwise)
	Description string
	Patient     string // id
	Owner       string // reference
	Requester   string
	Focus       string
	Priority    string
	Authored    time.Time
	Due         time.Time // zero: no due date
}

type taskJSON struct {
	ID          string     `json:"id"`
	Status      string     `json:"status"`
	Priority    string     `json:"priority"`
	Description string     `json:"description"`
	Code        *concept   `json:"code"`
	For         *reference `json:"for"`
	Owner       *reference `json:"owner"`
	Requester   *reference `json:"requester"`
	Focus       *reference `json:"focus"`
	AuthoredOn  string     `json:"authoredOn"`
	BasedOn     []reference
	Restriction *struct {
		Period    *period     `json:"period"`
		Recipient []reference `json:"recipient"`
	} `json:"restriction"`
	Input []struct {
		Type        concept `json:"type"`
		ValueString string  `json:"valueString"`
	} `json:"input"`
}

// ReadTask reads the workflow view of a Task. The kind comes from the
// ServiceRequest code when requests is given (id → body) or from the
// Task's own description otherwise.
func ReadTask(task []byte, loc *time.Location) (TaskView, error) {
	if loc == nil {
		loc = vnZone()
	}
	var t taskJSON
	if err := decodeType(task, "Task", &t); err != nil {
		return TaskView{}, err
	}
	v := TaskView{ID: t.ID, Status: t.Status, Description: t.Description, Priority: t.Priority,
		Patient: t.For.id("Patient")}
	if t.Owner != nil {
		v.Owner = t.Owner.Reference
	}
	if t.Requester != nil {
		v.Requester = t.Requester.Reference
	}
	if t.Focus != nil {
		v.Focus = t.Focus.Reference
	}
	v.Authored, _ = parseTime(t.AuthoredOn, loc)
	if t.Restriction != nil && t.Restriction.Period != nil {
		v.Due, _ = parseTime(t.Restriction.Period.End, loc)
	}
	for k, n := range workNames {
		if strings.HasPrefix(t.Description, n[0]) {
			v.Kind = k
		}
	}
	if v.Description == "" && t.Code != nil {
		v.Description = t.Code.label()
	}
	return v, nil
}

// Reminder levels.
const (
	ReminderDueSoon = "due-soon" // within DueSoonDays
	ReminderDue     = "due"      // due today
	ReminderOverdue = "overdue"
)

// DueSoonDays is how far ahead a due Task starts to be reminded.
const DueSoonDays = 2

// Reminder is a nudge about an open Task.
type Reminder struct {
	Task  TaskView
	Level string
	Days  int // days overdue (positive) or until due (negative or 0)
}

// Reminders lists the open Tasks (not draft, not finished) that are due
// within DueSoonDays, due today or overdue on now's civil day in loc,
// most overdue first. Tasks without a due date never remind.
func Reminders(tasks []TaskView, now time.Time, loc *time.Location) []Reminder {
	if loc == nil {
		loc = vnZone()
	}
	today := civilDay(now, loc)
	var out []Reminder
	for _, t := range tasks {
		if !Open(t.Status) || t.Due.IsZero() {
			continue
		}
		days := int(today.Sub(civilDay(t.Due, loc)).Hours() / 24)
		r := Reminder{Task: t, Days: days}
		switch {
		case days > 0:
			r.Level = ReminderOverdue
		case days == 0:
			r.Level = ReminderDue
		case days >= -DueSoonDays:
			r.Level = ReminderDueSoon
		default:
			continue
		}
		out = append(out, r)
	}
	sortStable(out, func(a, b Reminder) bool {
		if a.Days != b.Days {
			return a.Days > b.Days
		}
		return a.Task.ID < b.Task.ID
	})
	return out
}

func civilDay(t time.Time, loc *time.Location) time.Time {
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// CompletionSteps returns the successive Task bodies that take an open
// Task to completed along the state machine (requested → accepted →
// in-progress → completed; ready → in-progress → completed; …), the last
// one with output pointing at what was done (the visit Encounter) and
// executionPeriod.end. owner becomes the Task owner when the Task has none
// or is being accepted. Each step is a separate version, so the history
// shows who accepted, started and finished the work. A Task that cannot
// reach completed (draft, finished, on-hold) is a KindUnprocessable error,
// except a Task already completed with this output: that is a replay and
// yields no steps.
func CompletionSteps(task []byte, owner, output string, now time.Time) ([][]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(task, &m); err != nil {
		return nil, fhir.Errorf(fhir.KindInvalid, "Task: %v", err)
	}
	status, _ := m["status"].(string)
	if status == TaskCompleted && output != "" && hasOutput(m, output) {
		return nil, nil // already completed by this outcome: a replay
	}
	var path []string
	switch status {
	case TaskRequested, TaskReceived:
		path = []string{TaskAccepted, TaskInProgress, TaskCompleted}
	case TaskAccepted, TaskReady:
		path = []string{TaskInProgress, TaskCompleted}
	case TaskInProgress:
		path = []string{TaskCompleted}
	default:
		return nil, fhir.Errorf(fhir.KindUnprocessable,
			"không thể hoàn thành Task ở trạng thái %s / a Task that is %s cannot be completed", status, status).At("Task.status")
	}
	stamp := now.Format(time.RFC3339)
	var out [][]byte
	for _, st := range path {
		m["status"] = st
		m["lastModified"] = stamp
		if owner != "" && (st == TaskAccepted || m["owner"] == nil) {
			m["owner"] = reference{Reference: owner}
		}
		switch st {
		case TaskInProgress:
			m["executionPeriod"] = period{Start: stamp}
		case TaskCompleted:
			m["executionPeriod"] = period{Start: startOf(m["executionPeriod"], stamp), End: stamp}
			if output != "" {
				m["output"] = []map[string]any{{
					"type":           concept{Text: "Kết quả / outcome"},
					"valueReference": reference{Reference: output},
				}}
			}
		}
		b, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("Task step %s: %w", st, err)
		}
		out = append(out, b)
	}
	return out, nil
}

// startOf returns the start of an executionPeriod held in a decoded Task
// (a period this function set, or JSON), or def.
func startOf(v any, def string) string {
	switch p := v.(type) {
	case period:
		if p.Start != "" {
			return p.Start
		}
	case map[string]any:
		if s, ok := p["start"].(string); ok && s != "" {
			return s
		}
	}
	return def
}

// hasOutput reports whether a decoded Task has an output referencing ref.
func hasOutput(m map[string]any, ref string) bool {
	outs, _ := m["output"].([]any)
	for _, o := range outs {
		om, _ := o.(map[string]any)
		vr, _ := om["valueReference"].(map[string]any)
		if r, _ := vr["reference"].(string); r == ref {
			return true
		}
	}
	return false
}
