package store

import (
	"context"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
)

// Store is a versioned FHIR resource store.
//
// Errors are *fhir.Error values of kind NotFound, Gone, Conflict,
// Precondition or Invalid where the caller did something wrong; anything
// else is an internal failure. All methods are safe for concurrent use.
type Store interface {
	Reader
	// Update runs fn in one read-write database transaction and commits it
	// if and only if fn returns nil; nothing fn wrote is visible to others
	// before the commit, and nothing at all survives a non-nil return or a
	// crash before commit. The Tx must not be used after fn returns.
	Update(ctx context.Context, fn func(tx Tx) error) error
	// Close releases the database. Calls after Close fail.
	Close() error
}

// Reader is the read side of the store. Inside Update it reads the
// transaction's own writes.
type Reader interface {
	// Read returns the current version. A deleted resource yields a
	// KindGone error together with the delete version (Resource.Deleted).
	Read(ctx context.Context, typ, id string) (*fhir.Resource, error)
	// VRead returns one version (KindNotFound if absent).
	VRead(ctx context.Context, typ, id string, version int64) (*fhir.Resource, error)
	// History lists versions newest first.
	History(ctx context.Context, q HistoryQuery) (*Page, error)
	// Search runs a parsed query over current, non-deleted versions.
	Search(ctx context.Context, q *search.Query) (*Page, error)
}

// Tx is a read-write transaction.
type Tx interface {
	Reader
	// Put stores a new version of w.Type/w.ID (version 1 when absent or
	// deleted-then-recreated continues the version sequence). It sets
	// meta.versionId and meta.lastUpdated in the stored JSON and returns the
	// stored version. With w.IfMatch > 0 and a different current version it
	// fails with KindPrecondition; with w.CreateOnly and an existing
	// resource, KindConflict.
	Put(ctx context.Context, w Write) (*fhir.Resource, error)
	// Delete records a delete version. Deleting an absent or already
	// deleted resource is not an error and returns (nil, nil).
	Delete(ctx context.Context, typ, id string, ifMatch int64) (*fhir.Resource, error)
}

// Write is one resource version to store, with its index entries computed
// by the caller (outside the database transaction, to keep it short).
type Write struct {
	Type, ID   string
	JSON       []byte // the resource body; meta.versionId/lastUpdated are set by the store
	Index      search.Indexed
	IfMatch    int64 // 0: no version check
	CreateOnly bool
}

// HistoryQuery selects versions for the history interactions.
type HistoryQuery struct {
	Type   string    // "" for system history
	ID     string    // "" for type history
	Since  time.Time // _since (zero: none)
	At     time.Time // _at: the versions current at that instant (zero: none)
	Count  int       // page size; 0: backend default
	Cursor string    // from Page.Next
}

// Page is one page of search or history results.
type Page struct {
	Resources []*fhir.Resource
	// Included are resources added by _include/_revinclude (search mode "include").
	Included []*fhir.Resource
	Total    int    // -1 when not computed
	Next     string // cursor of the next page; "" on the last page
	Prev     string // cursor of the previous page; "" on the first page
}
