package bhyt

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestHTTPGatewayAgainstFake(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 4, 1, 10, 0, 0, 0, vnZone)
	fake := &FakeGateway{Now: func() time.Time { return now }, Reject: map[string]string{"LK-BAD": "MA_THE_BHYT sai"}}
	srv := httptest.NewServer(fake.Handler())
	defer srv.Close()
	gw := &HTTPGateway{BaseURL: srv.URL, Username: "79001_BV", Password: "mat-khau"}

	claim := func(maLK string) Submission {
		c := &Claim{MaLK: maLK, MaCSKCB: "79001", Tables: map[string][]Row{"XML1": {{"MA_LK": maLK, "STT": "1", "HO_TEN": "Nguyễn Văn An"}}}}
		env, err := Envelope(ctx, c, now, nil)
		if err != nil {
			t.Fatal(err)
		}
		return Submission{MaLK: maLK, MaTinh: "79", MaCSKCB: "79001", Envelope: env}
	}
	x0, _ := TableByName("XML0")
	tests := []struct {
		name         string
		failNext     int
		call         func() (Receipt, error)
		wantCode     string
		wantRejected bool
		wantTemp     bool
	}{
		{"check-in accepted", 0, func() (Receipt, error) {
			return gw.CheckIn(ctx, "79001", MarshalTable(x0, []Row{{"MA_LK": "LK-1", "STT": "1"}}))
		}, CodeAccepted, false, false},
		{"claim accepted", 0, func() (Receipt, error) { return gw.Submit(ctx, claim("LK-1")) }, CodeAccepted, false, false},
		{"claim rejected", 0, func() (Receipt, error) { return gw.Submit(ctx, claim("LK-BAD")) }, "400", true, false},
		{"unreadable file rejected", 0, func() (Receipt, error) {
			return gw.Submit(ctx, Submission{MaLK: "LK-2", MaCSKCB: "79001", Envelope: []byte("<not-xml")})
		}, "400", true, false},
		{"gateway down", 1, func() (Receipt, error) { return gw.Submit(ctx, claim("LK-3")) }, "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake.SetFailNext(tt.failNext)
			r, err := tt.call()
			if r.Code != tt.wantCode {
				t.Errorf("code %q, want %q (%v)", r.Code, tt.wantCode, err)
			}
			if got := errors.Is(err, ErrRejected); got != tt.wantRejected {
				t.Errorf("rejected=%v, want %v (%v)", got, tt.wantRejected, err)
			}
			var tmp temporary
			if got := errors.As(err, &tmp); got != tt.wantTemp {
				t.Errorf("temporary=%v, want %v (%v)", got, tt.wantTemp, err)
			}
			if err == nil && (r.Transaction == "" || !r.Received.Equal(now)) {
				t.Errorf("receipt %+v: want a transaction id and the receipt time %s", r, now)
			}
		})
	}
	if got := len(fake.Submissions("LK-1")); got != 1 {
		t.Errorf("LK-1 received %d times, want 1", got)
	}
	// A gateway that does not answer is temporary, never a rejection.
	down := &HTTPGateway{BaseURL: "http://127.0.0.1:1", Username: "u", Password: "p", Client: &http.Client{Timeout: time.Second}}
	if _, err := down.Submit(ctx, claim("LK-4")); err == nil || errors.Is(err, ErrRejected) {
		t.Errorf("unreachable gateway: %v, want a temporary error", err)
	}
}
