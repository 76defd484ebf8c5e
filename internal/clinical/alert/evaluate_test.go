package alert

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/clinical/risk"
)

var ict = time.FixedZone("ICT", 7*3600)

// dispense is a completed MedicationDispense of a 30-day amlodipine supply.
func dispense(id, patient, day string) []byte {
	return fmt.Appendf(nil, `{"resourceType":"MedicationDispense","id":%q,"status":"completed","subject":{"reference":"Patient/%s"},
"medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C08CA01","display":"Amlodipin 5 mg"}]},
"whenHandedOver":%q,"daysSupply":{"value":30,"unit":"d","system":"http://unitsofmeasure.org","code":"d"}}`, id, patient, day)
}

// fills returns n monthly fills from day, every `every` days.
func fills(patient string, from time.Time, n, every int) [][]byte {
	var out [][]byte
	for i := range n {
		out = append(out, dispense(fmt.Sprintf("d%d", i), patient, from.AddDate(0, 0, i*every).Format(time.DateOnly)))
	}
	return out
}

func model(tb testing.TB, intercept float64) *risk.Model {
	tb.Helper()
	m, err := risk.ParseModel(fmt.Appendf(nil, `{"version":"test","features":["cover180"],"mean":[0],"scale":[1],"coef":[0],"intercept":%g,"moderate":0.3,"high":0.6}`, intercept))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestEvaluate(t *testing.T) {
	now := time.Date(2025, 6, 30, 9, 0, 0, 0, ict)
	year := now.AddDate(-1, 0, 1)
	pat := []byte(`{"resourceType":"Patient","id":"p","gender":"female","birthDate":"1950-01-01"}`)
	tests := []struct {
		name      string
		dispenses [][]byte
		intercept float64 // of the risk model; 0 = no model
		want      []Kind
		reason    string // in the first alert's Vietnamese reasons
	}{
		{"every 30 days: covered", fills("p", year, 13, 30), 0, nil, ""},
		{"every 45 days: 67% covered", fills("p", year, 9, 45), 0, []Kind{LowPDC}, "Amlodipin 5 mg: có thuốc 67% số ngày"},
		{"one fill: not eligible", fills("p", year, 1, 30), 0, nil, ""},
		{"no medicines: nothing, even at high risk", nil, 5, nil, ""},
		{"covered, high risk", fills("p", year, 13, 30), 5, []Kind{HighRisk}, "xác suất không tuân thủ trong 90 ngày tới 99%"},
		{"low PDC and high risk", fills("p", year, 9, 45), 5, []Kind{LowPDC, HighRisk}, "dưới ngưỡng 80%"},
		{"covered, low risk", fills("p", year, 13, 30), -5, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := Input{Chart: risk.Record{Patient: pat, Dispenses: tt.dispenses}, Now: now}
			if tt.intercept != 0 {
				in.Model = model(t, tt.intercept)
			}
			got, err := Evaluate(in)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []Kind
			for _, a := range got {
				kinds = append(kinds, a.Kind)
				for _, r := range a.Reasons {
					if r.VI == "" || r.EN == "" {
						t.Errorf("%s: reason missing a language: %+v", a.Kind, r)
					}
				}
			}
			if fmt.Sprint(kinds) != fmt.Sprint(tt.want) {
				t.Fatalf("kinds = %v, want %v", kinds, tt.want)
			}
			if tt.reason != "" && !strings.Contains(got[0].Reasons[0].VI, tt.reason) {
				t.Errorf("reason %q, want it to contain %q", got[0].Reasons[0].VI, tt.reason)
			}
		})
	}
	// Evidence: the last dispense of the under-covered medicine.
	got, _ := Evaluate(Input{Chart: risk.Record{Patient: pat, Dispenses: fills("p", year, 9, 45)}, Now: now})
	if len(got) != 1 || len(got[0].Evidence) != 1 || got[0].Evidence[0] != "MedicationDispense/d8" {
		t.Errorf("evidence = %+v, want the last dispense d8", got)
	}
}

func TestEvaluateBadInput(t *testing.T) {
	pat := []byte(`{"resourceType":"Patient","id":"p"}`)
	now := time.Date(2025, 6, 30, 9, 0, 0, 0, ict)
	tests := []struct {
		name string
		in   Input
		want string
	}{
		{"no clock", Input{Chart: risk.Record{Patient: pat, Dispenses: fills("p", now, 1, 30)}}, "now is required"},
		{"dispense not JSON", Input{Chart: risk.Record{Patient: pat, Dispenses: [][]byte{[]byte("{")}}, Now: now}, "pdc"},
		{"request of another type", Input{Chart: risk.Record{Patient: pat, Requests: [][]byte{pat}}, Now: now}, "pdc"},
		{"no patient for the model", Input{Chart: risk.Record{Dispenses: fills("p", now, 1, 30)}, Now: now, Model: model(t, 1)}, "risk"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Evaluate(tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
