package population

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// De-identification for research extracts. A Deidentifier is made per
// extract with a fresh secret, so pseudonyms cannot be linked across
// extracts and cannot be reversed without the secret (which the data
// custodian keeps, or discards for a one-way extract):
//
//   - resource ids and references become HMAC-SHA256(secret, type/id)
//     pseudonyms (the same patient keeps one key within an extract);
//   - direct identifiers are removed: names, identifiers (CCCD, BHYT,
//     MRN), telecom (phones, e-mail), photos, contacts, narrative text,
//     free-text notes and every extension (households, ethnicity);
//   - Patient.birthDate keeps its year only, deceased dates likewise;
//   - every other date and dateTime is shifted by a per-patient offset
//     (HMAC-derived, within ±MaxShiftDays, never 0), which keeps intervals
//     within a patient exact;
//   - addresses keep the province only (code extension dropped too, the
//     province name kept in Address.state).

// Deidentifier rewrites resources for one extract. It is safe for
// concurrent use.
type Deidentifier struct {
	secret []byte
	// MaxShiftDays bounds the date shift (0 means 182).
	MaxShiftDays int
	// ProvinceName maps a province code to the name written in
	// Address.state (nil: the code).
	ProvinceName func(code string) string
}

// NewDeidentifier makes a Deidentifier with a random 32-byte secret.
func NewDeidentifier() (*Deidentifier, error) {
	s := make([]byte, 32)
	if _, err := rand.Read(s); err != nil {
		return nil, fmt.Errorf("extract secret: %w", err)
	}
	return &Deidentifier{secret: s}, nil
}

// NewDeidentifierWithSecret uses a given secret (at least 16 bytes), for
// reproducible extracts the custodian can re-run.
func NewDeidentifierWithSecret(secret []byte) (*Deidentifier, error) {
	if len(secret) < 16 {
		return nil, fmt.Errorf("extract secret: %d bytes, want at least 16", len(secret))
	}
	return &Deidentifier{secret: append([]byte(nil), secret...)}, nil
}

