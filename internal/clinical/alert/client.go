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
		return nil, nil, fmt.Errorf("%s %s: %w", method, path, &StatusError{Code: rec.code, Body: msg})
	}
	return rec.body.Bytes(), rec.hdr, nil
}

// StatusError is a non-2xx answer of the FHIR handler; Body is the start
// of its OperationOutcome.
type StatusError struct {
	Code int
	Body string
}

func (e *StatusError) Error() string { return fmt.Sprintf("status %d: %s", e.Code, e.Body) }

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
	next := c.SearchPath(typ, params)
	for range maxPages {
		pg, err := c.Page(ctx, next)
		if err != nil {
			return fmt.Errorf("search %s: %w", typ, err)
		}
		for _, r := range pg.Resources {
			if err := fn(r); err != nil {
				return err
			}
		}
		if next = pg.Next; next == "" {
			return nil
		}
	}
	return fmt.Errorf("search %s: more than %d pages", typ, maxPages)
}

// SearchPath is the request path of the first page of typ?params, with
// _count set to PageSize (default 500) unless params set it.
func (c Client) SearchPath(typ string, params url.Values) string {
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
	return c.base() + "/" + typ + "?" + p.Encode()
}

// Page is one page of search results.
type Page struct {
	Resources [][]byte // the matches (included resources left out), in order
	Next      string   // the request path of the next page; "" on the last
}

// Page reads one page of a search: path is SearchPath's answer or a
// previous Page's Next. Next paths hold the store's keyset cursor, so
// one kept across a restart goes on where it stopped (a cursor the
// server no longer accepts answers 400: a *StatusError).
func (c Client) Page(ctx context.Context, path string) (Page, error) {
	body, _, err := c.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return Page{}, err
	}
	var b bundle
	if err := json.Unmarshal(body, &b); err != nil {
		return Page{}, fmt.Errorf("GET %s: %w", path, err)
	}
	var pg Page
	for _, e := range b.Entry {
		if e.Search != nil && e.Search.Mode == "include" {
			continue
		}
		pg.Resources = append(pg.Resources, e.Resource)
	}
	for _, l := range b.Link {
		if l.Relation == "next" {
			u, err := url.Parse(l.URL)
			if err != nil {
				return Page{}, fmt.Errorf("GET %s: next link %q: %w", path, l.URL, err)
			}
			pg.Next = u.RequestURI()
		}
	}
	return pg, nil
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

// ChangeTypes are the resource types whose writes can change a patient's
// alerts: what Chart and SideEffectReports read, and the alerts' own
// Flags and Tasks (the care team closes a Task, or ends a Flag by hand).
func ChangeTypes() []string {
	return []string{"Patient", "Condition", "Encounter", "MedicationRequest", "MedicationDispense",
		"MedicationAdministration", "Communication", "Flag", "Task"}
}

// Changed calls fn with the id of every patient one of whose ChangeTypes
// resources was written (meta.lastUpdated) at or after since, a patient
// once per type at most. It reads one _lastUpdated search per type, a
// few rows per change; deletes are not seen (search lists current
// resources only), which is why a full sweep still runs now and then.
func (c Client) Changed(ctx context.Context, since time.Time, fn func(patient string) error) error {
	// Microseconds: the stores keep meta.lastUpdated to the microsecond.
	ge := "ge" + since.UTC().Truncate(time.Microsecond).Format("2006-01-02T15:04:05.000000Z07:00")
	for _, typ := range ChangeTypes() {
		seen := map[string]bool{}
		err := c.Search(ctx, typ, url.Values{"_lastUpdated": {ge}}, func(raw []byte) error {
			p := patientOf(typ, raw)
			if p == "" || seen[p] {
				return nil
			}
			seen[p] = true
			return fn(p)
		})
		if err != nil {
			return fmt.Errorf("changes since %s: %w", since.UTC().Format(time.RFC3339), err)
		}
	}
	return nil
}

// patientOf is the id of the patient a resource is about: a Patient's
// own id, else the Patient its subject, patient or for references.
func patientOf(typ string, raw []byte) string {
	var r struct {
		ID      string `json:"id"`
		Subject struct {
			Reference string `json:"reference"`
		} `json:"subject"`
		Patient struct {
			Reference string `json:"reference"`
		} `json:"patient"`
		For struct {
			Reference string `json:"reference"`
		} `json:"for"`
	}
	if json.Unmarshal(raw, &r) != nil {
		return ""
	}
	if typ == "Patient" {
		return r.ID
	}
	for _, ref := range []string{r.Subject.Reference, r.Patient.Reference, r.For.Reference} {
		// Relative (Patient/x, Patient/x/_history/2) or absolute
		// (https://…/Patient/x) references.
		if i := strings.LastIndex(ref, "Patient/"); i >= 0 && (i == 0 || ref[i-1] == '/') {
			id, _, _ := strings.Cut(ref[i+len("Patient/"):], "/")
			if id != "" {
				return id
			}
		}
	}
	return ""
}
