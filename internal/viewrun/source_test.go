package viewrun

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// pagedReader serves Search in pages of two from a fixed list; scanning
// counts ScanType calls when scan is set.
type pagedReader struct {
	store.Reader
	bodies []string
	scans  int
}

func (p *pagedReader) Search(ctx context.Context, q *search.Query) (*store.Page, error) {
	start := 0
	if q.Cursor != "" {
		start = int(q.Cursor[0] - '0')
	}
	end := min(start+q.Count, len(p.bodies))
	page := &store.Page{}
	for _, b := range p.bodies[start:end] {
		page.Resources = append(page.Resources, &fhir.Resource{JSON: []byte(b)})
	}
	if end < len(p.bodies) {
		page.Next = string(rune('0' + end))
	}
	return page, nil
}

type scanningReader struct{ pagedReader }

func (s *scanningReader) ScanType(ctx context.Context, typ string, fn func([]byte) error) error {
	s.scans++
	for _, b := range s.bodies {
		if err := fn([]byte(b)); err != nil {
			return err
		}
	}
	return nil
}

func TestStoreSourcePaging(t *testing.T) {
	bodies := []string{`{"id":"1"}`, `{"id":"2"}`, `{"id":"3"}`, `{"id":"4"}`, `{"id":"5"}`}
	collect := func(r store.Reader, stopAt int) ([]string, error) {
		var got []string
		err := StoreSource{Reader: r, PageSize: 2}.Each(context.Background(), "Patient", func(b []byte) error {
			if len(got) == stopAt {
				return errors.New("stop")
			}
			got = append(got, string(b))
			return nil
		})
		return got, err
	}
	got, err := collect(&pagedReader{bodies: bodies}, -1)
	if err != nil || strings.Join(got, "") != strings.Join(bodies, "") {
		t.Errorf("paged: %v %v", got, err)
	}
	// An early stop returns the callback's error and does not hang the prefetcher.
	got, err = collect(&pagedReader{bodies: bodies}, 3)
	if err == nil || err.Error() != "stop" || len(got) != 3 {
		t.Errorf("early stop: %v %v", got, err)
	}
	sr := &scanningReader{pagedReader{bodies: bodies}}
	got, err = collect(sr, -1)
	if err != nil || len(got) != 5 || sr.scans != 1 {
		t.Errorf("scanner: %v %v scans=%d", got, err, sr.scans)
	}
	// A cancelled context stops the run.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (StoreSource{Reader: &pagedReader{bodies: bodies}}).Each(ctx, "Patient", func([]byte) error { return nil }); err == nil {
		t.Error("cancelled context: want error")
	}
}

func TestNDJSONAndResources(t *testing.T) {
	in := "{\"resourceType\":\"Patient\",\"id\":\"a\"}\n\n{\"id\":\"x\",\"resourceType\":\"Observation\"}\n{\"resourceType\":\"Patient\",\"id\":\"b\"}\n"
	var got []string
	err := NDJSON{R: strings.NewReader(in)}.Each(context.Background(), "Patient", func(b []byte) error {
		got = append(got, string(b))
		return nil
	})
	if err != nil || len(got) != 2 {
		t.Errorf("ndjson: %v %v", got, err)
	}
	err = NDJSON{R: strings.NewReader("[1,2]\n")}.Each(context.Background(), "Patient", func([]byte) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Errorf("bad line: %v", err)
	}
	n := 0
	_ = Resources{[]byte(`{"resourceType":"Observation"}`), []byte(`{"id":"z","resourceType":"Patient"}`)}.Each(context.Background(), "Patient", func([]byte) error { n++; return nil })
	if n != 1 {
		t.Errorf("resources: %d", n)
	}
}

func TestRequestParsing(t *testing.T) {
	req := NewRequest()
	err := req.ParseParameters([]byte(`{"resourceType":"Parameters","parameter":[
	 {"name":"viewReference","valueReference":{"reference":"ViewDefinition/x"}},
	 {"name":"_format","valueCode":"csv"},{"name":"header","valueBoolean":false},{"name":"_limit","valueInteger":3},
	 {"name":"patient","valueReference":{"reference":"http://h/fhir/Patient/p1"}},{"name":"group","valueReference":{"reference":"Group/g"}},
	 {"name":"_since","valueInstant":"2024-01-01T00:00:00Z"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if req.ViewRef != "ViewDefinition/x" || req.Format != "csv" || req.Header || req.Limit != 3 || req.Patients[0] != "p1" || req.Groups[0] != "g" || req.Validate() != nil {
		t.Errorf("parsed %+v", req)
	}
	for _, bad := range []string{
		`{"resourceType":"Parameters","parameter":[{"name":"_limit","valueInteger":-1}]}`,
		`{"resourceType":"Parameters","parameter":[{"name":"wat","valueString":"x"}]}`,
		`{"resourceType":"Parameters","parameter":[{"name":"patient","valueReference":{"reference":"Patient/a b"}}]}`,
		`{"resourceType":"Bundle"}`, `nope`,
	} {
		if err := NewRequest().ParseParameters([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
	r := NewRequest()
	r.ViewRef, r.Since = "x", "yesterday"
	if r.Validate() == nil {
		t.Error("bad _since accepted")
	}
	if FormatFromAccept("text/csv;q=0.9, */*") != "csv" || FormatFromAccept("application/fhir+json") != "" {
		t.Error("FormatFromAccept")
	}
}
