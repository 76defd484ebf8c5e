package reminder

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// stubChannel answers with a fixed error (nil: success) and counts calls.
type stubChannel struct {
	name  string
	err   error
	calls *[]string
}

func (s stubChannel) Name() string { return s.name }

func (s stubChannel) Send(context.Context, Message) (string, error) {
	*s.calls = append(*s.calls, s.name)
	if s.err != nil {
		return "", s.err
	}
	return s.name + "-receipt", nil
}

func TestRouter(t *testing.T) {
	noAddr := fmt.Errorf("push: %w", ErrNoAddress)
	refused := &GatewayError{Status: 200, Code: "-124", Message: "token"}
	down := &GatewayError{Status: 503, Temporary: true}
	tests := []struct {
		name      string
		errs      map[string]error // per channel; missing: success
		prefer    string
		lastTry   bool
		wantCh    string // channel that delivered, "" for none
		wantCalls string
		permanent bool // when nothing delivered
	}{
		{"default order: push first", nil, "", false, "push", "push", false},
		{"no subscription: zalo", map[string]error{"push": noAddr}, "", false, "zalo", "push zalo", false},
		{"prefers sms", nil, "sms", false, "sms", "sms", false},
		{"prefers zalo, refused: push next, then sms", map[string]error{"zalo": refused, "push": noAddr}, "zalo", false, "sms", "zalo push sms", false},
		{"webpush read as push", map[string]error{"zalo": refused}, "webpush", false, "push", "push", false},
		{"unknown preference ignored", nil, "fax", false, "push", "push", false},
		{"temporary failure: retry later from the top", map[string]error{"push": down}, "", false, "", "push", false},
		{"temporary failure on the last try: fall back", map[string]error{"push": down}, "", true, "zalo", "push zalo", false},
		{"nothing reaches the patient", map[string]error{"push": noAddr, "zalo": refused, "sms": noAddr}, "", false, "", "push zalo sms", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []string
			r := Router{}
			for _, n := range []string{"push", "zalo", "sms"} {
				r.Channels = append(r.Channels, stubChannel{n, tt.errs[n], &calls})
			}
			d, err := r.Route(context.Background(), Message{Prefer: tt.prefer, LastTry: tt.lastTry})
			if got := strings.Join(calls, " "); got != tt.wantCalls {
				t.Errorf("tried %q, want %q", got, tt.wantCalls)
			}
			if tt.wantCh != "" {
				if err != nil || d.Channel != tt.wantCh || d.Receipt != tt.wantCh+"-receipt" {
					t.Errorf("Route = %+v, %v; want delivery on %s", d, err, tt.wantCh)
				}
				return
			}
			if err == nil || Permanent(err) != tt.permanent {
				t.Errorf("Route = %+v, %v (permanent %v); want an error, permanent %v", d, err, Permanent(err), tt.permanent)
			}
			if tt.permanent && !errors.Is(err, ErrUndeliverable) {
				t.Errorf("error %v is not ErrUndeliverable", err)
			}
		})
	}
	if _, err := (Router{}).Route(context.Background(), Message{}); !errors.Is(err, ErrUndeliverable) {
		t.Errorf("no channels: %v", err)
	}
}

// Router.Notify (the e-prescription code to a phone) goes by SMS only.
func TestRouterNotify(t *testing.T) {
	g := newFakeGateway(t, func(int, map[string]any) (int, string, time.Duration) { return 200, `{"id":"n1"}`, 0 })
	var calls []string
	r := Router{Channels: []Channel{stubChannel{"push", nil, &calls}, NewSMS(g.srv.URL, "", "", "SEN", nil)}}
	if err := r.Notify(context.Background(), "0912345678", "Mã đơn thuốc của bạn: 01234abcdefg-c."); err != nil {
		t.Fatal(err)
	}
	reqs := g.requests()
	if len(calls) != 0 || len(reqs) != 1 || reqs[0].Body["to"] != "84912345678" || reqs[0].Body["text"] != "Ma don thuoc cua ban: 01234abcdefg-c." {
		t.Errorf("push calls %v, sms requests %v", calls, reqs)
	}
	if err := (Router{Channels: []Channel{stubChannel{"push", nil, &calls}}}).Notify(context.Background(), "0912345678", "x"); !errors.Is(err, ErrUndeliverable) {
		t.Errorf("without SMS: %v", err)
	}
}
