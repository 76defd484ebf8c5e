package view

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

const writerView = `{
  "resource": "Patient",
  "select": [{
    "column": [
      {"name": "id", "path": "getResourceKey()", "type": "id"},
      {"name": "active", "path": "active", "type": "boolean"},
      {"name": "births", "path": "multipleBirth.ofType(integer)", "type": "integer"},
      {"name": "given", "path": "name.given", "type": "string", "collection": true},
      {"name": "name", "path": "name.first()", "type": "HumanName"}
    ]
  }]
}`

var writerResources = []string{
	`{"resourceType":"Patient","id":"p1","active":true,"multipleBirthInteger":2,"name":[{"family":"Nguyễn","given":["Văn","An"]}]}`,
	`{"resourceType":"Patient","id":"p2,\"x\""}`,
	`{"resourceType":"Observation","id":"o1"}`,
}

// sliceSource is a Source over bodies held in memory.
type sliceSource []string

func (s sliceSource) Each(ctx context.Context, _ string, fn func([]byte) error) error {
	for _, b := range s {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn([]byte(b)); err != nil {
			return err
		}
	}
	return nil
}

func runFormat(t *testing.T, format string) []byte {
	t.Helper()
	v, err := Compile([]byte(writerView))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := NewWriter(format, &buf, v.Columns())
	if err != nil {
		t.Fatal(err)
	}
	if err := Run(context.Background(), v, sliceSource(writerResources), w); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestWriterText(t *testing.T) {
	tests := []struct {
		format string
		want   string
	}{
		{"csv", "id,active,births,given,name\n" +
			`p1,true,2,"[""Văn"",""An""]","{""family"":""Nguyễn"",""given"":[""Văn"",""An""]}"` + "\n" +
			`"p2,""x""",,,[],` + "\n"},
		{"ndjson", `{"id":"p1","active":true,"births":2,"given":["Văn","An"],"name":{"family":"Nguyễn","given":["Văn","An"]}}` + "\n" +
			`{"id":"p2,\"x\"","active":null,"births":null,"given":[],"name":null}` + "\n"},
		{"json", `[{"id":"p1","active":true,"births":2,"given":["Văn","An"],"name":{"family":"Nguyễn","given":["Văn","An"]}},` +
			`{"id":"p2,\"x\"","active":null,"births":null,"given":[],"name":null}]` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			got := string(runFormat(t, tt.format))
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestWriterJSONEmpty(t *testing.T) {
	var buf bytes.Buffer
	w, err := NewWriter("json", &buf, []Column{{Name: "a"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "[]\n" {
		t.Errorf("got %q, want []", got)
	}
	var rows []any
	if err := json.Unmarshal(buf.Bytes(), &rows); err != nil {
		t.Fatal(err)
	}
}

func TestWriterParquet(t *testing.T) {
	data := runFormat(t, "parquet")
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, fld := range f.Schema().Fields() {
		names = append(names, fld.Name())
	}
	if got, want := strings.Join(names, ","), "id,active,births,given,name"; got != want {
		t.Errorf("parquet columns %s, want %s", got, want)
	}
	if f.NumRows() != 2 {
		t.Fatalf("parquet rows %d, want 2", f.NumRows())
	}
	r := parquet.NewReader(bytes.NewReader(data))
	defer r.Close()
	var got []string
	for {
		row := map[string]any{}
		if err := r.Read(&row); err != nil {
			break
		}
		b, _ := json.Marshal(row)
		got = append(got, string(b))
	}
	want := []string{
		`{"active":true,"births":2,"given":["Văn","An"],"id":"p1","name":"{\"family\":\"Nguyễn\",\"given\":[\"Văn\",\"An\"]}"}`,
		`{"active":null,"births":null,"given":[],"id":"p2,\"x\"","name":null}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("parquet rows\n got %s\nwant %s", strings.Join(got, "\n     "), strings.Join(want, "\n     "))
	}
}

func TestNewWriterUnknown(t *testing.T) {
	if _, err := NewWriter("xlsx", &bytes.Buffer{}, nil); err == nil {
		t.Fatal("want an error for an unknown format")
	}
}

func TestRunStopsOnError(t *testing.T) {
	v, err := Compile([]byte(writerView))
	if err != nil {
		t.Fatal(err)
	}
	w, _ := NewWriter("ndjson", &bytes.Buffer{}, v.Columns())
	err = Run(context.Background(), v, sliceSource{`{"resourceType":"Patient"`}, w)
	if err == nil {
		t.Fatal("want an error for a truncated resource")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w, _ = NewWriter("ndjson", &bytes.Buffer{}, v.Columns())
	if err := Run(ctx, v, sliceSource(writerResources), w); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}
