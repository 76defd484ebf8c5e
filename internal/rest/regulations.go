package rest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/record"
	"github.com/sen-emr/sen/internal/sign"
	"github.com/sen-emr/sen/internal/vn/bhyt"
)

// Vietnamese-regulation operations (Sen-defined; docs/regulations.md):
//
//	GET /fhir/{type}/{id}/$verify             → OperationOutcome: every signature
//	    (Provenance with a JWS) of the resource checked against its current
//	    version; a change after signing is an error naming the changed paths
//	GET /fhir/Encounter/{id}/$bhyt-xml        → Binary: the GIAMDINHHS envelope
//	    (Decision 130/QĐ-BYT); 422 with one issue per wrong field
//	GET /fhir/Patient/{id}/$export-record?format=xml|json → Binary: HoSoBenhAn
//
// https://hl7.org/fhir/R4/operations.html

// verifySignatures runs $verify.
func (s *server) verifySignatures(r *http.Request) (*result, error) {
	typ, id := r.PathValue("type"), r.PathValue("id")
	if err := s.checkType(typ); err != nil {
		return nil, err
	}
	results, err := s.verifyResource(r.Context(), typ, id)
	if err != nil {
		return nil, err
	}
	var issues []fhir.Issue
	for _, res := range results {
		sev, code := "information", "informational"
		if !res.Valid() {
			sev, code = "error", "invariant"
		}
		issues = append(issues, fhir.Issue{Severity: sev, Code: code, Diagnostics: res.Summary(), Expression: []string{res.Target}})
	}
	if len(issues) == 0 {
		issues = append(issues, fhir.Issue{Severity: "warning", Code: "not-found",
			Diagnostics: fmt.Sprintf("%s/%s has no signature / chưa được ký", typ, id)})
	}
	return &result{body: fhir.NewOutcome(issues...).JSON()}, nil
}

// verifyResource checks every Provenance that targets typ/id. A changed
// record's result names the paths that differ from the signed version.
func (s *server) verifyResource(ctx context.Context, typ, id string) ([]*sign.Result, error) {
	cur, err := s.cfg.Store.Read(ctx, typ, id)
	var fe *fhir.Error
	deleted := false
	if err != nil {
		if !asFHIR(err, &fe) || fe.Kind != fhir.KindGone {
			return nil, err
		}
		deleted = true
	}
	q, err := s.cfg.Parser.ParseQuery("Provenance", url.Values{"target": {typ + "/" + id}, "_count": {"100"}}, false)
	if err != nil {
		return nil, fmt.Errorf("$verify %s/%s: %w", typ, id, err)
	}
	page, err := s.cfg.Store.Search(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("$verify %s/%s: %w", typ, id, err)
	}
	var body []byte
	if !deleted {
		body = cur.JSON
	}
	var out []*sign.Result
	v := s.verifier()
	for _, p := range page.Resources {
		res := v.Verify(p.JSON, body)
		if res.Changed() && !deleted {
			if _, _, ver, err := sign.SplitTarget(res.Target); err == nil && ver != "" {
				var n int64
				if _, err := fmt.Sscan(ver, &n); err == nil {
					if signed, err := s.cfg.Store.VRead(ctx, typ, id, n); err == nil {
						if paths, err := sign.Changes(signed.JSON, body); err == nil && len(paths) > 0 {
							res.Findings = append(res.Findings, sign.Finding{Code: "changed-paths", Error: true,
								Message: "changed: " + strings.Join(paths, ", "), MessageV: "phần bị thay đổi: " + strings.Join(paths, ", ")})
						}
					}
				}
			}
		}
		out = append(out, res)
	}
	return out, nil
}

func asFHIR(err error, fe **fhir.Error) bool {
	e, ok := err.(*fhir.Error)
	if ok {
		*fe = e
	}
	return ok
}

