package population

import (
	"fmt"
	"sort"
	"time"

	"github.com/sen-emr/sen/internal/clinical/medication"
)

// Dashboard dimensions.
const (
	ByProvince = "province"
	ByCommune  = "commune"
	ByAgeBand  = "age"
	BySex      = "sex"
)

// Row is one group of a dashboard: raw counts (release them through SDC
// before they leave the server for anyone but the care team).
type Row struct {
	Key        string // province or commune code, age band, or sex
	Label      string // display name (filled by the caller's Labeler)
	Population int    // people alive in the group
	Adults     int    // aged 18 and over
	Registered int    // in the registry (alive)
	New        int    // registered in the past 3 months
	UnderCare  int    // in the control denominator
	Controlled int
	Visited    int // under care with a reading in the past 3 months
	LTFU       int // 12-month lost to follow-up
	// Adherence: PDC over the 12 months to the end of the reference month,
	// for registered patients with PQA-eligible fills of the registry's
	// medicines.
	PDCPatients int
	Adherent    int     // PDC >= 0.80
	PDCSum      float64 // for the mean
}

// Prevalence is registered / adults (the registries are adult conditions).
func (r Row) Prevalence() float64 { return ratio(r.Registered, r.Adults) }

// ControlRate is controlled / under care (HEARTS: patients registered
// before the past 3 months, visited in the past 12).
func (r Row) ControlRate() float64 { return ratio(r.Controlled, r.UnderCare) }

// FollowUpRate is the share of under-care patients seen with a reading in
// the past 3 months.
func (r Row) FollowUpRate() float64 { return ratio(r.Visited, r.UnderCare) }

// PDCMean is the mean PDC of the measured patients.
func (r Row) PDCMean() float64 {
	if r.PDCPatients == 0 {
		return 0
	}
	return r.PDCSum / float64(r.PDCPatients)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// DashboardQuery selects a dashboard.
type DashboardQuery struct {
	Registry string // registry id
	By       string // ByProvince, ByCommune, ByAgeBand, BySex
	Month    Month  // reference month
	Province string // restrict to one province (e.g. communes of it); "" for all
}

// Dashboard aggregates the cohort. Dead people are excluded from every
// figure (HEARTS). Rows are sorted by key; the last row is the total.
func (c *Cohort) Dashboard(q DashboardQuery) ([]Row, error) {
	reg, ok := RegistryByID(q.Registry)
	if !ok {
		return nil, fmt.Errorf("population: unknown registry %q", q.Registry)
	}
	switch q.By {
	case ByProvince, ByCommune, ByAgeBand, BySex:
	default:
		return nil, fmt.Errorf("population: unknown dimension %q (want province, commune, age or sex)", q.By)
	}
	end := time.Date(q.Month.Year, q.Month.Month+1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	groups := map[string]*Row{}
	total := &Row{Key: "total"}
	for _, p := range c.Sorted() {
		if p.Dead || (q.Province != "" && p.Province != q.Province) {
			continue
		}
		age := p.Age(end)
		if !p.Birth.IsZero() && p.Birth.After(end) {
			continue // not yet born
		}
		var key string
		switch q.By {
		case ByProvince:
			key = p.Province
		case ByCommune:
			key = p.Commune
		case ByAgeBand:
			key = AgeBand(age)
		case BySex:
			key = p.Gender
		}
		if key == "" {
			key = "unknown"
		}
		g := groups[key]
		if g == nil {
			g = &Row{Key: key}
			groups[key] = g
		}
		for _, r := range []*Row{g, total} {
			r.Population++
			if age >= 18 {
				r.Adults++
			}
		}
		regDate, in := reg.Registered(p)
		if !in || regDate.After(end) {
			continue
		}
		status := reg.Status(p, q.Month)
		var pdc *medication.PDCResult
		if len(reg.ATC) > 0 {
			pdc = adherence(p, reg.ATC, end)
		}
		for _, r := range []*Row{g, total} {
			r.Registered++
			switch status {
			case HeartsNew:
				r.New++
			case HeartsLTFU:
				r.LTFU++
			}
			if HeartsUnderCare(status) {
				r.UnderCare++
				if status != HeartsNoVisit {
					r.Visited++
				}
				if status == HeartsControlled {
					r.Controlled++
				}
			}
			if pdc != nil && pdc.Eligible {
				r.PDCPatients++
				r.PDCSum += pdc.PDC
				if pdc.Adherent {
					r.Adherent++
				}
			}
		}
	}
	rows := make([]Row, 0, len(groups)+1)
	for _, k := range sortedKeys(groups) {
		rows = append(rows, *groups[k])
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Key < rows[j].Key })
	return append(rows, *total), nil
}

// adherence is the PQA PDC of p's fills in the classes over the year to end.
func adherence(p *Person, classes []string, end time.Time) *medication.PDCResult {
	var fills []medication.Fill
	for _, f := range p.Fills {
		if atcIn(f.Drug, classes) {
			fills = append(fills, f)
		}
	}
	if len(fills) == 0 {
		return nil
	}
	res, err := medication.PDC(fills, medication.PDCOptions{PeriodStart: end.AddDate(-1, 0, 1), PeriodEnd: end})
	if err != nil {
		return nil
	}
	return &res
}
