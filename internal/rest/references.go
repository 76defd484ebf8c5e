package rest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// rewriteRefs copies a JSON document, passing every string value of a
// "reference" property (at any depth: contained resources, extensions,
// backbone elements) through fn. Member order and all other values are kept.
func rewriteRefs(body []byte, fn func(ref string) (string, error)) ([]byte, error) {
	if !bytes.Contains(body, []byte(`"reference"`)) {
		return body, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var buf bytes.Buffer
	buf.Grow(len(body) + 64)
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	w := &refWriter{dec: dec, buf: &buf, enc: enc, fn: fn}
	if err := w.value(""); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("malformed JSON: data after the resource")
	}
	return buf.Bytes(), nil
}

type refWriter struct {
	dec *json.Decoder
	buf *bytes.Buffer
	enc *json.Encoder
	fn  func(string) (string, error)
}

func (w *refWriter) str(s string) {
	_ = w.enc.Encode(s) // a string always encodes
	w.buf.Truncate(w.buf.Len() - 1)
}

func (w *refWriter) value(key string) error {
	tok, err := w.dec.Token()
	if err != nil {
		return fmt.Errorf("malformed JSON: %w", err)
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			w.buf.WriteByte('{')
			for i := 0; w.dec.More(); i++ {
				kt, err := w.dec.Token()
				if err != nil {
					return fmt.Errorf("malformed JSON: %w", err)
				}
				k, _ := kt.(string)
				if i > 0 {
					w.buf.WriteByte(',')
				}
				w.str(k)
				w.buf.WriteByte(':')
				if err := w.value(k); err != nil {
					return err
				}
			}
			w.buf.WriteByte('}')
		case '[':
			w.buf.WriteByte('[')
			for i := 0; w.dec.More(); i++ {
				if i > 0 {
					w.buf.WriteByte(',')
				}
				if err := w.value(key); err != nil {
					return err
				}
			}
			w.buf.WriteByte(']')
		}
		if _, err := w.dec.Token(); err != nil { // the closing delimiter
			return fmt.Errorf("malformed JSON: %w", err)
		}
	case string:
		if key == "reference" {
			if t, err = w.fn(t); err != nil {
				return err
			}
		}
		w.str(t)
	case json.Number:
		w.buf.WriteString(t.String())
	case bool:
		if t {
			w.buf.WriteString("true")
		} else {
			w.buf.WriteString("false")
		}
	case nil:
		w.buf.WriteString("null")
	}
	return nil
}
