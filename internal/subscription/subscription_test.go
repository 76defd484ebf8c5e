package subscription

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/job"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/sqlite"
)

var (
	modelOnce sync.Once
	model     *r4.Model
	indexer   *search.Indexer
)

func loadModel(tb testing.TB) (*r4.Model, *search.Indexer) {
	tb.Helper()
	modelOnce.Do(func() {
		model = r4.Load()
		ix, err := search.NewIndexer(model)
		if err != nil {
			panic(err)
		}
		indexer = ix
	})
	return model, indexer
}

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// env is a store in a temp dir with a subscription Service over it.
type env struct {
	tb    testing.TB
	dir   string
	raw   store.Store
	st    store.Store // wrapped by the hub
	svc   *Service
	clock *clock
}

func newEnv(tb testing.TB, dir string, c *clock, maxAttempts int) *env {
	tb.Helper()
	m, ix := loadModel(tb)
	ctx := context.Background()
	raw, err := sqlite.Open(ctx, filepath.Join(dir, "sen.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	svc, err := Open(ctx, dir, Config{
		Store:   raw,
		Parser:  func(typ string, p url.Values) (*search.Query, error) { return search.ParseQuery(m, typ, p, true) },
		Indexer: ix, KnownType: m.IsResource, Now: c.Now, MaxAttempts: maxAttempts,
		Client: &http.Client{Timeout: 2 * time.Second},
	}, nil)
	if err != nil {
		raw.Close()
		tb.Fatal(err)
	}
	e := &env{tb: tb, dir: dir, raw: raw, st: svc.Wrap(raw), svc: svc, clock: c}
	tb.Cleanup(e.close)
	return e
}

func (e *env) close() {
	if e.svc != nil {
		e.svc.Close()
		e.raw.Close()
		e.svc = nil
	}
}

// put writes one resource through the wrapped store.
func (e *env) put(typ, id, body string) (*fhir.Resource, error) {
	e.tb.Helper()
	_, ix := loadModel(e.tb)
	var out *fhir.Resource
	err := e.st.Update(context.Background(), func(tx store.Tx) error {
		idx, err := ix.Index(typ, []byte(body))
		if err != nil {
			return err
		}
		out, err = tx.Put(context.Background(), store.Write{Type: typ, ID: id, JSON: []byte(body), Index: idx})
		return err
	})
	return out, err
}

func (e *env) mustPut(typ, id, body string) *fhir.Resource {
	e.tb.Helper()
	r, err := e.put(typ, id, body)
	if err != nil {
		e.tb.Fatalf("put %s/%s: %v", typ, id, err)
	}
	return r
}

func (e *env) run() {
	e.tb.Helper()
	if _, err := e.svc.RunOnce(context.Background()); err != nil {
		e.tb.Fatal(err)
	}
}

func (e *env) status(id string) (status, errText string) {
	e.tb.Helper()
	r, err := e.raw.Read(context.Background(), "Subscription", id)
	if err != nil {
		e.tb.Fatal(err)
	}
	var s struct{ Status, Error string }
	json.Unmarshal(r.JSON, &s)
	return s.Status, s.Error
}

// receiver records notifications and answers with the next code of codes
// (200 once they run out).
type receiver struct {
	mu    sync.Mutex
	got   []notification
	codes []int
	srv   *httptest.Server
}

type notification struct {
	Method, Path, Body string
	Header             http.Header
}

func newReceiver(tb testing.TB, codes ...int) *receiver {
	tb.Helper()
	rc := &receiver{codes: codes}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got = append(rc.got, notification{r.Method, r.URL.Path, string(b), r.Header.Clone()})
		code := http.StatusOK
		if len(rc.codes) > 0 {
			code, rc.codes = rc.codes[0], rc.codes[1:]
		}
		rc.mu.Unlock()
		w.WriteHeader(code)
	}))
	tb.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) received() []notification {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]notification(nil), rc.got...)
}

