package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
)

// result is what an interaction answers: a stored resource version (res),
// or another JSON body (a Bundle, a CapabilityStatement), or nothing.
type result struct {
	status   int
	res      *fhir.Resource         // the version the interaction read or wrote
	body     []byte                 // a non-resource body; ignored when res is set
	set      *searchset             // a searchset Bundle, written as it is encoded; ignored when res or body is set
	outcome  *fhir.OperationOutcome // for Prefer: return=OperationOutcome
	location string                 // relative: Type/id/_history/n
	// noBody is set for answers that never carry one (304, conditional create match with minimal).
	noBody bool
	// header holds extra response headers (X-Sen-Signature on reads).
	header http.Header
}

const (
	mimeFHIRJSON  = "application/fhir+json"
	mimeJSON      = "application/json"
	mimeJSONPatch = "application/json-patch+json"
	mimeForm      = "application/x-www-form-urlencoded"
)

// negotiate rejects response formats Sen does not produce: XML (and
// anything else that is not JSON) gets 406 with a JSON OperationOutcome.
func negotiate(r *http.Request) error {
	if f := r.URL.Query().Get("_format"); f != "" {
		switch strings.ToLower(strings.TrimSpace(f)) {
		case "json", mimeJSON, mimeFHIRJSON, "application/fhir json", "application/json+fhir":
			return nil
		}
		return &fhir.Error{Kind: fhir.KindUnsupported, HTTPStatus: http.StatusNotAcceptable,
			Msg: "_format " + f + " is not supported: Sen answers in JSON only (application/fhir+json)"}
	}
	accept := r.Header.Get("Accept")
	if accept == "" {
		return nil
	}
	for _, part := range strings.Split(accept, ",") {
		mt := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		if mt == "*/*" || mt == "application/*" || strings.Contains(mt, "json") {
			return nil
		}
	}
	return &fhir.Error{Kind: fhir.KindUnsupported, HTTPStatus: http.StatusNotAcceptable,
		Msg: "Accept " + accept + " cannot be served: Sen answers in JSON only (application/fhir+json)"}
}

func responseType(r *http.Request) string {
	if f := r.URL.Query().Get("_format"); f == mimeJSON || f == "json" {
		return mimeJSON + "; charset=utf-8"
	}
	if a := r.Header.Get("Accept"); strings.HasPrefix(a, mimeJSON) {
		return mimeJSON + "; charset=utf-8"
	}
	return mimeFHIRJSON + "; charset=utf-8"
}

// writeError is the one place an error becomes an HTTP answer: the status
// from its kind and an OperationOutcome body. Internal details are logged,
// never sent.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status := fhir.StatusOf(err)
	if status >= 500 {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	} else {
		s.log.Debug("request rejected", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}
	var fe *fhir.Error
	if errors.As(err, &fe) && fe.Kind == fhir.KindUnsupported && fe.HTTPStatus == 0 {
		w.Header().Set("Allow", "GET, POST, PUT, PATCH, DELETE")
	}
	s.writeBody(w, r, status, fhir.OutcomeOf(err).JSON())
}

func (s *server) writeResult(w http.ResponseWriter, r *http.Request, res *result) {
	h := w.Header()
	for k, v := range res.header {
		h[k] = v
	}
	if res.res != nil {
		h.Set("ETag", res.res.VersionTag())
		h.Set("Last-Modified", res.res.LastUpdated.UTC().Format(http.TimeFormat))
	}
	if res.location != "" {
		h.Set("Location", s.base(r)+"/"+res.location)
		h.Set("Content-Location", s.base(r)+"/"+res.location)
	}
	status := res.status
	if status == 0 {
		status = http.StatusOK
	}
	if res.noBody || status == http.StatusNotModified {
		w.WriteHeader(status)
		return
	}
	var body []byte
	switch prefer(r) {
	case "minimal":
		if r.Method != http.MethodGet && r.Method != http.MethodHead && res.res != nil {
			w.WriteHeader(status)
			return
		}
	case "OperationOutcome":
		if r.Method != http.MethodGet && res.res != nil {
			out := res.outcome
			if out == nil {
				out = fhir.NewOutcome(fhir.Issue{Severity: "information", Code: "informational",
					Diagnostics: "ok: " + res.res.Type + "/" + res.res.ID + " version " + res.res.VersionTag()})
			}
			s.writeBody(w, r, status, out.JSON())
			return
		}
	}
	if res.res != nil {
		if res.res.JSON == nil {
			w.WriteHeader(status)
			return
		}
		var err error
		body, err = s.shape(res.res.Type, res.res.JSON, r.URL.Query())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
	} else {
		body = res.body
	}
	if body == nil && res.set != nil {
		s.writeSet(w, r, status, res.set)
		return
	}
	if body == nil {
		w.WriteHeader(status)
		return
	}
	s.writeBody(w, r, status, body)
}

// writeSet writes a searchset Bundle as it is encoded (searchset.go);
// with _pretty=true it is encoded whole first, then indented.
func (s *server) writeSet(w http.ResponseWriter, r *http.Request, status int, set *searchset) {
	if r.URL.Query().Get("_pretty") == "true" {
		var buf bytes.Buffer
		_ = set.writeTo(&buf, &s.chunks) // a bytes.Buffer does not fail
		s.writeBody(w, r, status, buf.Bytes())
		return
	}
	w.Header().Set("Content-Type", responseType(r))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	if err := set.writeTo(w, &s.chunks); err != nil {
		// The status is sent: the client went away or the connection broke.
		s.log.Debug("response not written", "method", r.Method, "path", r.URL.Path, "err", err)
	}
}

func (s *server) writeBody(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	if p := r.URL.Query().Get("_pretty"); p == "true" {
		var buf bytes.Buffer
		if json.Indent(&buf, body, "", "  ") == nil {
			body = buf.Bytes()
		}
	}
	w.Header().Set("Content-Type", responseType(r))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// prefer returns the return= value of the Prefer header ("minimal",
// "representation", "OperationOutcome" or "").
func prefer(r *http.Request) string {
	for _, p := range strings.Split(r.Header.Get("Prefer"), ";") {
		for _, q := range strings.Split(p, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(q), "=")
			if ok && strings.EqualFold(k, "return") {
				return strings.Trim(v, `"`)
			}
		}
	}
	return ""
}

// base is the absolute FHIR base URL for links and Location headers.
func (s *server) base(r *http.Request) string {
	if s.cfg.BaseURL != "" {
		return strings.TrimRight(s.cfg.BaseURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	return scheme + "://" + r.Host + "/fhir"
}

func (s *server) now() time.Time { return s.cfg.Now().UTC() }

func instant(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }
