package r4

// Kind tells what sort of FHIR type a TypeDef describes.
type Kind uint8

// The kinds of FHIR type, as in StructureDefinition.kind (logical models are
// not part of the model).
const (
	KindPrimitive Kind = iota // primitive-type: string, date, boolean ...
	KindComplex               // complex-type: HumanName, Quantity, Element, BackboneElement ...
	KindResource              // resource: Patient, Observation, Resource, DomainResource ...
)

// String returns the StructureDefinition.kind code of k.
func (k Kind) String() string {
	switch k {
	case KindPrimitive:
		return "primitive-type"
	case KindComplex:
		return "complex-type"
	case KindResource:
		return "resource"
	}
	return "unknown"
}

// TypeDef is one R4 StructureDefinition reduced to what Sen needs.
type TypeDef struct {
	Name     string `json:"name"`
	Kind     Kind   `json:"kind"`
	Abstract bool   `json:"abstract,omitempty"`
	// Base is the name of the type this one specialises or constrains
	// ("DomainResource", "Element", "Quantity"); empty for Element and Resource.
	Base string `json:"base,omitempty"`
	// Elements are the snapshot elements in spec order, without the root
	// element. For primitives the "value" element carries the System type.
	Elements []*ElementDef `json:"elements,omitempty"`
	// Regex is the value regex of a primitive type (extension
	// http://hl7.org/fhir/StructureDefinition/regex on its value element).
	Regex string `json:"regex,omitempty"`
	// Constraints are the invariants on the root element (dom-2..dom-6 on
	// resources, ele-1 on types).
	Constraints []Constraint `json:"constraints,omitempty"`
}

// ElementDef is one snapshot element.
type ElementDef struct {
	Path string `json:"path"` // "Observation.value[x]"
	Name string `json:"name"` // last path segment without [x]: "value"
	// Types are the type codes; FHIRPath system types
	// (http://hl7.org/fhirpath/System.String) are normalised to "System.String".
	Types []string `json:"types,omitempty"`
	// FHIRType is the FHIR type of the JSON value when Types holds a System
	// type, from the structuredefinition-fhir-type extension (e.g. "string" for
	// Element.id, "uri" for Extension.url), except that a resource's own id
	// is "id" as the specification says (the 4.0.1 snapshots say "string").
	// Empty otherwise and on the value elements of primitive types.
	FHIRType string `json:"fhirType,omitempty"`
	// TargetProfiles are the type names allowed by Reference/canonical
	// targetProfile ("Patient", "Group"); empty means any.
	TargetProfiles []string `json:"targetProfiles,omitempty"`
	Choice         bool     `json:"choice,omitempty"`
	// ContentRef is the path (without '#') whose definition this element
	// reuses, e.g. "Questionnaire.item" for Questionnaire.item.item.
	ContentRef  string       `json:"contentRef,omitempty"`
	Min         int          `json:"min"`
	Max         int          `json:"max"` // -1 for "*"
	Summary     bool         `json:"summary,omitempty"`
	Modifier    bool         `json:"modifier,omitempty"`
	Binding     *Binding     `json:"binding,omitempty"`
	Constraints []Constraint `json:"constraints,omitempty"`
}

// Binding is a terminology binding of a coded element.
type Binding struct {
	Strength string `json:"strength"`           // required|extensible|preferred|example
	ValueSet string `json:"valueSet,omitempty"` // canonical URL without |version
}

// Constraint is an invariant with its FHIRPath expression.
type Constraint struct {
	Key        string `json:"key"`
	Severity   string `json:"severity"`
	Human      string `json:"human"`
	Expression string `json:"expression,omitempty"`
}

// SearchParam is one SearchParameter definition of the R4 specification.
type SearchParam struct {
	URL  string   `json:"url"`
	Code string   `json:"code"`
	Base []string `json:"base"`
	// Type is number|date|string|token|reference|composite|quantity|uri|special.
	Type string `json:"type"`
	// Expression is the FHIRPath expression; it may cover several bases
	// joined with |, as in the spec.
	Expression  string      `json:"expression,omitempty"`
	Targets     []string    `json:"targets,omitempty"`
	Modifiers   []string    `json:"modifiers,omitempty"`
	Comparators []string    `json:"comparators,omitempty"`
	Components  []Component `json:"components,omitempty"`
	MultipleOr  *bool       `json:"multipleOr,omitempty"`
	MultipleAnd *bool       `json:"multipleAnd,omitempty"`
}

// Component is one part of a composite search parameter. Code and Type are
// taken from the SearchParameter that Definition names.
type Component struct {
	Definition string `json:"definition"`
	Expression string `json:"expression"`
	Code       string `json:"code,omitempty"`
	Type       string `json:"type,omitempty"`
}

// ValueSet is the enumerated content of a value set.
type ValueSet struct {
	URL   string   `json:"url"`
	Codes []Coding `json:"codes"`
}

// Coding is one code of a value set.
type Coding struct {
	System  string `json:"system"`
	Code    string `json:"code"`
	Display string `json:"display,omitempty"`
}
