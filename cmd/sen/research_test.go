package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/sqlite"
)

// TestResearchCommand: request → refused self-approval → approval →
// extract → refused second extract, through the command line over a
// SQLite store; the extract is de-identified and every step is an
// AuditEvent in the store.
func TestResearchCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "sen.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Update(ctx, func(tx store.Tx) error {
		for i := range 8 {
			id := fmt.Sprintf("bn-%d", i)
			if _, err := tx.Put(ctx, store.Write{Type: "Patient", ID: id, JSON: fmt.Appendf(nil,
				`{"resourceType":"Patient","id":%q,"gender":"male","birthDate":"1955-02-03","name":[{"family":"Hoàng","given":["Văn %d"]}]}`, id, i)}); err != nil {
				return err
			}
			if _, err := tx.Put(ctx, store.Write{Type: "Condition", ID: "c-" + id, JSON: fmt.Appendf(nil,
				`{"resourceType":"Condition","id":"c-%s","subject":{"reference":"Patient/%s"},"code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10","code":"I10"}]},"recordedDate":"2024-01-05"}`, id, id)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	base := []string{"research", "--data-dir", dir}
	run := func(args ...string) (string, error) {
		t.Helper()
		return runCmd(t, append(append([]string{}, base...), args...)...)
	}
	out, err := run("request", "--as", "Practitioner/r1", "--purpose", "HTN cohort", "--types", "Patient,Condition", "--registry", "hypertension")
	if err != nil {
		t.Fatalf("request: %v\n%s", err, out)
	}
	id := strings.TrimSpace(out)
	if _, err := run("decide", id, "--as", "Practitioner/r1"); err == nil || !strings.Contains(err.Error(), "own request") {
		t.Errorf("self-approval: %v, want a refusal", err)
	}
	file := filepath.Join(t.TempDir(), "extract.ndjson")
	if _, err := run("extract", id, "--as", "Practitioner/r1", "--out", file); err == nil || !strings.Contains(err.Error(), "not approved") {
		t.Errorf("extract before approval: %v, want a refusal", err)
	}
	if _, err := os.Stat(file); err == nil {
		t.Error("a refused extract left a file")
	}
	if out, err := run("decide", id, "--as", "Practitioner/c1", "--reason", "ethics 2025/3"); err != nil || !strings.Contains(out, "approved") {
		t.Fatalf("approve: %v\n%s", err, out)
	}
	if out, err := run("extract", id, "--as", "Practitioner/r1", "--out", file); err != nil {
		t.Fatalf("extract: %v\n%s", err, out)
	}
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(body), "\n"); n != 16 {
		t.Errorf("extract has %d lines, want 16 (8 patients, 8 conditions)", n)
	}
	for _, banned := range []string{"bn-", "Hoàng", "1955-02-03"} {
		if strings.Contains(string(body), banned) {
			t.Errorf("extract contains %q", banned)
		}
	}
	if _, err := run("extract", id, "--as", "Practitioner/r1", "--out", file+"2"); err == nil {
		t.Error("a second extract of one approval succeeded")
	}
	if out, err := run("list"); err != nil || !strings.Contains(out, id+"\tproduced") {
		t.Errorf("list: %v\n%s", err, out)
	}

	// Six steps, six AuditEvents with purpose of use HRESCH.
	audits := 0
	for _, v := range allVersions(t, st) {
		if strings.HasPrefix(v, "AuditEvent/") && strings.Contains(v, "HRESCH") {
			audits++
		}
	}
	if audits != 6 {
		t.Errorf("%d research AuditEvents, want 6", audits)
	}
}
