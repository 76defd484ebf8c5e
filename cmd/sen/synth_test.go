package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readNDJSON returns the resource types and ids of every line of the
// NDJSON files in dir (the truth file excepted), and the raw lines.
func readNDJSON(tb testing.TB, dir string) (map[string]int, [][]byte) {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.ndjson"))
	if err != nil {
		tb.Fatal(err)
	}
	byType := map[string]int{}
	var lines [][]byte
	for _, f := range files {
		if filepath.Base(f) == synthTruthFile {
			continue
		}
		fh, err := os.Open(f)
		if err != nil {
			tb.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(nil, 16<<20)
		for sc.Scan() {
			var h struct{ ResourceType, ID string }
			if err := json.Unmarshal(sc.Bytes(), &h); err != nil {
				tb.Fatalf("%s: %v", f, err)
			}
			if want := strings.TrimSuffix(filepath.Base(f), ".ndjson"); h.ResourceType != want {
				tb.Errorf("%s holds a %s", f, h.ResourceType)
			}
			byType[h.ResourceType]++
			lines = append(lines, bytes.Clone(sc.Bytes()))
		}
		fh.Close()
	}
	return byType, lines
}

func TestSynthNDJSONAndBundlesAgree(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	nd, bu := filepath.Join(dir, "nd"), filepath.Join(dir, "bu")
	var out bytes.Buffer
	if err := runSynth(ctx, &out, synthOpts{patients: 30, seed: 4, end: "2025-06-30", out: nd, format: "ndjson", validate: true}); err != nil {
		t.Fatalf("ndjson: %v\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "all ") || !strings.Contains(out.String(), "pass Sen's validator") {
		t.Errorf("output does not report validation:\n%s", out.String())
	}
	byType, lines := readNDJSON(t, nd)
	if byType["Patient"] != 30 {
		t.Errorf("Patient.ndjson has %d patients, want 30", byType["Patient"])
	}
	for _, typ := range []string{"Organization", "Practitioner", "Encounter", "Observation", "MedicationRequest"} {
		if byType[typ] == 0 {
			t.Errorf("no %s written", typ)
		}
	}

	if err := runSynth(ctx, &out, synthOpts{patients: 30, seed: 4, end: "2025-06-30", out: bu, format: "bundles"}); err != nil {
		t.Fatalf("bundles: %v", err)
	}
	bundles, _ := filepath.Glob(filepath.Join(bu, "bundle-*.json"))
	if len(bundles) < 2 {
		t.Fatalf("%d bundles written, want the care system and at least one household", len(bundles))
	}
	inBundles := map[string]string{} // Type/id → resource JSON
	for _, f := range bundles {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var bundle struct {
			ResourceType, Type string
			Entry              []struct {
				Resource json.RawMessage
				Request  struct{ Method, URL string }
			}
		}
		if err := json.Unmarshal(b, &bundle); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if bundle.ResourceType != "Bundle" || bundle.Type != "transaction" {
			t.Errorf("%s: %s of type %q, want a transaction Bundle", f, bundle.ResourceType, bundle.Type)
		}
		for _, e := range bundle.Entry {
			if e.Request.Method != "PUT" {
				t.Errorf("%s: entry %s uses %s, want PUT", f, e.Request.URL, e.Request.Method)
			}
			inBundles[e.Request.URL] = string(e.Resource)
		}
	}
	// Same seed, same population: every NDJSON line is a bundle entry.
	if len(inBundles) != len(lines) {
		t.Errorf("bundles hold %d resources, NDJSON %d", len(inBundles), len(lines))
	}
	for _, l := range lines {
		var h struct{ ResourceType, ID string }
		_ = json.Unmarshal(l, &h)
		if got := inBundles[h.ResourceType+"/"+h.ID]; got != string(l) {
			t.Errorf("%s/%s differs between NDJSON and bundles", h.ResourceType, h.ID)
			break
		}
	}

	// The side file must not look like FHIR input to sen import DIR.
	if ext := filepath.Ext(synthTruthFile); ext == ".json" || ext == ".ndjson" {
		t.Errorf("truth file %s would be read by sen import as FHIR", synthTruthFile)
	}
	truth, err := os.ReadFile(filepath.Join(nd, synthTruthFile))
	if err != nil {
		t.Fatal(err)
	}
	profiles := 0
	for l := range strings.SplitSeq(strings.TrimSpace(string(truth)), "\n") {
		var tl truthLine
		if err := json.Unmarshal([]byte(l), &tl); err != nil {
			t.Fatalf("truth line %q: %v", l, err)
		}
		if tl.PatientID == "" || tl.Profile == "" {
			t.Errorf("truth line without patient or profile: %s", l)
		}
		profiles++
	}
	if profiles == 0 {
		t.Error("no ground truth written")
	}
}

func TestSynthLoadsDirectly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var out bytes.Buffer
	if err := runSynth(context.Background(), &out, synthOpts{patients: 10, seed: 2, end: "2025-06-30", dataDir: dir, db: "sqlite"}); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "sen.db")); err != nil {
		t.Fatalf("no store written: %v", err)
	}
	if !strings.Contains(out.String(), "Patient") {
		t.Errorf("output lacks the per-type counts:\n%s", out.String())
	}
}

func TestSynthFlagErrors(t *testing.T) {
	nonEmpty := t.TempDir()
	if err := os.WriteFile(filepath.Join(nonEmpty, "x"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		o    synthOpts
		want string
	}{
		{"no patients", synthOpts{patients: 0, end: "2025-06-30", out: "x", format: "ndjson"}, "--patients"},
		{"too many", synthOpts{patients: 6_000_000, end: "2025-06-30", out: "x", format: "ndjson"}, "--patients"},
		{"bad end", synthOpts{patients: 5, end: "30/06/2025", out: "x", format: "ndjson"}, "--end"},
		{"no destination", synthOpts{patients: 5, end: "2025-06-30", format: "ndjson"}, "exactly one"},
		{"two destinations", synthOpts{patients: 5, end: "2025-06-30", out: "x", dataDir: "y", format: "ndjson"}, "exactly one"},
		{"bad format", synthOpts{patients: 5, end: "2025-06-30", out: "x", format: "csv"}, "--format"},
		{"non-empty out", synthOpts{patients: 5, end: "2025-06-30", out: nonEmpty, format: "ndjson"}, "not empty"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := runSynth(context.Background(), &bytes.Buffer{}, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}
