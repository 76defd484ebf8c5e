package search

import "time"

// Query is a parsed FHIR search request (search.html). Clauses are ANDed;
// the values inside one clause are ORed.
type Query struct {
	Type        string       // resource type; "" for a system-level search
	Types       []string     // _type on a system-level search
	Compartment *Compartment // compartment search: /Patient/123/Observation
	Clauses     []Clause
	Sort        []SortKey
	Count       int    // _count; 0 means the server default
	Cursor      string // opaque paging cursor from a previous page
	Offset      int    // page offset when no cursor is used
	Total       string // none | estimate | accurate ("" = server default)
	Include     []Include
	RevInclude  []Include
	Summary     string   // true | count | data | text | false
	Elements    []string // _elements
	Contained   string   // _contained: false | true | both
	// ContainedType is _containedType: container (the default) or contained.
	ContainedType string
	// Warnings are the problems the lenient parser ignored (unknown parameters);
	// returned to the client in an OperationOutcome entry.
	Warnings []string
}

// Compartment restricts a search to one compartment.
type Compartment struct{ Type, ID string }

// Clause is one parameter occurrence, e.g. code:not=a,b.
type Clause struct {
	Param    string // parameter code (or a special: _id, _lastUpdated, _has, _list, _text, _content)
	Type     Type
	Modifier string // "", exact, contains, text, not, missing, above, below, in, not-in, of-type, identifier, or a resource type
	// Chain is set for chained parameters (subject:Patient.name=x): the
	// reference clause is Param/Modifier, and Chain is the clause applied to
	// the target type. Has is set for _has reverse chains.
	Chain      *Chained
	Has        *Has
	Values     []Value
	Components []Clause // composite parameters: the component definitions, values in Values[i].Parts
	// Filter is the parsed expression of a _filter clause (Param "_filter").
	Filter *Filter
}

// Modifiers the _filter parser sets for comparisons the URL syntax has no
// modifier for. They start with '=' so no URL key can produce them (the
// URL parser rejects unknown modifiers).
const (
	ModEquals = "=eq" // string: the whole folded value equals the folded search value
	ModEnds   = "=ew" // string: the folded value ends with the folded search value
)

// PrefixOverlaps is the date prefix of the _filter operator po: the stored
// range and the searched range overlap. Only _filter sets it.
const PrefixOverlaps = "po"

// Filter is one node of a _filter expression (search_filter.html): a
// comparison (Op "") mapped onto a Clause of the searched type, or a
// logical node over its Children ("and", "or": two or more; "not": one).
type Filter struct {
	Op       string
	Children []*Filter
	Clause   *Clause
}

// Chained is the tail of a chained search.
type Chained struct {
	TargetType string // the type the reference points to
	// Targets, when TargetType is "", are the types the reference may point
	// to that define the chained parameter (with the same type): any of them.
	Targets []string
	Clause  Clause
}

// Has is a reverse chain: _has:Observation:patient:code=1234.
type Has struct {
	Type   string // the referring type (Observation)
	Ref    string // its reference parameter (patient)
	Clause Clause // the condition on the referring resource
}

// Value is one OR-ed value of a clause, already parsed for its type.
type Value struct {
	Raw    string // as given (unescaped)
	Prefix string // eq ne gt lt ge le sa eb ap for ordered types; "" otherwise

	// token: System/Code with HasSystem distinguishing "|code" (no system) from "code" (any system).
	System, Code string
	HasSystem    bool
	// token :of-type (type-system|type-code|value): the identifier type in
	// TypeSystem/TypeCode and the identifier value in Code.
	TypeSystem, TypeCode string

	// reference: Type/ID or URL.
	RefType, RefID, RefURL string

	// date: the range the value denotes.
	Low, High time.Time

	// number/quantity: Number and the implicit precision range; quantity unit.
	Number, NumLow, NumHigh float64
	UnitSystem, UnitCode    string
	// quantity with a UCUM unit: the value and its range in canonical units,
	// to compare with Entry.Canonical when the CanonicalCodes are equal.
	Canonical, CanonicalLow, CanonicalHigh float64
	CanonicalCode                          string
	HasCanonical                           bool

	// string/uri: Norm is Normalize(Raw).
	Norm string

	// missing: the boolean of :missing.
	Missing bool

	// composite: one parsed value per component.
	Parts []Value

	// _text and _content: the folded words that must all occur (each as
	// the start of a word, in this order when Phrase is set).
	Terms  []string
	Phrase bool
}

// SortKey is one _sort key.
type SortKey struct {
	Param      string
	Type       Type
	Descending bool
}

// Include is one _include / _revinclude directive: Source:param[:Target], with :iterate.
type Include struct {
	Source  string // resource type holding the reference ("*" for all)
	Param   string // reference parameter ("*" for all)
	Target  string // optional target type
	Iterate bool
}
