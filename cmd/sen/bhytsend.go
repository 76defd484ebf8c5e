package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/job"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/vn/bhyt"
	"github.com/sen-emr/sen/internal/vn/bhyt/sendqueue"
)

// BHYT claim sending in a serving Sen (Decision 130/QĐ-BYT; Circular
// 48/2017: send when the encounter ends; a draft rule: within 3 hours).
// When an Encounter is stored finished (status finished or period.end
// set), a job builds its claim through $bhyt-xml in process, with MA_LK =
// the Encounter id, and hands it to the sending queue
// (internal/vn/bhyt/sendqueue), which sends XML0 then the envelope
// through the gateway adapter, retries with backoff and keeps every
// receipt in --data-dir/bhyt-receipts. The queue lives in its own file,
// --data-dir/bhyt-jobs.db. A sweep every half hour re-queues finished
// encounters changed in the last two days, so a crash between a commit
// and the queueing loses nothing. `sen bhyt status` shows the receipts.

const (
	jobEncounterClosed = "bhyt-encounter-closed"
	jobBHYTSweep       = "bhyt-sweep"
	bhytSweepPeriod    = 30 * time.Minute
	bhytSweepWindow    = 48 * time.Hour
)

// bhytSendFlags configure the sending.
type bhytSendFlags struct {
	gateway      string // "": off; "fake": the in-memory fake; else the gateway's base URL
	username     string
	passwordFile string
	deadline     time.Duration
}

func (f *bhytSendFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.gateway, "bhyt-gateway", "", `send BHYT claims when encounters finish: the BHXH gateway's base URL (https://…), "fake" (in memory, for demos), or "" (off)`)
	cmd.Flags().StringVar(&f.username, "bhyt-username", "", "the facility's BHXH gateway account")
	cmd.Flags().StringVar(&f.passwordFile, "bhyt-password-file", "", "file holding the BHXH gateway password")
	cmd.Flags().DurationVar(&f.deadline, "bhyt-deadline", sendqueue.DefaultDeadline, "how long after an encounter ends its claim must reach the gateway")
}

// gatewayAdapter builds the configured Gateway.
func (f *bhytSendFlags) gatewayAdapter() (bhyt.Gateway, error) {
	switch {
	case f.gateway == "fake":
		return &bhyt.FakeGateway{}, nil
	case strings.HasPrefix(f.gateway, "https://") || strings.HasPrefix(f.gateway, "http://"):
		if f.username == "" || f.passwordFile == "" {
			return nil, errors.New("--bhyt-gateway needs --bhyt-username and --bhyt-password-file / cần tài khoản cổng BHXH")
		}
		pw, err := os.ReadFile(f.passwordFile)
		if err != nil {
			return nil, fmt.Errorf("--bhyt-password-file: %w", err)
		}
		return &bhyt.HTTPGateway{BaseURL: f.gateway, Username: f.username, Password: strings.TrimSpace(string(pw))}, nil
	}
	return nil, fmt.Errorf("--bhyt-gateway %q: want an http(s):// URL, \"fake\" or nothing", f.gateway)
}

// bhytSending is the wired sending; a nil *bhytSending is off and every
// method is a no-op.
type bhytSending struct {
	queue  *job.Queue
	runner *job.Runner
	sender *sendqueue.Sender
	model  *r4.Model
	log    *slog.Logger
	now    func() time.Time // nil: the wall clock
	mark   sweepMark        // when the last sweep started

	mu   sync.Mutex
	api  http.Handler // the FHIR API as a trusted in-process client
	read store.Store  // unguarded reads for the sweep

	depth *prometheus.GaugeVec
	late  *prometheus.CounterVec
}

func (b *bhytSending) clock() time.Time {
	if b.now != nil {
		return b.now()
	}
	return time.Now()
}

