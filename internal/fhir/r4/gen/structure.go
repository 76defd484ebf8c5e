package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/sen-emr/sen/internal/fhir/r4"
)

// Only the StructureDefinition fields the model keeps are decoded.
type sdJSON struct {
	ResourceType   string `json:"resourceType"`
	ID             string `json:"id"`
	Kind           string `json:"kind"`
	Abstract       bool   `json:"abstract"`
	Type           string `json:"type"`
	BaseDefinition string `json:"baseDefinition"`
	Snapshot       struct {
		Element []elementJSON `json:"element"`
	} `json:"snapshot"`
}

type elementJSON struct {
	Path  string `json:"path"`
	Min   int    `json:"min"`
	Max   string `json:"max"`
	Types []struct {
		Code          string          `json:"code"`
		Extension     []extensionJSON `json:"extension"`
		TargetProfile []string        `json:"targetProfile"`
	} `json:"type"`
	ContentReference string `json:"contentReference"`
	IsSummary        bool   `json:"isSummary"`
	IsModifier       bool   `json:"isModifier"`
	Binding          *struct {
		Strength string `json:"strength"`
		ValueSet string `json:"valueSet"`
	} `json:"binding"`
	Constraint []r4.Constraint `json:"constraint"`
}

type extensionJSON struct {
	URL         string `json:"url"`
	ValueURL    string `json:"valueUrl"`
	ValueString string `json:"valueString"`
}

const (
	sdPrefix       = "http://hl7.org/fhir/StructureDefinition/"
	systemPrefix   = "http://hl7.org/fhirpath/"
	extRegex       = "http://hl7.org/fhir/StructureDefinition/regex"
	extFHIRType    = "http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type"
	kindPrimitive  = "primitive-type"
	kindComplex    = "complex-type"
	kindResource   = "resource"
	bundleTypes    = "profiles-types.json"
	bundleResource = "profiles-resources.json"
)

// readTypes returns the data types then the resources, in bundle order.
// Logical models (MetadataResource) are left out: no instance has them as type.
func readTypes(dir string) ([]*r4.TypeDef, error) {
	var out []*r4.TypeDef
	for _, name := range []string{bundleTypes, bundleResource} {
		sds, err := readBundle[sdJSON](filepath.Join(dir, name), "StructureDefinition")
		if err != nil {
			return nil, err
		}
		for _, sd := range sds {
			if sd.ResourceType != "StructureDefinition" || sd.Kind == "logical" {
				continue
			}
			td, err := convertType(sd)
			if err != nil {
				return nil, fmt.Errorf("%s: StructureDefinition %s: %w", name, sd.ID, err)
			}
			out = append(out, td)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no StructureDefinitions in %s", dir)
	}
	return out, nil
}

func convertType(sd sdJSON) (*r4.TypeDef, error) {
	td := &r4.TypeDef{
		Name:     sd.ID,
		Abstract: sd.Abstract,
		Base:     strings.TrimPrefix(sd.BaseDefinition, sdPrefix),
	}
	switch sd.Kind {
	case kindPrimitive:
		td.Kind = r4.KindPrimitive
	case kindComplex:
		td.Kind = r4.KindComplex
	case kindResource:
		td.Kind = r4.KindResource
	default:
		return nil, fmt.Errorf("unknown kind %q", sd.Kind)
	}
	els := sd.Snapshot.Element
	if len(els) == 0 {
		return nil, fmt.Errorf("empty snapshot")
	}
	if els[0].Path != sd.Type {
		return nil, fmt.Errorf("snapshot root %q is not the type %q", els[0].Path, sd.Type)
	}
	td.Constraints = els[0].Constraint
	for _, e := range els[1:] {
		ed, err := convertElement(e, td.Kind == r4.KindPrimitive)
		if err != nil {
			return nil, fmt.Errorf("element %s: %w", e.Path, err)
		}
		if td.Kind == r4.KindPrimitive && ed.Path == sd.Type+".value" {
			for _, t := range e.Types {
				for _, x := range t.Extension {
					if x.URL == extRegex {
						td.Regex = x.ValueString
					}
				}
			}
		}
		// The 4.0.1 snapshots give Resource.id the fhir-type "string", but
		// the specification (resource.html#id, and FHIRPath's type()) says
		// a resource id is of type id, with id's 64-character regex.
		if td.Kind == r4.KindResource && ed.Path == sd.Type+".id" && ed.FHIRType == "string" {
			ed.FHIRType = "id"
		}
		td.Elements = append(td.Elements, ed)
	}
	return td, nil
}

func convertElement(e elementJSON, inPrimitive bool) (*r4.ElementDef, error) {
	ed := &r4.ElementDef{
		Path:        e.Path,
		Min:         e.Min,
		Summary:     e.IsSummary,
		Modifier:    e.IsModifier,
		Constraints: e.Constraint,
		ContentRef:  strings.TrimPrefix(e.ContentReference, "#"),
	}
	name := e.Path[strings.LastIndexByte(e.Path, '.')+1:]
	if n, ok := strings.CutSuffix(name, "[x]"); ok {
		name, ed.Choice = n, true
	}
	ed.Name = name
	switch e.Max {
	case "*":
		ed.Max = -1
	default:
		n, err := strconv.Atoi(e.Max)
		if err != nil {
			return nil, fmt.Errorf("max %q: %w", e.Max, err)
		}
		ed.Max = n
	}
	for _, t := range e.Types {
		code := t.Code
		if sys, ok := strings.CutPrefix(code, systemPrefix); ok {
			code = sys
			if !inPrimitive {
				for _, x := range t.Extension {
					if x.URL == extFHIRType {
						ed.FHIRType = x.ValueURL
					}
				}
			}
		}
		ed.Types = append(ed.Types, code)
		for _, p := range t.TargetProfile {
			ed.TargetProfiles = appendUnique(ed.TargetProfiles, strings.TrimPrefix(p, sdPrefix))
		}
	}
	if e.Binding != nil {
		vs, _, _ := strings.Cut(e.Binding.ValueSet, "|")
		ed.Binding = &r4.Binding{Strength: e.Binding.Strength, ValueSet: vs}
	}
	return ed, nil
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}
