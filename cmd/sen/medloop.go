package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sen-emr/sen/internal/clinical/alert"
	"github.com/sen-emr/sen/internal/clinical/risk"
	"github.com/sen-emr/sen/internal/job"
	"github.com/sen-emr/sen/internal/reminder"
)

// The medication-use loop's background jobs in a serving Sen: reminders
// planned every half hour for the next day and delivered through the
// configured channels (channels.go: the patient's preferred one, then
// push → zalo → sms) or, with none configured, the log channel, with
// each delivery's receipt stored as a Communication; and care-team
// alerts (PDC < 80 %, high risk, missed doses, side effects) kept in step
// by a sweep every ten minutes over the patients whose record changed
// since the last one, with all patients swept once a day (a PDC falls with
// the calendar alone), in slices of at most a minute that work a tenth of
// the time, so the sweep leaves the cores to the API. Both read and write
// through the FHIR handler in-process and keep their state in
// --data-dir/jobs.db and --data-dir/care-alerts.json (the sweep's
// checkpoint), so a restart neither loses nor repeats a reminder, and
// resumes the sweep where it stopped instead of reading every chart again.
const (
	jobAlertScan   = "care-alert-scan"
	reminderPeriod = 30 * time.Minute
	alertPeriod    = 10 * time.Minute
	alertFullEvery = 24 * time.Hour
	alertPace      = 0.1
	alertSlice     = time.Minute
)

// medLoop holds what startMedLoop wires.
type medLoop struct {
	dataDir string
	fhir    http.Handler // the API, as a trusted in-process client
	metrics *medLoopMetrics
	now     func() time.Time // nil: the wall clock
	// channel delivers reminders (nil: the log channel); push holds the
	// Web Push subscriptions (nil without Web Push).
	channel reminder.Channel
	push    *reminder.PushStore
	// missedInARow and lookback configure the missed-dose and side-effect
	// alerts (alert.Scanner; --missed-doses-alert, --alert-window).
	missedInARow int
	lookback     time.Duration
}

type medLoopMetrics struct {
	job      *job.Metrics
	reminder *reminder.Metrics
}

// newMedLoopMetrics registers the queue and reminder collectors with reg
// (served at /metrics with the HTTP and store metrics).
func newMedLoopMetrics(reg prometheus.Registerer) *medLoopMetrics {
	return &medLoopMetrics{job: job.NewMetrics(reg), reminder: reminder.NewMetrics(reg)}
}

// start opens the queue and runs the jobs until ctx ends; stop waits for
// the running job to finish and closes the queue.
func (m medLoop) start(ctx context.Context, log *slog.Logger) (stop func(), err error) {
	if m.dataDir == "" || m.fhir == nil {
		return func() {}, nil // not wired (tests that build an app by hand)
	}
	q, err := job.Open(ctx, filepath.Join(m.dataDir, "jobs.db"))
	if err != nil {
		return nil, err
	}
	now := m.now
	if now == nil {
		now = time.Now
	}
	var jm *job.Metrics
	var rm *reminder.Metrics
	if m.metrics != nil {
		jm, rm = m.metrics.job, m.metrics.reminder
	}
	runner := &job.Runner{Queue: q, Now: now, Log: log, Metrics: jm}
	client := alert.Client{Handler: m.fhir}
	channel := m.channel
	if channel == nil {
		channel = reminder.Log{Logger: log}
	}
	sched := &reminder.Scheduler{
		Source: pacedSource{Source: client, pace: alertPace}, Queue: q, Channel: channel,
		Policy: reminder.Policy{Loc: vnLoc(), QuietStart: 21*time.Hour + 30*time.Minute, QuietEnd: 6 * time.Hour},
		Now:    now, Metrics: rm, Log: log,
		Receipt: func(ctx context.Context, c []byte) error {
			var r struct {
				Identifier []struct{ System, Value string }
			}
			if err := json.Unmarshal(c, &r); err != nil || len(r.Identifier) == 0 {
				return fmt.Errorf("reminder receipt without identifier")
			}
			_, err := client.Create(ctx, "Communication", c, "identifier="+r.Identifier[0].System+"|"+r.Identifier[0].Value)
			return err
		},
	}
	if m.push != nil {
		sched.Push = m.push // patients with a subscription but no phone are reminded too
	}
	if err := sched.Validate(); err != nil {
		q.Close()
		return nil, err
	}
	if err := sched.Register(runner, reminderPeriod); err != nil {
		q.Close()
		return nil, err
	}
	model, err := risk.Default()
	if err != nil {
		q.Close()
		return nil, err
	}
	sweep := &alert.Sweeper{
		Scanner:    &alert.Scanner{Client: client, Model: model, Now: now, Loc: vnLoc(), Log: log, MissedInARow: m.missedInARow, Lookback: m.lookback},
		Checkpoint: alert.FileCheckpoint{Path: filepath.Join(m.dataDir, "care-alerts.json")},
		FullEvery:  alertFullEvery, Pace: alertPace, Budget: alertSlice,
	}
	runner.Handle(jobAlertScan, func(ctx context.Context, _ job.Job) error {
		st, err := sweep.Sweep(ctx)
		log.Info("care alerts synced", "patients", st.Patients, "changed", st.Changed, "swept", st.Swept, "raised", st.Raised,
			"resolved", st.Resolved, "failed", st.Failed, "full_sweep_done", st.FullDone, "more", st.More)
		if err == nil && st.More {
			// The next slice, after the jobs already due (reminders).
			t := now()
			_, err = q.Enqueue(ctx, job.NewJob{Kind: jobAlertScan, Key: fmt.Sprintf("%s+%d", jobAlertScan, t.UnixNano()), RunAt: t, MaxAttempts: 3})
		}
		return err
	})
	if err := runner.Every(jobAlertScan, alertPeriod, nil); err != nil {
		q.Close()
		return nil, err
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := runner.Run(rctx); err != nil {
			log.Warn("job runner stopped", "err", err)
		}
	}()
	return func() {
		cancel()
		<-done
		if err := q.Close(); err != nil {
			log.Warn("close jobs.db", "err", err)
		}
	}, nil
}

// pacedSource paces the reminder planner's walk over the patients as the
// alert sweep is paced: after each patient it pauses (1-pace)/pace times
// as long as the patient took (at most two seconds), so planning leaves
// the cores to the API. Medications, which a delivery reads, is not paced.
type pacedSource struct {
	reminder.Source
	pace float64
}

func (p pacedSource) EachPatient(ctx context.Context, fn func(patient []byte) error) error {
	return p.Source.EachPatient(ctx, func(patient []byte) error {
		t0 := time.Now()
		if err := fn(patient); err != nil {
			return err
		}
		if p.pace <= 0 || p.pace >= 1 {
			return nil
		}
		t := time.NewTimer(min(time.Duration(float64(time.Since(t0))*(1-p.pace)/p.pace), 2*time.Second))
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		}
	})
}
