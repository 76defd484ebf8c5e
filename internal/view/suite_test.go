package view

import (
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

// suiteFile is the format of the SQL-on-FHIR v2 test files
// (https://github.com/FHIR/sql-on-fhir-v2/tree/master/tests).
type suiteFile struct {
	Title     string            `json:"title"`
	Resources []json.RawMessage `json:"resources"`
	Tests     []suiteTest       `json:"tests"`
}

type suiteTest struct {
	Title         string          `json:"title"`
	View          json.RawMessage `json:"view"`
	Expect        []any           `json:"expect"`
	ExpectColumns []string        `json:"expectColumns"`
	ExpectError   bool            `json:"expectError"`
}

// TestSuite runs every test of every file in testdata/sof (the official
// suite) and testdata/cases (Sen's additions). Rows are compared as a
// multiset: the specification does not promise an order.
func TestSuite(t *testing.T) {
	files, err := filepath.Glob("testdata/sof/*.json")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("testdata/cases/*.json")
	files = append(files, more...)
	if len(files) == 0 {
		t.Fatal("no test files in testdata")
	}
	total, passed, failed, known := 0, 0, 0, 0
	for _, file := range files {
		var sf suiteFile
		readJSON(t, file, &sf)
		resources := decodeResources(t, sf.Resources)
		for _, tc := range sf.Tests {
			total++
			name := strings.TrimSuffix(filepath.Base(file), ".json") + "/" + tc.Title
			ok := t.Run(name, func(t *testing.T) {
				err := checkSuiteTest(tc, resources)
				if reason, ok := knownIssues[name]; ok {
					if err == nil {
						t.Fatalf("passes now: remove %q from knownIssues", name)
					}
					t.Skipf("known issue: %s (%v)", reason, err)
				}
				if err != nil {
					t.Fatal(err)
				}
			})
			_, isKnown := knownIssues[name]
			switch {
			case isKnown && ok:
				known++
			case ok:
				passed++
			default:
				failed++
			}
		}
	}
	// The issue's acceptance line: printed on stdout so that it shows
	// without -v.
	fmt.Printf("SQL-on-FHIR suite: %d passed, %d failed (%d known issues skipped; %d tests in %d files)\n", passed, failed, known, total, len(files))
}

// knownIssues are cases that fail because of a defect outside this
// package, with the reason. They still run; the test fails once they pass.
var knownIssues = map[string]string{}

// checkSuiteTest runs one test and describes how it failed, or returns
// nil.
func checkSuiteTest(tc suiteTest, resources []fhirpath.Value) error {
	got, cols, err := runView(tc.View, resources)
	if tc.ExpectError {
		if err == nil {
			return fmt.Errorf("want an error, got columns %v rows %v", cols, got)
		}
		return nil
	}
	if err != nil {
		return err
	}
	if tc.ExpectColumns != nil && !reflect.DeepEqual(cols, tc.ExpectColumns) {
		return fmt.Errorf("columns: got %v, want %v", cols, tc.ExpectColumns)
	}
	if tc.Expect == nil {
		return nil
	}
	want, err := canonicalRows(tc.Expect)
	if err != nil {
		return err
	}
	gotRows, err := canonicalRows(got)
	if err != nil {
		return err
	}
	if !reflect.DeepEqual(gotRows, want) {
		return fmt.Errorf("rows:\n got %s\nwant %s", strings.Join(gotRows, "\n     "), strings.Join(want, "\n     "))
	}
	return nil
}

// runView compiles a view and evaluates it over the resources, returning
// each row as a name -> value object.
func runView(viewJSON []byte, resources []fhirpath.Value) ([]any, []string, error) {
	v, err := Compile(viewJSON)
	if err != nil {
		return nil, nil, err
	}
	var names []string
	for _, c := range v.Columns() {
		names = append(names, c.Name)
	}
	var rows []any
	for _, res := range resources {
		err := v.Eval(res, func(row []any) error {
			obj := make(map[string]any, len(row))
			for i, val := range row {
				obj[names[i]] = val
			}
			rows = append(rows, obj)
			return nil
		})
		if err != nil {
			return rows, names, err
		}
	}
	return rows, names, nil
}

// canonicalRows renders rows as sorted canonical JSON, with every number
// as a float64 so that 1, 1.0 and "1.0"-as-json.Number compare equal.
func canonicalRows(rows []any) ([]string, error) {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		b, err := json.Marshal(r)
		if err != nil {
			return nil, fmt.Errorf("marshal row %v: %w", r, err)
		}
		var generic any
		if err := json.Unmarshal(b, &generic); err != nil {
			return nil, fmt.Errorf("unmarshal row %s: %w", b, err)
		}
		b, _ = json.Marshal(generic)
		out = append(out, string(b))
	}
	sort.Strings(out)
	return out, nil
}

func decodeResources(tb testing.TB, raws []json.RawMessage) []fhirpath.Value {
	tb.Helper()
	out := make([]fhirpath.Value, len(raws))
	for i, raw := range raws {
		v, err := fhirpath.DecodeJSON(raw)
		if err != nil {
			tb.Fatalf("resource %d: %v", i, err)
		}
		out[i] = v
	}
	return out
}

func readJSON(tb testing.TB, path string, v any) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
}

// requireShared returns the path of the shared data folder, skipping the
// test when it is absent, or failing when SEN_REQUIRE_ALL=1 (CI).
func requireShared(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "..", "shared")
	if _, err := os.Stat(dir); err != nil {
		msg := fmt.Sprintf("shared data not found at %s: %v", dir, err)
		if os.Getenv("SEN_REQUIRE_ALL") == "1" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return dir
}
