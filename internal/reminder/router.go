package reminder

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Router is the Channel a deployment with real gateways uses: it tries
// the patient's preferred channel first (Message.Prefer), then the others
// in the order of Channels (push → zalo → sms when all are configured).
// A channel that cannot serve the patient (no push subscription, no
// valid mobile number, a refusal by the gateway) hands over to the next
// at once; a temporary failure (time-out, HTTP 5xx) ends the attempt
// with that error, so that the job queue retries later from the top,
// except on the last try (Message.LastTry), when the next channels get
// their chance.
type Router struct {
	Channels []Channel
}

// Delivery says which channel took a message and its receipt.
type Delivery struct {
	Channel string
	Receipt string
}

// ErrUndeliverable is wrapped by Route's error when no channel could take
// the message; it is permanent.
var ErrUndeliverable = errors.New("no channel could deliver the reminder / không kênh nào gửi được lời nhắc")

func (Router) Name() string { return "router" }

// Send is Route without the channel's name.
func (r Router) Send(ctx context.Context, m Message) (string, error) {
	d, err := r.Route(ctx, m)
	return d.Receipt, err
}

// Route delivers m and reports on which channel. On a temporary failure
// Delivery.Channel names the channel that failed.
func (r Router) Route(ctx context.Context, m Message) (Delivery, error) {
	var errs []error
	for _, ch := range r.order(m.Prefer) {
		receipt, err := ch.Send(ctx, m)
		if err == nil {
			return Delivery{Channel: ch.Name(), Receipt: receipt}, nil
		}
		if !Permanent(err) && !m.LastTry {
			return Delivery{Channel: ch.Name()}, err
		}
		errs = append(errs, err)
	}
	if len(errs) == 0 {
		return Delivery{}, fmt.Errorf("%w: no channel configured", ErrUndeliverable)
	}
	return Delivery{}, fmt.Errorf("%w: %w", ErrUndeliverable, errors.Join(errs...))
}

// order puts the preferred channel first ("webpush" is read as "push").
func (r Router) order(prefer string) []Channel {
	prefer = strings.ToLower(strings.TrimSpace(prefer))
	if prefer == "webpush" {
		prefer = "push"
	}
	out := make([]Channel, 0, len(r.Channels))
	for _, ch := range r.Channels {
		if ch.Name() == prefer {
			out = append(out, ch)
		}
	}
	for _, ch := range r.Channels {
		if ch.Name() != prefer {
			out = append(out, ch)
		}
	}
	return out
}

// Notify sends a free text (an e-prescription code: record.PatientNotifier)
// to a mobile number through the SMS channel. Push needs a patient and
// ZNS an approved template, so they do not carry free text.
func (r Router) Notify(ctx context.Context, phone, message string) error {
	for _, ch := range r.Channels {
		if s, ok := ch.(SMS); ok {
			_, err := s.Send(ctx, Message{To: phone, VI: message, EN: message, Reminder: Reminder{ID: id("notify", phone, message)}})
			return err
		}
	}
	return fmt.Errorf("%w: no SMS gateway configured", ErrUndeliverable)
}

var _ Channel = Router{}
