package record

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Source builds the national e-prescription payload and the health-book
// summary from the store. It reads through Store without access control:
// its callers are background jobs acting for the facility.
type Source struct {
	Store store.Reader
	Query func(typ string, params url.Values) (*search.Query, error)
	// Facility is the 5-character facility code (mã cơ sở khám chữa bệnh).
	Facility string
	Now      func() time.Time // default time.Now
}

func (s *Source) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Source) search(ctx context.Context, typ string, params url.Values) ([][]byte, error) {
	q, err := s.Query(typ, params)
	if err != nil {
		return nil, fmt.Errorf("%s search: %w", typ, err)
	}
	var out [][]byte
	for {
		page, err := s.Store.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, r := range page.Resources {
			out = append(out, r.JSON)
		}
		if page.Next == "" {
			return out, nil
		}
		q.Cursor = page.Next
	}
}

// readRef reads a "Type/id" reference; missing or deleted is (nil, nil).
func (s *Source) readRef(ctx context.Context, ref string) ([]byte, error) {
	typ, id, ok := strings.Cut(ref, "/")
	if !ok || typ == "" || id == "" || strings.Contains(id, "/") {
		return nil, nil
	}
	r, err := s.Store.Read(ctx, typ, id)
	switch k := fhir.KindOf(err); {
	case err == nil:
		return r.JSON, nil
	case k == fhir.KindNotFound || k == fhir.KindGone:
		return nil, nil
	default:
		return nil, err
	}
}

// Prescription builds the payload of the prescription with the national
// code from the MedicationRequests ids that carry it. The diagnoses are
// the requests' reasonReference Conditions, else the Conditions of their
// Encounter, else the patient's active Conditions. Long-term therapy
// (courseOfTherapyType continuous) may run to 90 days (Circular 26/2025,
// Appendix VII: assumed to be what the prescriber marks so). A record that
// cannot make a valid prescription gives an error wrapping ErrIncomplete;
// a store failure any other error.
func (s *Source) Prescription(ctx context.Context, code string, ids []string) (*Prescription, error) {
	in := PrescriptionInput{Code: code, Facility: s.Facility}
	var patientRef, requester, encounter string
	var reasons []string
	for _, id := range ids {
		b, err := s.readRef(ctx, "MedicationRequest/"+id)
		if err != nil {
			return nil, err
		}
		if b == nil || PrescriptionCodeOf(b) != code || !IsFinalPrescription(b) {
			continue // deleted, re-coded or cancelled since
		}
		var m obj
		_ = json.Unmarshal(b, &m)
		if patientRef == "" {
			patientRef, requester, encounter = str(m, "subject.reference"), str(m, "requester.reference"), encounterRef(m)
		}
		for _, r := range list(m, "reasonReference") {
			reasons = append(reasons, str(r, "reference"))
		}
		if str(m, "courseOfTherapyType.coding.code") == "continuous" {
			in.Chronic = true
		}
		in.MedicationRequests = append(in.MedicationRequests, b)
	}
	if len(in.MedicationRequests) == 0 {
		return nil, fmt.Errorf("e-prescription %s: %w: no active MedicationRequest carries the code / không còn y lệnh thuốc nào mang mã này", code, ErrIncomplete)
	}
	pid, ok := strings.CutPrefix(patientRef, "Patient/")
	if !ok {
		return nil, fmt.Errorf("e-prescription %s: %w: no patient / không có người bệnh", code, ErrIncomplete)
	}
	var err error
	if in.Patient, err = s.readRef(ctx, patientRef); err != nil {
		return nil, err
	}
	if in.Patient == nil {
		return nil, fmt.Errorf("e-prescription %s: %w: %s not found", code, ErrIncomplete, patientRef)
	}
	if strings.HasPrefix(requester, "Practitioner/") {
		if in.Practitioner, err = s.readRef(ctx, requester); err != nil {
			return nil, err
		}
	}
	for _, r := range reasons {
		if strings.HasPrefix(r, "Condition/") {
			b, err := s.readRef(ctx, r)
			if err != nil {
				return nil, err
			}
			if b != nil {
				in.Conditions = append(in.Conditions, b)
			}
		}
	}
	if len(in.Conditions) == 0 && encounter != "" {
		if in.Conditions, err = s.search(ctx, "Condition", url.Values{"encounter": {"Encounter/" + encounter}, "_count": {"50"}}); err != nil {
			return nil, err
		}
	}
	if len(in.Conditions) == 0 {
		if in.Conditions, err = s.search(ctx, "Condition", url.Values{"patient": {"Patient/" + pid}, "clinical-status": {"active"}, "_count": {"50"}}); err != nil {
			return nil, err
		}
	}
	rx, err := BuildPrescription(in)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrIncomplete, err)
	}
	return rx, nil
}

// HealthBook builds the unsigned health-book summary of Encounter/id from
// the patient's record and allergies. A record that cannot make one (no
// patient, no personal ID) gives an error wrapping ErrIncomplete.
func (s *Source) HealthBook(ctx context.Context, encounterID string) (*HealthBookEpisode, error) {
	enc, err := s.readRef(ctx, "Encounter/"+encounterID)
	if err != nil {
		return nil, err
	}
	if enc == nil {
		return nil, fmt.Errorf("health book: %w: Encounter/%s not found", ErrIncomplete, encounterID)
	}
	var e obj
	_ = json.Unmarshal(enc, &e)
	pid, ok := strings.CutPrefix(str(e, "subject.reference"), "Patient/")
	if !ok {
		return nil, fmt.Errorf("health book: %w: Encounter/%s has no patient / đợt khám không có người bệnh", ErrIncomplete, encounterID)
	}
	patient, err := s.readRef(ctx, "Patient/"+pid)
	if err != nil {
		return nil, err
	}
	if patient == nil {
		return nil, fmt.Errorf("health book: %w: Patient/%s not found", ErrIncomplete, pid)
	}
	var all [][]byte
	for _, typ := range []string{"Encounter", "Condition", "MedicationRequest", "Observation", "Composition"} {
		rs, err := s.search(ctx, typ, url.Values{"patient": {"Patient/" + pid}, "_count": {"500"}})
		if err != nil {
			return nil, err
		}
		all = append(all, rs...)
	}
	var allergies []string
	ais, err := s.search(ctx, "AllergyIntolerance", url.Values{"patient": {"Patient/" + pid}, "_count": {"100"}})
	if err != nil {
		return nil, err
	}
	for _, b := range ais {
		var a obj
		if json.Unmarshal(b, &a) == nil && str(a, "clinicalStatus.coding.code") != "inactive" && str(a, "clinicalStatus.coding.code") != "resolved" {
			if t := conceptText(a, "code"); t != "" {
				allergies = append(allergies, t)
			}
		}
	}
	pr, err := NewPatientRecord(patient, all)
	if err != nil {
		return nil, fmt.Errorf("health book: %w", err)
	}
	h := Export(pr, s.Facility, s.now().In(vnZone).Format(time.DateOnly))
	ep, err := HealthBookFromExport(h, encounterID, allergies)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrIncomplete, err)
	}
	return ep, nil
}
