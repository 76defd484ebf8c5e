package sendqueue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sen-emr/sen/internal/job"
	"github.com/sen-emr/sen/internal/vn/bhyt"
)

// Kind is the job kind of a claim to send.
const Kind = "bhyt-claim"

// DefaultDeadline is how long after the encounter ends a claim must reach
// the gateway when Sender.Deadline is 0: the 3 hours of the draft rule
// (REGULATIONS.md §0 item 6), stricter than today's "right after the
// encounter" of Circular 48/2017.
const DefaultDeadline = 3 * time.Hour

// maxAttempts bounds retries: with the runner's doubling backoff capped at
// an hour this keeps trying for about a day before the claim is failed
// and needs a person.
const maxAttempts = 30

// Claim is one claim to send.
type Claim struct {
	MaLK         string    `json:"ma_lk"`
	MaCSKCB      string    `json:"ma_cskcb"`
	XML0         []byte    `json:"xml0,omitempty"` // check-in, when not yet sent (nil for emergencies)
	Envelope     []byte    `json:"envelope"`
	EncounterEnd time.Time `json:"encounter_end"`
	Deadline     time.Time `json:"deadline"` // set by Enqueue
}

// Sender enqueues claims and sends them.
type Sender struct {
	Queue    *job.Queue
	Gateway  bhyt.Gateway
	Receipts *Receipts
	// Deadline after the encounter ends (0: DefaultDeadline).
	Deadline time.Duration
	Now      func() time.Time // default time.Now
	Log      *slog.Logger
	// OnLate, when set, is told of every attempt made after the claim's
	// deadline: sent reports whether the gateway took it (late but sent)
	// or not (still not sent). Callers count it and alert.
	OnLate func(maLK, step string, deadline time.Time, sent bool)
}

func (s *Sender) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Sender) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

// Enqueue adds c to the queue, due at once. A claim whose MA_LK is already
// queued (in any state) is not added again: MA_LK is never reused, so a
// second Enqueue is a duplicate, not a resend.
func (s *Sender) Enqueue(ctx context.Context, c Claim) (bool, error) {
	if c.MaLK == "" || c.MaCSKCB == "" || len(c.Envelope) == 0 {
		return false, errors.New("bhyt claim: MA_LK, MA_CSKCB and the envelope are required / thiếu MA_LK, MA_CSKCB hoặc hồ sơ")
	}
	if c.EncounterEnd.IsZero() {
		return false, fmt.Errorf("bhyt claim %s: the encounter has not ended / đợt khám chưa kết thúc", c.MaLK)
	}
	d := s.Deadline
	if d <= 0 {
		d = DefaultDeadline
	}
	c.Deadline = c.EncounterEnd.Add(d)
	payload, err := json.Marshal(c)
	if err != nil {
		return false, fmt.Errorf("bhyt claim %s: %w", c.MaLK, err)
	}
	added, err := s.Queue.Enqueue(ctx, job.NewJob{Kind: Kind, Key: Kind + ":" + c.MaLK, Payload: payload,
		RunAt: s.now(), MaxAttempts: maxAttempts})
	if err != nil {
		return false, fmt.Errorf("bhyt claim %s: enqueue: %w", c.MaLK, err)
	}
	return added, nil
}

// Register installs the sending handler on r.
func (s *Sender) Register(r *job.Runner) { r.Handle(Kind, s.handle) }

// handle sends one claim. It is idempotent: a claim with an accepted
// receipt is not sent again, and a check-in already accepted is skipped.
func (s *Sender) handle(ctx context.Context, j job.Job) error {
	var c Claim
	if err := json.Unmarshal(j.Payload, &c); err != nil {
		return job.Permanent(fmt.Errorf("bhyt claim: payload: %w", err))
	}
	if r, ok, err := s.Receipts.Accepted(c.MaLK, StepSubmit); err != nil {
		return err
	} else if ok {
		s.log().Info("bhyt claim already accepted", "ma_lk", c.MaLK, "transaction", r.Transaction)
		return nil
	}
	if len(c.XML0) > 0 {
		if _, ok, err := s.Receipts.Accepted(c.MaLK, StepCheckIn); err != nil {
			return err
		} else if !ok {
			r, err := s.Gateway.CheckIn(ctx, c.MaCSKCB, c.XML0)
			if done, err := s.record(c, StepCheckIn, r, err); !done {
				return err
			}
		}
	}
	r, err := s.Gateway.Submit(ctx, bhyt.Submission{MaLK: c.MaLK, MaTinh: province(c.MaCSKCB), MaCSKCB: c.MaCSKCB, Envelope: c.Envelope})
	_, err = s.record(c, StepSubmit, r, err)
	return err
}

// record keeps a receipt and turns the gateway's answer into the job's
// outcome: done, retry (temporary error) or fail (rejection).
func (s *Sender) record(c Claim, step string, r bhyt.Receipt, callErr error) (done bool, err error) {
	now := s.now()
	late := now.After(c.Deadline)
	if callErr == nil && !r.Accepted() {
		callErr = fmt.Errorf("%s %s: code %s %s: %w", step, c.MaLK, r.Code, r.Message, bhyt.ErrRejected)
	}
	if r.Code != "" || r.Transaction != "" { // the gateway answered: keep its receipt
		if r.MaLK == "" {
			r.MaLK = c.MaLK
		}
		if err := s.Receipts.Put(Record{Receipt: r, Step: step, At: now, Deadline: c.Deadline, Late: late, Accepted: callErr == nil}); err != nil {
			return false, err
		}
	}
	if late && s.OnLate != nil {
		s.OnLate(c.MaLK, step, c.Deadline, callErr == nil)
	}
	switch {
	case callErr == nil:
		if late {
			s.log().Warn("bhyt claim sent after its deadline / gửi hồ sơ BHYT quá hạn", "ma_lk", c.MaLK, "step", step, "deadline", c.Deadline)
		}
		return true, nil
	case errors.Is(callErr, bhyt.ErrRejected):
		s.log().Error("bhyt claim rejected / hồ sơ BHYT bị từ chối", "ma_lk", c.MaLK, "step", step, "code", r.Code, "message", r.Message)
		return false, job.Permanent(callErr)
	default:
		if late {
			s.log().Error("bhyt claim past its deadline and not yet sent / hồ sơ BHYT quá hạn chưa gửi được", "ma_lk", c.MaLK, "deadline", c.Deadline, "err", callErr)
		}
		return false, fmt.Errorf("%s %s: %w", step, c.MaLK, callErr)
	}
}

// province is MA_TINH, the first two digits of the facility code.
func province(maCSKCB string) string {
	if len(maCSKCB) >= 2 {
		return maCSKCB[:2]
	}
	return ""
}
