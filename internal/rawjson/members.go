package rawjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Member is one key/value of a JSON object; [Start, End) spans the value.
type Member struct {
	Key        string
	Start, End int
}

// Members lists the members of the object starting at b[start] == '{', in
// source order.
func Members(b []byte, start int) ([]Member, error) {
	if start >= len(b) || b[start] != '{' {
		return nil, errors.New("malformed JSON: not an object")
	}
	var out []Member
	i := SkipWS(b, start+1)
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
		i = SkipWS(b, ke)
		if i >= len(b) || b[i] != ':' {
			return nil, errors.New("malformed JSON object: expected ':'")
		}
		vs := SkipWS(b, i+1)
		ve, err := SkipValue(b, vs)
		if err != nil {
			return nil, err
		}
		out = append(out, Member{key, vs, ve})
		i = SkipWS(b, ve)
		if i >= len(b) {
			return nil, errors.New("malformed JSON object: unexpected end")
		}
		if b[i] == '}' {
			return out, nil
		}
		if b[i] != ',' {
			return nil, errors.New("malformed JSON object: expected ',' or '}'")
		}
		i = SkipWS(b, i+1)
	}
}

// SkipWS returns the index of the first non-space byte at or after i.
func SkipWS(b []byte, i int) int {
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

// SkipValue returns the index after the value starting at b[i]. Nested
// containers are matched by bracket depth only.
func SkipValue(b []byte, i int) (int, error) {
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

// Elements lists the [start, end) spans of the elements of the array
// starting at b[start] == '['.
func Elements(b []byte, start int) ([][2]int, error) {
	if start >= len(b) || b[start] != '[' {
		return nil, errors.New("malformed JSON: not an array")
	}
	var out [][2]int
	i := SkipWS(b, start+1)
	if i < len(b) && b[i] == ']' {
		return out, nil
	}
	for {
		e, err := SkipValue(b, i)
		if err != nil {
			return nil, err
		}
		out = append(out, [2]int{i, e})
		i = SkipWS(b, e)
		if i >= len(b) {
			return nil, errors.New("malformed JSON array: unexpected end")
		}
		if b[i] == ']' {
			return out, nil
		}
		if b[i] != ',' {
			return nil, errors.New("malformed JSON array: expected ',' or ']'")
		}
		i = SkipWS(b, i+1)
	}
}
