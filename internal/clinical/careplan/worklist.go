package careplan

import (
	"fmt"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/clinical/risk"
)

// Record is one patient's chart as raw FHIR R4 JSON, as much of it as a
// worklist reads. Slots may be empty; a resource of the wrong type in a
// slot is an error.
type Record struct {
	Patient    []byte
	Conditions [][]byte
	Encounters [][]byte
	Tasks      [][]byte
	Flags      [][]byte
	// MedicationRequests and MedicationDispenses feed the adherence risk
	// model; without requests the patient has no adherence risk score.
	MedicationRequests  [][]byte
	MedicationDispenses [][]byte
}

// WorklistOptions tune a home-visit worklist.
type WorklistOptions struct {
	Now time.Time
	Loc *time.Location // default Asia/Ho_Chi_Minh
	// VisitEvery is the routine home-visit interval (default 30 days).
	VisitEvery time.Duration
	// Risk scores adherence risk; nil leaves it out of the priority.
	Risk *risk.Model
	// All lists patients who are not due a visit as well.
	All bool
}

// Priority points: documented in docs/careplan.md §Worklist. They are
// additive so that a worklist can say why a patient is high.
const (
	ptsDischarge7     = 40 // discharged in the last 7 days, not yet visited
	ptsDischarge30    = 20 // discharged 8–30 days ago, not yet visited
	ptsTaskOverdue    = 15 // each open Task past its due date (at most two count)
	ptsTaskDueSoon    = 8  // each open Task due within DueSoonDays (at most two)
	ptsFailedTask     = 10 // each Task failed in the last 90 days (missed follow-up; at most two)
	ptsRiskHigh       = 25
	ptsRiskModerate   = 12
	ptsFrail          = 20
	ptsPreFrail       = 8
	ptsFlag           = 10 // each active Flag (e.g. missed doses; at most two)
	ptsNeverVisited   = 10
	ptsVisitOverdue   = 15 // at most, one point per two days beyond VisitEvery
	dischargeWindow   = 30
	failedTaskHorizon = 90
)

// Reason is one contribution to a patient's priority.
type Reason struct {
	Code   string // discharge, task-overdue, task-due, missed-follow-up, adherence-risk, frailty, flag, never-visited, visit-overdue
	Points int
	N      int    // days or count, as the code says
	Detail string // a level or a flag's text
}

// Text explains the reason in lang ("vi" or "en").
func (r Reason) Text(lang string) string {
	en := lang == "en"
	pick := func(vi, e string) string {
		if en {
			return e
		}
		return vi
	}
	switch r.Code {
	case "discharge":
		return fmt.Sprintf(pick("Ra viện %d ngày trước, chưa được thăm", "Discharged %d days ago, not yet visited"), r.N)
	case "task-overdue":
		return fmt.Sprintf(pick("%d việc theo dõi quá hạn", "%d follow-up task(s) overdue"), r.N)
	case "task-due":
		return fmt.Sprintf(pick("%d việc theo dõi sắp đến hạn", "%d follow-up task(s) due soon"), r.N)
	case "missed-follow-up":
		return fmt.Sprintf(pick("%d lần theo dõi bị bỏ lỡ (90 ngày)", "%d missed follow-up(s) in 90 days"), r.N)
	case "adherence-risk":
		return pick("Nguy cơ không tuân thủ thuốc: ", "Adherence risk: ") + levelName(r.Detail, lang)
	case "frailty":
		return pick("Suy yếu: ", "Frailty: ") + levelName(r.Detail, lang)
	case "flag":
		return pick("Cảnh báo: ", "Alert: ") + r.Detail
	case "never-visited":
		return pick("Chưa có lần thăm tại nhà nào", "Never visited at home")
	case "visit-overdue":
		return fmt.Sprintf(pick("Quá hạn thăm tại nhà %d ngày", "Home visit %d days overdue"), r.N)
	}
	return r.Code
}

