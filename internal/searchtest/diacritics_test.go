package searchtest_test

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/ingest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/synth"
)

// TestDiacriticInsensitiveSearchOverSyntheticPopulation loads the patients
// of a generated population into SQLite through the bulk loader and runs
// Patient?name=, ?address-city= (commune/ward) and ?address-state=
// (province) written the ways people type them: without diacritics, in
// capitals, decomposed (NFD, as some keyboards send it), with the tone
// mark on the other vowel ("Hoà"/"Hòa", "Thuỷ"/"Thủy") and with a mix of
// accented and bare letters. Every answer is compared with the set of
// patients computed here from the generated JSON with an independent fold
// (NFD, drop combining marks, đ→d, lower case) and FHIR's string rule
// (a part starts with the value) — never with Sen's index or vn.Fold.
func TestDiacriticInsensitiveSearchOverSyntheticPopulation(t *testing.T) {
	ctx := context.Background()
	gen := synth.New(synth.Config{Seed: 56, Patients: 1500, End: time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)})
	var patients []map[string]any
	var bodies [][]byte
	if err := gen.Run(func(b []byte) error {
		if !strings.HasPrefix(string(b), `{"resourceType":"Patient"`) {
			return nil
		}
		var p map[string]any
		if err := json.Unmarshal(b, &p); err != nil {
			return err
		}
		patients = append(patients, p)
		bodies = append(bodies, b)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	st := openSQLite(t)
	ix, err := search.NewIndexer(r4.Load())
	if err != nil {
		t.Fatal(err)
	}
	l := ingest.Loader{Store: st, Indexer: ix}
	if _, err := l.Load(ctx, ingest.FromSlice(bodies)); err != nil {
		t.Fatal(err)
	}

	queries := diacriticQueries(patients)
	kinds := map[string]int{}
	for _, q := range queries {
		kinds[q.kind]++
	}
	t.Logf("%d patients, %d queries: %v", len(patients), len(queries), kinds)
	for _, k := range []string{"bare", "capitals", "nfd", "other tone placement", "mixed", "prefix"} {
		if kinds[k] < 5 {
			t.Errorf("only %d %q queries drawn from the population, want >= 5", kinds[k], k)
		}
	}
	// Queries that change or drop accents must mostly be ones that an
	// accent-sensitive search (case folded only) answers wrongly, or they
	// would not show anything. (Capitals and NFD keep the accents.)
	narrow, changed, sensitive := 0, 0, 0
	for _, q := range queries {
		want := oracle(patients, q.param, q.value)
		if q.kind == "bare" || q.kind == "mixed" || q.kind == "other tone placement" {
			changed++
			if !slices.Equal(want, oracleWith(patients, q.param, q.value, caseFold)) {
				sensitive++
			}
		}
		if len(want) == 0 {
			t.Errorf("%s=%q (%s): the oracle finds nobody, the query was drawn from the data", q.param, q.value, q.kind)
			continue
		}
		if len(want) < len(patients)/2 {
			narrow++
		}
		got := searchIDs(t, st, q.param, q.value)
		if !slices.Equal(got, want) {
			t.Errorf("%s=%q (%s, from %q): got %d patients, want %d; missing %v, unexpected %v",
				q.param, q.value, q.kind, q.from, len(got), len(want), minus(want, got), minus(got, want))
		}
	}
	if narrow < len(queries)*3/4 {
		t.Errorf("only %d of %d queries select fewer than half the patients: the test would not see over-matching", narrow, len(queries))
	}
	if sensitive < changed*3/4 {
		t.Errorf("only %d of %d accent-changing queries need accent folding", sensitive, changed)
	}
	t.Logf("%d of %d accent-changing queries would fail under accent-sensitive matching", sensitive, changed)
	// Control: an accent-folded value that no generated name has.
	if got := searchIDs(t, st, "name", "Xyzzŷ"); len(got) != 0 {
		t.Errorf("name=Xyzzŷ found %d patients, want none", len(got))
	}
}

type diacriticQuery struct {
	param, value, kind, from string
}

// diacriticQueries draws queries from the generated names and addresses.
func diacriticQueries(patients []map[string]any) []diacriticQuery {
	var qs []diacriticQuery
	seen := map[string]bool{}
	add := func(param, value, kind, from string) {
		if value == "" || value == from && kind != "nfd" || seen[param+"="+value] {
			return
		}
		seen[param+"="+value] = true
		qs = append(qs, diacriticQuery{param, value, kind, from})
	}
	for n, p := range patients {
		name := p["name"].([]any)[0].(map[string]any)
		full, _ := name["text"].(string)
		family, _ := name["family"].(string)
		addr := p["address"].([]any)[0].(map[string]any)
		city, _ := addr["city"].(string)
		state, _ := addr["state"].(string)
		if n%40 == 0 {
			add("name", oracleFold(full), "bare", full)
			add("name", strings.ToUpper(oracleFold(family)), "capitals", family)
			add("name", norm.NFD.String(full), "nfd", full)
			add("name", mixAccents(full), "mixed", full)
			if f := oracleFold(family); len(f) > 3 {
				add("name", f[:3], "prefix", family)
			}
			add("address-city", oracleFold(city), "bare", city)
			add("address-city", strings.ToUpper(city), "capitals", city)
			add("address-state", oracleFold(state), "bare", state)
			add("address-state", norm.NFD.String(strings.ToUpper(state)), "nfd", state)
		}
		// Other tone placements are rarer: take every one there is.
		if v := otherTonePlacement(full); v != full {
			add("name", v, "other tone placement", full)
		}
		if v := otherTonePlacement(city); v != city {
			add("address-city", v, "other tone placement", city)
		}
		if v := otherTonePlacement(state); v != state {
			add("address-state", v, "other tone placement", state)
		}
	}
	return qs
}

// oracleFold is the test's own accent folding, written without Sen's code.
func oracleFold(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
		case r == 'đ' || r == 'Đ':
			b.WriteRune('d')
		default:
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// oracle returns the sorted ids of the patients that param=value must find:
// FHIR string search matches when any part of the element starts with the
// value, ignoring case and accents.
func oracle(patients []map[string]any, param, value string) []string {
	return oracleWith(patients, param, value, oracleFold)
}

// caseFold is the folding of an accent-sensitive engine: case only (NFC).
func caseFold(s string) string { return strings.ToLower(norm.NFC.String(s)) }

func oracleWith(patients []map[string]any, param, value string, fold func(string) string) []string {
	v := fold(value)
	var ids []string
	for _, p := range patients {
		var parts []string
		switch param {
		case "name":
			for _, n := range p["name"].([]any) {
				n := n.(map[string]any)
				parts = append(parts, strs(n["family"])...)
				parts = append(parts, strs(n["given"])...)
				parts = append(parts, strs(n["text"])...)
			}
		case "address-city", "address-state":
			key := strings.TrimPrefix(param, "address-")
			for _, a := range p["address"].([]any) {
				parts = append(parts, strs(a.(map[string]any)[key])...)
			}
		}
		for _, part := range parts {
			if strings.HasPrefix(fold(part), v) {
				ids = append(ids, p["id"].(string))
				break
			}
		}
	}
	sort.Strings(ids)
	return ids
}

func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, y := range x {
			if s, ok := y.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// mixAccents keeps the accents of every other word and strips the rest, as
// a user typing half on a Vietnamese keyboard would.
func mixAccents(s string) string {
	words := strings.Fields(s)
	for i := range words {
		if i%2 == 1 {
			words[i] = oracleFold(words[i])
		}
	}
	return strings.Join(words, " ")
}

// otherTonePlacement moves the tone mark of each word ending in the open
// syllables oa, oe or uy to the other vowel ("Hòa" ↔ "Hoà", "Thủy" ↔
// "Thuỷ"); the two placements are both in use in Vietnamese text.
func otherTonePlacement(s string) string {
	words := strings.Split(s, " ")
	for i, w := range words {
		words[i] = moveTone(w)
	}
	return strings.Join(words, " ")
}

func moveTone(w string) string {
	rs := []rune(norm.NFD.String(w))
	var bases []int // indexes of base letters
	tone := -1
	for i, r := range rs {
		switch r {
		case '\u0300', '\u0301', '\u0303', '\u0309', '\u0323':
			tone = i
		default:
			if !unicode.Is(unicode.Mn, r) {
				bases = append(bases, i)
			}
		}
	}
	if tone < 0 || len(bases) < 2 {
		return w
	}
	a, b := bases[len(bases)-2], bases[len(bases)-1]
	pair := strings.ToLower(string(rs[a]) + string(rs[b]))
	if pair != "oa" && pair != "oe" && pair != "uy" {
		return w
	}
	if pair == "uy" && len(bases) >= 3 && unicode.ToLower(rs[bases[len(bases)-3]]) == 'q' {
		return w // "quý": u belongs to qu, the tone is always on y
	}
	// Only bare pairs (no vowel marks on them) are moved.
	if b-a != 1 && !(tone == a+1 && b-a == 2) || tone != len(rs)-1 && tone != a+1 {
		return w
	}
	mark := rs[tone]
	var out []rune
	for i, r := range rs {
		if i == tone {
			continue
		}
		out = append(out, r)
		if tone == len(rs)-1 && i == a {
			out = append(out, mark) // second → first vowel
		}
	}
	if tone == a+1 {
		out = append(out, mark) // first → second vowel (the last letter)
	}
	return norm.NFC.String(string(out))
}

// searchIDs runs Patient?param=value through the store, following pages,
// and returns the sorted ids.
func searchIDs(tb testing.TB, st store.Store, param, value string) []string {
	tb.Helper()
	q, err := search.ParseQuery(r4.Load(), "Patient", url.Values{param: {value}, "_count": {"500"}}, true)
	if err != nil {
		tb.Fatalf("parse %s=%q: %v", param, value, err)
	}
	var ids []string
	for {
		page, err := st.Search(context.Background(), q)
		if err != nil {
			tb.Fatalf("search %s=%q: %v", param, value, err)
		}
		for _, r := range page.Resources {
			ids = append(ids, r.ID)
		}
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	sort.Strings(ids)
	return ids
}

// minus lists up to 5 elements of a that b lacks (both sorted).
func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if _, ok := slices.BinarySearch(b, x); !ok {
			out = append(out, x)
			if len(out) == 5 {
				break
			}
		}
	}
	return out
}
