package search

import (
	"slices"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
)

func TestAliasOf(t *testing.T) {
	m := r4.Load()
	cases := []struct {
		typ, code string
		alias     bool
		params    []string
		refType   string
	}{
		{"Observation", "combo-code", true, []string{"code", "component-code"}, ""},
		{"Observation", "combo-value-quantity", true, []string{"component-value-quantity", "value-quantity"}, ""},
		{"Observation", "combo-code-value-quantity", true, []string{"code-value-quantity", "component-code-value-quantity"}, ""},
		{"Observation", "patient", true, []string{"subject"}, "Patient"},
		{"Encounter", "patient", true, []string{"subject"}, "Patient"},
		{"Encounter", "practitioner", true, []string{"participant"}, "Practitioner"},
		{"Provenance", "patient", true, []string{"target"}, "Patient"},
		{"DeviceUseStatement", "subject", true, []string{"patient"}, ""}, // equal expressions: the lesser code keeps the rows
		{"Patient", "phonetic", true, []string{"name"}, ""},
		// Parameters that keep their own rows.
		{"Observation", "code", false, nil, ""},
		{"Observation", "subject", false, nil, ""},
		{"Observation", "component-code", false, nil, ""},
		{"Observation", "code-value-quantity", false, nil, ""},
		{"Patient", "name", false, nil, ""},
		{"Patient", "family", false, nil, ""},
		{"Observation", "_tag", false, nil, ""},     // Resource.meta.tag: a base-type path is left alone
		{"Condition", "subject", false, nil, ""},    // the parameter the alias reads
		{"Immunization", "patient", false, nil, ""}, // Immunization.patient is its own element
		{"Observation", "no-such-param", false, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.typ+"."+c.code, func(t *testing.T) {
			a, ok := AliasOf(m, c.typ, c.code)
			if ok != c.alias {
				t.Fatalf("alias = %v (%+v), want %v", ok, a, c.alias)
			}
			if ok && (!slices.Equal(a.Params, c.params) || a.RefType != c.refType) {
				t.Fatalf("got %+v, want params %v ref type %q", a, c.params, c.refType)
			}
		})
	}
	// No alias reads another alias's rows.
	n := 0
	for _, rt := range m.ResourceTypes() {
		for _, sp := range m.SearchParams(rt) {
			a, ok := AliasOf(m, rt, sp.Code)
			if !ok {
				continue
			}
			n++
			for _, p := range a.Params {
				if _, again := AliasOf(m, rt, p); again {
					t.Errorf("%s.%s reads %s, itself an alias", rt, sp.Code, p)
				}
			}
		}
	}
	if n != 65 {
		t.Errorf("%d aliases in R4, want 65 (the migrations list them)", n)
	}
}
