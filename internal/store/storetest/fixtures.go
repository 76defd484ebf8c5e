package storetest

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Entry builders for hand-made index entries.

func tokenE(param, system, code string) search.Entry {
	return search.Entry{Param: param, Type: search.TypeToken, System: system, Code: code}
}

func textE(param, system, code, text string) search.Entry {
	e := tokenE(param, system, code)
	e.Text = text
	return e
}

func identE(param, system, value, tsys, tcode string) search.Entry {
	e := tokenE(param, system, value)
	e.TypeSystem, e.TypeCode = tsys, tcode
	return e
}

// strE folds like search.Normalize does for the fixtures' Vietnamese names.
func strE(param, value, norm string) search.Entry {
	return search.Entry{Param: param, Type: search.TypeString, Value: value, Norm: norm}
}

func refE(param, typ, id string) search.Entry {
	return search.Entry{Param: param, Type: search.TypeReference, RefType: typ, RefID: id}
}

func urlRefE(param, url string) search.Entry {
	return search.Entry{Param: param, Type: search.TypeReference, RefURL: url}
}

func uriE(param, v string) search.Entry {
	return search.Entry{Param: param, Type: search.TypeURI, Value: v}
}

func day(s string) (time.Time, time.Time) {
	lo, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return lo, lo.Add(24*time.Hour - time.Microsecond)
}

func year(y int) (time.Time, time.Time) {
	lo := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
	return lo, lo.AddDate(1, 0, 0).Add(-time.Microsecond)
}

func dateE(param string, lo, hi time.Time) search.Entry {
	return search.Entry{Param: param, Type: search.TypeDate, Low: lo, High: hi}
}

func instE(param, s string) search.Entry {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return dateE(param, t, t)
}

func numE(param string, n, half float64) search.Entry {
	return search.Entry{Param: param, Type: search.TypeNumber, Number: n, NumLow: n - half, NumHigh: n + half}
}

func qtyE(param string, n, half float64, code string, canon float64, canonCode string) search.Entry {
	return search.Entry{Param: param, Type: search.TypeQuantity, Number: n, NumLow: n - half, NumHigh: n + half,
		System: "http://unitsofmeasure.org", Code: code, Value: code,
		Canonical: canon, CanonicalCode: canonCode, HasCanonical: canonCode != ""}
}

func compE(param string, parts ...search.Entry) search.Entry {
	return search.Entry{Param: param, Type: search.TypeComposite, Components: parts}
}

const (
	loinc  = "http://loinc.org"
	gender = "http://hl7.org/fhir/administrative-gender"
	cccd   = "urn:vn:cccd"
	v2     = "http://terminology.hl7.org/CodeSystem/v2-0203"
)

