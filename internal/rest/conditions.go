package rest

import (
	"context"
	"errors"
	"sort"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
)

// A transaction resolves its conditions (ifNoneExist, conditional update
// URLs, conditional references) before its store transaction begins, so
// that validation and indexing, which need the final ids, stay outside the
// database's write lock. Another client may change what a condition
// matches in between; so inside the store transaction every condition is
// searched again (recheck), and when any answer differs the whole
// transaction is rolled back and run again, up to txAttempts times. With
// SQLite, whose writers are serialised, the recheck is decisive; a backend
// whose transactions run concurrently (PostgreSQL) implements
// conditionLocker, and match takes that lock first, so that two
// transactions with the same condition cannot both find nothing and both
// create.

// conditionLocker is implemented by a store.Tx that must serialise
// conditional interactions explicitly. LockCondition blocks until no other
// transaction holds key and keeps it until this transaction ends (e.g.
// pg_advisory_xact_lock of a hash of key).
type conditionLocker interface {
	LockCondition(ctx context.Context, key string) error
}

// lockCondition takes the condition's lock when rd is a transaction that
// needs one.
func lockCondition(ctx context.Context, rd store.Reader, typ, query string) error {
	l, ok := rd.(conditionLocker)
	if !ok {
		return nil
	}
	if err := l.LockCondition(ctx, typ+"?"+query); err != nil {
		return &fhir.Error{Kind: fhir.KindInternal, Msg: "cannot lock the condition " + typ + "?" + query, Err: err}
	}
	return nil
}

// txAttempts bounds the reruns of a transaction whose conditions changed.
const txAttempts = 3

// errConditionsChanged marks a transaction to run again.
var errConditionsChanged = errors.New("a condition matched differently inside the transaction")

// condition is one search a transaction resolved before its store
// transaction, and the id it matched ("" for none).
type condition struct {
	typ, query string
	want       string
	at         int // entry index, for error locations
}

// conditionsOf lists the resolved conditions of a transaction: its
// conditional creates and updates and the conditional references rewritten
// in condRefs (reference → "Type/id").
func conditionsOf(ops []*txOp, condRefs map[string]string) []condition {
	var cs []condition
	for _, op := range ops {
		switch {
		case op.method == "POST" && op.req.IfNoneExist != "":
			want := ""
			if op.matched != nil {
				want = op.matched.ID
			}
			cs = append(cs, condition{op.typ, op.req.IfNoneExist, want, op.index})
		case op.method == "PUT" && op.condPut:
			cs = append(cs, condition{op.typ, op.query, op.condMatch, op.index})
		}
	}
	for ref, to := range condRefs {
		typ, query, _ := strings.Cut(ref, "?")
		_, id, _ := strings.Cut(to, "/")
		cs = append(cs, condition{typ, query, id, -1})
	}
	// One order for everyone: lock waits cannot form a cycle.
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].typ != cs[j].typ {
			return cs[i].typ < cs[j].typ
		}
		return cs[i].query < cs[j].query
	})
	return cs
}

// recheck searches every condition again inside tx.
func (s *server) recheck(ctx context.Context, tx store.Tx, cs []condition) error {
	for _, c := range cs {
		found, err := s.match(ctx, tx, c.typ, c.query)
		if err != nil {
			return err
		}
		got := ""
		switch len(found) {
		case 0:
		case 1:
			got = found[0].ID
		default:
			if c.at >= 0 {
				return atEntry(multiple(c.typ, c.query), c.at)
			}
			return multiple(c.typ, c.query)
		}
		if got != c.want {
			return errConditionsChanged
		}
	}
	return nil
}

// runTransaction runs the transaction, again from the start (with fresh
// ids) when a condition changed under it.
func (s *server) runTransaction(ctx context.Context, ops []*txOp, rep bool) (*result, error) {
	orig := make([]txOp, len(ops))
	for i, op := range ops {
		orig[i] = *op
	}
	for attempt := 1; ; attempt++ {
		res, err := s.runTransactionOnce(ctx, ops, rep)
		if !errors.Is(err, errConditionsChanged) {
			return res, err
		}
		if attempt == txAttempts {
			return nil, &fhir.Error{Kind: fhir.KindConflict, Err: err,
				Msg: "the resources matched by the transaction's conditions kept changing; retry / điều kiện của giao dịch liên tục thay đổi, hãy thử lại"}
		}
		for i := range ops {
			*ops[i] = orig[i]
		}
	}
}
