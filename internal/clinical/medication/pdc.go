package medication

import (
	"fmt"
	"sort"
	"time"
)

// Proportion of Days Covered as specified by the Pharmacy Quality Alliance
// (PQA, "Proportion of Days Covered (PDC)" adherence measures, e.g.
// PDC-DR for diabetes, PDC-RASA, PDC-STA): days covered by any fill of the
// drug class from the index prescription start date (IPSD, the first fill
// in the measurement period) to the end of the period, divided by the days
// in that treatment period. Overlapping fills of the same drug are shifted
// forward (carry-over); fills of different drugs in the class overlap
// freely. See docs/adherence.md for every rule and its source.

// Fill is one dispensing of a drug. Drug identifies the product for the
// same-drug shift (e.g. the ATC 7th-level code or an RxNorm ingredient);
// all fills passed to PDC are taken to belong to the measured class.
type Fill struct {
	Drug       string
	Date       time.Time // date of service; only the civil date counts
	DaysSupply int
}

// Stay is an inpatient stay: the days From..To, both inclusive, on which the
// patient was in hospital (or a skilled nursing facility) and supplied by it.
type Stay struct {
	From, To time.Time
}

// PDCOptions parameterise PDC. Zero values mean PQA's defaults.
type PDCOptions struct {
	PeriodStart, PeriodEnd time.Time // measurement period, both inclusive
	// Inpatient stays: their days are removed from the treatment period and
	// the supply on hand is held during them (resumes after discharge).
	Inpatient []Stay
	// MinFills is the number of fills on distinct dates of service the
	// denominator requires (PQA: 2).
	MinFills int
	// MinTreatmentDays is the shortest treatment period (IPSD to period end,
	// inclusive) the denominator accepts (PQA: the IPSD at least 91 days
	// before the end of the period, i.e. 91).
	MinTreatmentDays int
	// Threshold is the PDC at or above which a patient is adherent (PQA: 0.80).
	Threshold float64
}

func (o PDCOptions) withDefaults() PDCOptions {
	if o.MinFills <= 0 {
		o.MinFills = 2
	}
	if o.MinTreatmentDays <= 0 {
		o.MinTreatmentDays = 91
	}
	if o.Threshold <= 0 {
		o.Threshold = 0.8
	}
	return o
}

// ShiftedFill is a fill with the days its supply is assumed to be taken
// after the same-drug shift: FirstDose..LastDose, both inclusive, LastDose
// truncated at the end of the measurement period (PQA's dateOfFirstDose and
// dateOfLastDose).
type ShiftedFill struct {
	Fill
	FirstDose, LastDose time.Time
}

// PDCResult is the measure for one patient and drug class. PDC is computed
// whenever there is a fill in the period; Eligible says whether the patient
// belongs in PQA's denominator, and Reason why not.
type PDCResult struct {
	IndexDate     time.Time
	DaysInPeriod  int // treatment period days, inpatient days removed
	InpatientDays int // inpatient days removed from the treatment period
	DaysCovered   int
	PDC           float64
	Adherent      bool // PDC >= Threshold and Eligible
	Eligible      bool
	Reason        string
	Fills         []ShiftedFill // in input order
}

