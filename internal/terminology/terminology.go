package terminology

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
)

// Errors the service wraps (inside a *fhir.Error that carries the HTTP
// meaning), so callers can test them with errors.Is.
var (
	ErrUnknownCodeSystem = errors.New("terminology: unknown code system")
	ErrUnknownValueSet   = errors.New("terminology: unknown value set")
	ErrUnknownCode       = errors.New("terminology: unknown code")
)

// Terminology holds the code systems and value sets and answers questions
// about them. Build one with New (or share Default); it is immutable and
// safe for concurrent use.
type Terminology struct {
	systems   map[string]*CodeSystem
	sysOrder  []*CodeSystem
	valueSets map[string]*ValueSet
	vsOrder   []*ValueSet
	model     *r4.Model
	now       func() time.Time
}

// Options configure New. The zero value is usable.
type Options struct {
	// Model supplies the R4 core value sets (and through them the codes of
	// the R4 core code systems); nil leaves them out.
	Model *r4.Model
	// Now stamps expansions; nil means time.Now.
	Now func() time.Time
}

// New builds a Terminology from the embedded tables. An error means an
// embedded table is malformed, a build defect this package's tests catch.
func New(opts Options) (*Terminology, error) {
	t := &Terminology{systems: map[string]*CodeSystem{}, valueSets: map[string]*ValueSet{}, model: opts.Model, now: opts.Now}
	if t.now == nil {
		t.now = time.Now
	}
	for _, load := range []func() (*CodeSystem, error){loadICD10, loadATC, loadLOINC} {
		cs, err := load()
		if err != nil {
			return nil, fmt.Errorf("terminology: %w", err)
		}
		t.systems[cs.URL] = cs
		t.sysOrder = append(t.sysOrder, cs)
	}
	for _, vs := range senValueSets() {
		for _, inc := range vs.Include {
			for _, f := range inc.Filters {
				if f.Property == "concept" && t.systems[inc.System].Concept(f.Value) == nil {
					return nil, fmt.Errorf("terminology: value set %s filters on unknown code %s", vs.ID, f.Value)
				}
			}
		}
		t.valueSets[vs.URL] = vs
		t.vsOrder = append(t.vsOrder, vs)
	}
	return t, nil
}

var defaultOnce = sync.OnceValues(func() (*Terminology, error) { return New(Options{Model: r4.Load()}) })

// Default returns the Terminology over the embedded tables and the R4 core
// value sets, built once on first use and shared (it is immutable). It
// panics only if an embedded table is malformed, a build defect.
func Default() *Terminology {
	t, err := defaultOnce()
	if err != nil {
		panic(err.Error())
	}
	return t
}

// CodeSystems returns the code systems Sen ships, in a fixed order.
func (t *Terminology) CodeSystems() []*CodeSystem { return t.sysOrder }

// ValueSets returns the value sets Sen defines (not the R4 core ones), in
// a fixed order.
func (t *Terminology) ValueSets() []*ValueSet { return t.vsOrder }

// CodeSystem returns the code system with the canonical url (a "|version"
// suffix is ignored), or nil. Besides Sen's own tables it answers for R4
// core code systems whose codes an R4 value set of the same name
// enumerates (http://hl7.org/fhir/administrative-gender,
// http://terminology.hl7.org/CodeSystem/condition-clinical, ...), built on
// each call: they are flat and carry English displays only.
func (t *Terminology) CodeSystem(url string) *CodeSystem {
	url, _, _ = strings.Cut(url, "|")
	if cs := t.systems[url]; cs != nil {
		return cs
	}
	return t.coreCodeSystem(url)
}

// coreCodeSystem derives an R4 core code system from the R4 value set that
// shares its last path segment.
func (t *Terminology) coreCodeSystem(url string) *CodeSystem {
	if t.model == nil || url == "" {
		return nil
	}
	name := url[strings.LastIndexByte(url, '/')+1:]
	if !strings.HasPrefix(url, "http://hl7.org/fhir/") && !strings.HasPrefix(url, "http://terminology.hl7.org/CodeSystem/") {
		return nil
	}
	vs := t.model.ValueSet("http://hl7.org/fhir/ValueSet/" + name)
	if vs == nil {
		return nil
	}
	cs := newCodeSystem()
	cs.URL, cs.Name, cs.Title, cs.Language = url, name, name, "en"
	cs.Publisher, cs.Version = "HL7 International", "4.0.1"
	cs.Copyright = "HL7 FHIR R4 content, CC0 (https://hl7.org/fhir/R4/license.html)."
	for _, c := range vs.Codes {
		if c.System == url && cs.concepts[c.Code] == nil {
			cs.add(&Concept{Code: c.Code, Display: c.Display}, nil)
		}
	}
	if cs.Len() == 0 {
		return nil
	}
	return cs
}

