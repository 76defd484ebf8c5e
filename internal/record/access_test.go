package record

import (
	"strings"
	"testing"
	"time"
)

func mustWindow(tb testing.TB, s string) Window {
	tb.Helper()
	w, err := ParseWindow(s)
	if err != nil {
		tb.Fatal(err)
	}
	return w
}

func TestAccessWindows(t *testing.T) {
	ict := time.FixedZone("ICT", 7*3600)
	at := func(day, hour, min int) time.Time { return time.Date(2026, 6, day, hour, min, 0, 0, ict) } // 1 June 2026 is a Monday
	a := AccessWindows{Roles: map[string][]Window{
		"researcher": {mustWindow(t, "08:00-17:00 mon-fri")},
		"nurse":      {mustWindow(t, "19:00-07:00"), mustWindow(t, "07:00-19:00 mon-sat")},
		"student":    {mustWindow(t, "13:30-16:30 tue,thu")},
		"contractor": {},
	}}
	tests := []struct {
		role string
		t    time.Time
		want bool
	}{
		{"doctor", at(7, 3, 0), true},                                      // no windows: unrestricted
		{"researcher", at(1, 8, 0), true},                                  // Monday, opening minute
		{"researcher", at(1, 16, 59), true},                                // last minute
		{"researcher", at(1, 17, 0), false},                                // closing minute is outside
		{"researcher", at(1, 7, 59), false},                                // before
		{"researcher", at(6, 10, 0), false},                                // Saturday
		{"nurse", at(7, 23, 0), true},                                      // Sunday night shift
		{"nurse", at(8, 6, 59), true},                                      // the same shift after midnight
		{"nurse", at(7, 12, 0), false},                                     // Sunday day: no window
		{"student", at(2, 14, 0), true},                                    // Tuesday afternoon
		{"student", at(3, 14, 0), false},                                   // Wednesday
		{"contractor", at(2, 10, 0), false},                                // empty list: never
		{"researcher", time.Date(2026, 6, 1, 1, 30, 0, 0, time.UTC), true}, // 08:30 ICT given in UTC
	}
	for _, tt := range tests {
		err := a.Allow(tt.role, tt.t)
		if got := err == nil; got != tt.want {
			t.Errorf("Allow(%s, %s) = %v, want allowed=%v", tt.role, tt.t.Format("Mon 15:04 MST"), err, tt.want)
		}
		if err != nil && (!strings.Contains(err.Error(), "khung giờ") || !strings.Contains(err.Error(), "access window")) {
			t.Errorf("message not bilingual: %v", err)
		}
	}
}

func TestParseWindowErrors(t *testing.T) {
	for _, in := range []string{"", "0800-1700", "08:00", "25:00-26:00", "08:00-17:00 funday", "08:00-17:00 mon tue"} {
		if _, err := ParseWindow(in); err == nil {
			t.Errorf("ParseWindow(%q): no error", in)
		}
	}
	w := mustWindow(t, "22:00-06:00 fri-mon")
	if got, want := len(w.Days), 4; got != want {
		t.Errorf("fri-mon: %d days, want %d", got, want)
	}
}
