package main

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/sen-emr/sen/internal/clinical/alert"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/job"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store/sqlite"
	"github.com/sen-emr/sen/internal/validate"
)

// The background loop of a serving Sen over a real store: reminders are
// queued and alerts raised at start-up, and a restart adds neither again.
func TestMedLoopRestart(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "sen.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	model := r4.Load()
	ix, err := search.NewIndexer(model)
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2025, 6, 30, 6, 0, 0, 0, vnLoc()) }
	api := rest.New(rest.Config{Store: db, Indexer: ix, Model: model, Validator: validate.New(model), Now: now,
		Parser: rest.QueryParserFunc(func(typ string, p url.Values, strict bool) (*search.Query, error) {
			return search.ParseQuery(model, typ, p, strict)
		})})
	c := alert.Client{Handler: api}
	for _, r := range []struct{ typ, id, body string }{
		{"Patient", "p1", `{"resourceType":"Patient","id":"p1","telecom":[{"system":"phone","value":"+84912000001"}],
			"extension":[{"url":"https://sen-emr.github.io/fhir/StructureDefinition/medication-reminders","valueBoolean":true}]}`},
		{"MedicationRequest", "r1", `{"resourceType":"MedicationRequest","id":"r1","status":"active","intent":"order","subject":{"reference":"Patient/p1"},
			"medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C08CA01","display":"Amlodipin 5 mg"}]},
			"dosageInstruction":[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","timeOfDay":["08:00:00"],"boundsPeriod":{"start":"2024-06-01"}}}}]}`},
		// Two fills a year apart: 60 of 365 days covered.
		{"MedicationDispense", "d1", `{"resourceType":"MedicationDispense","id":"d1","status":"completed","subject":{"reference":"Patient/p1"},
			"medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C08CA01","display":"Amlodipin 5 mg"}]},
			"whenHandedOver":"2024-07-01","daysSupply":{"value":30,"unit":"d","system":"http://unitsofmeasure.org","code":"d"}}`},
		{"MedicationDispense", "d2", `{"resourceType":"MedicationDispense","id":"d2","status":"completed","subject":{"reference":"Patient/p1"},
			"medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C08CA01","display":"Amlodipin 5 mg"}]},
			"whenHandedOver":"2025-06-20","daysSupply":{"value":30,"unit":"d","system":"http://unitsofmeasure.org","code":"d"}}`},
	} {
		if err := c.Update(ctx, r.typ, r.id, []byte(r.body)); err != nil {
			t.Fatal(err)
		}
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	done := 2 // jobs done when a run is over
	run := func() {
		t.Helper()
		m := medLoop{dataDir: dir, fhir: api, metrics: newMedLoopMetrics(prometheus.NewRegistry()), now: now}
		stop, err := m.start(ctx, log)
		if err != nil {
			t.Fatal(err)
		}
		// The runner works at once; wait for both scheduled jobs to finish.
		q, err := job.Open(ctx, filepath.Join(dir, "jobs.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer q.Close()
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			d, err := q.Depth(ctx)
			if err == nil && d[job.Done] >= done && d[job.Running] == 0 {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		stop()
	}
	countOf := func(typ, patient string) int {
		n := 0
		if err := c.Search(ctx, typ, url.Values{"subject": {"Patient/" + patient}}, func([]byte) error { n++; return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	count := func(typ string) int { return countOf(typ, "p1") }
	checkpoint := func() alert.Checkpoint {
		t.Helper()
		cp, err := alert.FileCheckpoint{Path: filepath.Join(dir, "care-alerts.json")}.Load(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return cp
	}
	run()
	q, err := job.Open(ctx, filepath.Join(dir, "jobs.db"))
	if err != nil {
		t.Fatal(err)
	}
	first, _ := q.Depth(ctx)
	q.Close()
	// Low cover: pdc-low, and the embedded model scores the patient high.
	flags, tasks := count("Flag"), count("Task")
	if first[job.Queued] != 1 || first[job.Done] != 2 || flags != 2 || tasks != 2 {
		t.Fatalf("after start-up: jobs %v, %d flags, %d tasks; want 1 reminder queued (08:00), 2 done, 2 flags, 2 tasks",
			first, flags, tasks)
	}
	run()
	q, _ = job.Open(ctx, filepath.Join(dir, "jobs.db"))
	second, _ := q.Depth(ctx)
	q.Close()
	if second[job.Queued] != 1 || second[job.Done] != 2 || count("Flag") != flags || count("Task") != tasks {
		t.Errorf("after a restart: jobs %v, %d flags, %d tasks; want nothing added", second, count("Flag"), count("Task"))
	}
	full := checkpoint()
	if full.FullStarted.IsZero() || full.FullDone.IsZero() || full.Next != "" {
		t.Fatalf("checkpoint after start-up %+v: want a full sweep done", full)
	}

	// A patient written while the server is down is alerted by the next
	// sweep after the restart (the next ten-minute slot), which reads the
	// changes only: the full sweep is not done again.
	for _, r := range []struct{ typ, id, body string }{
		{"Patient", "p2", `{"resourceType":"Patient","id":"p2"}`},
		{"MedicationDispense", "d3", `{"resourceType":"MedicationDispense","id":"d3","status":"completed","subject":{"reference":"Patient/p2"},
			"medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C08CA01"}]},"whenHandedOver":"2024-07-01","daysSupply":{"value":30,"unit":"d"}}`},
		{"MedicationDispense", "d4", `{"resourceType":"MedicationDispense","id":"d4","status":"completed","subject":{"reference":"Patient/p2"},
			"medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C08CA01"}]},"whenHandedOver":"2025-06-20","daysSupply":{"value":30,"unit":"d"}}`},
	} {
		if err := c.Update(ctx, r.typ, r.id, []byte(r.body)); err != nil {
			t.Fatal(err)
		}
	}
	now = func() time.Time { return time.Date(2025, 6, 30, 6, 10, 0, 0, vnLoc()) }
	done = 3
	run()
	after := checkpoint()
	if got := countOf("Flag", "p2"); got != 2 {
		t.Errorf("p2 has %d flags after the next sweep, want 2 (pdc-low, risk-high), as p1", got)
	}
	if count("Flag") != flags || count("Task") != tasks {
		t.Errorf("p1 has %d flags, %d tasks after the next sweep, want %d and %d", count("Flag"), count("Task"), flags, tasks)
	}
	if !after.FullStarted.Equal(full.FullStarted) || !after.Since.After(full.Since) {
		t.Errorf("checkpoint %+v after %+v: want the same full sweep, a later change mark", after, full)
	}
}
