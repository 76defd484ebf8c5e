package operation_test

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/operation"
	"github.com/sen-emr/sen/internal/store"
)

const patientID = "5f000000-0000-4000-8000-000000000001"

// loadFixtures imports the three fixture files into a fresh SQLite store.
func loadFixtures(tb testing.TB) store.Store {
	tb.Helper()
	m, ix := testModel(tb)
	st := openSQLite(tb)
	im := operation.Importer{Store: st, Indexer: ix, Model: m}
	rep, err := im.Import(context.Background(), []string{"testdata/orgs.json", "testdata/patient.json", "testdata/obs.ndjson"})
	if err != nil || len(rep.Failed()) > 0 {
		tb.Fatalf("import fixtures: %v %+v", err, rep.Failed())
	}
	return st
}

func ids(page *store.Page, included bool) []string {
	var out []string
	list := page.Resources
	if included {
		list = page.Included
	}
	for _, r := range list {
		out = append(out, r.Type+"/"+r.ID)
	}
	sort.Strings(out)
	return out
}

func TestEverything(t *testing.T) {
	ctx := context.Background()
	m, _ := testModel(t)
	st := loadFixtures(t)
	ev := operation.Everything{Store: st, Model: m}
	all := []string{"Condition/5f000000-0000-4000-8000-000000000003", "Encounter/5f000000-0000-4000-8000-000000000002",
		"Observation/obs-1", "Observation/obs-2", "Patient/" + patientID}
	tests := []struct {
		name         string
		q            operation.EverythingQuery
		want, wantIn []string
	}{
		{"all", operation.EverythingQuery{PatientID: patientID}, all,
			[]string{"Organization/0a1b2c3d-0000-4000-8000-000000000001", "Practitioner/0a1b2c3d-0000-4000-8000-000000000002"}},
		{"_type", operation.EverythingQuery{PatientID: patientID, Types: []string{"Observation"}}, all[2:4], nil},
		{"_since future", operation.EverythingQuery{PatientID: patientID, Since: time.Now().Add(time.Hour)}, nil, nil},
		{"type level", operation.EverythingQuery{Types: []string{"Condition", "Patient"}}, []string{all[0], all[4]}, nil}, // _type also limits the referenced resources
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := ev.Run(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(page, false); strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("matches = %v, want %v", got, tt.want)
			}
			if got := ids(page, true); strings.Join(got, " ") != strings.Join(tt.wantIn, " ") {
				t.Errorf("included = %v, want %v", got, tt.wantIn)
			}
		})
	}
	// Paging: two per page walks the same five resources.
	var got []string
	q := operation.EverythingQuery{PatientID: patientID, Count: 2}
	for i := 0; i < 10; i++ {
		page, err := ev.Run(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, ids(page, false)...)
		if page.Next == "" {
			break
		}
		q.Cursor = page.Next
	}
	sort.Strings(got)
	if strings.Join(got, " ") != strings.Join(all, " ") {
		t.Errorf("paged = %v, want %v", got, all)
	}
	for _, bad := range []operation.EverythingQuery{{PatientID: "nobody"}, {PatientID: patientID, Types: []string{"Nope"}}} {
		if _, err := ev.Run(ctx, bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
}

func waitJob(tb testing.TB, x *operation.Exporter, id string) *operation.ExportJob {
	tb.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		j, err := x.Status(id)
		if err != nil {
			tb.Fatal(err)
		}
		if j.Status == operation.JobCompleted || j.Status == operation.JobFailed {
			return j
		}
		time.Sleep(10 * time.Millisecond)
	}
	tb.Fatalf("export job %s did not finish", id)
	return nil
}

// readNDJSON returns the ids in an output file, checking one JSON object per line.
func readNDJSON(tb testing.TB, path string) []string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var r struct{ ResourceType, ID string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			tb.Fatalf("%s: line is not a resource: %v", path, err)
		}
		out = append(out, r.ResourceType+"/"+r.ID)
	}
	sort.Strings(out)
	return out
}

