package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Clause builders, shaped like search.ParseQuery's output.

func tokC(param, mod, system, code string) search.Clause {
	return search.Clause{Param: param, Type: search.TypeToken, Modifier: mod, Values: []search.Value{tokV(system, code)}}
}

// tokV parses "code", "|code", "system|code" and "system|".
func tokV(system, code string) search.Value {
	v := search.Value{Raw: code, Code: code}
	if system != "" || strings.HasPrefix(code, "|") {
		v.HasSystem, v.System, v.Code = true, system, strings.TrimPrefix(code, "|")
		v.Raw = system + "|" + v.Code
	}
	return v
}

func strC(param, mod string, raws ...string) search.Clause {
	c := search.Clause{Param: param, Type: search.TypeString, Modifier: mod}
	for _, r := range raws {
		c.Values = append(c.Values, search.Value{Raw: r, Norm: fold(r)})
	}
	return c
}

func fold(s string) string { return search.Normalize(s) }

func refC(param, mod string, vals ...search.Value) search.Clause {
	return search.Clause{Param: param, Type: search.TypeReference, Modifier: mod, Values: vals}
}

func refV(typ, id string) search.Value {
	raw := id
	if typ != "" {
		raw = typ + "/" + id
	}
	return search.Value{Raw: raw, RefType: typ, RefID: id}
}

func dateC(param, prefix string, lo, hi time.Time) search.Clause {
	return search.Clause{Param: param, Type: search.TypeDate, Values: []search.Value{{Prefix: prefix, Low: lo, High: hi}}}
}

func yearC(param, prefix string, y int) search.Clause {
	lo, hi := year(y)
	return dateC(param, prefix, lo, hi)
}

func dayC(param, prefix, d string) search.Clause {
	lo, hi := day(d)
	return dateC(param, prefix, lo, hi)
}

func monthC(param, prefix string, y int, m time.Month) search.Clause {
	lo := time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	return dateC(param, prefix, lo, lo.AddDate(0, 1, 0).Add(-time.Microsecond))
}

func numC(param, prefix string, n, half float64) search.Clause {
	return search.Clause{Param: param, Type: search.TypeNumber, Values: []search.Value{{Prefix: prefix, Number: n, NumLow: n - half, NumHigh: n + half}}}
}

func qtyV(prefix string, n, half float64, system, code string) search.Value {
	return search.Value{Prefix: prefix, Number: n, NumLow: n - half, NumHigh: n + half, UnitSystem: system, UnitCode: code}
}

func qtyC(param string, v search.Value) search.Clause {
	return search.Clause{Param: param, Type: search.TypeQuantity, Values: []search.Value{v}}
}

func uriC(param, mod, v string) search.Clause {
	return search.Clause{Param: param, Type: search.TypeURI, Modifier: mod, Values: []search.Value{{Raw: v, Norm: v}}}
}

func missingC(param string, typ search.Type, missing bool) search.Clause {
	return search.Clause{Param: param, Type: typ, Modifier: "missing", Values: []search.Value{{Missing: missing}}}
}

func idC(ids ...string) search.Clause {
	c := search.Clause{Param: "_id", Type: search.TypeToken}
	for _, id := range ids {
		c.Values = append(c.Values, search.Value{Raw: id, Code: id})
	}
	return c
}

func codeValueQty(parts ...[]search.Value) search.Clause {
	c := search.Clause{Param: "code-value-quantity", Type: search.TypeComposite,
		Components: []search.Clause{{Param: "code", Type: search.TypeToken}, {Param: "value-quantity", Type: search.TypeQuantity}}}
	for _, p := range parts {
		c.Values = append(c.Values, search.Value{Parts: p})
	}
	return c
}

func or(c search.Clause, more ...search.Clause) search.Clause {
	for _, m := range more {
		c.Values = append(c.Values, m.Values...)
	}
	return c
}

func q(typ string, cs ...search.Clause) *search.Query {
	return &search.Query{Type: typ, Clauses: cs}
}

