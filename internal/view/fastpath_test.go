package view

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhirpath"
)

// withoutFast returns a copy of v's select tree evaluated by FHIRPath only.
func withoutFast(tb testing.TB, src []byte) *View {
	tb.Helper()
	v, err := Compile(src)
	if err != nil {
		tb.Fatal(err)
	}
	var strip func(s *selectNode)
	strip = func(s *selectNode) {
		for i := range s.columns {
			s.columns[i].fast = fastColumn{}
		}
		for _, c := range s.selects {
			strip(c)
		}
		for _, u := range s.unions {
			strip(u)
		}
	}
	strip(v.root)
	return v
}

func countFast(s *selectNode) int {
	n := 0
	for _, c := range s.columns {
		if c.fast.kind != fastNone {
			n++
		}
	}
	for _, c := range s.selects {
		n += countFast(c)
	}
	for _, u := range s.unions {
		n += countFast(u)
	}
	return n
}

// TestFastPath checks that columns read without FHIRPath give the rows
// and errors FHIRPath gives: every view of the suite over its resources,
// and edge cases of the data (null, arrays where one value is expected,
// extension-only primitives, integer64 as a string).
func TestFastPath(t *testing.T) {
	files, _ := filepath.Glob("testdata/sof/*.json")
	more, _ := filepath.Glob("testdata/cases/*.json")
	files = append(files, more...)
	fastCols := 0
	for _, file := range files {
		var sf suiteFile
		readJSON(t, file, &sf)
		resources := decodeResources(t, sf.Resources)
		for _, tc := range sf.Tests {
			fast, err := Compile(tc.View)
			if err != nil {
				continue
			}
			fastCols += countFast(fast.root)
			slow := withoutFast(t, tc.View)
			name := strings.TrimSuffix(filepath.Base(file), ".json") + "/" + tc.Title
			for i, res := range resources {
				if err := sameEval(fast, slow, res); err != "" {
					t.Errorf("%s, resource %d: %s", name, i, err)
				}
			}
		}
	}
	if fastCols == 0 {
		t.Fatal("no suite column takes the fast path: the comparison tested nothing")
	}
	t.Logf("%d suite columns read without FHIRPath", fastCols)

	view := []byte(`{"resource":"Patient","select":[{"column":[
	  {"name":"key","path":"getResourceKey()"},{"name":"id","path":"id"},{"name":"gender","path":"gender"},
	  {"name":"birth","path":"birthDate"},{"name":"active","path":"active"}]}]}`)
	obsView := []byte(`{"resource":"Observation","select":[{"column":[{"name":"status","path":"status"},{"name":"issued","path":"issued"}]}]}`)
	molView := []byte(`{"resource":"MolecularSequence","select":[{"column":[{"name":"coord","path":"coordinateSystem"}]}]}`)
	tests := []struct {
		name string
		view []byte
		body string
		fast int // columns expected to be fast
	}{
		{"plain", view, `{"resourceType":"Patient","id":"p1","gender":"male","birthDate":"1970-01-02","active":true}`, 5},
		{"absent", view, `{"resourceType":"Patient"}`, 5},
		{"null", view, `{"resourceType":"Patient","id":null,"gender":null,"active":null}`, 5},
		{"extension only", view, `{"resourceType":"Patient","_birthDate":{"extension":[{"url":"u","valueCode":"unknown"}]}}`, 5},
		{"value and extension", view, `{"resourceType":"Patient","birthDate":"1970","_birthDate":{"id":"x"}}`, 5},
		{"array where one value is expected", view, `{"resourceType":"Patient","gender":["male","female"]}`, 5},
		{"object where a value is expected", view, `{"resourceType":"Patient","active":{"x":1}}`, 5},
		{"number id", view, `{"resourceType":"Patient","id":12}`, 5},
		{"other resource type", obsView, `{"resourceType":"Observation","status":"final","issued":"2020-01-01T00:00:00Z"}`, 2},
		{"integer element", molView, `{"resourceType":"MolecularSequence","coordinateSystem":1}`, 1},
		{"integer element as decimal", molView, `{"resourceType":"MolecularSequence","coordinateSystem":1.5}`, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fast, err := Compile(tc.view)
			if err != nil {
				t.Fatal(err)
			}
			if n := countFast(fast.root); n != tc.fast {
				t.Errorf("%d fast columns, want %d", n, tc.fast)
			}
			res, err := fhirpath.DecodeJSON([]byte(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			if msg := sameEval(fast, withoutFast(t, tc.view), res); msg != "" {
				t.Error(msg)
			}
		})
	}
}

func TestFastPathNotTaken(t *testing.T) {
	tests := []string{
		`{"resource":"Patient","select":[{"column":[{"name":"n","path":"name.family"}]}]}`,                // a path
		`{"resource":"Patient","select":[{"column":[{"name":"n","path":"name"}]}]}`,                       // complex
		`{"resource":"Patient","select":[{"column":[{"name":"n","path":"deceased"}]}]}`,                   // choice
		`{"resource":"Patient","select":[{"column":[{"name":"n","path":"gender","collection":true}]}]}`,   // collection
		`{"resource":"Patient","select":[{"forEach":"contact","column":[{"name":"n","path":"gender"}]}]}`, // not the resource
		`{"resource":"Patient","select":[{"column":[{"name":"n","path":"Gender"}]}]}`,                     // a type name
		`{"resource":"Patient","select":[{"column":[{"name":"n","path":"nosuch"}]}]}`,                     // unknown
		`{"resource":"Unknown","select":[{"column":[{"name":"n","path":"getResourceKey()"}]}]}`,           // untyped
	}
	for _, src := range tests {
		v := mustCompile(t, src)
		if n := countFast(v.root); n != 0 {
			t.Errorf("%s: %d fast columns, want 0", src, n)
		}
	}
}

// sameEval evaluates both views over res and describes any difference,
// Go types of the cells included (int64 is not json.Number).
func sameEval(a, b *View, res fhirpath.Value) string {
	collect := func(v *View) ([][]any, error) {
		var rows [][]any
		err := v.Eval(res, func(row []any) error {
			rows = append(rows, append([]any(nil), row...))
			return nil
		})
		return rows, err
	}
	ra, ea := collect(a)
	rb, eb := collect(b)
	if (ea == nil) != (eb == nil) {
		return "errors differ: " + errString(ea) + " vs " + errString(eb)
	}
	if !reflect.DeepEqual(ra, rb) {
		ja, _ := json.Marshal(ra)
		jb, _ := json.Marshal(rb)
		return fmt.Sprintf("rows differ:\n fast     %s %#v\n fhirpath %s %#v", ja, ra, jb, rb)
	}
	return ""
}

func errString(err error) string {
	if err == nil {
		return "none"
	}
	return err.Error()
}
