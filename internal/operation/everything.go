package operation

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Everything is Patient $everything: the patient, every resource in its
// Patient compartment, and the resources those refer to outside it
// (practitioners, organisations, locations, medications) on the same page.
//
// https://hl7.org/fhir/R4/patient-operation-everything.html
type Everything struct {
	Store store.Reader
	Model *r4.Model
}

// EverythingQuery holds the operation's parameters.
type EverythingQuery struct {
	// PatientID is the patient of Patient/{id}/$everything; "" for the
	// type-level Patient/$everything (every resource of every patient).
	PatientID string
	Since     time.Time // _since: only resources updated at or after it
	Types     []string  // _type: only these resource types
	Count     int       // _count: page size
	Cursor    string    // the paging cursor of a next/previous link
}

// Run returns one page. The patient must exist (KindNotFound, KindGone);
// unknown _type values are KindInvalid.
func (e *Everything) Run(ctx context.Context, q EverythingQuery) (*store.Page, error) {
	if q.PatientID != "" {
		if _, err := e.Store.Read(ctx, "Patient", q.PatientID); err != nil {
			return nil, err
		}
	}
	inCompartment := func(t string) bool { return t == "Patient" || e.Model.CompartmentParams("Patient", t) != nil }
	types := q.Types
	for _, t := range types {
		if !e.Model.IsResource(t) {
			return nil, fhir.Errorf(fhir.KindInvalid, "_type: %s is not a resource type", t).At("_type")
		}
	}
	if q.PatientID == "" && len(types) == 0 {
		for _, t := range e.Model.ResourceTypes() {
			if inCompartment(t) {
				types = append(types, t)
			}
		}
	}
	params := url.Values{}
	if len(types) > 0 {
		params.Set("_type", strings.Join(types, ","))
	}
	if !q.Since.IsZero() {
		params.Set("_lastUpdated", "ge"+q.Since.UTC().Format(time.RFC3339Nano))
	}
	if q.Count > 0 {
		params.Set("_count", strconv.Itoa(q.Count))
	}
	sq, err := search.ParseQuery(e.Model, "", params, true)
	if err != nil {
		return nil, fmt.Errorf("$everything: %w", err)
	}
	if q.PatientID != "" {
		sq.Compartment = &search.Compartment{Type: "Patient", ID: q.PatientID}
	}
	sq.Cursor = q.Cursor
	page, err := e.Store.Search(ctx, sq)
	if err != nil {
		return nil, err
	}
	// Referenced resources outside the compartment, once per page.
	seen := map[string]bool{}
	for _, r := range page.Resources {
		seen[r.Type+"/"+r.ID] = true
	}
	for _, r := range page.Resources {
		_, err := rewriteRefs(r.JSON, func(ref string) (string, error) {
			typ, id, ok := strings.Cut(ref, "/")
			if !ok || strings.Contains(id, "/") || seen[ref] || inCompartment(typ) || !e.Model.IsResource(typ) {
				return ref, nil
			}
			if len(q.Types) > 0 && !contains(q.Types, typ) {
				return ref, nil
			}
			seen[ref] = true
			res, err := e.Store.Read(ctx, typ, id)
			if err != nil {
				return ref, nil // dangling or deleted: nothing to include
			}
			page.Included = append(page.Included, res)
			return ref, nil
		})
		if err != nil {
			return nil, fmt.Errorf("$everything: references of %s/%s: %w", r.Type, r.ID, err)
		}
	}
	return page, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
