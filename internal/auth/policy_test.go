package auth

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/consent"
	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

func headerOf(tb testing.TB, body string) (string, string) {
	tb.Helper()
	var h struct{ ResourceType, ID string }
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		tb.Fatalf("fixture %s: %v", body, err)
	}
	return h.ResourceType, h.ID
}

// policyFixture: hospital hA, commune station sB, other hospital hC.
//
//	p1: general practitioner sB; linked caregiver rp1
//	p2: on a care team with PractitionerRole/rA (doctor at hA)
//	p3: managed by hC, Consent permits hA
//	p4: managed by hC, nothing else
//	p5: managed by hA, but Consent denies hA
var policyFixture = []string{
	`{"resourceType":"Organization","id":"hA","name":"Bệnh viện A"}`,
	`{"resourceType":"Organization","id":"sB","name":"Trạm y tế B"}`,
	`{"resourceType":"Organization","id":"hC","name":"Bệnh viện C"}`,
	`{"resourceType":"Patient","id":"p1","name":[{"text":"Nguyễn Văn Một"}],"birthDate":"1950-04-03","generalPractitioner":[{"reference":"Organization/sB"}]}`,
	`{"resourceType":"Patient","id":"p2","name":[{"text":"Trần Thị Hai"}]}`,
	`{"resourceType":"Patient","id":"p3","managingOrganization":{"reference":"Organization/hC"}}`,
	`{"resourceType":"Patient","id":"p4","managingOrganization":{"reference":"Organization/hC"}}`,
	`{"resourceType":"Patient","id":"p5","managingOrganization":{"reference":"Organization/hA"}}`,
	`{"resourceType":"RelatedPerson","id":"rp1","patient":{"reference":"Patient/p1"}}`,
	`{"resourceType":"CareTeam","id":"ct2","status":"active","subject":{"reference":"Patient/p2"},"participant":[{"member":{"reference":"PractitionerRole/rA"}}]}`,
	`{"resourceType":"Consent","id":"c3","status":"active","dateTime":"2026-01-01","scope":{"text":"privacy"},"category":[{"text":"share"}],"patient":{"reference":"Patient/p3"},
	  "provision":{"type":"permit","actor":[{"role":{"text":"recipient"},"reference":{"reference":"Organization/hA"}}]}}`,
	`{"resourceType":"Consent","id":"c5","status":"active","dateTime":"2026-01-01","scope":{"text":"privacy"},"category":[{"text":"share"}],"patient":{"reference":"Patient/p5"},
	  "provision":{"type":"deny","actor":[{"role":{"text":"recipient"},"reference":{"reference":"Organization/hA"}}]}}`,
	`{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"HA"},"subject":{"reference":"Patient/p1","display":"Nguyễn Văn Một"}}`,
	`{"resourceType":"Observation","id":"o2","status":"final","code":{"text":"HA"},"subject":{"reference":"Patient/p2"}}`,
	`{"resourceType":"Observation","id":"o3","status":"final","code":{"text":"HA"},"subject":{"reference":"Patient/p3"}}`,
	`{"resourceType":"Observation","id":"o4","status":"final","code":{"text":"HA"},"subject":{"reference":"Patient/p4"}}`,
	`{"resourceType":"Observation","id":"o5","status":"final","code":{"text":"HA"},"subject":{"reference":"Patient/p5"}}`,
	`{"resourceType":"MedicationRequest","id":"m1","status":"active","intent":"order","medicationCodeableConcept":{"text":"Amlodipin 5mg"},"subject":{"reference":"Patient/p1"}}`,
}

func allScopes() Scopes {
	s, _ := ParseScopes("user/*.cruds")
	return s
}

