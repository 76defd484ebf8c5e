package alert

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/sen-emr/sen/internal/clinical/medication"
	"github.com/sen-emr/sen/internal/clinical/risk"
)

// Kind is what an alert is about; it is the code of the Flag and Task.
type Kind string

// Alert kinds.
const (
	LowPDC   Kind = "pdc-low"   // a medicine covered on fewer than 80 % of days
	HighRisk Kind = "risk-high" // the risk model scores the patient high
	// MissedDoses: the patient reported N or more doses of a medicine
	// missed in a row (one alert per medicine).
	MissedDoses Kind = "doses-missed"
	// SideEffect: the patient reported a side effect in a check-in (one
	// alert per medicine).
	SideEffect Kind = "side-effect"
)

// Kinds lists every kind, in the order alerts are raised.
func Kinds() []Kind { return []Kind{LowPDC, HighRisk, MissedDoses, SideEffect} }

// Title is the kind in Vietnamese and English.
func (k Kind) Title() (vi, en string) {
	switch k {
	case LowPDC:
		return "Tỷ lệ ngày có thuốc (PDC) dưới 80%", "Proportion of days covered (PDC) below 80%"
	case HighRisk:
		return "Nguy cơ cao không tuân thủ dùng thuốc", "High risk of medication non-adherence"
	case MissedDoses:
		return "Người bệnh bỏ nhiều liều liên tiếp", "Patient missed several doses in a row"
	case SideEffect:
		return "Người bệnh báo tác dụng không mong muốn", "Patient reported a side effect"
	}
	return string(k), string(k)
}

// PerMedicine reports whether alerts of the kind are kept per medicine
// (one open alert per patient, kind and medicine) rather than per patient.
func (k Kind) PerMedicine() bool { return k == MissedDoses || k == SideEffect }

// Event reports whether the kind is raised by an event the patient
// reported (a miss, a symptom) rather than by a state of the record. An
// event alert stays open until the care team completes or cancels its
// Task (then the Flag is made inactive), and a new one is raised only for
// evidence no earlier alert of the same patient, kind and medicine linked.
func (k Kind) Event() bool { return k == MissedDoses || k == SideEffect }

// Reason is one piece of evidence in plain language.
type Reason struct{ VI, EN string }

// Alert is an alert that should be active for a patient.
type Alert struct {
	Kind Kind
	// Medication is the medicine of a per-medicine kind: its ATC code,
	// else its text ("" when a side effect names no medicine);
	// MedicationLabel is its name.
	Medication, MedicationLabel string
	Reasons                     []Reason
	// Evidence are references to resources the reasons rest on (the last
	// dispense of each under-covered medicine, the not-done
	// MedicationAdministrations of the missed doses, the Communications
	// of the side-effect reports), most recent first for event kinds.
	Evidence []string
	// Assessment is the risk score behind a HighRisk alert.
	Assessment *risk.Assessment
}

// Threshold is the PQA adherence threshold.
const Threshold = 0.8

// Defaults of the event alerts.
const (
	DefaultMissedInARow = 3                   // reported missed doses of one medicine in a row
	DefaultLookback     = 14 * 24 * time.Hour // how far back reports raise an alert
)

// Input is what Evaluate looks at.
type Input struct {
	Chart risk.Record
	// Reports are the side-effect check-ins of the patient
	// (Communications with category chat.SystemCheckIn|side-effect);
	// others are ignored.
	Reports [][]byte
	Now     time.Time
	Loc     *time.Location // Asia/Ho_Chi_Minh (UTC+7) when nil
	Model   *risk.Model    // nil: no risk alert
	// MissedInARow is N of the MissedDoses alert (DefaultMissedInARow
	// when 0; negative turns the alert off).
	MissedInARow int
	// Lookback bounds the doses and reports the event alerts look at
	// (DefaultLookback when 0).
	Lookback time.Duration
	// Kinds limits the evaluation (nil: every kind).
	Kinds []Kind
}

func (in Input) wants(k Kind) bool {
	if in.Kinds == nil {
		return true
	}
	for _, x := range in.Kinds {
		if x == k {
			return true
		}
	}
	return false
}

// Evaluate returns the alerts that should be active for the chart now:
// LowPDC when any medicine eligible for PDC over the last 365 days is
// below Threshold, HighRisk when the model's level is high, MissedDoses
// for each medicine whose last MissedInARow or more doses reported
// either way were reported missed, SideEffect for each medicine named by
// a side-effect report within Lookback. Patients with no medicine
// prescribed or dispensed get no PDC or risk alert. Resources that cannot
// be read are errors; resources the measures skip do not raise alerts.
func Evaluate(in Input) ([]Alert, error) {
	if in.Now.IsZero() {
		return nil, fmt.Errorf("alert: evaluate: now is required")
	}
	loc := in.Loc
	if loc == nil {
		loc = time.FixedZone("ICT", 7*3600)
	}
	out, err := evaluateState(in, loc)
	if err != nil {
		return nil, err
	}
	if in.wants(MissedDoses) {
		as, err := missedDoses(in, loc)
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
	}
	if in.wants(SideEffect) {
		as, err := sideEffects(in, loc)
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
	}
	return out, nil
}

