package careplan

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func fp(f float64) *float64 { return &f }

func TestVisitBundle(t *testing.T) {
	v := Visit{ID: "3f0c8a4e-0d6b-4a43-9d7e-1c2b3a4d5e6f", Patient: "Patient/ba", Performer: "PractitionerRole/chw",
		Organization: "Organization/tyt", Request: "ServiceRequest/sr1", Start: testNow,
		Systolic: fp(146), Diastolic: fp(88), HeartRate: fp(76), Glucose: fp(8.2), Note: "Bà tỉnh, con gái cho uống thuốc đủ"}
	b, err := v.Bundle()
	if err != nil {
		t.Fatal(err)
	}
	var bundle struct {
		Type  string
		Entry []struct {
			Resource map[string]any
			Request  struct{ Method, URL string }
		}
	}
	if err := json.Unmarshal(b, &bundle); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range bundle.Entry {
		got = append(got, e.Request.Method+" "+e.Request.URL)
		if e.Resource["id"] == nil || e.Request.URL != e.Resource["resourceType"].(string)+"/"+e.Resource["id"].(string) {
			t.Errorf("entry %s: resource id does not match the URL", e.Request.URL)
		}
	}
	want := []string{"PUT Encounter/" + v.ID, "PUT Observation/" + v.ID + "-bp", "PUT Observation/" + v.ID + "-hr",
		"PUT Observation/" + v.ID + "-glu", "PUT Observation/" + v.ID + "-note"}
	if bundle.Type != "transaction" || strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("bundle %s entries %v, want transaction %v", bundle.Type, got, want)
	}
	again, _ := v.Bundle()
	if string(again) != string(b) {
		t.Error("the same visit gives a different bundle: replays would not be idempotent")
	}
	// The stored BP panel is what goal evaluation reads back.
	bp, _ := json.Marshal(bundle.Entry[1].Resource)
	g, err := EvaluateGoal([]byte(bpGoal), [][]byte{bp}, EvalOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if l := g.Targets[0].Latest(); l == nil || l.Value != 146 || g.Targets[0].Status != TargetNotAchieved {
		t.Errorf("goal read back from the visit: %+v", g.Targets[0])
	}
}

func TestVisitValidate(t *testing.T) {
	ok := Visit{ID: "v1", Patient: "Patient/p", Start: testNow}
	tests := []struct {
		name string
		edit func(*Visit)
		want string // "" valid
	}{
		{"minimal", func(*Visit) {}, ""},
		{"bad id", func(v *Visit) { v.ID = "a b" }, "visit id"},
		{"no patient", func(v *Visit) { v.Patient = "" }, "patient"},
		{"no time", func(v *Visit) { v.Start = time.Time{} }, "visit time"},
		{"half BP", func(v *Visit) { v.Systolic = fp(140) }, "both systolic and diastolic"},
		{"BP typo", func(v *Visit) { v.Systolic, v.Diastolic = fp(1400), fp(90) }, "systolic = 1400"},
		{"BP swapped", func(v *Visit) { v.Systolic, v.Diastolic = fp(80), fp(120) }, "systolic must exceed"},
		{"glucose in mg/dL", func(v *Visit) { v.Glucose = fp(146) }, "glucose = 146"},
		{"ends before start", func(v *Visit) { v.End = v.Start.Add(-1) }, "ends before"},
	}
	for _, tt := range tests {
		v := ok
		tt.edit(&v)
		err := v.Validate()
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%s: err = %v, want %q", tt.name, err, tt.want)
		}
	}
}

func TestCompletionReplay(t *testing.T) {
	done := []byte(`{"resourceType":"Task","status":"completed","output":[{"valueReference":{"reference":"Encounter/v1"}}]}`)
	steps, err := CompletionSteps(done, "", "Encounter/v1", testNow)
	if err != nil || len(steps) != 0 {
		t.Errorf("replay: steps %d, err %v; want none, nil", len(steps), err)
	}
	if _, err := CompletionSteps(done, "", "Encounter/other", testNow); err == nil {
		t.Error("completing a completed Task with another outcome: want an error")
	}
}
