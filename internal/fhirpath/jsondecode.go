package fhirpath

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// decodeJSON is a small JSON reader producing the same tree as
// encoding/json with UseNumber (map[string]any, []any, string,
// json.Number, bool, nil). It exists because decoding is most of the cost
// of search indexing and the reflective decoder is several times slower.

const maxJSONDepth = 512

type jsonReader struct {
	b   []byte
	i   int
	dep int
}

func decodeJSONValue(data []byte) (any, error) {
	r := jsonReader{b: data}
	r.space()
	v, err := r.value()
	if err != nil {
		return nil, err
	}
	r.space()
	if r.i != len(r.b) {
		return nil, r.errf("trailing data after value")
	}
	return v, nil
}

func (r *jsonReader) errf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", r.i, fmt.Sprintf(format, args...))
}

func (r *jsonReader) space() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

func (r *jsonReader) value() (any, error) {
	if r.i >= len(r.b) {
		return nil, r.errf("unexpected end of JSON")
	}
	switch c := r.b[r.i]; {
	case c == '{':
		return r.object()
	case c == '[':
		return r.array()
	case c == '"':
		return r.str()
	case c == 't':
		return r.literal("true", true)
	case c == 'f':
		return r.literal("false", false)
	case c == 'n':
		return r.literal("null", nil)
	case c == '-' || (c >= '0' && c <= '9'):
		return r.number()
	default:
		return nil, r.errf("unexpected character %q", c)
	}
}

func (r *jsonReader) literal(word string, v any) (any, error) {
	if len(r.b)-r.i < len(word) || string(r.b[r.i:r.i+len(word)]) != word {
		return nil, r.errf("invalid literal")
	}
	r.i += len(word)
	return v, nil
}

func (r *jsonReader) object() (any, error) {
	r.dep++
	if r.dep > maxJSONDepth {
		return nil, r.errf("JSON nested too deeply")
	}
	r.i++ // {
	m := make(map[string]any, 8)
	r.space()
	if r.i < len(r.b) && r.b[r.i] == '}' {
		r.i++
		r.dep--
		return m, nil
	}
	for {
		r.space()
		if r.i >= len(r.b) || r.b[r.i] != '"' {
			return nil, r.errf("expected object key")
		}
		k, err := r.str()
		if err != nil {
			return nil, err
		}
		r.space()
		if r.i >= len(r.b) || r.b[r.i] != ':' {
			return nil, r.errf("expected ':'")
		}
		r.i++
		r.space()
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		m[k] = v
		r.space()
		if r.i >= len(r.b) {
			return nil, r.errf("unterminated object")
		}
		if r.b[r.i] == ',' {
			r.i++
			continue
		}
		if r.b[r.i] == '}' {
			r.i++
			r.dep--
			return m, nil
		}
		return nil, r.errf("expected ',' or '}'")
	}
}

func (r *jsonReader) array() (any, error) {
	r.dep++
	if r.dep > maxJSONDepth {
		return nil, r.errf("JSON nested too deeply")
	}
	r.i++ // [
	a := make([]any, 0, 4)
	r.space()
	if r.i < len(r.b) && r.b[r.i] == ']' {
		r.i++
		r.dep--
		return a, nil
	}
	for {
		r.space()
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		r.space()
		if r.i >= len(r.b) {
			return nil, r.errf("unterminated array")
		}
		if r.b[r.i] == ',' {
			r.i++
			continue
		}
		if r.b[r.i] == ']' {
			r.i++
			r.dep--
			return a, nil
		}
		return nil, r.errf("expected ',' or ']'")
	}
}

func (r *jsonReader) number() (any, error) {
	start := r.i
	if r.b[r.i] == '-' {
		r.i++
	}
	digits := func() int {
		s := r.i
		for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
			r.i++
		}
		return r.i - s
	}
	n := digits()
	if n == 0 || (n > 1 && r.b[r.i-n] == '0') {
		return nil, r.errf("invalid number")
	}
	if r.i < len(r.b) && r.b[r.i] == '.' {
		r.i++
		if digits() == 0 {
			return nil, r.errf("invalid number")
		}
	}
	if r.i < len(r.b) && (r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		r.i++
		if r.i < len(r.b) && (r.b[r.i] == '+' || r.b[r.i] == '-') {
			r.i++
		}
		if digits() == 0 {
			return nil, r.errf("invalid number")
		}
	}
	return json.Number(r.b[start:r.i]), nil
}

func (r *jsonReader) str() (string, error) {
	r.i++ // opening quote
	start := r.i
	// Fast path: no escapes.
	for r.i < len(r.b) {
		c := r.b[r.i]
		if c == '"' {
			s := string(r.b[start:r.i])
			r.i++
			return s, nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", r.errf("control character in string")
		}
		r.i++
	}
	buf := append([]byte(nil), r.b[start:r.i]...)
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			r.i++
			if !utf8.Valid(buf) {
				return string([]rune(string(buf))), nil
			}
			return string(buf), nil
		case c < 0x20:
			return "", r.errf("control character in string")
		case c != '\\':
			buf = append(buf, c)
			r.i++
			continue
		}
		r.i++
		if r.i >= len(r.b) {
			break
		}
		e := r.b[r.i]
		r.i++
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			ru, ok := r.hex4()
			if !ok {
				return "", r.errf("invalid \\u escape")
			}
			if utf16.IsSurrogate(ru) {
				if r.i+6 <= len(r.b) && r.b[r.i] == '\\' && r.b[r.i+1] == 'u' {
					r.i += 2
					lo, ok := r.hex4()
					if !ok {
						return "", r.errf("invalid \\u escape")
					}
					ru = utf16.DecodeRune(ru, lo)
				} else {
					ru = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, ru)
		default:
			return "", r.errf("invalid escape \\%c", e)
		}
	}
	return "", r.errf("unterminated string")
}

func (r *jsonReader) hex4() (rune, bool) {
	if r.i+4 > len(r.b) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(r.b[r.i:r.i+4]), 16, 32)
	if err != nil {
		return 0, false
	}
	r.i += 4
	return rune(n), true
}
