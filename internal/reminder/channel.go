package reminder

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"

	"github.com/sen-emr/sen/internal/vn"
)

// Message is what a channel delivers.
type Message struct {
	To       string // phone number, Zalo user id or push subscription endpoint
	Reminder Reminder
	VI, EN   string
	English  bool // the patient prefers English
}

// Channel delivers a message and returns the gateway's receipt id.
// Implementations must be safe for concurrent use.
type Channel interface {
	Name() string
	Send(ctx context.Context, m Message) (receipt string, err error)
}

// Transport posts a request to a gateway endpoint and returns its
// receipt. Production wires an HTTP client; tests use Fake.
type Transport interface {
	Post(ctx context.Context, endpoint string, body []byte) (receipt string, err error)
}

func text(m Message) string {
	if m.English {
		return m.EN
	}
	return m.VI
}

// SMS sends through an SMS gateway. Vietnamese SMS is sent without
// diacritics (folded), which keeps one message within 160 GSM characters
// and readable on every phone.
type SMS struct {
	Transport Transport
	Endpoint  string
	Sender    string // brandname
}

func (SMS) Name() string { return "sms" }

func (s SMS) Send(ctx context.Context, m Message) (string, error) {
	body, err := json.Marshal(map[string]string{"from": s.Sender, "to": m.To, "text": foldKeepCase(text(m))})
	if err != nil {
		return "", fmt.Errorf("sms: %w", err)
	}
	r, err := s.Transport.Post(ctx, s.Endpoint, body)
	if err != nil {
		return "", fmt.Errorf("sms to %s: %w", m.To, err)
	}
	return r, nil
}

// foldKeepCase removes Vietnamese diacritics. vn.Fold also lower-cases,
// which is acceptable for SMS.
func foldKeepCase(s string) string { return vn.Fold(s) }

// Zalo sends a Zalo Notification Service template message: the template
// id and its named parameters (ZNS only delivers approved templates).
type Zalo struct {
	Transport  Transport
	Endpoint   string
	TemplateID string
}

func (Zalo) Name() string { return "zalo" }

func (z Zalo) Send(ctx context.Context, m Message) (string, error) {
	body, err := json.Marshal(map[string]any{
		"phone": m.To, "template_id": z.TemplateID, "tracking_id": m.Reminder.ID,
		"template_data": map[string]string{
			"medicine": m.Reminder.Medication, "time": m.Reminder.Due.Format("15:04 02/01/2006"), "kind": string(m.Reminder.Kind),
		},
	})
	if err != nil {
		return "", fmt.Errorf("zalo: %w", err)
	}
	r, err := z.Transport.Post(ctx, z.Endpoint, body)
	if err != nil {
		return "", fmt.Errorf("zalo to %s: %w", m.To, err)
	}
	return r, nil
}

// WebPush sends a push notification to a browser subscription (the VAPID
// signing and encryption belong to the Transport).
type WebPush struct {
	Transport Transport
}

func (WebPush) Name() string { return "webpush" }

func (w WebPush) Send(ctx context.Context, m Message) (string, error) {
	body, err := json.Marshal(map[string]string{"title": "Sen", "body": text(m), "tag": m.Reminder.ID})
	if err != nil {
		return "", fmt.Errorf("webpush: %w", err)
	}
	r, err := w.Transport.Post(ctx, m.To, body)
	if err != nil {
		return "", fmt.Errorf("webpush: %w", err)
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
	_ Channel   = WebPush{}
	_ Channel   = Log{}
	_ Transport = (*Fake)(nil)
)
