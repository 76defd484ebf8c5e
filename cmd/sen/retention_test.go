package main

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
)

var retentionFixture = []string{
	`{"resourceType":"Patient","id":"p1"}`,
	`{"resourceType":"Condition","id":"cf","encounter":{"reference":"Encounter/recent-mh"},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"F32.1"}]}}`,
	`{"resourceType":"Encounter","id":"recent","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/p1"},"period":{"start":"2025-03-01","end":"2025-03-02"}}`,
	`{"resourceType":"Encounter","id":"recent-mh","status":"finished","class":{"code":"IMP"},"subject":{"reference":"Patient/p1"},"period":{"start":"2010-03-01","end":"2010-03-20"}}`,
	`{"resourceType":"Encounter","id":"old","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/p1"},"period":{"start":"2010-01-01","end":"2010-01-01"}}`,
	`{"resourceType":"Observation","id":"o-old","status":"final","code":{"text":"HA"},"encounter":{"reference":"Encounter/old"},"effectiveDateTime":"2010-01-01"}`,
}

// FHIR DELETE of a record under retention is refused with 409 and an
// OperationOutcome that gives the class, the episode's end, the expiry and
// the advice to use entered-in-error; an expired one is deleted; marking
// a record entered-in-error is allowed.
func TestRetentionOverHTTP(t *testing.T) {
	a := newTestApp(t, func(f *serverFlags) { f.noAuth = true })
	a.put(t, retentionFixture...)
	tests := []struct {
		name     string
		method   string
		path     string
		body     string
		want     int
		wantText []string
	}{
		{"recent outpatient record", "DELETE", "/fhir/Encounter/recent", "", 409,
			[]string{"standard", "10 years", "2025-03-02", "2035-03-02", "02/03/2035", "entered-in-error"}},
		{"mental-health episode (Condition found by search), 20 years", "DELETE", "/fhir/Encounter/recent-mh", "", 409,
			[]string{"mental-health", "2030-03-20", "20 năm"}},
		{"conditional delete", "DELETE", "/fhir/Encounter?_id=recent", "", 409, []string{"2035-03-02"}},
		{"transaction with a delete", "POST", "/fhir", `{"resourceType":"Bundle","type":"transaction","entry":[
			{"resource":{"resourceType":"Basic","id":"x","code":{"text":"x"}},"request":{"method":"PUT","url":"Basic/x"}},
			{"request":{"method":"DELETE","url":"Encounter/recent"}}]}`, 409, []string{"2035-03-02"}},
		{"expired record", "DELETE", "/fhir/Observation/o-old", "", 200, nil},
		{"entered-in-error instead", "PUT", "/fhir/Encounter/recent", `{"resourceType":"Encounter","id":"recent","status":"entered-in-error","class":{"code":"AMB"},"subject":{"reference":"Patient/p1"},"period":{"start":"2025-03-01","end":"2025-03-02"}}`, 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := a.do(t, tt.method, tt.path, "", nil, tt.body)
			if status != tt.want && !(tt.want == 200 && status == 204) {
				t.Fatalf("status %d, want %d: %s", status, tt.want, body)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(body, w) {
					t.Errorf("answer lacks %q: %s", w, body)
				}
			}
		})
	}
	// Nothing of the refused transaction was written.
	if _, err := a.store.Read(context.Background(), "Basic", "x"); err == nil {
		t.Error("the refused transaction stored Basic/x")
	}
	// The episode's end, not the delete time, counts even for an
	// open episode's records: a record of an open episode is refused.
	a.put(t, `{"resourceType":"Encounter","id":"open","status":"in-progress","class":{"code":"IMP"},"subject":{"reference":"Patient/p1"},"period":{"start":"2026-01-01"}}`,
		`{"resourceType":"Observation","id":"o-open","status":"final","code":{"text":"HA"},"encounter":{"reference":"Encounter/open"},"effectiveDateTime":"2026-01-02"}`)
	if status, body := a.do(t, "DELETE", "/fhir/Observation/o-open", "", nil, ""); status != 409 || !strings.Contains(body, "still open") {
		t.Errorf("record of an open episode: %d %s", status, body)
	}
}

