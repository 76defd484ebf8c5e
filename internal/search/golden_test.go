package search

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// goldenIndex is the golden file layout: one compact line per entry, in
// extraction order, so a diff shows exactly which value changed.
type goldenIndex struct {
	Patients []string `json:"patients"`
	Entries  []string `json:"entries"`
}

// TestIndexGolden extracts testdata/index/NAME.json and compares with
// NAME.golden.json; run with -update to rewrite the golden files.
func TestIndexGolden(t *testing.T) {
	ix := newTestIndexer(t)
	files, _ := filepath.Glob("testdata/index/*.json")
	n := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".golden.json") {
			continue
		}
		n++
		t.Run(filepath.Base(f), func(t *testing.T) {
			body, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			_, rt := readResource(t, f)
			idx, err := ix.Index(rt, body)
			if err != nil {
				t.Fatal(err)
			}
			got := goldenIndex{Patients: idx.Patients}
			if got.Patients == nil {
				got.Patients = []string{}
			}
			for _, e := range idx.Entries {
				got.Entries = append(got.Entries, compact(reflect.ValueOf(e)))
			}
			gotJSON, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			gotJSON = append(gotJSON, '\n')
			golden := strings.TrimSuffix(f, ".json") + ".golden.json"
			if *update {
				if err := os.WriteFile(golden, gotJSON, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(gotJSON, want) {
				var w goldenIndex
				_ = json.Unmarshal(want, &w)
				t.Errorf("%s differs (run with -update to accept):\nonly got:  %v\nonly want: %v\npatients got %v want %v",
					golden, minus(got.Entries, w.Entries), minus(w.Entries, got.Entries), got.Patients, w.Patients)
			}
		})
	}
	if n < 4 {
		t.Fatalf("only %d golden inputs", n)
	}
}
