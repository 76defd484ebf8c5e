package population

import "fmt"

// maxTrendMonths bounds a trend: ten years of months.
const maxTrendMonths = 120

// TrendPoint is one month of a trend: the dashboard's total row for the
// registry as at the end of that month.
type TrendPoint struct {
	Month Month
	Row   Row
}

// Trend answers "is control improving?": the registry's figures month by
// month from from to to inclusive, each computed exactly as the dashboard
// computes its reference month (HEARTS cohort rules, dead people left out
// of every month), restricted to one province when province is set.
// Counts are raw: release them through SDC before showing them.
func (c *Cohort) Trend(registry string, from, to Month, province string) ([]TrendPoint, error) {
	if to.Before(from) {
		return nil, fmt.Errorf("population: trend from %s to %s: the end is before the start", from, to)
	}
	if n := to.index() - from.index() + 1; n > maxTrendMonths {
		return nil, fmt.Errorf("population: trend of %d months: at most %d", n, maxTrendMonths)
	}
	var out []TrendPoint
	for m := from; !to.Before(m); m = m.Add(1) {
		rows, err := c.Dashboard(DashboardQuery{Registry: registry, By: BySex, Month: m, Province: province})
		if err != nil {
			return nil, fmt.Errorf("population: trend %s: %w", m, err)
		}
		out = append(out, TrendPoint{Month: m, Row: rows[len(rows)-1]})
	}
	return out, nil
}
