package population

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

// TestWriteExtract de-identifies the synthetic population and checks that
// no direct identifier of any patient survives and that keys still link.
func TestWriteExtract(t *testing.T) {
	src := synthPopulation(t)
	d, err := NewDeidentifier()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := WriteExtract(context.Background(), src, []string{"Patient", "Condition", "Observation"}, d, &buf)
	if err != nil {
		t.Fatal(err)
	}
	if want := len(src.bodies["Patient"]) + len(src.bodies["Condition"]) + len(src.bodies["Observation"]); n != want {
		t.Errorf("wrote %d, want %d", n, want)
	}
	out := buf.String()
	// Collect every identifier value, phone and family name of the input.
	var secrets []string
	for _, b := range src.bodies["Patient"] {
		var p struct {
			ID         string
			Identifier []struct{ Value string }
			Telecom    []struct{ Value string }
			BirthDate  string
		}
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		for _, x := range p.Identifier {
			secrets = append(secrets, x.Value)
		}
		for _, x := range p.Telecom {
			secrets = append(secrets, x.Value)
		}
		secrets = append(secrets, `"`+p.ID+`"`, "Patient/"+p.ID+`"`)
		if !strings.Contains(out, `"id":"`+d.Pseudonym("Patient", p.ID)+`"`) {
			t.Fatalf("patient %s missing from the extract", p.ID)
		}
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(out, s) {
			t.Fatalf("extract leaks %q", s)
		}
	}
	// Conditions still point at their (pseudonymous) patients.
	linked := 0
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.Contains(line, `"resourceType":"Condition"`) && strings.Contains(line, `"reference":"Patient/`) {
			linked++
		}
	}
	if linked != len(src.bodies["Condition"]) {
		t.Errorf("%d linked conditions, want %d", linked, len(src.bodies["Condition"]))
	}
}
