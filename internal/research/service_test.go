package research

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/audit"
	"github.com/sen-emr/sen/internal/clinical/population"
	"github.com/sen-emr/sen/internal/fhir"
)

// fakeSource serves resources by type.
type fakeSource map[string][][]byte

func (f fakeSource) Each(_ context.Context, typ string, fn func([]byte) error) error {
	for _, b := range f[typ] {
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

// auditLog keeps the recorded events.
type auditLog struct {
	mu     sync.Mutex
	events []audit.Event
}

func (a *auditLog) Record(e audit.Event) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, e)
}

func (a *auditLog) last(tb testing.TB) audit.Event {
	tb.Helper()
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.events) == 0 {
		tb.Fatal("no audit event")
	}
	return a.events[len(a.events)-1]
}

// person adds a patient (born in year, sex, province) with a condition.
func (f fakeSource) person(id string, year int, sex, province, icd string) {
	f["Patient"] = append(f["Patient"], fmt.Appendf(nil,
		`{"resourceType":"Patient","id":%q,"gender":%q,"birthDate":"%d-06-15","name":[{"family":"Nguyễn %s"}],"address":[{"line":["12 Hàng Bạc"],"extension":[{"url":"x","valueCoding":{"system":"https://sen-emr.github.io/fhir/CodeSystem/vn-province","code":%q}}]}]}`,
		id, sex, year, id, province))
	f["Condition"] = append(f["Condition"], fmt.Appendf(nil,
		`{"resourceType":"Condition","id":"c-%s","subject":{"reference":"Patient/%s"},"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},"code":{"coding":[{"system":%q,"code":%q}]},"recordedDate":"2024-03-01"}`,
		id, id, population.SystemICD10, icd))
}

// population returns n hypertensive women born in 1960 in Hà Nội, plus the
// extra people.
func newSource(n int) fakeSource {
	f := fakeSource{}
	for i := range n {
		f.person(fmt.Sprintf("htn-%02d", i), 1960, "female", "01", "I10")
	}
	return f
}

var (
	researcher = Actor{Ref: "Practitioner/r1", Name: "Lê Nghiên Cứu", Role: RoleResearcher}
	other      = Actor{Ref: "Practitioner/r2", Role: RoleResearcher}
	custodian  = Actor{Ref: "Practitioner/c1", Name: "Phạm Quản Lý", Role: RoleCustodian}
)

func newService(src fakeSource) (*Service, *auditLog) {
	log := &auditLog{}
	now := time.Date(2025, 5, 1, 9, 0, 0, 0, time.UTC)
	return &Service{Requests: &MemoryRequests{}, Source: src, Audit: log, Now: func() time.Time { return now }}, log
}

