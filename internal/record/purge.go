package record

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
)

// Expunger physically removes a resource: every version of typ/id and its
// index entries, so that nothing of it can be read again, not even its
// history. A storage backend implements it; the retention purge is its
// only caller. Removing an absent resource is not an error.
type Expunger interface {
	Expunge(ctx context.Context, typ, id string) error
}

// ErrNotRecord refuses to purge a resource that is not part of a medical
// record: the purge removes expired records only, never reference data.
var ErrNotRecord = errors.New("not part of a medical record under retention; the purge removes only records whose retention period has run / không phải hồ sơ bệnh án đang lưu trữ; chỉ tiêu hủy hồ sơ đã hết thời hạn lưu trữ")

// RecordTypes are the resource types the retention purge looks at when it
// looks for everything that is due: the parts of a medical record.
func RecordTypes() []string {
	return []string{"Encounter", "Condition", "Observation", "DiagnosticReport", "MedicationRequest", "MedicationDispense",
		"MedicationAdministration", "MedicationStatement", "Procedure", "Composition", "DocumentReference", "ServiceRequest",
		"AllergyIntolerance", "CarePlan", "ClinicalImpression", "Immunization", "ImagingStudy", "Provenance", "AdverseEvent"}
}

// Verdict is why a record may be purged: its retention class, the date
// until which it had to be kept, and the patient it belongs to ("" when
// it names none), for the purge's audit trail.
type Verdict struct {
	Type, ID string
	Class    Class
	Until    time.Time
	Patient  string
}

// Judge decides whether typ/id may be purged at now without removing
// anything. A record still under retention is refused with the same
// *RetainedError a deletion gets (class, end of episode, expiry), a
// resource that is not a medical record with ErrNotRecord. A deleted
// resource is judged by its last version.
func (g *Guard) Judge(ctx context.Context, typ, id string, now time.Time) (Verdict, error) {
	var body []byte
	cur, err := g.Store.Read(ctx, typ, id)
	switch kind := fhir.KindOf(err); {
	case err == nil:
		body = cur.JSON
	case kind == fhir.KindGone:
		if body, err = lastBody(ctx, g.Store, typ, id); err != nil {
			return Verdict{}, fmt.Errorf("purge %s/%s: %w", typ, id, err)
		}
	default:
		return Verdict{}, err
	}
	ep, ok, err := ResolveEpisode(ctx, g.Store, typ, body, g.Conditions)
	if err != nil {
		return Verdict{}, fmt.Errorf("purge %s/%s: %w", typ, id, err)
	}
	if !ok {
		return Verdict{}, fmt.Errorf("%s/%s: %w", typ, id, ErrNotRecord)
	}
	if err := CheckDelete(typ+"/"+id, ep, now); err != nil {
		return Verdict{}, err
	}
	v := Verdict{Type: typ, ID: id, Class: Classify(ep)}
	v.Until, _ = v.Class.Expiry(ep)
	v.Patient = patientOf(body)
	if v.Patient == "" {
		// A record that names only its Encounter belongs to the
		// Encounter's patient.
		var res obj
		if json.Unmarshal(body, &res) == nil && encounterRef(res) != "" {
			if e, err := g.Store.Read(ctx, "Encounter", encounterRef(res)); err == nil {
				v.Patient = patientOf(e.JSON)
			}
		}
	}
	return v, nil
}

// patientOf is the id of the Patient a record's subject or patient names.
func patientOf(body []byte) string {
	var res obj
	if json.Unmarshal(body, &res) != nil {
		return ""
	}
	for _, path := range []string{"subject.reference", "patient.reference"} {
		if p, ok := strings.CutPrefix(str(res, path), "Patient/"); ok {
			return p
		}
	}
	return ""
}

// Purge physically removes typ/id through x if, and only if, its retention
// period has run at now (Judge). Otherwise, or with dryRun, nothing is
// removed.
//
// The check and the removal are two steps: run the purge when nobody
// writes to the records concerned (the retention report lists them).
func (g *Guard) Purge(ctx context.Context, x Expunger, typ, id string, now time.Time, dryRun bool) error {
	if _, err := g.Judge(ctx, typ, id, now); err != nil {
		return err
	}
	if dryRun {
		return nil
	}
	if x == nil {
		return errors.New("purge: this store cannot remove records physically / kho dữ liệu này không hỗ trợ xóa vật lý")
	}
	if err := x.Expunge(ctx, typ, id); err != nil {
		return fmt.Errorf("purge %s/%s: %w", typ, id, err)
	}
	return nil
}

var _ store.Reader = (*Guard)(nil)
