package record

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// HealthBookEpisode is the per-episode summary pushed to the VNeID
// electronic health book (Sổ sức khỏe điện tử; Decision 31/QĐ-BYT, 2026;
// data groups of Decisions 1332 and 2733/QĐ-BYT, 2024 [S]). The groups
// follow REGULATIONS.md §3; element names are Sen's [M].
type HealthBookEpisode struct {
	MaDinhDanh string     `json:"ma_dinh_danh"` // CCCD, the health identifier
	HanhChinh  HanhChinh  `json:"hanh_chinh"`
	DiUng      []string   `json:"di_ung,omitempty"`
	Dot        DotDieuTri `json:"dot_kham_chua_benh"`
	TomTat     string     `json:"tom_tat"`
	MaCSKCB    string     `json:"ma_cskcb"`
	ChuKy      string     `json:"chu_ky,omitempty"` // the facility's signature over the rest
}

// HealthBookFromExport takes one episode of an export.
func HealthBookFromExport(h *HoSoBenhAn, episodeID string, allergies []string) (*HealthBookEpisode, error) {
	for _, d := range h.Dot {
		if d.MaDot != episodeID {
			continue
		}
		if h.HanhChinh.SoCCCD == "" {
			return nil, errors.New("health book: the patient has no personal ID (CCCD), the health identifier / người bệnh chưa có số định danh cá nhân")
		}
		sum := ""
		for i, c := range d.ChanDoan {
			if i > 0 {
				sum += "; "
			}
			sum += c.MaICD + " " + c.TenBenh
		}
		return &HealthBookEpisode{MaDinhDanh: h.HanhChinh.SoCCCD, HanhChinh: h.HanhChinh, DiUng: allergies, Dot: d,
			TomTat: sum, MaCSKCB: h.MaCSKCB}, nil
	}
	return nil, fmt.Errorf("health book: no episode %s / không có đợt điều trị %s", episodeID, episodeID)
}

// HealthBookGateway is the adapter to the health-book platform (push over
// REST within 24 hours, REGULATIONS.md §3); tests use a fake.
type HealthBookGateway interface {
	// Push sends a signed episode; ack is the platform's receipt. A
	// returned error may be retried.
	Push(ctx context.Context, e *HealthBookEpisode) (ack string, err error)
}

// PushUntilAcknowledged pushes e until the gateway acknowledges it,
// waiting backoff, 2×backoff, ... between attempts, at most attempts
// times (0: 10). It returns the acknowledgement or the last error.
func PushUntilAcknowledged(ctx context.Context, g HealthBookGateway, e *HealthBookEpisode, backoff time.Duration, attempts int) (string, error) {
	if e.ChuKy == "" {
		return "", errors.New("health book: the episode is not signed / dữ liệu chưa được ký số")
	}
	if attempts <= 0 {
		attempts = 10
	}
	var last error
	wait := backoff
	for i := 0; i < attempts; i++ {
		ack, err := g.Push(ctx, e)
		if err == nil && ack != "" {
			return ack, nil
		}
		if err == nil {
			err = errors.New("empty acknowledgement")
		}
		last = err
		if i == attempts-1 {
			break
		}
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("health book %s: %w (last: %v)", e.Dot.MaDot, ctx.Err(), last)
		case <-time.After(wait):
		}
		wait *= 2
	}
	return "", fmt.Errorf("health book %s: not acknowledged after %d attempts / chưa được xác nhận: %w", e.Dot.MaDot, attempts, last)
}

// SignedPayload is what the facility's signature ChuKy covers: the
// episode's JSON without ChuKy.
func (e *HealthBookEpisode) SignedPayload() ([]byte, error) {
	c := *e
	c.ChuKy = ""
	return json.Marshal(&c)
}

// SignHealthBook sets e.ChuKy to sign(SignedPayload()): a detached
// signature by the facility's key (sen serve uses a compact JWS).
func SignHealthBook(e *HealthBookEpisode, sign func(payload []byte) (string, error)) error {
	p, err := e.SignedPayload()
	if err != nil {
		return fmt.Errorf("health book %s: %w", e.Dot.MaDot, err)
	}
	sig, err := sign(p)
	if err != nil {
		return fmt.Errorf("health book %s: sign: %w", e.Dot.MaDot, err)
	}
	if sig == "" {
		return fmt.Errorf("health book %s: empty signature", e.Dot.MaDot)
	}
	e.ChuKy = sig
	return nil
}
