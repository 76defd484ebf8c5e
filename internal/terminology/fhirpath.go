package terminology

import (
	"fmt"

	"github.com/sen-emr/sen/internal/fhirpath"
)

// FHIRPath adapts a Terminology to fhirpath.Options.Terminology, answering
// memberOf() (https://hl7.org/fhir/R4/fhirpath.html#functions).
type FHIRPath struct{ T *Terminology }

// MemberOf reports whether the code is in the value set. The code may be
// a Coding (member when its system|code is), a CodeableConcept (when any
// coding is), or a code/string/uri primitive or System.String (matched
// against codes of any system in the value set). Other types are an
// error, as is an unknown value set.
func (f FHIRPath) MemberOf(code fhirpath.Value, valueSetURL string) (bool, error) {
	switch raw := code.Raw().(type) {
	case string:
		return f.T.MemberOf("", raw, valueSetURL)
	case map[string]any:
		if cs, ok := raw["coding"].([]any); ok {
			if f.T.ValueSet(valueSetURL) == nil {
				return false, unknownValueSet(valueSetURL)
			}
			for _, c := range cs {
				m, _ := c.(map[string]any)
				if in, err := f.memberCoding(m, valueSetURL); err != nil || in {
					return in, err
				}
			}
			return false, nil
		}
		if _, ok := raw["code"]; ok {
			return f.memberCoding(raw, valueSetURL)
		}
	}
	return false, fmt.Errorf("memberOf() needs a code, Coding or CodeableConcept, got %s", code.TypeName())
}

func (f FHIRPath) memberCoding(m map[string]any, url string) (bool, error) {
	code, _ := m["code"].(string)
	if code == "" {
		if f.T.ValueSet(url) == nil {
			return false, unknownValueSet(url)
		}
		return false, nil
	}
	system, _ := m["system"].(string)
	return f.T.MemberOf(system, code, url)
}

var _ interface {
	MemberOf(fhirpath.Value, string) (bool, error)
} = FHIRPath{}
