package chat

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// What a parsed message becomes in the record, and what Sen answers.

// FHIR vocabulary of recorded check-ins.
const (
	// SystemCheckIn codes what a patient's message was about (its Intent)
	// on the Communication recorded for it: side-effect, ran-out,
	// question. The care-team alerts (internal/clinical/alert) find
	// side-effect reports by Communication.category with this system.
	SystemCheckIn = "https://sen-emr.github.io/fhir/CodeSystem/check-in"
	// SystemSymptom codes the canonical symptom of a side-effect report
	// (Communication.reasonCode): the English name in lower case with
	// hyphens, e.g. dry-cough; the text is the Vietnamese name and the
	// display the English one.
	SystemSymptom = "https://sen-emr.github.io/fhir/CodeSystem/reported-symptom"
)

// SymptomCode is the SystemSymptom code of an English symptom name
// ("Dry cough" → "dry-cough"); "" for "".
func SymptomCode(en string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(en) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return b.String()
}

// Context is what the caller knows about the conversation: whose message
// it is and when it arrived. The medication fields name the medicine the
// message is about (the matched one, or the reminder's).
type Context struct {
	Patient        string // "Patient/123"
	Received       time.Time
	Loc            *time.Location // patient time zone (UTC+7 when nil)
	MedicationATC  string
	MedicationText string
	Request        string // "MedicationRequest/…" the reminder was for, optional
	CareTeam       string // "CareTeam/…" to notify, optional
	Text           string // the message as received, kept in Communications
}

// clock is the usual hour of each part of the day (Vietnamese meal times).
func clock(t TimeOfDay) (h, m int, ok bool) {
	switch t {
	case Morning:
		return 7, 0, true
	case Noon:
		return 11, 30, true
	case Afternoon:
		return 15, 0, true
	case Evening:
		return 18, 30, true
	case Night:
		return 21, 30, true
	}
	return 0, 0, false
}

// When is the moment the message refers to: the named part of the named
// day, or the time it was received.
func (r Result) When(c Context) time.Time {
	loc := c.Loc
	if loc == nil {
		loc = time.FixedZone("ICT", 7*3600)
	}
	t := c.Received.In(loc)
	h, m, ok := clock(r.TimeOfDay)
	if !ok && r.DayOffset == 0 {
		return t
	}
	day := t.AddDate(0, 0, r.DayOffset)
	if !ok {
		h, m = 12, 0
	}
	return time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
}

// Resources returns the FHIR resources (JSON, without ids) to record for
// the message: a completed MedicationAdministration (taken), a not-done
// one (missed), a refill Task and a Communication (ran out), a
// Communication to the care team (side effect: the symptom as reasonCode,
// the medicine as topic, the reminder's request in about), a
// Communication (question). Help, stop and unknown record nothing here
// (stop changes the patient's reminder consent, which the caller owns).
// Taken and missed need a medication: without one they record nothing
// rather than guess. The care team's Flag and Task for a side effect or
// for repeated missed doses are raised from these records by
// internal/clinical/alert, not here.
func (r Result) Resources(c Context) ([][]byte, error) {
	if c.Patient == "" || c.Received.IsZero() {
		return nil, fmt.Errorf("chat: context needs the patient and the time received")
	}
	when := r.When(c).Format(time.RFC3339)
	med := map[string]any{"text": c.MedicationText}
	if c.MedicationATC != "" {
		med["coding"] = []any{map[string]any{"system": "http://www.whocc.no/atc", "code": c.MedicationATC}}
	}
	hasMed := c.MedicationATC != "" || c.MedicationText != ""
	subject := map[string]any{"reference": c.Patient}
	comm := func(category, text string) map[string]any {
		m := map[string]any{
			"resourceType": "Communication", "status": "completed",
			"category": []any{map[string]any{"text": category, "coding": []any{map[string]any{"system": SystemCheckIn, "code": string(r.Intent)}}}},
			"subject":  subject, "sender": subject, "sent": c.Received.Format(time.RFC3339),
			"payload": []any{map[string]any{"contentString": c.Text}},
		}
		if c.CareTeam != "" {
			m["recipient"] = []any{map[string]any{"reference": c.CareTeam}}
		}
		return m
	}
	var out []map[string]any
	switch r.Intent {
	case Taken, Missed:
		if !hasMed {
			return nil, nil
		}
		a := map[string]any{
			"resourceType": "MedicationAdministration", "status": "completed",
			"category": map[string]any{"coding": []any{map[string]any{
				"system": "http://terminology.hl7.org/CodeSystem/medication-admin-category", "code": "patientspecified"}},
				"text": "Người bệnh tự xác nhận qua tin nhắn"},
			"medicationCodeableConcept": med, "subject": subject, "effectiveDateTime": when,
			"performer": []any{map[string]any{"actor": subject}},
		}
		if r.Intent == Missed {
			a["status"] = "not-done"
			a["statusReason"] = []any{map[string]any{"text": "Người bệnh báo quên/bỏ liều"}}
		}
		if c.Request != "" {
			a["request"] = map[string]any{"reference": c.Request}
		}
		out = append(out, a)
	case RanOut:
		task := map[string]any{
			"resourceType": "Task", "status": "requested", "intent": "order", "priority": "urgent",
			"code":        map[string]any{"text": "Cấp thêm thuốc / Medication refill"},
			"description": "Người bệnh báo hết thuốc: " + orText(c.MedicationText, "chưa rõ thuốc"),
			"for":         subject, "authoredOn": c.Received.Format(time.RFC3339),
		}
		if c.Request != "" {
			task["focus"] = map[string]any{"reference": c.Request}
		}
		if c.CareTeam != "" {
			task["owner"] = map[string]any{"reference": c.CareTeam}
		}
		out = append(out, task, comm("Hết thuốc / Ran out of medicine", ""))
	case SideEffect:
		m := comm("Tác dụng không mong muốn / Side effect", "")
		if code := SymptomCode(r.SymptomEN); code != "" {
			m["reasonCode"] = []any{map[string]any{
				"coding": []any{map[string]any{"system": SystemSymptom, "code": code, "display": r.SymptomEN}},
				"text":   orText(r.Symptom, r.SymptomEN),
			}}
		}
		if hasMed {
			m["topic"] = med
		}
		if c.Request != "" {
			m["about"] = []any{map[string]any{"reference": c.Request}}
		}
		out = append(out, m)
	case Question:
		out = append(out, comm("Câu hỏi cho nhóm chăm sóc / Question for the care team", ""))
	}
	var res [][]byte
	for _, m := range out {
		b, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("chat: %w", err)
		}
		res = append(res, b)
	}
	return res, nil
}

