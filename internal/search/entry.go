package search

import "time"

// Type is a search parameter type (R4 search.html#ptypes).
type Type string

const (
	TypeNumber    Type = "number"
	TypeDate      Type = "date"
	TypeString    Type = "string"
	TypeToken     Type = "token"
	TypeReference Type = "reference"
	TypeComposite Type = "composite"
	TypeQuantity  Type = "quantity"
	TypeURI       Type = "uri"
	TypeSpecial   Type = "special"
)

// Entry is one index value of one search parameter of one resource. Only the
// fields of its Type are set. The store writes entries in the same database
// transaction as the resource version they were extracted from.
type Entry struct {
	Param string // search parameter code, e.g. "code", "subject", "birthdate"
	Type  Type

	// token: System|Code; Text holds display / CodeableConcept.text / Identifier type text for :text.
	// Identifier entries of :of-type carry the type's system and code in TypeSystem/TypeCode.
	System, Code, Text   string
	TypeSystem, TypeCode string

	// string and uri: Value is the exact form; Norm is Normalize(Value) (case- and diacritic-folded).
	Value, Norm string

	// reference: RefType/RefID for relative and resolvable references; RefURL for
	// absolute URLs, canonicals and urn:uuid (left for the transaction layer to rewrite);
	// RefVersion for versioned references (Type/id/_history/n).
	RefType, RefID, RefURL, RefVersion string

	// date: the instant range [Low, High] the value covers (both inclusive, UTC),
	// honouring partial precision (2024 -> 2024-01-01T00:00:00 .. 2024-12-31T23:59:59.999)
	// and Period/Timing semantics.
	Low, High time.Time

	// number and quantity: Number is the value; NumLow/NumHigh the implicit range
	// from its precision (100 -> [99.5, 100.5)). Quantity unit in System (unit
	// system) and Code (unit code) and Value (unit text); Canonical/CanonicalCode
	// hold the UCUM-canonical value and unit when known (5400 ug -> 0.0054 g).
	Number, NumLow, NumHigh float64
	Canonical               float64
	CanonicalCode           string
	HasCanonical            bool

	// composite: one entry per component, in definition order.
	Components []Entry
}

// Indexed is what a write stores beside the resource JSON.
type Indexed struct {
	Entries []Entry
	// Patients are the ids of the Patient compartments the resource belongs to
	// (the compartment key a sharded database distributes by). A Patient is in
	// its own compartment.
	Patients []string
}
