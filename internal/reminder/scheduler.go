package reminder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sen-emr/sen/internal/clinical/medication"
	"github.com/sen-emr/sen/internal/job"
)

// Job kinds the Scheduler handles.
const (
	JobPlan = "reminder-plan" // plan the next Horizon of reminders for every enrolled patient
	JobSend = "reminder-send" // deliver one reminder
)

// Source is the part of the record the scheduler reads.
type Source interface {
	// EachPatient calls fn with every Patient resource.
	EachPatient(ctx context.Context, fn func(patient []byte) error) error
	// Medications returns a patient's medication resources.
	Medications(ctx context.Context, patientID string) (medication.Records, error)
}

// Scheduler plans dose and refill reminders into a persistent job queue
// and delivers them through a Channel. Each reminder is one job keyed by
// the reminder id, so re-planning (every hour, after a restart) never
// queues it twice, a delivery interrupted by a crash is retried, and
// failed sends back off and retry (job.Runner's policy).
type Scheduler struct {
	Source  Source
	Queue   *job.Queue
	Channel Channel
	Policy  Policy
	Meals   medication.MealTimes
	// Horizon is how far ahead doses are planned (default 24 h; plan at
	// least twice per horizon).
	Horizon time.Duration
	// Stale drops a dose reminder not delivered within this long after
	// its dose (default 1 h): after downtime, no flood of old reminders.
	Stale time.Duration
	// MaxAttempts per reminder (default 4).
	MaxAttempts int
	// Receipt, when set, stores a sent reminder's Communication (it must
	// be idempotent on the Communication's identifier).
	Receipt func(ctx context.Context, communication []byte) error
	// Push, when set, makes patients enrolled without a mobile number
	// but with a push subscription reachable (they are planned too).
	Push    Subscriptions
	Now     func() time.Time
	Metrics *Metrics
	Log     *slog.Logger
}

// payload is a queued reminder.
type payload struct {
	Reminder Reminder `json:"reminder"`
	Drug     string   `json:"drug"` // the medication key administrations are matched on
	To       string   `json:"to"`
	English  bool     `json:"english,omitempty"`
	Prefer   string   `json:"prefer,omitempty"` // preferred channel
}

// Register adds the scheduler's handlers to r and plans every period.
func (s *Scheduler) Register(r *job.Runner, period time.Duration) error {
	r.Handle(JobPlan, func(ctx context.Context, _ job.Job) error {
		_, err := s.PlanAll(ctx)
		return err
	})
	r.Handle(JobSend, s.Send)
	return r.Every(JobPlan, period, nil)
}

func (s *Scheduler) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Scheduler) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (s *Scheduler) loc() *time.Location { return s.Policy.withDefaults().Loc }

// PlanStats count what PlanAll did.
type PlanStats struct {
	Enrolled int // patients enrolled with a phone or a push subscription
	Queued   int // reminders newly queued (already queued ones are not counted)
	Skipped  int // prescriptions or dispenses that could not be planned (logged)
}

