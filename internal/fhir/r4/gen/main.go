// Command gen writes r4.gen.json.gz, the embedded R4 model of package r4, from
// the official FHIR R4 definition bundles (hl7.fhir.r4.core#4.0.1).
//
// Usage (from internal/fhir/r4, via go generate):
//
//	go run ./gen -shared ../../../../shared/fhir/r4 -out .
//
// The output is deterministic: the same inputs give byte-identical output, so
// a test can check the committed file against a fresh generation.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/sen-emr/sen/internal/fhir/r4"
)

// The files written into -out.
const (
	OutputName      = "r4.gen.json.gz"
	ValueSetsOutput = "r4.valuesets.gen.json.gz"
)

func main() {
	shared := flag.String("shared", "../../../../shared/fhir/r4", "folder holding the FHIR R4 definition bundles")
	out := flag.String("out", ".", "folder to write "+OutputName+" and "+ValueSetsOutput+" into")
	flag.Parse()
	if err := run(*shared, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(shared, out string) error {
	model, valueSets, err := generate(shared)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(out, OutputName), model, 0o644); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	if err := os.WriteFile(filepath.Join(out, ValueSetsOutput), valueSets, 0o644); err != nil {
		return fmt.Errorf("write value sets: %w", err)
	}
	return nil
}

// generate reads the definition bundles in dir and returns the gzip'd model
// and value sets.
func generate(dir string) (model, valueSets []byte, err error) {
	types, err := readTypes(dir)
	if err != nil {
		return nil, nil, err
	}
	params, err := readSearchParams(filepath.Join(dir, "search-parameters.json"))
	if err != nil {
		return nil, nil, err
	}
	comp, err := readCompartments(dir)
	if err != nil {
		return nil, nil, err
	}
	vs, err := readValueSets(dir, types)
	if err != nil {
		return nil, nil, err
	}
	var mb, vb bytes.Buffer
	err = r4.Encode(&mb, &vb, &r4.Source{
		FHIRVersion:  "4.0.1",
		Types:        types,
		SearchParams: params,
		Compartments: comp,
		ValueSets:    vs,
	})
	if err != nil {
		return nil, nil, err
	}
	return mb.Bytes(), vb.Bytes(), nil
}

// readBundle decodes the entries of a FHIR Bundle file whose resourceType is
// one of types into T, in bundle order.
func readBundle[T any](path string, types ...string) ([]T, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read bundle: %w", err)
	}
	var b struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return nil, fmt.Errorf("decode bundle %s: %w", path, err)
	}
	out := make([]T, 0, len(b.Entry))
	for i, e := range b.Entry {
		var head struct {
			ResourceType string `json:"resourceType"`
		}
		if err := json.Unmarshal(e.Resource, &head); err != nil {
			return nil, fmt.Errorf("decode %s entry %d: %w", path, i, err)
		}
		if !slices.Contains(types, head.ResourceType) {
			continue
		}
		var v T
		if err := json.Unmarshal(e.Resource, &v); err != nil {
			return nil, fmt.Errorf("decode %s entry %d: %w", path, i, err)
		}
		out = append(out, v)
	}
	return out, nil
}
