package record

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
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

func TestParseAccessWindows(t *testing.T) {
	known := func(r string) error {
		if r == "doctor" || r == "nurse" || r == "researcher" {
			return nil
		}
		return errors.New("unknown role")
	}
	tests := []struct {
		name    string
		specs   []string
		want    map[string]string // role → Describe
		wantErr string
	}{
		{"one role", []string{"researcher=08:00-17:00 mon-fri"}, map[string]string{"researcher": "08:00-17:00 mon,tue,wed,thu,fri"}, ""},
		{"several in one value", []string{"nurse=07:00-19:00 mon-sat; nurse=19:00-07:00;researcher=never"},
			map[string]string{"nurse": "07:00-19:00 mon,tue,wed,thu,fri,sat; 19:00-07:00", "researcher": "never / không có khung giờ nào"}, ""},
		{"repeated flag", []string{"doctor=06:00-22:00", "nurse=never"}, map[string]string{"doctor": "06:00-22:00", "nurse": "never / không có khung giờ nào", "researcher": ""}, ""},
		{"empty is permissive", nil, map[string]string{"doctor": ""}, ""},
		{"unknown role", []string{"janitor=08:00-17:00"}, nil, "unknown role"},
		{"no role", []string{"08:00-17:00"}, nil, "role=HH:MM-HH:MM"},
		{"bad time", []string{"doctor=8-17"}, nil, "HH:MM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := ParseAccessWindows(tt.specs, known)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for role, want := range tt.want {
				if got := a.Describe(role); got != want {
					t.Errorf("%s: %q, want %q", role, got, want)
				}
			}
		})
	}
}

func TestWindowGuard(t *testing.T) {
	ict := time.FixedZone("ICT", 7*3600)
	night := time.Date(2026, 6, 1, 23, 0, 0, 0, ict) // Monday 23:00
	day := time.Date(2026, 6, 1, 10, 0, 0, 0, ict)
	windows, err := ParseAccessWindows([]string{"researcher=08:00-17:00 mon-fri"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	type who struct {
		role           string
		override, user bool
	}
	tests := []struct {
		name string
		who  who
		at   time.Time
		want bool
	}{
		{"researcher in office hours", who{"researcher", false, true}, day, true},
		{"researcher at night", who{"researcher", false, true}, night, false},
		{"researcher at night with break-glass", who{"researcher", true, true}, night, true},
		{"doctor at night (no window)", who{"doctor", false, true}, night, true},
		{"in-process job at night", who{"", false, false}, night, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &memStore{res: map[string]*fhir.Resource{"Basic/b1": {Type: "Basic", ID: "b1", JSON: []byte(`{"resourceType":"Basic"}`)}}}
			var denied []*OutsideWindowError
			g := &WindowGuard{Store: m, Windows: windows, Now: func() time.Time { return tt.at },
				Who:    func(context.Context) (string, bool, bool) { return tt.who.role, tt.who.override, tt.who.user },
				Denied: func(_ context.Context, e *OutsideWindowError) { denied = append(denied, e) }}
			ctx := context.Background()
			_, readErr := g.Read(ctx, "Basic", "b1")
			_, searchErr := g.Search(ctx, &search.Query{Type: "Basic"})
			_, histErr := g.History(ctx, store.HistoryQuery{})
			wrote := false
			updErr := g.Update(ctx, func(store.Tx) error { wrote = true; return nil })
			for _, err := range []error{readErr, searchErr, histErr, updErr} {
				if got := err == nil; got != tt.want {
					t.Fatalf("allowed=%v (%v), want %v", got, err, tt.want)
				}
				if err != nil {
					var fe *fhir.Error
					if !errors.As(err, &fe) || fhir.StatusOf(err) != 403 || len(fe.Issues) != 2 ||
						!strings.Contains(fe.Issues[0].Diagnostics, "08:00-17:00") || !strings.Contains(fe.Issues[1].Diagnostics, "outside its access window") {
						t.Fatalf("refusal %#v: want 403 with a Vietnamese and an English issue naming the window", err)
					}
				}
			}
			if wrote != tt.want {
				t.Errorf("transaction ran: %v, want %v", wrote, tt.want)
			}
			if got := len(denied); (got == 4) == tt.want || (got != 0) == tt.want {
				t.Errorf("%d refusals reported, want %d", got, map[bool]int{true: 0, false: 4}[tt.want])
			}
		})
	}
}
