package terminology

import (
	"fmt"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
)

// Coding is a system, code and optional display to validate.
type Coding struct {
	System, Version, Code, Display string
}

// ValidateRequest asks whether a code is valid in a code system
// (ValueSetURL empty) or in a value set. Either Code (with System) or
// Codings (from a Coding or the codings of a CodeableConcept; valid when
// any is) must be given.
type ValidateRequest struct {
	ValueSetURL     string
	System          string
	Code            string
	Display         string
	Codings         []Coding
	DisplayLanguage string
}

// Validation is the answer of ValidateCode. A code that is unknown, not in
// the value set or shown with a wrong display is Result false with a
// bilingual Message: that is an answer, not an error.
type Validation struct {
	Result  bool
	Message string
	// System, Code and Display describe the coding that was valid (or the
	// last one tried); Display is the recommended display.
	System, Code, Display string
}

// ValidateCode checks a code against a code system or value set. Errors
// are for bad requests only: KindInvalid when no code is given, and
// KindNotFound wrapping ErrUnknownValueSet for an unknown value set.
func (t *Terminology) ValidateCode(req ValidateRequest) (*Validation, error) {
	codings := req.Codings
	if req.Code != "" {
		codings = append([]Coding{{System: req.System, Code: req.Code, Display: req.Display}}, codings...)
	}
	if len(codings) == 0 {
		return nil, fhir.Errorf(fhir.KindInvalid, "a code, coding or codeableConcept is required / cần có code, coding hoặc codeableConcept")
	}
	var vs *ValueSet
	if req.ValueSetURL != "" {
		if vs = t.ValueSet(req.ValueSetURL); vs == nil {
			return nil, unknownValueSet(req.ValueSetURL)
		}
	}
	var last *Validation
	var msgs []string
	for _, cd := range codings {
		v := t.validateOne(vs, cd, req.DisplayLanguage)
		if v.Result {
			return v, nil
		}
		msgs = append(msgs, v.Message)
		last = v
	}
	last.Message = strings.Join(msgs, "; ")
	return last, nil
}

func (t *Terminology) validateOne(vs *ValueSet, cd Coding, lang string) *Validation {
	v := &Validation{System: cd.System, Code: cd.Code}
	if cd.Code == "" {
		v.Message = "a coding without a code / coding thiếu mã"
		return v
	}
	if vs == nil {
		return t.validateInSystem(cd, lang)
	}
	e, ok := t.member(vs, cd.System, cd.Code)
	if !ok {
		v.Message = fmt.Sprintf("%s|%s is not in value set %s / mã %s không thuộc tập giá trị %s", cd.System, cd.Code, vs.URL, cd.Code, vs.URL)
		if cd.System != "" {
			if cs := t.CodeSystem(cd.System); cs != nil && cs.Concept(cd.Code) == nil {
				v.Message = unknownCodeMessage(cs, cd.Code)
			}
		}
		return v
	}
	v.System, v.Code = e.System, e.Code
	c := &Concept{Code: e.Code, Display: e.Display, Designations: e.Designations}
	return checkDisplay(v, c, cd.Display, lang)
}

func (t *Terminology) validateInSystem(cd Coding, lang string) *Validation {
	v := &Validation{System: cd.System, Code: cd.Code}
	if cd.System == "" {
		v.Message = "a code system (url or coding.system) is required / cần có hệ mã (url hoặc coding.system)"
		return v
	}
	cs := t.CodeSystem(cd.System)
	if cs == nil {
		v.Message = fmt.Sprintf("unknown code system %s / không có hệ mã %s", cd.System, cd.System)
		return v
	}
	c := cs.Concept(cd.Code)
	if c == nil {
		v.Message = unknownCodeMessage(cs, cd.Code)
		return v
	}
	v.Code = c.Code
	return checkDisplay(v, c, cd.Display, lang)
}

func unknownCodeMessage(cs *CodeSystem, code string) string {
	msg := fmt.Sprintf("code %s is not in %s / mã %s không có trong %s", code, cs.URL, code, cs.URL)
	if !cs.Complete {
		msg += " (Sen holds a subset of this code system / Sen chỉ có một phần hệ mã này)"
	}
	return msg
}

// checkDisplay completes a found code: valid unless a display was given
// that is none of the concept's displays.
func checkDisplay(v *Validation, c *Concept, display, lang string) *Validation {
	v.Display = c.DisplayIn(lang)
	if display != "" && !c.hasDisplay(display) {
		v.Message = fmt.Sprintf("display %q is wrong for %s; expected %q / tên hiển thị %q không đúng cho mã %s, cần là %q",
			display, c.Code, v.Display, display, c.Code, v.Display)
		return v
	}
	v.Result = true
	return v
}
