package record

import (
	"fmt"
	"strings"
	"time"
)

// Time-of-day access windows per role (technical guidance
// 365/TTYQG-GPQLCL function (g): role-based access, time-of-day access
// windows, blocking of unauthorised access). The guidance requires that a
// facility can set them; which windows apply is the facility's internal
// rule (Circular 13/2025 Art. 6(3)(b)), so Sen ships none by default.

// Window is a daily period in which a role may use the record, in the
// facility's local time. From == To means all day; From > To crosses
// midnight (a night shift 19:00–07:00). Days empty means every day.
type Window struct {
	From, To time.Duration // since local midnight
	Days     []time.Weekday
}

// AccessWindows maps a role ("doctor", "researcher", …) to its windows. A
// role with no entry is not restricted; a role with an empty, non-nil list
// may never use the record.
type AccessWindows struct {
	Roles map[string][]Window
	Zone  *time.Location // nil: Vietnam time (UTC+7)
}

// ParseWindow reads "07:00-17:30", optionally followed by days:
// "07:00-17:30 mon-fri" or "19:00-07:00 sat,sun".
func ParseWindow(s string) (Window, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 || len(fields) > 2 {
		return Window{}, fmt.Errorf("access window %q: want HH:MM-HH:MM [days] / khung giờ không hợp lệ", s)
	}
	from, to, ok := strings.Cut(fields[0], "-")
	if !ok {
		return Window{}, fmt.Errorf("access window %q: want HH:MM-HH:MM / khung giờ không hợp lệ", s)
	}
	var w Window
	var err error
	if w.From, err = clock(from); err != nil {
		return Window{}, fmt.Errorf("access window %q: %w", s, err)
	}
	if w.To, err = clock(to); err != nil {
		return Window{}, fmt.Errorf("access window %q: %w", s, err)
	}
	if len(fields) == 2 {
		if w.Days, err = days(fields[1]); err != nil {
			return Window{}, fmt.Errorf("access window %q: %w", s, err)
		}
	}
	return w, nil
}

func clock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		if s == "24:00" {
			return 24 * time.Hour, nil
		}
		return 0, fmt.Errorf("time %q: want HH:MM", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

var dayNames = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

func dayOf(s string) (time.Weekday, error) {
	for i, n := range dayNames {
		if s == n {
			return time.Weekday(i), nil
		}
	}
	return 0, fmt.Errorf("day %q: want one of %s", s, strings.Join(dayNames, ","))
}

// days reads "mon-fri", "sat,sun" or a mix: "mon-wed,sat".
func days(s string) ([]time.Weekday, error) {
	var out []time.Weekday
	for _, part := range strings.Split(strings.ToLower(s), ",") {
		a, b, isRange := strings.Cut(part, "-")
		first, err := dayOf(a)
		if err != nil {
			return nil, err
		}
		if !isRange {
			out = append(out, first)
			continue
		}
		last, err := dayOf(b)
		if err != nil {
			return nil, err
		}
		for d := first; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == last {
				break
			}
		}
	}
	return out, nil
}

// Allow says whether role may use the record at t. When it may not, the
// error says so in Vietnamese and English and names the windows.
func (a AccessWindows) Allow(role string, t time.Time) error {
	ws, ok := a.Roles[role]
	if !ok {
		return nil
	}
	zone := a.Zone
	if zone == nil {
		zone = time.FixedZone("ICT", 7*3600)
	}
	local := t.In(zone)
	for _, w := range ws {
		if w.contains(local) {
			return nil
		}
	}
	return &OutsideWindowError{Role: role, At: local, Windows: describe(ws)}
}

// OutsideWindowError refuses a role outside its access windows.
type OutsideWindowError struct {
	Role    string
	At      time.Time // in the facility's zone
	Windows string    // the role's windows, as configured
}

// Vietnamese is the refusal in Vietnamese.
func (e *OutsideWindowError) Vietnamese() string {
	return fmt.Sprintf("vai trò %s không được truy cập hồ sơ lúc %s (ngoài khung giờ cho phép: %s); khi cấp cứu, dùng truy cập khẩn cấp và ghi rõ lý do",
		e.Role, e.At.Format("15:04 02/01/2006"), e.Windows)
}

// English is the refusal in English.
func (e *OutsideWindowError) English() string {
	return fmt.Sprintf("role %s may not use the record at %s (outside its access window: %s); in an emergency, break the glass with a reason",
		e.Role, e.At.Format("15:04 Mon 2006-01-02"), e.Windows)
}

func (e *OutsideWindowError) Error() string { return e.Vietnamese() + " / " + e.English() }

func (w Window) contains(t time.Time) bool {
	mid := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	since := t.Sub(mid)
	day := t.Weekday()
	if w.From == w.To {
		return w.onDay(day)
	}
	if w.From < w.To {
		return w.onDay(day) && since >= w.From && since < w.To
	}
	// Crosses midnight: the evening part belongs to the day it starts,
	// the early-morning part to the day before.
	if since >= w.From {
		return w.onDay(day)
	}
	return since < w.To && w.onDay((day+6)%7)
}

func (w Window) onDay(d time.Weekday) bool {
	if len(w.Days) == 0 {
		return true
	}
	for _, x := range w.Days {
		if x == d {
			return true
		}
	}
	return false
}

func describe(ws []Window) string {
	if len(ws) == 0 {
		return "never / không có khung giờ nào"
	}
	var parts []string
	for _, w := range ws {
		s := fmt.Sprintf("%02d:%02d-%02d:%02d", int(w.From.Hours()), int(w.From.Minutes())%60, int(w.To.Hours()), int(w.To.Minutes())%60)
		if len(w.Days) > 0 {
			var ds []string
			for _, d := range w.Days {
				ds = append(ds, dayNames[d])
			}
			s += " " + strings.Join(ds, ",")
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, "; ")
}

// ParseAccessWindows reads the windows of several roles, as sen serve's
// --access-window flag (repeatable) and the configuration file give them.
// Each spec is one or more "role=WINDOW" entries separated by ";", where
// WINDOW is what ParseWindow reads, or "never". Entries for the same role
// add windows: "nurse=07:00-19:00 mon-sat; nurse=19:00-07:00". A role
// named nowhere is unrestricted. known, when set, checks role names.
func ParseAccessWindows(specs []string, known func(role string) error) (AccessWindows, error) {
	a := AccessWindows{Roles: map[string][]Window{}}
	for _, spec := range specs {
		for _, entry := range strings.Split(spec, ";") {
			entry = strings.TrimSpace(entry)
			if entry == "" {
				continue
			}
			role, win, ok := strings.Cut(entry, "=")
			role, win = strings.TrimSpace(role), strings.TrimSpace(win)
			if !ok || role == "" || win == "" {
				return AccessWindows{}, fmt.Errorf("access window %q: want role=HH:MM-HH:MM [days] / khung giờ phải có dạng vai-trò=HH:MM-HH:MM [ngày]", entry)
			}
			if known != nil {
				if err := known(role); err != nil {
					return AccessWindows{}, fmt.Errorf("access window %q: %w", entry, err)
				}
			}
			if win == "never" {
				if _, seen := a.Roles[role]; !seen {
					a.Roles[role] = []Window{}
				}
				continue
			}
			w, err := ParseWindow(win)
			if err != nil {
				return AccessWindows{}, err
			}
			a.Roles[role] = append(a.Roles[role], w)
		}
	}
	return a, nil
}

// Describe names the windows of role, "" when it is unrestricted.
func (a AccessWindows) Describe(role string) string {
	ws, ok := a.Roles[role]
	if !ok {
		return ""
	}
	return describe(ws)
}
