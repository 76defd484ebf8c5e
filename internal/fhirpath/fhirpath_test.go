package fhirpath

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const testPatient = `{"resourceType":"Patient","id":"p1","active":true,
 "birthDate":"1970-01-02","_birthDate":{"id":"bd","extension":[{"url":"http://hl7.org/fhir/StructureDefinition/patient-birthTime","valueDateTime":"1970-01-02T03:04:00+07:00"}]},
 "name":[{"use":"official","family":"Nguyễn","given":["Văn","An"],"_given":[null,{"extension":[{"url":"u","valueString":"x"}]}]},
         {"use":"nickname","given":["Bé"]}],
 "deceasedBoolean":false,
 "managingOrganization":{"reference":"#o1"},
 "generalPractitioner":[{"reference":"Practitioner/pr1"},{"reference":"http://example.org/fhir/Organization/o9/_history/2"}],
 "contained":[{"resourceType":"Organization","id":"o1","name":"Trạm y tế xã"}]}`

func mustDecode(tb testing.TB, s string) Value {
	tb.Helper()
	v, err := DecodeJSON([]byte(s))
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func show(c Collection) string {
	parts := make([]string, len(c))
	for i, v := range c {
		_, parts[i] = describe(v)
	}
	return strings.Join(parts, ",")
}

func TestEvaluate(t *testing.T) {
	pat := mustDecode(t, testPatient)
	pr := mustDecode(t, `{"resourceType":"Practitioner","id":"pr1","name":[{"family":"Trần"}]}`)
	fixed := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	base := Options{
		Now:  func() time.Time { return fixed },
		Vars: map[string]Collection{"limit": {Integer(2)}},
		Resolver: func(ref string) (Value, bool) {
			if ref == "Practitioner/pr1" {
				return pr, true
			}
			return nil, false
		},
	}
	tests := []struct {
		expr  string
		typed bool
		want  string
	}{
		{"Patient.name.where(use='official').family", false, "Nguyễn"},
		{"name.given", false, "Văn,An,Bé"},
		{"name.given.count() = %limit + 1", false, "true"},
		{"deceased", false, "false"},
		{"deceased is boolean", false, "true"},
		{"deceased.type().name", true, "boolean"},
		{"birthDate < @2000-01-01", false, "true"},
		{"birthDate < @2000-01-01", true, "true"},
		{"birthDate.extension('http://hl7.org/fhir/StructureDefinition/patient-birthTime').value", true, "@1970-01-02T03:04:00+07:00"},
		{"birthDate.id", true, "bd"},
		{"name.given.select($this.hasValue())", true, "true,true,true"},
		{"name[0].given[1].extension.value", true, "x"},
		{"managingOrganization.resolve().name", true, "Trạm y tế xã"},
		{"generalPractitioner.resolve().name.family", true, "Trần"},
		{"generalPractitioner.resolve() is Practitioner", true, "true"},
		{"getResourceKey()", false, "p1"},
		{"generalPractitioner.getReferenceKey()", false, "pr1,o9"},
		{"generalPractitioner.getReferenceKey(Organization)", false, "o9"},
		{"today()", false, "@2024-01-02"},
		{"(birthDate + 1 year).toString()", true, "1971-01-02"},
		{"%resource.id & '-' & %context.id", false, "p1-p1"},
		{"name.given.aggregate($total & $this, '')", false, "VănAnBé"},
		{"children().ofType(HumanName).count()", true, "2"},
		{"descendants().where($this is Reference).reference", true, "Practitioner/pr1,http://example.org/fhir/Organization/o9/_history/2,#o1"},
	}
	for _, tc := range tests {
		t.Run(tc.expr, func(t *testing.T) {
			opts := base
			if tc.typed {
				opts.Model = loadModel(t)
			}
			got, err := MustParse(tc.expr).Evaluate(pat, &opts)
			if err != nil {
				t.Fatalf("error: %v", err)
			}
			if s := show(got); s != tc.want {
				t.Errorf("got %q, want %q", s, tc.want)
			}
		})
	}
}

func TestEvaluateBool(t *testing.T) {
	pat := mustDecode(t, testPatient)
	tests := []struct {
		expr    string
		want    bool
		wantErr bool
	}{
		{"name.exists()", true, false},
		{"link.exists()", false, false},
		{"link", false, false},
		{"id", true, false},
		{"name.given", false, true},
		{"name.all(given.exists()) and active", true, false},
	}
	for _, tc := range tests {
		got, err := MustParse(tc.expr).EvaluateBool(pat, nil)
		if (err != nil) != tc.wantErr || got != tc.want {
			t.Errorf("%s: got %v, %v; want %v, error %v", tc.expr, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestErrors(t *testing.T) {
	pat := mustDecode(t, testPatient)
	parseErrs := []struct {
		expr string
		pos  int
	}{
		{"name.", 5},
		{"name.where(", 11},
		{"1 + ", 4},
		{"'abc", 0},
		{"name.nosuchfunction()", 5},
		{"@20x", 0},
		{"name.first(1)", 5},
	}
	for _, tc := range parseErrs {
		_, err := Parse(tc.expr)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: got %v, want a SyntaxError", tc.expr, err)
			continue
		}
		if se.Pos != tc.pos {
			t.Errorf("%q: error at %d, want %d (%v)", tc.expr, se.Pos, tc.pos, err)
		}
	}
	evalErrs := []string{
		"name.given.single()",
		"(1 | 2) + 1",
		"'a' < 1",
		"%undefined",
		"name.given.memberOf('http://x')",
		"name.startsWith('N')",
	}
	for _, src := range evalErrs {
		_, err := MustParse(src).Evaluate(pat, nil)
		if !errors.Is(err, ErrEvaluation) {
			t.Errorf("%q: got %v, want an evaluation error", src, err)
		}
	}
}

func TestStrictChoiceNames(t *testing.T) {
	obs := decodeFixture(t, "observation-example.json")
	e := MustParse("Observation.valueQuantity.unit")
	got, err := e.Evaluate(obs, &Options{Model: loadModel(t)})
	if err != nil || show(got) != "lbs" {
		t.Errorf("lenient: got %v, %v; want lbs", show(got), err)
	}
	if _, err := e.Evaluate(obs, &Options{Model: loadModel(t), Strict: true}); err == nil {
		t.Error("strict: valueQuantity accepted, want an error")
	}
}

func TestStringRoundTrip(t *testing.T) {
	for _, s := range append(benchExpressions, "-(1 + 2) * 3", "a.`b c`", "%`vs-x`", "x is FHIR.Patient", "4 'mg' + 2 days") {
		e := MustParse(s)
		again := MustParse(e.String())
		if again.String() != e.String() {
			t.Errorf("%q -> %q -> %q", s, e.String(), again.String())
		}
	}
}

// requireShared returns the shared data folder (../shared from the
// repository root), skipping the test when it is absent, or failing it
// when SEN_REQUIRE_ALL=1.
func requireShared(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "..", "shared")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("SEN_REQUIRE_ALL") == "1" {
			tb.Fatalf("shared data required: %v", err)
		}
		tb.Skipf("shared data not available: %v", err)
	}
	return dir
}

// TestSearchExpressionsOverExamples evaluates every R4 search parameter
// expression of a resource's type over each official example resource:
// none may fail.
func TestSearchExpressionsOverExamples(t *testing.T) {
	dir := filepath.Join(requireShared(t), "fhir", "examples-more")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples in %s: %v", dir, err)
	}
	opts := &Options{Model: loadModel(t)}
	cache := map[string][]*Expression{}
	evaluated := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		res, err := DecodeJSON(data)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		typ := res.TypeName()
		exprs, ok := cache[typ]
		if !ok {
			exprs = searchExpressions(t, typ)
			cache[typ] = exprs
		}
		for _, e := range exprs {
			if _, err := e.Evaluate(res, opts); err != nil {
				t.Errorf("%s: %s: %v", filepath.Base(f), e, err)
			}
			evaluated++
		}
	}
	t.Logf("%d search expression evaluations over %d resources", evaluated, len(files))
}
