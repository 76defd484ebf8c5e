package record

import (
	"fmt"
	"strings"
	"time"
)

// Class is a retention class of Circular 33/2025/TT-BYT (in force 1 Jul
// 2025, replacing Circular 53/2017; it covers electronic records too).
type Class struct {
	Code  string
	Years int // 0 with Permanent set: kept for ever
	// Permanent: never destroyed (medical-incident files).
	Permanent bool
	// FromDeath: counted from the patient's death, not the episode's end
	// (the electronic health book).
	FromDeath bool
	Label     string // Vietnamese
	LabelEN   string
}

// The retention classes, longest first so that an episode that falls in
// several gets the longest period.
var (
	ClassIncident      = Class{Code: "incident", Permanent: true, Label: "Hồ sơ sự cố y khoa", LabelEN: "medical-incident file"}
	ClassDeath         = Class{Code: "death", Years: 30, Label: "Hồ sơ bệnh án người bệnh tử vong", LabelEN: "record of a patient who died"}
	ClassMental        = Class{Code: "mental-health", Years: 20, Label: "Hồ sơ bệnh án tâm thần", LabelEN: "mental-health record"}
	ClassAccident      = Class{Code: "accident", Years: 20, Label: "Hồ sơ bệnh án tai nạn lao động, tai nạn giao thông", LabelEN: "occupational- or traffic-accident record"}
	ClassTransplant    = Class{Code: "transplant-cosmetic", Years: 20, Label: "Hồ sơ ghép tạng, phẫu thuật thẩm mỹ", LabelEN: "transplant or cosmetic-surgery record"}
	ClassStandard      = Class{Code: "standard", Years: 10, Label: "Hồ sơ bệnh án nội trú, ngoại trú", LabelEN: "inpatient or outpatient record"}
	ClassHealthBook    = Class{Code: "health-book", Years: 10, FromDeath: true, Label: "Sổ sức khỏe điện tử", LabelEN: "electronic health book"}
	ClassVisitRegister = Class{Code: "visit-register", Years: 5, Label: "Sổ khám bệnh", LabelEN: "visit register"}
	ClassHealthCheck   = Class{Code: "health-check", Years: 2, Label: "Giấy khám sức khỏe", LabelEN: "health-check certificate"}
)

// Classes lists every class.
func Classes() []Class {
	return []Class{ClassIncident, ClassDeath, ClassMental, ClassAccident, ClassTransplant, ClassStandard,
		ClassHealthBook, ClassVisitRegister, ClassHealthCheck}
}

// Episode is what decides an episode's retention class.
type Episode struct {
	Kind     string    // "encounter" (default), "health-check", "visit-register", "incident", "health-book"
	ICD10    []string  // diagnosis codes of the episode
	Died     bool      // the patient died during the episode
	Accident bool      // recorded as an occupational or traffic accident
	Cosmetic bool      // cosmetic surgery
	End      time.Time // end of the episode
	Death    time.Time // the patient's death (health book)
}

// Classify returns the class of an episode: incident files are
// permanent; deaths 30 years; mental-health (ICD-10 F00–F99), accident
// (flag, or external causes V01–V99 transport, W/X/Y occupational injury
// when flagged) and transplant (Z94, T86) or cosmetic-surgery records 20
// years; other treatment records 10.
func Classify(e Episode) Class {
	switch e.Kind {
	case "incident":
		return ClassIncident
	case "health-check":
		return ClassHealthCheck
	case "visit-register":
		return ClassVisitRegister
	case "health-book":
		return ClassHealthBook
	}
	if e.Died {
		return ClassDeath
	}
	mental, accident, transplant := false, e.Accident, e.Cosmetic
	for _, c := range e.ICD10 {
		c = strings.ToUpper(strings.TrimSpace(c))
		switch {
		case strings.HasPrefix(c, "F"):
			mental = true
		case strings.HasPrefix(c, "V"): // transport accidents
			accident = true
		case strings.HasPrefix(c, "Z94"), strings.HasPrefix(c, "T86"):
			transplant = true
		}
	}
	switch {
	case mental:
		return ClassMental
	case accident:
		return ClassAccident
	case transplant:
		return ClassTransplant
	}
	return ClassStandard
}

