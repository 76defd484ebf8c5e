package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
)

// capture is a minimal http.ResponseWriter for calling the FHIR handler
// in-process.
type capture struct {
	hdr    http.Header
	status int
	body   bytes.Buffer
}

func (c *capture) Header() http.Header {
	if c.hdr == nil {
		c.hdr = http.Header{}
	}
	return c.hdr
}
func (c *capture) WriteHeader(s int) {
	if c.status == 0 {
		c.status = s
	}
}
func (c *capture) Write(b []byte) (int, error) {
	if c.status == 0 {
		c.status = http.StatusOK
	}
	return c.body.Write(b)
}

// fhirCall sends one request to the FHIR handler in-process and returns the
// response body, or an error carrying the OperationOutcome's diagnostics.
func (h *Handler) fhirCall(ctx context.Context, method, path string, body any) ([]byte, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", path, err)
	}
	req, err := http.NewRequestWithContext(ctx, method, path, bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Content-Type", "application/fhir+json")
	req.Header.Set("Accept", "application/fhir+json")
	req.Header.Set("Prefer", "return=representation")
	var c capture
	h.cfg.FHIR.ServeHTTP(&c, req)
	if c.status >= 300 {
		return nil, &fhir.Error{Kind: kindOfStatus(c.status), Msg: fmt.Sprintf("%s %s: status %d: %s", method, path, c.status, outcomeText(c.body.Bytes()))}
	}
	return c.body.Bytes(), nil
}

func kindOfStatus(s int) fhir.Kind {
	switch {
	case s == http.StatusNotFound:
		return fhir.KindNotFound
	case s == http.StatusBadRequest || s == http.StatusUnprocessableEntity:
		return fhir.KindInvalid
	case s == http.StatusForbidden || s == http.StatusUnauthorized:
		return fhir.KindForbidden
	case s == http.StatusConflict:
		return fhir.KindConflict
	}
	return fhir.KindInternal
}

func outcomeText(body []byte) string {
	var oo struct {
		Issue []struct {
			Diagnostics string `json:"diagnostics"`
		} `json:"issue"`
	}
	if json.Unmarshal(body, &oo) != nil || len(oo.Issue) == 0 {
		if len(body) > 200 {
			body = body[:200]
		}
		return string(body)
	}
	var parts []string
	for _, is := range oo.Issue {
		parts = append(parts, is.Diagnostics)
	}
	return strings.Join(parts, "; ")
}

// create stores a new resource and returns its id.
func (h *Handler) create(ctx context.Context, typ string, res map[string]any) (string, error) {
	res["resourceType"] = typ
	out, err := h.fhirCall(ctx, http.MethodPost, "/fhir/"+typ, res)
	if err != nil {
		return "", err
	}
	var hd struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(out, &hd)
	return hd.ID, nil
}

// transaction stores resources together; entries refer to each other by
// their fullUrl ("urn:uuid:...").
func (h *Handler) transaction(ctx context.Context, entries []txEntry) error {
	bundle := map[string]any{"resourceType": "Bundle", "type": "transaction"}
	var es []any
	for _, e := range entries {
		e.res["resourceType"] = e.typ
		es = append(es, map[string]any{
			"fullUrl":  e.fullURL,
			"resource": e.res,
			"request":  map[string]any{"method": "POST", "url": e.typ},
		})
	}
	bundle["entry"] = es
	_, err := h.fhirCall(ctx, http.MethodPost, "/fhir", bundle)
	return err
}

type txEntry struct {
	fullURL string
	typ     string
	res     map[string]any
}
