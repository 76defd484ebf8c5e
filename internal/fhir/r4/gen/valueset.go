package main

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/sen-emr/sen/internal/fhir/r4"
)

// termJSON decodes both ValueSet and CodeSystem entries of a terminology bundle.
type termJSON struct {
	ResourceType string        `json:"resourceType"`
	URL          string        `json:"url"`
	Content      string        `json:"content"` // CodeSystem: complete|fragment|example|not-present|supplement
	Concept      []conceptJSON `json:"concept"` // CodeSystem
	Compose      *struct {
		Include []includeJSON `json:"include"`
		Exclude []includeJSON `json:"exclude"`
	} `json:"compose"` // ValueSet
}

type conceptJSON struct {
	Code    string        `json:"code"`
	Display string        `json:"display"`
	Concept []conceptJSON `json:"concept"`
}

type filterJSON struct {
	Property string `json:"property"`
	Op       string `json:"op"`
	Value    string `json:"value"`
}

type includeJSON struct {
	System   string        `json:"system"`
	Concept  []conceptJSON `json:"concept"`
	Filter   []filterJSON  `json:"filter"`
	ValueSet []string      `json:"valueSet"`
}

// terminologyBundles are read in this order. valuesets.json holds the FHIR
// value sets and code systems. v3-codesystems.json is needed too: the
// required binding Composition.confidentiality names
// v3-ConfidentialityClassification, defined only there, and event-timing
// takes its displays from v3-TimingEvent. v2-tables.json is not read: no
// required binding of R4 needs it.
var terminologyBundles = []string{"valuesets.json", "v3-codesystems.json"}

// expander enumerates value sets from the code systems and value sets it was given.
type expander struct {
	codeSystems map[string]termJSON
	valueSets   map[string]termJSON
	done        map[string][]r4.Coding // nil value: cannot be enumerated
	visiting    map[string]bool
}