// openBHYTSending opens the queue when --bhyt-gateway is set.
func openBHYTSending(ctx context.Context, f *serverFlags, log *slog.Logger, reg prometheus.Registerer, model *r4.Model) (*bhytSending, error) {
	if f.rules.bhyt.gateway == "" {
		return nil, nil
	}
	gw, err := f.rules.bhyt.gatewayAdapter()
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(f.dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	q, err := job.Open(ctx, filepath.Join(f.dataDir, "bhyt-jobs.db"))
	if err != nil {
		return nil, fmt.Errorf("bhyt queue: %w", err)
	}
	b := &bhytSending{queue: q, model: model, log: log, mark: sweepMark{path: filepath.Join(f.dataDir, "bhyt-sweep.mark")},
		depth: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "sen", Subsystem: "bhyt", Name: "queue_depth",
			Help: "BHYT claim jobs (building and sending) by state (queued, running, done, failed)."}, []string{"state"}),
		late: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "sen", Subsystem: "bhyt", Name: "late_attempts_total",
			Help: "Attempts to send a BHYT claim after its deadline, by whether the gateway took it."}, []string{"sent"}),
	}
	if reg != nil {
		if err := reg.Register(b.depth); err != nil {
			q.Close()
			return nil, err
		}
		if err := reg.Register(b.late); err != nil {
			q.Close()
			return nil, err
		}
	}
	b.sender = &sendqueue.Sender{Queue: q, Gateway: gw, Receipts: &sendqueue.Receipts{Dir: bhytReceiptsDir(f.dataDir)},
		Deadline: f.rules.bhyt.deadline, Now: b.clock, Log: log,
		OnLate: func(maLK, step string, deadline time.Time, sent bool) {
			b.late.WithLabelValues(fmt.Sprint(sent)).Inc()
			if !sent {
				b.log.Error("ALERT: BHYT claim past its deadline and not sent / CẢNH BÁO: hồ sơ BHYT quá hạn chưa gửi được",
					"ma_lk", maLK, "step", step, "deadline", deadline)
			}
		}}
	b.runner = &job.Runner{Queue: q, Now: b.clock, Log: log, Backoff: 30 * time.Second, MaxBackoff: 15 * time.Minute}
	b.sender.Register(b.runner)
	b.runner.Handle(jobEncounterClosed, b.buildClaim)
	b.runner.Handle(jobBHYTSweep, b.sweep)
	if err := b.runner.Every(jobBHYTSweep, bhytSweepPeriod, nil); err != nil {
		q.Close()
		return nil, err
	}
	log.Info("BHYT claims are sent when encounters finish / gửi hồ sơ BHYT khi kết thúc đợt khám", "gateway", f.rules.bhyt.gateway,
		"deadline", b.sender.Deadline)
	return b, nil
}

// bhytReceiptsDir is where gateway receipts are kept.
func bhytReceiptsDir(dataDir string) string { return filepath.Join(dataDir, "bhyt-receipts") }

// setAPI gives the sending the API to build claims through and the store
// the sweep reads.
func (b *bhytSending) setAPI(api http.Handler, read store.Store) {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.api, b.read = api, read
	b.mu.Unlock()
}

