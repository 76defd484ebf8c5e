package audit

import (
	"context"
	"fmt"
	"sort"

	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// Problem is one break in the chain.
type Problem struct {
	Seq  int64  // the sequence number concerned (0 when unknown)
	ID   string // AuditEvent id, when there is one
	Kind string // altered | missing | duplicate | unchained | truncated | modified
	Msg  string
}

func (p Problem) String() string {
	if p.ID != "" {
		return fmt.Sprintf("#%d AuditEvent/%s: %s: %s", p.Seq, p.ID, p.Kind, p.Msg)
	}
	return fmt.Sprintf("#%d: %s: %s", p.Seq, p.Kind, p.Msg)
}

// Report is the result of Verify.
type Report struct {
	Events   int  // AuditEvents read
	Head     Head // the newest link found in the store
	Problems []Problem
}

// OK reports whether the chain is intact.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

type chained struct {
	seq     int64
	prev    string
	hash    string
	id      string
	version int64
}

// Verify reads every AuditEvent in r and checks the chain: sequence numbers
// 1..n without gaps or repeats (a gap is a deleted event), each event's
// previousHash equal to the hash of the one before (otherwise that one was
// altered), every event at version 1 (an update is an alteration even when
// the content was put back) and, when anchor is given, the newest event
// equal to the anchored head (otherwise the newest events were removed or
// rewritten). AuditEvents without the chain extension were not written by
// Sen's audit writer and are reported as unchained.
func Verify(ctx context.Context, r store.Reader, anchor *Head) (*Report, error) {
	rep := &Report{}
	var links []chained
	cursor := ""
	for {
		page, err := r.Search(ctx, &search.Query{Type: "AuditEvent", Count: 1000, Cursor: cursor})
		if err != nil {
			return nil, fmt.Errorf("read AuditEvents: %w", err)
		}
		for _, res := range page.Resources {
			rep.Events++
			l, err := readLink(res.JSON)
			if err != nil {
				rep.Problems = append(rep.Problems, Problem{ID: res.ID, Kind: "altered", Msg: "not a readable AuditEvent"})
				continue
			}
			if !l.Chained {
				rep.Problems = append(rep.Problems, Problem{ID: res.ID, Kind: "unchained", Msg: "AuditEvent without the chain extension (not written by Sen's audit writer)"})
				continue
			}
			h, err := Hash(res.JSON)
			if err != nil {
				return nil, err
			}
			links = append(links, chained{seq: l.Seq, prev: l.Previous, hash: h, id: res.ID, version: res.VersionID})
		}
		if page.Next == "" {
			break
		}
		cursor = page.Next
	}
	sort.Slice(links, func(i, j int) bool { return links[i].seq < links[j].seq })
	want := int64(1)
	var prev *chained
	for i := range links {
		l := &links[i]
		if l.version != 1 {
			rep.Problems = append(rep.Problems, Problem{Seq: l.seq, ID: l.id, Kind: "modified", Msg: fmt.Sprintf("stored at version %d: audit events are never updated", l.version)})
		}
		switch {
		case prev != nil && l.seq == prev.seq:
			rep.Problems = append(rep.Problems, Problem{Seq: l.seq, ID: l.id, Kind: "duplicate", Msg: "two events share this sequence number"})
			continue
		case l.seq > want:
			rep.Problems = append(rep.Problems, Problem{Seq: want, Kind: "missing", Msg: fmt.Sprintf("events %d..%d are missing (deleted)", want, l.seq-1)})
			prev = nil // the link to a missing event cannot be checked
		}
		if prev != nil && l.prev != prev.hash {
			rep.Problems = append(rep.Problems, Problem{Seq: prev.seq, ID: prev.id, Kind: "altered", Msg: fmt.Sprintf("hash does not match the previousHash of event %d", l.seq)})
		}
		if l.seq == 1 && l.prev != "" {
			rep.Problems = append(rep.Problems, Problem{Seq: 1, ID: l.id, Kind: "altered", Msg: "the first event must have an empty previousHash"})
		}
		prev = l
		want = l.seq + 1
	}
	if prev != nil {
		rep.Head = Head{Seq: prev.seq, Hash: prev.hash}
	}
	if anchor != nil && anchor.Seq > 0 {
		switch {
		case rep.Head.Seq < anchor.Seq:
			rep.Problems = append(rep.Problems, Problem{Seq: rep.Head.Seq + 1, Kind: "truncated",
				Msg: fmt.Sprintf("the anchor records %d events but the store ends at %d: the newest events were deleted", anchor.Seq, rep.Head.Seq)})
		case rep.Head.Seq == anchor.Seq && rep.Head.Hash != anchor.Hash:
			rep.Problems = append(rep.Problems, Problem{Seq: rep.Head.Seq, ID: prev.id, Kind: "altered", Msg: "the newest event does not match the anchored hash"})
		}
		// A store ahead of the anchor is a crash between commit and anchor
		// write, which the writer repairs; it is not tampering by itself.
	}
	return rep, nil
}