// Expiry is when the retention period ends; ok is false for permanent
// records and for a health book whose patient is alive.
func (c Class) Expiry(e Episode) (time.Time, bool) {
	if c.Permanent {
		return time.Time{}, false
	}
	from := e.End
	if c.FromDeath {
		if e.Death.IsZero() {
			return time.Time{}, false
		}
		from = e.Death
	}
	if from.IsZero() {
		return time.Time{}, false // an open episode has not started counting
	}
	return from.AddDate(c.Years, 0, 0), true
}

// RetainedError refuses a deletion or a purge before the retention
// period ends. Its message, in Vietnamese and English, names the record,
// its class and period, the end of the episode, the date until which it
// must be kept, and what to do instead: mark it entered-in-error.
type RetainedError struct {
	Ref   string
	Class Class
	End   time.Time // end of the episode (zero: still open, or not counted from it)
	Until time.Time // zero: permanent or not yet counting
}

// vnDate formats a date the Vietnamese way (dd/mm/yyyy).
func vnDate(t time.Time) string { return t.Format("02/01/2006") }

// period says how long the class keeps a record, in both languages.
func (c Class) period() (vi, en string) {
	switch {
	case c.Permanent:
		return "vĩnh viễn", "permanently"
	case c.FromDeath:
		return fmt.Sprintf("%d năm kể từ khi người bệnh tử vong", c.Years), fmt.Sprintf("%d years after the patient's death", c.Years)
	}
	return fmt.Sprintf("%d năm kể từ khi kết thúc đợt điều trị", c.Years), fmt.Sprintf("%d years from the end of the episode", c.Years)
}

// English is the refusal in English.
func (e *RetainedError) English() string {
	_, period := e.Class.period()
	end := "the episode is still open"
	if !e.End.IsZero() {
		end = "the episode ended on " + e.End.Format(time.DateOnly)
	}
	until := "it is kept permanently"
	switch {
	case !e.Until.IsZero():
		until = "it must be kept until " + e.Until.Format(time.DateOnly)
	case e.Class.FromDeath:
		until = "its period has not started (the patient is alive)"
	case !e.Class.Permanent:
		until = "its period has not started"
	}
	return fmt.Sprintf("%s cannot be deleted: it is classed as %s (retention class %s, kept %s; Circular 33/2025/TT-BYT); %s, so %s. "+
		"To withdraw a record made in error, set its status to entered-in-error instead of deleting it.",
		e.Ref, e.Class.LabelEN, e.Class.Code, period, end, until)
}

// Vietnamese is the refusal in Vietnamese.
func (e *RetainedError) Vietnamese() string {
	period, _ := e.Class.period()
	end := "đợt điều trị chưa kết thúc"
	if !e.End.IsZero() {
		end = "đợt điều trị kết thúc ngày " + vnDate(e.End)
	}
	until := "hồ sơ được lưu trữ vĩnh viễn"
	switch {
	case !e.Until.IsZero():
		until = "phải lưu trữ đến ngày " + vnDate(e.Until)
	case e.Class.FromDeath:
		until = "thời hạn lưu trữ chưa bắt đầu (người bệnh còn sống)"
	case !e.Class.Permanent:
		until = "thời hạn lưu trữ chưa bắt đầu"
	}
	label := strings.ToLower(e.Class.Label[:1]) + e.Class.Label[1:]
	return fmt.Sprintf("Không được xóa %s: đây là %s (loại lưu trữ %s, lưu %s; Thông tư 33/2025/TT-BYT); %s, %s. "+
		"Nếu hồ sơ được tạo nhầm, hãy chuyển trạng thái sang entered-in-error (nhập nhầm) thay vì xóa.",
		e.Ref, label, e.Class.Code, period, end, until)
}

func (e *RetainedError) Error() string { return e.Vietnamese() + " / " + e.English() }

// CheckDelete returns a *RetainedError unless the episode's retention has
// expired at now.
func CheckDelete(ref string, e Episode, now time.Time) error {
	c := Classify(e)
	until, ok := c.Expiry(e)
	if !ok || now.Before(until) {
		return &RetainedError{Ref: ref, Class: c, End: e.End, Until: until}
	}
	return nil
}
