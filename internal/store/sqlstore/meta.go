package sqlstore

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sen-emr/sen/internal/rawjson"
)

// formatInstant renders a FHIR instant with microsecond precision (the
// precision the databases keep), so meta.lastUpdated and _lastUpdated agree.
func formatInstant(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// setMeta returns body with meta.versionId and meta.lastUpdated set,
// leaving every other byte as it was: existing values are replaced in
// place, missing members are inserted, and a missing meta object is
// inserted after "id" (or "resourceType"), where FHIR JSON puts it.
func setMeta(body []byte, version int64, ts time.Time) ([]byte, error) {
	vid := strconv.AppendQuote(nil, strconv.FormatInt(version, 10))
	lu := strconv.AppendQuote(nil, formatInstant(ts))

	start := rawjson.SkipWS(body, 0)
	if start >= len(body) || body[start] != '{' {
		return nil, errors.New("the resource is not a JSON object")
	}
	top, err := rawjson.Members(body, start)
	if err != nil {
		return nil, err
	}
	var after = start + 1 // insertion point for a new meta member
	insertComma := false
	for _, m := range top {
		switch m.Key {
		case "meta":
			if body[m.Start] != '{' {
				return nil, errors.New("meta is not a JSON object")
			}
			return patchMetaObject(body, m.Start, vid, lu)
		case "resourceType", "id":
			after = m.End
			insertComma = true
		}
	}
	obj := make([]byte, 0, len(vid)+len(lu)+40)
	obj = append(obj, `"meta":{"versionId":`...)
	obj = append(obj, vid...)
	obj = append(obj, `,"lastUpdated":`...)
	obj = append(obj, lu...)
	obj = append(obj, '}')
	var ins []byte
	switch {
	case insertComma:
		ins = append([]byte{','}, obj...)
	case len(top) > 0:
		ins = append(obj, ',')
	default:
		ins = obj
	}
	return splice(body, after, after, ins), nil
}

// patchMetaObject sets the two members inside the meta object starting at os.
func patchMetaObject(body []byte, os int, vid, lu []byte) ([]byte, error) {
	ms, err := rawjson.Members(body, os)
	if err != nil {
		return nil, fmt.Errorf("meta: %w", err)
	}
	type edit struct {
		s, e int
		b    []byte
	}
	var edits []edit
	var haveV, haveL bool
	for _, m := range ms {
		switch m.Key {
		case "versionId":
			edits = append(edits, edit{m.Start, m.End, vid})
			haveV = true
		case "lastUpdated":
			edits = append(edits, edit{m.Start, m.End, lu})
			haveL = true
		}
	}
	var ins []byte
	if !haveV {
		ins = append(append(ins, `"versionId":`...), vid...)
	}
	if !haveL {
		if len(ins) > 0 {
			ins = append(ins, ',')
		}
		ins = append(append(ins, `"lastUpdated":`...), lu...)
	}
	if len(ins) > 0 {
		if len(ms) > 0 {
			ins = append(ins, ',')
		}
		edits = append([]edit{{os + 1, os + 1, ins}}, edits...)
	}
	// edits are in ascending position order except possibly the two
	// replacements; sort the (at most three) edits.
	for i := 1; i < len(edits); i++ {
		for j := i; j > 0 && edits[j].s < edits[j-1].s; j-- {
			edits[j], edits[j-1] = edits[j-1], edits[j]
		}
	}
	out := make([]byte, 0, len(body)+64)
	prev := 0
	for _, e := range edits {
		out = append(out, body[prev:e.s]...)
		out = append(out, e.b...)
		prev = e.e
	}
	return append(out, body[prev:]...), nil
}

func splice(b []byte, s, e int, ins []byte) []byte {
	out := make([]byte, 0, len(b)+len(ins))
	out = append(out, b[:s]...)
	out = append(out, ins...)
	return append(out, b[e:]...)
}
