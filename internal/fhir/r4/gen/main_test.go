package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
)

// requireShared returns the FHIR R4 definitions folder of /work/shared (found
// relative to the repository root). It skips the test when the folder is
// absent, or fails it when SEN_REQUIRE_ALL=1 (as CI sets).
func requireShared(tb testing.TB) string {
	tb.Helper()
	// go test runs in the package folder: gen -> r4 -> fhir -> internal ->
	// repo root, and shared sits beside the root.
	dir := filepath.Join("..", "..", "..", "..", "..", "shared", "fhir", "r4")
	if _, err := os.Stat(filepath.Join(dir, "profiles-resources.json")); err != nil {
		if os.Getenv("SEN_REQUIRE_ALL") == "1" {
			tb.Fatalf("shared FHIR definitions required (SEN_REQUIRE_ALL=1): %v", err)
		}
		tb.Skipf("shared FHIR definitions absent: %v", err)
	}
	return dir
}

// The committed r4.gen.json.gz must be exactly what the generator makes from
// the definitions: a hand edit or a stale file fails here.
func TestGeneratedFileUpToDate(t *testing.T) {
	dir := requireShared(t)
	model, valueSets, err := generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]byte{OutputName: model, ValueSetsOutput: valueSets} {
		want, err := os.ReadFile(filepath.Join("..", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s is stale (%d bytes generated, %d committed): run go generate in internal/fhir/r4", name, len(got), len(want))
		}
	}
	model2, valueSets2, err := generate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(model, model2) || !bytes.Equal(valueSets, valueSets2) {
		t.Fatal("generate is not deterministic")
	}
}

// The counts the r4 tests assert are computed here from the sources.
func TestCountsMatchSources(t *testing.T) {
	dir := requireShared(t)
	sds, err := readBundle[sdJSON](filepath.Join(dir, bundleResource), "StructureDefinition")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, sd := range sds {
		if sd.Kind == kindResource && !sd.Abstract {
			want = append(want, sd.ID)
		}
	}
	slices.Sort(want)
	m := r4.Load()
	if got := m.ResourceTypes(); !slices.Equal(got, want) {
		t.Errorf("ResourceTypes() = %d types, source has %d", len(got), len(want))
	}
	params, err := readBundle[searchParamJSON](filepath.Join(dir, "search-parameters.json"), "SearchParameter")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(m.AllSearchParams()), len(params); got != want {
		t.Errorf("len(AllSearchParams()) = %d, source has %d", got, want)
	}
}

func TestGenerateBadInput(t *testing.T) {
	empty := t.TempDir()
	if _, _, err := generate(empty); err == nil {
		t.Error("generate(empty dir) succeeded, want error")
	}
	bad := t.TempDir()
	if err := os.WriteFile(filepath.Join(bad, bundleTypes), []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := generate(bad); err == nil {
		t.Error("generate(bad json) succeeded, want error")
	}
}
