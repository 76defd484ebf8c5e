package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"time"
)

// client sends requests to one FHIR base.
type client struct {
	base string
	http *http.Client
}

// do sends one request and reads the whole answer; headers alternate
// name, value.
func (c *client) do(ctx context.Context, method, u, body string, headers []string) (int, []byte, error) {
	var rd io.Reader
	if body != "" {
		rd = bytes.NewReader([]byte(body))
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Accept", "application/fhir+json")
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

// worker is one simulated client. Its own creations are what it updates,
// so concurrent workers never race on a version (no expected 412s).
type worker struct {
	c    *client
	fx   *fixture
	rnd  *rand.Rand
	mine []owned
	errs []string
}

type owned struct {
	id      string
	patient string
	version string
}

// op is one request of the mix; a nil error means a 2xx answer.
type op func(ctx context.Context) error

// pick draws the next request: 70 % reads and searches, 20 % writes, 10 %
// transactions.
func (w *worker) pick() (string, op) {
	switch n := w.rnd.IntN(100); {
	case n < 30:
		return "read Patient", w.readPatient
	case n < 45:
		return "search Patient name", w.searchName
	case n < 60:
		return "search Observation", w.searchObservations
	case n < 70:
		return "search Condition", w.searchConditions
	case n < 85:
		return "create Observation", w.createObservation
	case n < 90:
		if len(w.mine) > 0 {
			return "update If-Match", w.updateObservation
		}
		return "create Observation", w.createObservation
	}
	return "transaction", w.transaction
}

func (w *worker) patient() string { return w.fx.patients[w.rnd.IntN(len(w.fx.patients))] }

func (w *worker) get(ctx context.Context, path string) error {
	status, body, err := w.c.do(ctx, "GET", w.c.base+path, "", nil)
	return check("GET "+path, status, body, err, http.StatusOK)
}

func (w *worker) readPatient(ctx context.Context) error {
	return w.get(ctx, "/Patient/"+w.patient())
}

func (w *worker) searchName(ctx context.Context) error {
	return w.get(ctx, "/Patient?_count=10&name="+url.QueryEscape(w.fx.names[w.rnd.IntN(len(w.fx.names))]))
}

func (w *worker) searchObservations(ctx context.Context) error {
	return w.get(ctx, "/Observation?_count=20&subject=Patient/"+w.patient())
}

func (w *worker) searchConditions(ctx context.Context) error {
	return w.get(ctx, "/Condition?patient=Patient/"+w.patient())
}

func observation(patient string, value float64, id string) string {
	o := map[string]any{
		"resourceType": "Observation",
		"status":       "final",
		"category": []any{map[string]any{"coding": []any{map[string]any{
			"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "vital-signs"}}}},
		"code": map[string]any{"coding": []any{map[string]any{
			"system": "http://loinc.org", "code": "8867-4", "display": "Heart rate"}}},
		"subject":           map[string]any{"reference": patient},
		"effectiveDateTime": time.Now().UTC().Format(time.RFC3339),
		"valueQuantity": map[string]any{"value": value, "unit": "/min",
			"system": "http://unitsofmeasure.org", "code": "/min"},
	}
	if id != "" {
		o["id"] = id
	}
	b, _ := json.Marshal(o)
	return string(b)
}

func (w *worker) createObservation(ctx context.Context) error {
	p := w.patient()
	status, body, err := w.c.do(ctx, "POST", w.c.base+"/Observation", observation("Patient/"+p, float64(60+w.rnd.IntN(40)), ""), nil)
	if err := check("create Observation", status, body, err, http.StatusCreated); err != nil {
		return err
	}
	var res struct {
		ID   string `json:"id"`
		Meta struct {
			VersionID string `json:"versionId"`
		} `json:"meta"`
	}
	if json.Unmarshal(body, &res) == nil && res.ID != "" && len(w.mine) < 200 {
		w.mine = append(w.mine, owned{res.ID, p, res.Meta.VersionID})
	}
	return nil
}

func (w *worker) updateObservation(ctx context.Context) error {
	i := w.rnd.IntN(len(w.mine))
	o := &w.mine[i]
	status, body, err := w.c.do(ctx, "PUT", w.c.base+"/Observation/"+o.id,
		observation("Patient/"+o.patient, float64(60+w.rnd.IntN(40)), o.id), []string{"If-Match", `W/"` + o.version + `"`})
	if err := check("update Observation", status, body, err, http.StatusOK); err != nil {
		return err
	}
	var res struct {
		Meta struct {
			VersionID string `json:"versionId"`
		} `json:"meta"`
	}
	if json.Unmarshal(body, &res) == nil && res.Meta.VersionID != "" {
		o.version = res.Meta.VersionID
	}
	return nil
}

func (w *worker) transaction(ctx context.Context) error {
	p := "Patient/" + w.patient()
	enc := fmt.Sprintf("urn:uuid:%08x-0000-4000-8000-%012x", w.rnd.Uint32(), w.rnd.Uint64()&0xffffffffffff)
	encounter := fmt.Sprintf(`{"resourceType":"Encounter","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"subject":{"reference":%q},"period":{"start":%q}}`,
		p, time.Now().UTC().Format(time.RFC3339))
	entries := []string{fmt.Sprintf(`{"fullUrl":%q,"resource":%s,"request":{"method":"POST","url":"Encounter"}}`, enc, encounter)}
	for range 2 {
		var o map[string]any
		_ = json.Unmarshal([]byte(observation(p, float64(60+w.rnd.IntN(40)), "")), &o)
		o["encounter"] = map[string]any{"reference": enc}
		b, _ := json.Marshal(o)
		entries = append(entries, fmt.Sprintf(`{"resource":%s,"request":{"method":"POST","url":"Observation"}}`, b))
	}
	body := `{"resourceType":"Bundle","type":"transaction","entry":[` + entries[0] + "," + entries[1] + "," + entries[2] + `]}`
	status, resp, err := w.c.do(ctx, "POST", w.c.base, body, nil)
	return check("transaction", status, resp, err, http.StatusOK)
}

func check(what string, status int, body []byte, err error, want int) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if status != want {
		return fmt.Errorf("%s: status %d, want %d: %.200s", what, status, want, body)
	}
	return nil
}
