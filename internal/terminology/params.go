package terminology

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
)

// Params are the input parameters of the terminology operations, read from
// a GET query (ParamsFromQuery) or a POSTed Parameters resource
// (ParamsFromJSON). Names follow the R4 operation definitions.
type Params struct {
	URL             string // $expand, $validate-code: the value set (ValueSet) or code system (CodeSystem)
	System          string
	Version         string
	Code            string
	Display         string
	DisplayLanguage string
	Filter          string
	CodeA, CodeB    string // $subsumes
	Coding          *Coding
	CodeableConcept []Coding
	Count, Offset   int
}

// ParamsFromQuery reads operation parameters from a URL query. A coding
// may be given as coding=system|code. Errors are KindInvalid.
func ParamsFromQuery(q url.Values) (Params, error) {
	p := Params{URL: q.Get("url"), System: q.Get("system"), Version: q.Get("version"), Code: q.Get("code"),
		Display: q.Get("display"), DisplayLanguage: q.Get("displayLanguage"), Filter: q.Get("filter"),
		CodeA: q.Get("codeA"), CodeB: q.Get("codeB")}
	if s := q.Get("coding"); s != "" {
		sys, code, ok := strings.Cut(s, "|")
		if !ok || code == "" {
			return p, fhir.Errorf(fhir.KindInvalid, "coding must be system|code, got %q / coding phải có dạng system|code", s)
		}
		p.Coding = &Coding{System: sys, Code: code}
	}
	var err error
	if p.Count, err = intParam(q, "count"); err != nil {
		return p, err
	}
	if p.Offset, err = intParam(q, "offset"); err != nil {
		return p, err
	}
	return p, nil
}

func intParam(q url.Values, name string) (int, error) {
	s := q.Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, fhir.Errorf(fhir.KindInvalid, "%s must be a non-negative integer, got %q / %s phải là số nguyên không âm", name, s, name)
	}
	return n, nil
}

// jsonParameter is one Parameters.parameter, with the value types the
// terminology operations use.
type jsonParameter struct {
	Name                 string           `json:"name"`
	ValueString          *string          `json:"valueString,omitempty"`
	ValueCode            *string          `json:"valueCode,omitempty"`
	ValueURI             *string          `json:"valueUri,omitempty"`
	ValueCanonical       *string          `json:"valueCanonical,omitempty"`
	ValueBoolean         *bool            `json:"valueBoolean,omitempty"`
	ValueInteger         *int             `json:"valueInteger,omitempty"`
	ValueCoding          *jsonCoding      `json:"valueCoding,omitempty"`
	ValueCodeableConcept *jsonCodeable    `json:"valueCodeableConcept,omitempty"`
	Part                 []jsonParameter  `json:"part,omitempty"`
	Resource             *json.RawMessage `json:"resource,omitempty"`
}

type jsonCoding struct {
	System  string `json:"system,omitempty"`
	Version string `json:"version,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type jsonCodeable struct {
	Coding []jsonCoding `json:"coding,omitempty"`
	Text   string       `json:"text,omitempty"`
}

type jsonParameters struct {
	ResourceType string          `json:"resourceType"`
	Parameter    []jsonParameter `json:"parameter"`
}

// ParamsFromJSON reads operation parameters from a FHIR Parameters
// resource. Errors are KindInvalid, naming the bad parameter.
func ParamsFromJSON(body []byte) (Params, error) {
	var p Params
	var in jsonParameters
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&in); err != nil {
		return p, &fhir.Error{Kind: fhir.KindInvalid, Msg: "the body is not a valid Parameters resource / nội dung không phải tài nguyên Parameters hợp lệ", Err: err}
	}
	if in.ResourceType != "Parameters" {
		return p, fhir.Errorf(fhir.KindInvalid, "expected a Parameters resource, got %q / cần tài nguyên Parameters", in.ResourceType)
	}
	for i, prm := range in.Parameter {
		if prm.Resource != nil {
			return p, fhir.Errorf(fhir.KindUnsupported, "parameter %s: inline resources are not supported; give url / không hỗ trợ tài nguyên kèm theo, hãy dùng url", prm.Name).At(fmt.Sprintf("Parameters.parameter[%d]", i))
		}
		s := firstString(prm.ValueString, prm.ValueCode, prm.ValueURI, prm.ValueCanonical)
		switch prm.Name {
		case "url", "valueSet":
			p.URL = s
		case "system":
			p.System = s
		case "version", "systemVersion":
			p.Version = s
		case "code":
			p.Code = s
		case "display":
			p.Display = s
		case "displayLanguage":
			p.DisplayLanguage = s
		case "filter":
			p.Filter = s
		case "codeA":
			p.CodeA = s
		case "codeB":
			p.CodeB = s
		case "count", "offset":
			if prm.ValueInteger == nil || *prm.ValueInteger < 0 {
				return p, fhir.Errorf(fhir.KindInvalid, "parameter %s needs a non-negative valueInteger / tham số %s cần valueInteger không âm", prm.Name, prm.Name).At(fmt.Sprintf("Parameters.parameter[%d]", i))
			}
			if prm.Name == "count" {
				p.Count = *prm.ValueInteger
			} else {
				p.Offset = *prm.ValueInteger
			}
		case "coding":
			if prm.ValueCoding == nil {
				return p, fhir.Errorf(fhir.KindInvalid, "parameter coding needs a valueCoding / tham số coding cần valueCoding").At(fmt.Sprintf("Parameters.parameter[%d]", i))
			}
			c := prm.ValueCoding
			p.Coding = &Coding{System: c.System, Version: c.Version, Code: c.Code, Display: c.Display}
		case "codeableConcept":
			if prm.ValueCodeableConcept == nil {
				return p, fhir.Errorf(fhir.KindInvalid, "parameter codeableConcept needs a valueCodeableConcept / tham số codeableConcept cần valueCodeableConcept").At(fmt.Sprintf("Parameters.parameter[%d]", i))
			}
			for _, c := range prm.ValueCodeableConcept.Coding {
				p.CodeableConcept = append(p.CodeableConcept, Coding{System: c.System, Version: c.Version, Code: c.Code, Display: c.Display})
			}
		}
	}
	return p, nil
}

func firstString(ss ...*string) string {
	for _, s := range ss {
		if s != nil {
			return *s
		}
	}
	return ""
}

// parametersJSON renders output parameters as a FHIR Parameters resource.
func parametersJSON(ps []jsonParameter) []byte {
	return mustJSON(jsonParameters{ResourceType: "Parameters", Parameter: ps})
}

func pString(name, v string) jsonParameter { return jsonParameter{Name: name, ValueString: &v} }
func pCode(name, v string) jsonParameter   { return jsonParameter{Name: name, ValueCode: &v} }
func pURI(name, v string) jsonParameter    { return jsonParameter{Name: name, ValueURI: &v} }
func pBool(name string, v bool) jsonParameter {
	return jsonParameter{Name: name, ValueBoolean: &v}
}
