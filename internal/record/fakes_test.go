package record

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestFakePrescriptionSystem(t *testing.T) {
	f := &FakePrescriptionSystem{}
	tests := []struct {
		code    string
		wantErr string
	}{
		{"01013abc1234-C", ""},
		{"01013abc1234-C", "already submitted"},
		{"0101-bad", "not xxxxxyyyyyyy-z"},
	}
	for _, tt := range tests {
		ack, err := f.Send(context.Background(), &Prescription{MaDonThuoc: tt.code})
		if tt.wantErr == "" && (err != nil || !strings.Contains(ack, tt.code)) {
			t.Errorf("%s: got %q, %v", tt.code, ack, err)
		}
		if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s: got %v, want error %q", tt.code, err, tt.wantErr)
		}
	}
}

func TestFakeHealthBookRetriedUntilAcknowledged(t *testing.T) {
	hb := &FakeHealthBook{FailFirst: 2}
	ep := &HealthBookEpisode{ChuKy: "sig", Dot: DotDieuTri{MaDot: "e1"}}
	ack, err := PushUntilAcknowledged(context.Background(), hb, ep, time.Millisecond, 5)
	if err != nil || ack != "HB-ACK-1" {
		t.Fatalf("got %q, %v; want HB-ACK-1 after two failures", ack, err)
	}
	if got := hb.Acknowledged(); len(got) != 1 || got[0] != "e1" {
		t.Fatalf("acknowledged %v", got)
	}
	if _, err := hb.Push(context.Background(), &HealthBookEpisode{}); err == nil {
		t.Fatal("an unsigned episode was accepted")
	}
}
