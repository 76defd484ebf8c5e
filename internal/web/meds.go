package web

import (
	"context"
	"net/url"
	"sort"
	"strconv"
	"time"

	"github.com/sen-emr/sen/internal/clinical/medication"
	"github.com/sen-emr/sen/internal/fhir"
)

// Adherence parameters of the screens. PDC looks back half a year (PQA
// measures a calendar year; a clinician at the desk wants the recent
// picture), the strip two weeks; a dose counts as the one scheduled when
// taken within matchWindow of it.
const (
	pdcDays     = 180
	stripDays   = 14
	matchWindow = 6 * time.Hour
	pdcLow      = 0.8 // below this the medicine is flagged (PQA threshold)
)

// medKey identifies a medicine the way clinical/medication does: the ATC
// code, else the text or first display or code.
func medKey(c concept) string {
	if k := c.code(medication.ATCSystem); k != "" {
		return k
	}
	return c.label()
}

// medLine is one medicine of a patient with its adherence.
type medLine struct {
	Key        string
	Name       string
	RequestID  string // latest request
	Active     bool
	TextVI     string // DescribeVI of the latest dosage
	TextEN     string
	Authored   time.Time
	Prescriber string
	// PDC over the last pdcDays; HasPDC is false without dispensing records.
	HasPDC bool
	PDC    float64
	Low    bool
	// Strip is the last stripDays days of dose confirmations; HasStrip is
	// false when the patient records no doses (not using the app).
	HasStrip  bool
	Strip     []medication.Day
	RefillDue time.Time
}

// medState is everything the apps derive from a patient's medication
// records.
type medState struct {
	Lines    []medLine
	Requests map[string]medication.Request // by request id
	Planned  []medication.Planned          // scheduled doses from stripDays ago to tomorrow
	Intakes  []medication.Intake
	Confs    []medication.Confirmation
	HasAdmin bool
	// Confirmed holds the doses the patient confirmed in the app, keyed by
	// doseKey(request id, scheduled time), with the time of intake: a late
	// tap still confirms the dose it was made for.
	Confirmed map[string]time.Time
	// Unnamed are the intakes that do not name their dose (recorded by
	// other systems); they are paired with doses by time.
	Unnamed []medication.Intake
}

// extScheduled is the MedicationAdministration extension in which the
// patient app records which scheduled dose a confirmation is for.
const extScheduled = "https://sen-emr.github.io/fhir/StructureDefinition/scheduled-dose-time"

func doseKey(rx string, at time.Time) string { return rx + "@" + strconv.FormatInt(at.Unix(), 10) }

// loadMeds reads a patient's requests, dispenses and administrations and
// computes per-medicine adherence.
func (h *Handler) loadMeds(ctx context.Context, patientID string) (*medState, error) {
	subj := url.Values{"subject": {"Patient/" + patientID}, "_count": {"500"}}
	reqs, err := h.search(ctx, "MedicationRequest", subj)
	if err != nil {
		return nil, err
	}
	disp, err := h.search(ctx, "MedicationDispense", subj)
	if err != nil {
		return nil, err
	}
	// Dose confirmations matter for the strip and today's list only: the
	// last stripDays days (plus a day for time zones).
	since := midnight(h.now()).AddDate(0, 0, -stripDays).Format("2006-01-02")
	adm, err := h.search(ctx, "MedicationAdministration", url.Values{"subject": {"Patient/" + patientID},
		"effective-time": {"ge" + since}, "_count": {"1000"}})
	if err != nil {
		return nil, err
	}
	return h.medStateOf(reqs, disp, adm), nil
}