func orText(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Reply is Sen's answer to the patient, in Vietnamese and English.
func (r Result) Reply() (vi, en string) {
	switch r.Intent {
	case Taken:
		return "Cảm ơn bác đã xác nhận uống thuốc. Chúc bác nhiều sức khoẻ!", "Thank you for confirming your dose. Stay well!"
	case Missed:
		return "Sen đã ghi nhận bác chưa uống liều này. Nếu còn sớm, bác có thể uống ngay; nếu đã gần liều sau thì bỏ qua, không uống gấp đôi.",
			"Noted that you missed this dose. If it is still early, take it now; if the next dose is near, skip it — never take a double dose."
	case RanOut:
		return "Sen đã báo nhóm chăm sóc để cấp thêm thuốc cho bác. Nhân viên y tế sẽ liên hệ sớm.",
			"We have asked your care team for a refill. A health worker will contact you soon."
	case SideEffect:
		return "Sen đã chuyển thông tin \"" + r.Symptom + "\" cho bác sĩ. Nếu khó thở, đau ngực hoặc rất mệt, bác hãy gọi 115 hoặc đến cơ sở y tế gần nhất.",
			"We have passed \"" + r.SymptomEN + "\" on to your doctor. If you have trouble breathing, chest pain or feel very unwell, call 115 or go to the nearest health facility."
	case Question:
		return "Sen đã chuyển câu hỏi của bác tới nhóm chăm sóc; bác sẽ được trả lời sớm.", "Your question has been passed to your care team; they will answer soon."
	case Help:
		return "Trả lời 1 nếu đã uống, 2 nếu chưa uống, 3 nếu hết thuốc, hoặc nhắn tình trạng của bác (ví dụ \"bị chóng mặt\"). Nhắn DUNG để ngừng nhắc.",
			"Reply 1 if you took it, 2 if not, 3 if you ran out, or tell us how you feel (e.g. \"dizzy\"). Send STOP to stop reminders."
	case Stop:
		return "Sen sẽ ngừng gửi nhắc uống thuốc. Nhắn BAT để bật lại bất cứ lúc nào.", "We will stop sending reminders. Send START to turn them back on at any time."
	}
	return "Xin lỗi, Sen chưa hiểu tin nhắn. Trả lời 1 (đã uống), 2 (chưa uống), 3 (hết thuốc) hoặc 0 để được hướng dẫn.",
		"Sorry, we did not understand. Reply 1 (taken), 2 (not taken), 3 (ran out) or 0 for help."
}