func testPrincipals() map[string]func() *Principal {
	sc := allScopes()
	return map[string]func() *Principal{
		"doctorA": func() *Principal {
			return &Principal{Subject: "u-doc", Role: RoleDoctor, FHIRUser: "Practitioner/dA", PractitionerRole: "PractitionerRole/rA", Organization: "Organization/hA", Scopes: sc}
		},
		"nurseA": func() *Principal {
			return &Principal{Subject: "u-nurse", Role: RoleNurse, Organization: "Organization/hA", Scopes: sc}
		},
		"stationB": func() *Principal {
			return &Principal{Subject: "u-st", Role: RoleStationStaff, Organization: "Organization/sB", Scopes: sc}
		},
		"pharmB": func() *Principal {
			return &Principal{Subject: "u-ph", Role: RolePharmacist, Organization: "Organization/sB", Scopes: sc}
		},
		"chwB": func() *Principal {
			return &Principal{Subject: "u-chw", Role: RoleHealthWorker, Organization: "Organization/sB", Scopes: sc}
		},
		"socialB": func() *Principal {
			return &Principal{Subject: "u-sw", Role: RoleSocialWorker, Organization: "Organization/sB", Scopes: sc}
		},
		"patient1": func() *Principal {
			return &Principal{Subject: "u-p1", Role: RolePatient, FHIRUser: "Patient/p1", Patients: []string{"p1"}, Scopes: sc}
		},
		"caregiver1": func() *Principal {
			return &Principal{Subject: "u-rp1", Role: RoleCaregiver, FHIRUser: "RelatedPerson/rp1", Patients: []string{"p1"}, Scopes: sc}
		},
		"researcher": func() *Principal { return &Principal{Subject: "u-res", Role: RoleResearcher, Scopes: sc} },
		"admin":      func() *Principal { return &Principal{Subject: "u-adm", Role: RoleAdmin, Scopes: sc} },
		"appP1": func() *Principal {
			s, _ := ParseScopes("patient/Observation.rs")
			return &Principal{Subject: "u-doc", Role: RoleDoctor, PractitionerRole: "PractitionerRole/rA", Organization: "Organization/hA", LaunchPatient: "p2", Scopes: s}
		},
	}
}

func newGuard(tb testing.TB, st store.Store, bg *consent.BreakGlass) *Guard {
	m, ix := testModel(tb)
	return &Guard{Store: st, Indexer: ix, Compartments: m,
		Policy: &Policy{BreakGlass: bg, Now: func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }}}
}

func TestPolicyReadWrite(t *testing.T) {
	st := openStore(t)
	load(t, st, policyFixture...)
	bg := consent.NewBreakGlass(nil, time.Hour)
	if _, err := bg.Open(context.Background(), "u-doc", "p4", "Cấp cứu: người bệnh bất tỉnh tại khoa"); err != nil {
		t.Fatal(err)
	}
	g := newGuard(t, st, bg)
	ps := testPrincipals()
	type op int
	const (
		read op = iota
		write
	)
	tests := []struct {
		who  string
		op   op
		ref  string // Type/id read, or Type/id written for patient
		pat  string // patient of a written Observation
		want bool
	}{
		// doctor at hA: care team (p2), consent (p3), break-glass (p4); not p1 (other org); p5 denied by consent
		{"doctorA", read, "Observation/o2", "", true},
		{"doctorA", read, "Observation/o3", "", true},
		{"doctorA", read, "Observation/o4", "", true},
		{"doctorA", read, "Observation/o1", "", false},
		{"doctorA", read, "Observation/o5", "", false},
		{"doctorA", write, "Observation/new2", "p2", true},
		{"doctorA", write, "Observation/new1", "p1", false},
		{"doctorA", read, "Organization/hC", "", true},
		// nurse at hA: organisation-managed p5 is denied by consent; care team is by practitioner role, not hers
		{"nurseA", read, "Observation/o2", "", false},
		{"nurseA", read, "Observation/o5", "", false},
		// commune station B: its general-practice patient p1
		{"stationB", read, "Observation/o1", "", true},
		{"stationB", write, "Observation/new1", "p1", true},
		{"stationB", read, "Observation/o2", "", false},
		{"pharmB", read, "MedicationRequest/m1", "", true},
		{"pharmB", write, "Observation/new1", "p1", false}, // pharmacists do not record observations
		{"pharmB", read, "Observation/o1", "", true},
		{"chwB", read, "Observation/o1", "", true},
		{"chwB", write, "Observation/new1", "p1", true},
		{"socialB", read, "Observation/o1", "", false}, // not a social worker's type
		{"socialB", read, "Patient/p1", "", true},
		// patient and caregiver: own record only
		{"patient1", read, "Observation/o1", "", true},
		{"patient1", read, "Observation/o2", "", false},
		{"patient1", write, "Observation/self1", "p1", true},
		{"patient1", write, "Observation/other", "p2", false},
		{"patient1", write, "Organization/hA", "", false},
		{"caregiver1", read, "MedicationRequest/m1", "", true},
		{"caregiver1", read, "Patient/p3", "", false},
		// researcher: reads everything (de-identified), writes nothing
		{"researcher", read, "Observation/o4", "", true},
		{"researcher", write, "Observation/new4", "p4", false},
		// admin: reference data, not patient records (without break-glass)
		{"admin", read, "Observation/o1", "", false},
		{"admin", write, "Organization/new", "", true},
		// SMART app with patient/ scopes in the context of p2: only p2's observations, nothing else
		{"appP1", read, "Observation/o2", "", true},
		{"appP1", read, "Observation/o3", "", false},
		{"appP1", read, "Patient/p2", "", false},
	}
	for _, tt := range tests {
		name := tt.who + map[op]string{read: " reads ", write: " writes "}[tt.op] + tt.ref
		t.Run(name, func(t *testing.T) {
			p := ps[tt.who]()
			ctx := WithPrincipal(context.Background(), p)
			var err error
			typ, id := splitRef(tt.ref)
			if tt.op == read {
				var res *fhir.Resource
				res, err = g.Read(ctx, typ, id)
				if err == nil && p.Role == RoleResearcher && typ == "Patient" && string(res.JSON) != "" {
					t.Fatalf("researcher got identified %s", res.JSON)
				}
			} else {
				body := `{"resourceType":"Organization","id":"` + id + `","name":"x"}`
				if typ == "Observation" {
					body = `{"resourceType":"Observation","id":"` + id + `","status":"final","code":{"text":"x"},"subject":{"reference":"Patient/` + tt.pat + `"}}`
				}
				_, ix := testModel(t)
				idx, ierr := ix.Index(typ, []byte(body))
				if ierr != nil {
					t.Fatal(ierr)
				}
				err = g.Update(ctx, func(tx store.Tx) error {
					_, err := tx.Put(ctx, store.Write{Type: typ, ID: id, JSON: []byte(body), Index: idx})
					return err
				})
			}
			got := err == nil
			if got != tt.want {
				t.Fatalf("allowed: got %v, want %v (err %v)", got, tt.want, err)
			}
			if err != nil && fhir.KindOf(err) != fhir.KindForbidden {
				t.Fatalf("denial kind: got %v (%v), want forbidden", fhir.KindOf(err), err)
			}
		})
	}
}