func TestWorkflow(t *testing.T) {
	ctx := context.Background()
	src := newSource(20)
	src.person("dm-1", 1970, "male", "79", "E11") // not on the hypertension registry
	s, log := newService(src)

	r, err := s.Submit(ctx, researcher, Request{Purpose: "HTN control study", Types: []string{"Patient", "Condition"}, Registry: "hypertension"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusRequested || r.Researcher != researcher.Ref || r.ID == "" {
		t.Fatalf("submitted %+v", r)
	}
	if r, err = s.Decide(ctx, custodian, r.ID, true, "ethics approval 2025/17"); err != nil || r.Status != StatusApproved {
		t.Fatalf("approve: %+v %v", r, err)
	}
	var out bytes.Buffer
	if r, err = s.Produce(ctx, researcher, r.ID, &out); err != nil {
		t.Fatal(err)
	}
	if r.Status != StatusProduced || r.Rows != 40 || r.SmallestK != 20 {
		t.Errorf("produced %+v, want 40 resources (20 patients + 20 conditions), smallest class 20", r)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 40 {
		t.Fatalf("extract has %d lines, want 40", len(lines))
	}
	for _, banned := range []string{"htn-", "dm-1", "Nguyễn", "Hàng Bạc", "1960-06-15"} {
		if strings.Contains(out.String(), banned) {
			t.Errorf("extract contains %q", banned)
		}
	}

	// A second production of the same approval is refused.
	if _, err := s.Produce(ctx, researcher, r.ID, &out); fhir.KindOf(err) != fhir.KindConflict {
		t.Errorf("second production: %v, want a conflict", err)
	}

	wantSteps := []struct {
		interaction string
		outcome     int
		agent       string
	}{
		{"research-request", 201, researcher.Ref},
		{"research-approve", 200, custodian.Ref},
		{"research-extract", 200, researcher.Ref},
		{"research-extract", 409, researcher.Ref},
	}
	if len(log.events) != len(wantSteps) {
		t.Fatalf("%d audit events, want %d", len(log.events), len(wantSteps))
	}
	for i, w := range wantSteps {
		e := log.events[i]
		if e.Interaction != w.interaction || e.Outcome != w.outcome || e.Agent != w.agent || e.Query != "request="+r.ID || len(e.Purpose) != 1 || e.Purpose[0] != "HRESCH" {
			t.Errorf("audit %d = %s %d %s %q %v, want %s %d %s", i, e.Interaction, e.Outcome, e.Agent, e.Query, e.Purpose, w.interaction, w.outcome, w.agent)
		}
	}
	if !strings.Contains(log.events[2].Reason, "40 resources of 20 people") {
		t.Errorf("extract audit reason %q", log.events[2].Reason)
	}
}

func TestRefusals(t *testing.T) {
	ctx := context.Background()
	s, log := newService(newSource(10))
	pending, err := s.Submit(ctx, researcher, Request{Purpose: "p", Types: []string{"Patient"}})
	if err != nil {
		t.Fatal(err)
	}
	selfCustodian := Actor{Ref: researcher.Ref, Role: RoleCustodian}
	tests := []struct {
		name string
		step func() error
		want fhir.Kind
	}{
		{"custodian submits", func() error {
			_, err := s.Submit(ctx, custodian, Request{Purpose: "p", Types: []string{"Patient"}})
			return err
		}, fhir.KindForbidden},
		{"no purpose", func() error { _, err := s.Submit(ctx, researcher, Request{Types: []string{"Patient"}}); return err }, fhir.KindInvalid},
		{"no types", func() error { _, err := s.Submit(ctx, researcher, Request{Purpose: "p"}); return err }, fhir.KindInvalid},
		{"staff records", func() error {
			_, err := s.Submit(ctx, researcher, Request{Purpose: "p", Types: []string{"Practitioner"}})
			return err
		}, fhir.KindInvalid},
		{"audit trail", func() error {
			_, err := s.Submit(ctx, researcher, Request{Purpose: "p", Types: []string{"AuditEvent"}})
			return err
		}, fhir.KindInvalid},
		{"unknown registry", func() error {
			_, err := s.Submit(ctx, researcher, Request{Purpose: "p", Types: []string{"Patient"}, Registry: "nope"})
			return err
		}, fhir.KindInvalid},
		{"researcher approves", func() error { _, err := s.Decide(ctx, other, pending.ID, true, ""); return err }, fhir.KindForbidden},
		{"custodian approves own request", func() error { _, err := s.Decide(ctx, selfCustodian, pending.ID, true, ""); return err }, fhir.KindForbidden},
		{"rejection without reason", func() error { _, err := s.Decide(ctx, custodian, pending.ID, false, ""); return err }, fhir.KindInvalid},
		{"unknown request", func() error { _, err := s.Decide(ctx, custodian, "nope", true, ""); return err }, fhir.KindNotFound},
		{"produce before approval", func() error {
			_, err := s.Produce(ctx, researcher, pending.ID, &bytes.Buffer{})
			return err
		}, fhir.KindConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.step()
			if got := fhir.KindOf(err); err == nil || got != tt.want {
				t.Fatalf("err = %v (kind %v), want kind %v", err, got, tt.want)
			}
			e := log.last(t)
			if e.Outcome != fhir.StatusOf(err) || e.Reason != err.Error() {
				t.Errorf("audit outcome %d reason %q, want %d %q", e.Outcome, e.Reason, fhir.StatusOf(err), err.Error())
			}
		})
	}

	// After the refusals the request is still pending; another researcher
	// cannot produce it once approved, and a rejected one is final.
	if _, err := s.Decide(ctx, custodian, pending.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Produce(ctx, other, pending.ID, &bytes.Buffer{}); fhir.KindOf(err) != fhir.KindForbidden {
		t.Errorf("another researcher produced: %v", err)
	}
	if _, err := s.Decide(ctx, custodian, pending.ID, false, "changed mind"); fhir.KindOf(err) != fhir.KindConflict {
		t.Errorf("second decision: %v, want a conflict", err)
	}
	rej, _ := s.Submit(ctx, researcher, Request{Purpose: "p", Types: []string{"Patient"}})
	if r, err := s.Decide(ctx, custodian, rej.ID, false, "no ethics approval"); err != nil || r.Status != StatusRejected {
		t.Fatalf("reject: %+v %v", r, err)
	}
	if _, err := s.Produce(ctx, researcher, rej.ID, &bytes.Buffer{}); fhir.KindOf(err) != fhir.KindConflict {
		t.Errorf("produced a rejected request: %v", err)
	}
}

// TestKAnonymity: people in (birth year, sex, province) classes smaller
// than k are left out when few; when too many, the extract is refused and
// the request stays approved.
func TestKAnonymity(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name       string
		extra      [][3]string // birth year, sex, province of people in small classes
		wantErr    bool
		wantPeople int
	}{
		{"one class of 40", nil, false, 40},
		{"one outlier of 41 left out", [][3]string{{"1990", "male", "79"}}, false, 40},
		{"class of four: 9 % is too many to leave out", [][3]string{{"1991", "male", "79"}, {"1991", "male", "79"}, {"1991", "male", "79"}, {"1991", "male", "79"}}, true, 0},
		{"class of five kept", [][3]string{{"1991", "male", "79"}, {"1991", "male", "79"}, {"1991", "male", "79"}, {"1991", "male", "79"}, {"1991", "male", "79"}}, false, 45},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := newSource(40)
			for i, e := range tt.extra {
				var year int
				fmt.Sscan(e[0], &year)
				src.person(fmt.Sprintf("x-%d", i), year, e[1], e[2], "I10")
			}
			s, _ := newService(src)
			r, err := s.Submit(ctx, researcher, Request{Purpose: "p", Types: []string{"Patient"}})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Decide(ctx, custodian, r.ID, true, ""); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			got, err := s.Produce(ctx, researcher, r.ID, &out)
			if tt.wantErr {
				if fhir.KindOf(err) != fhir.KindUnprocessable {
					t.Fatalf("err = %v, want a k-anonymity refusal", err)
				}
				if out.Len() != 0 {
					t.Error("a refused extract wrote data")
				}
				again, _ := s.Requests.Get(ctx, r.ID)
				if again.Status != StatusApproved {
					t.Errorf("status after refusal %s, want approved", again.Status)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Rows != tt.wantPeople || got.SmallestK < DefaultK {
				t.Errorf("rows %d smallest class %d, want %d rows and k >= %d", got.Rows, got.SmallestK, tt.wantPeople, DefaultK)
			}
		})
	}
}
