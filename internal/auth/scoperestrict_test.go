package auth

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"

	"github.com/sen-emr/sen/internal/consent"
	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

var labFixture = []string{
	`{"resourceType":"Observation","id":"lab1","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],"code":{"text":"HbA1c"},"subject":{"reference":"Patient/p1"}}`,
	`{"resourceType":"Observation","id":"lab2","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"laboratory"}]}],"code":{"text":"Glucose"},"subject":{"reference":"Patient/p1"}}`,
	`{"resourceType":"Observation","id":"vs1","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],"code":{"text":"HA"},"subject":{"reference":"Patient/p1"}}`,
}

func obsBody(id, category string) string {
	return `{"resourceType":"Observation","id":"` + id + `","status":"final","category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"` +
		category + `"}]}],"code":{"text":"x"},"subject":{"reference":"Patient/p1"}}`
}

func guardWithQueries(tb testing.TB, st store.Store) *Guard {
	tb.Helper()
	m, _ := testModel(tb)
	g := newGuard(tb, st, consent.NewBreakGlass(nil, 0))
	g.Queries = func(typ string, params url.Values) (*search.Query, error) {
		return search.ParseQuery(m, typ, params, true)
	}
	return g
}

func labApp(tb testing.TB, scopes string) *Principal {
	tb.Helper()
	s, err := ParseScopes(scopes)
	if err != nil {
		tb.Fatal(err)
	}
	return &Principal{Subject: "u-p1", Role: RolePatient, FHIRUser: "Patient/p1", Patients: []string{"p1"}, LaunchPatient: "p1", Scopes: s}
}

func put(tb testing.TB, ctx context.Context, g *Guard, body string) error {
	tb.Helper()
	_, ix := testModel(tb)
	typ, id := "Observation", ""
	var h struct{ ID string }
	_ = jsonUnmarshal(body, &h)
	id = h.ID
	idx, err := ix.Index(typ, []byte(body))
	if err != nil {
		return err
	}
	return g.Update(ctx, func(tx store.Tx) error {
		_, err := tx.Put(ctx, store.Write{Type: typ, ID: id, JSON: []byte(body), Index: idx})
		return err
	})
}

func TestScopeRestrictionEnforced(t *testing.T) {
	st := openStore(t)
	load(t, st, append(append([]string(nil), policyFixture...), labFixture...)...)
	g := guardWithQueries(t, st)
	ctx := WithPrincipal(context.Background(), labApp(t, "patient/Observation.cruds?category=laboratory"))

	reads := []struct {
		id   string
		want fhir.Kind // 0: allowed
	}{
		{"lab1", 0},
		{"vs1", fhir.KindForbidden},
		{"o1", fhir.KindForbidden}, // no category at all
	}
	for _, tt := range reads {
		t.Run("read "+tt.id, func(t *testing.T) {
			_, err := g.Read(ctx, "Observation", tt.id)
			if got := fhir.KindOf(err); err != nil && got != tt.want || err == nil && tt.want != 0 {
				t.Fatalf("got %v, want kind %v", err, tt.want)
			}
		})
	}

	t.Run("search is narrowed in the query: exact page and total", func(t *testing.T) {
		page, err := g.Search(ctx, &search.Query{Type: "Observation", Count: 1, Total: "accurate"})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Resources) != 1 || page.Total != 2 {
			t.Fatalf("got %d resources, total %d; want 1 and 2", len(page.Resources), page.Total)
		}
		if id := page.Resources[0].ID; id != "lab1" && id != "lab2" {
			t.Errorf("got %s, want a laboratory Observation", id)
		}
	})

	writes := []struct {
		name string
		body string
		want fhir.Kind
	}{
		{"create inside", obsBody("new-lab", "laboratory"), 0},
		{"create outside", obsBody("new-vs", "vital-signs"), fhir.KindForbidden},
		{"move out of the restriction", obsBody("lab2", "vital-signs"), fhir.KindForbidden},
		{"update outside record", obsBody("vs1", "laboratory"), fhir.KindForbidden},
	}
	for _, tt := range writes {
		t.Run(tt.name, func(t *testing.T) {
			err := put(t, ctx, g, tt.body)
			if got := fhir.KindOf(err); err != nil && got != tt.want || err == nil && tt.want != 0 {
				t.Fatalf("got %v, want kind %v", err, tt.want)
			}
		})
	}
	// The refused update rolled back: lab2 is still a laboratory result.
	if _, err := g.Read(ctx, "Observation", "lab2"); err != nil {
		t.Fatalf("lab2 after refused update: %v", err)
	}
	if _, err := st.Read(context.Background(), "Observation", "new-vs"); fhir.KindOf(err) != fhir.KindNotFound {
		t.Fatalf("refused create was stored: %v", err)
	}

	t.Run("two restricted scopes: checked one by one, total dropped", func(t *testing.T) {
		ctx := WithPrincipal(context.Background(), labApp(t, "patient/Observation.rs?category=laboratory patient/Observation.rs?category=vital-signs"))
		page, err := g.Search(ctx, &search.Query{Type: "Observation", Count: 100})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range page.Resources {
			got = append(got, r.ID)
		}
		if !sameSet(got, []string{"lab1", "lab2", "vs1", "new-lab"}) || page.Total != -1 {
			t.Fatalf("got %v total %d, want the laboratory and vital-signs ones, total -1", got, page.Total)
		}
	})

	t.Run("unparsable restriction fails closed", func(t *testing.T) {
		ctx := WithPrincipal(context.Background(), labApp(t, "patient/Observation.rs?no-such-param=1"))
		if _, err := g.Read(ctx, "Observation", "lab1"); fhir.KindOf(err) != fhir.KindForbidden {
			t.Fatalf("got %v, want forbidden", err)
		}
	})
}