// PlanAll queues the reminders of every enrolled patient for the next
// Horizon. A patient whose chart cannot be planned is logged and skipped.
func (s *Scheduler) PlanAll(ctx context.Context) (PlanStats, error) {
	var st PlanStats
	err := s.Source.EachPatient(ctx, func(p []byte) error {
		e, ok := ReadEnrolment(p)
		if !ok || !e.Enrolled || e.Phone == "" && !s.subscribed(ctx, e.ID) {
			return nil
		}
		id := e.ID
		st.Enrolled++
		q, skipped, err := s.planPatient(ctx, e)
		st.Queued += q
		st.Skipped += skipped
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			s.log().Warn("plan reminders", "patient", id, "err", err)
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("plan reminders: %w", err)
	}
	s.log().Info("planned reminders", "enrolled", st.Enrolled, "queued", st.Queued, "skipped", st.Skipped)
	return st, nil
}

// PlanPatient queues one patient's dose reminders for the next Horizon
// (active prescriptions) and refill reminders (supply running out within
// RefillLead days plus the horizon). It returns the reminders newly
// queued and the resources skipped.
func (s *Scheduler) PlanPatient(ctx context.Context, id, to string, english bool) (queued, skipped int, err error) {
	return s.planPatient(ctx, Enrolment{ID: id, Enrolled: true, Phone: to, English: english})
}

// subscribed reports whether the patient has a push subscription.
func (s *Scheduler) subscribed(ctx context.Context, patient string) bool {
	if s.Push == nil {
		return false
	}
	subs, err := s.Push.List(ctx, patient)
	return err == nil && len(subs) > 0
}

func (s *Scheduler) planPatient(ctx context.Context, e Enrolment) (queued, skipped int, err error) {
	id, to, english := e.ID, e.Phone, e.English
	recs, err := s.Source.Medications(ctx, id)
	if err != nil {
		return 0, 0, err
	}
	now := s.now()
	horizon := s.Horizon
	if horizon <= 0 {
		horizon = 24 * time.Hour
	}
	patient := "Patient/" + id
	var rs []payload
	for _, raw := range recs.Requests {
		req, err := medication.ParseRequest(raw)
		if err != nil || req.Status != "active" {
			if err != nil {
				skipped++
			}
			continue
		}
		name, drug := req.MedicationCodeableConcept.Label(), req.MedicationCodeableConcept.Code(medication.ATCSystem)
		if drug == "" {
			drug = name
		}
		if name == "" {
			skipped++
			continue
		}
		doses, err := medication.Schedule(req, now, now.Add(horizon), s.loc(), s.Meals)
		if err != nil {
			skipped++
			s.log().Debug("reminder schedule", "request", req.ID, "err", err)
			continue
		}
		times := make([]time.Time, len(doses))
		for i, d := range doses {
			times[i] = d.Time
		}
		planned, err := Plan(patient, name, times, s.Policy)
		if err != nil {
			return queued, skipped, err
		}
		for _, r := range planned {
			rs = append(rs, payload{Reminder: r, Drug: drug, To: to, English: english, Prefer: e.Channel})
		}
	}
	refills, n := s.refills(patient, recs.Dispenses, now, horizon)
	skipped += n
	for _, r := range refills {
		rs = append(rs, payload{Reminder: r, To: to, English: english, Prefer: e.Channel})
	}
	maxA := s.MaxAttempts
	if maxA <= 0 {
		maxA = 4
	}
	jobs := make([]job.NewJob, 0, len(rs))
	for _, p := range rs {
		body, err := json.Marshal(p)
		if err != nil {
			return queued, skipped, fmt.Errorf("reminder %s: %w", p.Reminder.ID, err)
		}
		jobs = append(jobs, job.NewJob{Kind: JobSend, Key: "reminder/" + p.Reminder.ID, Payload: body,
			RunAt: p.Reminder.SendAt, MaxAttempts: maxA})
	}
	// One transaction per patient; keys already queued add nothing.
	added, err := s.Queue.EnqueueBatch(ctx, jobs)
	if err != nil {
		return 0, skipped, err
	}
	for i, ok := range added {
		if ok {
			queued++
			s.Metrics.plannedInc(rs[i].Reminder.Kind)
		}
	}
	return queued, skipped, nil
}

// refills returns the refill reminders due to be sent before now+horizon
// for drugs whose supply has not yet run out.
func (s *Scheduler) refills(patient string, dispenses [][]byte, now time.Time, horizon time.Duration) ([]Reminder, int) {
	var fills []medication.Fill
	names := map[string]string{}
	skipped := 0
	for _, raw := range dispenses {
		d, err := medication.ParseDispense(raw)
		if err != nil {
			skipped++
			continue
		}
		f, err := d.Fill(s.loc())
		if err != nil {
			continue // not completed, or no usable supply: not a supply to remind about
		}
		fills = append(fills, f)
		if n := d.MedicationCodeableConcept.Label(); n != "" {
			names[f.Drug] = n
		}
	}
	var out []Reminder
	for drug, name := range names {
		runsOut, err := medication.RefillDue(fills, drug, 0)
		if err != nil || !runsOut.After(now) {
			continue // ran out already: the care-team alerts take over
		}
		r := PlanRefill(patient, name, runsOut, s.Policy)
		if r.SendAt.Before(now.Add(horizon)) {
			out = append(out, r)
		}
	}
	return out, skipped
}

// Send is the JobSend handler: it delivers one queued reminder unless the
// dose was already taken, the refill already made, or the reminder went
// stale, and stores the receipt. A channel error is returned so that the
// runner retries with backoff.
func (s *Scheduler) Send(ctx context.Context, j job.Job) error {
	var p payload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return job.Permanent(fmt.Errorf("reminder payload: %w", err))
	}
	r := p.Reminder
	ch := s.Channel.Name()
	now := s.now()
	stale := s.Stale
	if stale <= 0 {
		stale = time.Hour
	}
	if r.Kind == Dose && now.After(r.Due.Add(stale)) || r.Kind == Refill && !now.Before(r.Due) {
		s.Metrics.delivered(ch, "stale")
		return nil
	}
	done, err := s.alreadyDone(ctx, p)
	if err != nil {
		return err // the record could not be read: retry later
	}
	if done {
		s.Metrics.delivered(ch, "cancelled")
		return nil
	}
	vi, en := r.Text()
	m := Message{To: p.To, Reminder: r, VI: vi, EN: en, English: p.English, Prefer: p.Prefer, LastTry: j.Attempts >= j.MaxAttempts}
	var receipt string
	if rt, ok := s.Channel.(router); ok {
		var d Delivery
		d, err = rt.Route(ctx, m)
		receipt = d.Receipt
		if d.Channel != "" {
			ch = d.Channel
		}
	} else {
		receipt, err = s.Channel.Send(ctx, m)
	}
	if err != nil {
		if Permanent(err) {
			// A refusal, or no address on any channel: retrying cannot help.
			s.Metrics.delivered(ch, "failed")
			return job.Permanent(err)
		}
		outcome := "retry"
		if j.Attempts >= j.MaxAttempts {
			outcome = "failed"
		}
		s.Metrics.delivered(ch, outcome)
		return err
	}
	s.Metrics.delivered(ch, "sent")
	if s.Receipt != nil {
		r.State, r.Receipt, r.Attempts = Sent, receipt, j.Attempts
		c, err := r.Communication(ch)
		if err == nil {
			err = s.Receipt(ctx, c)
		}
		if err != nil {
			// Delivered already: a retry would send twice. Log, not fail.
			s.log().Warn("reminder receipt", "reminder", r.ID, "err", err)
		}
	}
	return nil
}

