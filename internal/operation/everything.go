package operation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/rawjson"
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
	// Referenced resources outside the compartment, once per page. Page
	// resources of a compartment type can never be such a target, so only
	// the others (a _type list may name them) need remembering.
	compartment := map[string]bool{}
	isIn := func(typ string) bool {
		in, ok := compartment[typ]
		if !ok {
			in = inCompartment(typ)
			compartment[typ] = in
		}
		return in
	}
	seen := map[string]bool{}
	for _, r := range page.Resources {
		if !isIn(r.Type) {
			seen[r.Type+"/"+r.ID] = true
		}
	}
	for _, r := range page.Resources {
		err := eachRef(r.JSON, func(ref []byte) {
			slash := bytes.IndexByte(ref, '/')
			if slash <= 0 || bytes.IndexByte(ref[slash+1:], '/') >= 0 || slash == len(ref)-1 {
				return
			}
			typ := ref[:slash]
			if in, ok := compartment[string(typ)]; ok && in {
				return
			}
			if seen[string(ref)] || isIn(string(typ)) || !e.Model.IsResource(string(typ)) {
				return
			}
			if len(q.Types) > 0 && !contains(q.Types, string(typ)) {
				return
			}
			key := string(ref)
			seen[key] = true
			res, err := e.Store.Read(ctx, key[:slash], key[slash+1:])
			if err != nil {
				return // dangling or deleted: nothing to include
			}
			page.Included = append(page.Included, res)
		})
		if err != nil {
			return nil, fmt.Errorf("$everything: references of %s/%s: %w", r.Type, r.ID, err)
		}
	}
	return page, nil
}

// eachRef calls fn with the value of every "reference" member of body,
// unescaped; the slice is only valid during the call. Like rewriteRefs it
// scans the raw JSON: a member name is recognised by the colon after it.
func eachRef(body []byte, fn func(ref []byte)) error {
	var buf []byte
	err := rawjson.ScanReferences(body, func(start, end int, escaped bool) error {
		if !escaped {
			fn(body[start+1 : end-1])
			return nil
		}
		ref, err := rawjson.Unquote(body[start:end], true)
		if err != nil {
			return err
		}
		buf = append(buf[:0], ref...)
		fn(buf)
		return nil
	})
	if errors.Is(err, rawjson.ErrMalformed) {
		return fhir.Errorf(fhir.KindInvalid, "%v", err)
	}
	return err
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
