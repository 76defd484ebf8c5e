package synth

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/validate"
)

// TestResourcesValidate checks every resource of a 200-patient population,
// and one transaction Bundle, against the R4 base definitions (structure,
// cardinality, primitives, required bindings, invariants).
func TestResourcesValidate(t *testing.T) {
	v := validate.New(r4.Load())
	// The validator must see problems the generator could make, or a
	// clean result means nothing.
	if is := v.Validate([]byte(`{"resourceType":"Encounter","id":"x","status":"done","class":{"code":"AMB"},"subject":{"reference":"Patient/a"}}`)); !validate.HasErrors(is) {
		t.Fatalf("validator accepted an Encounter with status \"done\"")
	}
	g := New(testConfig(200))
	problems := map[string]int{}
	examples := map[string]string{}
	warnings := map[string]int{}
	n := 0
	check := func(b []byte) error {
		n++
		for _, is := range v.Validate(b) {
			if is.Severity != "error" && is.Severity != "fatal" {
				// dom-6 (no narrative) is expected: the generator leaves
				// text to the UI rather than doubling the data volume.
				if !strings.Contains(is.Diagnostics, "dom-6") {
					warnings[is.Code+" "+strings.Join(is.Expression, ",")+": "+is.Diagnostics]++
				}
				continue
			}
			typ := b[:min(len(b), 60)]
			key := fmt.Sprintf("%s %s: %s", is.Code, strings.Join(is.Expression, ","), is.Diagnostics)
			if i := strings.Index(key, "["); i > 0 {
				key = key[:i] + "…" // group repeated paths
			}
			problems[key]++
			if _, ok := examples[key]; !ok {
				examples[key] = string(typ)
			}
		}
		return nil
	}
	if err := g.Run(check); err != nil {
		t.Fatal(err)
	}
	bundles := 0
	if err := g.Bundles(func(b []byte) error {
		bundles++
		if bundles > 3 {
			return nil
		}
		return check(b)
	}); err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(problems))
	for k := range problems {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Errorf("%d× %s (e.g. %s)", problems[k], k, examples[k])
	}
	t.Logf("validated %d resources and bundles; %d distinct warnings besides dom-6", n, len(warnings))
	if testing.Verbose() {
		for k, c := range warnings {
			t.Logf("warning %d× %s", c, k)
		}
	}
}
