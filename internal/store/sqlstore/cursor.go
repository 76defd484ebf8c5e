package sqlstore

import (
	"encoding/base64"
	"encoding/json"
	"hash/fnv"

	"github.com/sen-emr/sen/internal/fhir"
)

// cursor is the decoded form of Page.Next/Prev. It is opaque to clients:
// base64url JSON, bound to the query it came from by a fingerprint.
type cursor struct {
	// Search: keyset position (sort key values and rid of the boundary row)
	// and the snapshot bound: only resources with rid <= Asof, i.e. that
	// existed when the first page was read, are paged over.
	Keys []string `json:"k,omitempty"`
	Rid  int64    `json:"r,omitempty"`
	Asof int64    `json:"a,omitempty"`
	// History: the boundary row's seq and the snapshot bound on seq.
	Seq    int64 `json:"s,omitempty"`
	MaxSeq int64 `json:"m,omitempty"`
	// Back is set on a Prev cursor: the page before the boundary.
	Back  bool   `json:"b,omitempty"`
	Total int    `json:"t"`
	FP    uint64 `json:"f"`
}

func (c *cursor) encode() string {
	b, _ := json.Marshal(c) // cannot fail: plain fields
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses s, rejecting cursors of another query.
func decodeCursor(s string, fp uint64) (*cursor, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, fhir.Errorf(fhir.KindInvalid, "the paging cursor is malformed")
	}
	var c cursor
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fhir.Errorf(fhir.KindInvalid, "the paging cursor is malformed")
	}
	if c.FP != fp {
		return nil, fhir.Errorf(fhir.KindInvalid, "the paging cursor belongs to another query")
	}
	return &c, nil
}

// fingerprint hashes the parts of a request a cursor depends on.
func fingerprint(parts ...any) uint64 {
	h := fnv.New64a()
	b, _ := json.Marshal(parts) // cannot fail: query values are plain data
	h.Write(b)
	return h.Sum64() >> 11 // fits a JSON number exactly
}
