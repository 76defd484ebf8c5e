package record

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// HTTP clients of the national e-prescription system and the VNeID
// health-book platform. Neither publishes an API Sen could read, so both
// clients POST the JSON payload to a URL the facility configures, with
// its access token as a bearer token [M]: confirm the address, the
// authentication and the answer with the operator (docs/regulations.md).
//
// Answers: 2xx is acceptance, and the receipt is the answer's
// "ma_tiep_nhan", "receipt" or "id" field, or else its body; 409 for a
// prescription means the code is already there (ErrPrescriptionExists);
// another 4xx except 408 and 429 is a rejection (ErrRejected, final);
// network errors, 408, 429 and 5xx are temporary.

// HTTPPrescriptionSystem is a PrescriptionSystem over HTTP.
type HTTPPrescriptionSystem struct {
	URL    string
	Token  string
	Client *http.Client // nil: a client with a 30-second timeout
}

// Send implements PrescriptionSystem.
func (h *HTTPPrescriptionSystem) Send(ctx context.Context, rx *Prescription) (string, error) {
	receipt, status, err := postJSON(ctx, h.Client, h.URL, h.Token, rx)
	if status == http.StatusConflict {
		return "", fmt.Errorf("e-prescription %s: %w (%v)", rx.MaDonThuoc, ErrPrescriptionExists, err)
	}
	if err != nil {
		return "", fmt.Errorf("e-prescription %s: %w", rx.MaDonThuoc, err)
	}
	return receipt, nil
}

// HTTPHealthBook is a HealthBookGateway over HTTP.
type HTTPHealthBook struct {
	URL    string
	Token  string
	Client *http.Client
}

// Push implements HealthBookGateway.
func (h *HTTPHealthBook) Push(ctx context.Context, e *HealthBookEpisode) (string, error) {
	ack, _, err := postJSON(ctx, h.Client, h.URL, h.Token, e)
	if err != nil {
		return "", fmt.Errorf("health book %s: %w", e.Dot.MaDot, err)
	}
	return ack, nil
}

func postJSON(ctx context.Context, c *http.Client, url, token string, v any) (receipt string, status int, err error) {
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	body, err := json.Marshal(v)
	if err != nil {
		return "", 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "", 0, err
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("Accept", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", 0, err // temporary
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	text := strings.TrimSpace(string(b))
	switch s := resp.StatusCode; {
	case s >= 200 && s < 300:
		var ans map[string]any
		if json.Unmarshal(b, &ans) == nil {
			for _, k := range []string{"ma_tiep_nhan", "receipt", "id"} {
				if v, ok := ans[k]; ok && fmt.Sprint(v) != "" {
					return fmt.Sprint(v), s, nil
				}
			}
		}
		if text == "" {
			return "", s, errors.New("empty acknowledgement / không có xác nhận")
		}
		return text, s, nil
	case s == http.StatusRequestTimeout || s == http.StatusTooManyRequests || s >= 500:
		return "", s, fmt.Errorf("HTTP %d: %.200s", s, text)
	default:
		return "", s, fmt.Errorf("%w: HTTP %d: %.200s", ErrRejected, s, text)
	}
}

var (
	_ PrescriptionSystem = (*HTTPPrescriptionSystem)(nil)
	_ HealthBookGateway  = (*HTTPHealthBook)(nil)
)
