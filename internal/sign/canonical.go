package sign

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrMalformed is returned (wrapped) for input that is not a JSON object.
var ErrMalformed = errors.New("malformed JSON")

// Canonical returns the canonical form of a FHIR resource that Sen signs:
// the resource with meta.versionId and meta.lastUpdated removed (they
// change when an unchanged resource is stored again, which must not break
// its signature; an emptied meta is dropped too) serialised by RFC 8785
// (JSON Canonicalization Scheme): object members sorted by their UTF-16
// code units, no insignificant whitespace, numbers in the ECMAScript
// shortest form and strings with the minimal escapes.
//
// https://www.rfc-editor.org/rfc/rfc8785
func Canonical(resource []byte) ([]byte, error) {
	v, err := decode(resource)
	if err != nil {
		return nil, err
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("canonical form: the resource is not a JSON object: %w", ErrMalformed)
	}
	if meta, ok := obj["meta"].(map[string]any); ok {
		delete(meta, "versionId")
		delete(meta, "lastUpdated")
		if len(meta) == 0 {
			delete(obj, "meta")
		}
	}
	var b bytes.Buffer
	if err := writeJCS(&b, obj); err != nil {
		return nil, fmt.Errorf("canonical form: %w", err)
	}
	return b.Bytes(), nil
}

// CanonicalJSON serialises any JSON document by RFC 8785 without removing
// anything.
func CanonicalJSON(doc []byte) ([]byte, error) {
	v, err := decode(doc)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := writeJCS(&b, v); err != nil {
		return nil, fmt.Errorf("canonical JSON: %w", err)
	}
	return b.Bytes(), nil
}

// decode parses one JSON value keeping numbers as written, and rejects
// trailing data and duplicate member names (RFC 8785 §3.1 requires I-JSON).
func decode(doc []byte) (any, error) {
	if !utf8.Valid(doc) {
		return nil, fmt.Errorf("canonical form: invalid UTF-8: %w", ErrMalformed)
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, fmt.Errorf("canonical form: %v: %w", err, ErrMalformed)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("canonical form: data after the JSON value: %w", ErrMalformed)
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := map[string]any{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				if _, dup := obj[k]; dup {
					return nil, fmt.Errorf("duplicate member %q", k)
				}
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				obj[k] = v
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return obj, nil
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return arr, nil
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return t, nil
	}
}

func writeJCS(b *bytes.Buffer, v any) error {
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case json.Number:
		s, err := formatNumber(string(t))
		if err != nil {
			return err
		}
		b.WriteString(s)
	case string:
		writeString(b, t)
	case []any:
		b.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeJCS(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return lessUTF16(keys[i], keys[j]) })
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			if err := writeJCS(b, t[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	default:
		return fmt.Errorf("unsupported JSON value %T", v)
	}
	return nil
}

// lessUTF16 orders member names by UTF-16 code units (RFC 8785 §3.2.3),
// which differs from byte order for characters above U+FFFF.
func lessUTF16(a, b string) bool {
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return ua[i] < ub[i]
		}
	}
	return len(ua) < len(ub)
}

// writeString writes s with the escapes RFC 8785 §3.2.2.2 prescribes:
// the two-character forms for \b \t \n \f \r " \, \u00xx (lower-case hex)
// for other control characters, and everything else as UTF-8.
func writeString(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\t':
			b.WriteString(`\t`)
		case '\n':
			b.WriteString(`\n`)
		case '\f':
			b.WriteString(`\f`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if r < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(hex[r>>4])
				b.WriteByte(hex[r&0xf])
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// formatNumber renders a JSON number as ECMAScript's Number.prototype.
// toString does (RFC 8785 §3.2.2.3): shortest round-trip digits, plain
// notation for 1e-6 <= |x| < 1e21, otherwise exponent form without a
// leading zero in the exponent. FHIR decimals lose trailing zeros here;
// that is the scheme's choice and the same on both sides of a signature.
func formatNumber(s string) (string, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return "", fmt.Errorf("number %s cannot be represented as an IEEE double", s)
	}
	if f == 0 {
		return "0", nil
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	format := byte('e')
	if f >= 1e-6 && f < 1e21 {
		format = 'f'
	}
	out := strconv.FormatFloat(f, format, -1, 64)
	if i := strings.IndexByte(out, 'e'); i > 0 && i+2 < len(out) && out[i+2] == '0' {
		out = out[:i+2] + out[i+3:] // Go writes e+09, ECMAScript e+9
	}
	return sign + out, nil
}
