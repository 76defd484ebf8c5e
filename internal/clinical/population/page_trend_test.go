package population

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestTrendChart: months whose denominator disclosure control redacts get
// no dot and break the line; released months get a dot with their rate.
func TestTrendChart(t *testing.T) {
	pg := &Page{}
	row := func(underCare, controlled int) Row { return Row{UnderCare: underCare, Controlled: controlled} }
	pts, err := pg.releaseTrend([]TrendPoint{
		{Month{2024, time.January}, row(20, 10)},
		{Month{2024, time.February}, row(20, 15)},
		{Month{2024, time.March}, row(5, 5)}, // ≤ 7: redacted
		{Month{2024, time.April}, row(40, 10)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{pts[0].Rate, pts[1].Rate, pts[2].Rate, pts[3].Rate}; fmt.Sprint(got) != fmt.Sprint([]string{"50.0", "75.0", "", "25.0"}) {
		t.Errorf("released rates %q", got)
	}
	svg := string(trendChart(pts, "trend <x>"))
	tests := []struct {
		what string
		got  int
		want int
	}{
		{"dots", strings.Count(svg, "<circle"), 3},
		{"line pieces (broken at the redacted month)", strings.Count(svg, " M") + strings.Count(svg, `d="M`), 2},
		{"redaction marks", strings.Count(svg, ">"+RedactedText+"<"), 1},
		{"escaped label", strings.Count(svg, `aria-label="trend &lt;x&gt;"`), 1},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %d, want %d\n%s", tt.what, tt.got, tt.want, svg)
		}
	}
}

// TestPageShowsTrend: the dashboard page carries the 12-month trend of the
// chosen registry, area and month.
func TestPageShowsTrend(t *testing.T) {
	c := &Cohort{People: map[string]*Person{}}
	for i := range 20 {
		id := fmt.Sprintf("p%d", i)
		c.People[id] = &Person{ID: id, Gender: "female", Birth: day(1950, 1, 1), Province: "01",
			Conditions: map[string]time.Time{"I10": day(2023, 1, 1)},
			BP:         []BPReading{{day(2024, 5, 2), 120, 80}}}
	}
	pg := &Page{Cohort: func(context.Context) (*Cohort, error) { return c, nil }}
	w := httptest.NewRecorder()
	pg.ServeHTTP(w, httptest.NewRequest("GET", "/population?month=2024-06&lang=en", nil))
	body := w.Body.String()
	if w.Code != 200 {
		t.Fatalf("%d %s", w.Code, body)
	}
	for _, want := range []string{"12-month trend", `aria-label="Control rate over 12 months"`, ">23-07<", ">24-06<", "2024-06: 100.0%"} {
		if !strings.Contains(body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
