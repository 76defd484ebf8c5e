package reminder

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
)

// Message is what a channel delivers.
type Message struct {
	// To is the patient's mobile number as recorded (SMS and Zalo
	// normalise it); Web Push looks up the subscriptions of
	// Reminder.Patient instead.
	To       string
	Reminder Reminder
	VI, EN   string
	English  bool // the patient prefers English
	// Prefer is the patient's preferred channel ("push", "zalo", "sms";
	// "" for none), which a Router tries first.
	Prefer string
	// LastTry is set on the last attempt the queue will make: a Router
	// then falls back to the next channel even after a temporary error.
	LastTry bool
}

// Channel delivers a message and returns the gateway's receipt id.
// An error for which Permanent is true is not worth retrying on this
// channel. Implementations must be safe for concurrent use.
type Channel interface {
	Name() string
	Send(ctx context.Context, m Message) (receipt string, err error)
}

// Transport posts a request to a gateway endpoint and returns its
// receipt. HTTP is the production transport; tests use Fake or HTTP
// against a local fake gateway.
type Transport interface {
	Post(ctx context.Context, endpoint string, body []byte) (receipt string, err error)
}

func text(m Message) string {
	if m.English {
		return m.EN
	}
	return m.VI
}

// SMS sends through an HTTP SMS gateway: a JSON body {"from": brandname,
// "to": "84…", "text": …, "ref": reminder id}. The text is folded to
// ASCII (smsText), which keeps one message within 160 GSM characters and
// readable on every phone. A number that is not a Vietnamese mobile is
// refused before anything is sent (ErrNoAddress).
type SMS struct {
	Transport Transport
	Endpoint  string
	Sender    string // brandname
}

func (SMS) Name() string { return "sms" }

func (s SMS) Send(ctx context.Context, m Message) (string, error) {
	to, err := NormalizePhone(m.To)
	if err != nil {
		return "", fmt.Errorf("sms: %w", err)
	}
	body, err := json.Marshal(map[string]string{"from": s.Sender, "to": to, "text": smsText(text(m)), "ref": m.Reminder.ID})
	if err != nil {
		return "", fmt.Errorf("sms: %w", err)
	}
	r, err := s.Transport.Post(ctx, s.Endpoint, body)
	if err != nil {
		return "", fmt.Errorf("sms: %w", err)
	}
	return r, nil
}

// Zalo sends a Zalo Notification Service template message (ZNS only
// delivers templates the OA had approved): POST {"phone": "84…",
// "template_id", "template_data": {"medicine", "time", "kind"},
// "tracking_id": reminder id} with the OA's access_token header
// (NewZalo). The template must declare those three parameters.
type Zalo struct {
	Transport  Transport
	Endpoint   string
	TemplateID string
}

func (Zalo) Name() string { return "zalo" }

func (z Zalo) Send(ctx context.Context, m Message) (string, error) {
	phone, err := NormalizePhone(m.To)
	if err != nil {
		return "", fmt.Errorf("zalo: %w", err)
	}
	body, err := json.Marshal(map[string]any{
		"phone": phone, "template_id": z.TemplateID, "tracking_id": m.Reminder.ID,
		"template_data": map[string]string{
			"medicine": m.Reminder.Medication, "time": m.Reminder.Due.Format("15:04 02/01/2006"), "kind": string(m.Reminder.Kind),
		},
	})
	if err != nil {
		return "", fmt.Errorf("zalo: %w", err)
	}
	r, err := z.Transport.Post(ctx, z.Endpoint, body)
	if err != nil {
		return "", fmt.Errorf("zalo: %w", err)
	}
	return r, nil
}

// Log writes messages to a logger instead of sending them (development).
type Log struct{ Logger *slog.Logger }

func (Log) Name() string { return "log" }

func (l Log) Send(_ context.Context, m Message) (string, error) {
	l.Logger.Info("reminder", "to", m.To, "id", m.Reminder.ID, "text", text(m))
	return "log-" + m.Reminder.ID, nil
}

// Fake is an in-memory Transport that records what it was sent and fails
// the first FailFirst posts (to exercise retries).
type Fake struct {
	mu        sync.Mutex
	FailFirst int
	calls     int
	Sent      []FakePost
}

// FakePost is one recorded delivery.
type FakePost struct {
	Endpoint string
	Body     string
}

func (f *Fake) Post(_ context.Context, endpoint string, body []byte) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.calls <= f.FailFirst {
		return "", fmt.Errorf("fake gateway: 503 (call %d)", f.calls)
	}
	f.Sent = append(f.Sent, FakePost{endpoint, string(body)})
	return fmt.Sprintf("fake-%d", len(f.Sent)), nil
}

// Posts returns a copy of the recorded deliveries.
func (f *Fake) Posts() []FakePost {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]FakePost(nil), f.Sent...)
}

var (
	_ Channel   = SMS{}
	_ Channel   = Zalo{}
	_ Channel   = (*WebPush)(nil)
	_ Channel   = Log{}
	_ Transport = (*Fake)(nil)
)
