package research

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/sen-emr/sen/internal/clinical/population"
)

// writeAggregate writes the registry's dashboard for r.By and r.Month as
// CSV, every count released through population.SDC (OpenSAFELY's
// redact ≤ 7, round to 5); the total row is the sum of the released cells
// of each column, never the raw total, so that no hidden cell can be
// recovered by subtraction. It returns the number of data rows.
func writeAggregate(c *population.Cohort, r *Request, w io.Writer) (int, error) {
	month, err := population.ParseMonth(r.Month)
	if err != nil {
		return 0, fmt.Errorf("research: %w", err)
	}
	rows, err := c.Dashboard(population.DashboardQuery{Registry: r.Registry, By: r.By, Month: month})
	if err != nil {
		return 0, fmt.Errorf("research: %w", err)
	}
	rows = rows[:len(rows)-1] // the raw total: replaced by sums of released cells
	cols := []struct {
		name string
		get  func(population.Row) int
	}{
		{"registered", func(r population.Row) int { return r.Registered }},
		{"under_care", func(r population.Row) int { return r.UnderCare }},
		{"controlled", func(r population.Row) int { return r.Controlled }},
		{"lost_to_follow_up", func(r population.Row) int { return r.LTFU }},
	}
	var sdc population.SDC
	released := make([][]population.Cell, len(cols))
	totals := make([]int, len(cols))
	for i, col := range cols {
		counts := make([]int, len(rows))
		for j, row := range rows {
			counts[j] = col.get(row)
		}
		if released[i], totals[i], err = sdc.ReleaseColumn(counts); err != nil {
			return 0, fmt.Errorf("research: %s: %w", col.name, err)
		}
	}
	cw := csv.NewWriter(w)
	header := []string{r.By}
	for _, col := range cols {
		header = append(header, col.name)
	}
	_ = cw.Write(header)
	for j, row := range rows {
		rec := []string{row.Key}
		for i := range cols {
			rec = append(rec, released[i][j].String())
		}
		_ = cw.Write(rec)
	}
	rec := []string{"total"}
	for i := range cols {
		rec = append(rec, strconv.Itoa(totals[i]))
	}
	_ = cw.Write(rec)
	cw.Flush()
	if err := cw.Error(); err != nil {
		return 0, fmt.Errorf("research: write aggregate: %w", err)
	}
	return len(rows), nil
}
