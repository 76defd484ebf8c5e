package validate

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
)

// TestWithoutInvariants: the option turns FHIRPath invariants off but keeps
// the native ones.
func TestWithoutInvariants(t *testing.T) {
	v := New(r4.Load(), WithoutInvariants())
	contact := patient(`"contact":[{"gender":"female"}]`)
	if got := errorsOf(v.Validate([]byte(contact))); len(got) != 0 {
		t.Errorf("pat-1 reported without invariants:%s", formatIssues(got))
	}
	empty := replace(t, patientJSON, `"name":[{"family":"Nguyen","given":["Van","An"]}]`, `"name":[{}]`)
	if got := errorsOf(v.Validate([]byte(empty))); len(got) != 1 || !strings.Contains(got[0].Diagnostics, "ele-1") {
		t.Errorf("want ele-1, got:%s", formatIssues(got))
	}
}

// TestValidateValue accepts decoded JSON, with float64 numbers too.
func TestValidateValue(t *testing.T) {
	v := testValidator(t)
	for _, useNumber := range []bool{true, false} {
		var val any
		dec := json.NewDecoder(strings.NewReader(observationJSON))
		if useNumber {
			dec.UseNumber()
		}
		if err := dec.Decode(&val); err != nil {
			t.Fatal(err)
		}
		if got := v.ValidateValue(val); len(got) != 0 {
			t.Errorf("useNumber=%v: want no issues, got:%s", useNumber, formatIssues(got))
		}
	}
	if got := v.ValidateValue("Patient"); len(got) != 1 || got[0].Code != "structure" {
		t.Errorf("a string: want one structure issue, got:%s", formatIssues(got))
	}
}

// TestWarnings: dom-6 (no narrative) and a conditional reference outside a
// transaction are warnings, not errors.
func TestWarnings(t *testing.T) {
	v := testValidator(t)
	tests := []struct {
		name, body, location, diag string
	}{
		{"no narrative", `{"resourceType":"Patient","active":true}`, "Patient", "dom-6"},
		{"conditional reference", replace(t, observationJSON, `"Patient/p1"`, `"Patient?identifier=x|1"`), "Observation.subject.reference", "transaction"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := v.Validate([]byte(tc.body))
			if len(got) != 1 || got[0].Severity != "warning" || got[0].Expression[0] != tc.location || !strings.Contains(got[0].Diagnostics, tc.diag) {
				t.Errorf("want one warning at %s about %s, got:%s", tc.location, tc.diag, formatIssues(got))
			}
			if HasErrors(got) {
				t.Errorf("HasErrors = true for warnings only")
			}
		})
	}
}

// TestEveryIssueLocated: all issues of a resource with many defects are
// reported, each once, sorted by nothing but stable across runs.
func TestEveryIssueLocated(t *testing.T) {
	v := testValidator(t)
	body := `{"resourceType":"Patient",` + narrative + `,"gender":"man","birthDate":"1990-02-30","foo":1,"name":[{}]}`
	first := v.Validate([]byte(body))
	want := map[string]string{
		"Patient.gender":    "code-invalid",
		"Patient.birthDate": "value",
		"Patient.foo":       "structure",
		"Patient.name[0]":   "invariant",
	}
	got := map[string]string{}
	for _, is := range errorsOf(first) {
		got[is.Expression[0]] = is.Code
	}
	if len(got) != len(want) {
		t.Fatalf("got %d errors, want %d:%s", len(got), len(want), formatIssues(first))
	}
	for loc, code := range want {
		if got[loc] != code {
			t.Errorf("%s: got %q, want %q", loc, got[loc], code)
		}
	}
	for i := 0; i < 5; i++ {
		again := v.Validate([]byte(body))
		if formatIssues(again) != formatIssues(first) {
			t.Fatalf("issues differ between runs:%s\nvs%s", formatIssues(first), formatIssues(again))
		}
	}
}

// TestConstraintsParse: every error-severity invariant of the R4
// definitions that FHIRPath evaluates parses.
func TestConstraintsParse(t *testing.T) {
	v := testValidator(t)
	var failed []string
	for _, c := range v.schema.exprs {
		if c.expr == nil {
			failed = append(failed, c.Key+": "+c.Expression)
		}
	}
	if len(v.schema.exprs) < 150 || len(failed) > 0 {
		t.Errorf("%d constraints, %d do not parse: %v", len(v.schema.exprs), len(failed), failed)
	}
	t.Logf("%d constraints parsed", len(v.schema.exprs))
}