// bhytXML runs Encounter $bhyt-xml.
func (s *server) bhytXML(r *http.Request) (*result, error) {
	ctx, id := r.Context(), r.PathValue("id")
	if err := checkID(id); err != nil {
		return nil, fhir.Errorf(fhir.KindNotFound, "Encounter/%s not found", id)
	}
	enc, err := s.cfg.Store.Read(ctx, "Encounter", id)
	if err != nil {
		return nil, err
	}
	var e struct {
		Subject         struct{ Reference string } `json:"subject"`
		ServiceProvider struct{ Reference string } `json:"serviceProvider"`
	}
	if err := json.Unmarshal(enc.JSON, &e); err != nil {
		return nil, fmt.Errorf("$bhyt-xml Encounter/%s: %w", id, err)
	}
	pid := strings.TrimPrefix(e.Subject.Reference, "Patient/")
	recs, err := s.patientRecords(ctx, pid, "Coverage", "Condition", "MedicationRequest", "ChargeItem", "Observation", "Composition", "Appointment")
	if err != nil {
		return nil, err
	}
	patient, err := s.cfg.Store.Read(ctx, "Patient", pid)
	if err != nil {
		return nil, err
	}
	src := &bhyt.Source{MaLK: r.URL.Query().Get("ma-lk"), Now: s.cfg.Now(), Practitioners: map[string]map[string]any{}}
	if src.MaLK == "" {
		src.MaLK = uuid.NewString() // unique and never reused, even on a resend
	}
	add := func(b []byte) error {
		var o map[string]any
		if err := json.Unmarshal(b, &o); err != nil {
			return fmt.Errorf("$bhyt-xml: %w", err)
		}
		return src.Add(o)
	}
	if err := add(enc.JSON); err != nil {
		return nil, err
	}
	if err := add(patient.JSON); err != nil {
		return nil, err
	}
	if org := s.claimFacility(ctx, e.ServiceProvider.Reference); org != nil {
		if err := add(org); err != nil {
			return nil, err
		}
	}
	ep := newEpisodeFilter(enc.JSON, id)
	for typ, list := range recs {
		for _, b := range list {
			if typ != "Coverage" && typ != "Appointment" && !ep.includes(typ, b) {
				continue // another episode of the same patient
			}
			if err := add(b); err != nil {
				return nil, err
			}
		}
	}
	claim, err := bhyt.Build(src)
	if err != nil {
		return nil, fhir.Errorf(fhir.KindUnprocessable, "$bhyt-xml Encounter/%s: %v", id, err)
	}
	if errs := bhyt.Validate(claim); len(errs) > 0 {
		issues := make([]fhir.Issue, 0, len(errs))
		for _, fe := range errs {
			issues = append(issues, fhir.Issue{Severity: "error", Code: "value",
				Diagnostics: fmt.Sprintf("%s %s: %s / %s", fe.Table, fe.Field, fe.Message, fe.MessageV),
				Expression:  []string{fmt.Sprintf("%s[%d].%s", fe.Table, fe.Row, fe.Field)}})
		}
		return nil, &fhir.Error{Kind: fhir.KindUnprocessable, Msg: "the claim has wrong fields / hồ sơ có trường sai", Issues: issues}
	}
	env, err := bhyt.Envelope(ctx, claim, s.cfg.Now(), nil)
	if err != nil {
		return nil, fhir.Errorf(fhir.KindUnprocessable, "$bhyt-xml Encounter/%s: %v", id, err)
	}
	return binary("application/xml", env)
}

// exportRecord runs Patient $export-record.
func (s *server) exportRecord(r *http.Request) (*result, error) {
	ctx, id := r.Context(), r.PathValue("id")
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
	}
	if format != "json" && format != "xml" {
		return nil, fhir.Errorf(fhir.KindInvalid, "format %q: want json or xml", format)
	}
	recs, err := s.patientRecords(ctx, id, "Encounter", "Condition", "MedicationRequest", "Observation", "Composition")
	if err != nil {
		return nil, err
	}
	patient, err := s.cfg.Store.Read(ctx, "Patient", id)
	if err != nil {
		return nil, err
	}
	var all [][]byte
	for _, l := range recs {
		all = append(all, l...)
	}
	pr, err := record.NewPatientRecord(patient.JSON, all)
	if err != nil {
		return nil, fmt.Errorf("$export-record Patient/%s: %w", id, err)
	}
	h := record.Export(pr, r.URL.Query().Get("facility"), s.cfg.Now().In(vnLocation()).Format(time.DateOnly))
	if errs := h.Validate(); len(errs) > 0 {
		return nil, fhir.Errorf(fhir.KindUnprocessable, "$export-record Patient/%s: %s", id, strings.Join(errs, "; "))
	}
	if format == "xml" {
		b, err := h.XML()
		if err != nil {
			return nil, err
		}
		return binary("application/xml", b)
	}
	b, err := h.JSON()
	if err != nil {
		return nil, err
	}
	return binary("application/json", b)
}

func binary(contentType string, data []byte) (*result, error) {
	b, err := json.Marshal(map[string]any{"resourceType": "Binary", "contentType": contentType,
		"data": base64.StdEncoding.EncodeToString(data)})
	if err != nil {
		return nil, fmt.Errorf("binary: %w", err)
	}
	return &result{body: b}, nil
}
