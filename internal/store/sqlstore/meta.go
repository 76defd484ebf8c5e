package sqlstore

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
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

	start := skipWS(body, 0)
	if start >= len(body) || body[start] != '{' {
		return nil, errors.New("the resource is not a JSON object")
	}
	top, err := members(body, start)
	if err != nil {
		return nil, err
	}
	var after = start + 1 // insertion point for a new meta member
	insertComma := false
	for _, m := range top {
		switch m.key {
		case "meta":
			if body[m.vs] != '{' {
				return nil, errors.New("meta is not a JSON object")
			}
			return patchMetaObject(body, m.vs, vid, lu)
		case "resourceType", "id":
			after = m.ve
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
	ms, err := members(body, os)
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
		switch m.key {
		case "versionId":
			edits = append(edits, edit{m.vs, m.ve, vid})
			haveV = true
		case "lastUpdated":
			edits = append(edits, edit{m.vs, m.ve, lu})
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

// member is one key/value of a JSON object; [vs, ve) spans the value.
type member struct {
	key    string
	vs, ve int
}

// members lists the members of the object starting at b[os] == '{'.
func members(b []byte, os int) ([]member, error) {
	var out []member
	i := skipWS(b, os+1)
	if i < len(b) && b[i] == '}' {
		return out, nil
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return nil, errors.New("malformed JSON object: expected a member name")
		}
		ke, err := skipString(b, i)
		if err != nil {
			return nil, err
		}
		var key string
		if bytes.IndexByte(b[i:ke], '\\') >= 0 {
			if err := json.Unmarshal(b[i:ke], &key); err != nil {
				return nil, fmt.Errorf("malformed member name: %w", err)
			}
		} else {
			key = string(b[i+1 : ke-1])
		}
		i = skipWS(b, ke)
		if i >= len(b) || b[i] != ':' {
			return nil, errors.New("malformed JSON object: expected ':'")
		}
		vs := skipWS(b, i+1)
		ve, err := skipValue(b, vs)
		if err != nil {
			return nil, err
		}
		out = append(out, member{key, vs, ve})
		i = skipWS(b, ve)
		if i >= len(b) {
			return nil, errors.New("malformed JSON object: unexpected end")
		}
		if b[i] == '}' {
			return out, nil
		}
		if b[i] != ',' {
			return nil, errors.New("malformed JSON object: expected ',' or '}'")
		}
		i = skipWS(b, i+1)
	}
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) (int, error) {
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, nil
		}
	}
	return 0, errors.New("malformed JSON: unterminated string")
}

// skipValue returns the index after the value starting at b[i]. Nested
// containers are matched by bracket depth; full validation is json.Valid's.
func skipValue(b []byte, i int) (int, error) {
	if i >= len(b) {
		return 0, errors.New("malformed JSON: missing value")
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				e, err := skipString(b, j)
				if err != nil {
					return 0, err
				}
				j = e - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			}
		}
		return 0, errors.New("malformed JSON: unterminated container")
	}
	j := i
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' && b[j] != '\n' && b[j] != '\r' && b[j] != '\t' {
		j++
	}
	if j == i {
		return 0, errors.New("malformed JSON: missing value")
	}
	return j, nil
}
