package view

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
)

type csvWriter struct {
	w    *csv.Writer
	cell []string
}

func newCSVWriter(out io.Writer, cols []Column) (*csvWriter, error) {
	w := &csvWriter{w: csv.NewWriter(out), cell: make([]string, len(cols))}
	for i, c := range cols {
		w.cell[i] = c.Name
	}
	if err := w.w.Write(w.cell); err != nil {
		return nil, fmt.Errorf("view: write CSV header: %w", err)
	}
	return w, nil
}

func (w *csvWriter) Write(row []any) error {
	if len(row) != len(w.cell) {
		return fmt.Errorf("view: CSV row has %d cells, want %d", len(row), len(w.cell))
	}
	for i, v := range row {
		s, err := textValue(v)
		if err != nil {
			return err
		}
		w.cell[i] = s
	}
	if err := w.w.Write(w.cell); err != nil {
		return fmt.Errorf("view: write CSV: %w", err)
	}
	return nil
}

func (w *csvWriter) Close() error {
	w.w.Flush()
	if err := w.w.Error(); err != nil {
		return fmt.Errorf("view: write CSV: %w", err)
	}
	return nil
}

// jsonWriter writes rows as JSON objects whose keys follow the column
// order (a map would sort them), either one per line or inside an array.
type jsonWriter struct {
	w     *bufio.Writer
	keys  [][]byte // `"name":` per column, pre-encoded
	array bool
	n     int
}

func newJSONWriter(out io.Writer, cols []Column, array bool) *jsonWriter {
	w := &jsonWriter{w: bufio.NewWriterSize(out, 64<<10), array: array}
	for _, c := range cols {
		k, _ := json.Marshal(c.Name)
		w.keys = append(w.keys, append(k, ':'))
	}
	return w
}

func (w *jsonWriter) Write(row []any) error {
	if len(row) != len(w.keys) {
		return fmt.Errorf("view: JSON row has %d cells, want %d", len(row), len(w.keys))
	}
	switch {
	case w.array && w.n == 0:
		w.w.WriteByte('[')
	case w.array:
		w.w.WriteByte(',')
	}
	w.n++
	w.w.WriteByte('{')
	for i, v := range row {
		if i > 0 {
			w.w.WriteByte(',')
		}
		w.w.Write(w.keys[i])
		if err := writeJSONValue(w.w, v); err != nil {
			return err
		}
	}
	w.w.WriteByte('}')
	if !w.array {
		w.w.WriteByte('\n')
	}
	return nil
}

func writeJSONValue(w *bufio.Writer, v any) error {
	switch x := v.(type) {
	case nil:
		w.WriteString("null")
		return nil
	case json.Number:
		w.WriteString(string(x))
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("view: encode %T cell: %w", v, err)
	}
	_, err = w.Write(b)
	return err
}

func (w *jsonWriter) Close() error {
	if w.array {
		if w.n == 0 {
			w.w.WriteByte('[')
		}
		w.w.WriteString("]\n")
	}
	if err := w.w.Flush(); err != nil {
		return fmt.Errorf("view: write JSON: %w", err)
	}
	return nil
}
