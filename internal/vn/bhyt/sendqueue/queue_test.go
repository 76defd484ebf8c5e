package sendqueue

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/job"
	"github.com/sen-emr/sen/internal/vn/bhyt"
)

// claimFor makes a minimal claim: an XML0 check-in and an envelope with
// one XML1 row.
func claimFor(tb testing.TB, maLK string, end time.Time) Claim {
	tb.Helper()
	c := &bhyt.Claim{MaLK: maLK, MaCSKCB: "79001", Tables: map[string][]bhyt.Row{
		"XML1": {{"MA_LK": maLK, "STT": "1", "HO_TEN": "Nguyễn Văn An"}},
	}}
	env, err := bhyt.Envelope(context.Background(), c, end, nil)
	if err != nil {
		tb.Fatal(err)
	}
	x0, _ := bhyt.TableByName("XML0")
	return Claim{MaLK: maLK, MaCSKCB: "79001", Envelope: env, EncounterEnd: end,
		XML0: bhyt.MarshalTable(x0, []bhyt.Row{{"MA_LK": maLK, "STT": "1"}})}
}

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newSender(tb testing.TB, gw bhyt.Gateway, clk *clock) (*Sender, *job.Runner) {
	tb.Helper()
	dir := tb.TempDir()
	q, err := job.Open(context.Background(), filepath.Join(dir, "jobs.db"))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { q.Close() })
	s := &Sender{Queue: q, Gateway: gw, Receipts: &Receipts{Dir: filepath.Join(dir, "receipts")}, Deadline: 3 * time.Hour, Now: clk.now}
	r := &job.Runner{Queue: q, Now: clk.now, Backoff: time.Minute, MaxBackoff: 10 * time.Minute}
	s.Register(r)
	return s, r
}

func TestSenderSendsRetriesAndKeepsReceipts(t *testing.T) {
	ctx := context.Background()
	end := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	clk := &clock{t: end.Add(5 * time.Minute)}
	gw := &bhyt.FakeGateway{Now: clk.now, FailNext: 2, Reject: map[string]string{"LK-BAD": "MA_THE_BHYT sai"}}
	s, r := newSender(t, gw, clk)

	for _, c := range []Claim{claimFor(t, "LK-1", end), claimFor(t, "LK-BAD", end)} {
		if added, err := s.Enqueue(ctx, c); err != nil || !added {
			t.Fatalf("enqueue %s: %v %v", c.MaLK, added, err)
		}
	}
	if added, _ := s.Enqueue(ctx, claimFor(t, "LK-1", end)); added {
		t.Fatal("a second claim with the same MA_LK was queued")
	}
	// Two temporary failures, then success: run, advance past the backoff, run.
	for i := 0; i < 4; i++ {
		if _, err := r.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		clk.t = clk.t.Add(15 * time.Minute)
	}

	tests := []struct {
		maLK          string
		wantState     job.State
		wantReceived  int
		wantAccepted  bool
		wantLastCode  string
		wantLate      bool
		wantCheckedIn int
	}{
		{"LK-1", job.Done, 1, true, bhyt.CodeAccepted, false, 1},
		{"LK-BAD", job.Failed, 0, false, "400", false, 1},
	}
	for _, tt := range tests {
		j, err := s.Queue.Get(ctx, Kind+":"+tt.maLK)
		if err != nil {
			t.Fatal(err)
		}
		if j.State != tt.wantState {
			t.Errorf("%s: state %s (%s), want %s", tt.maLK, j.State, j.LastError, tt.wantState)
		}
		if got := gw.Received(tt.maLK); got != tt.wantReceived {
			t.Errorf("%s: received %d times, want %d", tt.maLK, got, tt.wantReceived)
		}
		if got := gw.CheckIns(tt.maLK); got != tt.wantCheckedIn {
			t.Errorf("%s: checked in %d times, want %d", tt.maLK, got, tt.wantCheckedIn)
		}
		recs, err := s.Receipts.List(tt.maLK)
		if err != nil || len(recs) == 0 {
			t.Fatalf("%s: receipts %v %v", tt.maLK, recs, err)
		}
		last := recs[len(recs)-1]
		if last.Step != StepSubmit || last.Accepted != tt.wantAccepted || last.Code != tt.wantLastCode || last.Late != tt.wantLate {
			t.Errorf("%s: last receipt %+v, want submit accepted=%v code=%s late=%v", tt.maLK, last, tt.wantAccepted, tt.wantLastCode, tt.wantLate)
		}
		if last.Transaction == "" {
			t.Errorf("%s: receipt without a transaction id", tt.maLK)
		}
	}
	if j, _ := s.Queue.Get(ctx, Kind+":LK-BAD"); !strings.Contains(j.LastError, "MA_THE_BHYT sai") {
		t.Errorf("rejection reason lost: %q", j.LastError)
	}
}

