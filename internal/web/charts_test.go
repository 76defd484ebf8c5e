package web

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

func TestTrendChart(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2026, 1, d, 8, 0, 0, 0, time.UTC) }
	bp := []series{
		{Name: "Tâm thu <script>", Class: "s1", Points: []point{{day(1), 150}, {day(10), 142}, {day(20), 131}}},
		{Name: "Tâm trương", Class: "s2", Points: []point{{day(1), 95}, {day(10), 90}, {day(20), 84}}},
	}
	tests := []struct {
		name      string
		ss        []series
		lo, hi    float64
		wantEmpty bool
		wantParts []string
	}{
		{"no data", nil, 0, 0, true, nil},
		{"blood pressure", bp, 70, 140, false, []string{`class="band"`, `class="line s1"`, `class="line s2"`, "01/2026", "Tâm thu &lt;script&gt; 20/01/2026: 131"}},
		{"one point", []series{{Name: "HbA1c", Class: "s1", Points: []point{{day(3), 7.2}}}}, 4, 7, false, []string{"HbA1c 03/01/2026: 7.2"}},
		{"flat", []series{{Name: "w", Class: "s1", Points: []point{{day(1), 60}, {day(2), 60}}}}, 0, 0, false, []string{`points="`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := trendChart("chart <label>", tt.ss, tt.lo, tt.hi)
			if tt.wantEmpty {
				if got != "" {
					t.Fatalf("got %q, want empty", got)
				}
				return
			}
			// Well-formed XML: nothing the data holds can break out.
			if err := xml.Unmarshal([]byte(got), new(struct{})); err != nil {
				t.Fatalf("not well-formed SVG: %v\n%s", err, got)
			}
			if strings.Contains(got, "NaN") || strings.Contains(got, "Inf") {
				t.Errorf("non-finite coordinate in %s", got)
			}
			for _, w := range append(tt.wantParts, `aria-label="chart &lt;label&gt;"`) {
				if !strings.Contains(got, w) {
					t.Errorf("chart lacks %q\n%s", w, got)
				}
			}
		})
	}
}
