package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/job"
	"github.com/sen-emr/sen/internal/record"
	"github.com/sen-emr/sen/internal/reminder"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/sign"
	"github.com/sen-emr/sen/internal/store"
)

// The national e-prescription system and the VNeID health book in a
// serving Sen (docs/regulations.md).
//
// E-prescriptions: a MedicationRequest stored as an active order without a
// national code gets one in
// groupIdentifier as it is written (the requests of one patient and
// encounter in one transaction share it), so the code is part of the
// record the prescriber signs. Once the write has committed, a job
// submits the prescription to the national system; when it is accepted,
// a second job sends the code to the patient through the reminder
// channels (SMS). Both jobs are keyed by the code in a persistent queue,
// so a restart neither loses nor repeats them; a resend after a crash
// that finds the code already there counts as sent.
//
// Health book: when an Encounter is stored finished, a job builds the
// episode's summary, signs it with the facility key (--sign-key) and
// pushes it until the platform acknowledges it.
//
// Both queues live in --data-dir/record-jobs.db; every acknowledgement is
// appended to --data-dir/record-receipts.jsonl. A sweep every half hour
// re-queues what was written in the last two days, so a crash between a
// commit and the queueing loses nothing.

const (
	jobRxSubmit      = "rx-submit"
	jobRxNotify      = "rx-notify"
	jobHealthBook    = "healthbook-push"
	jobNationalSweep = "national-sweep"
	nationalSweep    = 30 * time.Minute
	nationalWindow   = 48 * time.Hour
	// healthBookAttempts with backoff capped at an hour keep retrying for
	// about three months: "until acknowledged".
	healthBookAttempts = 2000
)

// nationalFlags configure both.
type nationalFlags struct {
	facility          string
	rxSystem, rxToken string
	hbURL, hbToken    string
}

func (f *nationalFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.facility, "facility-code", "", "the facility's 5-character code (mã cơ sở khám chữa bệnh) for prescription codes and the health book")
	fl.StringVar(&f.rxSystem, "rx-system", "", `submit finalised prescriptions and text the code to the patient: the national e-prescription system's URL, "fake" (in memory), or "" (off)`)
	fl.StringVar(&f.rxToken, "rx-token-file", "", "file holding the e-prescription system's access token / tệp chứa mã truy cập hệ thống đơn thuốc quốc gia")
	fl.StringVar(&f.hbURL, "healthbook", "", `push each finished episode's signed summary to the VNeID health book: the platform's URL, "fake" (in memory), or "" (off); needs --sign-key`)
	fl.StringVar(&f.hbToken, "healthbook-token-file", "", "file holding the health-book platform's access token / tệp chứa mã truy cập sổ sức khỏe điện tử")
}

var facilityCode = regexp.MustCompile(`^[0-9A-Za-z]{5}$`)

// nationalSending is the wired sending; a nil one is off and every method
// is a no-op.
type nationalSending struct {
	queue    *job.Queue
	runner   *job.Runner
	rx       record.PrescriptionSystem // nil: prescriptions off
	hb       record.HealthBookGateway  // nil: health book off
	key      *sign.LocalKey            // signs health-book summaries
	facility string
	model    *r4.Model
	log      *slog.Logger
	receipts string
	now      func() time.Time
	mark     sweepMark // when the last sweep started

	mu     sync.Mutex
	read   store.Store      // unguarded reads
	notify reminder.Channel // the reminder channels (nil: the log)
}

func (n *nationalSending) clock() time.Time {
	if n.now != nil {
		return n.now()
	}
	return time.Now()
}

