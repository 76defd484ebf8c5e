package view

import (
	"compress/bzip2"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhirpath"
)

// decodeCases are bodies on which the view decoder must agree with
// fhirpath.DecodeJSON: the same tree when valid, an error when not.
var decodeCases = []struct {
	name, body string
	valid      bool
}{
	{"small", `{"resourceType":"Patient","id":"p1","active":true}`, true},
	{"nested", `{"resourceType":"Patient","name":[{"given":["A","B"],"family":"F"}],"x":{"y":{"z":[1,2,[3]]}}}`, true},
	{"numbers", `{"a":0,"b":-1.5e+3,"c":12.50,"d":[1E2,-0.0]}`, true},
	{"literals", `{"a":true,"b":false,"c":null,"d":[null,true]}`, true},
	{"escapes", `{"s":"a\"b\\c\/d\b\f\n\r\t","u":"\u00e9\u1ea1","pair":"\ud83d\ude00","lone":"\ud800x"}`, true},
	{"vietnamese", `{"resourceType":"Patient","name":[{"family":"Nguyễn","given":["Thị","Lan"]}]}`, true},
	{"whitespace", " \n{ \"a\" : [ 1 , 2 ] ,\t\"b\" : { } , \"c\" : [ ] }\r\n", true},
	{"duplicate key", `{"a":1,"a":2}`, true},
	{"primitive extension", `{"birthDate":"1970","_birthDate":{"extension":[{"url":"u","valueDateTime":"1970-01-01"}]}}`, true},
	{"empty object", `{}`, true},
	{"not an object", `[1,2]`, true},
	{"string", `"x"`, true},
	{"trailing data", `{"a":1} x`, false},
	{"unterminated object", `{"a":1`, false},
	{"unterminated string", `{"a":"x}`, false},
	{"control character", "{\"a\":\"x\ny\"}", false},
	{"bad escape", `{"a":"\x"}`, false},
	{"bad unicode escape", `{"a":"\u12G4"}`, false},
	{"leading zero", `{"a":01}`, false},
	{"bare minus", `{"a":-}`, false},
	{"bad fraction", `{"a":1.}`, false},
	{"bad exponent", `{"a":1e}`, false},
	{"bad literal", `{"a":tru}`, false},
	{"missing colon", `{"a" 1}`, false},
	{"missing comma", `{"a":1 "b":2}`, false},
	{"trailing comma", `{"a":1,}`, false},
	{"array trailing comma", `{"a":[1,]}`, false},
	{"key not a string", `{a:1}`, false},
	{"empty", ``, false},
	{"deep", strings.Repeat(`{"a":`, 600) + `1` + strings.Repeat(`}`, 600), false},
	{"deep array", `{"a":` + strings.Repeat(`[`, 600) + strings.Repeat(`]`, 600) + `}`, false},
}

// TestDecodeMatchesFHIRPath checks the view decoder against the FHIRPath
// decoder, keeping every element and keeping only "id": a projection may
// drop elements, never change what is kept or accept a broken body.
func TestDecodeMatchesFHIRPath(t *testing.T) {
	all := &View{}
	idOnly := &View{keep: &projection{names: map[string]bool{"id": true}}}
	for _, tc := range decodeCases {
		t.Run(tc.name, func(t *testing.T) {
			want, wantErr := fhirpath.DecodeJSON([]byte(tc.body))
			if (wantErr == nil) != tc.valid {
				t.Fatalf("fhirpath.DecodeJSON error = %v, case says valid = %v", wantErr, tc.valid)
			}
			got, err := all.decode([]byte(tc.body))
			if (err == nil) != tc.valid {
				t.Fatalf("decode error = %v, want valid = %v", err, tc.valid)
			}
			if tc.valid && !reflect.DeepEqual(got.Raw(), want.Raw()) {
				t.Errorf("decode = %#v, want %#v", got.Raw(), want.Raw())
			}
			got, err = idOnly.decode([]byte(tc.body))
			if (err == nil) != tc.valid {
				t.Fatalf("projected decode error = %v, want valid = %v", err, tc.valid)
			}
			if !tc.valid {
				return
			}
			wm, ok := want.Raw().(map[string]any)
			if !ok {
				if !reflect.DeepEqual(got.Raw(), want.Raw()) {
					t.Errorf("projected decode of a non-object = %#v, want %#v", got.Raw(), want.Raw())
				}
				return
			}
			projected := map[string]any{}
			if id, ok := wm["id"]; ok {
				projected["id"] = id
			}
			if !reflect.DeepEqual(got.Raw(), projected) {
				t.Errorf("projected decode = %#v, want %#v", got.Raw(), projected)
			}
		})
	}
}

