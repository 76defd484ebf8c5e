package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// AccessEntry is one line of a patient's access log, in plain language.
type AccessEntry struct {
	Time       time.Time `json:"time"`
	Who        string    `json:"who"`
	Role       string    `json:"role,omitempty"`
	Org        string    `json:"organization,omitempty"`
	Action     string    `json:"action"` // R, E, C, U, D
	What       []string  `json:"what,omitempty"`
	BreakGlass bool      `json:"breakGlass,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	Refused    bool      `json:"refused,omitempty"`
	Text       string    `json:"text"` // the whole entry as one sentence in the asked language
	EventID    string    `json:"auditEvent"`
}

// vietnam is Indochina Time (UTC+7, no daylight saving), fixed so that
// rendering does not depend on the host's time zone database.
var vietnam = time.FixedZone("ICT", 7*3600)

// AccessLog returns who accessed the record of patient, newest first, at
// most limit entries, each with a sentence in lang ("vi" or "en"; anything
// else is Vietnamese). The patient's own accesses are left out: the question
// it answers is "who else looked at my record".
func AccessLog(ctx context.Context, r store.Reader, patient, lang string, limit int) ([]AccessEntry, error) {
	if limit <= 0 {
		limit = 100
	}
	q := &search.Query{
		Type:  "AuditEvent",
		Count: limit,
		Sort:  []search.SortKey{{Param: "date", Type: search.TypeDate, Descending: true}},
		Clauses: []search.Clause{{Param: "entity", Type: search.TypeReference,
			Values: []search.Value{{Raw: "Patient/" + patient, RefType: "Patient", RefID: patient}}}},
	}
	page, err := r.Search(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("access log of Patient/%s: %w", patient, err)
	}
	out := make([]AccessEntry, 0, len(page.Resources))
	for _, res := range page.Resources {
		e, ok := describe(res.ID, res.JSON, patient, lang)
		if ok {
			out = append(out, e)
		}
	}
	return out, nil
}

type readEvent struct {
	Action   string `json:"action"`
	Recorded string `json:"recorded"`
	Outcome  string `json:"outcome"`
	Purpose  []struct {
		Coding []coding `json:"coding"`
		Text   string   `json:"text"`
	} `json:"purposeOfEvent"`
	Agent []struct {
		Who       *reference `json:"who"`
		Name      string     `json:"name"`
		Requestor bool       `json:"requestor"`
		Role      []concept  `json:"role"`
	} `json:"agent"`
	Entity []struct {
		What        *reference `json:"what"`
		Type        *coding    `json:"type"`
		Description string     `json:"description"`
	} `json:"entity"`
}

func describe(id string, body []byte, patient, lang string) (AccessEntry, bool) {
	var ev readEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		return AccessEntry{}, false
	}
	e := AccessEntry{Action: ev.Action, Refused: ev.Outcome != "0", EventID: id}
	e.Time, _ = time.Parse(time.RFC3339Nano, ev.Recorded)
	for _, a := range ev.Agent {
		if !a.Requestor {
			continue
		}
		if a.Who != nil && a.Who.Reference == "Patient/"+patient {
			return AccessEntry{}, false // the patient themself
		}
		e.Who = a.Name
		if e.Who == "" && a.Who != nil {
			e.Who = a.Who.Display
		}
		if len(a.Role) > 0 && len(a.Role[0].Coding) > 0 {
			e.Role = a.Role[0].Coding[0].Display
			if lang == "en" {
				e.Role = a.Role[0].Coding[0].Code
			}
		}
	}
	seen := map[string]bool{}
	for _, en := range ev.Entity {
		if en.What == nil {
			continue
		}
		typ, _, _ := strings.Cut(en.What.Reference, "/")
		if en.Description == "agent organisation" {
			e.Org = en.What.Display
			continue
		}
		if typ == "Patient" && en.What.Reference == "Patient/"+patient && len(ev.Entity) > 2 {
			continue
		}
		if label := typeLabel(typ, lang); label != "" && !seen[label] {
			seen[label] = true
			e.What = append(e.What, label)
		}
	}
	for _, p := range ev.Purpose {
		for _, c := range p.Coding {
			if c.Code == "BTG" || c.Code == "ETREAT" {
				e.BreakGlass = true
			}
		}
		if p.Text != "" {
			e.Reason = p.Text
		}
	}
	e.Text = sentence(&e, lang)
	return e, true
}

func sentence(e *AccessEntry, lang string) string {
	when := e.Time.In(vietnam)
	who := e.Who
	if who == "" {
		who = map[bool]string{true: "A system", false: "Một hệ thống"}[lang == "en"]
	}
	if e.Role != "" {
		who += " (" + e.Role
		if e.Org != "" {
			who += ", " + e.Org
		}
		who += ")"
	}
	what := strings.Join(e.What, ", ")
	var b strings.Builder
	if lang == "en" {
		if what == "" {
			what = "your record"
		} else {
			what = "your " + what
		}
		fmt.Fprintf(&b, "%s: %s %s %s", when.Format("15:04 on 2 Jan 2006"), who, verb(e.Action, lang), what)
		if e.Refused {
			b.WriteString(" (refused)")
		}
		if e.BreakGlass {
			b.WriteString(" — emergency access")
			if e.Reason != "" {
				b.WriteString(", reason: " + e.Reason)
			}
		}
	} else {
		if what == "" {
			what = "hồ sơ của bạn"
		} else {
			what += " của bạn"
		}
		fmt.Fprintf(&b, "%s ngày %s: %s %s %s", when.Format("15:04"), when.Format("2/1/2006"), who, verb(e.Action, lang), what)
		if e.Refused {
			b.WriteString(" (bị từ chối)")
		}
		if e.BreakGlass {
			b.WriteString(" — truy cập khẩn cấp")
			if e.Reason != "" {
				b.WriteString(", lý do: " + e.Reason)
			}
		}
	}
	b.WriteString(".")
	return b.String()
}

func verb(action, lang string) string {
	en := lang == "en"
	switch action {
	case "C":
		return pick(en, "added to", "đã thêm vào")
	case "U":
		return pick(en, "changed", "đã sửa")
	case "D":
		return pick(en, "deleted from", "đã xoá khỏi")
	case "E":
		return pick(en, "searched", "đã tra cứu")
	}
	return pick(en, "viewed", "đã xem")
}

func pick(en bool, e, v string) string {
	if en {
		return e
	}
	return v
}

// typeLabel names a resource type for a patient.
func typeLabel(typ, lang string) string {
	en := lang == "en"
	switch typ {
	case "Patient":
		return pick(en, "personal details", "thông tin cá nhân")
	case "Observation":
		return pick(en, "test results and measurements", "kết quả xét nghiệm, đo đạc")
	case "Condition":
		return pick(en, "diagnoses", "chẩn đoán")
	case "MedicationRequest":
		return pick(en, "prescriptions", "đơn thuốc")
	case "MedicationDispense":
		return pick(en, "medicines dispensed", "thuốc đã cấp phát")
	case "MedicationStatement", "MedicationAdministration":
		return pick(en, "medicine taking", "việc dùng thuốc")
	case "Encounter":
		return pick(en, "visits", "lần khám")
	case "AllergyIntolerance":
		return pick(en, "allergies", "dị ứng")
	case "Immunization":
		return pick(en, "vaccinations", "tiêm chủng")
	case "CarePlan", "CareTeam", "Goal":
		return pick(en, "care plan", "kế hoạch chăm sóc")
	case "Consent":
		return pick(en, "consents", "đồng ý chia sẻ")
	case "DiagnosticReport":
		return pick(en, "reports", "phiếu kết quả")
	case "Procedure":
		return pick(en, "procedures", "thủ thuật")
	case "AuditEvent", "":
		return ""
	}
	return pick(en, "record ("+typ+")", "hồ sơ ("+typ+")")
}
