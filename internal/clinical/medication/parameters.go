package medication

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// The report as FHIR: a Parameters resource for the $adherence operation
// (https://hl7.org/fhir/R4/parameters.html) and Observations for writing
// the measures into the record. The layout is documented part by part in
// docs/adherence.md §6.

// SystemAdherence is Sen's code system for adherence measures (pdc,
// cma1 … cma9, dose-taken, dose-on-time); no LOINC code names PDC or CMA.
const SystemAdherence = "https://sen-emr.github.io/fhir/CodeSystem/adherence-measure"

// Param is one Parameters.parameter (or part). Only the value types the
// report uses are declared.
type Param struct {
	Name         string           `json:"name"`
	ValueString  *string          `json:"valueString,omitempty"`
	ValueCode    *string          `json:"valueCode,omitempty"`
	ValueDate    *string          `json:"valueDate,omitempty"`
	ValueDecimal *json.Number     `json:"valueDecimal,omitempty"`
	ValueInteger *int             `json:"valueInteger,omitempty"`
	ValueBoolean *bool            `json:"valueBoolean,omitempty"`
	ValueCoding  *Coding          `json:"valueCoding,omitempty"`
	Resource     *json.RawMessage `json:"resource,omitempty"`
	Part         []Param          `json:"part,omitempty"`
}

// Parameters is a FHIR Parameters resource.
type Parameters struct {
	ResourceType string  `json:"resourceType"`
	Parameter    []Param `json:"parameter"`
}

func pString(name, v string) Param { return Param{Name: name, ValueString: &v} }
func pCode(name, v string) Param   { return Param{Name: name, ValueCode: &v} }
func pInt(name string, v int) Param {
	return Param{Name: name, ValueInteger: &v}
}
func pBool(name string, v bool) Param { return Param{Name: name, ValueBoolean: &v} }
func pDate(name string, t time.Time) Param {
	s := t.Format(time.DateOnly)
	return Param{Name: name, ValueDate: &s}
}

// pDecimal rounds to 4 decimal places: enough for a share, and stable
// across platforms in tests and diffs.
func pDecimal(name string, v float64) Param {
	n := json.Number(fmt.Sprintf("%.4f", math.Round(v*1e4)/1e4))
	return Param{Name: name, ValueDecimal: &n}
}

// timingParts renders dose counts: the confirmed-taken share with the
// unconfirmed share beside it, and the older parts (missed, takenShare:
// unconfirmed doses counted as missed) kept for existing readers.
func timingParts(s TimingStats) []Param {
	ps := []Param{
		pInt("due", s.Due), pInt("taken", s.Taken), pInt("onTime", s.OnTime),
		pInt("confirmedMissed", s.ConfirmedMissed), pInt("unconfirmed", s.Unconfirmed), pInt("missed", s.Missed),
	}
	if s.Confirmed() > 0 {
		ps = append(ps, pDecimal("confirmedShare", s.ConfirmedShare))
	}
	return append(ps, pDecimal("unconfirmedShare", s.UnconfirmedShare),
		pDecimal("takenShare", s.TakenShare), pDecimal("onTimeShare", s.OnTimeShare))
}

// Parameters renders the report as a FHIR Parameters resource.
func (r Report) Parameters() Parameters {
	p := Parameters{ResourceType: "Parameters"}
	p.Parameter = append(p.Parameter,
		pDate("start", r.Start), pDate("end", r.End), pCode("method", r.Method), pCode("by", r.By))
	for _, g := range r.Groups {
		parts := []Param{pString("key", g.Key)}
		if g.Label != "" {
			parts = append(parts, pString("label", g.Label))
		}
		parts = append(parts, pInt("fills", g.Fills))
		if x := g.PDC; x != nil {
			parts = append(parts, pDecimal("pdc", x.PDC), pInt("daysCovered", x.DaysCovered),
				pInt("daysInPeriod", x.DaysInPeriod), pBool("eligible", x.Eligible), pBool("adherent", x.Adherent))
			if !x.IndexDate.IsZero() {
				parts = append(parts, pDate("indexDate", x.IndexDate))
			}
			if x.InpatientDays > 0 {
				parts = append(parts, pInt("inpatientDays", x.InpatientDays))
			}
			if x.Reason != "" {
				parts = append(parts, pString("reason", x.Reason))
			}
		}
		if g.CMA != nil {
			parts = append(parts, pDecimal("cma", *g.CMA))
		}
		if g.CMANote != "" {
			parts = append(parts, pString("reason", g.CMANote))
		}
		if g.Doses != nil {
			parts = append(parts, Param{Name: "doses", Part: timingParts(*g.Doses)})
		}
		p.Parameter = append(p.Parameter, Param{Name: "group", Part: parts})
	}
	if r.Method == MethodDoses {
		p.Parameter = append(p.Parameter, Param{Name: "doses", Part: timingParts(r.Doses)})
	}
	for _, d := range r.Strip {
		p.Parameter = append(p.Parameter, Param{Name: "strip", Part: []Param{
			pDate("date", d.Date), pCode("status", d.Status.String()),
			pInt("due", d.Due), pInt("taken", d.Taken), pInt("onTime", d.OnTime), pInt("missed", d.Missed),
		}})
	}
	for _, w := range r.Warnings {
		p.Parameter = append(p.Parameter, pString("warning", w))
	}
	return p
}