func (d *Deidentifier) mac(s string) []byte {
	m := hmac.New(sha256.New, d.secret)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// Pseudonym is the keyed pseudonym of a resource (a valid FHIR id: 32 hex
// digits, 128 bits).
func (d *Deidentifier) Pseudonym(typ, id string) string {
	return hex.EncodeToString(d.mac(typ + "/" + id)[:16])
}

// ShiftDays is the per-patient date offset, in [-max, max] \ {0}.
func (d *Deidentifier) ShiftDays(patientID string) int {
	max := d.MaxShiftDays
	if max <= 0 {
		max = 182
	}
	v := binary.BigEndian.Uint64(d.mac("shift/" + patientID)[:8])
	n := int(v%uint64(2*max)) - max // -max .. max-1
	if n >= 0 {
		n++ // skip 0: 1 .. max
	}
	return n
}

// removed reports the elements dropped from every resource: direct
// identifiers and free text.
func removed(k string) bool {
	switch k {
	case "name", "identifier", "telecom", "photo", "contact", "text", "note",
		"extension", "modifierExtension", "link", "communication":
		return true
	}
	return false
}

var (
	dateRE     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	dateTimeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T`)
	refRE      = regexp.MustCompile(`^([A-Z][A-Za-z]+)/([A-Za-z0-9\-.]{1,64})$`)
)

// Resource de-identifies one resource body. patientID is the (original)
// id of the patient the resource belongs to, whose date offset applies;
// for a Patient it is the patient's own id.
func (d *Deidentifier) Resource(body []byte, patientID string) ([]byte, error) {
	var r map[string]any
	if err := json.Unmarshal(body, &r); err != nil {
		return nil, fmt.Errorf("de-identify: %w", err)
	}
	typ, _ := r["resourceType"].(string)
	id, _ := r["id"].(string)
	if typ == "" {
		return nil, fmt.Errorf("de-identify: no resourceType")
	}
	shift := d.ShiftDays(patientID)
	if typ == "Patient" {
		if bd, ok := r["birthDate"].(string); ok && len(bd) >= 4 {
			r["birthDate"] = bd[:4]
		}
		if dd, ok := r["deceasedDateTime"].(string); ok && len(dd) >= 4 {
			r["deceasedDateTime"] = dd[:4]
		}
		if addrs, ok := r["address"].([]any); ok {
			r["address"] = d.generaliseAddresses(addrs)
		}
		delete(r, "maritalStatus")
		delete(r, "multipleBirthInteger")
		delete(r, "multipleBirthBoolean")
	}
	delete(r, "meta")
	out := d.walk(r, shift, typ == "Patient").(map[string]any)
	if id != "" {
		out["id"] = d.Pseudonym(typ, id)
	}
	out["meta"] = map[string]any{"security": []any{map[string]any{
		"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue", "code": "PSEUDED", "display": "pseudonymized",
	}}}
	return json.Marshal(out)
}

func (d *Deidentifier) walk(v any, shift int, patient bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, val := range x {
			if removed(k) {
				continue
			}
			if k == "reference" {
				if s, ok := val.(string); ok {
					out[k] = d.reference(s)
					continue
				}
			}
			if k == "display" {
				continue // reference displays carry names
			}
			if patient && (k == "birthDate" || k == "deceasedDateTime" || k == "address") {
				out[k] = val // already generalised
				continue
			}
			out[k] = d.walk(val, shift, false)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = d.walk(e, shift, patient)
		}
		return out
	case string:
		return shiftDate(x, shift)
	}
	return v
}

func (d *Deidentifier) reference(s string) string {
	if m := refRE.FindStringSubmatch(s); m != nil {
		return m[1] + "/" + d.Pseudonym(m[1], m[2])
	}
	if strings.HasPrefix(s, "urn:uuid:") || strings.HasPrefix(s, "#") {
		return s
	}
	return "" // absolute URLs may name another system's patient: drop
}

func (d *Deidentifier) generaliseAddresses(addrs []any) []any {
	var out []any
	for _, a := range addrs {
		m, ok := a.(map[string]any)
		if !ok {
			continue
		}
		prov := ""
		if exts, ok := m["extension"].([]any); ok {
			for _, e := range exts {
				em, _ := e.(map[string]any)
				vc, _ := em["valueCoding"].(map[string]any)
				if vc["system"] == codeSystemProvince {
					prov, _ = vc["code"].(string)
				}
			}
		}
		g := map[string]any{"country": "VN"}
		switch {
		case prov != "" && d.ProvinceName != nil:
			g["state"] = d.ProvinceName(prov)
		case prov != "":
			g["state"] = prov
		case m["state"] != nil:
			g["state"] = m["state"]
		}
		out = append(out, g)
	}
	return out
}

// shiftDate moves a FHIR date or dateTime by days; other strings (and
// partial dates, which carry no day to shift) are returned unchanged.
func shiftDate(s string, days int) string {
	switch {
	case dateRE.MatchString(s):
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			return s
		}
		return t.AddDate(0, 0, days).Format("2006-01-02")
	case dateTimeRE.MatchString(s):
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return s
		}
		return t.AddDate(0, 0, days).Format(time.RFC3339)
	}
	return s
}

// PatientOf returns the patient a resource belongs to (its own id for a
// Patient, else the id in subject or patient), or "".
func PatientOf(body []byte) string {
	var r struct {
		ResourceType string `json:"resourceType"`
		ID           string `json:"id"`
		Subject      ref    `json:"subject"`
		Patient      ref    `json:"patient"`
		Beneficiary  ref    `json:"beneficiary"`
	}
	if json.Unmarshal(body, &r) != nil {
		return ""
	}
	if r.ResourceType == "Patient" {
		return r.ID
	}
	for _, x := range []ref{r.Subject, r.Patient, r.Beneficiary} {
		if id := x.patient(); id != "" {
			return id
		}
	}
	return ""
}
