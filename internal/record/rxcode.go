package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// RxCodeSystem is the identifier system under which Sen records the
// national prescription code in MedicationRequest.groupIdentifier (the
// FHIR element that groups the requests of one prescription). The
// national system publishes no FHIR system URL, so this one is Sen's.
const RxCodeSystem = "https://sen-emr.github.io/fhir/sid/ma-don-thuoc"

// ErrIncomplete marks a prescription or health-book summary that cannot
// be built from the record as it stands (no diagnosis, no personal ID, a
// supply over the limit …): retrying will not help until someone corrects
// the record.
var ErrIncomplete = errors.New("the record is incomplete / hồ sơ chưa đủ thông tin")

// ErrRejected wraps a refusal by a national system (4xx other than 429):
// final, not retried.
var ErrRejected = errors.New("rejected by the national system / hệ thống quốc gia từ chối")

// ErrPrescriptionExists is wrapped by PrescriptionSystem.Send when the
// system already holds a prescription with this code. The code is made
// once per prescription, so for a resend after a crash it means "already
// sent": the submission is complete.
var ErrPrescriptionExists = errors.New("prescription code already submitted / mã đơn thuốc đã được gửi")

// IsFinalPrescription reports whether a MedicationRequest body is a
// finalised prescription: status active or completed and intent order
// (or original-order), the statuses $sign also accepts.
func IsFinalPrescription(body []byte) bool {
	var m struct{ Status, Intent string }
	if json.Unmarshal(body, &m) != nil {
		return false
	}
	return (m.Status == "active" || m.Status == "completed") && (m.Intent == "order" || m.Intent == "original-order")
}

// PrescriptionCodeOf returns the national code a MedicationRequest
// carries in groupIdentifier, or "".
func PrescriptionCodeOf(body []byte) string {
	var m struct {
		GroupIdentifier struct{ Value string } `json:"groupIdentifier"`
	}
	if json.Unmarshal(body, &m) != nil || !ValidPrescriptionCode(m.GroupIdentifier.Value) {
		return ""
	}
	return m.GroupIdentifier.Value
}

// AssignPrescriptionCode gives an active order (a MedicationRequest being
// prescribed now) without a national code one: code when not empty (the other requests of the same
// prescription already got it), else a new one for facility, of type C
// (ordinary medicines; narcotic and psychotropic prescriptions must come
// with their code from the prescriber's workflow). It returns the body
// with groupIdentifier set and the code; a body that is not a finalised
// prescription, or that already has a code, comes back unchanged with
// its code ("" for none). A completed request without a code gets none:
// it is history being recorded (an import), not a prescription being made.
func AssignPrescriptionCode(body []byte, facility, code string, rnd io.Reader) ([]byte, string, error) {
	if !IsFinalPrescription(body) {
		return body, "", nil
	}
	if c := PrescriptionCodeOf(body); c != "" {
		return body, c, nil
	}
	var st struct{ Status string }
	if json.Unmarshal(body, &st) != nil || st.Status != "active" {
		return body, "", nil
	}
	if code == "" {
		var err error
		if code, err = NewPrescriptionCode(facility, RxOther, rnd); err != nil {
			return nil, "", err
		}
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, "", fmt.Errorf("prescription code: %w", err)
	}
	gid, err := json.Marshal(map[string]string{"system": RxCodeSystem, "value": code})
	if err != nil {
		return nil, "", err
	}
	m["groupIdentifier"] = gid
	out, err := json.Marshal(m)
	if err != nil {
		return nil, "", fmt.Errorf("prescription code: %w", err)
	}
	return out, code, nil
}

// PrescriptionCodeMessage is the text that gives the patient the code
// (Vietnamese first, then English, in one SMS).
func PrescriptionCodeMessage(code string) string {
	return fmt.Sprintf("Mã đơn thuốc của bạn: %s. Xuất trình mã này khi mua thuốc. / Your prescription code: %s. Show it when you buy the medicines.", code, code)
}
