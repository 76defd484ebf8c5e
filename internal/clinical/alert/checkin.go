package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/sen-emr/sen/internal/chat"
)

// A patient's check-in (a reply to a reminder, understood by
// internal/chat) is recorded, and the alerts it may raise — a side effect,
// the N-th missed dose in a row — reach the care team at once rather than
// at the next scan.

// CheckInResult is what CheckIn wrote and raised.
type CheckInResult struct {
	Recorded []string // "Type/id" of the resources written for the message
	Raised   []Kind   // alerts raised by it (a kind once per medicine)
}

// CheckIn records the resources of a parsed message (chat.Result.Resources)
// in one FHIR transaction — all or nothing — and then syncs the patient's
// MissedDoses and SideEffect alerts. c.Patient is "Patient/{id}"; when
// c.CareTeam is empty the patient's active CareTeam (else their general
// practitioner) is used as recipient and owner. A message that records
// nothing (help, stop, unknown, taken without a medicine) writes nothing
// and raises nothing. Errors from the chart or the writes are returned;
// the record is never left half written by CheckIn itself.
func (s *Scanner) CheckIn(ctx context.Context, r chat.Result, c chat.Context) (CheckInResult, error) {
	var res CheckInResult
	patient, ok := strings.CutPrefix(c.Patient, "Patient/")
	if !ok || patient == "" || strings.Contains(patient, "/") {
		return res, fmt.Errorf("check-in: patient %q: want Patient/{id}", c.Patient)
	}
	if c.CareTeam == "" {
		body, _, err := s.Client.do(ctx, http.MethodGet, s.Client.base()+"/Patient/"+patient, nil, nil)
		if err != nil {
			return res, fmt.Errorf("check-in: %w", err)
		}
		if c.CareTeam, err = s.owner(ctx, patient, body); err != nil {
			return res, fmt.Errorf("check-in: %w", err)
		}
	}
	resources, err := r.Resources(c)
	if err != nil {
		return res, fmt.Errorf("check-in: %w", err)
	}
	if len(resources) == 0 {
		return res, nil
	}
	res.Recorded, err = s.Client.Transaction(ctx, resources)
	if err != nil {
		return res, fmt.Errorf("check-in: %w", err)
	}
	if r.Intent != chat.SideEffect && r.Intent != chat.Missed {
		return res, nil
	}
	sr, err := s.sync(ctx, patient, []Kind{MissedDoses, SideEffect})
	res.Raised = sr.raised
	if err != nil {
		return res, fmt.Errorf("check-in: recorded %v, alerts: %w", res.Recorded, err)
	}
	return res, nil
}

// Transaction creates the resources (JSON, without ids) in one FHIR
// transaction Bundle (https://hl7.org/fhir/R4/http.html#transaction) and
// returns their "Type/id" in order. Either all are written or none.
func (c Client) Transaction(ctx context.Context, resources [][]byte) ([]string, error) {
	entries := make([]any, 0, len(resources))
	for i, raw := range resources {
		var h struct {
			ResourceType string `json:"resourceType"`
		}
		if err := json.Unmarshal(raw, &h); err != nil || h.ResourceType == "" {
			return nil, fmt.Errorf("transaction: entry %d is not a FHIR resource", i)
		}
		entries = append(entries, map[string]any{
			"resource": json.RawMessage(raw),
			"request":  map[string]any{"method": "POST", "url": h.ResourceType},
		})
	}
	body, err := json.Marshal(map[string]any{"resourceType": "Bundle", "type": "transaction", "entry": entries})
	if err != nil {
		return nil, fmt.Errorf("transaction: %w", err)
	}
	out, _, err := c.do(ctx, http.MethodPost, c.base(), body, nil)
	if err != nil {
		return nil, fmt.Errorf("transaction: %w", err)
	}
	var b struct {
		Entry []struct {
			Response struct {
				Location string `json:"location"`
			} `json:"response"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(out, &b); err != nil {
		return nil, fmt.Errorf("transaction: answer: %w", err)
	}
	if len(b.Entry) != len(resources) {
		return nil, fmt.Errorf("transaction: %d entries answered for %d sent", len(b.Entry), len(resources))
	}
	refs := make([]string, len(b.Entry))
	for i, e := range b.Entry {
		loc := strings.TrimPrefix(e.Response.Location, c.base()+"/")
		if j := strings.Index(loc, "/_history/"); j >= 0 {
			loc = loc[:j]
		}
		if k := strings.Index(loc, "://"); k >= 0 { // an absolute URL
			parts := strings.Split(loc, "/")
			if len(parts) >= 2 {
				loc = parts[len(parts)-2] + "/" + parts[len(parts)-1]
			}
		}
		refs[i] = loc
	}
	return refs, nil
}
