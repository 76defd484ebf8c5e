package medication

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// ATCSystem is the FHIR system URI of the WHO ATC classification.
const ATCSystem = "http://www.whocc.no/atc"

// Dispense is the part of a MedicationDispense used for supply.
// https://hl7.org/fhir/R4/medicationdispense.html
type Dispense struct {
	ResourceType              string           `json:"resourceType"`
	ID                        string           `json:"id,omitempty"`
	Status                    string           `json:"status,omitempty"`
	MedicationCodeableConcept *CodeableConcept `json:"medicationCodeableConcept,omitempty"`
	Quantity                  *Quantity        `json:"quantity,omitempty"`
	DaysSupply                *Quantity        `json:"daysSupply,omitempty"`
	WhenPrepared              string           `json:"whenPrepared,omitempty"`
	WhenHandedOver            string           `json:"whenHandedOver,omitempty"`
	DosageInstruction         []Dosage         `json:"dosageInstruction,omitempty"`
}

// ParseDispense decodes a MedicationDispense.
func ParseDispense(data []byte) (Dispense, error) {
	var d Dispense
	if err := decode(data, "MedicationDispense", &d, &d.ResourceType); err != nil {
		return Dispense{}, err
	}
	return d, nil
}

// Fill turns a completed dispense into a Fill: Drug is the ATC code (else
// the first code, else the text), Date is whenHandedOver (else
// whenPrepared) in loc, and DaysSupply is daysSupply, or else quantity
// divided by the daily amount of the dispense's dosageInstruction, rounded
// down (a partial day is not a covered day).
func (d Dispense) Fill(loc *time.Location) (Fill, error) {
	if loc == nil {
		loc = defaultLocation()
	}
	name := "MedicationDispense/" + d.ID
	if d.Status != "completed" {
		return Fill{}, fmt.Errorf("%s: status %q is not completed", name, d.Status)
	}
	drug := d.MedicationCodeableConcept.Code(ATCSystem)
	if drug == "" {
		drug = d.MedicationCodeableConcept.Label()
	}
	if drug == "" {
		return Fill{}, fmt.Errorf("%s: no medicationCodeableConcept", name)
	}
	when := d.WhenHandedOver
	if when == "" {
		when = d.WhenPrepared
	}
	if when == "" {
		return Fill{}, fmt.Errorf("%s: neither whenHandedOver nor whenPrepared", name)
	}
	date, _, err := parseDateTime(when, loc)
	if err != nil {
		return Fill{}, fmt.Errorf("%s: %w", name, err)
	}
	f := Fill{Drug: drug, Date: date}
	switch {
	case d.DaysSupply != nil && d.DaysSupply.Value != nil:
		v := *d.DaysSupply.Value
		switch u := strings.ToLower(d.DaysSupply.unitCode()); u {
		case "d", "day", "days", "ngày", "":
		case "wk":
			v *= 7
		default:
			return Fill{}, fmt.Errorf("%s: daysSupply unit %q: want days", name, u)
		}
		f.DaysSupply = int(math.Floor(v))
	case d.Quantity != nil && d.Quantity.Value != nil:
		daily, err := DailyAmount(d.DosageInstruction)
		if err != nil {
			return Fill{}, fmt.Errorf("%s: no daysSupply and %w", name, err)
		}
		f.DaysSupply = int(math.Floor(*d.Quantity.Value / daily))
	default:
		return Fill{}, fmt.Errorf("%s: neither daysSupply nor quantity", name)
	}
	if f.DaysSupply <= 0 {
		return Fill{}, fmt.Errorf("%s: days supply %d must be positive", name, f.DaysSupply)
	}
	return f, nil
}