func TestRetentionPurgeCommand(t *testing.T) {
	dir := t.TempDir()
	a := newTestApp(t, func(f *serverFlags) { f.noAuth = true; f.dataDir = dir })
	a.put(t, retentionFixture...)
	a.close()
	tests := []struct {
		name     string
		args     []string
		wantErr  bool
		wantText []string
		notText  []string
	}{
		{"dry run lists what is due", []string{"--at", "2026-06-01"}, false,
			[]string{"Encounter/old: due", "Observation/o-old: due", "2 records would be purged"}, []string{"Encounter/recent:"}},
		{"a named record under retention is refused", []string{"--at", "2026-06-01", "Encounter/recent"}, true,
			[]string{"REFUSED", "2035-03-02", "entered-in-error"}, nil},
		{"not a medical record", []string{"--at", "2026-06-01", "Patient/p1"}, true, []string{"not part of a medical record"}, nil},
		{"the mental-health episode is due after 20 years", []string{"--at", "2031-01-01"}, false,
			[]string{"Encounter/recent-mh: due", "Condition/cf: due", "4 records would be purged"}, []string{"Encounter/recent:"}},
		{"bad reference", []string{"Encounter"}, true, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCmd(t, append([]string{"retention", "purge", "--data-dir", dir}, tt.args...)...)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v\n%s", err, tt.wantErr, out)
			}
			for _, w := range tt.wantText {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, w := range tt.notText {
				if strings.Contains(out, w) {
					t.Errorf("output has %q:\n%s", w, out)
				}
			}
		})
	}
	// --yes removes only what is due, audits each removal, and keeps the
	// audit chain intact.
	ctx := context.Background()
	out, err := runCmd(t, "retention", "purge", "--data-dir", dir, "--at", "2026-06-01", "--yes", "Encounter/recent", "Observation/o-old")
	if err == nil || !strings.Contains(out, "Encounter/recent: REFUSED") || !strings.Contains(out, "Observation/o-old: purged") {
		t.Fatalf("named purge with one record under retention: %v\n%s", err, out)
	}
	out, err = runCmd(t, "retention", "purge", "--data-dir", dir, "--at", "2026-06-01", "--yes")
	if err != nil || !strings.Contains(out, "Encounter/old: purged") || !strings.Contains(out, "1 records purged") {
		t.Fatalf("purge --yes: %v\n%s", err, out)
	}
	out, err = runCmd(t, "retention", "purge", "--data-dir", dir, "--at", "2026-06-01", "--yes")
	if err != nil || !strings.Contains(out, "0 records purged") {
		t.Fatalf("second purge --yes: %v\n%s", err, out)
	}
	st, err := openStore(ctx, "sqlite", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, tt := range []struct {
		typ, id string
		kept    bool
	}{
		{"Encounter", "old", false}, {"Observation", "o-old", false},
		{"Encounter", "recent", true}, {"Encounter", "recent-mh", true}, {"Condition", "cf", true}, {"Patient", "p1", true},
	} {
		_, err := st.Read(ctx, tt.typ, tt.id)
		if tt.kept && err != nil {
			t.Errorf("%s/%s was removed: %v", tt.typ, tt.id, err)
		}
		if !tt.kept {
			if fhir.KindOf(err) != fhir.KindNotFound {
				t.Errorf("%s/%s after purge: %v, want not found", tt.typ, tt.id, err)
			}
			if h, err := st.History(ctx, store.HistoryQuery{Type: tt.typ, ID: tt.id}); err == nil && len(h.Resources) > 0 {
				t.Errorf("%s/%s keeps %d versions after purge", tt.typ, tt.id, len(h.Resources))
			}
		}
	}
	purged := map[string]string{} // resource -> patient
	err = each(ctx, st, "AuditEvent", func(b []byte) {
		var ev struct {
			Subtype []struct{ Code string }
			Action  string
			Entity  []struct {
				What *struct{ Reference string }
			}
			PurposeOfEvent []struct{ Text string }
		}
		if json.Unmarshal(b, &ev) != nil || len(ev.Subtype) == 0 || ev.Subtype[0].Code != "purge" {
			return
		}
		if ev.Action != "D" {
			t.Errorf("purge event action %q, want D", ev.Action)
		}
		var res, pat string
		for _, e := range ev.Entity {
			if e.What == nil {
				continue
			}
			if p, ok := strings.CutPrefix(e.What.Reference, "Patient/"); ok {
				pat = p
			} else {
				res = e.What.Reference
			}
		}
		purged[res] = pat
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]string{"Encounter/old": "p1", "Observation/o-old": "p1"}; !maps.Equal(purged, want) {
		t.Errorf("purge AuditEvents %v, want %v", purged, want)
	}
	st.Close()
	if out, err := runCmd(t, "audit", "verify", "--data-dir", dir); err != nil || !strings.Contains(out, "OK") {
		t.Errorf("audit chain after purge: %v\n%s", err, out)
	}
}