func splitRef(ref string) (string, string) {
	for i := 0; i < len(ref); i++ {
		if ref[i] == '/' {
			return ref[:i], ref[i+1:]
		}
	}
	return ref, ""
}

func TestPolicySearchFilters(t *testing.T) {
	st := openStore(t)
	load(t, st, policyFixture...)
	g := newGuard(t, st, consent.NewBreakGlass(nil, 0))
	ps := testPrincipals()
	tests := []struct {
		who  string
		want []string // Observation ids found by Observation?_count=100
	}{
		{"doctorA", []string{"o2", "o3"}},
		{"stationB", []string{"o1"}},
		{"patient1", []string{"o1"}},
		{"caregiver1", []string{"o1"}},
		{"researcher", []string{"o1", "o2", "o3", "o4", "o5"}},
		{"admin", nil},
		{"appP1", []string{"o2"}},
	}
	for _, tt := range tests {
		t.Run(tt.who, func(t *testing.T) {
			ctx := WithPrincipal(context.Background(), ps[tt.who]())
			page, err := g.Search(ctx, &search.Query{Type: "Observation", Count: 100})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range page.Resources {
				got = append(got, r.ID)
			}
			if !sameSet(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	// Searching another patient's compartment is refused outright.
	ctx := WithPrincipal(context.Background(), ps["patient1"]())
	_, err := g.Search(ctx, &search.Query{Type: "Observation", Compartment: &search.Compartment{Type: "Patient", ID: "p2"}})
	if fhir.KindOf(err) != fhir.KindForbidden {
		t.Fatalf("compartment search of another patient: got %v, want forbidden", err)
	}
	// Without a principal the guard fails closed.
	if _, err := g.Read(context.Background(), "Observation", "o1"); fhir.KindOf(err) != fhir.KindUnauthorized {
		t.Fatalf("no principal: got %v, want unauthorized", err)
	}
}

func TestResearcherSeesDeidentified(t *testing.T) {
	st := openStore(t)
	load(t, st, policyFixture...)
	g := newGuard(t, st, nil)
	ctx := WithPrincipal(context.Background(), testPrincipals()["researcher"]())
	res, err := g.Read(ctx, "Patient", "p1")
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(res.JSON, &got); err != nil {
		t.Fatal(err)
	}
	if _, ok := got["name"]; ok {
		t.Errorf("name kept: %s", res.JSON)
	}
	if got["birthDate"] != "1950" {
		t.Errorf("birthDate: got %v, want 1950", got["birthDate"])
	}
	obs, err := g.Read(ctx, "Observation", "o1")
	if err != nil {
		t.Fatal(err)
	}
	if json.Valid(obs.JSON) && contains([]string{string(obs.JSON)}, "Nguyễn") {
		t.Errorf("display kept")
	}
	var o map[string]any
	_ = json.Unmarshal(obs.JSON, &o)
	if subj := o["subject"].(map[string]any); subj["display"] != nil {
		t.Errorf("reference display kept: %s", obs.JSON)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[string]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}
