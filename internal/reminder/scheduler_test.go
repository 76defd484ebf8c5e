package reminder

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/sen-emr/sen/internal/clinical/medication"
	"github.com/sen-emr/sen/internal/job"
)

// memSource is an in-memory Source.
type memSource struct {
	mu       sync.Mutex
	patients [][]byte
	meds     map[string]*medication.Records
	fail     bool
}

func (m *memSource) EachPatient(_ context.Context, fn func([]byte) error) error {
	for _, p := range m.patients {
		if err := fn(p); err != nil {
			return err
		}
	}
	return nil
}

func (m *memSource) Medications(_ context.Context, id string) (medication.Records, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.fail {
		return medication.Records{}, errors.New("store unavailable")
	}
	if r := m.meds[id]; r != nil {
		return *r, nil
	}
	return medication.Records{}, nil
}

const amlodipine = `"medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C08CA01","display":"Amlodipin 5 mg"}]}`

func newSource() *memSource {
	return &memSource{
		patients: [][]byte{
			[]byte(`{"resourceType":"Patient","id":"a","telecom":[{"system":"phone","value":"+84912000001","use":"mobile"}],
				"extension":[{"url":"` + ExtReminders + `","valueBoolean":true}]}`),
			// Opted out explicitly, though the synthetic flag says enrolled.
			[]byte(`{"resourceType":"Patient","id":"b","telecom":[{"system":"phone","value":"+84912000002"}],
				"extension":[{"url":"` + ExtReminders + `","valueBoolean":false},
				{"url":"` + extSyntheticProfile + `","extension":[{"url":"appEnrolled","valueBoolean":true}]}]}`),
			// Enrolled by the synthetic flag, but no phone.
			[]byte(`{"resourceType":"Patient","id":"c","extension":[{"url":"` + extSyntheticProfile + `","extension":[{"url":"appEnrolled","valueBoolean":true}]}]}`),
			[]byte(`not a patient`),
		},
		meds: map[string]*medication.Records{
			"a": {
				Requests: [][]byte{[]byte(`{"resourceType":"MedicationRequest","id":"r1","status":"active","intent":"order",` + amlodipine + `,
					"dosageInstruction":[{"timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"d","timeOfDay":["07:00:00","19:00:00"],"boundsPeriod":{"start":"2025-05-01"}}},
					"doseAndRate":[{"doseQuantity":{"value":1,"unit":"viên"}}]}]}`)},
				// 30 days from 5 May: runs out on 4 June; reminded on 1 June.
				Dispenses: [][]byte{[]byte(`{"resourceType":"MedicationDispense","id":"d1","status":"completed",` + amlodipine + `,
					"whenHandedOver":"2025-05-05","daysSupply":{"value":30,"unit":"d"}}`)},
			},
			"b": {Requests: [][]byte{[]byte(`{"resourceType":"MedicationRequest","id":"r2","status":"active",` + amlodipine + `}`)}},
		},
	}
}

func counter(tb testing.TB, c *prometheus.CounterVec, labels ...string) float64 {
	tb.Helper()
	var m dto.Metric
	if err := c.WithLabelValues(labels...).Write(&m); err != nil {
		tb.Fatal(err)
	}
	return m.Counter.GetValue()
}

func TestSchedulerSurvivesRestartsWithoutDuplicates(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "jobs.db")
	clock := time.Date(2025, 6, 1, 6, 0, 0, 0, ict)
	now := func() time.Time { return clock }
	src := newSource()
	fake := &Fake{FailFirst: 1}
	metrics := NewMetrics(prometheus.NewRegistry())
	var receipts []string
	start := func() (*job.Queue, *job.Runner) {
		q, err := job.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		s := &Scheduler{Source: src, Queue: q, Channel: SMS{Transport: fake, Endpoint: "https://sms.test/send", Sender: "SEN"},
			Policy: Policy{Loc: ict, QuietStart: 22 * time.Hour, QuietEnd: 6 * time.Hour}, Now: now, Metrics: metrics,
			Receipt: func(_ context.Context, c []byte) error { receipts = append(receipts, string(c)); return nil }}
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		r := &job.Runner{Queue: q, Now: now, Backoff: time.Minute}
		if err := s.Register(r, time.Hour); err != nil {
			t.Fatal(err)
		}
		return q, r
	}
	q, r := start()
	if _, err := r.RunOnce(ctx); err != nil { // plans; the refill reminder (due 08:00) waits
		t.Fatal(err)
	}
	if got := counter(t, metrics.planned, "dose"); got != 2 {
		t.Errorf("planned dose reminders = %v, want 2 (07:00 and 19:00 for patient a only)", got)
	}
	if got := counter(t, metrics.planned, "refill"); got != 1 {
		t.Errorf("planned refill reminders = %v, want 1", got)
	}
	clock = clock.Add(45 * time.Minute) // 06:45: the 07:00 reminder is due; the gateway fails once
	if _, err := r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Posts()); n != 0 {
		t.Fatalf("%d deliveries after a gateway failure", n)
	}
	q.Close() // restart: the queue is on disk

	q, r = start()
	defer q.Close()
	for range 3 { // replans in the same and the next hours, and retries after backoff
		clock = clock.Add(time.Minute)
		if _, err := r.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
	}
	clock = clock.Add(2 * time.Hour) // 08:48: the refill reminder goes too
	if _, err := r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	posts := fake.Posts()
	if len(posts) != 2 {
		t.Fatalf("%d deliveries, want exactly 2 (the 07:00 dose once, the refill once): %v", len(posts), posts)
	}
	if !strings.Contains(posts[0].Body, "den gio uong Amlodipin 5 mg luc 07:00") || !strings.Contains(posts[1].Body, "het vao ngay 04/06") {
		t.Errorf("bodies: %v", posts)
	}
	if len(receipts) != 2 || !strings.Contains(receipts[0], `"resourceType":"Communication"`) {
		t.Errorf("receipts: %v", receipts)
	}
	tests := []struct {
		outcome string
		want    float64
	}{{"sent", 2}, {"retry", 1}, {"failed", 0}}
	for _, tt := range tests {
		if got := counter(t, metrics.deliveries, "sms", tt.outcome); got != tt.want {
			t.Errorf("deliveries{%s} = %v, want %v", tt.outcome, got, tt.want)
		}
	}
	// Replanning at 08:48 adds tomorrow's 07:00 dose, nothing already queued.
	if got := counter(t, metrics.planned, "dose"); got != 3 {
		t.Errorf("after replanning and a restart, planned dose reminders = %v, want 3", got)
	}
}