// FuzzDecode: on any input the view decoder accepts what the FHIRPath
// decoder accepts, and builds the same tree.
func FuzzDecode(f *testing.F) {
	for _, tc := range decodeCases {
		f.Add([]byte(tc.body))
	}
	all := &View{}
	idOnly := &View{keep: &projection{names: map[string]bool{"id": true}}}
	f.Fuzz(func(t *testing.T, body []byte) {
		want, wantErr := fhirpath.DecodeJSON(body)
		got, err := all.decode(body)
		if (err == nil) != (wantErr == nil) {
			t.Fatalf("decode error %v, fhirpath error %v", err, wantErr)
		}
		if err == nil && !reflect.DeepEqual(got.Raw(), want.Raw()) {
			t.Fatalf("decode = %#v, want %#v", got.Raw(), want.Raw())
		}
		if _, err := idOnly.decode(body); (err == nil) != (wantErr == nil) {
			t.Fatalf("projected decode error %v, fhirpath error %v", err, wantErr)
		}
	})
}

func TestProjection(t *testing.T) {
	tests := []struct {
		name  string
		paths []string
		want  []string // nil: no projection (every element kept)
	}{
		{"simple paths", []string{"getResourceKey()", "gender", "name.first().family"},
			[]string{"family", "first", "gender", "getResourceKey", "id", "name", "resourceType"}},
		{"functions after a dot and in arguments", []string{"code.coding.where(system='http://loinc.org' and code='1').exists()"},
			[]string{"and", "code", "coding", "exists", "id", "resourceType", "system", "where"}},
		{"string literals and comments are not names", []string{"status != 'entered-in-error' // active\n", "/* x */ subject"},
			[]string{"id", "resourceType", "status", "subject"}},
		{"delimited identifier", []string{"`div`.exists()"}, []string{"div", "exists", "id", "resourceType"}},
		{"constants are not names", []string{"gender = %g", "%`my const`"}, []string{"gender", "id", "resourceType"}},
		{"root functions that do not return the resource", []string{"extension('u').value", "exists()", "iif(active, 'y', 'n')"},
			[]string{"active", "exists", "extension", "id", "iif", "resourceType", "value"}},
		{"$this", []string{"name", "$this.gender"}, nil},
		{"$this inside where still defeats", []string{"name.where($this.use = 'official')"}, nil},
		{"%resource", []string{"%resource.id"}, nil},
		{"%rootResource", []string{"%rootResource"}, nil},
		{"%context", []string{"%context.name"}, nil},
		{"resource type name", []string{"Patient.name"}, nil},
		{"first() on the resource", []string{"first()"}, nil},
		{"where() on the resource", []string{"where(active)"}, nil},
		{"ofType() on the resource", []string{"ofType(Patient)"}, nil},
		{"children", []string{"name.children()"}, nil},
		{"descendants", []string{"descendants()"}, nil},
		{"trace", []string{"name.trace('x')"}, nil},
		{"resolve", []string{"managingOrganization.resolve().name"}, nil},
		{"Resource type", []string{"contained.ofType(Resource)"}, nil},
		{"$index is fine", []string{"name.select($index)"}, []string{"id", "name", "resourceType", "select"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := newProjection("Patient", tc.paths)
			if tc.want == nil {
				if p != nil {
					t.Fatalf("projection %v, want none", sortedNames(p))
				}
				return
			}
			if p == nil {
				t.Fatalf("no projection, want %v", tc.want)
			}
			if got := sortedNames(p); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("names %v, want %v", got, tc.want)
			}
		})
	}
}

func TestProjectionHas(t *testing.T) {
	p := &projection{names: map[string]bool{"id": true, "deceased": true, "birthDate": true, "value": true}}
	tests := []struct {
		key  string
		want bool
	}{
		{"id", true}, {"birthDate", true}, {"_birthDate", true},
		{"deceasedBoolean", true}, {"deceasedDateTime", true}, {"_deceasedDateTime", true},
		{"valueQuantity", true}, {"valueset", false}, {"name", false}, {"_name", false},
		{"text", false}, {"deceasedx", false}, {"", false}, {"_", false},
	}
	for _, tc := range tests {
		if got := p.has(tc.key); got != tc.want {
			t.Errorf("has(%q) = %v, want %v", tc.key, got, tc.want)
		}
	}
	var none *projection
	if !none.has("anything") {
		t.Error("a nil projection must keep every element")
	}
}

