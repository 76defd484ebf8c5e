package search

import (
	"errors"
	"fmt"
	"strings"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/ucum"
)

// modifiers allowed per parameter type (search.html#modifiers); resource
// type modifiers on references are checked separately.
var modifiers = map[Type]map[string]bool{
	TypeString:    {"exact": true, "contains": true, "text": true},
	TypeToken:     {"text": true, "not": true, "above": true, "below": true, "in": true, "not-in": true, "of-type": true},
	TypeReference: {"identifier": true, "above": true, "below": true},
	TypeURI:       {"above": true, "below": true},
	TypeDate:      {},
	TypeNumber:    {},
	TypeQuantity:  {},
	TypeComposite: {},
	TypeSpecial:   {},
}

func checkModifier(m *r4.Model, sp *r4.SearchParam, mod string) error {
	if mod == "" || mod == "missing" {
		return nil
	}
	t := Type(sp.Type)
	if modifiers[t][mod] {
		return nil
	}
	if t == TypeReference && m.IsResource(mod) {
		if len(sp.Targets) > 0 && !contains(sp.Targets, mod) {
			return fmt.Errorf("%s cannot refer to %s", sp.Code, mod)
		}
		return nil
	}
	return fmt.Errorf("modifier :%s is not supported on %s parameters", mod, t)
}

// prefixes of ordered values (search.html#prefix).
var prefixes = map[string]bool{"eq": true, "ne": true, "gt": true, "lt": true, "ge": true, "le": true, "sa": true, "eb": true, "ap": true}

// splitPrefix separates a comparison prefix from an ordered value.
func splitPrefix(s string) (prefix, rest string) {
	if len(s) > 2 && prefixes[s[:2]] && (s[2] >= '0' && s[2] <= '9' || s[2] == '-' || s[2] == '.' || s[2] == '+') {
		return s[:2], s[2:]
	}
	return "eq", s
}

// parseValue parses one OR-ed value (still escaped) of parameter sp.
func parseValue(m *r4.Model, sp *r4.SearchParam, mod, raw string) (Value, error) {
	t := Type(sp.Type)
	if t == TypeComposite {
		return compositeValue(m, sp, raw)
	}
	return typedValue(t, sp, mod, raw)
}

func typedValue(t Type, sp *r4.SearchParam, mod, raw string) (Value, error) {
	v := Value{Raw: unescape(raw)}
	if v.Raw == "" {
		return v, errors.New("empty value")
	}
	switch t {
	case TypeString:
		v.Norm = Normalize(v.Raw)
	case TypeURI:
		v.Norm = Normalize(v.Raw)
	case TypeToken:
		return tokenValue(v, mod, raw)
	case TypeReference:
		return referenceValue(v, sp, mod, raw)
	case TypeDate:
		v.Prefix, v.Raw = splitPrefix(v.Raw)
		lo, hi, err := ParseDateRange(v.Raw)
		if err != nil {
			return v, err
		}
		v.Low, v.High = lo, hi
	case TypeNumber:
		v.Prefix, v.Raw = splitPrefix(v.Raw)
		n, lo, hi, err := NumberRange(v.Raw)
		if err != nil {
			return v, err
		}
		v.Number, v.NumLow, v.NumHigh = n, lo, hi
	case TypeQuantity:
		return quantityValue(v, raw)
	case TypeSpecial:
		// near and friends: kept raw for the backend that supports them.
	}
	return v, nil
}

func tokenValue(v Value, mod, raw string) (Value, error) {
	switch mod {
	case "text":
		v.Norm = Normalize(v.Raw)
		return v, nil
	case "in", "not-in":
		v.RefURL = v.Raw // a ValueSet canonical
		return v, nil
	case "of-type":
		parts := splitEscaped(raw, '|')
		if len(parts) != 3 || parts[1] == "" || parts[2] == "" {
			return v, fmt.Errorf("%q: :of-type needs type-system|type-code|value", v.Raw)
		}
		v.TypeSystem, v.TypeCode, v.Code = parts[0], parts[1], parts[2]
		return v, nil
	}
	parts := splitEscaped(raw, '|')
	switch len(parts) {
	case 1:
		v.Code = parts[0]
	case 2:
		v.System, v.Code, v.HasSystem = parts[0], parts[1], true
		if v.System == "" && v.Code == "" {
			return v, fmt.Errorf("%q: empty system and code", v.Raw)
		}
	default:
		return v, fmt.Errorf("%q: a token is [system|]code; escape '|' in codes as \\|", v.Raw)
	}
	return v, nil
}