func testSearch(t *testing.T, s store.Store) {
	load(t, s, fixture())
	check(t, s)
	start := time.Now().Add(-time.Hour)
	cases := []struct {
		name string
		q    *search.Query
		want []string
	}{
		// token
		{"token code any system", q("Observation", tokC("code", "", "", "8867-4")), []string{"obs1", "obs3"}},
		{"token system|code", q("Observation", tokC("code", "", loinc, "29463-7")), []string{"obs2"}},
		{"token wrong system", q("Observation", tokC("code", "", "http://snomed.info/sct", "29463-7")), nil},
		{"token |code without system", q("Observation", tokC("status", "", "", "|final")), []string{"obs1", "obs2"}},
		{"token |code does not match a coded system", q("Observation", tokC("code", "", "", "|8867-4")), nil},
		{"token system|", q("Observation", tokC("code", "", loinc, "")), []string{"obs1", "obs2", "obs3"}},
		{"token OR", q("Observation", or(tokC("code", "", "", "29463-7"), tokC("code", "", "", "nope"), tokC("status", "", "", "x"))), []string{"obs2"}},
		{"token AND", q("Patient", tokC("gender", "", "", "male"), tokC("active", "", "", "true")), []string{"p1"}},
		{"token :not", q("Observation", tokC("code", "not", "", "8867-4")), []string{"obs2"}},
		{"token :not includes missing", q("Patient", tokC("active", "not", "", "true")), []string{"p2", "p3"}},
		{"token :text", q("Observation", tokC("code", "text", "", "heart")), []string{"obs1", "obs3"}},
		{"token :text case", q("Observation", tokC("code", "text", "", "BODY W")), []string{"obs2"}},
		{"token :of-type", q("Patient", search.Clause{Param: "identifier", Type: search.TypeToken, Modifier: "of-type",
			Values: []search.Value{{Raw: v2 + "|NI|001080000001"}}}), []string{"p1"}},
		{"token :of-type parsed", q("Patient", search.Clause{Param: "identifier", Type: search.TypeToken, Modifier: "of-type",
			Values: []search.Value{{Raw: v2 + "|NI|001090000002", TypeSystem: v2, TypeCode: "NI", Code: "001090000002"}}}), []string{"p2"}},
		{"token :of-type wrong type", q("Patient", search.Clause{Param: "identifier", Type: search.TypeToken, Modifier: "of-type",
			Values: []search.Value{{TypeSystem: v2, TypeCode: "PPN", Code: "001090000002"}}}), nil},
		{"token :missing=true", q("Patient", missingC("identifier", search.TypeToken, true)), []string{"p3"}},
		{"token :missing=false", q("Patient", missingC("identifier", search.TypeToken, false)), []string{"p1", "p2"}},
		{"identifier", q("Patient", tokC("identifier", "", cccd, "001090000002")), []string{"p2"}},
		// string
		{"string prefix folded", q("Patient", strC("name", "", "nguyen")), []string{"p1"}},
		{"string prefix with accents", q("Patient", strC("name", "", "Nguyễn V")), []string{"p1"}},
		{"string prefix any part", q("Patient", strC("name", "", "an")), []string{"p1", "p3"}},
		{"string OR", q("Patient", strC("name", "", "binh", "le")), []string{"p2", "p3"}},
		{"string :exact", q("Patient", strC("name", "exact", "Nguyễn")), []string{"p1"}},
		{"string :exact is case sensitive", q("Patient", strC("name", "exact", "nguyễn")), nil},
		{"string :contains", q("Patient", strC("name", "contains", "HI B")), []string{"p2"}},
		{"string :contains escapes", q("Patient", strC("name", "contains", "%")), nil},
		{"string :missing", q("Patient", missingC("name", search.TypeString, true)), nil},
		{"string and token", q("Patient", strC("name", "", "an"), tokC("gender", "", gender, "male"), dayC("birthdate", "gt", "1990-01-01")), []string{"p3"}},
		// reference
		{"reference Type/id", q("Observation", refC("subject", "", refV("Patient", "p1"))), []string{"obs1", "obs2"}},
		{"reference bare id", q("Observation", refC("subject", "", refV("", "p2"))), []string{"obs3"}},
		{"reference :Type", q("Observation", refC("subject", "Patient", refV("", "p2"))), []string{"obs3"}},
		{"reference wrong :Type", q("Observation", refC("subject", "Group", refV("", "p2"))), nil},
		{"reference url", q("Observation", refC("based-on", "", search.Value{Raw: "http://other.example/fhir/ServiceRequest/9", RefURL: "http://other.example/fhir/ServiceRequest/9"})), []string{"obs3"}},
		{"reference :identifier", q("Observation", search.Clause{Param: "subject", Type: search.TypeReference, Modifier: "identifier",
			Values: []search.Value{tokV(cccd, "001090000002")}}), []string{"obs3"}},
		{"reference :missing", q("Patient", missingC("organization", search.TypeReference, false)), []string{"p2"}},
		// date: p1 1980-05-10, p2 1990 (year), p3 2001-01-01
		{"date eq day", q("Patient", dayC("birthdate", "", "1980-05-10")), []string{"p1"}},
		{"date eq year contains day", q("Patient", yearC("birthdate", "eq", 1980)), []string{"p1"}},
		{"date eq year", q("Patient", yearC("birthdate", "", 1990)), []string{"p2"}},
		{"date eq narrower than value", q("Patient", monthC("birthdate", "", 1990, time.June)), nil},
		{"date ne", q("Patient", dayC("birthdate", "ne", "1980-05-10")), []string{"p2", "p3"}},
		{"date gt", q("Patient", monthC("birthdate", "gt", 1990, time.June)), []string{"p2", "p3"}},
		{"date lt", q("Patient", yearC("birthdate", "lt", 1990)), []string{"p1"}},
		{"date ge", q("Patient", yearC("birthdate", "ge", 1990)), []string{"p2", "p3"}},
		{"date le", q("Patient", yearC("birthdate", "le", 1990)), []string{"p1", "p2"}},
		{"date sa", q("Patient", yearC("birthdate", "sa", 1985)), []string{"p2", "p3"}},
		{"date eb", q("Patient", yearC("birthdate", "eb", 1990)), []string{"p1"}},
		{"date ap", q("Patient", dayC("birthdate", "ap", "2001-01-02")), []string{"p3"}},
		{"date instant in day", q("Observation", dayC("date", "", "2024-01-15")), []string{"obs1"}},
		{"date instant range AND", q("Observation", dayC("date", "ge", "2024-01-01"), dayC("date", "lt", "2024-02-01")), []string{"obs1"}},
		// number
		{"number eq", q("RiskAssessment", numC("probability", "", 0.25, 0.005)), []string{"ra1"}},
		{"number eq precision", q("RiskAssessment", numC("probability", "", 0.3, 0.05)), []string{"ra1"}},
		{"number eq miss", q("RiskAssessment", numC("probability", "", 0.3, 0.005)), nil},
		{"number gt", q("RiskAssessment", numC("probability", "gt", 0.2, 0.05)), []string{"ra1"}},
		{"number lt", q("RiskAssessment", numC("probability", "lt", 0.2, 0.05)), nil},
		{"number ne", q("RiskAssessment", numC("probability", "ne", 0.25, 0.005)), nil},
		{"number ap", q("RiskAssessment", numC("probability", "ap", 0.24, 0.005)), []string{"ra1"}},
		// quantity
		{"quantity number only", q("Observation", qtyC("value-quantity", qtyV("", 72, 0.5, "", ""))), []string{"obs1"}},
		{"quantity gt with unit", q("Observation", qtyC("value-quantity", qtyV("gt", 80, 0.5, "http://unitsofmeasure.org", "/min"))), []string{"obs3"}},
		{"quantity unit code only", q("Observation", qtyC("value-quantity", qtyV("le", 80, 0.5, "", "/min"))), []string{"obs1"}},
		{"quantity wrong unit", q("Observation", qtyC("value-quantity", qtyV("gt", 80, 0.5, "http://unitsofmeasure.org", "kg"))), nil},
		{"quantity same unit", q("Observation", qtyC("value-quantity", qtyV("", 70.5, 0.05, "http://unitsofmeasure.org", "kg"))), []string{"obs2"}},
		{"quantity canonical", q("Observation", qtyC("value-quantity", qtyV("", 70500, 0.5, "http://unitsofmeasure.org", "g"))), []string{"obs2"}},
		{"quantity canonical ge", q("Observation", qtyC("value-quantity", qtyV("ge", 70000, 0.5, "", "g"))), []string{"obs2"}},
		{"quantity canonical from the parser", q("Observation", qtyC("value-quantity", search.Value{Number: 0.0705, NumLow: 0.07045, NumHigh: 0.07055,
			UnitSystem: "http://unitsofmeasure.org", UnitCode: "t", HasCanonical: true, Canonical: 70500, CanonicalLow: 70450, CanonicalHigh: 70550, CanonicalCode: "g"})), []string{"obs2"}},
		{"quantity canonical out of range", q("Observation", qtyC("value-quantity", search.Value{Prefix: "gt", Number: 0.08,
			UnitSystem: "http://unitsofmeasure.org", UnitCode: "t", HasCanonical: true, Canonical: 80000, CanonicalLow: 79950, CanonicalHigh: 80050, CanonicalCode: "g"})), nil},
		// uri
		{"uri exact", q("ValueSet", uriC("url", "", "http://sen.vn/fhir/ValueSet/a")), []string{"vs1"}},
		{"uri :below", q("ValueSet", uriC("url", "below", "http://sen.vn/fhir/ValueSet/a")), []string{"vs1", "vs2"}},
		{"uri :above", q("ValueSet", uriC("url", "above", "http://sen.vn/fhir/ValueSet/a/b/c")), []string{"vs1", "vs2"}},
		// composite
		{"composite", q("Observation", codeValueQty([]search.Value{tokV(loinc, "8867-4"), qtyV("gt", 80, 0.5, "", "")})), []string{"obs3"}},
		{"composite components pair up", q("Observation", codeValueQty([]search.Value{tokV("", "29463-7"), qtyV("", 72, 0.5, "", "")})), nil},
		{"composite OR", q("Observation", codeValueQty([]search.Value{tokV("", "29463-7"), qtyV("", 70.5, 0.05, "", "")}, []search.Value{tokV("", "8867-4"), qtyV("lt", 80, 0.5, "", "")})), []string{"obs1", "obs2"}},
		// specials
		{"_id", q("Patient", idC("p1", "p3", "nope")), []string{"p1", "p3"}},
		{"_id :not", q("Patient", search.Clause{Param: "_id", Type: search.TypeToken, Modifier: "not", Values: []search.Value{{Raw: "p1"}}}), []string{"p2", "p3"}},
		{"_lastUpdated ge", q("ValueSet", dateC("_lastUpdated", "ge", start, start)), []string{"vs1", "vs2", "vs3"}},
		{"_lastUpdated lt", q("ValueSet", dateC("_lastUpdated", "lt", start, start)), nil},
		// chains and reverse chains
		{"chain", q("Observation", search.Clause{Param: "subject", Type: search.TypeReference,
			Chain: &search.Chained{TargetType: "Patient", Clause: strC("name", "", "binh")}}), []string{"obs3"}},
		{"chain token", q("Observation", search.Clause{Param: "subject", Type: search.TypeReference, Modifier: "Patient",
			Chain: &search.Chained{TargetType: "Patient", Clause: tokC("gender", "", "", "male")}}), []string{"obs1", "obs2"}},
		{"chain two levels", q("Observation", search.Clause{Param: "subject", Type: search.TypeReference,
			Chain: &search.Chained{TargetType: "Patient", Clause: search.Clause{Param: "organization", Type: search.TypeReference,
				Chain: &search.Chained{TargetType: "Organization", Clause: strC("name", "", "benh vien")}}}}), []string{"obs3"}},
		{"_has", q("Patient", search.Clause{Param: "_has", Has: &search.Has{Type: "Observation", Ref: "subject", Clause: tokC("code", "", "", "29463-7")}}), []string{"p1"}},
		{"_has two matches", q("Patient", search.Clause{Param: "_has", Has: &search.Has{Type: "Observation", Ref: "subject", Clause: tokC("code", "", "", "8867-4")}}), []string{"p1", "p2"}},
		{"_has nested", q("Organization", search.Clause{Param: "_has", Has: &search.Has{Type: "Patient", Ref: "organization",
			Clause: search.Clause{Param: "_has", Has: &search.Has{Type: "Observation", Ref: "subject", Clause: tokC("status", "", "", "preliminary")}}}}), []string{"o1"}},
		// compartments and system search
		{"compartment", &search.Query{Type: "Observation", Compartment: &search.Compartment{Type: "Patient", ID: "p1"}}, []string{"obs1", "obs2"}},
		{"compartment with clause", &search.Query{Type: "Observation", Compartment: &search.Compartment{Type: "Patient", ID: "p1"},
			Clauses: []search.Clause{tokC("code", "", "", "8867-4")}}, []string{"obs1"}},
		{"compartment all types", &search.Query{Compartment: &search.Compartment{Type: "Patient", ID: "p2"}}, []string{"p2", "obs3", "ra1"}},
		{"compartment practitioner", &search.Query{Type: "Observation", Compartment: &search.Compartment{Type: "Practitioner", ID: "pr1"}}, []string{"obs1"}},
		{"system _type", &search.Query{Types: []string{"Patient", "Practitioner"}, Clauses: []search.Clause{strC("name", "", "pham", "tran")}}, []string{"p2", "pr1"}},
		{"system all types", &search.Query{Clauses: []search.Clause{strC("name", "", "b")}}, []string{"o1", "p2"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := assertIDs(t, s, c.q, c.want)
			if p.Total != len(c.want) {
				t.Errorf("total %d, want %d", p.Total, len(c.want))
			}
		})
	}

	sortCases := []struct {
		name string
		q    *search.Query
		want []string
	}{
		{"default order is insertion", q("Patient"), []string{"p1", "p2", "p3"}},
		{"date asc", &search.Query{Type: "Patient", Sort: []search.SortKey{{Param: "birthdate", Type: search.TypeDate}}}, []string{"p1", "p2", "p3"}},
		{"date desc", &search.Query{Type: "Patient", Sort: []search.SortKey{{Param: "birthdate", Type: search.TypeDate, Descending: true}}}, []string{"p3", "p2", "p1"}},
		{"token then string", &search.Query{Type: "Patient", Sort: []search.SortKey{{Param: "gender", Type: search.TypeToken}, {Param: "name", Type: search.TypeString, Descending: true}}}, []string{"p2", "p1", "p3"}},
		{"string min", &search.Query{Type: "Patient", Sort: []search.SortKey{{Param: "name", Type: search.TypeString}}}, []string{"p1", "p3", "p2"}},
		{"quantity desc", &search.Query{Type: "Observation", Sort: []search.SortKey{{Param: "value-quantity", Type: search.TypeQuantity, Descending: true}}}, []string{"obs3", "obs1", "obs2"}},
		{"missing last", &search.Query{Type: "Patient", Sort: []search.SortKey{{Param: "identifier", Type: search.TypeToken, Descending: true}}}, []string{"p2", "p1", "p3"}},
		{"missing last asc", &search.Query{Type: "Patient", Sort: []search.SortKey{{Param: "active", Type: search.TypeToken}}}, []string{"p1", "p2", "p3"}},
		{"_id desc", &search.Query{Type: "ValueSet", Sort: []search.SortKey{{Param: "_id", Descending: true}}}, []string{"vs3", "vs2", "vs1"}},
		{"_lastUpdated", &search.Query{Type: "ValueSet", Sort: []search.SortKey{{Param: "_lastUpdated", Descending: true}}}, []string{"vs3", "vs2", "vs1"}},
	}
	for _, c := range sortCases {
		t.Run("sort "+c.name, func(t *testing.T) {
			p, err := s.Search(context.Background(), c.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(p.Resources); strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}

	incCases := []struct {
		name          string
		q             *search.Query
		want, wantInc []string
	}{
		{"_include", &search.Query{Type: "Observation", Clauses: []search.Clause{tokC("code", "", "", "29463-7")},
			Include: []search.Include{{Source: "Observation", Param: "subject"}}}, []string{"obs2"}, []string{"p1"}},
		{"_include target", &search.Query{Type: "Observation", Clauses: []search.Clause{idC("obs1")},
			Include: []search.Include{{Source: "Observation", Param: "*", Target: "Practitioner"}}}, []string{"obs1"}, []string{"pr1"}},
		{"_include wildcard", &search.Query{Type: "Observation", Clauses: []search.Clause{idC("obs1")},
			Include: []search.Include{{Source: "*", Param: "*"}}}, []string{"obs1"}, []string{"p1", "pr1"}},
		{"_include deduplicates", &search.Query{Type: "Observation", Clauses: []search.Clause{idC("obs1", "obs2")},
			Include: []search.Include{{Source: "Observation", Param: "subject"}, {Source: "Observation", Param: "patient"}}}, []string{"obs1", "obs2"}, []string{"p1"}},
		{"_revinclude", &search.Query{Type: "Patient", Clauses: []search.Clause{idC("p1")},
			RevInclude: []search.Include{{Source: "Observation", Param: "subject"}}}, []string{"p1"}, []string{"obs1", "obs2"}},
		{"_include without :iterate stops", &search.Query{Type: "Observation", Clauses: []search.Clause{idC("obs3")},
			Include: []search.Include{{Source: "Observation", Param: "subject"}, {Source: "Patient", Param: "organization"}}}, []string{"obs3"}, []string{"p2"}},
		{"_include:iterate", &search.Query{Type: "Observation", Clauses: []search.Clause{idC("obs3")},
			Include: []search.Include{{Source: "Observation", Param: "subject"}, {Source: "Patient", Param: "organization", Iterate: true}}}, []string{"obs3"}, []string{"p2", "o1"}},
		{"_revinclude:iterate", &search.Query{Type: "Organization",
			RevInclude: []search.Include{{Source: "Patient", Param: "organization"}, {Source: "Observation", Param: "subject", Iterate: true}, {Source: "RiskAssessment", Param: "subject", Iterate: true}}},
			[]string{"o1"}, []string{"p2", "obs3", "ra1"}},
	}
	for _, c := range incCases {
		t.Run(c.name, func(t *testing.T) {
			p := assertIDs(t, s, c.q, c.want)
			var got []string
			for _, r := range p.Included {
				got = append(got, r.ID)
			}
			if strings.Join(sorted(got), ",") != strings.Join(sorted(c.wantInc), ",") {
				t.Errorf("included %v, want %v", got, c.wantInc)
			}
		})
	}

	t.Run("totals", func(t *testing.T) {
		for _, c := range []struct {
			total string
			want  int
		}{{"", 3}, {"accurate", 3}, {"estimate", 3}, {"none", -1}} {
			p, err := s.Search(context.Background(), &search.Query{Type: "Observation", Total: c.total, Count: 1})
			if err != nil {
				t.Fatal(err)
			}
			if p.Total != c.want || len(p.Resources) != 1 {
				t.Errorf("_total=%s: total %d with %d resources, want %d with 1", c.total, p.Total, len(p.Resources), c.want)
			}
		}
		p, err := s.Search(context.Background(), &search.Query{Type: "Observation", Summary: "count"})
		if err != nil || p.Total != 3 || len(p.Resources) != 0 {
			t.Errorf("_summary=count: %+v, %v", p, err)
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, c := range []struct {
			name string
			q    *search.Query
			want fhir.Kind
		}{
			{"unsupported modifier", q("Patient", tokC("gender", "in", "", "x")), fhir.KindUnsupported},
			{"_query", q("Patient", search.Clause{Param: "_query", Type: search.TypeToken, Values: []search.Value{{Raw: "x", Code: "x"}}}), fhir.KindUnsupported},
			{"_text without words", q("Patient", search.Clause{Param: "_text", Type: search.TypeSpecial, Values: []search.Value{{Raw: "x"}}}), fhir.KindInvalid},
			{"special type", q("Location", search.Clause{Param: "near", Type: search.TypeSpecial, Values: []search.Value{{Raw: "x"}}}), fhir.KindUnsupported},
			{"no values", q("Patient", search.Clause{Param: "gender", Type: search.TypeToken}), fhir.KindInvalid},
			{"bad prefix", q("Patient", dayC("birthdate", "zz", "2000-01-01")), fhir.KindInvalid},
			{"bad composite", q("Observation", codeValueQty([]search.Value{tokV("", "x")})), fhir.KindInvalid},
			{"bad cursor", &search.Query{Type: "Patient", Cursor: "!!"}, fhir.KindInvalid},
			{"bad sort", &search.Query{Type: "Patient", Sort: []search.SortKey{{Param: "x", Type: search.TypeComposite}}}, fhir.KindUnsupported},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := s.Search(context.Background(), c.q)
				wantKind(t, err, c.want)
			})
		}
		if _, err := s.Search(context.Background(), nil); err == nil {
			t.Error("nil query accepted")
		}
	})
}
