package storetest

import (
	"context"
	"slices"
	"testing"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

const fakeICD = "http://hl7.org/fhir/sid/icd-10"

// FakeTerminology is a small hierarchy and one value set for Terminology:
// I10-I15 > I10, I11 > I11.9; E11 > E11.9; value set "urn:vs:htn" = I10,
// I11 and one SNOMED code. Backends open the stores they pass to
// Terminology with it as their sqlstore.Options.Terminology.
type FakeTerminology struct{}

var fakeParent = map[string]string{"I10": "I10-I15", "I11": "I10-I15", "I11.9": "I11", "E11.9": "E11"}

// EachValueSetCode implements sqlstore.Terminology.
func (FakeTerminology) EachValueSetCode(url string, fn func(system, code string)) error {
	if url != "urn:vs:htn" {
		return fhir.Errorf(fhir.KindNotFound, "unknown value set %s", url)
	}
	fn(fakeICD, "I10")
	fn(fakeICD, "I11")
	fn("http://snomed.info/sct", "38341003")
	return nil
}

// Descendants implements sqlstore.Terminology.
func (FakeTerminology) Descendants(system, code string) ([]string, error) {
	if err := fakeKnown(system, code); err != nil {
		return nil, err
	}
	out := []string{code}
	for i := 0; i < len(out); i++ {
		for child, parent := range fakeParent {
			if parent == out[i] {
				out = append(out, child)
			}
		}
	}
	return out, nil
}

// Ancestors implements sqlstore.Terminology.
func (FakeTerminology) Ancestors(system, code string) ([]string, error) {
	if err := fakeKnown(system, code); err != nil {
		return nil, err
	}
	out := []string{code}
	for p, ok := fakeParent[code]; ok; p, ok = fakeParent[p] {
		out = append(out, p)
	}
	return out, nil
}

func fakeKnown(system, code string) error {
	if system != fakeICD {
		return fhir.Errorf(fhir.KindNotFound, "unknown code system %q", system)
	}
	if _, ok := fakeParent[code]; ok || code == "I10-I15" || code == "E11" {
		return nil
	}
	return fhir.Errorf(fhir.KindNotFound, "unknown code %s", code)
}

// Terminology checks :in, :not-in, :above and :below on token parameters
// against stores configured with FakeTerminology.
func Terminology(t *testing.T, newStore NewStore) {
	s := newStore(t)
	ctx := context.Background()
	cond := func(id, system, code string) store.Write {
		return store.Write{Type: "Condition", ID: id, JSON: body("Condition", id, ""),
			Index: search.Indexed{Entries: []search.Entry{tokenE("code", system, code)}}}
	}
	load(t, s, []store.Write{
		cond("htn", fakeICD, "I10"),
		cond("hhd", fakeICD, "I11.9"),
		cond("dm", fakeICD, "E11.9"),
		cond("sct", "http://snomed.info/sct", "38341003"),
		cond("other", "urn:other", "I10"),
	})
	tc := func(mod, raw string) *search.Query {
		v := search.Value{Raw: raw, Code: raw}
		if mod == "above" || mod == "below" {
			v = tokV(fakeICD, raw)
		}
		return q("Condition", search.Clause{Param: "code", Type: search.TypeToken, Modifier: mod, Values: []search.Value{v}})
	}
	cases := []struct {
		name string
		q    *search.Query
		want []string
	}{
		{"in", tc("in", "urn:vs:htn"), []string{"htn", "sct"}},
		{"not-in", tc("not-in", "urn:vs:htn"), []string{"dm", "hhd", "other"}},
		{"below a block", tc("below", "I10-I15"), []string{"hhd", "htn"}},
		{"below a leaf", tc("below", "E11.9"), []string{"dm"}},
		{"above", tc("above", "I11.9"), []string{"hhd"}},
		{"above finds the ancestors' codes", tc("above", "E11.9"), []string{"dm"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page, err := s.Search(ctx, c.q)
			if err != nil {
				t.Fatalf("search: %v", err)
			}
			got := ids(page.Resources)
			slices.Sort(got)
			if !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
	// A Condition coded with the block itself is found by :above from a leaf.
	load(t, s, []store.Write{cond("block", fakeICD, "I10-I15")})
	page, err := s.Search(ctx, tc("above", "I11.9"))
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(page.Resources); !slices.Equal(sorted(got), []string{"block", "hhd"}) {
		t.Errorf("above after adding the block: got %v, want [block hhd]", got)
	}
	for _, bad := range []*search.Query{tc("in", "urn:vs:unknown"), tc("below", "Z99")} {
		_, err := s.Search(ctx, bad)
		wantKind(t, err, fhir.KindInvalid)
	}
}
