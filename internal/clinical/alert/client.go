package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/chat"
	"github.com/sen-emr/sen/internal/clinical/medication"
	"github.com/sen-emr/sen/internal/clinical/risk"
)

// Client talks FHIR to Sen's REST handler in-process. The zero Base means
// "/fhir". It is safe for concurrent use when Handler is.
type Client struct {
	Handler http.Handler
	Base    string
	// PageSize is the _count of searches (default 500).
	PageSize int
}

// maxPages bounds a search that keeps returning next links (a bug, or a
// population far larger than a scan should walk in one go).
const maxPages = 10_000

// recorder is a minimal http.ResponseWriter (httptest belongs to tests).
type recorder struct {
	code int
	hdr  http.Header
	body bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.hdr }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}

func (c Client) base() string {
	if c.Base == "" {
		return "/fhir"
	}
	return strings.TrimSuffix(c.Base, "/")
}

// do sends one request and returns the body of a 2xx answer, or an error
// carrying the OperationOutcome's text.
func (c Client) do(ctx context.Context, method, path string, body []byte, hdr map[string]string) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, method, path, bytes.NewReader(body))
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Accept", "application/fhir+json")
	if body != nil {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	rec := &recorder{hdr: http.Header{}}
	c.Handler.ServeHTTP(rec, req)
	if rec.code == 0 {
		rec.code = http.StatusOK
	}
	if rec.code/100 != 2 {
		msg := rec.body.String()
		if len(msg) > 500 {
			msg = msg[:500] + "…"
		}
		return nil, nil, fmt.Errorf("%s %s: status %d: %s", method, path, rec.code, msg)
	}
	return rec.body.Bytes(), rec.hdr, nil
}

type bundle struct {
	Link []struct {
		Relation string `json:"relation"`
		URL      string `json:"url"`
	} `json:"link"`
	Entry []struct {
		Resource json.RawMessage `json:"resource"`
		Search   *struct {
			Mode string `json:"mode"`
		} `json:"search"`
	} `json:"entry"`
}

// Search calls fn with every resource matching typ?params, following next
// links. Included resources (search mode "include") are skipped.
func (c Client) Search(ctx context.Context, typ string, params url.Values, fn func(resource []byte) error) error {
	p := url.Values{}
	for k, v := range params {
		p[k] = v
	}
	if p.Get("_count") == "" {
		n := c.PageSize
		if n <= 0 {
			n = 500
		}
		p.Set("_count", fmt.Sprint(n))
	}
	next := c.base() + "/" + typ + "?" + p.Encode()
	for range maxPages {
		body, _, err := c.do(ctx, http.MethodGet, next, nil, nil)
		if err != nil {
			return fmt.Errorf("search %s: %w", typ, err)
		}
		var b bundle
		if err := json.Unmarshal(body, &b); err != nil {
			return fmt.Errorf("search %s: %w", typ, err)
		}
		for _, e := range b.Entry {
			if e.Search != nil && e.Search.Mode == "include" {
				continue
			}
			if err := fn(e.Resource); err != nil {
				return err
			}
		}
		next = ""
		for _, l := range b.Link {
			if l.Relation == "next" {
				u, err := url.Parse(l.URL)
				if err != nil {
					return fmt.Errorf("search %s: next link %q: %w", typ, l.URL, err)
				}
				next = u.RequestURI()
			}
		}
		if next == "" {
			return nil
		}
	}
	return fmt.Errorf("search %s: more than %d pages", typ, maxPages)
}

func (c Client) all(ctx context.Context, typ string, params url.Values) ([][]byte, error) {
	var out [][]byte
	err := c.Search(ctx, typ, params, func(r []byte) error {
		out = append(out, append([]byte(nil), r...))
		return nil
	})
	return out, err
}

// Create posts a resource and returns its new id. ifNoneExist, when set,
// makes it a conditional create (the id of the match is returned).
func (c Client) Create(ctx context.Context, typ string, body []byte, ifNoneExist string) (string, error) {
	hdr := map[string]string{"Prefer": "return=representation"}
	if ifNoneExist != "" {
		hdr["If-None-Exist"] = ifNoneExist
	}
	out, _, err := c.do(ctx, http.MethodPost, c.base()+"/"+typ, body, hdr)
	if err != nil {
		return "", fmt.Errorf("create %s: %w", typ, err)
	}
	var r struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(out, &r); err != nil || r.ID == "" {
		return "", fmt.Errorf("create %s: no id in the answer", typ)
	}
	return r.ID, nil
}

// Update replaces typ/id with body (which must carry the id).
func (c Client) Update(ctx context.Context, typ, id string, body []byte) error {
	if _, _, err := c.do(ctx, http.MethodPut, c.base()+"/"+typ+"/"+url.PathEscape(id), body, nil); err != nil {
		return fmt.Errorf("update %s/%s: %w", typ, id, err)
	}
	return nil
}

// EachPatient calls fn with every Patient resource.
func (c Client) EachPatient(ctx context.Context, fn func(patient []byte) error) error {
	return c.Search(ctx, "Patient", nil, fn)
}

// Chart reads what the alerts (and the risk model) look at for one
// patient: the Patient, Conditions, Encounters and medication resources.
func (c Client) Chart(ctx context.Context, patientID string) (risk.Record, error) {
	body, _, err := c.do(ctx, http.MethodGet, c.base()+"/Patient/"+url.PathEscape(patientID), nil, nil)
	if err != nil {
		return risk.Record{}, fmt.Errorf("chart of Patient/%s: %w", patientID, err)
	}
	rec := risk.Record{Patient: body}
	for _, s := range []struct {
		typ  string
		into *[][]byte
	}{
		{"Condition", &rec.Conditions}, {"Encounter", &rec.Encounters}, {"MedicationRequest", &rec.Requests},
		{"MedicationDispense", &rec.Dispenses}, {"MedicationAdministration", &rec.Administrations},
	} {
		rs, err := c.all(ctx, s.typ, url.Values{"subject": {"Patient/" + patientID}})
		if err != nil {
			return risk.Record{}, fmt.Errorf("chart of Patient/%s: %w", patientID, err)
		}
		*s.into = rs
	}
	return rec, nil
}

// Medications reads one patient's medication resources (the reminder
// planner's view of the chart).
func (c Client) Medications(ctx context.Context, patientID string) (medication.Records, error) {
	var rec medication.Records
	for _, s := range []struct {
		typ  string
		into *[][]byte
	}{{"MedicationRequest", &rec.Requests}, {"MedicationDispense", &rec.Dispenses}, {"MedicationAdministration", &rec.Administrations}} {
		rs, err := c.all(ctx, s.typ, url.Values{"subject": {"Patient/" + patientID}})
		if err != nil {
			return medication.Records{}, fmt.Errorf("medications of Patient/%s: %w", patientID, err)
		}
		*s.into = rs
	}
	return rec, nil
}

// SideEffectReports reads the patient's side-effect check-ins
// (Communications with category chat.SystemCheckIn|side-effect) sent
// since the given time.
func (c Client) SideEffectReports(ctx context.Context, patientID string, since time.Time) ([][]byte, error) {
	rs, err := c.all(ctx, "Communication", url.Values{
		"subject":  {"Patient/" + patientID},
		"category": {chat.SystemCheckIn + "|" + string(chat.SideEffect)},
		"sent":     {"ge" + since.UTC().Format(time.RFC3339)},
	})
	if err != nil {
		return nil, fmt.Errorf("side-effect reports of Patient/%s: %w", patientID, err)
	}
	return rs, nil
}
