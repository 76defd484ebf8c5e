package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/sen-emr/sen/internal/job"
	"github.com/sen-emr/sen/internal/vn/bhyt"
	"github.com/sen-emr/sen/internal/vn/bhyt/sendqueue"
)

// metricValue reads a gauge or counter.
func metricValue(tb testing.TB, m prometheus.Metric) float64 {
	tb.Helper()
	var d dto.Metric
	if err := m.Write(&d); err != nil {
		tb.Fatal(err)
	}
	if d.Gauge != nil {
		return d.Gauge.GetValue()
	}
	return d.Counter.GetValue()
}

// syncBuffer is a log sink safe for the runner's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// bhytServeApp is a Sen sending claims to a fake BHXH gateway over HTTP,
// with the outpatient episode loaded but its Encounter still open.
func bhytServeApp(t *testing.T, clock *time.Time) (*testApp, *bhyt.FakeGateway, []byte, *syncBuffer) {
	t.Helper()
	now := func() time.Time { return *clock }
	fake := &bhyt.FakeGateway{Now: now}
	gw := httptest.NewServer(fake.Handler())
	t.Cleanup(gw.Close)
	pw := filepath.Join(t.TempDir(), "bhxh-password")
	if err := os.WriteFile(pw, []byte("mat-khau\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	a := newTestApp(t, func(f *serverFlags) {
		f.noAuth = true
		f.rules.bhyt = bhytSendFlags{gateway: gw.URL, username: "79001_BV", passwordFile: pw, deadline: 3 * time.Hour}
	})
	logs := &syncBuffer{}
	a.bhyt.now, a.bhyt.log = now, slog.New(slog.NewTextHandler(logs, nil))
	a.bhyt.sender.Log = a.bhyt.log
	var finished []byte
	loadBundle(t, a.store, filepath.Join("testdata", "bhyt-outpatient.json"), func(r map[string]any) {
		if r["resourceType"] == "Encounter" {
			finished, _ = json.Marshal(r)
			r["status"] = "in-progress"
			delete(r["period"].(map[string]any), "end")
		}
	})
	return a, fake, finished, logs
}

// Finishing an encounter over the REST API sends its claim: the fake
// gateway gets a check-in and an envelope whose tables parse, while it is
// down the claim is retried, and the receipts are kept and shown.
func TestBHYTClaimSentWhenEncounterFinishes(t *testing.T) {
	ctx := context.Background()
	end := time.Date(2026, 3, 2, 10, 40, 0, 0, vnZone)
	clock := end.Add(-time.Hour)
	a, fake, finished, _ := bhytServeApp(t, &clock)

	// Saving the open encounter queues nothing.
	status, body := a.do(t, "PUT", "/fhir/Encounter/e1", "", nil, strings.Replace(string(finished), `"finished"`, `"in-progress"`, 1))
	if status != 200 {
		t.Fatalf("update open encounter: %d %s", status, body)
	}
	if d, _ := a.bhyt.queue.Depth(ctx); d[job.Queued] != 0 {
		t.Fatalf("an open encounter queued %d jobs", d[job.Queued])
	}
	clock = end.Add(10 * time.Minute)
	if status, body := a.do(t, "PUT", "/fhir/Encounter/e1", "", nil, string(finished)); status != 200 {
		t.Fatalf("finish encounter: %d %s", status, body)
	}
	fake.SetFailNext(2) // the gateway is down for two calls
	steps := []struct {
		advance       time.Duration
		wantCheckIns  int
		wantSubmitted int
		wantState     job.State
	}{
		{0, 0, 0, job.Queued},             // building the claim, then the check-in fails
		{time.Minute, 0, 0, job.Queued},   // the retry fails too
		{5 * time.Minute, 1, 1, job.Done}, // the gateway is back
		{time.Hour, 1, 1, job.Done},       // nothing is sent twice
	}
	for i, s := range steps {
		clock = clock.Add(s.advance)
		if err := a.bhyt.runOnce(ctx); err != nil {
			t.Fatal(err)
		}
		j, err := a.bhyt.queue.Get(ctx, sendqueue.Kind+":e1")
		if err != nil {
			t.Fatalf("step %d: claim not queued: %v", i, err)
		}
		if j.State != s.wantState || fake.CheckIns("e1") != s.wantCheckIns || fake.Received("e1") != s.wantSubmitted {
			t.Fatalf("step %d: state %s (%s), check-ins %d, received %d; want %s, %d, %d", i, j.State, j.LastError,
				fake.CheckIns("e1"), fake.Received("e1"), s.wantState, s.wantCheckIns, s.wantSubmitted)
		}
	}
	// The envelope the gateway got is a valid claim of this encounter.
	subs := fake.Submissions("e1")
	tables, _, err := bhyt.OpenEnvelope(subs[0].Envelope)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"XML1", "XML2", "XML3"} {
		tbl, _ := bhyt.TableByName(name)
		rows, errs := bhyt.ParseTable(tbl, tables[name])
		if len(errs) > 0 || len(rows) == 0 || rows[0]["MA_LK"] != "e1" {
			t.Errorf("%s: %d rows, errors %v", name, len(rows), errs)
		}
	}
	if subs[0].MaCSKCB == "" || subs[0].MaTinh != subs[0].MaCSKCB[:2] {
		t.Errorf("submission facility %q province %q", subs[0].MaCSKCB, subs[0].MaTinh)
	}
	// Receipts: the check-in and the claim, accepted, on time.
	recs, err := a.bhyt.sender.Receipts.List("e1")
	if err != nil || len(recs) != 2 {
		t.Fatalf("receipts %+v %v", recs, err)
	}
	for _, r := range recs {
		if !r.Accepted || r.Late || r.Transaction == "" || !r.Deadline.Equal(end.Add(3*time.Hour)) {
			t.Errorf("receipt %+v: want accepted, on time, with a transaction and the deadline %s", r, end.Add(3*time.Hour))
		}
	}
	var out bytes.Buffer
	if err := bhytStatus(ctx, a.flags.dataDir, "", &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Encounter/e1", "done, 3 attempts", "check-in", "submit", "accepted", recs[1].Transaction} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("sen bhyt status lacks %q:\n%s", want, out.String())
		}
	}
	a.bhyt.updateDepth(ctx)
	if got := metricValue(t, a.bhyt.depth.WithLabelValues("done")); got < 2 {
		t.Errorf("queue depth done=%v, want the build and the send jobs", got)
	}
}

