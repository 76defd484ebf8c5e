package record

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
)

// fakeExpunger removes resources from a memStore and counts the calls.
type fakeExpunger struct {
	m       *memStore
	removed []string
}

func (x *fakeExpunger) Expunge(_ context.Context, typ, id string) error {
	delete(x.m.res, typ+"/"+id)
	x.removed = append(x.removed, typ+"/"+id)
	return nil
}

// retentionStore holds one episode per retention class, each ended on
// 2026-02-14, and records inside them.
func retentionStore() *memStore {
	enc := func(id, extra string) string {
		return `{"resourceType":"Encounter","id":"` + id + `","status":"finished","subject":{"reference":"Patient/p1"},"period":{"start":"2026-02-10","end":"2026-02-14"}` + extra + `}`
	}
	res := map[string]string{
		"Patient/p1":   `{"resourceType":"Patient","id":"p1"}`,
		"Patient/p2":   `{"resourceType":"Patient","id":"p2","deceasedDateTime":"2026-02-14"}`,
		"Condition/c1": `{"resourceType":"Condition","id":"c1","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"F20.0"}]}}`,
		"Condition/c3": `{"resourceType":"Condition","id":"c3","code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"I10"}]}}`,
		// 10 years: hypertension.
		"Encounter/std": enc("std", `,"diagnosis":[{"condition":{"reference":"Condition/c3"}}]`),
		// 20 years: schizophrenia, and a result recorded in that episode.
		"Encounter/mh":   enc("mh", `,"diagnosis":[{"condition":{"reference":"Condition/c1"}}]`),
		"Observation/o1": `{"resourceType":"Observation","id":"o1","status":"final","encounter":{"reference":"Encounter/mh"},"effectiveDateTime":"2026-02-12"}`,
		// 30 years: died in hospital.
		"Encounter/died": enc("died", `,"hospitalization":{"dischargeDisposition":{"coding":[{"code":"exp"}]}}`),
		// 30 years: the patient's death recorded on the day of discharge.
		"Encounter/died2": strings.Replace(enc("died2", ""), "Patient/p1", "Patient/p2", 1),
		// Permanent: a medical-incident file.
		"AdverseEvent/ae1": `{"resourceType":"AdverseEvent","id":"ae1","date":"2000-01-01"}`,
		// Open: not counting yet.
		"Encounter/open":    `{"resourceType":"Encounter","id":"open","status":"in-progress","subject":{"reference":"Patient/p1"},"period":{"start":"2026-02-10"}}`,
		"Organization/org1": `{"resourceType":"Organization","id":"org1"}`,
	}
	m := &memStore{res: map[string]*fhir.Resource{}}
	for ref, body := range res {
		typ, id, _ := strings.Cut(ref, "/")
		m.res[ref] = &fhir.Resource{Type: typ, ID: id, JSON: []byte(body)}
	}
	return m
}

func TestGuardRetentionByClass(t *testing.T) {
	tests := []struct {
		name     string
		ref      string
		class    string
		years    int    // the class period; 0: permanent
		expiry   string // "" : never at these dates
		wantText []string
	}{
		{"standard record, 10 years", "Encounter/std", "standard", 10, "2036-02-14", []string{"10 years from the end of the episode", "ended on 2026-02-14"}},
		{"mental-health record, 20 years", "Encounter/mh", "mental-health", 20, "2046-02-14", []string{"20 years", "14/02/2046"}},
		{"result inside a mental-health episode, 20 years", "Observation/o1", "mental-health", 20, "2046-02-14", []string{"Observation/o1"}},
		{"death by discharge disposition, 30 years", "Encounter/died", "death", 30, "2056-02-14", []string{"30 years"}},
		{"death recorded on the patient, 30 years", "Encounter/died2", "death", 30, "2056-02-14", []string{"kept until 2056-02-14"}},
		{"medical-incident file, permanent", "AdverseEvent/ae1", "incident", 0, "", []string{"kept permanently", "vĩnh viễn"}},
		{"open episode", "Encounter/open", "standard", 10, "", []string{"still open", "chưa kết thúc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			typ, id, _ := strings.Cut(tt.ref, "/")
			check := func(now time.Time) error {
				m := retentionStore()
				g := NewGuard(m, func() time.Time { return now })
				err := g.Update(context.Background(), func(tx store.Tx) error { _, err := tx.Delete(context.Background(), typ, id, 0); return err })
				if _, kept := m.res[tt.ref]; err != nil && !kept {
					t.Fatalf("refused but removed")
				}
				return err
			}
			before := day("2026-02-15")
			if tt.expiry != "" {
				before = day(tt.expiry).Add(-time.Hour)
			}
			err := check(before)
			var fe *fhir.Error
			if !errors.As(err, &fe) || fe.Kind != fhir.KindConflict || fhir.StatusOf(err) != 409 {
				t.Fatalf("before expiry: %v, want a 409 conflict", err)
			}
			var re *RetainedError
			if !errors.As(err, &re) || re.Class.Code != tt.class || re.Class.Years != tt.years {
				t.Fatalf("class %+v, want %s (%d years)", re, tt.class, tt.years)
			}
			if len(fe.Issues) != 2 || !strings.Contains(fe.Issues[0].Diagnostics, "Thông tư 33/2025") || !strings.Contains(fe.Issues[1].Diagnostics, "Circular 33/2025") {
				t.Errorf("issues %+v: want one Vietnamese and one English", fe.Issues)
			}
			msg := err.Error()
			for _, want := range append(tt.wantText, "entered-in-error", tt.class) {
				if !strings.Contains(msg, want) {
					t.Errorf("message lacks %q: %s", want, msg)
				}
			}
			if tt.expiry == "" {
				if err := check(day("2999-01-01")); err == nil {
					t.Errorf("deleted in 2999")
				}
				return
			}
			if err := check(day(tt.expiry)); err != nil {
				t.Errorf("on the expiry date: %v", err)
			}
		})
	}
}

func TestPurgeRemovesOnlyExpiredRecords(t *testing.T) {
	ctx := context.Background()
	at := day("2040-01-01") // standard records have expired, mental-health ones have not
	tests := []struct {
		ref     string
		dryRun  bool
		wantErr string // "" : purged
	}{
		{"Encounter/std", false, ""},
		{"Encounter/mh", false, "2046-02-14"},
		{"Observation/o1", false, "mental-health"},
		{"AdverseEvent/ae1", false, "permanently"},
		{"Encounter/open", false, "still open"},
		{"Organization/org1", false, "not part of a medical record"},
		{"Encounter/missing", false, "not found"},
		{"Encounter/died", true, "2056-02-14"},
	}
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			m := retentionStore()
			x := &fakeExpunger{m: m}
			g := NewGuard(m, nil)
			typ, id, _ := strings.Cut(tt.ref, "/")
			err := g.Purge(ctx, x, typ, id, at, tt.dryRun)
			if tt.wantErr == "" {
				if err != nil || len(x.removed) != 1 || m.res[tt.ref] != nil {
					t.Fatalf("purge: %v, removed %v", err, x.removed)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
			}
			if len(x.removed) != 0 {
				t.Fatalf("removed %v although refused", x.removed)
			}
		})
	}
	// A dry run of an expired record says yes and removes nothing.
	m := retentionStore()
	x := &fakeExpunger{m: m}
	if err := NewGuard(m, nil).Purge(ctx, x, "Encounter", "std", at, true); err != nil || len(x.removed) != 0 {
		t.Fatalf("dry run: %v, removed %v", err, x.removed)
	}
}
