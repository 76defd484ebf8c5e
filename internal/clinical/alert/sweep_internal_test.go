package alert

import (
	"testing"
	"time"
)

func TestPauseAfter(t *testing.T) {
	for _, tt := range []struct {
		pace float64
		max  time.Duration
		took time.Duration
		want time.Duration
	}{
		{0, 0, 10 * time.Millisecond, 0},                       // no pacing
		{1, 0, 10 * time.Millisecond, 0},                       // works all the time
		{0.1, 0, 10 * time.Millisecond, 90 * time.Millisecond}, // a tenth of the time
		{0.5, 0, 10 * time.Millisecond, 10 * time.Millisecond},
		{0.25, 0, 40 * time.Millisecond, 120 * time.Millisecond},
		{0.1, 0, time.Second, 2 * time.Second},                           // default cap
		{0.1, 50 * time.Millisecond, time.Second, 50 * time.Millisecond}, // MaxPause
		{0.1, 0, 0, 0},
	} {
		w := &Sweeper{Pace: tt.pace, MaxPause: tt.max}
		if got := w.pauseAfter(tt.took); got != tt.want {
			t.Errorf("Pace %v MaxPause %v after %v: %v, want %v", tt.pace, tt.max, tt.took, got, tt.want)
		}
	}
}

func TestPatientOf(t *testing.T) {
	for _, tt := range []struct {
		typ, json, want string
	}{
		{"Patient", `{"resourceType":"Patient","id":"p1"}`, "p1"},
		{"Encounter", `{"resourceType":"Encounter","subject":{"reference":"Patient/p2"}}`, "p2"},
		{"MedicationDispense", `{"subject":{"reference":"Patient/p3/_history/4"}}`, "p3"},
		{"Task", `{"resourceType":"Task","for":{"reference":"Patient/p4"}}`, "p4"},
		{"Flag", `{"subject":{"reference":"https://sen.example/fhir/Patient/p5"}}`, "p5"},
		{"Condition", `{"subject":{"reference":"Group/g1"}}`, ""},
		{"Condition", `{"subject":{"reference":"MyPatient/x"}}`, ""},
		{"Communication", `{"subject":{}}`, ""},
		{"Encounter", `not json`, ""},
	} {
		if got := patientOf(tt.typ, []byte(tt.json)); got != tt.want {
			t.Errorf("patientOf(%s, %s) = %q, want %q", tt.typ, tt.json, got, tt.want)
		}
	}
}
