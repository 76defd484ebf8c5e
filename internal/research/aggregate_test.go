package research

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhir"
)

// TestAggregateExtract: a province with 3 registered patients is
// redacted, one with 22 is rounded to 20, and the total is the sum of the
// released cells (20), not the raw 25, so the hidden 3 cannot be
// recovered by subtraction.
func TestAggregateExtract(t *testing.T) {
	ctx := context.Background()
	src := fakeSource{}
	for i := range 22 {
		src.person("a"+string(rune('a'+i)), 1960, "female", "01", "I10")
	}
	for i := range 3 {
		src.person("b"+string(rune('a'+i)), 1970, "male", "79", "I10")
	}
	s, log := newService(src)
	r, err := s.Submit(ctx, researcher, Request{Kind: KindAggregate, Purpose: "HTN by province", Registry: "hypertension", By: "province", Month: "2025-04"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Decide(ctx, custodian, r.ID, true, ""); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	got, err := s.Produce(ctx, researcher, r.ID, &out)
	if err != nil {
		t.Fatal(err)
	}
	want := "province,registered,under_care,controlled,lost_to_follow_up\n" +
		"01,20,[REDACTED],[REDACTED],20\n" +
		"79,[REDACTED],[REDACTED],[REDACTED],[REDACTED]\n" +
		"total,20,0,0,20\n"
	if out.String() != want {
		t.Errorf("aggregate:\n%s\nwant:\n%s", out.String(), want)
	}
	if got.Rows != 2 || got.Status != StatusProduced {
		t.Errorf("request after production %+v", got)
	}
	if e := log.last(t); e.Interaction != "research-extract" || !strings.Contains(e.Reason, "aggregate of 2 rows") {
		t.Errorf("audit %+v", e)
	}
}

func TestAggregateValidate(t *testing.T) {
	tests := []struct {
		name string
		r    Request
		want string
	}{
		{"no registry", Request{Kind: KindAggregate, Purpose: "p", By: "sex", Month: "2025-01"}, "registry"},
		{"bad dimension", Request{Kind: KindAggregate, Purpose: "p", Registry: "diabetes", By: "height", Month: "2025-01"}, "dimension"},
		{"bad month", Request{Kind: KindAggregate, Purpose: "p", Registry: "diabetes", By: "sex", Month: "Jan"}, "month"},
		{"types given", Request{Kind: KindAggregate, Purpose: "p", Registry: "diabetes", By: "sex", Month: "2025-01", Types: []string{"Patient"}}, "no resource types"},
		{"unknown kind", Request{Kind: "cube", Purpose: "p", Types: []string{"Patient"}}, "extract kind"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.r.Validate()
			if fhir.KindOf(err) != fhir.KindInvalid || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want an invalid error mentioning %q", err, tt.want)
			}
		})
	}
}
