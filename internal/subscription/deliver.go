package subscription

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/google/uuid"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/job"
	"github.com/sen-emr/sen/internal/store"
)

// notice is a delivery job's payload: one resource version for one
// Subscription.
type notice struct {
	Subscription string `json:"subscription"` // id
	change
}

// key is the notice's idempotency key: the same on every attempt and
// after a restart, different for each Subscription and resource version.
func (n notice) key() string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("sen:subscription:"+n.Subscription+":"+n.ref())).String()
}

// match runs the criteria of each active Subscription following the
// changed type, restricted to the changed resource with _id, and queues a
// delivery for each that matches. The criteria see the resource's current
// version; the notice names the version that changed.
func (h *Hub) match(ctx context.Context, j job.Job) error {
	var c change
	if err := json.Unmarshal(j.Payload, &c); err != nil || c.Type == "" || c.ID == "" {
		return job.Permanent(fmt.Errorf("subscription match: bad payload %q", j.Payload))
	}
	subs, err := h.active(ctx)
	if err != nil {
		return err
	}
	var jobs []job.NewJob
	for _, s := range subs {
		if s.CriteriaType() != c.Type || (!s.End.IsZero() && h.cfg.Now().After(s.End)) {
			continue
		}
		ok, err := h.matches(ctx, s, c)
		if err != nil {
			h.cfg.Logger.Warn("subscription criteria failed", "subscription", s.ID, "criteria", s.Criteria, "err", err)
			continue
		}
		if !ok {
			continue
		}
		n := notice{Subscription: s.ID, change: c}
		payload, _ := json.Marshal(n)
		jobs = append(jobs, job.NewJob{Kind: KindDeliver, Key: "deliver:" + n.key(), Payload: payload,
			RunAt: h.cfg.Now(), MaxAttempts: h.cfg.MaxAttempts})
	}
	if len(jobs) == 0 {
		return nil
	}
	_, err = h.cfg.Queue.EnqueueBatch(ctx, jobs)
	return err
}

func (h *Hub) matches(ctx context.Context, s Subscription, c change) (bool, error) {
	params, err := s.CriteriaParams()
	if err != nil {
		return false, err
	}
	params.Del("_count")
	params.Set("_id", c.ID)
	q, err := h.cfg.Parser(c.Type, params)
	if err != nil {
		return false, err
	}
	page, err := h.cfg.Store.Search(ctx, q)
	if err != nil {
		return false, err
	}
	for _, r := range page.Resources {
		if r.ID == c.ID {
			return true, nil
		}
	}
	return false, nil
}