// evaluateState returns the LowPDC and HighRisk alerts.
func evaluateState(in Input, loc *time.Location) ([]Alert, error) {
	if len(in.Chart.Requests) == 0 && len(in.Chart.Dispenses) == 0 || !in.wants(LowPDC) && !in.wants(HighRisk) {
		return nil, nil
	}
	local := in.Now.In(loc)
	end := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	rep, err := medication.BuildReport(medication.Records{Requests: in.Chart.Requests, Dispenses: in.Chart.Dispenses},
		medication.ReportOptions{Start: end.AddDate(-1, 0, 1), End: end, Method: medication.MethodPDC, Now: in.Now, Loc: loc})
	if err != nil {
		return nil, fmt.Errorf("alert: pdc: %w", err)
	}
	var out []Alert
	low := Alert{Kind: LowPDC}
	last := lastDispenses(in.Chart.Dispenses, loc)
	for _, g := range rep.Groups {
		if g.PDC == nil || !g.PDC.Eligible || g.PDC.PDC >= Threshold {
			continue
		}
		pct := int(math.Round(g.PDC.PDC * 100))
		name := g.Label
		if name == "" {
			name = g.Key
		}
		low.Reasons = append(low.Reasons, Reason{
			VI: fmt.Sprintf("%s: có thuốc %d%% số ngày (%d/%d ngày) trong 12 tháng qua, dưới ngưỡng 80%%", name, pct, g.PDC.DaysCovered, g.PDC.DaysInPeriod),
			EN: fmt.Sprintf("%s: medicine on hand %d%% of days (%d/%d days) in the last 12 months, below the 80%% threshold", name, pct, g.PDC.DaysCovered, g.PDC.DaysInPeriod),
		})
		if ref := last[g.Key]; ref != "" {
			low.Evidence = append(low.Evidence, ref)
		}
	}
	if len(low.Reasons) > 0 && in.wants(LowPDC) {
		out = append(out, low)
	}
	if in.Model != nil && in.wants(HighRisk) {
		x, err := risk.Extract(in.Chart, in.Now, loc)
		if err != nil {
			return nil, fmt.Errorf("alert: risk: %w", err)
		}
		a := in.Model.Score(x)
		if a.Level == "high" {
			hr := Alert{Kind: HighRisk, Assessment: &a}
			hr.Reasons = append(hr.Reasons, Reason{
				VI: fmt.Sprintf("Mô hình %s: xác suất không tuân thủ trong 90 ngày tới %d%%", a.Model, int(math.Round(a.Probability*100))),
				EN: fmt.Sprintf("Model %s: probability of non-adherence in the next 90 days %d%%", a.Model, int(math.Round(a.Probability*100))),
			})
			for _, f := range a.Top(3) {
				hr.Reasons = append(hr.Reasons, Reason{VI: f.VI, EN: f.EN})
			}
			out = append(out, hr)
		}
	}
	return out, nil
}

// lastDispenses maps each drug code (as medication groups it: the ATC
// code, else the first code or text) to a reference to its latest
// completed dispense.
func lastDispenses(dispenses [][]byte, loc *time.Location) map[string]string {
	type latest struct {
		at  time.Time
		ref string
	}
	by := map[string]latest{}
	for _, raw := range dispenses {
		d, err := medication.ParseDispense(raw)
		if err != nil || d.ID == "" {
			continue
		}
		f, err := d.Fill(loc)
		if err != nil {
			continue
		}
		if cur, ok := by[f.Drug]; !ok || f.Date.After(cur.at) {
			by[f.Drug] = latest{f.Date, "MedicationDispense/" + d.ID}
		}
	}
	out := make(map[string]string, len(by))
	for k, l := range by {
		out[k] = l.ref
	}
	return out
}

// patientID reads Patient.id.
func patientID(patientJSON []byte) (string, error) {
	var p struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
	}
	if err := json.Unmarshal(patientJSON, &p); err != nil {
		return "", fmt.Errorf("alert: patient: %w", err)
	}
	if p.ResourceType != "Patient" || p.ID == "" {
		return "", fmt.Errorf("alert: not a Patient with an id")
	}
	return p.ID, nil
}