// router is a Channel that also says which of its channels delivered
// (Router), so that the receipt and the metrics name the real one.
type router interface {
	Route(ctx context.Context, m Message) (Delivery, error)
}

// alreadyDone reports whether the dose was taken (an administration of
// the drug within the timing window of the dose) or, for a refill, a
// new dispense moved the day supply runs out.
func (s *Scheduler) alreadyDone(ctx context.Context, p payload) (bool, error) {
	id := p.Reminder.Patient[len("Patient/"):]
	recs, err := s.Source.Medications(ctx, id)
	if err != nil {
		return false, err
	}
	if p.Reminder.Kind == Refill {
		rs, _ := s.refills(p.Reminder.Patient, recs.Dispenses, s.now(), 366*24*time.Hour)
		for _, r := range rs {
			if r.Medication == p.Reminder.Medication && r.Due.After(p.Reminder.Due) {
				return true, nil
			}
		}
		return false, nil
	}
	taken := false
	for _, raw := range recs.Administrations {
		a, err := medication.ParseAdministration(raw)
		if err != nil {
			continue
		}
		in, ok, err := a.Intake(s.loc())
		if err != nil || !ok || in.Medication != p.Drug {
			continue
		}
		if d := in.Time.Sub(p.Reminder.Due); d > -medication.DefaultTimingWindow && d < medication.DefaultTimingWindow {
			taken = true
		}
	}
	return taken, nil
}

// ErrNoChannel is returned by Validate when the scheduler cannot send.
var ErrNoChannel = errors.New("reminder scheduler: no channel")

// Validate checks the wiring before Register.
func (s *Scheduler) Validate() error {
	switch {
	case s.Channel == nil:
		return ErrNoChannel
	case s.Source == nil:
		return errors.New("reminder scheduler: no source")
	case s.Queue == nil:
		return errors.New("reminder scheduler: no queue")
	}
	return nil
}