// A claim the gateway cannot take before the deadline raises an alert and
// counts as late; sent later, its receipt says late.
func TestBHYTClaimPastDeadline(t *testing.T) {
	ctx := context.Background()
	end := time.Date(2026, 3, 2, 10, 40, 0, 0, vnZone)
	clock := end.Add(5 * time.Minute)
	a, fake, finished, logs := bhytServeApp(t, &clock)
	if status, body := a.do(t, "PUT", "/fhir/Encounter/e1", "", nil, string(finished)); status != 200 {
		t.Fatalf("finish encounter: %d %s", status, body)
	}
	fake.SetFailNext(1000) // down all afternoon
	for clock.Before(end.Add(4 * time.Hour)) {
		if err := a.bhyt.runOnce(ctx); err != nil {
			t.Fatal(err)
		}
		clock = clock.Add(20 * time.Minute)
	}
	if fake.Received("e1") != 0 {
		t.Fatal("sent while the gateway was down")
	}
	if got := metricValue(t, a.bhyt.late.WithLabelValues("false")); got < 1 {
		t.Errorf("late unsent attempts counted %v, want ≥ 1", got)
	}
	if !strings.Contains(logs.String(), "ALERT: BHYT claim past its deadline and not sent") {
		t.Errorf("no alert logged:\n%s", logs.String())
	}
	fake.SetFailNext(0)
	clock = clock.Add(time.Hour)
	if err := a.bhyt.runOnce(ctx); err != nil {
		t.Fatal(err)
	}
	recs, _ := a.bhyt.sender.Receipts.List("e1")
	if fake.Received("e1") != 1 || len(recs) != 2 || !recs[1].Late || !recs[1].Accepted {
		t.Fatalf("after the gateway came back: received %d, receipts %+v", fake.Received("e1"), recs)
	}
	if got := metricValue(t, a.bhyt.late.WithLabelValues("true")); got != 2 {
		t.Errorf("late sent attempts counted %v, want 2 (check-in and claim)", got)
	}
}

// A claim with a wrong field is not sent; its fields are logged.
func TestBHYTClaimWithWrongFieldsNotSent(t *testing.T) {
	ctx := context.Background()
	end := time.Date(2026, 3, 2, 10, 40, 0, 0, vnZone)
	clock := end.Add(5 * time.Minute)
	a, fake, finished, logs := bhytServeApp(t, &clock)
	// No diagnosis: the claim cannot name its main disease.
	var enc map[string]any
	_ = json.Unmarshal(finished, &enc)
	delete(enc, "diagnosis")
	b, _ := json.Marshal(enc)
	if status, body := a.do(t, "PUT", "/fhir/Encounter/e1", "", nil, string(b)); status != 200 {
		t.Fatalf("finish encounter: %d %s", status, body)
	}
	if err := a.bhyt.runOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if fake.Received("e1") != 0 || fake.CheckIns("e1") != 0 {
		t.Fatal("a claim with wrong fields reached the gateway")
	}
	if !strings.Contains(logs.String(), "MA_BENH_CHINH") {
		t.Errorf("the wrong field is not logged:\n%s", logs.String())
	}
}
