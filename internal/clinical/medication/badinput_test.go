package medication

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestBuildReportBadDispenses adds one broken MedicationDispense at a time
// to a patient's record (issue 6 acceptance: negative or missing days
// supply, nonsense dates, unknown medication codes). Each must give a
// clear error or a warning naming the resource — never a panic, and never
// a changed result for the patient's real medicines.
func TestBuildReportBadDispenses(t *testing.T) {
	opts := ReportOptions{Start: Date(2025, 1, 1), End: Date(2025, 4, 1), Now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	base := reportRecords()
	base.Dispenses = base.Dispenses[:len(base.Dispenses)-1] // drop its own bad dispense
	want, err := BuildReport(base, opts)
	if err != nil {
		t.Fatal(err)
	}
	summary := func(r Report) map[string]string {
		m := map[string]string{}
		for _, g := range r.Groups {
			if g.PDC != nil {
				m[g.Key] = fmt.Sprintf("%.4f %d/%d %v", g.PDC.PDC, g.PDC.DaysCovered, g.PDC.DaysInPeriod, g.PDC.Eligible)
			}
		}
		return m
	}
	wantSum := summary(want)
	disp := func(id, rest string) []byte {
		return []byte(`{"resourceType":"MedicationDispense","id":"` + id + `",` + rest + `}`)
	}
	amlo := `"medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"C08CA01"}]}`
	tests := []struct {
		name string
		bad  []byte
		// newGroup is the key of a group the bad dispense may form on its
		// own (an unknown but well-formed medicine); "" when none.
		newGroup string
	}{
		{"negative days supply", disp("neg", `"status":"completed",`+amlo+`,"whenHandedOver":"2025-02-01","daysSupply":{"value":-30,"code":"d"}`), ""},
		{"zero days supply", disp("zero", `"status":"completed",`+amlo+`,"whenHandedOver":"2025-02-01","daysSupply":{"value":0,"code":"d"}`), ""},
		{"missing days supply and quantity", disp("nosupply", `"status":"completed",`+amlo+`,"whenHandedOver":"2025-02-01"`), ""},
		{"days supply in months", disp("months", `"status":"completed",`+amlo+`,"whenHandedOver":"2025-02-01","daysSupply":{"value":1,"code":"mo"}`), ""},
		{"days supply as a string", disp("str", `"status":"completed",`+amlo+`,"whenHandedOver":"2025-02-01","daysSupply":{"value":"30","code":"d"}`), ""},
		{"fractional days supply", disp("frac", `"status":"completed",`+amlo+`,"whenHandedOver":"2025-02-01","daysSupply":{"value":0.4,"code":"d"}`), ""},
		{"missing date", disp("nodate", `"status":"completed",`+amlo+`,"daysSupply":{"value":30,"code":"d"}`), ""},
		{"impossible date", disp("feb30", `"status":"completed",`+amlo+`,"whenHandedOver":"2025-02-30","daysSupply":{"value":30,"code":"d"}`), ""},
		{"date as a number", disp("num", `"status":"completed",`+amlo+`,"whenHandedOver":20250201,"daysSupply":{"value":30,"code":"d"}`), ""},
		{"handed over in the year 9999", disp("y9999", `"status":"completed",`+amlo+`,"whenHandedOver":"9999-12-31","daysSupply":{"value":30,"code":"d"}`), ""},
		{"handed over in the year 1", disp("y1", `"status":"completed",`+amlo+`,"whenHandedOver":"0001-01-01","daysSupply":{"value":30,"code":"d"}`), ""},
		{"entered in error", disp("eie", `"status":"entered-in-error",`+amlo+`,"whenHandedOver":"2025-02-01","daysSupply":{"value":30,"code":"d"}`), ""},
		{"no medication", disp("nomed", `"status":"completed","whenHandedOver":"2025-02-01","daysSupply":{"value":30,"code":"d"}`), ""},
		{"unknown medication code", disp("unknown", `"status":"completed","medicationCodeableConcept":{"coding":[{"system":"http://example.org/drugs","code":"XYZ-1"}]},"whenHandedOver":"2025-02-01","daysSupply":{"value":30,"code":"d"}`), "XYZ-1"},
		{"unknown ATC code", disp("unknownatc", `"status":"completed","medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"Z99ZZ99"}]},"whenHandedOver":"2025-02-01","daysSupply":{"value":30,"code":"d"}`), "Z99ZZ99"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := reportRecords()
			rec.Dispenses = append(base.Dispenses[:len(base.Dispenses):len(base.Dispenses)], tt.bad)
			got, err := BuildReport(rec, opts)
			if err != nil {
				// An error must say which resource is wrong.
				if !strings.Contains(err.Error(), "MedicationDispense") {
					t.Errorf("error %q does not name the resource", err)
				}
				t.Logf("error: %v", err)
				return
			}
			gotSum := summary(got)
			for k, w := range wantSum {
				if gotSum[k] != w {
					t.Errorf("%s changed by the bad dispense: %q, want %q", k, gotSum[k], w)
				}
			}
			if tt.newGroup != "" {
				if _, ok := gotSum[tt.newGroup]; !ok {
					t.Errorf("groups %v lack the dispense's own medicine %s", gotSum, tt.newGroup)
				}
				return
			}
			if len(gotSum) != len(wantSum) {
				t.Errorf("groups %v, want %v", gotSum, wantSum)
			}
			id := strings.Split(strings.TrimPrefix(string(tt.bad), `{"resourceType":"MedicationDispense","id":"`), `"`)[0]
			named := false
			for _, w := range got.Warnings {
				named = named || strings.Contains(w, "MedicationDispense/"+id)
			}
			if !named {
				t.Errorf("warnings %q do not name MedicationDispense/%s", got.Warnings, id)
			} else {
				t.Logf("warnings: %q", got.Warnings)
			}
		})
	}
}

// TestBuildReportNotFHIR checks that bodies that are not the expected
// resource are errors naming what was found, not panics.
func TestBuildReportNotFHIR(t *testing.T) {
	opts := ReportOptions{Start: Date(2025, 1, 1), End: Date(2025, 4, 1), Now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
	for _, body := range []string{``, `{`, `null`, `[]`, `"x"`, `{"resourceType":"Patient","id":"p"}`, `{"resourceType":"MedicationDispense","id":"d","daysSupply":[1,2]}`} {
		rec := Records{Dispenses: [][]byte{[]byte(body)}}
		rep, err := BuildReport(rec, opts)
		if err == nil && len(rep.Warnings) == 0 {
			t.Errorf("dispense %q: no error and no warning", body)
		}
	}
}
