package reminder

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sen-emr/sen/internal/clinical/medication"
	"github.com/sen-emr/sen/internal/job"
)

// pushFor is a push channel that reaches only the patients listed.
type pushFor struct{ patients map[string]bool }

func (pushFor) Name() string { return "push" }

func (p pushFor) Send(_ context.Context, m Message) (string, error) {
	if !p.patients[strings.TrimPrefix(m.Reminder.Patient, "Patient/")] {
		return "", fmt.Errorf("push: %w", ErrNoAddress)
	}
	return "push-" + m.Reminder.ID, nil
}

func (p pushFor) List(_ context.Context, patient string) ([]Subscription, error) {
	if p.patients[patient] {
		return []Subscription{{Endpoint: "https://fcm.googleapis.com/x"}}, nil
	}
	return nil, nil
}

func (pushFor) Remove(context.Context, string, string) error { return nil }

// The scheduler over a Router with HTTP gateways: the patient's preferred
// channel first, Zalo's refusal handing over to SMS at once, a patient
// reachable by push only planned too, and a patient no channel can reach
// failed at the first attempt instead of retried.
func TestSchedulerRoutesChannels(t *testing.T) {
	ctx := context.Background()
	q, err := job.Open(ctx, filepath.Join(t.TempDir(), "jobs.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	clock := time.Date(2025, 6, 1, 6, 0, 0, 0, ict)
	now := func() time.Time { return clock }
	enrolled := `{"url":"` + ExtReminders + `","valueBoolean":true}`
	prefers := func(c string) string { return `,{"url":"` + ExtReminderChannel + `","valueCode":"` + c + `"}` }
	rx := func(id string) *medication.Records {
		return &medication.Records{Requests: [][]byte{[]byte(`{"resourceType":"MedicationRequest","id":"` + id + `","status":"active","intent":"order",` + amlodipine + `,
			"dosageInstruction":[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","timeOfDay":["07:00:00"],"boundsPeriod":{"start":"2025-05-01"}}}}]}`)}}
	}
	src := &memSource{
		patients: [][]byte{
			[]byte(`{"resourceType":"Patient","id":"zal","telecom":[{"system":"phone","value":"0912000001"}],"extension":[` + enrolled + prefers("zalo") + `]}`),
			[]byte(`{"resourceType":"Patient","id":"app","extension":[` + enrolled + `]}`),
			[]byte(`{"resourceType":"Patient","id":"bad","telecom":[{"system":"phone","value":"024 3812 3456"}],"extension":[` + enrolled + `]}`),
			[]byte(`{"resourceType":"Patient","id":"none","extension":[` + enrolled + `]}`),
		},
		meds: map[string]*medication.Records{"zal": rx("r1"), "app": rx("r2"), "bad": rx("r3"), "none": rx("r4")},
	}
	zalo := newFakeGateway(t, func(int, map[string]any) (int, string, time.Duration) {
		return 200, `{"error":-118,"message":"Zalo account not existed"}`, 0
	})
	sms := newFakeGateway(t, func(n int, _ map[string]any) (int, string, time.Duration) {
		return 200, fmt.Sprintf(`{"id":"sms-%d"}`, n), 0
	})
	push := pushFor{map[string]bool{"app": true}}
	metrics := NewMetrics(prometheus.NewRegistry())
	var receipts []string
	s := &Scheduler{Source: src, Queue: q, Policy: Policy{Loc: ict}, Now: now, Metrics: metrics, Push: push,
		Channel: Router{Channels: []Channel{push, NewZalo(zalo.srv.URL, "tok", "42", nil), NewSMS(sms.srv.URL, "k", "", "SEN", nil)}},
		Receipt: func(_ context.Context, c []byte) error { receipts = append(receipts, string(c)); return nil }}
	st, err := s.PlanAll(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Enrolled != 3 || st.Queued != 3 {
		t.Fatalf("planned %+v; want 3 enrolled (the one with no phone and no subscription is not) and 3 reminders", st)
	}
	r := &job.Runner{Queue: q, Now: now, Backoff: time.Minute}
	r.Handle(JobSend, s.Send)
	clock = clock.Add(50 * time.Minute)
	if _, err := r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(zalo.requests()); n != 1 {
		t.Errorf("zalo got %d requests, want 1 (the patient who prefers it)", n)
	}
	smsReqs := sms.requests()
	if len(smsReqs) != 1 || smsReqs[0].Body["to"] != "84912000001" {
		t.Errorf("sms requests %v, want one to 84912000001 after Zalo refused", smsReqs)
	}
	for _, tt := range []struct {
		channel, outcome string
		want             float64
	}{{"sms", "sent", 1}, {"push", "sent", 1}, {"router", "failed", 1}, {"router", "retry", 0}} {
		if got := counter(t, metrics.deliveries, tt.channel, tt.outcome); got != tt.want {
			t.Errorf("deliveries{%s,%s} = %v, want %v", tt.channel, tt.outcome, got, tt.want)
		}
	}
	if len(receipts) != 2 {
		t.Fatalf("%d receipts, want 2", len(receipts))
	}
	joined := strings.Join(receipts, "\n")
	if !strings.Contains(joined, `"medium":[{"text":"sms"}]`) || !strings.Contains(joined, `gateway receipt sms-1`) ||
		!strings.Contains(joined, `"medium":[{"text":"push"}]`) {
		t.Errorf("receipts name the channel that delivered: %s", joined)
	}
	// The landline patient's reminder failed at once, with the reason.
	d, err := q.Depth(ctx)
	if err != nil || d[job.Failed] != 1 || d[job.Done] != 2 || d[job.Queued] != 0 {
		t.Errorf("queue %v, %v; want 2 done and 1 failed, none waiting to retry", d, err)
	}
}
