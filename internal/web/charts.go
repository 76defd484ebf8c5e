package web

import (
	"fmt"
	"html"
	"math"
	"strings"
	"time"
)

// point is one measurement of a trend.
type point struct {
	T time.Time
	V float64
}

// series is one line of a chart.
type series struct {
	Name   string
	Class  string  // CSS class giving the line its colour
	Points []point // oldest first
}

// chartSize is the drawing area in SVG user units; the SVG scales to its
// container (viewBox), so a phone shows the same chart smaller.
const (
	chartW, chartH = 320.0, 120.0
	padL, padR     = 34.0, 8.0
	padT, padB     = 8.0, 18.0
)

// trendChart draws series as an inline SVG line chart with a shaded target
// band [bandLo, bandHi] (skipped when both are 0). label is the accessible
// name. All text is escaped; the result is safe to embed.
func trendChart(label string, ss []series, bandLo, bandHi float64) string {
	var pts []point
	for _, s := range ss {
		pts = append(pts, s.Points...)
	}
	if len(pts) == 0 {
		return ""
	}
	t0, t1 := pts[0].T, pts[0].T
	v0, v1 := pts[0].V, pts[0].V
	for _, p := range pts {
		if p.T.Before(t0) {
			t0 = p.T
		}
		if p.T.After(t1) {
			t1 = p.T
		}
		v0, v1 = math.Min(v0, p.V), math.Max(v1, p.V)
	}
	if bandLo != 0 || bandHi != 0 {
		v0, v1 = math.Min(v0, bandLo), math.Max(v1, bandHi)
	}
	// Pad the value range so lines do not touch the frame.
	span := v1 - v0
	if span == 0 {
		span = math.Max(1, math.Abs(v1)*0.1)
	}
	v0, v1 = v0-span*0.1, v1+span*0.1
	tspan := t1.Sub(t0).Seconds()
	x := func(t time.Time) float64 {
		if tspan == 0 {
			return padL + (chartW-padL-padR)/2
		}
		return padL + (chartW-padL-padR)*t.Sub(t0).Seconds()/tspan
	}
	y := func(v float64) float64 { return padT + (chartH-padT-padB)*(1-(v-v0)/(v1-v0)) }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %.0f %.0f" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, chartW, chartH, html.EscapeString(label))
	fmt.Fprintf(&b, `<title>%s</title>`, html.EscapeString(label))
	if bandLo != 0 || bandHi != 0 {
		fmt.Fprintf(&b, `<rect class="band" x="%.1f" y="%.1f" width="%.1f" height="%.1f"/>`, padL, y(bandHi), chartW-padL-padR, y(bandLo)-y(bandHi))
	}
	fmt.Fprintf(&b, `<line class="axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, padL, chartH-padB, chartW-padR, chartH-padB)
	fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, padL-4, y(v1-span*0.1)+4, formatNumber(v1-span*0.1))
	fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, padL-4, y(v0+span*0.1)+4, formatNumber(v0+span*0.1))
	fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f">%s</text>`, padL, chartH-4, t0.Format("01/2006"))
	fmt.Fprintf(&b, `<text class="tick" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, chartW-padR, chartH-4, t1.Format("01/2006"))
	if len(ss) > 1 {
		// A legend names the lines when there are several (systolic and
		// diastolic pressure share one chart).
		lx := chartW - padR
		for i := len(ss) - 1; i >= 0; i-- {
			fmt.Fprintf(&b, `<text class="legend %s" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, html.EscapeString(ss[i].Class), lx, padT+8, html.EscapeString(ss[i].Name))
			lx -= float64(len([]rune(ss[i].Name)))*5.5 + 10
		}
	}
	for _, s := range ss {
		if len(s.Points) == 0 {
			continue
		}
		fmt.Fprintf(&b, `<polyline class="line %s" points="`, html.EscapeString(s.Class))
		for i, p := range s.Points {
			if i > 0 {
				b.WriteByte(' ')
			}
			fmt.Fprintf(&b, "%.1f,%.1f", x(p.T), y(p.V))
		}
		b.WriteString(`"/>`)
		last := s.Points[len(s.Points)-1]
		fmt.Fprintf(&b, `<circle class="dot %s" cx="%.1f" cy="%.1f" r="3"><title>%s %s: %s</title></circle>`,
			html.EscapeString(s.Class), x(last.T), y(last.V), html.EscapeString(s.Name), last.T.Format("02/01/2006"), formatNumber(last.V))
	}
	b.WriteString(`</svg>`)
	return b.String()
}