func newSubscription(endpoint, criteria, payload string) string {
	ch := map[string]any{"type": "rest-hook", "endpoint": endpoint, "header": []string{"Authorization: Bearer his-token"}}
	if payload != "" {
		ch["payload"] = payload
	}
	b, _ := json.Marshal(map[string]any{"resourceType": "Subscription", "status": "requested", "reason": "HIS follows follow-up tasks",
		"criteria": criteria, "channel": ch})
	return string(b)
}

const taskRequested = `{"resourceType":"Task","status":"requested","intent":"order","for":{"reference":"Patient/p1"},"owner":{"reference":"Organization/tram-1"}}`

func TestAdmit(t *testing.T) {
	e := newEnv(t, t.TempDir(), &clock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}, 3)
	tests := []struct {
		name, body string
		wantErr    string // "" = accepted
	}{
		{"requested becomes active", newSubscription("http://his.example/hook", "Task?status=requested", ""), ""},
		{"full payload", newSubscription("https://his.example/fhir", "Task?owner=Organization/tram-1", "application/fhir+json"), ""},
		{"unknown parameter", newSubscription("http://his.example/hook", "Task?colour=blue", ""), "Subscription.criteria"},
		{"no type", newSubscription("http://his.example/hook", "?status=requested", ""), "Subscription.criteria"},
		{"unknown type", newSubscription("http://his.example/hook", "Tasks?status=requested", ""), "Subscription.criteria"},
		{"ftp endpoint", newSubscription("ftp://his.example/hook", "Task?status=requested", ""), "Subscription.channel.endpoint"},
		{"xml payload", newSubscription("http://his.example/hook", "Task?status=requested", "application/fhir+xml"), "Subscription.channel.payload"},
		{"email channel", strings.Replace(newSubscription("http://his.example/hook", "Task?status=requested", ""), "rest-hook", "email", 1), "Subscription.channel.type"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := "s" + string(rune('a'+i))
			_, err := e.put("Subscription", id, tt.body)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if got, _ := e.status(id); got != "active" {
					t.Errorf("status = %q, want active", got)
				}
				return
			}
			var fe *fhir.Error
			if err == nil || !asFHIR(err, &fe) || fe.Kind.Status() != 422 || !strings.Contains(issueExpr(fe), tt.wantErr) {
				t.Fatalf("err = %v, want 422 at %s", err, tt.wantErr)
			}
		})
	}
}

func TestDelivery(t *testing.T) {
	e := newEnv(t, t.TempDir(), &clock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}, 3)
	ping := newReceiver(t)
	full := newReceiver(t)
	e.mustPut("Subscription", "ping", newSubscription(ping.srv.URL+"/hook", "Task?status=requested&owner=Organization/tram-1", ""))
	e.mustPut("Subscription", "full", newSubscription(full.srv.URL+"/fhir", "Task?owner=Organization/tram-1", "application/fhir+json"))

	e.mustPut("Task", "t1", taskRequested)
	e.mustPut("Observation", "o1", `{"resourceType":"Observation","status":"final","code":{"text":"BP"}}`)
	e.run()
	gotPing, gotFull := ping.received(), full.received()
	if len(gotPing) != 1 || len(gotFull) != 1 {
		t.Fatalf("notifications: ping %d, full %d; want 1 each", len(gotPing), len(gotFull))
	}
	p := gotPing[0]
	if p.Method != "POST" || p.Path != "/hook" || p.Body != "" {
		t.Errorf("ping = %s %s %q, want POST /hook with no body", p.Method, p.Path, p.Body)
	}
	for h, want := range map[string]string{"Authorization": "Bearer his-token", "X-Sen-Resource": "Task/t1/_history/1", "X-Sen-Subscription": "Subscription/ping"} {
		if got := p.Header.Get(h); got != want {
			t.Errorf("header %s = %q, want %q", h, got, want)
		}
	}
	if p.Header.Get("Idempotency-Key") == "" {
		t.Error("no Idempotency-Key")
	}
	f := gotFull[0]
	if f.Method != "PUT" || f.Path != "/fhir/Task/t1" || !strings.Contains(f.Body, `"owner"`) || f.Header.Get("Content-Type") != "application/fhir+json" {
		t.Errorf("full = %s %s %s %q, want PUT /fhir/Task/t1 with the Task", f.Method, f.Path, f.Header.Get("Content-Type"), f.Body)
	}

	// Accepted: no longer "requested", so only the owner subscription fires.
	e.mustPut("Task", "t1", strings.Replace(taskRequested, `"requested"`, `"accepted"`, 1))
	// Another owner: neither fires.
	e.mustPut("Task", "t2", strings.Replace(taskRequested, "tram-1", "tram-2", 1))
	e.run()
	if got := len(ping.received()); got != 1 {
		t.Errorf("ping notifications = %d, want still 1", got)
	}
	if got := full.received(); len(got) != 2 || got[1].Header.Get("X-Sen-Resource") != "Task/t1/_history/2" {
		t.Errorf("full notifications = %d, want 2 (the second for version 2)", len(got))
	}
	// Running again delivers nothing new.
	e.run()
	if len(ping.received()) != 1 || len(full.received()) != 2 {
		t.Error("a second run delivered again")
	}
	log, err := e.svc.cfg.Log.List(context.Background(), "Subscription/full", 0)
	if err != nil || len(log) != 2 || log[0].Outcome != Delivered || log[0].HTTPStatus != 200 {
		t.Errorf("log = %+v, %v; want 2 delivered", log, err)
	}
}

