package search

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
)

// describe renders a filter tree compactly: and(or(a, b), not(c)), where a
// leaf is param[:modifier][>chain…]=value-form.
func describe(f *Filter) string {
	if f == nil {
		return "nil"
	}
	if f.Op != "" {
		var parts []string
		for _, ch := range f.Children {
			parts = append(parts, describe(ch))
		}
		return f.Op + "(" + strings.Join(parts, ", ") + ")"
	}
	return describeClause(f.Clause)
}

func describeClause(c *Clause) string {
	s := c.Param
	if c.Modifier != "" {
		s += ":" + c.Modifier
	}
	if c.Chain != nil {
		return s + ">" + c.Chain.TargetType + "." + describeClause(&c.Chain.Clause)
	}
	if c.Filter != nil {
		return s + "{" + describe(c.Filter) + "}"
	}
	var vs []string
	for _, v := range c.Values {
		x := v.Prefix + v.Raw
		if strings.HasPrefix(v.Raw, v.Prefix) {
			x = v.Raw // quantities keep their prefix in Raw
		}
		switch {
		case v.Norm != "" && c.Type == TypeString:
			x = v.Prefix + v.Norm
		case c.Modifier == "missing":
			x = "missing=" + map[bool]string{true: "true", false: "false"}[v.Missing]
		case v.HasSystem:
			x = v.System + "|" + v.Code
		case len(v.Terms) > 0:
			x = strings.Join(v.Terms, "+")
		}
		vs = append(vs, x)
	}
	return s + "=" + strings.Join(vs, ",")
}

