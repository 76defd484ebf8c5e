package view

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Writer receives the rows of a view in order. Write may keep no reference
// to row after it returns (Eval reuses the slice). Close flushes buffered
// output and finishes the format (closing bracket, Parquet footer); it
// does not close the underlying io.Writer. A Writer is not safe for
// concurrent use.
type Writer interface {
	Write(row []any) error
	Close() error
}

// Formats lists the names NewWriter accepts.
var Formats = []string{"csv", "ndjson", "json", "parquet"}

// NewWriter returns a Writer for format: "csv" (RFC 4180, with a header
// row), "ndjson" (one JSON object per line), "json" (one JSON array of
// objects) or "parquet". Format names are case-insensitive; MIME types
// (text/csv, application/x-ndjson, application/json,
// application/vnd.apache.parquet) are accepted too.
func NewWriter(format string, out io.Writer, cols []Column) (Writer, error) {
	switch strings.ToLower(strings.TrimSpace(format)) {
	case "csv", "text/csv":
		return newCSVWriter(out, cols)
	case "ndjson", "application/x-ndjson", "application/ndjson", "application/fhir+ndjson":
		return newJSONWriter(out, cols, false), nil
	case "json", "application/json":
		return newJSONWriter(out, cols, true), nil
	case "parquet", "application/vnd.apache.parquet", "application/parquet":
		return newParquetWriter(out, cols)
	}
	return nil, fmt.Errorf("view: unknown output format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

// textValue renders a cell for text formats: nil is "", scalars use their
// FHIR string form, and lists and complex values are JSON.
func textValue(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case json.Number:
		return string(x), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("view: encode %T cell: %w", v, err)
	}
	return string(b), nil
}
