package view

import (
	"encoding/json"
	"fmt"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/sen-emr/sen/internal/fhirpath"
)

// decode reads one resource into the tree fhirpath.DecodeJSON builds
// (map[string]any, []any, string, json.Number, bool, nil), for EvalJSON.
// It is faster in two ways that matter when a view streams a whole store:
//
//   - the body is copied into one string, and string values without
//     escapes are slices of it rather than one allocation each;
//   - top-level elements that no expression of the view can reach (see
//     projection) are checked for well-formedness and skipped, not built.
//     A Synthea Patient carries its narrative, a dozen extensions and
//     identifiers that a demographics view never reads.
//
// Errors are the same as DecodeJSON's for the same input: a body is
// rejected whether or not the broken part is projected away.
func (v *View) decode(body []byte) (fhirpath.Value, error) {
	return v.decodeString(string(body))
}

// decodeString is decode over a body the caller will never modify (the
// decoded strings share its memory).
func (v *View) decodeString(body string) (fhirpath.Value, error) {
	d := decoder{s: body, keep: v.keep}
	d.space()
	if d.i >= len(d.s) || d.s[d.i] != '{' {
		// Not an object: let the FHIRPath decoder build (or reject) it, so
		// Eval reports exactly what it reports for other inputs.
		return fhirpath.DecodeJSON([]byte(body))
	}
	m, err := d.object(true)
	if err != nil {
		return nil, fmt.Errorf("fhirpath: decode JSON: %w", err)
	}
	d.space()
	if d.i != len(d.s) {
		return nil, fmt.Errorf("fhirpath: decode JSON: %w", d.errf("trailing data after value"))
	}
	return fhirpath.NewNode(m, ""), nil
}

// plain marks the bytes a JSON string holds as they are: not the quote,
// not the backslash, not a control character.
var plain = func() (t [256]bool) {
	for c := 0x20; c < 256; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// maxDecodeDepth matches the FHIRPath decoder's nesting limit.
const maxDecodeDepth = 512

type decoder struct {
	s    string
	i    int
	dep  int
	keep *projection // nil: keep every element
}

func (d *decoder) errf(format string, args ...any) error {
	return fmt.Errorf("offset %d: %s", d.i, fmt.Sprintf(format, args...))
}

func (d *decoder) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value decodes one JSON value; skip only checks it.
func (d *decoder) value(skip bool) (any, error) {
	if d.i >= len(d.s) {
		return nil, d.errf("unexpected end of JSON")
	}
	switch c := d.s[d.i]; {
	case c == '{':
		m, err := d.object(false)
		if err != nil || m == nil {
			return nil, err
		}
		return m, nil
	case c == '[':
		return d.array(skip)
	case c == '"':
		s, err := d.str(skip)
		if err != nil || skip {
			return nil, err
		}
		return s, nil
	case c == 't':
		return d.literal("true", true)
	case c == 'f':
		return d.literal("false", false)
	case c == 'n':
		return d.literal("null", nil)
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number(skip)
	default:
		return nil, d.errf("unexpected character %q", c)
	}
}

// skipValue checks one JSON value without building it.
func (d *decoder) skipValue() error {
	if d.i < len(d.s) && d.s[d.i] == '{' {
		return d.skipObject()
	}
	_, err := d.value(true)
	return err
}

func (d *decoder) literal(word string, v any) (any, error) {
	if len(d.s)-d.i < len(word) || d.s[d.i:d.i+len(word)] != word {
		return nil, d.errf("invalid literal")
	}
	d.i += len(word)
	return v, nil
}

// object decodes an object. At the top level (root) it drops the members
// the projection does not keep, after checking them.
func (d *decoder) object(root bool) (map[string]any, error) {
	d.dep++
	if d.dep > maxDecodeDepth {
		return nil, d.errf("JSON nested too deeply")
	}
	d.i++ // {
	m := make(map[string]any, 8)
	d.space()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		d.dep--
		return m, nil
	}
	for {
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			return nil, d.errf("expected object key")
		}
		k, err := d.str(false)
		if err != nil {
			return nil, err
		}
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			return nil, d.errf("expected ':'")
		}
		d.i++
		d.space()
		if root && !d.keep.has(k) {
			if err := d.skipValue(); err != nil {
				return nil, err
			}
		} else {
			v, err := d.value(false)
			if err != nil {
				return nil, err
			}
			m[k] = v
		}
		d.space()
		if d.i >= len(d.s) {
			return nil, d.errf("unterminated object")
		}
		if d.s[d.i] == ',' {
			d.i++
			continue
		}
		if d.s[d.i] == '}' {
			d.i++
			d.dep--
			return m, nil
		}
		return nil, d.errf("expected ',' or '}'")
	}
}

