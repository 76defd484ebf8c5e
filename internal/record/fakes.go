package record

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// In-memory stand-ins for the national e-prescription system and the
// VNeID health-book platform, for tests and the demo (no network). They
// check what the real systems are documented to check: a well-formed,
// unique prescription code; a signed episode.

// FakePrescriptionSystem accepts each well-formed prescription code once;
// a second submission of a code gets ErrPrescriptionExists. The first
// FailFirst submissions fail as if the system were down.
type FakePrescriptionSystem struct {
	FailFirst int
	mu        sync.Mutex
	calls     int
	seen      map[string]bool
	sent      []*Prescription
}

// Send implements PrescriptionSystem.
func (f *FakePrescriptionSystem) Send(_ context.Context, rx *Prescription) (string, error) {
	if !ValidPrescriptionCode(rx.MaDonThuoc) {
		return "", fmt.Errorf("fake e-prescription system: code %q is not xxxxxyyyyyyy-z / mã đơn thuốc sai", rx.MaDonThuoc)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.calls <= f.FailFirst {
		return "", errors.New("fake e-prescription system: 503 service unavailable")
	}
	if f.seen == nil {
		f.seen = map[string]bool{}
	}
	if f.seen[rx.MaDonThuoc] {
		return "", fmt.Errorf("fake e-prescription system: code %s: %w", rx.MaDonThuoc, ErrPrescriptionExists)
	}
	f.seen[rx.MaDonThuoc] = true
	f.sent = append(f.sent, rx)
	return "RX-ACK-" + rx.MaDonThuoc, nil
}

// Sent returns the prescriptions accepted so far, in order.
func (f *FakePrescriptionSystem) Sent() []*Prescription {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*Prescription(nil), f.sent...)
}

// FakeHealthBook is a HealthBookGateway that fails the first FailFirst
// pushes (the platform is down) and refuses unsigned episodes.
type FakeHealthBook struct {
	FailFirst int
	mu        sync.Mutex
	calls     int
	acked     []string
}

// Push implements HealthBookGateway.
func (f *FakeHealthBook) Push(_ context.Context, e *HealthBookEpisode) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.calls <= f.FailFirst {
		return "", errors.New("fake health book: 503 service unavailable")
	}
	if e.ChuKy == "" {
		return "", errors.New("fake health book: unsigned data refused / dữ liệu chưa ký")
	}
	f.acked = append(f.acked, e.Dot.MaDot)
	return fmt.Sprintf("HB-ACK-%d", len(f.acked)), nil
}

// Acknowledged returns the episode ids acknowledged so far.
func (f *FakeHealthBook) Acknowledged() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.acked...)
}