func TestSenderMarksLateAndSkipsAcceptedWork(t *testing.T) {
	ctx := context.Background()
	end := time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)
	clk := &clock{t: end.Add(4 * time.Hour)} // already past the 3-hour deadline
	gw := &bhyt.FakeGateway{Now: clk.now}
	s, r := newSender(t, gw, clk)
	var late []string
	s.OnLate = func(maLK, step string, deadline time.Time, sent bool) {
		late = append(late, fmt.Sprintf("%s %s %s %v", maLK, step, deadline.Format(time.RFC3339), sent))
	}
	c := claimFor(t, "LK-LATE", end)
	if _, err := s.Enqueue(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	wantLate := []string{"LK-LATE check-in 2026-04-01T13:00:00Z true", "LK-LATE submit 2026-04-01T13:00:00Z true"}
	if strings.Join(late, "|") != strings.Join(wantLate, "|") {
		t.Errorf("late attempts reported %v, want %v", late, wantLate)
	}
	if claims, err := s.Receipts.Claims(); err != nil || strings.Join(claims, ",") != "LK-LATE" {
		t.Errorf("claims with receipts: %v %v", claims, err)
	}
	recs, _ := s.Receipts.List("LK-LATE")
	if len(recs) != 2 || !recs[1].Late || !recs[1].Deadline.Equal(end.Add(3*time.Hour)) {
		t.Fatalf("receipts %+v: want check-in and a late submit with the deadline", recs)
	}
	// At-least-once delivery: the handler run again sends nothing twice.
	payload := mustPayload(t, c, end.Add(3*time.Hour))
	if err := s.handle(ctx, job.Job{Kind: Kind, Payload: payload}); err != nil {
		t.Fatal(err)
	}
	if gw.Received("LK-LATE") != 1 || gw.CheckIns("LK-LATE") != 1 {
		t.Fatalf("resent: received %d, check-ins %d", gw.Received("LK-LATE"), gw.CheckIns("LK-LATE"))
	}
}

func TestEnqueueRefusesIncompleteClaims(t *testing.T) {
	clk := &clock{t: time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)}
	s, _ := newSender(t, &bhyt.FakeGateway{}, clk)
	ok := claimFor(t, "LK-2", clk.t)
	tests := []struct {
		name string
		edit func(*Claim)
		want string
	}{
		{"no MA_LK", func(c *Claim) { c.MaLK = "" }, "required"},
		{"no envelope", func(c *Claim) { c.Envelope = nil }, "required"},
		{"open encounter", func(c *Claim) { c.EncounterEnd = time.Time{} }, "not ended"},
	}
	for _, tt := range tests {
		c := ok
		tt.edit(&c)
		if _, err := s.Enqueue(context.Background(), c); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
	if err := (&Receipts{Dir: t.TempDir()}).Put(Record{Receipt: bhyt.Receipt{MaLK: "../x"}}); err == nil {
		t.Error("a MA_LK with a path separator named a receipts file")
	}
}

func mustPayload(tb testing.TB, c Claim, deadline time.Time) []byte {
	tb.Helper()
	c.Deadline = deadline
	b, err := json.Marshal(c)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