// start runs the queue until ctx ends; stop waits for the running job.
func (b *bhytSending) start(ctx context.Context) (stop func()) {
	if b == nil {
		return func() {}
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := b.runner.Run(rctx); err != nil {
			b.log.Warn("bhyt job runner stopped", "err", err)
		}
	}()
	go func() {
		t := time.NewTicker(15 * time.Second)
		defer t.Stop()
		for {
			b.updateDepth(rctx)
			select {
			case <-rctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}

// runOnce runs every due job (tests and the depth gauge).
func (b *bhytSending) runOnce(ctx context.Context) error {
	_, err := b.runner.RunOnce(ctx)
	b.updateDepth(ctx)
	return err
}

func (b *bhytSending) updateDepth(ctx context.Context) {
	d, err := b.queue.Depth(ctx)
	if err != nil {
		return
	}
	for _, s := range []job.State{job.Queued, job.Running, job.Done, job.Failed} {
		b.depth.WithLabelValues(string(s)).Set(float64(d[s]))
	}
}

func (b *bhytSending) close() {
	if b == nil {
		return
	}
	if err := b.queue.Close(); err != nil {
		b.log.Warn("close bhyt-jobs.db", "err", err)
	}
}

// closedEncounter is the payload of a claim-building job.
type closedEncounter struct {
	ID      string `json:"id"`
	Version int64  `json:"version"`
	End     string `json:"end"` // period.end, "" when only the status says finished
	Closed  string `json:"closed"`
}

// finishedEncounter reads whether an Encounter body is closed: status
// finished, or a period.end under a status that does not say the
// encounter is still going on (or never happened).
func finishedEncounter(body []byte) (end string, ok bool) {
	var e struct {
		Status string `json:"status"`
		Period struct {
			End string `json:"end"`
		} `json:"period"`
	}
	if json.Unmarshal(body, &e) != nil {
		return "", false
	}
	switch e.Status {
	case "finished":
		return e.Period.End, true
	case "planned", "arrived", "triaged", "in-progress", "onleave", "cancelled", "entered-in-error":
		return "", false
	}
	return e.Period.End, e.Period.End != ""
}

// enqueueClosed queues the claim building of an encounter version.
func (b *bhytSending) enqueueClosed(ctx context.Context, c closedEncounter) error {
	payload, _ := json.Marshal(c)
	_, err := b.queue.Enqueue(ctx, job.NewJob{Kind: jobEncounterClosed, Key: fmt.Sprintf("%s:Encounter/%s/%d", jobEncounterClosed, c.ID, c.Version),
		Payload: payload, RunAt: b.clock(), MaxAttempts: 10})
	return err
}

// buildClaim builds, checks and queues the claim of a closed encounter.
// A claim with wrong fields fails for good and each field is logged: it
// is not sent. Saving the Encounter again after a correction queues it
// anew; a claim already queued under this MA_LK is not queued twice.
func (b *bhytSending) buildClaim(ctx context.Context, j job.Job) error {
	var c closedEncounter
	if err := json.Unmarshal(j.Payload, &c); err != nil {
		return job.Permanent(fmt.Errorf("bhyt claim job: %w", err))
	}
	b.mu.Lock()
	api := b.api
	b.mu.Unlock()
	if api == nil {
		return errors.New("bhyt claim job: the API is not wired yet")
	}
	env, problems, err := claimEnvelope(ctx, api, c.ID, c.ID)
	if err != nil {
		return err // the store or the handler failed: retry
	}
	if len(problems) > 0 {
		b.log.Error("BHYT claim not sent: wrong fields / hồ sơ BHYT không gửi: trường sai", "encounter", c.ID, "problems", strings.Join(problems, "; "))
		return job.Permanent(fmt.Errorf("Encounter/%s: claim has wrong fields / hồ sơ có trường sai: %s", c.ID, strings.Join(problems, "; ")))
	}
	tables, _, err := bhyt.OpenEnvelope(env)
	if err != nil {
		return job.Permanent(err)
	}
	x1t, _ := bhyt.TableByName("XML1")
	rows, errs := bhyt.ParseTable(x1t, tables["XML1"])
	if len(errs) > 0 || len(rows) == 0 {
		return job.Permanent(fmt.Errorf("Encounter/%s: claim without a readable XML1", c.ID))
	}
	claim := sendqueue.Claim{MaLK: c.ID, MaCSKCB: rows[0]["MA_CSKCB"], Envelope: env, EncounterEnd: encounterEnd(c)}
	if x0, ok := bhyt.CheckInFromSummary(rows[0]); ok {
		x0t, _ := bhyt.TableByName("XML0")
		claim.XML0 = bhyt.MarshalTable(x0t, []bhyt.Row{x0})
	}
	added, err := b.sender.Enqueue(ctx, claim)
	if err != nil {
		return err
	}
	if added {
		b.log.Info("BHYT claim queued / đã xếp hàng gửi hồ sơ BHYT", "encounter", c.ID, "deadline", claim.EncounterEnd.Add(b.sender.Deadline))
	}
	return nil
}

// encounterEnd is when the deadline counts from: period.end, else the
// time Sen saw the encounter finished.
func encounterEnd(c closedEncounter) time.Time {
	for _, s := range []string{c.End, c.Closed} {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return t
		}
		if t, err := time.ParseInLocation(time.DateOnly, s, vnZone); err == nil {
			return t.Add(24*time.Hour - time.Minute) // a date alone: the end of that day
		}
	}
	return time.Now()
}

// sweep queues finished encounters changed since the last sweep (less
// an overlap), at most the last two days (their jobs are keyed by
// version, so nothing is built twice).
func (b *bhytSending) sweep(ctx context.Context, _ job.Job) error {
	b.mu.Lock()
	st := b.read
	b.mu.Unlock()
	if st == nil {
		return nil
	}
	started := b.clock()
	mark := b.mark
	since := mark.since(started, bhytSweepWindow).UTC().Format(time.RFC3339)
	q, err := search.ParseQuery(b.model, "Encounter", url.Values{"_lastUpdated": {"ge" + since}, "_count": {"200"}}, false)
	if err != nil {
		return job.Permanent(err)
	}
	for {
		page, err := st.Search(ctx, q)
		if err != nil {
			return err
		}
		for _, r := range page.Resources {
			if end, ok := finishedEncounter(r.JSON); ok {
				c := closedEncounter{ID: r.ID, Version: r.VersionID, End: end, Closed: r.LastUpdated.Format(time.RFC3339)}
				if err := b.enqueueClosed(ctx, c); err != nil {
					return err
				}
			}
		}
		if page.Next == "" {
			return mark.done(started)
		}
		q.Cursor = page.Next
	}
}

// wrap returns st with a trigger: an Encounter stored finished queues its
// claim once the transaction has committed.
func (b *bhytSending) wrap(st store.Store) store.Store {
	if b == nil {
		return st
	}
	return &bhytTrigger{Store: st, b: b}
}

type bhytTrigger struct {
	store.Store
	b *bhytSending
}

func (t *bhytTrigger) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	var closed []closedEncounter
	err := t.Store.Update(ctx, func(tx store.Tx) error {
		closed = closed[:0] // a retried transaction starts again
		return fn(&bhytTx{Tx: tx, closed: &closed, now: t.b.clock})
	})
	if err != nil {
		return err
	}
	for _, c := range closed {
		if err := t.b.enqueueClosed(ctx, c); err != nil {
			// The sweep picks it up again.
			t.b.log.Error("queue BHYT claim / xếp hàng hồ sơ BHYT", "encounter", c.ID, "err", err)
		}
	}
	return nil
}

type bhytTx struct {
	store.Tx
	closed *[]closedEncounter
	now    func() time.Time
}

func (t *bhytTx) Put(ctx context.Context, w store.Write) (*fhir.Resource, error) {
	r, err := t.Tx.Put(ctx, w)
	if err == nil && w.Type == "Encounter" && r != nil {
		if end, ok := finishedEncounter(w.JSON); ok {
			*t.closed = append(*t.closed, closedEncounter{ID: r.ID, Version: r.VersionID, End: end, Closed: t.now().Format(time.RFC3339)})
		}
	}
	return r, err
}

// LockCondition forwards the condition lock that wrapping would hide.
func (t *bhytTx) LockCondition(ctx context.Context, key string) error {
	return store.LockCondition(ctx, t.Tx, key)
}

var (
	_ store.Store           = (*bhytTrigger)(nil)
	_ store.ConditionLocker = (*bhytTx)(nil)
)