// skipObject checks an object without building it.
func (d *decoder) skipObject() error {
	d.dep++
	if d.dep > maxDecodeDepth {
		return d.errf("JSON nested too deeply")
	}
	d.i++ // {
	d.space()
	if d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
		d.dep--
		return nil
	}
	for {
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != '"' {
			return d.errf("expected object key")
		}
		if _, err := d.str(true); err != nil {
			return err
		}
		d.space()
		if d.i >= len(d.s) || d.s[d.i] != ':' {
			return d.errf("expected ':'")
		}
		d.i++
		d.space()
		if err := d.skipValue(); err != nil {
			return err
		}
		d.space()
		if d.i >= len(d.s) {
			return d.errf("unterminated object")
		}
		if d.s[d.i] == ',' {
			d.i++
			continue
		}
		if d.s[d.i] == '}' {
			d.i++
			d.dep--
			return nil
		}
		return d.errf("expected ',' or '}'")
	}
}

func (d *decoder) array(skip bool) (any, error) {
	d.dep++
	if d.dep > maxDecodeDepth {
		return nil, d.errf("JSON nested too deeply")
	}
	d.i++ // [
	var a []any
	if !skip {
		a = make([]any, 0, 4)
	}
	d.space()
	if d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
		d.dep--
		if skip {
			return nil, nil
		}
		return a, nil
	}
	for {
		d.space()
		if skip {
			if err := d.skipValue(); err != nil {
				return nil, err
			}
		} else {
			v, err := d.value(false)
			if err != nil {
				return nil, err
			}
			a = append(a, v)
		}
		d.space()
		if d.i >= len(d.s) {
			return nil, d.errf("unterminated array")
		}
		if d.s[d.i] == ',' {
			d.i++
			continue
		}
		if d.s[d.i] == ']' {
			d.i++
			d.dep--
			if skip {
				return nil, nil
			}
			return a, nil
		}
		return nil, d.errf("expected ',' or ']'")
	}
}

func (d *decoder) number(skip bool) (any, error) {
	start := d.i
	if d.s[d.i] == '-' {
		d.i++
	}
	digits := func() int {
		s := d.i
		for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
			d.i++
		}
		return d.i - s
	}
	n := digits()
	if n == 0 || (n > 1 && d.s[d.i-n] == '0') {
		return nil, d.errf("invalid number")
	}
	if d.i < len(d.s) && d.s[d.i] == '.' {
		d.i++
		if digits() == 0 {
			return nil, d.errf("invalid number")
		}
	}
	if d.i < len(d.s) && (d.s[d.i] == 'e' || d.s[d.i] == 'E') {
		d.i++
		if d.i < len(d.s) && (d.s[d.i] == '+' || d.s[d.i] == '-') {
			d.i++
		}
		if digits() == 0 {
			return nil, d.errf("invalid number")
		}
	}
	if skip {
		return nil, nil
	}
	return json.Number(d.s[start:d.i]), nil
}

// str reads a string. Without escapes the result is a slice of the body;
// with escapes it is decoded into a new string (invalid UTF-8 becomes
// U+FFFD there, as in the FHIRPath decoder). skip only checks it.
func (d *decoder) str(skip bool) (string, error) {
	d.i++ // opening quote
	start := d.i
	// Fast path: plain characters, then the closing quote.
	i := d.i
	for i < len(d.s) && plain[d.s[i]] {
		i++
	}
	d.i = i
	if i < len(d.s) {
		switch c := d.s[i]; {
		case c == '"':
			d.i++
			return d.s[start:i], nil
		case c < 0x20:
			return "", d.errf("control character in string")
		}
	}
	var buf []byte
	if !skip {
		buf = append(buf, d.s[start:d.i]...)
	}
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			if skip {
				return "", nil
			}
			if !utf8.Valid(buf) {
				return string([]rune(string(buf))), nil
			}
			return string(buf), nil
		case c < 0x20:
			return "", d.errf("control character in string")
		case c != '\\':
			if !skip {
				buf = append(buf, c)
			}
			d.i++
			continue
		}
		d.i++
		if d.i >= len(d.s) {
			break
		}
		e := d.s[d.i]
		d.i++
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
			ru, ok := d.hex4()
			if !ok {
				return "", d.errf("invalid \\u escape")
			}
			if utf16.IsSurrogate(ru) {
				if d.i+6 <= len(d.s) && d.s[d.i] == '\\' && d.s[d.i+1] == 'u' {
					d.i += 2
					lo, ok := d.hex4()
					if !ok {
						return "", d.errf("invalid \\u escape")
					}
					ru = utf16.DecodeRune(ru, lo)
				} else {
					ru = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, ru)
		default:
			return "", d.errf("invalid escape \\%c", e)
		}
	}
	return "", d.errf("unterminated string")
}

func (d *decoder) hex4() (rune, bool) {
	if d.i+4 > len(d.s) {
		return 0, false
	}
	n, err := strconv.ParseUint(d.s[d.i:d.i+4], 16, 32)
	if err != nil {
		return 0, false
	}
	d.i += 4
	return rune(n), true
}
