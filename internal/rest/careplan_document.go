package rest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/sen-emr/sen/internal/clinical/careplan"
	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
)

// Clinical documents (https://hl7.org/fhir/R4/documents.html,
// https://hl7.org/fhir/R4/composition-operation-document.html):
//
//	POST /fhir/Encounter/{id}/$discharge-summary → the discharge summary Composition
//	     (201 the first time, 200 when rebuilt from the record; one id per encounter)
//	POST /fhir/Task/{id}/$referral-letter        → the referral letter Composition of a referral Task
//	GET  /fhir/Composition/{id}/$document        → Bundle type document: the Composition, then
//	     every resource it references; _format=html (or Accept: text/html) prints it,
//	     in Vietnamese, or English with _lang=en.

func (s *server) mountCareDocuments() {
	for _, rt := range []route{
		{"POST /fhir/Encounter/{id}/$discharge-summary", "discharge-summary", (*server).dischargeSummary},
		{"POST /fhir/Task/{id}/$referral-letter", "referral-letter", (*server).referralLetter},
	} {
		h := rt.h
		s.mux.HandleFunc(rt.pattern, func(w http.ResponseWriter, r *http.Request) {
			s.serve(w, r, func(r *http.Request) (*result, error) { return h(s, r) })
		})
	}
	s.mux.HandleFunc("GET /fhir/Composition/{id}/$document", func(w http.ResponseWriter, r *http.Request) {
		if !wantsHTML(r) {
			s.serve(w, r, func(r *http.Request) (*result, error) { return s.compositionDocument(r) })
			return
		}
		res, err := s.compositionDocument(r)
		var buf bytes.Buffer
		if err == nil {
			lang := "vi"
			if r.URL.Query().Get("_lang") == "en" {
				lang = "en"
			}
			err = careplan.RenderHTML(&buf, res.body, lang)
		}
		if err != nil {
			q := r.URL.Query()
			q.Del("_format")
			r.URL.RawQuery = q.Encode()
			r.Header.Set("Accept", mimeFHIRJSON)
			s.writeError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'")
		w.Write(buf.Bytes()) //nolint:errcheck // the client went away
	})
}

func wantsHTML(r *http.Request) bool {
	f := r.URL.Query().Get("_format")
	return f == "html" || f == "text/html" || (f == "" && strings.HasPrefix(r.Header.Get("Accept"), "text/html"))
}

// dischargeSummary builds the discharge summary of a finished Encounter:
// active problems, active medicines, the latest results, the active care
// plans and the follow-up Tasks that came from this discharge.
func (s *server) dischargeSummary(r *http.Request) (*result, error) {
	id := r.PathValue("id")
	if err := checkID(id); err != nil {
		return nil, err
	}
	ctx := r.Context()
	encRes, err := s.cfg.Store.Read(ctx, "Encounter", id)
	if err != nil {
		return nil, err
	}
	var enc struct {
		Status          string
		Subject         struct{ Reference string }
		ServiceProvider struct{ Reference string }
	}
	if err := json.Unmarshal(encRes.JSON, &enc); err != nil {
		return nil, fmt.Errorf("read Encounter/%s: %w", id, err)
	}
	if enc.Status != "finished" {
		return nil, fhir.Errorf(fhir.KindUnprocessable,
			"Encounter/%s đang ở trạng thái %s, chưa ra viện / Encounter/%s is %s, not finished", id, enc.Status, id, enc.Status).At("Encounter.status")
	}
	patient := enc.Subject.Reference
	if !strings.HasPrefix(patient, "Patient/") {
		return nil, fhir.Errorf(fhir.KindUnprocessable, "Encounter/%s has no Patient subject", id).At("Encounter.subject")
	}
	author := enc.ServiceProvider.Reference
	if author == "" {
		return nil, fhir.Errorf(fhir.KindUnprocessable, "Encounter/%s has no serviceProvider to sign the summary", id).At("Encounter.serviceProvider")
	}
	sections, err := s.recordSections(ctx, patient)
	if err != nil {
		return nil, err
	}
	_, taskID := workIDs(careplan.KindDischargeFollowUp, "Encounter/"+id)
	follow := careplan.Section{Code: "8653-8"}
	if t, err := s.cfg.Store.Read(ctx, "Task", taskID); err == nil {
		follow.Entries = append(follow.Entries, json.RawMessage(t.JSON))
	}
	sections = append(sections, follow)
	doc := careplan.Document{ID: docID(careplan.DocDischargeSummary, "Encounter/"+id), Kind: careplan.DocDischargeSummary,
		Patient: patient, Encounter: "Encounter/" + id, Author: author, Custodian: author, Date: s.now(), Sections: sections}
	return s.writeComposition(ctx, doc)
}

// referralLetter builds the referral letter of a referral Task: the reason
// (its ServiceRequest), problems, medicines, latest results and care plans.
func (s *server) referralLetter(r *http.Request) (*result, error) {
	id := r.PathValue("id")
	if err := checkID(id); err != nil {
		return nil, err
	}
	ctx := r.Context()
	taskRes, err := s.cfg.Store.Read(ctx, "Task", id)
	if err != nil {
		return nil, err
	}
	var task struct {
		For         struct{ Reference string }
		Requester   struct{ Reference string }
		Owner       struct{ Reference string }
		Description string
		BasedOn     []struct{ Reference string }
		Focus       struct{ Reference string }
	}
	if err := json.Unmarshal(taskRes.JSON, &task); err != nil {
		return nil, fmt.Errorf("read Task/%s: %w", id, err)
	}
	if !strings.HasPrefix(task.For.Reference, "Patient/") || task.Requester.Reference == "" {
		return nil, fhir.Errorf(fhir.KindUnprocessable, "Task/%s needs a Patient (Task.for) and a requester to write a referral letter", id).At("Task.for")
	}
	reason := careplan.Section{Code: "42349-1", Text: task.Description, Entries: []json.RawMessage{taskRes.JSON}}
	for _, ref := range append([]string{task.Focus.Reference}, refsOf(task.BasedOn)...) {
		if typ, rid, ok := strings.Cut(ref, "/"); ok && typ == "ServiceRequest" {
			if sr, err := s.cfg.Store.Read(ctx, typ, rid); err == nil {
				reason.Entries = append(reason.Entries, json.RawMessage(sr.JSON))
				break
			}
		}
	}
	sections, err := s.recordSections(ctx, task.For.Reference)
	if err != nil {
		return nil, err
	}
	doc := careplan.Document{ID: docID(careplan.DocReferralLetter, "Task/"+id), Kind: careplan.DocReferralLetter,
		Patient: task.For.Reference, Author: task.Requester.Reference, Custodian: orgOnly(task.Requester.Reference),
		Date: s.now(), Sections: append([]careplan.Section{reason}, sections...)}
	return s.writeComposition(ctx, doc)
}

func refsOf(rs []struct{ Reference string }) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Reference)
	}
	return out
}