var levelNames = map[string][2]string{
	"high": {"cao", "high"}, "moderate": {"trung bình", "moderate"}, "low": {"thấp", "low"},
	FrailtyFrail: {"suy yếu", "frail"}, FrailtyPreFrail: {"tiền suy yếu", "pre-frail"}, FrailtyRobust: {"khỏe", "robust"},
}

func levelName(level, lang string) string {
	n, ok := levelNames[level]
	if !ok {
		return level
	}
	if lang == "en" {
		return n[1]
	}
	return n[0]
}

// Entry is one patient on a worklist.
type Entry struct {
	PatientID   string
	Name        string
	Gender      string
	Age         int // -1 unknown
	Phone       string
	Village     string // Address.line[0] (thôn, xóm, tổ dân phố)
	Commune     string // commune or ward name
	CommuneCode string
	Address     string

	Score   int
	Reasons []Reason
	Due     bool

	LastVisit      time.Time // zero: never
	DischargedDays int       // -1: no discharge in the window
	Frailty        Frailty
	AdherenceRisk  string  // low, moderate, high, or "" when not scored
	AdherenceProb  float64 // model probability (0 when not scored)
	OpenTasks      []TaskView
}

// Group is a worklist's patients in one village of one commune.
type Group struct {
	Commune, CommuneCode, Village string
	Entries                       []Entry
	Top                           int // the highest score in the group
}

// Worklist is the ranked home-visit list and the same entries by village.
type Worklist struct {
	Entries []Entry
	Groups  []Group
}

// BuildWorklist scores each record and returns the patients due a visit
// (all of them with opt.All), highest priority first, and grouped by
// commune and village (groups ordered by their most urgent patient, so a
// health worker's first stop is where the first patient lives).
func BuildWorklist(recs []Record, opt WorklistOptions) (Worklist, error) {
	if opt.Loc == nil {
		opt.Loc = vnZone()
	}
	if opt.VisitEvery <= 0 {
		opt.VisitEvery = 30 * 24 * time.Hour
	}
	if opt.Now.IsZero() {
		return Worklist{}, fmt.Errorf("worklist: Now is required")
	}
	var wl Worklist
	for i, rec := range recs {
		e, err := scoreRecord(rec, opt)
		if err != nil {
			return Worklist{}, fmt.Errorf("worklist record %d: %w", i, err)
		}
		if e.Due || opt.All {
			wl.Entries = append(wl.Entries, e)
		}
	}
	sortStable(wl.Entries, func(a, b Entry) bool {
		if a.Score != b.Score {
			return a.Score > b.Score
		}
		return a.Name < b.Name
	})
	idx := map[string]int{}
	for _, e := range wl.Entries {
		key := e.CommuneCode + "\x00" + e.Commune + "\x00" + e.Village
		i, ok := idx[key]
		if !ok {
			i = len(wl.Groups)
			idx[key] = i
			wl.Groups = append(wl.Groups, Group{Commune: e.Commune, CommuneCode: e.CommuneCode, Village: e.Village, Top: e.Score})
		}
		wl.Groups[i].Entries = append(wl.Groups[i].Entries, e)
	}
	// Entries are already ranked, so groups were created in order of their
	// top entry; nothing more to sort.
	return wl, nil
}

type patientJSON struct {
	ID        string `json:"id"`
	Gender    string `json:"gender"`
	BirthDate string `json:"birthDate"`
	Name      []struct {
		Text   string   `json:"text"`
		Family string   `json:"family"`
		Given  []string `json:"given"`
	} `json:"name"`
	Telecom []struct {
		System string `json:"system"`
		Value  string `json:"value"`
	} `json:"telecom"`
	Address []struct {
		Use       string   `json:"use"`
		Text      string   `json:"text"`
		Line      []string `json:"line"`
		City      string   `json:"city"`
		District  string   `json:"district"`
		Extension []struct {
			URL         string  `json:"url"`
			ValueCoding *coding `json:"valueCoding"`
		} `json:"extension"`
	} `json:"address"`
}