func sortedNames(p *projection) []string {
	var names []string
	for n := range p.names {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TestEvalJSONProjectedSuite runs every view of the SQL-on-FHIR suite over
// its resources twice, through EvalJSON (projected decode) and through
// Eval over the fully decoded resource, and requires the same rows in the
// same order, or an error from both.
func TestEvalJSONProjectedSuite(t *testing.T) {
	files, _ := filepath.Glob("testdata/sof/*.json")
	more, _ := filepath.Glob("testdata/cases/*.json")
	files = append(files, more...)
	if len(files) == 0 {
		t.Fatal("no test files in testdata")
	}
	views, projected := 0, 0
	for _, file := range files {
		var sf suiteFile
		readJSON(t, file, &sf)
		for _, tc := range sf.Tests {
			v, err := Compile(tc.View)
			if err != nil {
				continue
			}
			views++
			if v.keep != nil {
				projected++
			}
			name := strings.TrimSuffix(filepath.Base(file), ".json") + "/" + tc.Title
			for i, raw := range sf.Resources {
				if err := sameRows(v, raw); err != nil {
					t.Errorf("%s, resource %d: %v", name, i, err)
				}
			}
		}
	}
	if projected == 0 {
		t.Fatal("no suite view was projected: the comparison tested nothing")
	}
	t.Logf("%d views, %d with a projection", views, projected)
}

// TestEvalJSONProjectedSynthea does the same with the shipped population
// views and views like them over real Synthea bundles.
func TestEvalJSONProjectedSynthea(t *testing.T) {
	dir := filepath.Join(requireShared(t), "fhir", "synthea")
	files, err := filepath.Glob(filepath.Join(dir, "*.json.bz2"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no Synthea bundles in %s: %v", dir, err)
	}
	shipped, _ := filepath.Glob(filepath.Join("..", "clinical", "population", "views", "*.json"))
	var views []*View
	for _, f := range shipped {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		views = append(views, mustCompile(t, string(b)))
	}
	views = append(views,
		mustCompile(t, `{"resource":"Patient","select":[{"column":[{"name":"id","path":"getResourceKey()"},
		  {"name":"race","path":"extension('http://hl7.org/fhir/us/core/StructureDefinition/us-core-race').extension('text').value.ofType(string)"},
		  {"name":"mrn","path":"identifier.where(type.coding.code='MR').value"}]},
		  {"forEach":"name","column":[{"name":"family","path":"family"},{"name":"given","path":"given","collection":true}]}]}`),
		mustCompile(t, `{"resource":"Observation","select":[{"column":[{"name":"id","path":"getResourceKey()"},
		  {"name":"value","path":"value.ofType(Quantity).value"},{"name":"unit","path":"value.ofType(Quantity).code"}]}]}`),
	)
	for _, v := range views {
		if v.keep == nil {
			t.Errorf("view over %s has no projection", v.Resource())
		}
	}
	limit := 3
	if testing.Short() {
		limit = 1
	}
	checked := 0
	for _, f := range files {
		if strings.HasPrefix(filepath.Base(f), "0-") || limit == 0 {
			continue
		}
		limit--
		for _, raw := range rawBundle(t, f) {
			for _, v := range views {
				if err := sameRows(v, raw); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
			}
			checked++
		}
	}
	t.Logf("%d resources × %d views", checked, len(views))
}

// sameRows evaluates v over raw by EvalJSON and by Eval over
// fhirpath.DecodeJSON and compares rows and errors.
func sameRows(v *View, raw []byte) error {
	collect := func(eval func(emit func([]any) error) error) ([]string, error) {
		var rows []string
		err := eval(func(row []any) error {
			b, err := json.Marshal(row)
			if err != nil {
				return err
			}
			rows = append(rows, string(b))
			return nil
		})
		return rows, err
	}
	got, gotErr := collect(func(emit func([]any) error) error { return v.EvalJSON(raw, emit) })
	want, wantErr := collect(func(emit func([]any) error) error {
		res, err := fhirpath.DecodeJSON(raw)
		if err != nil {
			return err
		}
		return v.Eval(res, emit)
	})
	if (gotErr == nil) != (wantErr == nil) {
		return fmt.Errorf("EvalJSON error %v, Eval error %v", gotErr, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("EvalJSON rows\n %v\nEval rows\n %v", got, want)
	}
	return nil
}

// rawBundle returns the entry resources of a bzip2 bundle as JSON.
func rawBundle(tb testing.TB, path string) []json.RawMessage {
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
	out := make([]json.RawMessage, len(bundle.Entry))
	for i, e := range bundle.Entry {
		out[i] = e.Resource
	}
	return out
}