// TestCompartmentPushedIntoQuery checks that patients' and caregivers'
// searches page and count exactly what they may see.
func TestCompartmentPushedIntoQuery(t *testing.T) {
	st := openStore(t)
	load(t, st, append(append([]string(nil), policyFixture...), labFixture...)...)
	g := guardWithQueries(t, st)
	sc := allScopes()
	two := &Principal{Subject: "u-rp", Role: RoleCaregiver, FHIRUser: "RelatedPerson/rp1", Patients: []string{"p1", "p2"}, Scopes: sc}
	one := &Principal{Subject: "u-p1", Role: RolePatient, FHIRUser: "Patient/p1", Patients: []string{"p1"}, Scopes: sc}
	m, _ := testModel(t)
	parse := func(typ, qs string) *search.Query {
		v, _ := url.ParseQuery(qs)
		q, err := search.ParseQuery(m, typ, v, true)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	tests := []struct {
		name      string
		p         *Principal
		typ, qs   string
		wantN     int
		wantTotal int
	}{
		{"patient: own observations, page of 2 of 4", one, "Observation", "_count=2&_total=accurate", 2, 4},
		{"caregiver naming a patient", two, "Observation", "subject=Patient/p2&_count=10&_total=accurate", 1, 1},
		{"caregiver naming the other patient", two, "Observation", "patient=p1&_count=1&_total=accurate", 1, 4},
		{"caregiver: Patient search by _id push-down", two, "Patient", "_count=1&_total=accurate", 1, 2},
		{"caregiver: unnamed search stays filtered", two, "Observation", "_count=100&_total=accurate", 5, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := WithPrincipal(context.Background(), tt.p)
			page, err := g.Search(ctx, parse(tt.typ, tt.qs))
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Resources) != tt.wantN || page.Total != tt.wantTotal {
				t.Fatalf("got %d resources total %d, want %d total %d", len(page.Resources), page.Total, tt.wantN, tt.wantTotal)
			}
		})
	}
	// Naming a patient the caregiver is not linked to finds nothing of theirs.
	ctx := WithPrincipal(context.Background(), two)
	page, err := g.Search(ctx, parse("Observation", "subject=Patient/p4"))
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Resources) != 0 {
		t.Fatalf("another patient's observations: got %d", len(page.Resources))
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
