package population

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestPage(t *testing.T) {
	src := synthPopulation(t)
	c, err := LoadCohort(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	pg := &Page{Cohort: func(context.Context) (*Cohort, error) { return c, nil },
		Label: func(by, key string) string {
			if by == BySex && key == "female" {
				return "Nữ"
			}
			return ""
		},
		Now: func() time.Time { return time.Date(2025, 6, 15, 0, 0, 0, 0, time.UTC) }}
	tests := []struct {
		url  string
		want []string
		ct   string
	}{
		{"/population?by=sex", []string{"<svg", "Nữ", "Tăng huyết áp", "2025-06", "Tải CSV"}, "text/html"},
		{"/population?by=age&lang=en&registry=diabetes", []string{"<svg", "Diabetes", "Download CSV", "60-69"}, "text/html"},
		{"/population?by=province&format=csv", []string{"key,label,population,registered", "total,total,"}, "text/csv"},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		pg.ServeHTTP(w, httptest.NewRequest("GET", tt.url, nil))
		body := w.Body.String()
		if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), tt.ct) {
			t.Fatalf("%s: %d %s %.300s", tt.url, w.Code, w.Header().Get("Content-Type"), body)
		}
		for _, s := range tt.want {
			if !strings.Contains(body, s) {
				t.Errorf("%s: missing %q", tt.url, s)
			}
		}
		// Released counts are redacted or multiples of 5.
		if tt.ct == "text/csv" {
			for _, line := range strings.Split(strings.TrimSpace(body), "\n")[1:] {
				f := strings.Split(line, ",")
				for _, v := range f[2:6] {
					if v != RedactedText && !strings.HasSuffix(v, "0") && !strings.HasSuffix(v, "5") {
						t.Errorf("unrounded count %q in %q", v, line)
					}
				}
			}
		}
	}
	for _, bad := range []string{"/population?month=June", "/population?by=height", "/population?registry=flu"} {
		w := httptest.NewRecorder()
		pg.ServeHTTP(w, httptest.NewRequest("GET", bad, nil))
		if w.Code != 400 {
			t.Errorf("%s: status %d, want 400", bad, w.Code)
		}
	}
}
