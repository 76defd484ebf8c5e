package r4

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
)

// Source is the content of a model as the generator assembles it; Encode
// turns it into the embedded file format and Decode reads it back.
type Source struct {
	FHIRVersion  string
	Types        []*TypeDef
	SearchParams []*SearchParam
	// Compartments maps compartment type -> member resource type -> params.
	Compartments map[string]map[string][]string
	ValueSets    []*ValueSet
}

// wireFile is the JSON inside r4.gen.json.gz. It differs from the public
// types to make Load cheaper: constraints are stored once in a table and
// referred to by index (ele-1 alone sits on thousands of elements). Value
// sets are a separate file (r4.valuesets.gen.json.gz), read when ValueSet is
// first called: they are a third of the data and most callers never ask.
type wireFile struct {
	FHIRVersion  string                         `json:"fhirVersion"`
	Constraints  []Constraint                   `json:"constraints"`
	Types        []*wireType                    `json:"types"`
	SearchParams []*SearchParam                 `json:"searchParams"`
	Compartments map[string]map[string][]string `json:"compartments"`
}

// wireType and wireElement shadow the Constraints (and Elements) fields of
// the embedded public types: encoding/json uses the shallower field.
type wireType struct {
	TypeDef
	Constraints []int          `json:"constraints,omitempty"`
	Elements    []*wireElement `json:"elements,omitempty"`
}

type wireElement struct {
	ElementDef
	Constraints []int `json:"constraints,omitempty"`
}

// Encode writes src in the format Decode reads: the model to model and the
// value sets to valueSets, each as gzip'd JSON with a zero gzip header, so
// equal sources give byte-identical output.
func Encode(model, valueSets io.Writer, src *Source) error {
	f := wireFile{
		FHIRVersion:  src.FHIRVersion,
		Types:        make([]*wireType, 0, len(src.Types)),
		SearchParams: src.SearchParams,
		Compartments: src.Compartments,
	}
	index := make(map[Constraint]int)
	refs := func(cs []Constraint) []int {
		if len(cs) == 0 {
			return nil
		}
		out := make([]int, len(cs))
		for i, c := range cs {
			n, ok := index[c]
			if !ok {
				n = len(f.Constraints)
				index[c] = n
				f.Constraints = append(f.Constraints, c)
			}
			out[i] = n
		}
		return out
	}
	for _, td := range src.Types {
		wt := &wireType{TypeDef: *td, Constraints: refs(td.Constraints)}
		wt.TypeDef.Elements, wt.TypeDef.Constraints = nil, nil
		for _, e := range td.Elements {
			we := &wireElement{ElementDef: *e, Constraints: refs(e.Constraints)}
			we.ElementDef.Constraints = nil
			wt.Elements = append(wt.Elements, we)
		}
		f.Types = append(f.Types, wt)
	}
	if err := writeGzipJSON(model, f); err != nil {
		return fmt.Errorf("encode r4 model: %w", err)
	}
	if err := writeGzipJSON(valueSets, toWireValueSets(src.ValueSets)); err != nil {
		return fmt.Errorf("encode r4 value sets: %w", err)
	}
	return nil
}

func writeGzipJSON(w io.Writer, v any) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return err
	}
	return zw.Close()
}

// wireValueSet stores the codes of a value set grouped by runs of the same
// system, each code as [code] or [code, display]: a third of the size of one
// object per Coding, and the system string is shared on decode.
type wireValueSet struct {
	URL  string        `json:"url"`
	Runs []wireCodeRun `json:"runs"`
}

type wireCodeRun struct {
	System string     `json:"system"`
	Codes  [][]string `json:"codes"`
}

func toWireValueSets(list []*ValueSet) []wireValueSet {
	out := make([]wireValueSet, 0, len(list))
	for _, vs := range list {
		w := wireValueSet{URL: vs.URL, Runs: []wireCodeRun{}}
		for _, c := range vs.Codes {
			if n := len(w.Runs); n == 0 || w.Runs[n-1].System != c.System {
				w.Runs = append(w.Runs, wireCodeRun{System: c.System})
			}
			run := &w.Runs[len(w.Runs)-1]
			code := []string{c.Code}
			if c.Display != "" {
				code = append(code, c.Display)
			}
			run.Codes = append(run.Codes, code)
		}
		out = append(out, w)
	}
	return out
}

// readValueSets decodes a value set file written by Encode.
func readValueSets(r io.Reader) (map[string]*ValueSet, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	var list []wireValueSet
	if err := json.NewDecoder(zr).Decode(&list); err != nil {
		return nil, err
	}
	out := make(map[string]*ValueSet, len(list))
	for _, w := range list {
		if w.URL == "" {
			return nil, fmt.Errorf("value set without url")
		}
		n := 0
		for _, run := range w.Runs {
			n += len(run.Codes)
		}
		vs := &ValueSet{URL: w.URL, Codes: make([]Coding, 0, n)}
		for _, run := range w.Runs {
			for _, c := range run.Codes {
				switch len(c) {
				case 1:
					vs.Codes = append(vs.Codes, Coding{System: run.System, Code: c[0]})
				case 2:
					vs.Codes = append(vs.Codes, Coding{System: run.System, Code: c[0], Display: c[1]})
				default:
					return nil, fmt.Errorf("value set %s: code entry of length %d", w.URL, len(c))
				}
			}
		}
		out[vs.URL] = vs
	}
	return out, nil
}

// readWire decompresses and decodes r, resolving constraint references.
func readWire(r io.Reader) (*wireFile, []*TypeDef, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, nil, err
	}
	defer zr.Close()
	var f wireFile
	if err := json.NewDecoder(zr).Decode(&f); err != nil {
		return nil, nil, err
	}
	resolve := func(refs []int) ([]Constraint, error) {
		if len(refs) == 0 {
			return nil, nil
		}
		out := make([]Constraint, len(refs))
		for i, n := range refs {
			if n < 0 || n >= len(f.Constraints) {
				return nil, fmt.Errorf("constraint %d out of range", n)
			}
			out[i] = f.Constraints[n]
		}
		return out, nil
	}
	types := make([]*TypeDef, 0, len(f.Types))
	for _, wt := range f.Types {
		if wt == nil {
			return nil, nil, fmt.Errorf("null type")
		}
		td := &wt.TypeDef
		if td.Constraints, err = resolve(wt.Constraints); err != nil {
			return nil, nil, fmt.Errorf("type %s: %w", td.Name, err)
		}
		td.Elements = make([]*ElementDef, 0, len(wt.Elements))
		for _, we := range wt.Elements {
			if we == nil {
				return nil, nil, fmt.Errorf("type %s: null element", td.Name)
			}
			e := &we.ElementDef
			if e.Constraints, err = resolve(we.Constraints); err != nil {
				return nil, nil, fmt.Errorf("element %s: %w", e.Path, err)
			}
			td.Elements = append(td.Elements, e)
		}
		types = append(types, td)
	}
	return &f, types, nil
}