func (h *Handler) medStateOf(reqs, disp, adm []*fhir.Resource) *medState {
	now, loc := h.now(), h.cfg.Location
	today := midnight(now)
	st := &medState{Requests: map[string]medication.Request{}, Confirmed: map[string]time.Time{}}
	lines := map[string]*medLine{}
	from, to := today.AddDate(0, 0, -stripDays+1), today.AddDate(0, 0, 1)
	for _, res := range reqs {
		r, err := medication.ParseRequest(res.JSON)
		if err != nil {
			h.cfg.Logger.Warn("web: bad MedicationRequest", "id", res.ID, "err", err)
			continue
		}
		var rj medRequestJSON
		_ = jsonUnmarshal(res.JSON, &rj)
		st.Requests[res.ID] = r
		key := medKey(rj.MedicationCodeableConcept)
		if key == "" {
			continue
		}
		authored := parseTime(rj.AuthoredOn, loc)
		l := lines[key]
		if l == nil {
			l = &medLine{Key: key}
			lines[key] = l
		}
		if rj.Status == "active" {
			l.Active = true
		}
		if l.RequestID == "" || authored.After(l.Authored) {
			l.RequestID, l.Authored, l.Name = res.ID, authored, rj.MedicationCodeableConcept.label()
			l.Prescriber = rj.Requester.Display
			if len(r.DosageInstruction) > 0 {
				l.TextVI = medication.DescribeVI(r.DosageInstruction[0])
				l.TextEN = medication.DescribeEN(r.DosageInstruction[0])
			}
		}
		if rj.Status != "active" && rj.Status != "completed" {
			continue // stopped, cancelled, draft: no doses were expected
		}
		doses, err := medication.Schedule(r, from, to, loc, medication.MealTimes{})
		if err != nil {
			h.cfg.Logger.Warn("web: unschedulable MedicationRequest", "id", res.ID, "err", err)
			continue
		}
		for _, d := range doses {
			st.Planned = append(st.Planned, medication.Planned{Medication: key, Time: d.Time})
		}
	}
	var fills []medication.Fill
	for _, res := range disp {
		d, err := medication.ParseDispense(res.JSON)
		if err != nil || d.Status != "completed" {
			continue
		}
		f, err := d.Fill(loc)
		if err != nil {
			continue
		}
		fills = append(fills, f)
	}
	for _, res := range adm {
		a, err := medication.ParseAdministration(res.JSON)
		if err != nil {
			continue
		}
		in, ok, err := a.Intake(loc)
		if err != nil || !ok {
			continue
		}
		st.Intakes = append(st.Intakes, in)
		named := false
		var x struct {
			Request   reference `json:"request"`
			Extension []struct {
				URL           string `json:"url"`
				ValueDateTime string `json:"valueDateTime"`
			} `json:"extension"`
		}
		if jsonUnmarshal(res.JSON, &x) == nil {
			for _, e := range x.Extension {
				if e.URL == extScheduled {
					if at := parseTime(e.ValueDateTime, loc); !at.IsZero() {
						st.Confirmed[doseKey(x.Request.id(), at)] = in.Time
						named = true
					}
				}
			}
		}
		if !named {
			st.Unnamed = append(st.Unnamed, in)
		}
	}
	st.HasAdmin = len(st.Intakes) > 0
	sort.Slice(st.Planned, func(i, j int) bool { return st.Planned[i].Time.Before(st.Planned[j].Time) })
	st.Confs = medication.Match(st.Planned, st.Intakes, matchWindow)

	for _, l := range lines {
		var mine []medication.Fill
		for _, f := range fills {
			if f.Drug == l.Key {
				mine = append(mine, f)
			}
		}
		if len(mine) > 0 {
			res, err := medication.PDC(mine, medication.PDCOptions{
				PeriodStart: today.AddDate(0, 0, -pdcDays+1), PeriodEnd: today,
				MinFills: 1, MinTreatmentDays: 1,
			})
			if err == nil && res.DaysInPeriod > 0 {
				l.HasPDC, l.PDC = true, res.PDC
				l.Low = res.PDC < pdcLow && l.Active
			}
			if due, err := medication.RefillDue(mine, l.Key, 0); err == nil {
				l.RefillDue = due
			}
		}
		if st.HasAdmin {
			var confs []medication.Confirmation
			for _, c := range st.Confs {
				if c.Medication == l.Key {
					confs = append(confs, c)
				}
			}
			l.HasStrip = true
			l.Strip = medication.Strip(confs, now, stripDays, loc, 0)
		}
		st.Lines = append(st.Lines, *l)
	}
	sort.Slice(st.Lines, func(i, j int) bool {
		if st.Lines[i].Active != st.Lines[j].Active {
			return st.Lines[i].Active
		}
		return st.Lines[i].Name < st.Lines[j].Name
	})
	return st
}

func midnight(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

// dayClass is the CSS class of a strip cell.
func dayClass(s medication.DayStatus) string {
	switch s {
	case medication.AllOnTime:
		return "d-ok"
	case medication.AllTaken:
		return "d-late"
	case medication.Partial:
		return "d-part"
	case medication.NoneTaken:
		return "d-miss"
	case medication.Pending:
		return "d-pend"
	}
	return "d-none"
}

// dayKey is the message-id suffix of a strip cell's status.
func dayKey(s medication.DayStatus) string {
	switch s {
	case medication.AllOnTime:
		return "ok"
	case medication.AllTaken:
		return "late"
	case medication.Partial:
		return "part"
	case medication.NoneTaken:
		return "miss"
	case medication.Pending:
		return "pend"
	}
	return "none"
}
