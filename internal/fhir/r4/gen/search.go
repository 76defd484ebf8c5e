package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/sen-emr/sen/internal/fhir/r4"
)

// The source is search-parameters.json, the pristine R4 set of 1,375
// parameters. search-parameters.errata-ofType.json beside it is not a
// corrected copy of the same set: it is Medplum's edit, with 69 expressions
// rewritten from `x as T` to `x.ofType(T)` and 3 parameters added that R4 does
// not define. Sen's FHIRPath engine is expected to evaluate `as` the way the
// spec means it, so the official expressions are kept.
type searchParamJSON struct {
	URL        string   `json:"url"`
	Code       string   `json:"code"`
	Base       []string `json:"base"`
	Type       string   `json:"type"`
	Expression string   `json:"expression"`
	Target     []string `json:"target"`
	Modifier   []string `json:"modifier"`
	Comparator []string `json:"comparator"`
	Component  []struct {
		Definition string `json:"definition"`
		Expression string `json:"expression"`
	} `json:"component"`
	MultipleOr  *bool `json:"multipleOr"`
	MultipleAnd *bool `json:"multipleAnd"`
}

// readSearchParams returns every SearchParameter of the bundle, sorted by URL,
// with composite components resolved to the code and type they refer to.
func readSearchParams(path string) ([]*r4.SearchParam, error) {
	src, err := readBundle[searchParamJSON](path, "SearchParameter")
	if err != nil {
		return nil, err
	}
	byURL := make(map[string]*r4.SearchParam, len(src))
	out := make([]*r4.SearchParam, 0, len(src))
	for _, s := range src {
		if s.URL == "" || s.Code == "" || s.Type == "" || len(s.Base) == 0 {
			return nil, fmt.Errorf("%s: SearchParameter %q lacks url, code, type or base", path, s.URL)
		}
		if byURL[s.URL] != nil {
			return nil, fmt.Errorf("%s: duplicate SearchParameter %s", path, s.URL)
		}
		p := &r4.SearchParam{
			URL: s.URL, Code: s.Code, Base: s.Base, Type: s.Type, Expression: s.Expression,
			Targets: s.Target, Modifiers: s.Modifier, Comparators: s.Comparator,
			MultipleOr: s.MultipleOr, MultipleAnd: s.MultipleAnd,
		}
		for _, c := range s.Component {
			p.Components = append(p.Components, r4.Component{Definition: c.Definition, Expression: c.Expression})
		}
		byURL[s.URL] = p
		out = append(out, p)
	}
	for _, p := range out {
		for i := range p.Components {
			c := &p.Components[i]
			ref := byURL[c.Definition]
			if ref == nil {
				return nil, fmt.Errorf("%s: %s component %s: no such SearchParameter", path, p.URL, c.Definition)
			}
			c.Code, c.Type = ref.Code, ref.Type
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URL < out[j].URL })
	return out, nil
}

type compartmentJSON struct {
	ResourceType string `json:"resourceType"`
	Code         string `json:"code"`
	Resource     []struct {
		Code  string   `json:"code"`
		Param []string `json:"param"`
	} `json:"resource"`
}

// readCompartments returns compartment -> resource type -> the params that
// link the type to the compartment owner, for the five R4 compartments
// (Patient, Encounter, RelatedPerson, Practitioner, Device) of
// profiles-resources.json. The Patient compartment is taken from its own file
// (compartmentdefinition-patient.json), which the brief names as the source;
// its content is the same.
func readCompartments(dir string) (map[string]map[string][]string, error) {
	defs, err := readBundle[compartmentJSON](filepath.Join(dir, bundleResource), "CompartmentDefinition")
	if err != nil {
		return nil, err
	}
	path := filepath.Join(dir, "compartmentdefinition-patient.json")
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read compartment: %w", err)
	}
	var patient compartmentJSON
	if err := json.Unmarshal(raw, &patient); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	if patient.ResourceType != "CompartmentDefinition" || patient.Code != "Patient" {
		return nil, fmt.Errorf("%s: not the Patient CompartmentDefinition", path)
	}
	out := make(map[string]map[string][]string)
	for _, cd := range append(defs, patient) {
		m := make(map[string][]string)
		for _, r := range cd.Resource {
			if len(r.Param) > 0 {
				m[r.Code] = r.Param
			}
		}
		out[cd.Code] = m
	}
	return out, nil
}
