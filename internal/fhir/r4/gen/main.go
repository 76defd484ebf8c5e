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
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/sen-emr/sen/internal/fhir/r4"
)

// OutputName is the file written into -out.
const OutputName = "r4.gen.json.gz"

// genFile mirrors r4.genFile (unexported there); keep the two in step.
type genFile struct {
	FHIRVersion  string                         `json:"fhirVersion"`
	Types        []*r4.TypeDef                  `json:"types"`
	SearchParams []*r4.SearchParam              `json:"searchParams"`
	Compartments map[string]map[string][]string `json:"compartments"`
	ValueSets    []*r4.ValueSet                 `json:"valueSets"`
}

func main() {
	shared := flag.String("shared", "../../../../shared/fhir/r4", "folder holding the FHIR R4 definition bundles")
	out := flag.String("out", ".", "folder to write "+OutputName+" into")
	flag.Parse()
	data, err := generate(*shared)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(filepath.Join(*out, OutputName), data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

// generate reads the definition bundles in dir and returns the gzip'd model.
func generate(dir string) ([]byte, error) {
	types, err := readTypes(dir)
	if err != nil {
		return nil, err
	}
	params, err := readSearchParams(filepath.Join(dir, "search-parameters.json"))
	if err != nil {
		return nil, err
	}
	comp, err := readCompartment(filepath.Join(dir, "compartmentdefinition-patient.json"))
	if err != nil {
		return nil, err
	}
	vs, err := readValueSets(dir, types)
	if err != nil {
		return nil, err
	}
	f := genFile{
		FHIRVersion:  "4.0.1",
		Types:        types,
		SearchParams: params,
		Compartments: map[string]map[string][]string{"Patient": comp},
		ValueSets:    vs,
	}
	raw, err := json.Marshal(f)
	if err != nil {
		return nil, fmt.Errorf("encode model: %w", err)
	}
	var buf bytes.Buffer
	// A zero gzip header (no name, no mtime) keeps the output reproducible.
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if _, err := zw.Write(raw); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	return buf.Bytes(), nil
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