func TestSchedulerCancelsTakenAndStale(t *testing.T) {
	ctx := context.Background()
	q, err := job.Open(ctx, filepath.Join(t.TempDir(), "jobs.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	clock := time.Date(2025, 6, 1, 6, 0, 0, 0, ict)
	src := newSource()
	fake := &Fake{}
	metrics := NewMetrics(prometheus.NewRegistry())
	s := &Scheduler{Source: src, Queue: q, Channel: SMS{Transport: fake}, Policy: Policy{Loc: ict},
		Now: func() time.Time { return clock }, Metrics: metrics}
	if _, _, err := s.PlanPatient(ctx, "a", "+84912000001", false); err != nil {
		t.Fatal(err)
	}
	r := &job.Runner{Queue: q, Now: func() time.Time { return clock }}
	r.Handle(JobSend, s.Send)
	// The patient confirms the morning dose early, at 06:40.
	src.meds["a"].Administrations = [][]byte{[]byte(`{"resourceType":"MedicationAdministration","id":"m1","status":"completed",` + amlodipine + `,
		"effectiveDateTime":"2025-06-01T06:40:00+07:00"}`)}
	clock = clock.Add(50 * time.Minute)
	if _, err := r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	// The server was down all day: the 19:00 reminder is stale by 21:00.
	clock = time.Date(2025, 6, 1, 21, 0, 0, 0, ict)
	if _, err := r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(fake.Posts()); n != 1 {
		t.Errorf("%d deliveries, want only the refill reminder: %v", n, fake.Posts())
	}
	for _, tt := range []struct {
		outcome string
		want    float64
	}{{"cancelled", 1}, {"stale", 1}, {"sent", 1}} {
		if got := counter(t, metrics.deliveries, "sms", tt.outcome); got != tt.want {
			t.Errorf("deliveries{%s} = %v, want %v", tt.outcome, got, tt.want)
		}
	}
	// A record that cannot be read is retried, not dropped.
	src.fail = true
	if err := s.Send(ctx, job.Job{Payload: []byte(`{"reminder":{"ID":"x","Patient":"Patient/a","Kind":"dose","Due":"2025-06-01T21:30:00+07:00"}}`)}); err == nil {
		t.Error("unreadable record: no error to retry on")
	}
	if err := s.Send(ctx, job.Job{Payload: []byte(`{`)}); err == nil || !strings.Contains(err.Error(), "payload") {
		t.Errorf("bad payload: %v", err)
	}
}

func TestEnrollment(t *testing.T) {
	tests := []struct {
		patient string
		want    string
	}{
		{`{"resourceType":"Patient","id":"a","telecom":[{"system":"phone","value":"1"}],"extension":[{"url":"` + ExtReminders + `","valueBoolean":true}]}`, "a 1 false true"},
		{`{"resourceType":"Patient","id":"a","telecom":[{"system":"email","value":"x@y"}],"extension":[{"url":"` + ExtReminders + `","valueBoolean":true}]}`, "a  false false"},
		{`{"resourceType":"Patient","id":"a","telecom":[{"system":"phone","value":"1"},{"system":"phone","value":"2","use":"mobile"}],
			"communication":[{"language":{"coding":[{"code":"en-GB"}]},"preferred":true}],"extension":[{"url":"` + ExtReminders + `","valueBoolean":true}]}`, "a 2 true true"},
		{`{"resourceType":"Patient","id":"a","telecom":[{"system":"phone","value":"1"}]}`, "a  false false"},
		{`{"resourceType":"Observation","id":"a"}`, "  false false"},
		{`[]`, "  false false"},
	}
	for _, tt := range tests {
		id, to, en, ok := Enrollment([]byte(tt.patient))
		if got := fmt.Sprint(id, " ", to, " ", en, " ", ok); got != tt.want {
			t.Errorf("Enrollment(%.60s…) = %q, want %q", tt.patient, got, tt.want)
		}
	}
	if err := (&Scheduler{}).Validate(); !errors.Is(err, ErrNoChannel) {
		t.Errorf("Validate = %v", err)
	}
}