func TestExport(t *testing.T) {
	ctx := context.Background()
	m, _ := testModel(t)
	st := loadFixtures(t)
	// A Group with the patient, for group-level export.
	if err := st.Update(ctx, func(tx store.Tx) error {
		_, err := tx.Put(ctx, store.Write{Type: "Group", ID: "g1", JSON: []byte(`{"resourceType":"Group","id":"g1","type":"person","actual":true,"member":[{"entity":{"reference":"Patient/` + patientID + `"}}]}`)})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	x, err := operation.NewExporter(st, m, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		req  operation.ExportRequest
		want map[string]int // type → count
	}{
		{"system", operation.ExportRequest{Level: "system"}, map[string]int{"Patient": 1, "Encounter": 1, "Condition": 1, "Observation": 2, "Organization": 1, "Practitioner": 1, "Group": 1}},
		{"system _type", operation.ExportRequest{Level: "system", Types: []string{"Observation", "Organization"}}, map[string]int{"Observation": 2, "Organization": 1}},
		{"patient", operation.ExportRequest{Level: "patient"}, map[string]int{"Patient": 1, "Encounter": 1, "Condition": 1, "Observation": 2, "Group": 1}}, // Group.member is a Patient compartment link
		{"group", operation.ExportRequest{Level: "group", GroupID: "g1", Types: []string{"Observation", "Patient"}}, map[string]int{"Patient": 1, "Observation": 2}},
		{"_typeFilter", operation.ExportRequest{Level: "system", Types: []string{"Observation"}, TypeFilters: []string{"Observation?_id=obs-1", "Observation?_id=obs-1,obs-2&code=http://loinc.org|0000-0"}}, map[string]int{"Observation": 1}},
		{"_since future", operation.ExportRequest{Level: "system", Since: time.Now().Add(time.Hour)}, map[string]int{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j, err := x.Start(ctx, tt.req)
			if err != nil {
				t.Fatal(err)
			}
			j = waitJob(t, x, j.ID)
			if j.Status != operation.JobCompleted {
				t.Fatalf("status %s: %s", j.Status, j.Error)
			}
			got := map[string]int{}
			for _, f := range j.Files {
				lines := readNDJSON(t, filepath.Join(dir, j.ID, f.Name))
				if len(lines) != f.Count {
					t.Errorf("%s: %d lines, manifest count %d", f.Name, len(lines), f.Count)
				}
				got[f.Type] = f.Count
			}
			if len(got) != len(tt.want) {
				t.Errorf("files = %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s: %d, want %d", k, got[k], v)
				}
			}
			var man struct {
				Output []struct{ Type, URL string }
			}
			if err := json.Unmarshal(j.Manifest(func(id, name string) string { return "http://x/" + id + "/" + name }), &man); err != nil || len(man.Output) != len(tt.want) {
				t.Errorf("manifest: %v %+v", err, man)
			}
		})
	}
	for _, bad := range []operation.ExportRequest{{Level: "system", Types: []string{"Nope"}}, {Level: "patient", Types: []string{"Organization"}},
		{Level: "group", GroupID: "missing"}, {Level: "system", TypeFilters: []string{"Observation"}}, {Level: "system", TypeFilters: []string{"Observation?nope=1"}}} {
		if _, err := x.Start(ctx, bad); err == nil {
			t.Errorf("%+v: no error", bad)
		}
	}
	// Persistence: a new Exporter over the same folder reports the jobs;
	// Delete removes a job and its files.
	j, err := x.Start(ctx, operation.ExportRequest{Level: "system", Types: []string{"Patient"}})
	if err != nil {
		t.Fatal(err)
	}
	waitJob(t, x, j.ID)
	x.Close()
	x2, err := operation.NewExporter(st, m, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer x2.Close()
	got, err := x2.Status(j.ID)
	if err != nil || got.Status != operation.JobCompleted || len(got.Files) != 1 {
		t.Fatalf("after restart: %+v %v", got, err)
	}
	if err := x2.Delete(j.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, j.ID)); !os.IsNotExist(err) {
		t.Errorf("job folder still there: %v", err)
	}
	if _, err := x2.Status(j.ID); err == nil {
		t.Error("deleted job still reported")
	}
}

// TestExportInterrupted: a job persisted as running is reported failed after a restart.
func TestExportInterrupted(t *testing.T) {
	m, _ := testModel(t)
	st := openSQLite(t)
	dir := t.TempDir()
	id := "0123456789abcdef0123456789abcdef"
	if err := os.MkdirAll(filepath.Join(dir, id), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, id, "job.json"), []byte(`{"id":"`+id+`","status":"in-progress"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	x, err := operation.NewExporter(st, m, dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	j, err := x.Status(id)
	if err != nil || j.Status != operation.JobFailed || !strings.Contains(j.Error, "interrupted") {
		t.Fatalf("got %+v %v, want a failed, interrupted job", j, err)
	}
}
