package subscription

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/job"
	"github.com/sen-emr/sen/internal/store"
)

// Wrap returns st with two additions. A Subscription written through it
// is checked (rest-hook channel, http(s) endpoint, criteria that parse as
// a strict search) and a status of requested is stored as active. And
// after each committed transaction, every resource version of a type some
// active Subscription follows gets a match job on the queue.
//
// The match job is queued after the commit, so a crash in between loses
// that version's notifications (the write itself is safe); everything
// after the enqueue survives restarts.
func (h *Hub) Wrap(st store.Store) store.Store { return &wrapped{Store: st, hub: h} }

type wrapped struct {
	store.Store
	hub *Hub
}

type change struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Version int64  `json:"version"`
}

func (c change) ref() string { return fmt.Sprintf("%s/%s/_history/%d", c.Type, c.ID, c.Version) }

func (w *wrapped) Update(ctx context.Context, fn func(tx store.Tx) error) error {
	var changes []change
	subsChanged := false
	err := w.Store.Update(ctx, func(tx store.Tx) error {
		// The backend may call fn again after a busy retry: start afresh.
		changes, subsChanged = changes[:0], false
		return fn(&recordingTx{Tx: tx, hub: w.hub, changes: &changes, subs: &subsChanged})
	})
	if err != nil {
		return err
	}
	if subsChanged {
		w.hub.forgetTypes()
	}
	var jobs []job.NewJob
	for _, c := range changes {
		if c.Type == "Subscription" || !w.hub.subscribed(ctx, c.Type) {
			continue
		}
		payload, _ := json.Marshal(c)
		jobs = append(jobs, job.NewJob{Kind: KindMatch, Key: "match:" + c.ref(), Payload: payload, RunAt: w.hub.cfg.Now(), MaxAttempts: 5})
	}
	if len(jobs) == 0 {
		return nil
	}
	if _, err := w.hub.cfg.Queue.EnqueueBatch(ctx, jobs); err != nil {
		// The write is committed; failing the request now would invite a
		// retry that writes a second version. Log and carry on.
		w.hub.cfg.Logger.Error("subscription: queue match jobs", "count", len(jobs), "err", err)
	}
	return nil
}

type recordingTx struct {
	store.Tx
	hub     *Hub
	changes *[]change
	subs    *bool
}

func (t *recordingTx) Put(ctx context.Context, w store.Write) (*fhir.Resource, error) {
	if w.Type == "Subscription" {
		var err error
		if w, err = t.hub.admit(w); err != nil {
			return nil, err
		}
		*t.subs = true
	}
	res, err := t.Tx.Put(ctx, w)
	if err != nil {
		return nil, err
	}
	*t.changes = append(*t.changes, change{Type: res.Type, ID: res.ID, Version: res.VersionID})
	return res, nil
}

func (t *recordingTx) Delete(ctx context.Context, typ, id string, ifMatch int64) (*fhir.Resource, error) {
	if typ == "Subscription" {
		*t.subs = true
	}
	return t.Tx.Delete(ctx, typ, id, ifMatch)
}

// admit checks a Subscription write and turns requested into active
// (re-indexing the body, since status is a search parameter).
func (h *Hub) admit(w store.Write) (store.Write, error) {
	s, err := Parse(w.JSON)
	if err != nil {
		return w, err
	}
	if s.Status == "off" || s.Status == "error" {
		return w, nil // switching off, or recording an error: nothing to check
	}
	if err := s.Check(h.cfg.KnownType); err != nil {
		return w, err
	}
	if err := h.checkCriteria(s); err != nil {
		return w, err
	}
	if s.Status != "requested" {
		return w, nil
	}
	body, err := setStatus(w.JSON, "active", "")
	if err != nil {
		return w, err
	}
	ix, err := h.cfg.Indexer.Index("Subscription", body)
	if err != nil {
		return w, fmt.Errorf("index Subscription/%s: %w", w.ID, err)
	}
	w.JSON, w.Index = body, ix
	return w, nil
}

var (
	_ store.Store = (*wrapped)(nil)
	_ store.Tx    = (*recordingTx)(nil)
)
