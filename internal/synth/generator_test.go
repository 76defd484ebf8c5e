package synth

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"
)

// testEnd is a fixed end of the simulated period for tests.
var testEnd = time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)

func testConfig(n int) Config {
	return Config{Seed: 42, Patients: n, End: testEnd}
}

// collect runs the generator and returns every resource, failing the test
// on error.
func collect(tb testing.TB, g *Generator) [][]byte {
	tb.Helper()
	var out [][]byte
	if err := g.Run(func(b []byte) error { out = append(out, b); return nil }); err != nil {
		tb.Fatalf("Run: %v", err)
	}
	return out
}

func TestRunCountsByType(t *testing.T) {
	res := collect(t, New(testConfig(300)))
	counts := map[string]int{}
	for _, b := range res {
		var head struct {
			ResourceType string `json:"resourceType"`
			ID           string `json:"id"`
		}
		if err := json.Unmarshal(b, &head); err != nil {
			t.Fatalf("resource is not JSON: %v: %s", err, b)
		}
		counts[head.ResourceType]++
	}
	if got, want := counts["Patient"], 300; got != want {
		t.Errorf("Patient count = %d, want %d", got, want)
	}
	for _, typ := range []string{"Organization", "Practitioner", "PractitionerRole", "Condition", "Encounter",
		"Observation", "MedicationRequest", "MedicationDispense", "MedicationAdministration", "CareTeam", "CarePlan"} {
		if counts[typ] == 0 {
			t.Errorf("no %s generated", typ)
		}
	}
	t.Logf("%d resources: %v", len(res), counts)
	if os.Getenv("SYNTH_DUMP") != "" {
		os.WriteFile(os.Getenv("SYNTH_DUMP"), bytes.Join(res, []byte("\n")), 0o644)
	}
}

func TestDeterministic(t *testing.T) {
	hash := func(seed int64) [32]byte {
		cfg := testConfig(120)
		cfg.Seed = seed
		h := sha256.New()
		err := New(cfg).Bundles(func(b []byte) error { h.Write(b); return nil })
		if err != nil {
			t.Fatal(err)
		}
		var s [32]byte
		copy(s[:], h.Sum(nil))
		return s
	}
	a, b, c := hash(7), hash(7), hash(8)
	if a != b {
		t.Errorf("same seed gave different output")
	}
	if a == c {
		t.Errorf("different seeds gave identical output")
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want error
	}{
		{"no patients", Config{End: testEnd}, ErrNoPatients},
		{"too many", Config{Patients: MaxPatients + 1, End: testEnd}, ErrNoPatients},
		{"no end", Config{Patients: 3}, ErrNoEnd},
		{"start after end", Config{Patients: 3, Start: testEnd.AddDate(1, 0, 0), End: testEnd}, ErrPeriod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := New(tt.cfg).Run(func([]byte) error { return nil })
			if !errors.Is(err, tt.want) {
				t.Errorf("Run error = %v, want %v", err, tt.want)
			}
			if _, err := New(tt.cfg).GroundTruth(); !errors.Is(err, tt.want) {
				t.Errorf("GroundTruth error = %v, want %v", err, tt.want)
			}
		})
	}
}
