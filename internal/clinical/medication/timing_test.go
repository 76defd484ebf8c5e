package medication

import (
	"reflect"
	"testing"
	"time"
)

func TestDoseTimingAndStrip(t *testing.T) {
	vn := defaultLocation()
	at := func(d, h, m int) time.Time { return time.Date(2024, 3, d, h, m, 0, 0, vn) }
	req := request(t, "2024-03-01", `[{"timing":{"repeat":{"when":["PCM","PCV"]}},`+dose(1, "tablet")+`}]`)
	doses, err := Schedule(req, at(1, 0, 0), at(5, 0, 0), vn, MealTimes{}) // 07:30 and 19:00, 1..4 March
	if err != nil {
		t.Fatal(err)
	}
	var planned []Planned
	for _, d := range doses {
		planned = append(planned, Planned{Medication: "A10BA02", Time: d.Time})
	}
	intakes := []Intake{
		{"A10BA02", at(1, 7, 40)}, {"A10BA02", at(1, 19, 5)}, // 1 Mar: both on time
		{"A10BA02", at(2, 7, 30)}, {"A10BA02", at(2, 23, 0)}, // 2 Mar: evening 4 h late
		{"A10BA02", at(3, 8, 0)},   // 3 Mar: evening missed
		{"C10AA05", at(3, 21, 30)}, // another medicine: not matched
		// 4 Mar: morning missed; evening (19:00) still pending at now
	}
	confs := Match(planned, intakes, 6*time.Hour)
	if len(confs) != 8 {
		t.Fatalf("got %d confirmations, want 8", len(confs))
	}
	now := at(4, 20, 0)
	all, per := DoseTiming(confs, now, 0)
	want := TimingStats{Due: 7, Taken: 5, OnTime: 4, Missed: 2, TakenShare: 5.0 / 7, OnTimeShare: 4.0 / 7}
	if all != want {
		t.Errorf("overall %+v, want %+v", all, want)
	}
	want.Medication = "A10BA02"
	if !reflect.DeepEqual(per, []TimingStats{want}) {
		t.Errorf("per medicine %+v", per)
	}

	strip := Strip(confs, now, 5, vn, 0)
	var got []string
	for _, d := range strip {
		got = append(got, d.Date.Format("01-02")+" "+d.Status.String())
	}
	wantStrip := []string{"02-29 no-doses", "03-01 all-on-time", "03-02 all-taken", "03-03 partial", "03-04 none-taken"}
	if !reflect.DeepEqual(got, wantStrip) {
		t.Errorf("strip %q, want %q", got, wantStrip)
	}
	// Before the 4 March morning dose is overdue, the day is pending.
	if s := Strip(confs, at(4, 8, 0), 1, vn, 0)[0].Status; s != Pending {
		t.Errorf("4 Mar at 08:00: %v, want pending", s)
	}
}

func TestAdministrationIntake(t *testing.T) {
	tests := []struct {
		json   string
		ok     bool
		hasErr bool
	}{
		{`{"resourceType":"MedicationAdministration","id":"a","status":"completed","medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"A10BA02"}]},"effectiveDateTime":"2024-03-04T07:35:00+07:00"}`, true, false},
		{`{"resourceType":"MedicationAdministration","id":"b","status":"not-done","medicationCodeableConcept":{"text":"x"},"effectiveDateTime":"2024-03-04"}`, false, false},
		{`{"resourceType":"MedicationAdministration","id":"c","status":"completed"}`, false, true},
		{`{"resourceType":"MedicationAdministration","id":"d","status":"weird"}`, false, true},
	}
	for _, tt := range tests {
		a, err := ParseAdministration([]byte(tt.json))
		if err != nil {
			t.Fatal(err)
		}
		in, ok, err := a.Intake(nil)
		if ok != tt.ok || (err != nil) != tt.hasErr {
			t.Errorf("%s: ok %v err %v", a.ID, ok, err)
		}
		if ok && (in.Medication != "A10BA02" || in.Time.Format("15:04") != "07:35") {
			t.Errorf("%s: %+v", a.ID, in)
		}
	}
}