func readToken(flag, file string) (string, error) {
	if file == "" {
		return "", nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("%s: %w", flag, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// openNational checks the flags and opens the queue when either system
// is configured.
func openNational(ctx context.Context, f *nationalFlags, dataDir string, log *slog.Logger, signing *rest.Signing, model *r4.Model) (*nationalSending, error) {
	if f.rxSystem == "" && f.hbURL == "" {
		return nil, nil
	}
	n := &nationalSending{facility: f.facility, model: model, log: log, receipts: filepath.Join(dataDir, "record-receipts.jsonl"),
		mark: sweepMark{path: filepath.Join(dataDir, "record-sweep.mark")}}
	if !facilityCode.MatchString(f.facility) {
		return nil, errors.New("--rx-system and --healthbook need --facility-code, the facility's 5 letters or digits / cần mã cơ sở khám chữa bệnh 5 ký tự")
	}
	switch {
	case f.rxSystem == "":
	case f.rxSystem == "fake":
		n.rx = &record.FakePrescriptionSystem{}
	case strings.HasPrefix(f.rxSystem, "https://") || strings.HasPrefix(f.rxSystem, "http://"):
		tok, err := readToken("--rx-token-file", f.rxToken)
		if err != nil {
			return nil, err
		}
		n.rx = &record.HTTPPrescriptionSystem{URL: f.rxSystem, Token: tok}
	default:
		return nil, fmt.Errorf("--rx-system %q: want an http(s) URL, \"fake\" or nothing", f.rxSystem)
	}
	switch {
	case f.hbURL == "":
	case f.hbURL == "fake":
		n.hb = &record.FakeHealthBook{}
	case strings.HasPrefix(f.hbURL, "https://") || strings.HasPrefix(f.hbURL, "http://"):
		tok, err := readToken("--healthbook-token-file", f.hbToken)
		if err != nil {
			return nil, err
		}
		n.hb = &record.HTTPHealthBook{URL: f.hbURL, Token: tok}
	default:
		return nil, fmt.Errorf("--healthbook %q: want an http(s) URL, \"fake\" or nothing", f.hbURL)
	}
	if n.hb != nil {
		var ok bool
		if signing != nil {
			n.key, ok = signing.Key.(*sign.LocalKey)
		}
		if !ok {
			return nil, errors.New("--healthbook needs the facility's signing key (--sign-key): the platform takes signed summaries only / cần khóa ký số của cơ sở")
		}
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	q, err := job.Open(ctx, filepath.Join(dataDir, "record-jobs.db"))
	if err != nil {
		return nil, fmt.Errorf("e-prescription and health-book queue: %w", err)
	}
	n.queue = q
	n.runner = &job.Runner{Queue: q, Now: n.clock, Log: log, Backoff: 30 * time.Second, MaxBackoff: time.Hour}
	n.runner.Handle(jobRxSubmit, n.submitRx)
	n.runner.Handle(jobRxNotify, n.notifyRx)
	n.runner.Handle(jobHealthBook, n.pushHealthBook)
	n.runner.Handle(jobNationalSweep, n.sweep)
	if err := n.runner.Every(jobNationalSweep, nationalSweep, nil); err != nil {
		q.Close()
		return nil, err
	}
	log.Info("national systems / hệ thống quốc gia", "e_prescription", f.rxSystem, "health_book", f.hbURL, "facility", f.facility)
	return n, nil
}

// setup gives the sending the store it reads and the channels it texts
// patients through.
func (n *nationalSending) setup(read store.Store, notify reminder.Channel) {
	if n == nil {
		return
	}
	n.mu.Lock()
	n.read, n.notify = read, notify
	n.mu.Unlock()
}

func (n *nationalSending) source() (*record.Source, error) {
	n.mu.Lock()
	st := n.read
	n.mu.Unlock()
	if st == nil {
		return nil, errors.New("national sending: the store is not wired yet")
	}
	return &record.Source{Store: st, Facility: n.facility, Now: n.clock, Query: func(typ string, params url.Values) (*search.Query, error) {
		return search.ParseQuery(n.model, typ, params, false)
	}}, nil
}

// start runs the queue until ctx ends; stop waits for the running job.
func (n *nationalSending) start(ctx context.Context) (stop func()) {
	if n == nil {
		return func() {}
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := n.runner.Run(rctx); err != nil {
			n.log.Warn("national job runner stopped", "err", err)
		}
	}()
	return func() { cancel(); <-done }
}

func (n *nationalSending) close() {
	if n == nil {
		return
	}
	if err := n.queue.Close(); err != nil {
		n.log.Warn("close record-jobs.db", "err", err)
	}
}

// rxJob is the payload of a submission: the code and the requests that
// carry it.
type rxJob struct {
	Code string   `json:"code"`
	IDs  []string `json:"ids"`
}

// notifyJob is the payload of the text to the patient.
type notifyJob struct {
	Code    string `json:"code"`
	Patient string `json:"patient"`
}

// hbJob is the payload of a health-book push.
type hbJob struct {
	Encounter string `json:"encounter"`
	Version   int64  `json:"version"`
}

func (n *nationalSending) enqueueRx(ctx context.Context, j rxJob) error {
	p, _ := json.Marshal(j)
	_, err := n.queue.Enqueue(ctx, job.NewJob{Kind: jobRxSubmit, Key: jobRxSubmit + ":" + j.Code, Payload: p, RunAt: n.clock(), MaxAttempts: 200})
	return err
}

func (n *nationalSending) enqueueHealthBook(ctx context.Context, j hbJob) error {
	p, _ := json.Marshal(j)
	_, err := n.queue.Enqueue(ctx, job.NewJob{Kind: jobHealthBook, Key: fmt.Sprintf("%s:Encounter/%s/%d", jobHealthBook, j.Encounter, j.Version),
		Payload: p, RunAt: n.clock(), MaxAttempts: healthBookAttempts})
	return err
}

// receipt appends an acknowledgement to record-receipts.jsonl.
func (n *nationalSending) receipt(kind, key, ack string) {
	line, _ := json.Marshal(map[string]string{"time": n.clock().UTC().Format(time.RFC3339), "kind": kind, "key": key, "receipt": ack})
	f, err := os.OpenFile(n.receipts, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o640)
	if err == nil {
		_, err = f.Write(append(line, '\n'))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		n.log.Error("keep receipt / lưu biên nhận", "kind", kind, "key", key, "receipt", ack, "err", err)
	}
}

// submitRx sends a prescription, then queues the text to the patient.
func (n *nationalSending) submitRx(ctx context.Context, j job.Job) error {
	var p rxJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return job.Permanent(fmt.Errorf("e-prescription job: %w", err))
	}
	src, err := n.source()
	if err != nil {
		return err
	}
	rx, err := src.Prescription(ctx, p.Code, p.IDs)
	if errors.Is(err, record.ErrIncomplete) {
		n.log.Error("e-prescription not submitted: the record is incomplete / đơn thuốc chưa gửi: hồ sơ thiếu thông tin", "code", p.Code, "err", err)
		return job.Permanent(err)
	}
	if err != nil {
		return err
	}
	ack, err := n.rx.Send(ctx, rx)
	switch {
	case errors.Is(err, record.ErrPrescriptionExists):
		ack = "already submitted / đã gửi trước đó"
	case errors.Is(err, record.ErrRejected):
		n.log.Error("e-prescription rejected / đơn thuốc bị từ chối", "code", p.Code, "err", err)
		return job.Permanent(err)
	case err != nil:
		return err
	}
	n.receipt(jobRxSubmit, p.Code, ack)
	var m struct {
		Subject struct{ Reference string } `json:"subject"`
	}
	pid := ""
	for _, b := range rxRequests(ctx, src, p.IDs) {
		if json.Unmarshal(b, &m) == nil {
			if id, ok := strings.CutPrefix(m.Subject.Reference, "Patient/"); ok {
				pid = id
				break
			}
		}
	}
	payload, _ := json.Marshal(notifyJob{Code: p.Code, Patient: pid})
	if _, err := n.queue.Enqueue(ctx, job.NewJob{Kind: jobRxNotify, Key: jobRxNotify + ":" + p.Code, Payload: payload, RunAt: n.clock(), MaxAttempts: 20}); err != nil {
		return err
	}
	n.log.Info("e-prescription submitted / đã gửi đơn thuốc", "code", p.Code, "receipt", ack)
	return nil
}

func rxRequests(ctx context.Context, src *record.Source, ids []string) [][]byte {
	var out [][]byte
	for _, id := range ids {
		if r, err := src.Store.Read(ctx, "MedicationRequest", id); err == nil {
			out = append(out, r.JSON)
		}
	}
	return out
}

// notifyRx texts the code to the patient's mobile number.
func (n *nationalSending) notifyRx(ctx context.Context, j job.Job) error {
	var p notifyJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return job.Permanent(fmt.Errorf("e-prescription text job: %w", err))
	}
	n.mu.Lock()
	st, ch := n.read, n.notify
	n.mu.Unlock()
	if st == nil {
		return errors.New("national sending: the store is not wired yet")
	}
	phone := ""
	if p.Patient != "" {
		pt, err := st.Read(ctx, "Patient", p.Patient)
		if err != nil && fhir.KindOf(err) != fhir.KindNotFound && fhir.KindOf(err) != fhir.KindGone {
			return err
		}
		if err == nil {
			phone = mobileOf(pt.JSON)
		}
	}
	if phone == "" {
		n.log.Warn("prescription code not sent: the patient has no mobile number / chưa gửi mã đơn thuốc: người bệnh không có số di động",
			"code", p.Code, "patient", p.Patient)
		return job.Permanent(errors.New("no mobile number / không có số di động"))
	}
	notifier, ok := ch.(record.PatientNotifier)
	if !ok {
		n.log.Warn("no SMS channel configured: the prescription code is only logged / chưa cấu hình kênh SMS: mã đơn thuốc chỉ được ghi nhật ký",
			"code", p.Code, "patient", p.Patient)
		return nil
	}
	if err := notifier.Notify(ctx, phone, record.PrescriptionCodeMessage(p.Code)); err != nil {
		if reminder.Permanent(err) || errors.Is(err, reminder.ErrUndeliverable) {
			n.log.Error("prescription code could not be sent / không gửi được mã đơn thuốc", "code", p.Code, "patient", p.Patient, "err", err)
			return job.Permanent(err)
		}
		return err
	}
	n.receipt(jobRxNotify, p.Code, "sent to Patient/"+p.Patient)
	n.log.Info("prescription code sent to the patient / đã gửi mã đơn thuốc cho người bệnh", "code", p.Code, "patient", p.Patient)
	return nil
}

// mobileOf is the patient's first phone number (mobile preferred).
func mobileOf(patient []byte) string {
	var p struct {
		Telecom []struct{ System, Value, Use string } `json:"telecom"`
	}
	if json.Unmarshal(patient, &p) != nil {
		return ""
	}
	first := ""
	for _, t := range p.Telecom {
		if t.System != "phone" && t.System != "sms" {
			continue
		}
		if t.Use == "mobile" {
			return t.Value
		}
		if first == "" {
			first = t.Value
		}
	}
	return first
}

// pushHealthBook builds, signs and pushes an episode's summary.
func (n *nationalSending) pushHealthBook(ctx context.Context, j job.Job) error {
	var p hbJob
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return job.Permanent(fmt.Errorf("health-book job: %w", err))
	}
	src, err := n.source()
	if err != nil {
		return err
	}
	ep, err := src.HealthBook(ctx, p.Encounter)
	if errors.Is(err, record.ErrIncomplete) {
		n.log.Error("health-book summary not pushed: the record is incomplete / chưa đẩy sổ sức khỏe: hồ sơ thiếu thông tin", "encounter", p.Encounter, "err", err)
		return job.Permanent(err)
	}
	if err != nil {
		return err
	}
	if err := record.SignHealthBook(ep, n.signJWS); err != nil {
		return job.Permanent(err)
	}
	ack, err := n.hb.Push(ctx, ep)
	if err == nil && ack == "" {
		err = errors.New("empty acknowledgement / không có xác nhận")
	}
	if errors.Is(err, record.ErrRejected) {
		n.log.Error("health-book summary rejected / sổ sức khỏe từ chối", "encounter", p.Encounter, "err", err)
		return job.Permanent(err)
	}
	if err != nil {
		return err // retried until acknowledged
	}
	n.receipt(jobHealthBook, fmt.Sprintf("Encounter/%s/%d", p.Encounter, p.Version), ack)
	n.log.Info("health-book summary acknowledged / sổ sức khỏe đã xác nhận", "encounter", p.Encounter, "ack", ack)
	return nil
}

// signJWS is a detached compact JWS over payload by the facility key,
// with its certificate chain in x5c.
func (n *nationalSending) signJWS(payload []byte) (string, error) {
	opts := &jose.SignerOptions{}
	chain := make([]string, 0, len(n.key.Chain))
	for _, c := range n.key.Chain {
		chain = append(chain, base64.StdEncoding.EncodeToString(c.Raw))
	}
	opts.WithHeader("x5c", chain)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: n.key.Alg, Key: n.key.Private}, opts)
	if err != nil {
		return "", err
	}
	obj, err := s.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.DetachedCompactSerialize()
}