// ValueSet returns the value set with the canonical url (a "|version"
// suffix is ignored), or nil: Sen's value sets, implicit code-system value
// sets ("<system>?fhir_vs", "<system>?fhir_vs=isa/<code>") and the
// enumerable R4 core value sets.
func (t *Terminology) ValueSet(url string) *ValueSet {
	url, _, _ = strings.Cut(url, "|")
	if vs := t.valueSets[url]; vs != nil {
		return vs
	}
	if vs := implicitValueSet(url, t.CodeSystem); vs != nil {
		return vs
	}
	if t.model == nil {
		return nil
	}
	rv := t.model.ValueSet(url)
	if rv == nil {
		return nil
	}
	vs := &ValueSet{URL: url, Name: url[strings.LastIndexByte(url, '/')+1:], Version: "4.0.1"}
	vs.Title = vs.Name
	for _, c := range rv.Codes {
		i := len(vs.Include) - 1
		if i < 0 || vs.Include[i].System != c.System {
			vs.Include = append(vs.Include, Include{System: c.System})
			i++
		}
		vs.Include[i].Codes = append(vs.Include[i].Codes, IncludedCode{Code: c.Code, Display: c.Display})
	}
	return vs
}

// Lookup returns the concept for system and code and its code system.
// Errors: *fhir.Error of KindNotFound wrapping ErrUnknownCodeSystem or
// ErrUnknownCode; KindInvalid when either is empty.
func (t *Terminology) Lookup(system, code string) (*Concept, *CodeSystem, error) {
	if system == "" || code == "" {
		return nil, nil, fhir.Errorf(fhir.KindInvalid, "both system and code are required / cần có cả system và code")
	}
	cs := t.CodeSystem(system)
	if cs == nil {
		return nil, nil, &fhir.Error{Kind: fhir.KindNotFound, Err: ErrUnknownCodeSystem,
			Msg: fmt.Sprintf("unknown code system %s / không có hệ mã %s", system, system)}
	}
	c := cs.Concept(code)
	if c == nil {
		return nil, cs, &fhir.Error{Kind: fhir.KindNotFound, Err: ErrUnknownCode,
			Msg: fmt.Sprintf("code %s is not in %s / mã %s không có trong %s", code, system, code, system)}
	}
	return c, cs, nil
}

// MemberOf reports whether system|code is in the value set. An empty
// system matches a code of any system in the value set (FHIRPath applies
// memberOf() to bare codes). Errors: ErrUnknownValueSet (KindNotFound).
// A code unknown to its code system is simply not a member.
func (t *Terminology) MemberOf(system, code, valueSetURL string) (bool, error) {
	vs := t.ValueSet(valueSetURL)
	if vs == nil {
		return false, unknownValueSet(valueSetURL)
	}
	_, ok := t.member(vs, system, code)
	return ok, nil
}

func unknownValueSet(url string) error {
	return &fhir.Error{Kind: fhir.KindNotFound, Err: ErrUnknownValueSet,
		Msg: fmt.Sprintf("unknown value set %s / không có tập giá trị %s", url, url)}
}

// member finds system|code in vs. It returns the matching entry (display
// from the code system when it holds the code) and whether it is a member.
func (t *Terminology) member(vs *ValueSet, system, code string) (Entry, bool) {
	for i := range vs.Include {
		inc := &vs.Include[i]
		if system != "" && inc.System != system {
			continue
		}
		cs := t.CodeSystem(inc.System)
		var c *Concept
		if cs != nil {
			c = cs.Concept(code)
		}
		if len(inc.Codes) > 0 {
			for _, ic := range inc.Codes {
				if ic.Code == code || (c != nil && ic.Code == c.Code) {
					e := Entry{System: inc.System, Code: ic.Code, Display: ic.Display}
					if c != nil {
						e.Display, e.Designations = c.Display, c.Designations
					}
					return e, true
				}
			}
			continue
		}
		if c != nil && inc.matches(cs, c) {
			return Entry{System: inc.System, Code: c.Code, Display: c.Display, Designations: c.Designations}, true
		}
	}
	return Entry{}, false
}

// Subsumption is the outcome of Subsumes, as FHIR's $subsumes names it.
type Subsumption string

const (
	Equivalent  Subsumption = "equivalent"
	Subsumes    Subsumption = "subsumes"     // a is an ancestor of b
	SubsumedBy  Subsumption = "subsumed-by"  // a is a descendant of b
	NotSubsumed Subsumption = "not-subsumed" // neither
)

// Subsumes relates codes a and b of a hierarchical code system. Flat code
// systems answer equivalent or not-subsumed. Errors as Lookup.
func (t *Terminology) Subsumes(system, a, b string) (Subsumption, error) {
	ca, _, err := t.Lookup(system, a)
	if err != nil {
		return "", err
	}
	cb, _, err := t.Lookup(system, b)
	if err != nil {
		return "", err
	}
	switch {
	case ca == cb:
		return Equivalent, nil
	case cb.isA(ca):
		return Subsumes, nil
	case ca.isA(cb):
		return SubsumedBy, nil
	}
	return NotSubsumed, nil
}

// Descendants returns code and the codes below it (search :below), code
// first, in code-system order. Errors as Lookup.
func (t *Terminology) Descendants(system, code string) ([]string, error) {
	c, _, err := t.Lookup(system, code)
	if err != nil {
		return nil, err
	}
	var out []string
	c.walk(func(x *Concept) { out = append(out, x.Code) })
	return out, nil
}

// Ancestors returns code and the codes above it up to the root (search
// :above), code first. Errors as Lookup.
func (t *Terminology) Ancestors(system, code string) ([]string, error) {
	c, _, err := t.Lookup(system, code)
	if err != nil {
		return nil, err
	}
	var out []string
	for x := c; x != nil; x = x.Parent {
		out = append(out, x.Code)
	}
	return out, nil
}
