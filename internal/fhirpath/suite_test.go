package fhirpath

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir/r4"
)

// The official FHIRPath test suite for FHIR R4 (testdata/suite, see
// testdata/README.md), run against the JSON twins of its input files.

type suiteFile struct {
	Groups []struct {
		Name      string      `xml:"name,attr"`
		Tests     []suiteCase `xml:"test"`
		ModeTests []suiteCase `xml:"modeTest"`
	} `xml:"group"`
}

type suiteCase struct {
	Name       string `xml:"name,attr"`
	InputFile  string `xml:"inputfile,attr"`
	Mode       string `xml:"mode,attr"`
	Predicate  string `xml:"predicate,attr"`
	Ordered    string `xml:"ordered,attr"`
	Expression struct {
		Text    string `xml:",chardata"`
		Invalid string `xml:"invalid,attr"`
		Mode    string `xml:"mode,attr"`
	} `xml:"expression"`
	Outputs []struct {
		Type string `xml:"type,attr"`
		Text string `xml:",chardata"`
	} `xml:"output"`
	group    string
	modeTest bool
}

// suiteExclusions lists tests that cannot apply to evaluation over R4
// JSON, with the reason. Every other test counts; a failure is a failure.
var suiteExclusions = map[string]string{}

var (
	modelOnce sync.Once
	testModel Model
)

func loadModel(tb testing.TB) Model {
	tb.Helper()
	modelOnce.Do(func() { testModel = R4(r4.Load()) })
	return testModel
}

func loadSuite(tb testing.TB) []suiteCase {
	tb.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "suite", "tests-fhir-r4.xml"))
	if err != nil {
		tb.Fatalf("read suite: %v", err)
	}
	var f suiteFile
	if err := xml.Unmarshal(data, &f); err != nil {
		tb.Fatalf("parse suite: %v", err)
	}
	var cases []suiteCase
	for _, g := range f.Groups {
		for _, c := range g.Tests {
			c.group = g.Name
			cases = append(cases, c)
		}
		for _, c := range g.ModeTests {
			c.group, c.modeTest = g.Name, true
			cases = append(cases, c)
		}
	}
	return cases
}

func TestOfficialSuite(t *testing.T) {
	cases := loadSuite(t)
	model := loadModel(t)
	inputs := map[string]Value{}
	pass, fail, excluded := 0, 0, 0
	var failures []string
	for _, tc := range cases {
		if why, ok := suiteExclusions[tc.Name]; ok {
			excluded++
			t.Logf("excluded %s: %s", tc.Name, why)
			continue
		}
		err := runSuiteCase(tc, model, inputs)
		if err != nil {
			fail++
			failures = append(failures, fmt.Sprintf("%s/%s: %s\n    expr: %s", tc.group, tc.Name, err, strings.TrimSpace(tc.Expression.Text)))
			continue
		}
		pass++
	}
	total := pass + fail
	for _, f := range failures {
		t.Log("FAIL " + f)
	}
	t.Logf("official FHIRPath R4 suite: %d/%d passed (%.1f%%), %d excluded", pass, total, 100*float64(pass)/float64(total), excluded)
	if float64(pass) < 0.95*float64(total) {
		t.Errorf("pass rate below 95%%: %d/%d", pass, total)
	}
}

func runSuiteCase(tc suiteCase, model Model, inputs map[string]Value) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("PANIC: %v", r)
		}
	}()
	var input Value
	if tc.InputFile != "" {
		name := strings.TrimSuffix(tc.InputFile, ".xml")
		name = strings.TrimSuffix(name, ".json") + ".json"
		if v, ok := inputs[name]; ok {
			input = v
		} else {
			data, rerr := os.ReadFile(filepath.Join("testdata", "suite", name))
			if rerr != nil {
				return fmt.Errorf("input: %w", rerr)
			}
			v, derr := DecodeJSON(data)
			if derr != nil {
				return fmt.Errorf("input: %w", derr)
			}
			inputs[name] = v
			input = v
		}
	}
	invalid := tc.Expression.Invalid
	expr, perr := Parse(tc.Expression.Text)
	if perr != nil {
		if invalid != "" {
			return nil
		}
		return fmt.Errorf("parse: %v", perr)
	}
	opts := &Options{
		Model: model,
		// Run the suite as a strict engine; the lenient/polymorphics mode
		// tests are the ones that allow valueQuantity-style names.
		Strict: !(tc.modeTest && strings.Contains(tc.Mode, "lenient")),
		Now:    func() time.Time { return time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("", 7*3600)) },
	}
	res, eerr := expr.Evaluate(input, opts)
	if invalid != "" {
		if eerr == nil {
			return fmt.Errorf("expected %s error, got %s", invalid, formatCollection(res))
		}
		return nil
	}
	if eerr != nil {
		return fmt.Errorf("evaluate: %v", eerr)
	}
	if tc.Predicate == "true" {
		res = Collection{Boolean(len(res) > 0)}
	}
	var want []string
	for _, o := range tc.Outputs {
		want = append(want, o.Type+":"+strings.TrimSpace(o.Text))
	}
	got := make([]string, len(res))
	for i, v := range res {
		typ, text := describe(v)
		got[i] = typ + ":" + text
	}
	// Untyped expectations compare the text only.
	for i, o := range tc.Outputs {
		if o.Type == "" && i < len(got) {
			got[i] = ":" + got[i][strings.IndexByte(got[i], ':')+1:]
		}
	}
	if tc.Ordered == "false" {
		if !sameMultiset(got, want) {
			return fmt.Errorf("got %v, want (any order) %v", got, want)
		}
		return nil
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		return fmt.Errorf("got %v, want %v", got, want)
	}
	return nil
}

func sameMultiset(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
		if seen[x] < 0 {
			return false
		}
	}
	return true
}

// describe gives the suite's type name and text for a result item.
func describe(v Value) (typ, text string) {
	if n, ok := v.(*Node); ok {
		typ = n.typ
		if typ == "" {
			if _, isStr := n.data.(string); isStr {
				typ = "string"
			}
		}
	}
	x, _ := system(v)
	switch s := x.(type) {
	case String:
		text = string(s)
	case Temporal:
		text = "@" + s.String()
		if s.kind == kindTime {
			text = "@T" + s.String()
		}
	case *Quantity:
		text = s.String()
	default:
		text, _ = stringOf(x)
	}
	if typ == "" {
		switch t := strings.TrimPrefix(x.TypeName(), "System."); t {
		case "DateTime":
			typ = "dateTime"
		case "Quantity":
			typ = "Quantity"
		default:
			typ = strings.ToLower(t)
		}
	}
	return typ, text
}

func formatCollection(c Collection) string {
	parts := make([]string, len(c))
	for i, v := range c {
		t, s := describe(v)
		parts[i] = t + ":" + s
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
