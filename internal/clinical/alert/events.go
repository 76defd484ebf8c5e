package alert

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sen-emr/sen/internal/chat"
	"github.com/sen-emr/sen/internal/clinical/medication"
)

// Event alerts: doses the patient reported missed, several in a row, and
// side effects the patient reported in a check-in.

// doseMatch credits a report to a scheduled dose within half a day, as
// the $adherence dose measure does.
const doseMatch = 12 * time.Hour

// missedDoses returns one MissedDoses alert per medicine whose most
// recent due doses within the lookback include at least N reported
// missed (not-done MedicationAdministration) with no dose confirmed taken
// after the first of them. Unconfirmed doses neither count nor break the
// run: a dose nobody confirmed may have been taken, so only the patient's
// own reports raise the alert, and a patient who confirms nothing is
// never alerted on.
func missedDoses(in Input, loc *time.Location) ([]Alert, error) {
	n := in.MissedInARow
	if n == 0 {
		n = DefaultMissedInARow
	}
	if n < 0 || len(in.Chart.Requests) == 0 || len(in.Chart.Administrations) == 0 {
		return nil, nil
	}
	lookback := in.Lookback
	if lookback <= 0 {
		lookback = DefaultLookback
	}
	from, to := in.Now.Add(-lookback), in.Now
	var planned []medication.Planned
	label := map[string]string{}
	for _, raw := range in.Chart.Requests {
		req, err := medication.ParseRequest(raw)
		if err != nil {
			return nil, fmt.Errorf("alert: missed doses: %w", err)
		}
		switch req.Status {
		case "cancelled", "entered-in-error", "draft", "stopped", "unknown":
			continue
		}
		drug := req.MedicationCodeableConcept.Code(medication.ATCSystem)
		if drug == "" {
			drug = req.MedicationCodeableConcept.Label()
		}
		if drug == "" {
			continue
		}
		// A dosage Sen cannot schedule raises no alert ($adherence lists
		// it as a warning).
		doses, err := medication.Schedule(req, from, to, loc, medication.MealTimes{})
		if err != nil {
			continue
		}
		for _, d := range doses {
			planned = append(planned, medication.Planned{Medication: drug, Time: d.Time})
		}
		if label[drug] == "" {
			label[drug] = req.MedicationCodeableConcept.Label()
		}
	}
	if len(planned) == 0 {
		return nil, nil
	}
	var reports []medication.Intake
	for _, raw := range in.Chart.Administrations {
		a, err := medication.ParseAdministration(raw)
		if err != nil {
			return nil, fmt.Errorf("alert: missed doses: %w", err)
		}
		r, ok, err := a.Reported(loc)
		if err != nil || !ok {
			continue // unreadable records are $adherence warnings
		}
		reports = append(reports, r)
	}
	confs := medication.Match(planned, reports, doseMatch)
	byMed := map[string][]medication.Confirmation{}
	for _, c := range confs {
		// Doses not yet overdue and not yet reported wait.
		if c.Scheduled.After(to) || c.Unconfirmed() && c.Scheduled.Add(medication.DefaultTimingWindow).After(to) {
			continue
		}
		byMed[c.Medication] = append(byMed[c.Medication], c)
	}
	meds := make([]string, 0, len(byMed))
	for m := range byMed {
		meds = append(meds, m)
	}
	sort.Strings(meds)
	var out []Alert
	for _, m := range meds {
		cs := byMed[m] // in time order (Match sorts)
		var run []medication.Confirmation
		for i := len(cs) - 1; i >= 0; i-- {
			c := cs[i]
			if !c.Taken.IsZero() {
				break
			}
			if c.Missed {
				run = append(run, c)
			}
		}
		if len(run) < n {
			continue
		}
		name := label[m]
		if name == "" {
			name = m
		}
		last := run[0].Scheduled.In(loc)
		a := Alert{Kind: MissedDoses, Medication: m, MedicationLabel: name, Reasons: []Reason{{
			VI: fmt.Sprintf("%s: người bệnh báo bỏ %d liều liên tiếp, liều gần nhất lúc %s (ngưỡng %d liều)", name, len(run), last.Format("15:04 02/01/2006"), n),
			EN: fmt.Sprintf("%s: the patient reported %d doses missed in a row, the latest due %s (threshold %d doses)", name, len(run), last.Format("15:04 2 Jan 2006"), n),
		}}}
		for _, c := range run {
			if c.Ref != "" {
				a.Evidence = append(a.Evidence, c.Ref)
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// communication is the part of a check-in Communication read here.
type communication struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Status       string `json:"status"`
	Category     []struct {
		Coding []medication.Coding `json:"coding"`
	} `json:"category"`
	Sent       string                      `json:"sent"`
	Topic      *medication.CodeableConcept `json:"topic"`
	ReasonCode []struct {
		Coding []medication.Coding `json:"coding"`
		Text   string              `json:"text"`
	} `json:"reasonCode"`
	Payload []struct {
		ContentString string `json:"contentString"`
	} `json:"payload"`
}

func (c communication) sideEffect() bool {
	for _, cat := range c.Category {
		for _, cd := range cat.Coding {
			if cd.System == chat.SystemCheckIn && cd.Code == string(chat.SideEffect) {
				return true
			}
		}
	}
	return false
}

// symptom returns the reported symptom in Vietnamese and English, or
// "" when the report names none.
func (c communication) symptom() (vi, en string) {
	for _, rc := range c.ReasonCode {
		for _, cd := range rc.Coding {
			if cd.System == chat.SystemSymptom {
				return rc.Text, cd.Display
			}
		}
		if rc.Text != "" {
			return rc.Text, rc.Text
		}
	}
	return "", ""
}

// maxQuote bounds the patient's words quoted in a reason.
const maxQuote = 160

func quote(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxQuote {
		s = string([]rune(s)[:maxQuote]) + "…"
	}
	return s
}

// sideEffects returns one SideEffect alert per medicine named by the
// side-effect reports sent within the lookback (reports that name no
// medicine share one alert), with a reason per report, most recent first.
func sideEffects(in Input, loc *time.Location) ([]Alert, error) {
	lookback := in.Lookback
	if lookback <= 0 {
		lookback = DefaultLookback
	}
	type report struct {
		at       time.Time
		ref      string
		vi, en   string
		med, lbl string
	}
	byMed := map[string][]report{}
	for _, raw := range in.Reports {
		var c communication
		if err := json.Unmarshal(raw, &c); err != nil {
			return nil, fmt.Errorf("alert: side-effect report: %w", err)
		}
		if c.ResourceType != "Communication" || !c.sideEffect() || c.ID == "" {
			continue
		}
		if c.Status == "entered-in-error" || c.Status == "not-done" {
			continue
		}
		at, err := time.Parse(time.RFC3339, c.Sent)
		if err != nil || at.After(in.Now) || at.Before(in.Now.Add(-lookback)) {
			continue
		}
		med, lbl := "", ""
		if c.Topic != nil {
			med = c.Topic.Code(medication.ATCSystem)
			lbl = c.Topic.Label()
			if med == "" {
				med = lbl
			}
		}
		svi, sen := c.symptom()
		if svi == "" {
			svi, sen = "chưa rõ triệu chứng", "symptom not stated"
		}
		words := ""
		if len(c.Payload) > 0 {
			words = quote(c.Payload[0].ContentString)
		}
		local := at.In(loc)
		r := report{at: at, ref: "Communication/" + c.ID, med: med, lbl: lbl}
		name, nameEN := lbl, lbl
		if name == "" {
			name, nameEN = "Chưa rõ thuốc", "Medicine not named"
		}
		r.vi = fmt.Sprintf("%s: người bệnh báo tác dụng không mong muốn — %s, lúc %s", name, svi, local.Format("15:04 02/01/2006"))
		r.en = fmt.Sprintf("%s: the patient reported a side effect — %s, at %s", nameEN, strings.ToLower(sen), local.Format("15:04 2 Jan 2006"))
		if words != "" {
			r.vi += fmt.Sprintf(" («%s»)", words)
			r.en += fmt.Sprintf(" («%s»)", words)
		}
		byMed[med] = append(byMed[med], r)
	}
	meds := make([]string, 0, len(byMed))
	for m := range byMed {
		meds = append(meds, m)
	}
	sort.Strings(meds)
	var out []Alert
	for _, m := range meds {
		rs := byMed[m]
		sort.Slice(rs, func(i, j int) bool { return rs[i].at.After(rs[j].at) })
		a := Alert{Kind: SideEffect, Medication: m, MedicationLabel: rs[0].lbl}
		for _, r := range rs {
			a.Reasons = append(a.Reasons, Reason{VI: r.vi, EN: r.en})
			a.Evidence = append(a.Evidence, r.ref)
		}
		out = append(out, a)
	}
	return out, nil
}
