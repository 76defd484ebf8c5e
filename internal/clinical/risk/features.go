package risk

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/clinical/medication"
)

// Feature indexes. The order is the model's input order; adding a feature
// means retraining (the model file names its features and Score checks
// them).
const (
	FCover180 = iota
	FCoverTrend
	FMaxGap
	FLateRefills
	FMedicines
	FPillBurden
	FComplex
	FSideEffectStops
	FAge
	FMale
	FConditions
	FAdmissions
	FRural
	FYearsTreated
	NumFeatures
)

// FeatureNames returns the stable names of the features, in index order
// (the model file lists them; Score checks they match).
func FeatureNames() []string {
	return []string{
		"cover180", "coverTrend", "maxGapMonths", "lateRefillShare", "medicines", "pillBurden",
		"complexRegimen", "sideEffectStops", "age10", "male", "conditions", "admissions365",
		"rural", "yearsTreated",
	}
}

// Features is one patient's input vector.
type Features [NumFeatures]float64

// Extract computes the features of rec as of asOf, using only what was
// recorded before asOf: a score computed today looks back, never ahead.
// loc is the patient's time zone (UTC+7 when nil). Resources that cannot
// be decoded are errors naming them; dispenses that are not usable
// (cancelled, no supply) are skipped.
func Extract(rec Record, asOf time.Time, loc *time.Location) (Features, error) {
	var f Features
	if loc == nil {
		loc = time.FixedZone("ICT", 7*3600)
	}
	if asOf.IsZero() {
		return f, fmt.Errorf("risk features: asOf is required")
	}
	asOf = asOf.In(loc)
	y, m, d := asOf.Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC) // civil date, as medication reports dates
	daysBefore := func(n int) time.Time { return today.AddDate(0, 0, -n) }

	var p patient
	if len(rec.Patient) == 0 {
		return f, fmt.Errorf("risk features: no Patient")
	}
	if err := decodeAs(rec.Patient, "Patient", &p, &p.ResourceType); err != nil {
		return f, fmt.Errorf("risk features: %w", err)
	}
	if p.BirthDate != "" {
		b, err := parseTime(p.BirthDate, loc)
		if err != nil {
			return f, fmt.Errorf("risk features: Patient/%s birthDate: %w", p.ID, err)
		}
		f[FAge] = asOf.Sub(b).Hours() / 24 / 365.25 / 10
	}
	if p.Gender == "male" {
		f[FMale] = 1
	}
	if p.rural() {
		f[FRural] = 1
	}

	for _, raw := range rec.Conditions {
		var c condition
		if err := decodeAs(raw, "Condition", &c, &c.ResourceType); err != nil {
			return f, fmt.Errorf("risk features: %w", err)
		}
		if s := c.ClinicalStatus.code(""); s == "" || s == "active" || s == "recurrence" || s == "relapse" {
			f[FConditions]++
		}
	}
	for _, raw := range rec.Encounters {
		var e encounter
		if err := decodeAs(raw, "Encounter", &e, &e.ResourceType); err != nil {
			return f, fmt.Errorf("risk features: %w", err)
		}
		if e.Class.Code != "IMP" || e.Period.Start == "" {
			continue
		}
		t, err := parseTime(e.Period.Start, loc)
		if err != nil {
			continue
		}
		if t.Before(asOf) && !t.Before(asOf.AddDate(-1, 0, 0)) {
			f[FAdmissions]++
		}
	}

	// Prescriptions: burden of the latest prescription of each drug in the
	// last 180 days, regimen complexity, stops for side effects.
	drugs := map[string]bool{}
	latest := map[string]struct {
		at    time.Time
		daily float64
	}{}
	for _, raw := range rec.Requests {
		var r request
		if err := decodeAs(raw, "MedicationRequest", &r, &r.ResourceType); err != nil {
			return f, fmt.Errorf("risk features: %w", err)
		}
		if r.AuthoredOn == "" {
			continue
		}
		at, err := parseTime(r.AuthoredOn, loc)
		if err != nil || !at.Before(asOf) {
			continue
		}
		if r.Status == "stopped" && r.StatusReason != nil && !at.Before(asOf.AddDate(-1, 0, 0)) {
			f[FSideEffectStops]++
		}
		if r.Status == "cancelled" || r.Status == "entered-in-error" || r.Status == "draft" || at.Before(asOf.AddDate(0, 0, -180)) {
			continue
		}
		mr, err := medication.ParseRequest(raw)
		if err != nil {
			return f, fmt.Errorf("risk features: %w", err)
		}
		drug := mr.MedicationCodeableConcept.Code(medication.ATCSystem)
		if drug == "" {
			drug = mr.MedicationCodeableConcept.Label()
		}
		if drug == "" {
			continue
		}
		drugs[drug] = true
		if strings.HasPrefix(drug, "A10A") || strings.HasPrefix(drug, "R03") {
			f[FComplex] = 1
		}
		if l, ok := latest[drug]; !ok || at.After(l.at) {
			daily, err := medication.DailyAmount(mr.DosageInstruction)
			if err != nil {
				daily = 0 // as-needed or unschedulable: no fixed burden
			}
			latest[drug] = struct {
				at    time.Time
				daily float64
			}{at, daily}
		}
	}
	for _, l := range latest {
		f[FPillBurden] += l.daily
	}

	// Dispenses: coverage, its trend, gaps and late refills.
	var fills []medication.Fill
	for _, raw := range rec.Dispenses {
		dsp, err := medication.ParseDispense(raw)
		if err != nil {
			return f, fmt.Errorf("risk features: %w", err)
		}
		fl, err := dsp.Fill(loc)
		if err != nil {
			continue // not completed, no supply: not evidence of taking
		}
		if !fl.Date.Before(asOf) {
			continue
		}
		fills = append(fills, fl)
	}
	byDrug := map[string][]medication.Fill{}
	var first time.Time
	for _, fl := range fills {
		byDrug[fl.Drug] = append(byDrug[fl.Drug], fl)
		if first.IsZero() || fl.Date.Before(first) {
			first = fl.Date
		}
	}
	if !first.IsZero() {
		f[FYearsTreated] = min(asOf.Sub(first).Hours()/24/365.25, 10)
	}
	yearAgo := daysBefore(365)
	var active []string
	for drug, fs := range byDrug {
		recent := false
		for _, fl := range fs {
			if !civil(fl.Date).Before(yearAgo) {
				recent = true
			}
		}
		if recent {
			active = append(active, drug)
		}
		if recent || drugs[drug] {
			drugs[drug] = true
		}
	}
	sort.Strings(active)
	f[FMedicines] = float64(len(drugs))
	if len(active) == 0 {
		// On the record as a patient on medicines, but nothing dispensed
		// for a year: no supply at all.
		if len(drugs) > 0 {
			f[FMaxGap] = 6
		}
		return f, nil
	}
	var cov180, covOld, covNew, late, refills float64
	for _, drug := range active {
		fs := byDrug[drug]
		spans, err := medication.SupplySpans(fs)
		if err != nil {
			return f, fmt.Errorf("risk features: %w", err)
		}
		cov180 += covered(spans, daysBefore(180), today) / 180
		covOld += covered(spans, daysBefore(180), daysBefore(90)) / 90
		covNew += covered(spans, daysBefore(90), today) / 90
		f[FMaxGap] = max(f[FMaxGap], longestGap(spans, yearAgo, today)/30)

		sort.Slice(fs, func(i, j int) bool { return fs[i].Date.Before(fs[j].Date) })
		var end time.Time
		for i, fl := range fs {
			d := civil(fl.Date)
			if i > 0 && !d.Before(yearAgo) {
				refills++
				if d.Sub(end) >= 7*24*time.Hour {
					late++
				}
			}
			if d.After(end) {
				end = d
			}
			end = end.AddDate(0, 0, fl.DaysSupply)
		}
	}
	n := float64(len(active))
	f[FCover180] = cov180 / n
	f[FCoverTrend] = (covNew - covOld) / n
	f[FMaxGap] = min(f[FMaxGap], 6)
	if refills > 0 {
		f[FLateRefills] = late / refills
	}
	return f, nil
}