func TestRetryThenDelivered(t *testing.T) {
	c := &clock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
	e := newEnv(t, t.TempDir(), c, 4)
	rc := newReceiver(t, 503, 500)
	e.mustPut("Subscription", "s", newSubscription(rc.srv.URL, "Task?status=requested", ""))
	e.mustPut("Task", "t1", taskRequested)
	e.run()
	if got := len(rc.received()); got != 1 {
		t.Fatalf("after the first run: %d requests, want 1", got)
	}
	e.run() // backoff not elapsed: nothing
	if got := len(rc.received()); got != 1 {
		t.Fatalf("retried before the backoff: %d requests", got)
	}
	c.Add(31 * time.Second)
	e.run()
	c.Add(61 * time.Second)
	e.run()
	c.Add(10 * time.Minute)
	e.run()
	got := rc.received()
	if len(got) != 3 {
		t.Fatalf("requests = %d, want 3 (503, 500, 200)", len(got))
	}
	if k := got[0].Header.Get("Idempotency-Key"); k == "" || got[1].Header.Get("Idempotency-Key") != k || got[2].Header.Get("Idempotency-Key") != k {
		t.Error("the Idempotency-Key changed between attempts")
	}
	log, _ := e.svc.cfg.Log.List(context.Background(), "Subscription/s", 0)
	var outcomes []string
	for _, l := range log {
		outcomes = append(outcomes, l.Outcome+":"+itoa(l.HTTPStatus))
	}
	if want := "delivered:200 failed:500 failed:503"; strings.Join(outcomes, " ") != want {
		t.Errorf("log = %v, want %s", outcomes, want)
	}
	if st, _ := e.status("s"); st != "active" {
		t.Errorf("status = %s, want active", st)
	}
}

