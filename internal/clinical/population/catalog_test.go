package population

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/sen-emr/sen/internal/view"
)

// TestCatalogViewsCompile checks every shipped view compiles and resolves
// by id, reference and canonical URL.
func TestCatalogViewsCompile(t *testing.T) {
	cat := Catalog()
	if len(cat) < 5 {
		t.Fatalf("%d views", len(cat))
	}
	for _, e := range cat {
		for _, ref := range []string{e.ID, "ViewDefinition/" + e.ID, e.URL, e.URL + "|1.0"} {
			b, ok := View(ref)
			if !ok {
				t.Errorf("View(%q) not found", ref)
				continue
			}
			v, err := view.Compile(b)
			if err != nil {
				t.Errorf("%s: %v", e.ID, err)
				continue
			}
			if v.Resource() != e.Resource {
				t.Errorf("%s: resource %s, want %s", e.ID, v.Resource(), e.Resource)
			}
		}
	}
	if _, ok := View("no-such-view"); ok {
		t.Error("unknown view resolved")
	}
}

// TestFixturesMatchShared checks the copied fixtures are still identical
// to the shared originals they cite.
func TestFixturesMatchShared(t *testing.T) {
	shared := filepath.Join(requireShared(t), "clinical")
	for _, f := range []string{"testdata/opensafely_sdc_examples.csv", "testdata/opensafely_midpoint6.csv",
		"testdata/hearts360_bp_control_scenarios.csv", "testdata/efi_deficits.csv", "testdata/efi_categories.csv",
		"data/charlson_quan2005_icd10.csv", "data/who2019_cvd_lab_chart_seasia.csv"} {
		got, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(shared, filepath.Base(f)))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the shared original", f)
		}
	}
}
