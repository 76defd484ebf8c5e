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

// ScanReferences calls fn for the value of every "reference" member of
// body (at any depth) that is a string: body[start:end] is the JSON string,
// quotes included, and escaped tells whether it holds escapes. A member
// name is recognised by the colon after it, which a string value cannot
// have. It stops at fn's first error.
func ScanReferences(body []byte, fn func(start, end int, escaped bool) error) error {
	for i := 0; ; {
		k := IndexReferenceKey(body, i)
		if k < 0 {
			return nil
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
			return fmt.Errorf("%w: unterminated", ErrMalformed)
		}
		i = end + 1
		if err := fn(j, end+1, escaped); err != nil {
			return err
		}
	}
}

// Unquote returns the value of the JSON string s (quotes included).
func Unquote(s []byte, escaped bool) (string, error) {
	if !escaped {
		return string(s[1 : len(s)-1]), nil
	}
	var v string
	if err := json.Unmarshal(s, &v); err != nil {
		return "", fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return v, nil
}

// RewriteReferences returns body with the value of every "reference"
// member (at any depth) replaced by resolve's answer, all other bytes as
// they were. It scans the raw JSON instead of decoding it; body is returned
// unchanged (not copied) when nothing changes. Errors from resolve are
// returned as they are.
func RewriteReferences(body []byte, resolve func(string) (string, error)) ([]byte, error) {
	var out []byte
	last := 0
	err := ScanReferences(body, func(start, end int, escaped bool) error {
		ref, err := Unquote(body[start:end], escaped)
		if err != nil {
			return err
		}
		to, err := resolve(ref)
		if err != nil || to == ref {
			return err
		}
		q, _ := json.Marshal(to)
		out = append(out, body[last:start]...)
		out = append(out, q...)
		last = end
		return nil
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return body, nil
	}
	return append(out, body[last:]...), nil
}