func TestParseFilter(t *testing.T) {
	m := r4.Load()
	tests := []struct {
		typ, expr string
		want      string // describe(filter) of the single _filter clause
		wantErr   string // substring; the error must be KindInvalid
	}{
		{"Patient", `name co "pet"`, `name:contains=pet`, ""},
		{"Patient", `given eq "Peter" and birthdate ge 2014-10-10`, `and(given:=eq=peter, birthdate=ge2014-10-10)`, ""},
		{"Observation", `code eq http://loinc.org|1234-5`, `code=http://loinc.org|1234-5`, ""},
		{"Observation", `subject:Patient.name co "pet"`, `subject:Patient>Patient.name:contains=pet`, ""},
		{"Observation", `patient.name sw Ng`, `patient>Patient.name=ng`, ""},
		{"Patient", `gender eq male or gender eq female and birthdate lt 1970`, `or(gender=male, and(gender=female, birthdate=lt1970))`, ""},
		{"Patient", `(gender eq male or gender eq female) and birthdate lt 1970`, `and(or(gender=male, gender=female), birthdate=lt1970)`, ""},
		{"Patient", `not (gender eq male)`, `not(gender=male)`, ""},
		{"Patient", `NOT (gender EQ male) AND active eq true`, `and(not(gender=male), active=true)`, ""},
		{"Patient", `gender ne male`, `gender:not=male`, ""},
		{"Patient", `family ne "Nguyễn"`, `not(family:=eq=nguyen)`, ""},
		{"Patient", `family ew "ễn"`, `family:=ew=en`, ""},
		{"Patient", `birthdate po 1980`, `birthdate=po1980`, ""},
		{"Patient", `birthdate pr true`, `birthdate:missing=missing=false`, ""},
		{"Patient", `birthdate pr false`, `birthdate:missing=missing=true`, ""},
		{"Patient", `general-practitioner re Practitioner/1`, `general-practitioner=Practitioner/1`, ""},
		{"Patient", `general-practitioner ne Practitioner/1`, `not(general-practitioner=Practitioner/1)`, ""},
		{"Observation", `value-quantity gt 5.4|http://unitsofmeasure.org|mg`, `value-quantity=gt5.4|http://unitsofmeasure.org|mg`, ""},
		{"Condition", `code in http://example.org/vs`, `code:in=http://example.org/vs`, ""},
		{"Condition", `code ni http://example.org/vs`, `code:not-in=http://example.org/vs`, ""},
		{"Condition", `code ss http://snomed.info/sct|123`, `code:above=http://snomed.info/sct|123`, ""},
		{"Condition", `code sb http://snomed.info/sct|123`, `code:below=http://snomed.info/sct|123`, ""},
		{"ValueSet", `url sw http://hl7.org/fhir`, `url:below=http://hl7.org/fhir`, ""},
		{"Patient", `_id eq a or _id ne b`, `or(_id=a, _id:not=b)`, ""},
		{"Patient", `_content co "heart failure"`, `_content=heart+failure`, ""},
		{"Patient", `name eq "a,b|c"`, `name:=eq=a,b|c`, ""},
		{"Observation", `patient[gender eq female].birthdate lt 1970`, `patient>Patient._filter{and(gender=female, birthdate=lt1970)}`, ""},
		{"Observation", `subject:Patient[gender eq female and name sw a].name sw b`, `subject:Patient>Patient._filter{and(and(gender=female, name=a), name=b)}`, ""},
		{"", `_id eq 1`, `_id=1`, ""},

		{"Patient", `gender eq`, ``, "needs a value"},
		{"Patient", `gender`, ``, "expected an operator"},
		{"Patient", `gender is male`, ``, `unknown operator "is"`},
		{"Patient", `(gender eq male`, ``, `expected ")"`},
		{"Patient", `gender eq male)`, ``, `unexpected ")"`},
		{"Patient", `gender eq male xor gender eq female`, ``, `unexpected "xor"`},
		{"Patient", `name gt "a"`, ``, "operator gt is not supported on name (a string parameter)"},
		{"Patient", `gender co ma`, ``, "operator co is not supported on gender"},
		{"Patient", `nonsense eq 1`, ``, "unknown search parameter nonsense"},
		{"Patient", `birthdate ge notadate`, ``, "birthdate ge"},
		{"Patient", `name eq "unterminated`, ``, "unterminated string"},
		{"Patient", `birthdate pr maybe`, ``, "pr takes true or false"},
		{"Observation", `subject.name co pet`, `subject>.name:contains=pet`, ""},
		{"Observation", `subject[name co pet].identifier eq x`, ``, "subject may refer to"},
		{"Observation", `status.name eq x`, ``, "only reference parameters can be chained"},
		{"Observation", `component-code-value-quantity[code eq 8480-6].value pr true`, ``, "composite sub-filters are not supported"},
		{"Observation", `patient[gender eq male] pr true`, ``, "must be followed by .parameter"},
		{"Patient", `_has:Observation:patient:code eq 1`, ``, "is not a parameter name"},
		{"Patient", `1name eq x`, ``, "is not a parameter name"},
		{"Patient", `not gender eq male`, ``, "not must be followed by a parenthesised expression"},
		{"Patient", strings.Repeat("(", 40) + "gender eq male" + strings.Repeat(")", 40), ``, "nested deeper"},
		{"Patient", strings.Repeat("gender eq male or ", 70) + "gender eq male", ``, "more than 64 comparisons"},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"?"+tt.expr, func(t *testing.T) {
			q, err := ParseQuery(m, tt.typ, url.Values{"_filter": {tt.expr}}, true)
			if tt.wantErr != "" {
				var fe *fhir.Error
				if err == nil || !errors.As(err, &fe) || fe.Kind != fhir.KindInvalid || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want KindInvalid containing %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), "_filter") {
					t.Errorf("error %q does not name _filter", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(q.Clauses) != 1 || q.Clauses[0].Param != "_filter" {
				t.Fatalf("clauses %+v, want one _filter", q.Clauses)
			}
			if got := describe(q.Clauses[0].Filter); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestTextValues(t *testing.T) {
	tests := []struct {
		value   string
		want    [][]string // terms per alternative
		wantErr string
	}{
		{"heart", [][]string{{"heart"}}, ""},
		{"Heart FAILURE", [][]string{{"heart", "failure"}}, ""},
		{`"heart failure" chronic`, [][]string{{"heart failure", "chronic"}}, ""},
		{"Tăng huyết áp", [][]string{{"tang", "huyet", "ap"}}, ""},
		{"heart,lung", [][]string{{"heart"}, {"lung"}}, ""},
		{"heart OR lung kidney", [][]string{{"heart"}, {"lung", "kidney"}}, ""},
		{`heart\,lung`, [][]string{{"heart lung"}}, ""}, // an escaped comma is text
		{"type-2", [][]string{{"type 2"}}, ""},
		{"or", [][]string{{"or"}}, ""},
		{`"unclosed`, nil, "unterminated"},
		{`"" ,`, nil, "no word"},
		{"--- ...", nil, "no word"},
		{strings.Repeat("a ", 40), nil, "more than 32 terms"},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			vs, err := textValues("_text", tt.value)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), "_text") {
					t.Fatalf("error %v, want one naming _text containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got [][]string
			for _, v := range vs {
				got = append(got, v.Terms)
			}
			if describeTerms(got) != describeTerms(tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func describeTerms(ts [][]string) string {
	var parts []string
	for _, t := range ts {
		parts = append(parts, strings.Join(t, "+"))
	}
	return strings.Join(parts, " | ")
}

func TestTextMatch(t *testing.T) {
	doc := map[string]any{
		"resourceType": "Condition",
		"text":         map[string]any{"div": `<div xmlns="http://www.w3.org/1999/xhtml">Tăng <b>huyết</b> áp &amp; đái tháo đường<br/>type-2</div>`},
		"code":         map[string]any{"text": "Hypertension", "coding": []any{map[string]any{"display": "Essential hypertension", "code": "I10"}}},
		"note":         []any{map[string]any{"text": "heart"}, map[string]any{"text": "failure"}},
		"onsetAge":     map[string]any{"value": 54.0},
	}
	narrative, content := NarrativeWords(doc), ContentWords(doc)
	tests := []struct {
		value             string
		narrative, contnt bool
	}{
		{"huyet ap", true, true},
		{"HUYẾT", true, true},
		{`"tang huyet ap"`, true, true},
		{`"huyet tang"`, false, false},
		{"dai thao duong", true, true},
		{"type 2", true, true},
		{"hyper", false, true},
		{"essential", false, true},
		{"i10", false, true},
		{"condition", false, true},
		{"heart failure", false, true},
		{`"heart failure"`, false, false}, // a phrase never spans two values
		{"54", false, false},              // numbers are not text
		{"div", false, false},             // tags are not text
		{"xhtml", false, false},
		{"amp", false, false},
		{"hypertension OR nothing", false, true},
		{"nothing", false, false},
	}
	for _, tt := range tests {
		vs, err := textValues("_text", tt.value)
		if err != nil {
			t.Fatal(err)
		}
		any := func(words []string) bool {
			for i := range vs {
				if TextMatch(words, &vs[i]) {
					return true
				}
			}
			return false
		}
		if got := any(narrative); got != tt.narrative {
			t.Errorf("_text=%s: %v, want %v (words %v)", tt.value, got, tt.narrative, narrative)
		}
		if got := any(content); got != tt.contnt {
			t.Errorf("_content=%s: %v, want %v", tt.value, got, tt.contnt)
		}
	}
}

// FuzzParseFilter checks that no _filter expression makes the parser panic
// and that every rejection is a KindInvalid error naming _filter.
func FuzzParseFilter(f *testing.F) {
	m := r4.Load()
	f.Add("Patient", `name co "pet" and (birthdate ge 2014 or not (gender eq male))`)
	f.Fuzz(func(t *testing.T, typ, expr string) {
		q, err := ParseQuery(m, typ, url.Values{"_filter": {expr}}, false)
		if err != nil {
			var fe *fhir.Error
			if !errors.As(err, &fe) || fe.Kind != fhir.KindInvalid {
				t.Fatalf("ParseQuery(%q, _filter=%q): error %v is not KindInvalid", typ, expr, err)
			}
			return
		}
		if q == nil {
			t.Fatalf("nil query without error")
		}
	})
}
