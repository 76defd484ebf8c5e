package view

import (
	"compress/bzip2"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhirpath"
)

// TestSyntheaViews runs views over real Synthea bundles (read from the
// shared data folder) and checks that every resource of the view's type
// yields rows consistent with the data: one patient row per Patient, one
// observation row per Observation, whose subject (a urn:uuid reference in
// a transaction bundle, which getReferenceKey need not resolve) is one of
// the patients.
func TestSyntheaViews(t *testing.T) {
	dir := filepath.Join(requireShared(t), "fhir", "synthea")
	files, err := filepath.Glob(filepath.Join(dir, "*.json.bz2"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Synthea bundles in %s: %v", dir, err)
	}
	patients := mustCompile(t, `{"resource":"Patient","select":[{"column":[
	  {"name":"id","path":"getResourceKey()"},{"name":"gender","path":"gender"},
	  {"name":"birth_date","path":"birthDate"},{"name":"family","path":"name.where(use='official').family.first()"}]},
	  {"forEachOrNull":"address","column":[{"name":"city","path":"city"}]}]}`)
	obs := mustCompile(t, `{"resource":"Observation","select":[{"column":[
	  {"name":"id","path":"getResourceKey()"},{"name":"patient","path":"subject.reference.replace('urn:uuid:', '')"},
	  {"name":"code","path":"code.coding.first().code"},
	  {"name":"value","path":"value.ofType(Quantity).value"},
	  {"name":"effective","path":"effective.ofType(dateTime)"}]}]}`)
	limit := 5
	if testing.Short() {
		limit = 1
	}
	ids := map[string]bool{}
	nPatient, nObs, refs := 0, 0, 0
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "0-") || limit == 0 {
			continue // hospital and practitioner bundles hold no patients
		}
		limit--
		for _, res := range readBundle(t, f) {
			err := patients.Eval(res, func(row []any) error {
				nPatient++
				if row[0] == nil || row[1] == nil || row[2] == nil {
					t.Errorf("%s: patient row with empty id, gender or birth date: %v", f, row)
				}
				ids[row[0].(string)] = true
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			err = obs.Eval(res, func(row []any) error {
				nObs++
				if p, ok := row[1].(string); ok && ids[p] {
					refs++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if nPatient == 0 || nObs == 0 {
		t.Fatalf("got %d patient rows and %d observation rows", nPatient, nObs)
	}
	if refs != nObs {
		t.Errorf("%d of %d observations reference a patient of the same bundles", refs, nObs)
	}
	t.Logf("%d patient rows (%d patients), %d observation rows", nPatient, len(ids), nObs)
}

func mustCompile(tb testing.TB, src string) *View {
	tb.Helper()
	v, err := Compile([]byte(src))
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// readBundle decodes every entry resource of a bzip2 Synthea bundle.
func readBundle(tb testing.TB, path string) []fhirpath.Value {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var bundle struct {
		Entry []struct {
			Resource json.RawMessage `json:"resource"`
		} `json:"entry"`
	}
	if err := json.NewDecoder(bzip2.NewReader(f)).Decode(&bundle); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	out := make([]fhirpath.Value, 0, len(bundle.Entry))
	for _, e := range bundle.Entry {
		v, err := fhirpath.DecodeJSON(e.Resource)
		if err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
		out = append(out, v)
	}
	return out
}