// PDC computes the Proportion of Days Covered. Fills before the period
// count only through the supply they carry into it; fills after it are
// ignored. It returns an error only for invalid input.
func PDC(fills []Fill, o PDCOptions) (PDCResult, error) {
	o = o.withDefaults()
	if o.PeriodStart.IsZero() || o.PeriodEnd.IsZero() {
		return PDCResult{}, fmt.Errorf("pdc: measurement period start and end are required")
	}
	start, end := dayOf(o.PeriodStart), dayOf(o.PeriodEnd)
	if end < start {
		return PDCResult{}, fmt.Errorf("pdc: period end %s before start %s", o.PeriodEnd.Format(time.DateOnly), o.PeriodStart.Format(time.DateOnly))
	}
	for i, f := range fills {
		switch {
		case f.Date.IsZero():
			return PDCResult{}, fmt.Errorf("pdc: fill %d: missing date of service", i)
		case f.DaysSupply <= 0:
			return PDCResult{}, fmt.Errorf("pdc: fill %d (%s %s): days supply %d must be positive", i, f.Drug, f.Date.Format(time.DateOnly), f.DaysSupply)
		}
	}
	stays := make([][2]int, 0, len(o.Inpatient))
	for i, s := range o.Inpatient {
		a, b := dayOf(s.From), dayOf(s.To)
		if s.From.IsZero() || s.To.IsZero() || b < a {
			return PDCResult{}, fmt.Errorf("pdc: inpatient stay %d: need From <= To", i)
		}
		stays = append(stays, [2]int{a, b})
	}

	res := PDCResult{Fills: make([]ShiftedFill, len(fills))}
	index, dates := -1, map[int]bool{}
	for _, f := range fills {
		if d := dayOf(f.Date); d >= start && d <= end {
			dates[d] = true
			if index < 0 || d < index {
				index = d
			}
		}
	}
	covered := make([]bool, 0)
	if index >= 0 {
		covered = make([]bool, end-index+1)
	}
	inStay := func(d int) bool {
		for _, s := range stays {
			if d >= s[0] && d <= s[1] {
				return true
			}
		}
		return false
	}

	// Shift same-drug fills: each starts no earlier than the day after the
	// previous fill of that drug runs out.
	order := make([]int, len(fills))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		fa, fb := fills[order[a]], fills[order[b]]
		if fa.Drug != fb.Drug {
			return fa.Drug < fb.Drug
		}
		return dayOf(fa.Date) < dayOf(fb.Date)
	})
	nextFree, drug := 0, ""
	for k, i := range order {
		f := fills[i]
		if k == 0 || f.Drug != drug {
			drug, nextFree = f.Drug, dayOf(f.Date)
		}
		first := max(dayOf(f.Date), nextFree)
		last := first
		if dayOf(f.Date) > end {
			// After the period: no effect on the measure.
			res.Fills[i] = ShiftedFill{Fill: f, FirstDose: dateOf(first), LastDose: dateOf(first + f.DaysSupply - 1)}
			nextFree = first + f.DaysSupply
			continue
		}
		for left, d := f.DaysSupply, first; left > 0; d++ {
			if len(stays) > 0 && inStay(d) {
				if left == f.DaysSupply {
					first = d + 1 // supply held while in hospital
				}
				continue
			}
			if index >= 0 && d >= index && d <= end {
				covered[d-index] = true
			}
			last = d
			left--
		}
		nextFree = last + 1
		shown := last
		if first <= end && last > end {
			shown = end // PQA truncates the last dose at the period end
		}
		res.Fills[i] = ShiftedFill{Fill: f, FirstDose: dateOf(first), LastDose: dateOf(shown)}
	}

	if index < 0 {
		res.Reason = "no fill in the measurement period"
		return res, nil
	}
	res.IndexDate = dateOf(index)
	for d := index; d <= end; d++ {
		switch {
		case len(stays) > 0 && inStay(d):
			res.InpatientDays++
		case covered[d-index]:
			res.DaysCovered++
		}
	}
	treatment := end - index + 1
	res.DaysInPeriod = treatment - res.InpatientDays
	if res.DaysInPeriod > 0 {
		res.PDC = float64(res.DaysCovered) / float64(res.DaysInPeriod)
	}
	switch {
	case len(dates) < o.MinFills:
		res.Reason = fmt.Sprintf("%d fill date(s) in the period, the denominator needs %d on distinct dates of service", len(dates), o.MinFills)
	case treatment < o.MinTreatmentDays:
		res.Reason = fmt.Sprintf("index date %s leaves %d days to the end of the period, the denominator needs %d", res.IndexDate.Format(time.DateOnly), treatment, o.MinTreatmentDays)
	case res.DaysInPeriod <= 0:
		res.Reason = "the whole treatment period was spent in hospital"
	default:
		res.Eligible = true
		res.Adherent = res.PDC >= o.Threshold
	}
	return res, nil
}
