package terminology

import "strings"

// Canonical URLs of the code systems Sen ships. They are the URLs HL7
// assigns (https://terminology.hl7.org/external_terminologies.html), so
// records coded elsewhere resolve too.
const (
	SystemICD10 = "http://hl7.org/fhir/sid/icd-10"
	SystemATC   = "http://www.whocc.no/atc"
	SystemLOINC = "http://loinc.org"
)

// CanonicalBase prefixes the ValueSets and CodeSystem resource ids Sen
// defines.
const CanonicalBase = "https://sen-emr.github.io/fhir"

// CodeSystem is a code system Sen can look codes up in. It is read-only
// after construction.
type CodeSystem struct {
	URL         string
	ID          string // resource id under /fhir/CodeSystem/
	Name        string
	Title       string
	Version     string
	Publisher   string
	Description string
	Copyright   string
	// Language is the language of Concept.Display.
	Language string
	// Hierarchical code systems answer is-a (:below, :above, $subsumes)
	// along Concept.Parent.
	Hierarchical bool
	// Complete is false for the subsets Sen ships (CodeSystem.content
	// "fragment"): a code missing here may still exist.
	Complete bool
	// AllCodes is the canonical URL of the value set of all its codes.
	AllCodes string
	// PropertyDefs lists the concept properties the system uses beyond
	// parent and child, with their FHIR types.
	PropertyDefs []PropertyDef

	concepts map[string]*Concept
	order    []*Concept // source order
	roots    []*Concept
	// normalize maps a code as written in records to the form stored
	// here (ICD-10: "e119" → "E11.9"); nil means codes are exact.
	normalize func(string) string
}

// PropertyDef declares a concept property (CodeSystem.property).
type PropertyDef struct {
	Code, Type, Description string
}

// Concept returns the concept with the code, or nil. ICD-10 codes are
// also found without their dot and in lower case ("e119"), as the
// Ministry of Health tables list both forms.
func (cs *CodeSystem) Concept(code string) *Concept {
	if c := cs.concepts[code]; c != nil {
		return c
	}
	if cs.normalize != nil {
		return cs.concepts[cs.normalize(code)]
	}
	return nil
}

// Concepts returns every concept in source order (parents before their
// children). The slice is shared: do not modify it.
func (cs *CodeSystem) Concepts() []*Concept { return cs.order }

// Roots returns the top-level concepts in source order.
func (cs *CodeSystem) Roots() []*Concept { return cs.roots }

// Len is the number of concepts.
func (cs *CodeSystem) Len() int { return len(cs.order) }

func newCodeSystem() *CodeSystem {
	return &CodeSystem{concepts: make(map[string]*Concept)}
}

// add appends c under parent (nil for a root).
func (cs *CodeSystem) add(c *Concept, parent *Concept) {
	c.Parent = parent
	if parent != nil {
		parent.Children = append(parent.Children, c)
	} else {
		cs.roots = append(cs.roots, c)
	}
	cs.concepts[c.Code] = c
	cs.order = append(cs.order, c)
	c.foldKeys() // now, while the concept is private to its builder

}

// normalizeICD10 upper-cases an ICD-10 code and restores the dot after the
// category ("e119" → "E11.9").
func normalizeICD10(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	if len(code) > 3 && !strings.Contains(code, ".") && !strings.Contains(code, "-") {
		code = code[:3] + "." + code[3:]
	}
	return code
}
