package view

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/parquet-go/parquet-go"
)

// Parquet columns take their physical type from the column's type hint,
// following the specification's default mapping
// (https://sql-on-fhir.org/ig/latest/StructureDefinition-ViewDefinition.html#default-type-mappings):
// boolean -> BOOLEAN, integer/positiveInt/unsignedInt/integer64 -> INT64,
// everything else (including decimal, kept exact) -> UTF-8 string;
// complex values are JSON text. Collection columns are repeated fields.
// Columns keep the view's order.

type parquetKind int

const (
	pqString parquetKind = iota
	pqBool
	pqInt
)

func parquetKindOf(fhirType string) parquetKind {
	switch fhirType {
	case "boolean":
		return pqBool
	case "integer", "positiveInt", "unsignedInt", "integer64":
		return pqInt
	}
	return pqString
}

type parquetWriter struct {
	w     *parquet.Writer
	cols  []Column
	kinds []parquetKind
	rec   map[string]any
}

// orderedGroup is a parquet group whose fields keep the view's column
// order (parquet.Group sorts them by name).
type orderedGroup struct {
	parquet.Group
	order map[string]int
}

func (g orderedGroup) Fields() []parquet.Field {
	fields := g.Group.Fields()
	out := make([]parquet.Field, len(fields))
	for _, f := range fields {
		out[g.order[f.Name()]] = f
	}
	return out
}

func newParquetWriter(out io.Writer, cols []Column) (*parquetWriter, error) {
	if len(cols) == 0 {
		return nil, fmt.Errorf("view: parquet needs at least one column")
	}
	g := orderedGroup{Group: parquet.Group{}, order: map[string]int{}}
	pw := &parquetWriter{cols: cols, rec: make(map[string]any, len(cols))}
	for i, c := range cols {
		k := parquetKindOf(c.Type)
		pw.kinds = append(pw.kinds, k)
		var leaf parquet.Node
		switch k {
		case pqBool:
			leaf = parquet.Leaf(parquet.BooleanType)
		case pqInt:
			leaf = parquet.Int(64)
		default:
			leaf = parquet.String()
		}
		if c.Collection {
			leaf = parquet.Repeated(leaf)
		} else {
			leaf = parquet.Optional(leaf)
		}
		g.Group[c.Name] = leaf
		g.order[c.Name] = i
	}
	schema := parquet.NewSchema("view", g)
	pw.w = parquet.NewWriter(out, schema)
	return pw, nil
}

func (w *parquetWriter) Write(row []any) error {
	if len(row) != len(w.cols) {
		return fmt.Errorf("view: parquet row has %d cells, want %d", len(row), len(w.cols))
	}
	for i, v := range row {
		c := w.cols[i]
		if c.Collection {
			list, _ := v.([]any)
			vals := make([]any, 0, len(list))
			for _, item := range list {
				x, err := parquetValue(w.kinds[i], item, c.Name)
				if err != nil {
					return err
				}
				if x != nil {
					vals = append(vals, x)
				}
			}
			w.rec[c.Name] = vals
			continue
		}
		x, err := parquetValue(w.kinds[i], v, c.Name)
		if err != nil {
			return err
		}
		w.rec[c.Name] = x
	}
	if err := w.w.Write(w.rec); err != nil {
		return fmt.Errorf("view: write parquet: %w", err)
	}
	return nil
}

// parquetValue converts a cell to the Go value of its parquet column.
func parquetValue(k parquetKind, v any, col string) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case pqBool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case pqInt:
		switch x := v.(type) {
		case int64:
			return x, nil
		case json.Number:
			if i, err := x.Int64(); err == nil {
				return i, nil
			}
		case string:
			if i, err := strconv.ParseInt(x, 10, 64); err == nil {
				return i, nil
			}
		}
	default:
		return textValue(v)
	}
	return nil, fmt.Errorf("view: parquet column %q: value %v (%T) does not fit the column type", col, v, v)
}

func (w *parquetWriter) Close() error {
	if err := w.w.Close(); err != nil {
		return fmt.Errorf("view: close parquet: %w", err)
	}
	return nil
}
