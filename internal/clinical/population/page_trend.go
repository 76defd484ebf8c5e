package population

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
)

// trendMonths is how far back the dashboard's trend chart looks.
const trendMonths = 12

// trendPoint is one month of the released trend: the control rate, or
// nothing when its denominator (under care) is redacted by disclosure
// control.
type trendPoint struct {
	Month string
	Rate  string // "" when redacted
	Value float64
}

// releaseTrend puts each month's denominator through disclosure control,
// as the table does, so that the trend shows no rate the table would hide.
func (pg *Page) releaseTrend(points []TrendPoint) ([]trendPoint, error) {
	out := make([]trendPoint, 0, len(points))
	for _, p := range points {
		c, err := pg.SDC.Release(p.Row.UnderCare)
		if err != nil {
			return nil, fmt.Errorf("population: trend %s: %w", p.Month, err)
		}
		tp := trendPoint{Month: p.Month.String()}
		if !c.Redacted {
			tp.Value = p.Row.ControlRate()
			tp.Rate = strconv.FormatFloat(100*tp.Value, 'f', 1, 64)
		}
		out = append(out, tp)
	}
	return out, nil
}

// trendChart draws the control rate month by month as an SVG line with a
// dot per released month; redacted months break the line and are marked
// on the axis with RedactedText.
func trendChart(points []trendPoint, label string) template.HTML {
	const width, height, left, right, top, bottom = 560, 200, 40, 10, 10, 40
	plotW, plotH := width-left-right, height-top-bottom
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="%s" width="%d" height="%d" viewBox="0 0 %d %d">`,
		template.HTMLEscapeString(label), width, height, width, height)
	for _, pct := range []int{0, 50, 100} {
		y := top + plotH - pct*plotH/100
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#ddd"/><text x="%d" y="%d" font-size="11" text-anchor="end">%d%%</text>`,
			left, y, width-right, y, left-4, y+4, pct)
	}
	step := 0
	if len(points) > 1 {
		step = plotW / (len(points) - 1)
	}
	var path strings.Builder
	pen := false
	for i, p := range points {
		x := left + i*step
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="10" text-anchor="middle">%s</text>`, x, height-bottom+14, template.HTMLEscapeString(p.Month[2:]))
		if p.Rate == "" {
			fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="10" text-anchor="middle">%s</text>`, x, height-bottom+28, template.HTMLEscapeString(RedactedText))
			pen = false
			continue
		}
		y := top + plotH - int(p.Value*float64(plotH))
		if pen {
			fmt.Fprintf(&path, " L%d %d", x, y)
		} else {
			fmt.Fprintf(&path, " M%d %d", x, y)
		}
		pen = true
		fmt.Fprintf(&b, `<circle cx="%d" cy="%d" r="3" fill="#1565c0"><title>%s: %s%%</title></circle>`, x, y, template.HTMLEscapeString(p.Month), p.Rate)
	}
	if path.Len() > 0 {
		fmt.Fprintf(&b, `<path d="%s" fill="none" stroke="#1565c0" stroke-width="2"/>`, strings.TrimSpace(path.String()))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every interpolated string above is escaped or numeric
}