// civil returns t's civil date as midnight UTC.
func civil(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// covered counts the days of [from, to) inside the spans (which do not
// overlap: SupplySpans merges a drug's fills).
func covered(spans []medication.SupplySpan, from, to time.Time) float64 {
	var n float64
	for _, s := range spans {
		lo, hi := s.Start, s.End
		if lo.Before(from) {
			lo = from
		}
		if hi.After(to) {
			hi = to
		}
		if hi.After(lo) {
			n += hi.Sub(lo).Hours() / 24
		}
	}
	return n
}

// longestGap is the longest run of uncovered days in [from, to) after the
// first supply.
func longestGap(spans []medication.SupplySpan, from, to time.Time) float64 {
	var gap float64
	var prevEnd time.Time
	for _, s := range spans {
		if !prevEnd.IsZero() && s.Start.After(prevEnd) {
			lo, hi := maxTime(prevEnd, from), minTime(s.Start, to)
			if hi.After(lo) {
				gap = max(gap, hi.Sub(lo).Hours()/24)
			}
		}
		if s.End.After(prevEnd) {
			prevEnd = s.End
		}
	}
	if !prevEnd.IsZero() && to.After(prevEnd) {
		gap = max(gap, to.Sub(maxTime(prevEnd, from)).Hours()/24)
	}
	return gap
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