// deliver sends one notification. With no payload it POSTs an empty body
// to the endpoint; with application/fhir+json it PUTs the resource
// version to endpoint/Type/id, as R4 rest-hook describes. Either way the
// request carries the channel headers, Idempotency-Key, and
// X-Sen-Subscription / X-Sen-Resource naming what changed.
func (h *Hub) deliver(ctx context.Context, j job.Job) error {
	var n notice
	if err := json.Unmarshal(j.Payload, &n); err != nil || n.Subscription == "" {
		return job.Permanent(fmt.Errorf("subscription delivery: bad payload %q", j.Payload))
	}
	entry := Entry{Subscription: "Subscription/" + n.Subscription, Resource: n.ref(), IdempotencyKey: n.key(),
		Attempt: j.Attempts, At: h.cfg.Now()}
	res, err := h.cfg.Store.Read(ctx, "Subscription", n.Subscription)
	var s Subscription
	if err == nil {
		s, err = Parse(res.JSON)
	}
	switch {
	case fhir.KindOf(err) == fhir.KindNotFound || fhir.KindOf(err) == fhir.KindGone:
		entry.Outcome, entry.Error = Skipped, "Subscription deleted"
		return h.record(ctx, entry)
	case err != nil:
		return err
	case s.Status != "active" || (!s.End.IsZero() && h.cfg.Now().After(s.End)):
		entry.Outcome, entry.Error = Skipped, "Subscription is "+s.Status
		return h.record(ctx, entry)
	}

	req, err := h.request(ctx, s, n)
	if err != nil {
		entry.Outcome, entry.Error = Skipped, err.Error()
		_ = h.record(ctx, entry)
		return job.Permanent(err)
	}
	start := h.cfg.Now()
	resp, err := h.cfg.Client.Do(req)
	entry.Duration = h.cfg.Now().Sub(start)
	if err == nil {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) //nolint:errcheck // drained for connection reuse only
		resp.Body.Close()
		entry.HTTPStatus = resp.StatusCode
		if resp.StatusCode/100 == 2 {
			entry.Outcome = Delivered
			return h.record(ctx, entry)
		}
		err = fmt.Errorf("receiver answered %s", resp.Status)
	}
	entry.Error = err.Error()
	if j.Attempts < j.MaxAttempts {
		entry.Outcome = Failed
		_ = h.record(ctx, entry)
		return fmt.Errorf("deliver %s to Subscription/%s: %w", n.ref(), n.Subscription, err)
	}
	entry.Outcome = GaveUp
	_ = h.record(ctx, entry)
	msg := fmt.Sprintf("gửi thông báo thất bại sau %d lần / delivery of %s failed after %d attempts: %v", j.Attempts, n.ref(), j.Attempts, err)
	if serr := h.markError(ctx, n.Subscription, msg); serr != nil {
		h.cfg.Logger.Error("subscription: set status error", "subscription", n.Subscription, "err", serr)
	}
	h.forgetTypes()
	return job.Permanent(fmt.Errorf("deliver %s to Subscription/%s: %w", n.ref(), n.Subscription, err))
}

func (h *Hub) request(ctx context.Context, s Subscription, n notice) (*http.Request, error) {
	var req *http.Request
	var err error
	if s.Payload == "" {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, s.Endpoint, nil)
	} else {
		v, rerr := h.cfg.Store.VRead(ctx, n.Type, n.ID, n.Version)
		if rerr != nil {
			return nil, fmt.Errorf("read %s: %w", n.ref(), rerr)
		}
		url := strings.TrimRight(s.Endpoint, "/") + "/" + n.Type + "/" + n.ID
		req, err = http.NewRequestWithContext(ctx, http.MethodPut, url, bytes.NewReader(v.JSON))
		if err == nil {
			req.Header.Set("Content-Type", "application/fhir+json")
		}
	}
	if err != nil {
		return nil, fmt.Errorf("build notification for Subscription/%s: %w", s.ID, err)
	}
	for _, hd := range s.Headers {
		name, value, _ := strings.Cut(hd, ":")
		req.Header.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	req.Header.Set("Idempotency-Key", n.key())
	req.Header.Set("X-Sen-Subscription", "Subscription/"+n.Subscription)
	req.Header.Set("X-Sen-Resource", n.ref())
	req.Header.Set("User-Agent", "Sen-Subscription/1")
	return req, nil
}

func (h *Hub) record(ctx context.Context, e Entry) error {
	if err := h.cfg.Log.Record(ctx, e); err != nil {
		h.cfg.Logger.Error("subscription: delivery log", "err", err)
	}
	return nil
}

// markError puts the Subscription in status error with msg, unless it
// changed meanwhile (then whoever changed it decided).
func (h *Hub) markError(ctx context.Context, id, msg string) error {
	return h.cfg.Store.Update(ctx, func(tx store.Tx) error {
		cur, err := tx.Read(ctx, "Subscription", id)
		if err != nil {
			return err
		}
		s, err := Parse(cur.JSON)
		if err != nil || s.Status != "active" {
			return err
		}
		body, err := setStatus(cur.JSON, "error", msg)
		if err != nil {
			return err
		}
		ix, err := h.cfg.Indexer.Index("Subscription", body)
		if err != nil {
			return fmt.Errorf("index Subscription/%s: %w", id, err)
		}
		_, err = tx.Put(ctx, store.Write{Type: "Subscription", ID: id, JSON: body, Index: ix, IfMatch: cur.VersionID})
		return err
	})
}