// readValueSets returns every value set of valuesets.json whose codes can be
// enumerated, sorted by URL. Value sets defined only in the v3 bundle are
// included when a binding of the model names them.
func readValueSets(dir string, types []*r4.TypeDef) ([]*r4.ValueSet, error) {
	x := &expander{
		codeSystems: map[string]termJSON{},
		valueSets:   map[string]termJSON{},
		done:        map[string][]r4.Coding{},
		visiting:    map[string]bool{},
	}
	var wanted []string
	for i, name := range terminologyBundles {
		res, err := readBundle[termJSON](filepath.Join(dir, name), "CodeSystem", "ValueSet")
		if err != nil {
			return nil, err
		}
		for _, r := range res {
			switch r.ResourceType {
			case "CodeSystem":
				if _, dup := x.codeSystems[r.URL]; !dup {
					x.codeSystems[r.URL] = r
				}
			case "ValueSet":
				if _, dup := x.valueSets[r.URL]; !dup {
					x.valueSets[r.URL] = r
					if i == 0 {
						wanted = append(wanted, r.URL)
					}
				}
			}
		}
	}
	seen := map[string]bool{}
	for _, u := range wanted {
		seen[u] = true
	}
	for _, td := range types {
		for _, e := range td.Elements {
			if e.Binding != nil && e.Binding.ValueSet != "" && !seen[e.Binding.ValueSet] {
				seen[e.Binding.ValueSet] = true
				wanted = append(wanted, e.Binding.ValueSet)
			}
		}
	}
	var out []*r4.ValueSet
	for _, u := range wanted {
		codes, err := x.expand(u)
		if err != nil {
			return nil, err
		}
		if codes != nil {
			out = append(out, &r4.ValueSet{URL: u, Codes: codes})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
	return out, nil
}

// expand returns the codes of the value set at url, or nil when they cannot be
// enumerated from the bundles (unknown value set, filters, external code
// systems, incomplete code systems). An error means a cycle.
func (x *expander) expand(url string) ([]r4.Coding, error) {
	url, _, _ = strings.Cut(url, "|")
	if codes, ok := x.done[url]; ok {
		return codes, nil
	}
	if x.visiting[url] {
		return nil, fmt.Errorf("value set %s includes itself", url)
	}
	x.visiting[url] = true
	defer delete(x.visiting, url)
	vs, ok := x.valueSets[url]
	var codes []r4.Coding
	if ok && vs.Compose != nil {
		inc, err := x.collect(vs.Compose.Include)
		if err != nil {
			return nil, fmt.Errorf("value set %s: %w", url, err)
		}
		exc, err := x.collect(vs.Compose.Exclude)
		if err != nil {
			return nil, fmt.Errorf("value set %s: %w", url, err)
		}
		if inc != nil && (exc != nil || len(vs.Compose.Exclude) == 0) {
			codes = subtract(inc, exc)
		}
	}
	x.done[url] = codes
	return codes, nil
}

// collect enumerates compose.include (or exclude) entries; nil if any of
// them cannot be enumerated, and an empty non-nil slice when there are none.
func (x *expander) collect(incs []includeJSON) ([]r4.Coding, error) {
	out := []r4.Coding{}
	seen := map[r4.Coding]bool{}
	add := func(c r4.Coding) {
		k := r4.Coding{System: c.System, Code: c.Code}
		if !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	for _, inc := range incs {
		switch {
		case len(inc.Filter) > 0:
			if inc.System == "" || len(inc.Concept) > 0 || len(inc.ValueSet) > 0 {
				return nil, nil
			}
			sys, _, _ := strings.Cut(inc.System, "|")
			codes := x.filter(sys, inc.Filter)
			if codes == nil {
				return nil, nil
			}
			for _, c := range codes {
				add(c)
			}
		case inc.System != "" && len(inc.ValueSet) > 0:
			return nil, nil // intersections are not needed by core bindings
		case inc.System != "" && len(inc.Concept) > 0:
			sys, _, _ := strings.Cut(inc.System, "|")
			display := x.displays(sys)
			for _, c := range inc.Concept {
				d := c.Display
				if d == "" {
					d = display[c.Code]
				}
				add(r4.Coding{System: sys, Code: c.Code, Display: d})
			}
		case inc.System != "":
			sys, _, _ := strings.Cut(inc.System, "|")
			cs, ok := x.codeSystems[sys]
			if !ok || cs.Content != "complete" {
				return nil, nil
			}
			walkConcepts(cs.Concept, func(c conceptJSON) {
				add(r4.Coding{System: sys, Code: c.Code, Display: c.Display})
			})
		case len(inc.ValueSet) > 0:
			// Several value sets in one include are an intersection; core
			// bindings only use one.
			if len(inc.ValueSet) > 1 {
				return nil, nil
			}
			codes, err := x.expand(inc.ValueSet[0])
			if err != nil || codes == nil {
				return nil, err
			}
			for _, c := range codes {
				add(c)
			}
		default:
			return nil, nil
		}
	}
	return out, nil
}

// filter enumerates the codes of a complete code system in the bundles that
// pass every filter. Only the hierarchy filters on "concept" (is-a,
// descendent-of, is-not-a) are understood, which is all the FHIR and v3 value
// sets need; anything else gives nil.
func (x *expander) filter(system string, filters []filterJSON) []r4.Coding {
	cs, ok := x.codeSystems[system]
	if !ok || cs.Content != "complete" {
		return nil
	}
	keep := make([]func(code string, ancestors []string) bool, 0, len(filters))
	for _, f := range filters {
		if f.Property != "concept" {
			return nil
		}
		v := f.Value
		switch f.Op {
		case "is-a":
			keep = append(keep, func(c string, anc []string) bool { return c == v || slices.Contains(anc, v) })
		case "descendent-of":
			keep = append(keep, func(_ string, anc []string) bool { return slices.Contains(anc, v) })
		case "is-not-a":
			keep = append(keep, func(c string, anc []string) bool { return c != v && !slices.Contains(anc, v) })
		default:
			return nil
		}
	}
	out := []r4.Coding{}
	var walk func(cs []conceptJSON, anc []string)
	walk = func(cs []conceptJSON, anc []string) {
		for _, c := range cs {
			ok := true
			for _, k := range keep {
				ok = ok && k(c.Code, anc)
			}
			if ok {
				out = append(out, r4.Coding{System: system, Code: c.Code, Display: c.Display})
			}
			walk(c.Concept, append(anc, c.Code))
		}
	}
	walk(cs.Concept, nil)
	return out
}

// displays maps the codes of a code system in the bundles to their display.
func (x *expander) displays(system string) map[string]string {
	m := map[string]string{}
	walkConcepts(x.codeSystems[system].Concept, func(c conceptJSON) { m[c.Code] = c.Display })
	return m
}

// walkConcepts visits a concept hierarchy depth first, parents before children.
func walkConcepts(cs []conceptJSON, fn func(conceptJSON)) {
	for _, c := range cs {
		fn(c)
		walkConcepts(c.Concept, fn)
	}
}

func subtract(inc, exc []r4.Coding) []r4.Coding {
	if len(exc) == 0 {
		return inc
	}
	drop := map[[2]string]bool{}
	for _, c := range exc {
		drop[[2]string{c.System, c.Code}] = true
	}
	out := inc[:0:0]
	for _, c := range inc {
		if !drop[[2]string{c.System, c.Code}] {
			out = append(out, c)
		}
	}
	return out
}