// Observations returns one FHIR Observation (JSON, without id) per group
// value of the report: the PDC, the CMA or the share of doses taken, as a
// percentage over the measurement period, for subject (e.g.
// "Patient/123"). issued is the time the measure was computed. Groups
// without a value (AdhereR's NA, nothing due) give no Observation.
func (r Report) Observations(subject string, issued time.Time) ([][]byte, error) {
	var out [][]byte
	for _, g := range r.Groups {
		var code, display string
		var v float64
		switch {
		case g.PDC != nil && g.PDC.DaysInPeriod > 0:
			code, display, v = "pdc", "Proportion of days covered (PQA)", g.PDC.PDC
		case g.CMA != nil:
			code, display, v = r.Method, "Continuous multiple-interval measure of medication availability ("+r.Method+", AdhereR)", *g.CMA
		case g.Doses != nil && g.Doses.Confirmed() > 0:
			// Over the doses confirmed either way; the unconfirmed share
			// goes beside it as a component.
			code, display, v = "dose-taken", "Share of confirmed doses taken", g.Doses.ConfirmedShare
		default:
			continue
		}
		med := CodeableConcept{Text: g.Label}
		if looksATC(g.Key) {
			med.Coding = []Coding{{System: ATCSystem, Code: g.Key}}
		}
		obs := map[string]any{
			"resourceType": "Observation",
			"status":       "final",
			"category": []any{map[string]any{"coding": []any{map[string]any{
				"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "therapy", "display": "Therapy"}}}},
			"code": map[string]any{
				"coding": []any{map[string]any{"system": SystemAdherence, "code": code, "display": display}},
				"text":   display,
			},
			"subject":         map[string]any{"reference": subject},
			"effectivePeriod": map[string]any{"start": r.Start.Format(time.DateOnly), "end": r.End.Format(time.DateOnly)},
			"issued":          issued.UTC().Format(time.RFC3339),
			"valueQuantity":   map[string]any{"value": json.Number(fmt.Sprintf("%.1f", math.Round(v*1000)/10)), "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"},
			"component":       []any{map[string]any{"code": map[string]any{"text": "medication"}, "valueCodeableConcept": med}},
			"method":          map[string]any{"text": "grouped by " + r.By},
			"interpretation":  interpretation(code, v),
			"referenceRange":  []any{map[string]any{"low": map[string]any{"value": 80, "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"}, "text": "≥ 80 % (PQA threshold)"}},
		}
		if code == "dose-taken" {
			obs["component"] = append(obs["component"].([]any), map[string]any{
				"code":          map[string]any{"text": "unconfirmed doses (neither taken nor reported missed)"},
				"valueQuantity": map[string]any{"value": json.Number(fmt.Sprintf("%.1f", math.Round(g.Doses.UnconfirmedShare*1000)/10)), "unit": "%", "system": "http://unitsofmeasure.org", "code": "%"},
			})
		}
		if code != "pdc" {
			delete(obs, "referenceRange")
			delete(obs, "interpretation")
		}
		b, err := json.Marshal(obs)
		if err != nil {
			return nil, fmt.Errorf("observation for %s: %w", g.Key, err)
		}
		out = append(out, b)
	}
	return out, nil
}

func interpretation(code string, v float64) any {
	if code != "pdc" {
		return nil
	}
	c, d := "N", "Normal"
	if v < 0.8 {
		c, d = "L", "Low"
	}
	return []any{map[string]any{"coding": []any{map[string]any{
		"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "code": c, "display": d}}}}
}
