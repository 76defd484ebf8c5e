package reminder

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/vn"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in   string
		want string
		code vn.Code // expected rejection, "" when valid
	}{
		{"0912345678", "84912345678", ""},
		{"0912 345 678", "84912345678", ""},
		{"+84 912 345 678", "84912345678", ""},
		{"+84 0912 345 678", "84912345678", ""},
		{"0084912345678", "84912345678", ""},
		{"84912345678", "84912345678", ""},
		{"(039) 123-4567", "84391234567", ""},
		{"", "", vn.CodePhoneEmpty},
		{"02438123456", "", vn.CodePhoneLandline},
		{"01223456789", "", vn.CodePhoneOld11Digits},
		{"+33612345678", "", vn.CodePhoneCountry},
		{"091234567", "", vn.CodePhoneLength},
		{"0112345678", "", vn.CodePhonePrefix},
		{"09123456ab", "", vn.CodePhoneCharacters},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := NormalizePhone(tt.in)
			if tt.code == "" {
				if err != nil || got != tt.want {
					t.Fatalf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
				}
				return
			}
			if err == nil {
				t.Fatalf("NormalizePhone(%q) = %q, want error %s", tt.in, got, tt.code)
			}
			var ve *vn.Error
			if vn.CodeOf(err) != tt.code || !errors.As(err, &ve) || ve.VI == "" || ve.EN == "" {
				t.Errorf("error %v: code %s, want %s with vi and en messages", err, vn.CodeOf(err), tt.code)
			}
			if !errors.Is(err, ErrNoAddress) || !Permanent(err) {
				t.Errorf("error %v: not ErrNoAddress / not permanent", err)
			}
		})
	}
}

func TestSMSText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Sen nhắc: đến giờ uống Amlodipin lúc 08:00.", "Sen nhac: den gio uong Amlodipin luc 08:00."},
		{"ĐÀ NẴNG, Yên Hoà", "DA NANG, Yen Hoa"},
		{"Thuốc 💊 hết\n", "Thuoc ? het "},
		{"plain ASCII", "plain ASCII"},
	}
	for _, tt := range tests {
		if got := smsText(tt.in); got != tt.want {
			t.Errorf("smsText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// fakeGateway is a local HTTP gateway that records every request and
// answers with the status and body its handler chooses.
type fakeGateway struct {
	mu   sync.Mutex
	reqs []recorded
	srv  *httptest.Server
}

type recorded struct {
	Path   string
	Header http.Header
	Body   map[string]any
}

func newFakeGateway(t testing.TB, answer func(n int, body map[string]any) (int, string, time.Duration)) *fakeGateway {
	t.Helper()
	g := &fakeGateway{}
	g.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		_ = json.Unmarshal(b, &body)
		g.mu.Lock()
		g.reqs = append(g.reqs, recorded{r.URL.Path, r.Header.Clone(), body})
		n := len(g.reqs)
		g.mu.Unlock()
		status, answer, delay := answer(n, body)
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, answer)
	}))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *fakeGateway) requests() []recorded {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]recorded(nil), g.reqs...)
}

func testMessage() Message {
	r := Reminder{ID: "r1", Patient: "Patient/p1", Medication: "Amlodipin 5 mg", Kind: Dose, Due: at(2, 7, 0)}
	vi, en := r.Text()
	return Message{To: "0912 345 678", Reminder: r, VI: vi, EN: en}
}