func referenceValue(v Value, sp *r4.SearchParam, mod, raw string) (Value, error) {
	if mod == "identifier" {
		parts := splitEscaped(raw, '|')
		switch len(parts) {
		case 1:
			v.Code = parts[0]
		case 2:
			v.System, v.Code, v.HasSystem = parts[0], parts[1], true
		default:
			return v, fmt.Errorf("%q: :identifier takes [system|]value", v.Raw)
		}
		return v, nil
	}
	s := v.Raw
	if strings.Contains(s, "://") || strings.HasPrefix(s, "urn:") {
		url, _, _ := strings.Cut(s, "|") // canonical|version
		v.RefURL = url
		if t, id, _, _ := parseReference(url); t != "" {
			v.RefType, v.RefID = t, id
		}
		return v, nil
	}
	if strings.Contains(s, "/") {
		t, id, _, _ := parseReference(s)
		if t == "" {
			return v, fmt.Errorf("%q is not a reference (Type/id, id or URL)", s)
		}
		if mod != "" && mod != "above" && mod != "below" && t != mod {
			return v, fmt.Errorf("%q does not match the type modifier :%s", s, mod)
		}
		v.RefType, v.RefID = t, id
		return v, nil
	}
	if !isID(s) {
		return v, fmt.Errorf("%q is not a valid id", s)
	}
	v.RefID = s
	switch {
	case mod != "" && mod != "above" && mod != "below":
		v.RefType = mod
	case len(sp.Targets) == 1:
		v.RefType = sp.Targets[0]
	}
	return v, nil
}

// quantityValue parses [prefix]number[|system|code] (search.html#quantity).
func quantityValue(v Value, raw string) (Value, error) {
	parts := splitEscaped(raw, '|')
	num := parts[0]
	switch len(parts) {
	case 1:
	case 3:
		v.UnitSystem, v.UnitCode = parts[1], parts[2]
	default:
		return v, fmt.Errorf("%q: a quantity is [prefix]number[|system|code]", v.Raw)
	}
	v.Prefix, num = splitPrefix(num)
	n, lo, hi, err := NumberRange(num)
	if err != nil {
		return v, err
	}
	v.Number, v.NumLow, v.NumHigh = n, lo, hi
	if v.UnitCode != "" && (v.UnitSystem == UCUMSystem || v.UnitSystem == "") {
		if c, cu, err := ucum.Canonical(n, v.UnitCode); err == nil {
			cl, _, _ := ucum.Canonical(lo, v.UnitCode)
			ch, _, _ := ucum.Canonical(hi, v.UnitCode)
			v.Canonical, v.CanonicalLow, v.CanonicalHigh, v.CanonicalCode, v.HasCanonical = c, cl, ch, cu, true
		}
	}
	return v, nil
}

// compositeValue parses a$b (search.html#combining): one part per component.
func compositeValue(m *r4.Model, sp *r4.SearchParam, raw string) (Value, error) {
	parts := splitRaw(raw, '$')
	if len(parts) != len(sp.Components) {
		return Value{}, fmt.Errorf("%q: %s needs %d values separated by $", unescape(raw), sp.Code, len(sp.Components))
	}
	v := Value{Raw: unescape(raw)}
	for i, comp := range sp.Components {
		csp := &r4.SearchParam{Code: comp.Code, Type: comp.Type}
		if def := componentParam(m, sp, comp); def != nil {
			csp = def
		}
		pv, err := typedValue(Type(comp.Type), csp, "", parts[i])
		if err != nil {
			return Value{}, fmt.Errorf("component %s: %w", comp.Code, err)
		}
		v.Parts = append(v.Parts, pv)
	}
	return v, nil
}

// componentParam finds the definition a composite component refers to.
func componentParam(m *r4.Model, sp *r4.SearchParam, comp r4.Component) *r4.SearchParam {
	for _, b := range sp.Base {
		if def := m.SearchParam(b, comp.Code); def != nil && def.URL == comp.Definition {
			return def
		}
	}
	return nil
}
