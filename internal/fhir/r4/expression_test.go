package r4

import (
	"slices"
	"strings"
	"testing"
)

func TestSplitUnion(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"Patient.name", []string{"Patient.name"}},
		{"A.x | B.y", []string{"A.x", "B.y"}},
		{"(A.x | A.z).where(a = 'p|q') | B.y", []string{"(A.x | A.z).where(a = 'p|q')", "B.y"}},
		{"A.x['|'] | B.`a|b`", []string{"A.x['|']", "B.`a|b`"}},
		{"A.x.where(s = 'it\\'s | odd') | B", []string{"A.x.where(s = 'it\\'s | odd')", "B"}},
	}
	for _, tt := range tests {
		if got := splitUnion(tt.in); !slices.Equal(got, tt.want) {
			t.Errorf("splitUnion(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestExpressionFor(t *testing.T) {
	m := Load()
	tests := []struct {
		typ, code string
		want      string
	}{
		{"Encounter", "patient", "Encounter.subject.where(resolve() is Patient)"},
		{"AllergyIntolerance", "patient", "AllergyIntolerance.patient"},
		{"Observation", "code", "Observation.code"},
		{"Patient", "_id", "Resource.id"},
		{"InsurancePlan", "name", "name | alias"},
		{"Patient", "birthdate", "Patient.birthDate"},
		{"Person", "birthdate", "Person.birthDate"},
	}
	for _, tt := range tests {
		t.Run(tt.typ+"/"+tt.code, func(t *testing.T) {
			p := m.SearchParam(tt.typ, tt.code)
			if p == nil {
				t.Fatal("no such parameter")
			}
			if got := p.ExpressionFor(tt.typ); got != tt.want {
				t.Errorf("ExpressionFor = %q, want %q", got, tt.want)
			}
		})
	}
	if got := m.SearchParam("Patient", "birthdate").ExpressionFor("Observation"); got != "" {
		t.Errorf("ExpressionFor(non-base) = %q, want empty", got)
	}
	// Every base of every parameter with an expression gets a branch, and no
	// branch names another base.
	for _, p := range m.AllSearchParams() {
		if p.Expression == "" {
			continue
		}
		total := 0
		for _, b := range p.Base {
			got := p.ExpressionFor(b)
			if got == "" {
				t.Errorf("%s: no expression for base %s", p.URL, b)
				continue
			}
			for _, br := range splitUnion(got) {
				if h := leadingIdent(br); h != b && slices.Contains(p.Base, h) {
					t.Errorf("%s: branch %q kept for %s", p.URL, br, b)
				}
			}
			total += len(splitUnion(got))
		}
		if n := len(splitUnion(p.Expression)); total < n && !strings.Contains(p.Expression, "alias") {
			t.Errorf("%s: bases cover %d of %d branches", p.URL, total, n)
		}
	}
}
