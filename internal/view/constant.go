package view

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/sen-emr/sen/internal/fhirpath"
)

// Constants become FHIRPath external constants (%name). Each value is kept
// as a FHIR primitive node of its declared type, so FHIRPath compares it
// exactly as it compares the same element read from a resource (a
// valueDate equals a birthDate, a valueDecimal keeps its precision).
// https://sql-on-fhir.org/ig/latest/StructureDefinition-ViewDefinition.html#using-constants

// constantJSON says which JSON type each allowed value[x] takes.
type constantJSON int

const (
	jsonString constantJSON = iota
	jsonBool
	jsonDecimal
	jsonInteger
	jsonPositive
	jsonUnsigned
)

// constantTypes lists the value[x] types the ViewDefinition allows, by the
// suffix of the JSON property, with the FHIR type name and JSON shape.
var constantTypes = map[string]struct {
	fhirType string
	shape    constantJSON
}{
	"Base64Binary": {"base64Binary", jsonString},
	"Boolean":      {"boolean", jsonBool},
	"Canonical":    {"canonical", jsonString},
	"Code":         {"code", jsonString},
	"Date":         {"date", jsonString},
	"DateTime":     {"dateTime", jsonString},
	"Decimal":      {"decimal", jsonDecimal},
	"Id":           {"id", jsonString},
	"Instant":      {"instant", jsonString},
	"Integer":      {"integer", jsonInteger},
	"Integer64":    {"integer64", jsonString},
	"Oid":          {"oid", jsonString},
	"String":       {"string", jsonString},
	"PositiveInt":  {"positiveInt", jsonPositive},
	"Time":         {"time", jsonString},
	"UnsignedInt":  {"unsignedInt", jsonUnsigned},
	"Uri":          {"uri", jsonString},
	"Url":          {"url", jsonString},
	"Uuid":         {"uuid", jsonString},
}

// Formats of the FHIR primitives whose text FHIRPath parses
// (https://hl7.org/fhir/R4/datatypes.html#primitive); a constant that does
// not match would otherwise silently compare as a plain string.
var (
	dateRE      = regexp.MustCompile(`^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?$`)
	dateTimeRE  = regexp.MustCompile(`^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?$`)
	instantRE   = regexp.MustCompile(`^([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$`)
	timeRE      = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?$`)
	integer64RE = regexp.MustCompile(`^(0|[-+]?[1-9][0-9]*)$`)
)

// sqlNameRE is the sql-name invariant for view, column and constant names.
var sqlNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// compileConstants checks the constant list and returns the %name values.
func compileConstants(defs []constantDef) (map[string]fhirpath.Collection, error) {
	vars := make(map[string]fhirpath.Collection, len(defs))
	for i, c := range defs {
		name, err := constantName(c)
		if err != nil {
			return nil, fmt.Errorf("constant[%d]: %w", i, err)
		}
		if _, dup := vars[name]; dup || reservedVar(name) {
			return nil, fmt.Errorf("constant[%d] %q: name already defined: %w", i, name, ErrInvalid)
		}
		v, err := constantValue(c)
		if err != nil {
			return nil, fmt.Errorf("constant[%d] %q: %w", i, name, err)
		}
		vars[name] = fhirpath.Collection{v}
	}
	return vars, nil
}

func constantName(c constantDef) (string, error) {
	raw, ok := c["name"]
	if !ok {
		return "", fmt.Errorf("missing name: %w", ErrInvalid)
	}
	var name string
	if err := json.Unmarshal(raw, &name); err != nil {
		return "", fmt.Errorf("name is not a string: %w", ErrInvalid)
	}
	if !sqlNameRE.MatchString(name) {
		return "", fmt.Errorf("name %q must match %s: %w", name, sqlNameRE, ErrInvalid)
	}
	return name, nil
}

// constantValue reads the single value[x] of a constant.
func constantValue(c constantDef) (fhirpath.Value, error) {
	var keys []string
	for k := range c {
		if strings.HasPrefix(k, "value") {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	switch len(keys) {
	case 0:
		return nil, fmt.Errorf("missing value[x]: %w", ErrInvalid)
	case 1:
	default:
		return nil, fmt.Errorf("several values (%s), want one value[x]: %w", strings.Join(keys, ", "), ErrInvalid)
	}
	key := keys[0]
	ct, ok := constantTypes[strings.TrimPrefix(key, "value")]
	if !ok {
		return nil, fmt.Errorf("unsupported constant type %s: %w", key, ErrInvalid)
	}
	raw := bytes.TrimSpace(c[key])
	bad := func(want string) error {
		return fmt.Errorf("%s must be %s, got %s: %w", key, want, abbreviate(raw), ErrInvalid)
	}
	switch ct.shape {
	case jsonBool:
		var b bool
		if err := json.Unmarshal(raw, &b); err != nil {
			return nil, bad("a boolean")
		}
		return fhirpath.NewNode(b, ct.fhirType), nil
	case jsonDecimal, jsonInteger, jsonPositive, jsonUnsigned:
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var n json.Number
		if err := dec.Decode(&n); err != nil || len(raw) == 0 || raw[0] == '"' {
			return nil, bad("a JSON number")
		}
		if ct.shape == jsonDecimal {
			return fhirpath.NewNode(n, ct.fhirType), nil
		}
		i, err := n.Int64()
		switch {
		case err != nil:
			return nil, bad("an integer")
		case ct.shape == jsonPositive && i < 1:
			return nil, bad("a positive integer")
		case ct.shape == jsonUnsigned && i < 0:
			return nil, bad("an integer >= 0")
		case i > 1<<31-1 || i < -1<<31:
			return nil, bad("a 32-bit integer")
		}
		return fhirpath.NewNode(n, ct.fhirType), nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return nil, bad("a string")
	}
	if err := checkPrimitive(ct.fhirType, s); err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	return fhirpath.NewNode(s, ct.fhirType), nil
}

// checkPrimitive validates the text of the string-shaped primitives whose
// format FHIRPath relies on.
func checkPrimitive(fhirType, s string) error {
	var re *regexp.Regexp
	switch fhirType {
	case "date":
		re = dateRE
	case "dateTime":
		re = dateTimeRE
	case "instant":
		re = instantRE
	case "time":
		re = timeRE
	case "integer64":
		re = integer64RE
	default:
		if s == "" {
			return fmt.Errorf("empty %s: %w", fhirType, ErrInvalid)
		}
		return nil
	}
	if !re.MatchString(s) {
		return fmt.Errorf("%q is not a valid %s: %w", s, fhirType, ErrInvalid)
	}
	return nil
}

// reservedVar reports whether %name is an environment variable that a
// constant must not shadow.
func reservedVar(name string) bool {
	switch name {
	case "context", "resource", "rootResource", "ucum", "sct", "loinc", "rowIndex":
		return true
	}
	return false
}

func abbreviate(raw []byte) string {
	if len(raw) > 40 {
		return string(raw[:40]) + "..."
	}
	return string(raw)
}

// ErrInvalid is wrapped by every error that rejects a ViewDefinition (as
// opposed to errors met while evaluating it over a resource).
var ErrInvalid = errors.New("invalid ViewDefinition")
