package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var adherenceWall = time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)

func TestAdherenceCommandJSON(t *testing.T) {
	var out bytes.Buffer
	err := runAdherence(&out, adherenceOpts{input: "testdata/adherence.ndjson", start: "2025-01-01", end: "2025-04-30",
		method: "pdc", format: "json", patient: "p1"}, adherenceWall)
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		ResourceType string
		Parameter    []struct {
			Name         string
			ValueString  string
			ValueDecimal json.Number
			Part         []struct {
				Name         string
				ValueString  string
				ValueDecimal json.Number
				ValueBoolean *bool
			}
		}
	}
	if err := json.Unmarshal(out.Bytes(), &p); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out.String())
	}
	got := map[string]string{}
	for _, prm := range p.Parameter {
		switch prm.Name {
		case "group":
			for _, pt := range prm.Part {
				switch {
				case pt.ValueString != "":
					got[pt.Name] = pt.ValueString
				case pt.ValueDecimal != "":
					got[pt.Name] = pt.ValueDecimal.String()
				case pt.ValueBoolean != nil:
					got[pt.Name] = map[bool]string{true: "true", false: "false"}[*pt.ValueBoolean]
				}
			}
		case "warning":
			got["warning"] = prm.ValueString
		}
	}
	want := map[string]string{"key": "C08CA01", "pdc": "0.7500", "eligible": "true", "adherent": "false"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	if p.ResourceType != "Parameters" || !strings.Contains(got["warning"], "MedicationDispense/bad") {
		t.Errorf("resourceType %q, warning %q: want Parameters naming the bad dispense", p.ResourceType, got["warning"])
	}
}

func TestAdherenceCommandCSVAllPatients(t *testing.T) {
	var out bytes.Buffer
	err := runAdherence(&out, adherenceOpts{input: "testdata/adherence.ndjson", start: "2025-01-01", end: "2025-04-30",
		method: "pdc", format: "csv"}, adherenceWall)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&out).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows, want header + 2:\n%v", len(rows), rows)
	}
	tests := []struct {
		row                           int
		patient, group, pdc, eligible string
	}{
		{1, "Patient/p1", "C08CA01", "0.7500", "true"},
		{2, "Patient/p2", "A10BA02", "", "false"},
	}
	for _, tt := range tests {
		r := rows[tt.row]
		if r[0] != tt.patient || r[1] != tt.group || r[8] != tt.eligible || (tt.pdc != "" && r[5] != tt.pdc) {
			t.Errorf("row %d = %v, want %s %s pdc %s eligible %s", tt.row, r, tt.patient, tt.group, tt.pdc, tt.eligible)
		}
	}
}

func TestAdherenceCommandSeveralPatientsNDJSON(t *testing.T) {
	var out bytes.Buffer
	if err := runAdherence(&out, adherenceOpts{input: "testdata/adherence.ndjson", end: "2025-04-30", method: "cma7", format: "json"}, adherenceWall); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines, want one per patient", len(lines))
	}
	for i, want := range []string{`"valueString":"Patient/p1"`, `"valueString":"Patient/p2"`} {
		if !strings.Contains(lines[i], `{"name":"subject",`+want) || !strings.Contains(lines[i], `"valueCode":"cma7"`) {
			t.Errorf("line %d: %s", i, lines[i])
		}
	}
}

func TestAdherenceCommandBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notJSON := write("notjson.ndjson", "{\"resourceType\":\"Patient\"}\nthis is not json\n")
	noSubject := write("nosubject.ndjson", `{"resourceType":"MedicationDispense","id":"x","status":"completed"}`+"\n")
	noType := write("notype.ndjson", `{"id":"x"}`+"\n")
	empty := write("empty.ndjson", `{"resourceType":"Patient","id":"p"}`+"\n")
	broken := write("broken.ndjson", `{"resourceType":"MedicationDispense","subject":{"reference":"Patient/p"},"daysSupply":"thirty"}`+"\n")
	long := write("long.ndjson", `{"resourceType":"Patient","x":"`+strings.Repeat("a", maxNDJSONLine)+`"}`+"\n")
	ok := "testdata/adherence.ndjson"
	tests := []struct {
		name string
		o    adherenceOpts
		want string
	}{
		{"no input", adherenceOpts{format: "json"}, "--input is required"},
		{"missing file", adherenceOpts{input: filepath.Join(dir, "nope"), format: "json"}, "no such file"},
		{"not json", adherenceOpts{input: notJSON, format: "json"}, "line 2: not a JSON resource"},
		{"no subject", adherenceOpts{input: noSubject, format: "json"}, "line 1: MedicationDispense has no subject"},
		{"no resourceType", adherenceOpts{input: noType, format: "json"}, "line 1: no resourceType"},
		{"nothing to measure", adherenceOpts{input: empty, format: "json"}, "no MedicationRequest"},
		{"undecodable dispense", adherenceOpts{input: broken, format: "json"}, "Patient/p"},
		{"line too long", adherenceOpts{input: long, format: "json"}, "token too long"},
		{"bad start", adherenceOpts{input: ok, format: "json", start: "01/01/2025"}, "--start"},
		{"bad end", adherenceOpts{input: ok, format: "json", end: "yesterday"}, "--end"},
		{"end before start", adherenceOpts{input: ok, format: "json", start: "2025-03-01", end: "2025-01-01"}, "before start"},
		{"bad method", adherenceOpts{input: ok, format: "json", method: "cma10"}, "want pdc, cma1"},
		{"bad by", adherenceOpts{input: ok, format: "json", by: "drug"}, "want medication or class"},
		{"bad format", adherenceOpts{input: ok, format: "xml"}, "--format"},
		{"bad now", adherenceOpts{input: ok, format: "json", now: "noon"}, "--now"},
		{"unknown patient", adherenceOpts{input: ok, format: "json", patient: "zz"}, "Patient/zz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := runAdherence(&out, tt.o, adherenceWall)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