func TestGiveUpSetsError(t *testing.T) {
	c := &clock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
	e := newEnv(t, t.TempDir(), c, 3)
	rc := newReceiver(t, 500, 500, 500, 500, 500)
	e.mustPut("Subscription", "s", newSubscription(rc.srv.URL, "Task?status=requested", ""))
	e.mustPut("Task", "t1", taskRequested)
	for range 5 {
		e.run()
		c.Add(time.Hour)
	}
	if got := len(rc.received()); got != 3 {
		t.Errorf("requests = %d, want 3 (MaxAttempts)", got)
	}
	st, msg := e.status("s")
	if st != "error" || !strings.Contains(msg, "after 3 attempts") || !strings.Contains(msg, "500") {
		t.Errorf("status = %q (%q), want error naming the attempts and the answer", st, msg)
	}
	log, _ := e.svc.cfg.Log.List(context.Background(), "Subscription/s", 1)
	if len(log) != 1 || log[0].Outcome != GaveUp {
		t.Errorf("last log entry = %+v, want gave-up", log)
	}
	// In error, the Subscription gets nothing more.
	e.mustPut("Task", "t2", taskRequested)
	e.run()
	if got := len(rc.received()); got != 3 {
		t.Errorf("requests after error = %d, want still 3", got)
	}
	// Switched back on by its owner, it delivers again.
	e.mustPut("Subscription", "s", newSubscription(rc.srv.URL, "Task?status=requested", ""))
	e.mustPut("Task", "t3", taskRequested)
	e.run()
	if got := rc.received(); len(got) != 4 || got[3].Header.Get("X-Sen-Resource") != "Task/t3/_history/1" {
		t.Errorf("after reactivation: %d requests, want 4 (Task/t3)", len(got))
	}
}

// A receiver that is down, and a Sen restarted meanwhile: the
// notification arrives once when both are back.
func TestSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
	var mu sync.Mutex
	var got []string
	up := false
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if !up {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		got = append(got, r.Header.Get("Idempotency-Key"))
	}))
	defer srv.Close()

	e := newEnv(t, dir, c, 5)
	e.mustPut("Subscription", "s", newSubscription(srv.URL, "Task?status=requested", ""))
	e.mustPut("Task", "t1", taskRequested)
	e.run()
	e.close() // Sen stops

	mu.Lock()
	up = true
	mu.Unlock()
	c.Add(time.Minute)
	e2 := newEnv(t, dir, c, 5)
	e2.run()
	c.Add(time.Hour)
	e2.run()
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || got[0] == "" {
		t.Fatalf("deliveries after restart = %v, want exactly one with an Idempotency-Key", got)
	}
}

func TestLogHandler(t *testing.T) {
	e := newEnv(t, t.TempDir(), &clock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}, 3)
	rc := newReceiver(t)
	e.mustPut("Subscription", "s", newSubscription(rc.srv.URL, "Task?status=requested", ""))
	e.mustPut("Task", "t1", taskRequested)
	e.run()
	mux := http.NewServeMux()
	mux.Handle("GET /fhir/Subscription/{id}/$deliveries", e.svc.LogHandler(e.raw))
	tests := []struct {
		path     string
		wantCode int
		want     string
	}{
		{"/fhir/Subscription/s/$deliveries", 200, `"valueString":"Task/t1/_history/1"`},
		{"/fhir/Subscription/none/$deliveries", 404, `"OperationOutcome"`},
		{"/fhir/Subscription/s/$deliveries?_count=x", 400, `_count`},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, httptest.NewRequest("GET", tt.path, nil))
		if w.Code != tt.wantCode || !strings.Contains(w.Body.String(), tt.want) {
			t.Errorf("GET %s = %d %s, want %d containing %s", tt.path, w.Code, w.Body, tt.wantCode, tt.want)
		}
	}
}

// Writes of types nobody follows queue nothing.
func TestUnsubscribedTypesQueueNothing(t *testing.T) {
	e := newEnv(t, t.TempDir(), &clock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}, 3)
	e.mustPut("Subscription", "s", newSubscription("http://127.0.0.1:1/hook", "Task?status=requested", ""))
	e.mustPut("Observation", "o1", `{"resourceType":"Observation","status":"final","code":{"text":"BP"}}`)
	d, err := e.svc.cfg.Queue.Depth(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d[job.Queued] != 0 {
		t.Errorf("queued jobs = %d, want 0", d[job.Queued])
	}
}

func asFHIR(err error, fe **fhir.Error) bool {
	for err != nil {
		if e, ok := err.(*fhir.Error); ok {
			*fe = e
			return true
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		err = u.Unwrap()
	}
	return false
}

func issueExpr(fe *fhir.Error) string {
	var s []string
	for _, is := range fe.Issues {
		s = append(s, is.Expression...)
	}
	return strings.Join(s, ",")
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
