package reminder

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"
)

// Kind is what a reminder is about.
type Kind string

// Kinds of reminder.
const (
	Dose   Kind = "dose"
	Refill Kind = "refill"
)

// State is a reminder's delivery state.
type State string

// Delivery states.
const (
	Pending   State = "pending"   // to send at SendAt (or NextTry after a failure)
	Sent      State = "sent"      // the channel accepted it (Receipt set)
	Failed    State = "failed"    // gave up after MaxAttempts
	Cancelled State = "cancelled" // the dose was confirmed before sending, or the patient said stop
)

// Reminder is one message to send.
type Reminder struct {
	ID         string
	Patient    string // "Patient/123"
	Medication string // display name
	Kind       Kind
	Due        time.Time // the dose time, or the day supply runs out
	SendAt     time.Time
	State      State
	Attempts   int
	NextTry    time.Time
	Receipt    string
	LastError  string
}

// Policy configures planning. Quiet hours are clock offsets from local
// midnight; a window that wraps (22:00–06:00) is allowed.
type Policy struct {
	Lead                 time.Duration // before the dose (default 15 min)
	QuietStart, QuietEnd time.Duration // no message in [start, end)
	RefillLead           int           // days before supply runs out (default 3)
	Loc                  *time.Location
}

func (p Policy) withDefaults() Policy {
	if p.Lead <= 0 {
		p.Lead = 15 * time.Minute
	}
	if p.RefillLead <= 0 {
		p.RefillLead = 3
	}
	if p.Loc == nil {
		p.Loc = time.FixedZone("ICT", 7*3600)
	}
	return p
}

// quiet reports whether t falls in quiet hours and, if so, when they end.
func (p Policy) quiet(t time.Time) (bool, time.Time) {
	if p.QuietStart == p.QuietEnd {
		return false, time.Time{}
	}
	t = t.In(p.Loc)
	midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, p.Loc)
	off := t.Sub(midnight)
	if p.QuietStart < p.QuietEnd {
		if off >= p.QuietStart && off < p.QuietEnd {
			return true, midnight.Add(p.QuietEnd)
		}
		return false, time.Time{}
	}
	switch { // wraps midnight
	case off >= p.QuietStart:
		return true, midnight.AddDate(0, 0, 1).Add(p.QuietEnd)
	case off < p.QuietEnd:
		return true, midnight.Add(p.QuietEnd)
	}
	return false, time.Time{}
}

func id(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// Plan returns the dose reminders for doses (e.g. medication.Schedule's
// times): each sent Lead before the dose; one that would fall in quiet
// hours moves to their end, and is dropped if that is after the dose (a
// 22:00 dose inside 21:00–06:00 quiet hours is not reminded at 06:00).
func Plan(patient, medicine string, doses []time.Time, p Policy) ([]Reminder, error) {
	if patient == "" || medicine == "" {
		return nil, fmt.Errorf("reminder: plan needs a patient and a medicine")
	}
	p = p.withDefaults()
	var out []Reminder
	for _, d := range doses {
		at := d.Add(-p.Lead)
		if q, end := p.quiet(at); q {
			if end.After(d) {
				continue
			}
			at = end
		}
		out = append(out, Reminder{ID: id(patient, medicine, string(Dose), d.UTC().Format(time.RFC3339)),
			Patient: patient, Medication: medicine, Kind: Dose, Due: d, SendAt: at, State: Pending})
	}
	return out, nil
}

// PlanRefill returns the refill reminder for a supply that runs out on
// runsOut (e.g. medication.RefillDue with lead 0): RefillLead days before,
// at 08:00 local time.
func PlanRefill(patient, medicine string, runsOut time.Time, p Policy) Reminder {
	p = p.withDefaults()
	d := runsOut.In(p.Loc).AddDate(0, 0, -p.RefillLead)
	at := time.Date(d.Year(), d.Month(), d.Day(), 8, 0, 0, 0, p.Loc)
	return Reminder{ID: id(patient, medicine, string(Refill), runsOut.UTC().Format(time.DateOnly)),
		Patient: patient, Medication: medicine, Kind: Refill, Due: runsOut, SendAt: at, State: Pending}
}

// Snooze moves a pending reminder later by d.
func (r *Reminder) Snooze(d time.Duration) {
	if r.State == Pending {
		r.SendAt = r.SendAt.Add(d)
		r.NextTry = time.Time{}
	}
}

// Text is the message in Vietnamese and English.
func (r Reminder) Text() (vi, en string) {
	if r.Kind == Refill {
		return fmt.Sprintf("Sen nhắc: thuốc %s sẽ hết vào ngày %s. Bác hãy đi lấy thêm thuốc.", r.Medication, r.Due.Format("02/01")),
			fmt.Sprintf("Sen: your %s runs out on %s. Please get a refill.", r.Medication, r.Due.Format("2 Jan"))
	}
	return fmt.Sprintf("Sen nhắc: đến giờ uống %s lúc %s. Trả lời 1 nếu đã uống, 2 nếu chưa.", r.Medication, r.Due.Format("15:04")),
		fmt.Sprintf("Sen: time for your %s at %s. Reply 1 when taken, 2 if not.", r.Medication, r.Due.Format("15:04"))
}
