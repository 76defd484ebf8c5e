package reminder

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sen-emr/sen/internal/clinical/medication"
)

// Dispatcher sends due reminders through one channel.
type Dispatcher struct {
	Channel Channel
	Now     func() time.Time
	// MaxAttempts before a reminder fails (default 4); Backoff is the
	// first retry delay, doubled each time (default 1 min). A permanent
	// error (Permanent) fails it at once.
	MaxAttempts int
	Backoff     time.Duration
	// Address returns the patient's address on the channel and whether
	// they prefer English; false means no consent or no address: the
	// reminder is cancelled, never sent.
	Address func(patient string) (to string, english, ok bool)
}

// Dispatch sends every pending reminder whose time has come (SendAt, or
// NextTry after a failure) and returns the reminders with their new
// state. Reminders already sent, failed or cancelled are returned as
// they are, so calling Dispatch again never sends twice.
func (d Dispatcher) Dispatch(ctx context.Context, rs []Reminder) []Reminder {
	maxA := d.MaxAttempts
	if maxA <= 0 {
		maxA = 4
	}
	backoff := d.Backoff
	if backoff <= 0 {
		backoff = time.Minute
	}
	now := d.Now()
	out := append([]Reminder(nil), rs...)
	for i := range out {
		r := &out[i]
		if r.State != Pending || r.SendAt.After(now) || (!r.NextTry.IsZero() && r.NextTry.After(now)) {
			continue
		}
		to, english, ok := d.Address(r.Patient)
		if !ok {
			r.State = Cancelled
			r.LastError = "no consent or no address on " + d.Channel.Name()
			continue
		}
		vi, en := r.Text()
		receipt, err := d.Channel.Send(ctx, Message{To: to, Reminder: *r, VI: vi, EN: en, English: english})
		r.Attempts++
		if err == nil {
			r.State, r.Receipt, r.LastError = Sent, receipt, ""
			continue
		}
		r.LastError = err.Error()
		if r.Attempts >= maxA || Permanent(err) {
			r.State = Failed
			continue
		}
		r.NextTry = now.Add(backoff << (r.Attempts - 1))
	}
	return out
}

// Cancel marks pending dose reminders of doses already confirmed (taken)
// as cancelled: a patient who took the medicine early is not reminded.
func Cancel(rs []Reminder, taken func(medicine string, due time.Time) bool) {
	for i := range rs {
		if rs[i].State == Pending && rs[i].Kind == Dose && taken(rs[i].Medication, rs[i].Due) {
			rs[i].State = Cancelled
		}
	}
}

// Communication renders a delivered reminder as a FHIR Communication (the
// delivery receipt kept in the record).
func (r Reminder) Communication(channel string) ([]byte, error) {
	if r.State != Sent {
		return nil, fmt.Errorf("reminder %s: state %s has no receipt", r.ID, r.State)
	}
	vi, _ := r.Text()
	return json.Marshal(map[string]any{
		"resourceType": "Communication", "status": "completed",
		"identifier": []any{map[string]any{"system": "https://sen-emr.github.io/fhir/sid/reminder", "value": r.ID}},
		"category":   []any{map[string]any{"text": "Nhắc uống thuốc / Medication reminder"}},
		"medium":     []any{map[string]any{"text": channel}},
		"subject":    map[string]any{"reference": r.Patient}, "recipient": []any{map[string]any{"reference": r.Patient}},
		"sent":    r.SendAt.Format(time.RFC3339),
		"payload": []any{map[string]any{"contentString": vi}},
		"note":    []any{map[string]any{"text": "gateway receipt " + r.Receipt}},
	})
}

// ConsecutiveMissed counts the doses missed in a row, most recent first,
// among confirmations due by now (doses not yet overdue by window are
// left out).
func ConsecutiveMissed(confs []medication.Confirmation, now time.Time, window time.Duration) int {
	if window <= 0 {
		window = medication.DefaultTimingWindow
	}
	n := 0
	for i := len(confs) - 1; i >= 0; i-- {
		c := confs[i]
		if c.Scheduled.Add(window).After(now) {
			continue
		}
		if !c.Taken.IsZero() {
			break
		}
		n++
	}
	return n
}

// Escalation returns a FHIR Task for the care team when missed ≥ n and
// the patient consented to their caregiver/care team being told; ok is
// false otherwise. The Task's identifier makes it idempotent per patient
// and day when the caller writes it with a conditional create.
func Escalation(patient, careTeam string, missed, n int, consent bool, now time.Time) (task []byte, ok bool, err error) {
	if n <= 0 || missed < n || !consent {
		return nil, false, nil
	}
	b, err := json.Marshal(map[string]any{
		"resourceType": "Task", "status": "requested", "intent": "order", "priority": "urgent",
		"identifier":  []any{map[string]any{"system": "https://sen-emr.github.io/fhir/sid/escalation", "value": id(patient, "missed", now.Format(time.DateOnly))}},
		"code":        map[string]any{"text": "Liên hệ người bệnh bỏ liều / Contact patient about missed doses"},
		"description": fmt.Sprintf("Người bệnh đã bỏ %d liều liên tiếp. / Patient missed %d doses in a row.", missed, missed),
		"for":         map[string]any{"reference": patient},
		"owner":       map[string]any{"reference": careTeam},
		"authoredOn":  now.Format(time.RFC3339),
	})
	if err != nil {
		return nil, false, fmt.Errorf("escalation: %w", err)
	}
	return b, true, nil
}
