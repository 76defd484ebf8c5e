package terminology

import (
	"github.com/sen-emr/sen/internal/fhir"
)

// The FHIR operations over Params, answering FHIR JSON
// (https://hl7.org/fhir/R4/terminology-service.html). They are what the
// REST layer calls; errors are *fhir.Error values carrying the HTTP
// status and OperationOutcome issue code.

// CodeSystemByID returns the code system whose resource id is id, or nil.
func (t *Terminology) CodeSystemByID(id string) *CodeSystem {
	for _, cs := range t.sysOrder {
		if cs.ID == id {
			return cs
		}
	}
	return nil
}

// ValueSetByID returns Sen's value set whose resource id is id, or nil.
func (t *Terminology) ValueSetByID(id string) *ValueSet {
	for _, vs := range t.vsOrder {
		if vs.ID == id {
			return vs
		}
	}
	return nil
}

// LookupOperation answers CodeSystem/$lookup
// (https://hl7.org/fhir/R4/codesystem-operation-lookup.html): name,
// version, display (in displayLanguage when given), a designation per
// language, and the parent, child and other properties.
func (t *Terminology) LookupOperation(p Params) ([]byte, error) {
	system, code := p.System, p.Code
	if p.Coding != nil {
		system, code = p.Coding.System, p.Coding.Code
	}
	c, cs, err := t.Lookup(system, code)
	if err != nil {
		return nil, err
	}
	out := []jsonParameter{pString("name", cs.Name)}
	if cs.Version != "" {
		out = append(out, pString("version", cs.Version))
	}
	out = append(out, pString("display", c.DisplayIn(p.DisplayLanguage)))
	if c.Abstract {
		out = append(out, pBool("abstract", true))
	}
	for _, d := range c.Designations {
		out = append(out, jsonParameter{Name: "designation", Part: []jsonParameter{pCode("language", d.Language), pString("value", d.Value)}})
	}
	prop := func(code string, v jsonParameter) {
		v.Name = "value"
		out = append(out, jsonParameter{Name: "property", Part: []jsonParameter{pCode("code", code), v}})
	}
	if c.Parent != nil {
		prop("parent", pCode("", c.Parent.Code))
	}
	for _, ch := range c.Children {
		prop("child", pCode("", ch.Code))
	}
	for _, pr := range c.Properties {
		prop(pr.Code, pCode("", pr.Value))
	}
	if c.Unverified {
		prop("unverified", pBool("", true))
	}
	return parametersJSON(out), nil
}

// ValidateCodeOperation answers CodeSystem/$validate-code (inValueSet
// false: url or system names the code system) and ValueSet/$validate-code
// (inValueSet true: url names the value set, system the code's system)
// with result, message and display.
func (t *Terminology) ValidateCodeOperation(p Params, inValueSet bool) ([]byte, error) {
	req := ValidateRequest{Code: p.Code, Display: p.Display, System: p.System, DisplayLanguage: p.DisplayLanguage}
	if inValueSet {
		if p.URL == "" {
			return nil, fhir.Errorf(fhir.KindInvalid, "url (the value set) is required / cần có url của tập giá trị")
		}
		req.ValueSetURL = p.URL
	} else if p.URL != "" {
		req.System = p.URL
	}
	if p.Coding != nil {
		req.Codings = append(req.Codings, *p.Coding)
	}
	req.Codings = append(req.Codings, p.CodeableConcept...)
	v, err := t.ValidateCode(req)
	if err != nil {
		return nil, err
	}
	out := []jsonParameter{pBool("result", v.Result)}
	if v.Message != "" {
		out = append(out, pString("message", v.Message))
	}
	if v.Display != "" {
		out = append(out, pString("display", v.Display))
	}
	if v.Code != "" {
		out = append(out, pCode("code", v.Code))
	}
	if v.System != "" {
		out = append(out, pURI("system", v.System))
	}
	return parametersJSON(out), nil
}

// ExpandOperation answers ValueSet/$expand with a ValueSet carrying the
// expansion page.
func (t *Terminology) ExpandOperation(p Params) ([]byte, error) {
	x, err := t.Expand(ExpandRequest{URL: p.URL, Filter: p.Filter, Count: p.Count, Offset: p.Offset, DisplayLanguage: p.DisplayLanguage})
	if err != nil {
		return nil, err
	}
	return x.JSON(), nil
}

// SubsumesOperation answers CodeSystem/$subsumes with outcome.
func (t *Terminology) SubsumesOperation(p Params) ([]byte, error) {
	if p.CodeA == "" || p.CodeB == "" {
		return nil, fhir.Errorf(fhir.KindInvalid, "codeA and codeB are required / cần có codeA và codeB")
	}
	s, err := t.Subsumes(p.System, p.CodeA, p.CodeB)
	if err != nil {
		return nil, err
	}
	return parametersJSON([]jsonParameter{pCode("outcome", string(s))}), nil
}