func orgOnly(ref string) string {
	if strings.HasPrefix(ref, "Organization/") {
		return ref
	}
	return ""
}

// docID derives a document's id from its source, so rebuilding the
// summary of one discharge makes a new version, not a second document.
func docID(kind, source string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("sen:document:"+kind+":"+source)).String()
}

// recordSections reads the sections both documents share from the record.
func (s *server) recordSections(ctx context.Context, patient string) ([]careplan.Section, error) {
	type query struct {
		code, typ string
		params    url.Values
		max       int
	}
	queries := []query{
		{"11450-4", "Condition", url.Values{"patient": {patient}, "clinical-status": {"active"}}, 30},
		{"10160-0", "MedicationRequest", url.Values{"patient": {patient}, "status": {"active"}}, 30},
		{"8716-3", "Observation", url.Values{"patient": {patient}, "category": {"vital-signs,laboratory"}, "_sort": {"-date"}}, 12},
		{"18776-5", "CarePlan", url.Values{"patient": {patient}, "status": {"active"}}, 5},
	}
	var out []careplan.Section
	for _, q := range queries {
		found, err := s.searchAll(ctx, q.typ, q.params, q.max)
		if err != nil {
			return nil, err
		}
		sec := careplan.Section{Code: q.code}
		seen := map[string]bool{}
		for _, r := range found {
			if q.typ == "Observation" { // the latest of each kind only
				_, text := careplan.Summarize(r.JSON)
				kind, _, _ := strings.Cut(text, ":")
				if seen[kind] {
					continue
				}
				seen[kind] = true
			}
			sec.Entries = append(sec.Entries, json.RawMessage(r.JSON))
		}
		out = append(out, sec)
	}
	return out, nil
}