// fixture is the search data set: patients, a practitioner, an
// organisation, observations, a risk assessment and value sets.
func fixture() []store.Write {
	d := func(s string) search.Entry { lo, hi := day(s); return dateE("birthdate", lo, hi) }
	y := func(n int) search.Entry { lo, hi := year(n); return dateE("birthdate", lo, hi) }
	pat := func(id string, entries ...search.Entry) store.Write {
		return store.Write{Type: "Patient", ID: id, JSON: body("Patient", id, ""),
			Index: search.Indexed{Entries: entries, Patients: []string{id}}}
	}
	obs := func(id, patient string, entries ...search.Entry) store.Write {
		return store.Write{Type: "Observation", ID: id, JSON: body("Observation", id, ""),
			Index: search.Indexed{Entries: entries, Patients: []string{patient}}}
	}
	return []store.Write{
		pat("p1",
			strE("name", "Nguyễn Văn An", "nguyen van an"), strE("name", "Nguyễn", "nguyen"), strE("name", "Văn", "van"), strE("name", "An", "an"),
			tokenE("gender", gender, "male"), d("1980-05-10"),
			identE("identifier", cccd, "001080000001", v2, "NI"),
			tokenE("active", "", "true")),
		pat("p2",
			strE("name", "Trần Thị Bình", "tran thi binh"), strE("name", "Trần", "tran"), strE("name", "Bình", "binh"),
			tokenE("gender", gender, "female"), y(1990),
			identE("identifier", cccd, "001090000002", v2, "NI"),
			refE("organization", "Organization", "o1")),
		pat("p3",
			strE("name", "Lê An", "le an"), strE("name", "Lê", "le"), strE("name", "An", "an"),
			tokenE("gender", gender, "male"), d("2001-01-01")),
		{Type: "Practitioner", ID: "pr1", JSON: body("Practitioner", "pr1", ""),
			Index: search.Indexed{Entries: []search.Entry{strE("name", "Phạm Minh", "pham minh")}}},
		{Type: "Organization", ID: "o1", JSON: body("Organization", "o1", ""),
			Index: search.Indexed{Entries: []search.Entry{strE("name", "Bệnh viện Bạch Mai", "benh vien bach mai")}}},
		obs("obs1", "p1",
			refE("subject", "Patient", "p1"), refE("patient", "Patient", "p1"), refE("performer", "Practitioner", "pr1"),
			textE("code", loinc, "8867-4", "Heart rate"), tokenE("status", "", "final"),
			qtyE("value-quantity", 72, 0.5, "/min", 72, "/min"),
			instE("date", "2024-01-15T10:00:00Z"),
			compE("code-value-quantity", tokenE("", loinc, "8867-4"), qtyE("", 72, 0.5, "/min", 72, "/min"))),
		obs("obs2", "p1",
			refE("subject", "Patient", "p1"), refE("patient", "Patient", "p1"),
			textE("code", loinc, "29463-7", "Body weight"), tokenE("status", "", "final"),
			qtyE("value-quantity", 70.5, 0.05, "kg", 70500, "g"),
			instE("date", "2024-02-01T08:30:00Z"),
			compE("code-value-quantity", tokenE("", loinc, "29463-7"), qtyE("", 70.5, 0.05, "kg", 70500, "g"))),
		obs("obs3", "p2",
			refE("subject", "Patient", "p2"), refE("patient", "Patient", "p2"),
			tokenE("subject", cccd, "001090000002"), // Reference.identifier, for :identifier
			urlRefE("based-on", "http://other.example/fhir/ServiceRequest/9"),
			textE("code", loinc, "8867-4", "Heart rate"), tokenE("status", "", "preliminary"),
			qtyE("value-quantity", 90, 0.5, "/min", 90, "/min"),
			instE("date", "2023-12-31T23:00:00Z"),
			compE("code-value-quantity", tokenE("", loinc, "8867-4"), qtyE("", 90, 0.5, "/min", 90, "/min"))),
		{Type: "RiskAssessment", ID: "ra1", JSON: body("RiskAssessment", "ra1", ""),
			Index: search.Indexed{Entries: []search.Entry{numE("probability", 0.25, 0.005), refE("subject", "Patient", "p2")}, Patients: []string{"p2"}}},
		{Type: "ValueSet", ID: "vs1", JSON: body("ValueSet", "vs1", ""),
			Index: search.Indexed{Entries: []search.Entry{uriE("url", "http://sen.vn/fhir/ValueSet/a")}}},
		{Type: "ValueSet", ID: "vs2", JSON: body("ValueSet", "vs2", ""),
			Index: search.Indexed{Entries: []search.Entry{uriE("url", "http://sen.vn/fhir/ValueSet/a/b")}}},
		{Type: "ValueSet", ID: "vs3", JSON: body("ValueSet", "vs3", ""),
			Index: search.Indexed{Entries: []search.Entry{uriE("url", "http://sen.vn/fhir/ValueSetX")}}},
	}
}

func load(tb testing.TB, s store.Store, ws []store.Write) {
	tb.Helper()
	ctx := context.Background()
	err := s.Update(ctx, func(tx store.Tx) error {
		for _, w := range ws {
			if _, err := tx.Put(ctx, w); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("load fixture: %v", err)
	}
}

// ids lists a page's matches as Type/id (or id when all share want's form).
func ids(rs []*fhir.Resource) []string {
	out := make([]string, 0, len(rs))
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func sorted(ss []string) []string {
	c := append([]string(nil), ss...)
	sort.Strings(c)
	return c
}

func assertIDs(tb testing.TB, s store.Store, q *search.Query, want []string) *store.Page {
	tb.Helper()
	p, err := s.Search(context.Background(), q)
	if err != nil {
		tb.Fatalf("search: %v", err)
	}
	got := sorted(ids(p.Resources))
	if strings.Join(got, ",") != strings.Join(sorted(want), ",") {
		tb.Errorf("got %v, want %v", got, sorted(want))
	}
	return p
}