// DailyAmount is the amount taken per day by the scheduled (non-PRN) lines
// of the first sequence of a dosage, e.g. 2 for "1 tablet twice a day".
func DailyAmount(ds []Dosage) (float64, error) {
	first, total := math.MaxInt, 0.0
	for _, d := range ds {
		if d.Sequence != nil {
			first = min(first, *d.Sequence)
		}
	}
	for i, d := range ds {
		if d.asNeeded() || (d.Sequence != nil && *d.Sequence != first) {
			continue
		}
		p := &linePlan{meals: VietnamMealTimes(), loc: time.UTC, start: time.Date(2000, 1, 3, 0, 0, 0, 0, time.UTC)}
		if err := p.setDose(d); err != nil {
			return 0, fmt.Errorf("dosage %d: %w", i+1, err)
		}
		if d.Timing == nil || p.amount <= 0 {
			continue
		}
		r, err := repeatOf(d.Timing)
		if err != nil || r == nil {
			continue
		}
		// Count the doses of four weeks from a Monday: exact for daily,
		// weekly and alternate-day patterns.
		q := *r
		q.BoundsDuration, q.BoundsPeriod, q.BoundsRange, q.Count = nil, nil, nil, nil
		if err := p.setPattern(&q, false); err != nil {
			return 0, fmt.Errorf("dosage %d: %w", i+1, err)
		}
		n := len(p.generate(p.start, p.start.AddDate(0, 0, 28)))
		total += p.amount * float64(n) / 28
	}
	if total <= 0 {
		return 0, fmt.Errorf("dosage gives no scheduled daily amount")
	}
	return total, nil
}

// SupplySpan is a run of consecutive days covered by fills of one drug,
// with same-drug early refills carried over: [Start, End).
type SupplySpan struct {
	Drug       string
	Start, End time.Time
	Fills      int
}

// SupplySpans returns the supply spans of each drug, ordered by drug then
// start. Invalid fills (no date, no supply) are reported.
func SupplySpans(fills []Fill) ([]SupplySpan, error) {
	sorted := append([]Fill(nil), fills...)
	for i, f := range sorted {
		if f.Date.IsZero() || f.DaysSupply <= 0 {
			return nil, fmt.Errorf("fill %d (%s): needs a date and a positive days supply", i, f.Drug)
		}
	}
	sort.SliceStable(sorted, func(a, b int) bool {
		if sorted[a].Drug != sorted[b].Drug {
			return sorted[a].Drug < sorted[b].Drug
		}
		return dayOf(sorted[a].Date) < dayOf(sorted[b].Date)
	})
	var out []SupplySpan
	var cur struct {
		drug       string
		start, end int
		n          int
	}
	flush := func() {
		if cur.n > 0 {
			out = append(out, SupplySpan{Drug: cur.drug, Start: dateOf(cur.start), End: dateOf(cur.end), Fills: cur.n})
		}
	}
	for _, f := range sorted {
		d := dayOf(f.Date)
		if cur.n > 0 && f.Drug == cur.drug && d <= cur.end {
			cur.end += f.DaysSupply // early or on-time refill: carried over
			cur.n++
			continue
		}
		flush()
		cur.drug, cur.start, cur.end, cur.n = f.Drug, d, d+f.DaysSupply, 1
	}
	flush()
	return out, nil
}

// RefillDue returns the first day drug is no longer covered (the day the
// patient runs out, counting early refills' carry-over); a refill is due
// on or before it. lead days earlier give a reminder date.
func RefillDue(fills []Fill, drug string, lead int) (time.Time, error) {
	spans, err := SupplySpans(fills)
	if err != nil {
		return time.Time{}, fmt.Errorf("refill due for %s: %w", drug, err)
	}
	var end time.Time
	for _, s := range spans {
		if s.Drug == drug && s.End.After(end) {
			end = s.End
		}
	}
	if end.IsZero() {
		return time.Time{}, fmt.Errorf("refill due for %s: no fill of that drug", drug)
	}
	return end.AddDate(0, 0, -lead), nil
}

// InClass returns the fills whose drug code starts with an ATC prefix, e.g.
// "C09" for agents acting on the renin-angiotensin system.
func InClass(fills []Fill, atcPrefix string) []Fill {
	var out []Fill
	for _, f := range fills {
		if strings.HasPrefix(f.Drug, atcPrefix) {
			out = append(out, f)
		}
	}
	return out
}