// sweep re-queues what was written since the last sweep (less an
// overlap), at most the last two days: coded prescriptions and finished
// encounters. Their keys make it idempotent.
func (n *nationalSending) sweep(ctx context.Context, _ job.Job) error {
	n.mu.Lock()
	st := n.read
	n.mu.Unlock()
	if st == nil {
		return nil
	}
	started := n.clock()
	since := "ge" + n.mark.since(started, nationalWindow).UTC().Format(time.RFC3339)
	each := func(typ string, fn func(r *fhir.Resource) error) error {
		q, err := search.ParseQuery(n.model, typ, url.Values{"_lastUpdated": {since}, "_count": {"200"}}, false)
		if err != nil {
			return job.Permanent(err)
		}
		for {
			page, err := st.Search(ctx, q)
			if err != nil {
				return err
			}
			for _, r := range page.Resources {
				if err := fn(r); err != nil {
					return err
				}
			}
			if page.Next == "" {
				return nil
			}
			q.Cursor = page.Next
		}
	}
	if n.rx != nil {
		codes := map[string][]string{}
		err := each("MedicationRequest", func(r *fhir.Resource) error {
			if c := record.PrescriptionCodeOf(r.JSON); c != "" && record.IsFinalPrescription(r.JSON) {
				codes[c] = append(codes[c], r.ID)
			}
			return nil
		})
		if err != nil {
			return err
		}
		for c, ids := range codes {
			sort.Strings(ids)
			if err := n.enqueueRx(ctx, rxJob{Code: c, IDs: ids}); err != nil {
				return err
			}
		}
	}
	if n.hb != nil {
		err := each("Encounter", func(r *fhir.Resource) error {
			if _, ok := finishedEncounter(r.JSON); ok {
				return n.enqueueHealthBook(ctx, hbJob{Encounter: r.ID, Version: r.VersionID})
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return n.mark.done(started)
}

// wrap returns st with the triggers: finalised prescriptions get their
// code as they are written; after the commit, their submission and the
// health-book push of finished encounters are queued.
func (n *nationalSending) wrap(st store.Store) store.Store {
	if n == nil {
		return st
	}
	return &nationalTrigger{Store: st, n: n}
}

type nationalTrigger struct {
	store.Store
	n *nationalSending
}

func (t *nationalTrigger) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	var ntx *nationalTx
	err := t.Store.Update(ctx, func(tx store.Tx) error {
		ntx = &nationalTx{Tx: tx, n: t.n, codes: map[string]string{}, rx: map[string][]string{}} // a retried transaction starts again
		return fn(ntx)
	})
	if err != nil || ntx == nil {
		return err
	}
	for code, ids := range ntx.rx {
		if err := t.n.enqueueRx(ctx, rxJob{Code: code, IDs: ids}); err != nil {
			t.n.log.Error("queue e-prescription / xếp hàng đơn thuốc", "code", code, "err", err) // the sweep picks it up
		}
	}
	for _, e := range ntx.finished {
		if err := t.n.enqueueHealthBook(ctx, e); err != nil {
			t.n.log.Error("queue health-book push / xếp hàng sổ sức khỏe", "encounter", e.Encounter, "err", err)
		}
	}
	return nil
}

type nationalTx struct {
	store.Tx
	n        *nationalSending
	codes    map[string]string   // patient|encounter -> the code given in this transaction
	rx       map[string][]string // code -> MedicationRequest ids written
	finished []hbJob
}

func (t *nationalTx) Put(ctx context.Context, w store.Write) (*fhir.Resource, error) {
	if w.Type == "MedicationRequest" && t.n.rx != nil && record.IsFinalPrescription(w.JSON) {
		var m struct {
			Subject   struct{ Reference string } `json:"subject"`
			Encounter struct{ Reference string } `json:"encounter"`
		}
		_ = json.Unmarshal(w.JSON, &m)
		group := m.Subject.Reference + "|" + m.Encounter.Reference
		body, code, err := record.AssignPrescriptionCode(w.JSON, t.n.facility, t.codes[group], rand.Reader)
		if err != nil {
			return nil, fhir.Errorf(fhir.KindInvalid, "%v", err)
		}
		if record.PrescriptionCodeOf(w.JSON) == "" {
			t.codes[group] = code // the next request of this prescription shares it
		}
		w.JSON = body
		r, err := t.Tx.Put(ctx, w)
		if err == nil && r != nil && code != "" && !slices.Contains(t.rx[code], r.ID) {
			t.rx[code] = append(t.rx[code], r.ID)
		}
		return r, err
	}
	r, err := t.Tx.Put(ctx, w)
	if err == nil && r != nil && w.Type == "Encounter" && t.n.hb != nil {
		if _, ok := finishedEncounter(w.JSON); ok {
			t.finished = append(t.finished, hbJob{Encounter: r.ID, Version: r.VersionID})
		}
	}
	return r, err
}

// LockCondition forwards the condition lock that wrapping would hide.
func (t *nationalTx) LockCondition(ctx context.Context, key string) error {
	return store.LockCondition(ctx, t.Tx, key)
}

var (
	_ store.Store           = (*nationalTrigger)(nil)
	_ store.ConditionLocker = (*nationalTx)(nil)
)