func (s *server) writeComposition(ctx context.Context, doc careplan.Document) (*result, error) {
	body, err := doc.Composition()
	if err != nil {
		return nil, fhir.Errorf(fhir.KindUnprocessable, "%v", err)
	}
	p, err := s.parseResource(body, "Composition")
	if err != nil {
		return nil, fmt.Errorf("%s: built an unreadable Composition: %w", doc.Kind, err)
	}
	w, err := s.prepare(p, doc.ID)
	if err != nil {
		return nil, err
	}
	var out *result
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		out, err = s.updateIn(ctx, tx, w)
		return err
	})
	return out, err
}

// compositionDocument runs $document: a Bundle of type document with the
// Composition first and each resource it references once (subject,
// encounter, author, custodian, section entries). References that no
// longer resolve are left out; the Composition still names them.
func (s *server) compositionDocument(r *http.Request) (*result, error) {
	id := r.PathValue("id")
	if err := checkID(id); err != nil {
		return nil, err
	}
	ctx := r.Context()
	comp, err := s.cfg.Store.Read(ctx, "Composition", id)
	if err != nil {
		return nil, err
	}
	var c struct {
		Date                          string
		Subject, Encounter, Custodian struct{ Reference string }
		Author                        []struct{ Reference string }
		Section                       []struct{ Entry []struct{ Reference string } }
	}
	if err := json.Unmarshal(comp.JSON, &c); err != nil {
		return nil, fmt.Errorf("read Composition/%s: %w", id, err)
	}
	refs := []string{c.Subject.Reference, c.Encounter.Reference, c.Custodian.Reference}
	refs = append(refs, refsOf(c.Author)...)
	for _, sec := range c.Section {
		refs = append(refs, refsOf(sec.Entry)...)
	}
	base := s.base(r)
	entries := []any{map[string]any{"fullUrl": base + "/Composition/" + id, "resource": json.RawMessage(comp.JSON)}}
	seen := map[string]bool{}
	for _, ref := range refs {
		typ, rid, ok := strings.Cut(ref, "/")
		if !ok || seen[ref] || checkID(rid) != nil || !s.cfg.Model.IsResource(typ) {
			continue
		}
		seen[ref] = true
		res, err := s.cfg.Store.Read(ctx, typ, rid)
		if err != nil {
			if k := fhir.KindOf(err); k == fhir.KindNotFound || k == fhir.KindGone || k == fhir.KindForbidden {
				continue
			}
			return nil, err
		}
		entries = append(entries, map[string]any{"fullUrl": base + "/" + ref, "resource": json.RawMessage(res.JSON)})
	}
	bundle := map[string]any{
		"resourceType": "Bundle",
		"id":           uuid.NewString(),
		"meta":         map[string]any{"lastUpdated": s.now().Format("2006-01-02T15:04:05Z")},
		"identifier":   map[string]any{"system": "urn:ietf:rfc:3986", "value": "urn:uuid:" + docID("bundle", fmt.Sprintf("Composition/%s/_history/%d", id, comp.VersionID))},
		"type":         "document",
		"timestamp":    s.now().Format("2006-01-02T15:04:05Z"),
		"entry":        entries,
	}
	body, err := json.Marshal(bundle)
	if err != nil {
		return nil, fmt.Errorf("$document Composition/%s: %w", id, err)
	}
	return &result{status: http.StatusOK, body: body}, nil
}