// The SMS and Zalo channels over the HTTP transport against local fake
// gateways: request shape and headers, receipts, and how each kind of
// answer is classified (Permanent: not retried, the Router moves on).
func TestGatewayAnswers(t *testing.T) {
	type want struct {
		receipt   string
		err       string // substring of the error, "" for success
		permanent bool
	}
	ok := func(r string) want { return want{receipt: r} }
	tests := []struct {
		name    string
		channel string // sms or zalo
		status  int
		answer  string
		delay   time.Duration
		want    want
	}{
		{"sms accepted with id", "sms", 200, `{"id":"sms-42","status":"queued"}`, 0, ok("sms-42")},
		{"sms accepted, id under data", "sms", 202, `{"data":{"message_id":"m-7"}}`, 0, ok("m-7")},
		{"sms accepted without JSON", "sms", 200, `OK`, 0, ok("http-200")},
		{"sms error JSON in a 200", "sms", 200, `{"success":false,"message":"brandname not registered"}`, 0,
			want{err: "brandname not registered", permanent: true}},
		{"sms numeric error code in a 200", "sms", 200, `{"error":101,"message":"wrong ApiKey"}`, 0,
			want{err: "wrong ApiKey", permanent: true}},
		{"sms 400", "sms", 400, `{"error":"invalid_request","error_description":"to: bad number"}`, 0,
			want{err: "HTTP 400: to: bad number", permanent: true}},
		{"sms 401", "sms", 401, `{"message":"bad key"}`, 0, want{err: "HTTP 401: bad key", permanent: true}},
		{"sms 429 is temporary", "sms", 429, `{"message":"slow down"}`, 0, want{err: "HTTP 429", permanent: false}},
		{"sms 500", "sms", 500, `internal error`, 0, want{err: "HTTP 500: internal error", permanent: false}},
		{"sms 503", "sms", 503, `{"message":"maintenance"}`, 0, want{err: "maintenance", permanent: false}},
		{"sms timeout", "sms", 200, `{"id":"late"}`, 2 * time.Second, want{err: "timed out", permanent: false}},
		{"zalo success", "zalo", 200, `{"error":0,"message":"Success","data":{"msg_id":"a1b2c3","sent_time":"1719705600000"}}`, 0, ok("a1b2c3")},
		{"zalo error in a 200", "zalo", 200, `{"error":-124,"message":"Access token is invalid"}`, 0,
			want{err: "error -124: Access token is invalid", permanent: true}},
		{"zalo success without msg_id", "zalo", 200, `{"error":0,"message":"Success"}`, 0, want{err: "without msg_id", permanent: true}},
		{"zalo unreadable answer", "zalo", 200, `<html>gateway</html>`, 0, want{err: "unreadable ZNS answer", permanent: true}},
		{"zalo 404", "zalo", 404, `{"error":404,"message":"empty api"}`, 0, want{err: "HTTP 404: error 404: empty api", permanent: true}},
		{"zalo 502", "zalo", 502, ``, 0, want{err: "HTTP 502", permanent: false}},
		{"zalo timeout", "zalo", 200, `{"error":0,"data":{"msg_id":"late"}}`, 2 * time.Second, want{err: "timed out", permanent: false}},
	}
	client := &http.Client{Timeout: 300 * time.Millisecond}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newFakeGateway(t, func(int, map[string]any) (int, string, time.Duration) { return tt.status, tt.answer, tt.delay })
			var ch Channel
			if tt.channel == "sms" {
				ch = NewSMS(g.srv.URL+"/send", "k-123", "", "SEN-CLINIC", client)
			} else {
				ch = NewZalo(g.srv.URL+"/message/template", "zalo-token", "301122", client)
			}
			m := testMessage()
			got, err := ch.Send(context.Background(), m)
			switch {
			case tt.want.err == "" && (err != nil || got != tt.want.receipt):
				t.Fatalf("Send = %q, %v; want receipt %q", got, err, tt.want.receipt)
			case tt.want.err != "" && (err == nil || !strings.Contains(err.Error(), tt.want.err)):
				t.Fatalf("Send = %q, %v; want error containing %q", got, err, tt.want.err)
			case tt.want.err != "" && Permanent(err) != tt.want.permanent:
				t.Errorf("Permanent(%v) = %v, want %v", err, Permanent(err), tt.want.permanent)
			}
			reqs := g.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if tt.channel == "sms" {
				if r.Path != "/send" || r.Header.Get("Authorization") != "Bearer k-123" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
					t.Errorf("sms request %s headers %v", r.Path, r.Header)
				}
				if r.Body["to"] != "84912345678" || r.Body["from"] != "SEN-CLINIC" || r.Body["ref"] != "r1" ||
					r.Body["text"] != "Sen nhac: den gio uong Amlodipin 5 mg luc 07:00. Tra loi 1 neu da uong, 2 neu chua." {
					t.Errorf("sms body %v", r.Body)
				}
				return
			}
			if r.Path != "/message/template" || r.Header.Get("access_token") != "zalo-token" || r.Header.Get("Authorization") != "" {
				t.Errorf("zalo request %s headers %v", r.Path, r.Header)
			}
			data, _ := r.Body["template_data"].(map[string]any)
			if r.Body["phone"] != "84912345678" || r.Body["template_id"] != "301122" || r.Body["tracking_id"] != "r1" ||
				data["medicine"] != "Amlodipin 5 mg" || data["time"] != "07:00 02/06/2025" || data["kind"] != "dose" {
				t.Errorf("zalo body %v", r.Body)
			}
		})
	}
}

// An invalid number never reaches the gateway; an API key may go in a
// header of its own.
func TestGatewayAddressAndKeyHeader(t *testing.T) {
	g := newFakeGateway(t, func(int, map[string]any) (int, string, time.Duration) { return 200, `{"id":"x"}`, 0 })
	sms := NewSMS(g.srv.URL, "k-9", "X-API-Key", "SEN", nil)
	m := testMessage()
	m.To = "024 3812 3456" // a Hanoi landline
	if _, err := sms.Send(context.Background(), m); !errors.Is(err, ErrNoAddress) || vn.CodeOf(err) != vn.CodePhoneLandline {
		t.Errorf("landline: %v", err)
	}
	if _, err := NewZalo(g.srv.URL, "t", "1", nil).Send(context.Background(), m); !errors.Is(err, ErrNoAddress) {
		t.Errorf("zalo landline: %v", err)
	}
	if n := len(g.requests()); n != 0 {
		t.Fatalf("%d requests for an invalid number", n)
	}
	m.To = "+84912345678"
	if r, err := sms.Send(context.Background(), m); err != nil || r != "x" {
		t.Fatalf("Send = %q, %v", r, err)
	}
	h := g.requests()[0].Header
	if h.Get("X-API-Key") != "k-9" || h.Get("Authorization") != "" {
		t.Errorf("headers %v", h)
	}
	// A gateway that is down: temporary, with no URL (it may hold a key).
	down := NewSMS("http://127.0.0.1:1/send?key=secret", "", "", "SEN", nil)
	_, err := down.Send(context.Background(), m)
	if err == nil || Permanent(err) || strings.Contains(err.Error(), "secret") {
		t.Errorf("gateway down: %v (permanent %v)", err, Permanent(err))
	}
}
