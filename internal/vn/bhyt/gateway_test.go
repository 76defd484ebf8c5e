package bhyt

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestParseReceiptTime(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{"20260401103015", time.Date(2026, 4, 1, 3, 30, 15, 0, time.UTC), false},
		{"202604011030", time.Time{}, true},
		{"20261301103015", time.Time{}, true},
	}
	for _, tt := range tests {
		got, err := ParseReceiptTime(tt.in)
		if (err != nil) != tt.wantErr || (!tt.wantErr && !got.Equal(tt.want)) {
			t.Errorf("ParseReceiptTime(%q) = %v, %v; want %v (error %v)", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestFakeGatewayRejectsUnreadableFiles(t *testing.T) {
	g := &FakeGateway{}
	ctx := context.Background()
	tests := []struct {
		name string
		call func() (Receipt, error)
	}{
		{"check-in that is not XML0", func() (Receipt, error) { return g.CheckIn(ctx, "79001", []byte("<x/>")) }},
		{"envelope that is not XML", func() (Receipt, error) {
			return g.Submit(ctx, Submission{MaLK: "a", MaCSKCB: "79001", Envelope: []byte("not xml")})
		}},
	}
	for _, tt := range tests {
		r, err := tt.call()
		if !errors.Is(err, ErrRejected) || r.Accepted() || r.Transaction == "" {
			t.Errorf("%s: got %+v, %v; want a rejection with a receipt", tt.name, r, err)
		}
	}
}
