package fhirpath

import (
	"encoding/json"
	"strconv"
)

// Value is one item of a FHIRPath collection: either a FHIR element (a
// *Node over decoded JSON) or a System value produced by a literal or a
// function (String, Integer, Decimal, Boolean, Temporal, Quantity).
type Value interface {
	// TypeName is the FHIR type of an element ("HumanName", "code", "date";
	// "" when evaluation is untyped and the type cannot be inferred) or the
	// qualified System type of a System value ("System.String").
	TypeName() string
	// Raw is the underlying decoded JSON for FHIR elements
	// (map[string]any, string, json.Number, bool; nil for a primitive that
	// only carries extensions) and a plain Go value for System values
	// (string, int64, bool, json.Number for decimals, the literal text for
	// dates and times, *Quantity for quantities).
	Raw() any
}

// Collection is the ordered result of every FHIRPath expression.
type Collection []Value

// String is a System.String value.
type String string

// Integer is a System.Integer value.
type Integer int64

// Boolean is a System.Boolean value.
type Boolean bool

func (String) TypeName() string  { return "System.String" }
func (Integer) TypeName() string { return "System.Integer" }
func (Boolean) TypeName() string { return "System.Boolean" }

func (s String) Raw() any  { return string(s) }
func (i Integer) Raw() any { return int64(i) }
func (b Boolean) Raw() any { return bool(b) }

// typeInfo is the value returned by type(): a SimpleTypeInfo or
// ClassInfo with namespace and name.
type typeInfo struct {
	namespace, name string
}

func (t typeInfo) TypeName() string { return "System.SimpleTypeInfo" }
func (t typeInfo) Raw() any {
	return map[string]any{"namespace": t.namespace, "name": t.name}
}

// primitiveTypes maps FHIR primitive type names to the System type they
// convert to.
func systemTypeOf(fhirType string) string {
	switch fhirType {
	case "boolean":
		return "Boolean"
	case "integer", "positiveInt", "unsignedInt", "integer64":
		return "Integer"
	case "decimal":
		return "Decimal"
	case "string", "code", "id", "uri", "url", "canonical", "oid", "uuid", "markdown", "base64Binary", "xhtml":
		return "String"
	case "date":
		return "Date"
	case "dateTime", "instant":
		return "DateTime"
	case "time":
		return "Time"
	}
	return ""
}

// isPrimitiveType reports whether name is a FHIR primitive type.
func isPrimitiveType(name string) bool { return systemTypeOf(name) != "" }

// system converts an item to the System value it stands for: FHIR
// primitives become String/Integer/..., Quantity-like elements become
// *Quantity; other values are returned unchanged. ok is false for a FHIR
// primitive without a value (only extensions).
func system(v Value) (Value, bool) {
	n, isNode := v.(*Node)
	if !isNode {
		return v, true
	}
	switch d := n.data.(type) {
	case nil:
		return nil, false
	case string:
		switch systemTypeOf(n.typ) {
		case "Date", "DateTime", "Time":
			if t, err := parseTemporal(d, temporalKindOf(n.typ)); err == nil {
				return t, true
			}
		case "Integer":
			if i, err := strconv.ParseInt(d, 10, 64); err == nil {
				return Integer(i), true
			}
		case "Decimal":
			if dec, err := parseDecimal(d); err == nil {
				return dec, true
			}
		}
		return String(d), true
	case bool:
		return Boolean(d), true
	case json.Number:
		st := systemTypeOf(n.typ)
		if st == "Integer" || (st == "" && isIntegerText(string(d))) {
			if i, err := d.Int64(); err == nil {
				return Integer(i), true
			}
		}
		if dec, err := parseDecimal(string(d)); err == nil {
			return dec, true
		}
		return String(string(d)), true
	case float64:
		return decimalFromFloat(d), true
	case map[string]any:
		if q, ok := quantityFromNode(n); ok {
			return q, true
		}
	}
	return v, true
}

func isIntegerText(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isDigit(c) || (i == 0 && (c == '-' || c == '+'))) {
			return false
		}
	}
	return len(s) > 0
}

func temporalKindOf(fhirType string) temporalKind {
	switch fhirType {
	case "date":
		return kindDate
	case "time":
		return kindTime
	}
	return kindDateTime
}

// quantityFromNode converts a FHIR Quantity (or Age, Duration, ...) element
// to a System Quantity; the UCUM code is preferred over the display unit.
func quantityFromNode(n *Node) (*Quantity, bool) {
	m, _ := n.data.(map[string]any)
	if m == nil {
		return nil, false
	}
	switch n.typ {
	case "Quantity", "Age", "Duration", "Distance", "Count", "SimpleQuantity", "MoneyQuantity", "":
	default:
		return nil, false
	}
	num, ok := m["value"].(json.Number)
	if !ok {
		if f, isF := m["value"].(float64); isF {
			num = json.Number(strconv.FormatFloat(f, 'f', -1, 64))
		} else {
			return nil, false
		}
	}
	if n.typ == "" {
		// Untyped: only treat objects that look like quantities as such.
		if _, hasUnit := m["unit"]; !hasUnit {
			if _, hasCode := m["code"]; !hasCode {
				return nil, false
			}
		}
	}
	d, err := parseDecimal(string(num))
	if err != nil {
		return nil, false
	}
	unit, _ := m["code"].(string)
	if unit == "" {
		unit, _ = m["unit"].(string)
	}
	if unit == "" {
		unit = "1"
	}
	return &Quantity{Value: d, Unit: unit}, true
}

// Shared one-item boolean results: evaluation results are never modified
// in place, so they need no allocation.
var (
	collTrue  = Collection{Boolean(true)}
	collFalse = Collection{Boolean(false)}
)

func boolColl(b bool) Collection {
	if b {
		return collTrue[:1:1]
	}
	return collFalse[:1:1]
}
