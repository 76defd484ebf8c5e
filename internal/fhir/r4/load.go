package r4

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
)

// The generated files; see gen/main.go.
var (
	//go:embed r4.gen.json.gz
	embedded []byte
	//go:embed r4.valuesets.gen.json.gz
	embeddedValueSets []byte
)

// loadOnce decodes the embedded model the first time it is asked for. The
// result is never written to afterwards, so sharing it is safe.
var loadOnce = sync.OnceValues(func() (*Model, error) {
	return Decode(bytes.NewReader(embedded), bytes.NewReader(embeddedValueSets))
})

// Load returns the R4 model decoded from the embedded generated data. The
// first call decodes it (a few tens of milliseconds); later calls return the
// same immutable *Model. Safe for concurrent use.
//
// Load panics only if the embedded file is corrupt, which is a build defect
// caught by this package's tests; use Decode to handle such errors.
func Load() *Model {
	m, err := loadOnce()
	if err != nil {
		panic("r4: embedded model: " + err.Error())
	}
	return m
}

// Model is the read-only R4 model: types, elements, search parameters,
// compartments and value sets. All methods are safe for concurrent use; the
// returned pointers and slices are shared and must not be modified.
type Model struct {
	version       string
	types         map[string]*TypeDef
	resourceTypes []string
	elements      map[string]*ElementDef
	children      map[string]map[string]childRef
	childList     map[string][]*ElementDef // parent -> its elements in snapshot order
	params        []*SearchParam
	paramsByType  map[string][]*SearchParam // sorted by code
	compartments  map[string]map[string][]string

	// Value sets are a third of the data and most callers never ask for one,
	// so they are decoded once, on first use.
	valueSetsSrc  io.Reader
	valueSetsOnce sync.Once
	valueSets     map[string]*ValueSet
	valueSetsErr  error
}

// childRef is what Child answers for one JSON property name.
type childRef struct {
	el       *ElementDef
	typeName string
}

// Decode reads a model in the format Encode writes (the format of the
// embedded r4.gen.json.gz and r4.valuesets.gen.json.gz) and builds its
// indexes. valueSets is read on the first call of ValueSet, so it must stay
// readable until then; it may be nil for a model without value sets.
func Decode(model, valueSets io.Reader) (*Model, error) {
	f, types, err := readWire(model)
	if err != nil {
		return nil, fmt.Errorf("decode r4 model: %w", err)
	}
	if len(types) == 0 {
		return nil, fmt.Errorf("decode r4 model: no types")
	}
	m := &Model{
		version:      f.FHIRVersion,
		types:        make(map[string]*TypeDef, len(types)),
		elements:     make(map[string]*ElementDef, 8192),
		children:     make(map[string]map[string]childRef, 2048),
		childList:    make(map[string][]*ElementDef, 2048),
		params:       f.SearchParams,
		paramsByType: make(map[string][]*SearchParam),
		compartments: f.Compartments,
		valueSetsSrc: valueSets,
	}
	for _, p := range m.params {
		if p == nil {
			return nil, fmt.Errorf("decode r4 model: null search parameter")
		}
	}
	for _, td := range types {
		if m.types[td.Name] != nil {
			return nil, fmt.Errorf("decode r4 model: duplicate type %s", td.Name)
		}
		m.types[td.Name] = td
		if td.Kind == KindResource && !td.Abstract {
			m.resourceTypes = append(m.resourceTypes, td.Name)
		}
	}
	sort.Strings(m.resourceTypes)
	for _, td := range types {
		m.indexType(td)
	}
	m.indexSearchParams()
	return m, nil
}

// indexType records the elements of td by path and the JSON property names of
// td and of each of its inline (backbone) elements.
func (m *Model) indexType(td *TypeDef) {
	if len(td.Elements) == 0 {
		return
	}
	// Constraint profiles (SimpleQuantity, MoneyQuantity) reuse the paths of
	// the type they constrain: they are reachable by type name only.
	root, _, _ := strings.Cut(td.Elements[0].Path, ".")
	profile := root != td.Name
	hasChildren := make(map[string]bool)
	for _, e := range td.Elements {
		if !profile {
			m.elements[e.Path] = e
		}
		if i := strings.LastIndexByte(e.Path, '.'); i > 0 {
			hasChildren[e.Path[:i]] = true
		}
	}
	for _, e := range td.Elements {
		i := strings.LastIndexByte(e.Path, '.')
		if i < 0 {
			continue
		}
		parent := e.Path[:i]
		if parent == root {
			parent = td.Name
		} else if profile {
			continue
		}
		m.childList[parent] = append(m.childList[parent], e)
		kids := m.children[parent]
		if kids == nil {
			kids = make(map[string]childRef)
			m.children[parent] = kids
		}
		switch {
		case e.ContentRef != "":
			kids[e.Name] = childRef{e, e.ContentRef}
		case e.Choice:
			for _, t := range e.Types {
				kids[e.Name+upperFirst(t)] = childRef{e, t}
			}
		case len(e.Types) == 0:
			// Nothing to resolve to; the spec has no such element.
		case hasChildren[e.Path] && !profile && (e.Types[0] == "BackboneElement" || e.Types[0] == "Element"):
			kids[e.Name] = childRef{e, e.Path}
		case e.FHIRType != "":
			kids[e.Name] = childRef{e, e.FHIRType}
		default:
			kids[e.Name] = childRef{e, e.Types[0]}
		}
	}
}

// indexSearchParams lists for every resource type the parameters defined on
// it or on the abstract types it derives from, sorted by code. A parameter on
// the type itself wins over an inherited one with the same code.
func (m *Model) indexSearchParams() {
	byBase := make(map[string][]*SearchParam)
	for _, p := range m.params {
		for _, b := range p.Base {
			byBase[b] = append(byBase[b], p)
		}
	}
	for name, td := range m.types {
		if td.Kind != KindResource {
			continue
		}
		var list []*SearchParam
		seen := make(map[string]bool)
		// Walk from the type up to Resource so the most specific comes first.
		for t := td; t != nil; t = m.types[t.Base] {
			for _, p := range byBase[t.Name] {
				if !seen[p.Code] {
					seen[p.Code] = true
					list = append(list, p)
				}
			}
			if t.Base == "" {
				break
			}
		}
		sort.Slice(list, func(i, j int) bool { return list[i].Code < list[j].Code })
		m.paramsByType[name] = list
	}
}

// loadValueSets decodes the value sets the first time one is asked for.
func (m *Model) loadValueSets() (map[string]*ValueSet, error) {
	m.valueSetsOnce.Do(func() {
		if m.valueSetsSrc == nil {
			return
		}
		m.valueSets, m.valueSetsErr = readValueSets(m.valueSetsSrc)
		if m.valueSetsErr != nil {
			m.valueSetsErr = fmt.Errorf("decode r4 value sets: %w", m.valueSetsErr)
		}
		m.valueSetsSrc = nil
	})
	return m.valueSets, m.valueSetsErr
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
