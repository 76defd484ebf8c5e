package rest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/sen-emr/sen/internal/clinical/medication"
	"github.com/sen-emr/sen/internal/clinical/risk"
	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Medication-use operations on a patient (Sen-defined; documented in
// docs/adherence.md §6 and docs/models/adherence-risk.md):
//
//	GET  /fhir/Patient/{id}/$adherence?start=&end=&method=&by=  → Parameters
//	POST /fhir/Patient/{id}/$adherence?...                       → Parameters, and the
//	     measures written as Observations (their references in "observation" parts)
//	GET  /fhir/Patient/{id}/$adherence-risk                      → RiskAssessment (not stored)
//
// https://hl7.org/fhir/R4/operations.html

// maxCompartment bounds the resources of one type an operation reads for a
// patient, so that a pathological chart cannot exhaust memory.
const maxCompartment = 50_000

// adherence runs $adherence: PDC, CMA1–CMA9 or dose timing per medicine
// or class, and the 14-day strip. Defaults: end = today, start = end − 1
// year + 1 day, method pdc, by medication.
func (s *server) adherence(r *http.Request) (*result, error) {
	id := r.PathValue("id")
	q := r.URL.Query()
	now := s.cfg.Now()
	loc := vnLocation()
	end := now.In(loc)
	end = time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, time.UTC)
	start := end.AddDate(-1, 0, 1)
	var err error
	if v := q.Get("end"); v != "" {
		if end, err = time.Parse(time.DateOnly, v); err != nil {
			return nil, fhir.Errorf(fhir.KindInvalid, "end %q: want YYYY-MM-DD", v)
		}
		if q.Get("start") == "" {
			start = end.AddDate(-1, 0, 1)
		}
	}
	if v := q.Get("start"); v != "" {
		if start, err = time.Parse(time.DateOnly, v); err != nil {
			return nil, fhir.Errorf(fhir.KindInvalid, "start %q: want YYYY-MM-DD", v)
		}
	}
	recs, err := s.patientRecords(r.Context(), id, "MedicationRequest", "MedicationDispense", "MedicationAdministration")
	if err != nil {
		return nil, err
	}
	rep, err := medication.BuildReport(medication.Records{
		Requests: recs["MedicationRequest"], Dispenses: recs["MedicationDispense"], Administrations: recs["MedicationAdministration"],
	}, medication.ReportOptions{Start: start, End: end, Method: q.Get("method"), By: q.Get("by"), Now: now, Loc: loc})
	if errors.Is(err, medication.ErrBadOptions) {
		return nil, fhir.Errorf(fhir.KindInvalid, "$adherence: %v", err)
	}
	if err != nil {
		return nil, fmt.Errorf("$adherence Patient/%s: %w", id, err)
	}
	params := rep.Parameters()
	if r.Method == http.MethodPost {
		refs, err := s.writeObservations(r.Context(), rep, "Patient/"+id, now)
		if err != nil {
			return nil, err
		}
		for _, ref := range refs {
			v := ref
			params.Parameter = append(params.Parameter, medication.Param{Name: "observation", ValueString: &v})
		}
	}
	body, err := json.Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("$adherence: %w", err)
	}
	return &result{body: body}, nil
}

// writeObservations stores the report's measures as Observations in one
// transaction and returns their references.
func (s *server) writeObservations(ctx context.Context, rep medication.Report, subject string, now time.Time) ([]string, error) {
	obs, err := rep.Observations(subject, now)
	if err != nil {
		return nil, err
	}
	var writes []store.Write
	for _, o := range obs {
		p, err := s.parseResource(o, "Observation")
		if err != nil {
			return nil, fmt.Errorf("$adherence observation: %w", err)
		}
		w, err := s.prepare(p, uuid.NewString())
		if err != nil {
			return nil, fmt.Errorf("$adherence observation: %w", err)
		}
		writes = append(writes, w)
	}
	var refs []string
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		refs = refs[:0]
		for _, w := range writes {
			w.CreateOnly = true
			res, err := tx.Put(ctx, w)
			if err != nil {
				return err
			}
			refs = append(refs, "Observation/"+res.ID)
		}
		return nil
	})
	return refs, err
}

// adherenceRisk runs $adherence-risk: the non-adherence risk score with
// its top factors, as a RiskAssessment that is returned, not stored.
// Optional parameter factors (default 3, at most 14).
func (s *server) adherenceRisk(r *http.Request) (*result, error) {
	id := r.PathValue("id")
	n := 3
	if v := r.URL.Query().Get("factors"); v != "" {
		k, err := strconv.Atoi(v)
		if err != nil || k < 0 || k > risk.NumFeatures {
			return nil, fhir.Errorf(fhir.KindInvalid, "factors %q: want 0..%d", v, risk.NumFeatures)
		}
		n = k
	}
	m, err := risk.Default()
	if err != nil {
		return nil, fmt.Errorf("$adherence-risk: %w", err)
	}
	recs, err := s.patientRecords(r.Context(), id, "Condition", "Encounter", "MedicationRequest", "MedicationDispense")
	if err != nil {
		return nil, err
	}
	pat, err := s.cfg.Store.Read(r.Context(), "Patient", id)
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	x, err := risk.Extract(risk.Record{Patient: pat.JSON, Conditions: recs["Condition"], Encounters: recs["Encounter"],
		Requests: recs["MedicationRequest"], Dispenses: recs["MedicationDispense"]}, now, vnLocation())
	if err != nil {
		return nil, fmt.Errorf("$adherence-risk Patient/%s: %w", id, err)
	}
	body, err := m.Score(x).RiskAssessment("Patient/"+id, now.In(vnLocation()), n)
	if err != nil {
		return nil, err
	}
	return &result{body: body}, nil
}

// patientRecords reads every current resource of the given types in the
// Patient's compartment, following pages. An unknown patient is a 404.
func (s *server) patientRecords(ctx context.Context, id string, types ...string) (map[string][][]byte, error) {
	if err := checkID(id); err != nil {
		return nil, fhir.Errorf(fhir.KindNotFound, "Patient/%s not found", id)
	}
	if _, err := s.cfg.Store.Read(ctx, "Patient", id); err != nil {
		return nil, err
	}
	out := map[string][][]byte{}
	for _, typ := range types {
		q, err := s.cfg.Parser.ParseQuery(typ, url.Values{"_count": {"1000"}}, false)
		if err != nil {
			return nil, fmt.Errorf("compartment query %s: %w", typ, err)
		}
		q.Compartment = &search.Compartment{Type: "Patient", ID: id}
		for {
			page, err := s.cfg.Store.Search(ctx, q)
			if err != nil {
				return nil, fmt.Errorf("read %s of Patient/%s: %w", typ, id, err)
			}
			for _, res := range page.Resources {
				out[typ] = append(out[typ], res.JSON)
			}
			if len(out[typ]) > maxCompartment {
				return nil, fhir.Errorf(fhir.KindInvalid, "Patient/%s has more than %d %s resources: too many for one operation", id, maxCompartment, typ)
			}
			if page.Next == "" {
				break
			}
			q.Cursor = page.Next
		}
	}
	return out, nil
}

// vnLocation is the patient time zone: Asia/Ho_Chi_Minh, or fixed UTC+7
// when the tz database is missing (Vietnam has no daylight saving).
func vnLocation() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*3600)
}