// codeSystemCommune is vn.CodeSystemCommune; repeated so that careplan
// need not import vn for one string.
const codeSystemCommune = "https://sen-emr.github.io/fhir/CodeSystem/vn-commune"

func (p *patientJSON) name() string {
	if len(p.Name) == 0 {
		return ""
	}
	n := p.Name[0]
	if n.Text != "" {
		return n.Text
	}
	// Vietnamese order: family name first.
	return strings.TrimSpace(n.Family + " " + strings.Join(n.Given, " "))
}

type encounterJSON struct {
	Status string    `json:"status"`
	Class  coding    `json:"class"`
	Type   []concept `json:"type"`
	Period *period   `json:"period"`
}

func (e *encounterJSON) homeVisit() bool {
	if e.Class.Code == "HH" {
		return true
	}
	for i := range e.Type {
		if e.Type[i].has(CodeSystemWork, KindHomeVisit) {
			return true
		}
	}
	return false
}

func (e *encounterJSON) inpatient() bool {
	switch e.Class.Code {
	case "IMP", "ACUTE", "NONAC":
		return true
	}
	return false
}

type flagJSON struct {
	Status string  `json:"status"`
	Code   concept `json:"code"`
	Period *period `json:"period"`
}

func scoreRecord(rec Record, opt WorklistOptions) (Entry, error) {
	loc, now := opt.Loc, opt.Now
	var p patientJSON
	if err := decodeType(rec.Patient, "Patient", &p); err != nil {
		return Entry{}, err
	}
	e := Entry{PatientID: p.ID, Name: p.name(), Gender: p.Gender, Age: ageOn(p.BirthDate, now, loc), DischargedDays: -1}
	for _, t := range p.Telecom {
		if t.System == "phone" && e.Phone == "" {
			e.Phone = t.Value
		}
	}
	for _, a := range p.Address {
		if a.Use != "" && a.Use != "home" && a.Use != "temp" {
			continue
		}
		if len(a.Line) > 0 {
			e.Village = a.Line[0]
		}
		e.Commune, e.Address = a.City, a.Text
		for _, x := range a.Extension {
			if x.ValueCoding != nil && x.ValueCoding.System == codeSystemCommune {
				e.CommuneCode = x.ValueCoding.Code
				if e.Commune == "" {
					e.Commune = x.ValueCoding.Display
				}
			}
		}
		break
	}
	today := civilDay(now, loc)
	daysSince := func(t time.Time) int { return int(today.Sub(civilDay(t, loc)).Hours() / 24) }
	add := func(r Reason) {
		e.Score += r.Points
		e.Reasons = append(e.Reasons, r)
	}

	// Visits and discharges.
	var lastDischarge time.Time
	for _, b := range rec.Encounters {
		var enc encounterJSON
		if err := decodeType(b, "Encounter", &enc); err != nil {
			return Entry{}, err
		}
		if enc.Status == "entered-in-error" || enc.Status == "cancelled" || enc.Period == nil {
			continue
		}
		switch {
		case enc.homeVisit():
			if t, ok := parseTime(enc.Period.Start, loc); ok && !t.After(now) && t.After(e.LastVisit) {
				e.LastVisit = t
			}
		case enc.inpatient() && enc.Status == "finished":
			if t, ok := parseTime(enc.Period.End, loc); ok && !t.After(now) && t.After(lastDischarge) {
				lastDischarge = t
			}
		}
	}
	if !lastDischarge.IsZero() && daysSince(lastDischarge) <= dischargeWindow {
		e.DischargedDays = daysSince(lastDischarge)
		if e.LastVisit.Before(lastDischarge) {
			pts := ptsDischarge30
			if e.DischargedDays <= FollowUpDays {
				pts = ptsDischarge7
			}
			add(Reason{Code: "discharge", Points: pts, N: e.DischargedDays})
			e.Due = true
		}
	}

	// Tasks: open follow-ups and missed ones.
	overdue, dueSoon, failed := 0, 0, 0
	for _, b := range rec.Tasks {
		tv, err := ReadTask(b, loc)
		if err != nil {
			return Entry{}, err
		}
		if Open(tv.Status) {
			e.OpenTasks = append(e.OpenTasks, tv)
			if !tv.Due.IsZero() {
				switch d := daysSince(tv.Due); {
				case d > 0:
					overdue++
				case d >= -DueSoonDays:
					dueSoon++
				}
			}
		}
		if tv.Status == TaskFailed && !tv.Authored.IsZero() && daysSince(tv.Authored) <= failedTaskHorizon {
			failed++
		}
	}
	if overdue > 0 {
		add(Reason{Code: "task-overdue", Points: ptsTaskOverdue * min(overdue, 2), N: overdue})
		e.Due = true
	}
	if dueSoon > 0 {
		add(Reason{Code: "task-due", Points: ptsTaskDueSoon * min(dueSoon, 2), N: dueSoon})
		e.Due = true
	}
	if failed > 0 {
		add(Reason{Code: "missed-follow-up", Points: ptsFailedTask * min(failed, 2), N: failed})
	}

	// Adherence risk.
	if opt.Risk != nil && len(rec.MedicationRequests) > 0 {
		x, err := risk.Extract(risk.Record{Patient: rec.Patient, Conditions: rec.Conditions, Encounters: rec.Encounters,
			Requests: rec.MedicationRequests, Dispenses: rec.MedicationDispenses}, now, loc)
		if err != nil {
			return Entry{}, fmt.Errorf("adherence risk of Patient/%s: %w", p.ID, err)
		}
		a := opt.Risk.Score(x)
		e.AdherenceRisk, e.AdherenceProb = a.Level, a.Probability
		switch a.Level {
		case "high":
			add(Reason{Code: "adherence-risk", Points: ptsRiskHigh, Detail: a.Level})
		case "moderate":
			add(Reason{Code: "adherence-risk", Points: ptsRiskModerate, Detail: a.Level})
		}
	}

	// Frailty.
	conds := make([]conditionJSON, 0, len(rec.Conditions))
	for _, b := range rec.Conditions {
		var c conditionJSON
		if err := decodeType(b, "Condition", &c); err != nil {
			return Entry{}, err
		}
		conds = append(conds, c)
	}
	e.Frailty = assessFrailty(e.Age, conds)
	switch e.Frailty.Level {
	case FrailtyFrail:
		add(Reason{Code: "frailty", Points: ptsFrail, Detail: FrailtyFrail})
	case FrailtyPreFrail:
		add(Reason{Code: "frailty", Points: ptsPreFrail, Detail: FrailtyPreFrail})
	}

	// Active alerts (a missed-dose escalation, a safeguarding concern …).
	flags := 0
	for _, b := range rec.Flags {
		var f flagJSON
		if err := decodeType(b, "Flag", &f); err != nil {
			return Entry{}, err
		}
		if f.Status != "active" {
			continue
		}
		if f.Period != nil {
			if end, ok := parseTime(f.Period.End, loc); ok && end.Before(now) {
				continue
			}
		}
		if flags < 2 {
			add(Reason{Code: "flag", Points: ptsFlag, Detail: f.Code.label()})
		}
		flags++
		e.Due = true
	}

	// Routine visit interval.
	every := int(opt.VisitEvery.Hours() / 24)
	switch {
	case e.LastVisit.IsZero():
		add(Reason{Code: "never-visited", Points: ptsNeverVisited})
		e.Due = true
	case daysSince(e.LastVisit) > every:
		late := daysSince(e.LastVisit) - every
		add(Reason{Code: "visit-overdue", Points: min(ptsVisitOverdue, (late+1)/2), N: late})
		e.Due = true
	}
	return e, nil
}
