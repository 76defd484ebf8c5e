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
		{Medication: "A10BA02", Time: at(1, 7, 40)}, {Medication: "A10BA02", Time: at(1, 19, 5)}, // 1 Mar: both on time
		{Medication: "A10BA02", Time: at(2, 7, 30)}, {Medication: "A10BA02", Time: at(2, 23, 0)}, // 2 Mar: evening 4 h late
		{Medication: "A10BA02", Time: at(3, 8, 0)},   // 3 Mar: evening missed
		{Medication: "C10AA05", Time: at(3, 21, 30)}, // another medicine: not matched
		// 4 Mar: morning missed; evening (19:00) still pending at now
	}
	confs := Match(planned, intakes, 6*time.Hour)
	if len(confs) != 8 {
		t.Fatalf("got %d confirmations, want 8", len(confs))
	}
	now := at(4, 20, 0)
	all, per := DoseTiming(confs, now, 0)
	want := TimingStats{Due: 7, Taken: 5, OnTime: 4, Missed: 2, Unconfirmed: 2, TakenShare: 5.0 / 7, OnTimeShare: 4.0 / 7,
		ConfirmedShare: 1, UnconfirmedShare: 2.0 / 7}
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
		// Reported also returns the not-done record, as a missed dose.
		rep, ok, err := a.Reported(nil)
		if wantOK := tt.ok || a.Status == "not-done"; ok != wantOK || (err != nil) != tt.hasErr || rep.Missed != (a.Status == "not-done") {
			t.Errorf("%s: Reported %+v ok %v err %v", a.ID, rep, ok, err)
		}
		if ok && rep.Ref != "MedicationAdministration/"+a.ID {
			t.Errorf("%s: ref %q", a.ID, rep.Ref)
		}
	}
}

// TestMatchMissedReports: reports of missed doses (not-done
// administrations) confirm the dose they are nearest to, only when no
// intake took it; what is left is unconfirmed, and the shares split the
// two.
func TestMatchMissedReports(t *testing.T) {
	vn := defaultLocation()
	at := func(d, h int) time.Time { return time.Date(2024, 3, d, h, 0, 0, 0, vn) }
	const med = "C08CA01"
	var planned []Planned
	for d := 1; d <= 4; d++ {
		planned = append(planned, Planned{Medication: med, Time: at(d, 7)}, Planned{Medication: med, Time: at(d, 19)})
	}
	taken := func(d, h int) Intake { return Intake{Medication: med, Time: at(d, h)} }
	missed := func(d, h int, ref string) Intake {
		return Intake{Medication: med, Time: at(d, h), Missed: true, Ref: ref}
	}
	tests := []struct {
		name    string
		intakes []Intake
		want    string // per dose: T taken, M reported missed, ? unconfirmed
		stats   TimingStats
	}{
		{"nothing recorded", nil, "????????",
			TimingStats{Due: 8, Missed: 8, Unconfirmed: 8, UnconfirmedShare: 1}},
		{"all taken", []Intake{taken(1, 7), taken(1, 19), taken(2, 7), taken(2, 19), taken(3, 7), taken(3, 19), taken(4, 7), taken(4, 19)}, "TTTTTTTT",
			TimingStats{Due: 8, Taken: 8, OnTime: 8, TakenShare: 1, OnTimeShare: 1, ConfirmedShare: 1}},
		{"taken and reported", []Intake{taken(1, 7), missed(1, 19, "MedicationAdministration/m1"), taken(2, 7), missed(3, 7, "MedicationAdministration/m2")}, "TMT?M???",
			TimingStats{Due: 8, Taken: 2, OnTime: 2, Missed: 6, ConfirmedMissed: 2, Unconfirmed: 4, TakenShare: 0.25, OnTimeShare: 0.25, ConfirmedShare: 0.5, UnconfirmedShare: 0.5}},
		{"taken wins over a report of the same dose", []Intake{taken(1, 7), missed(1, 8, "")}, "T???????",
			TimingStats{Due: 8, Taken: 1, OnTime: 1, Missed: 7, Unconfirmed: 7, TakenShare: 1.0 / 8, OnTimeShare: 1.0 / 8, ConfirmedShare: 1, UnconfirmedShare: 7.0 / 8}},
		{"two reports of one dose count once", []Intake{missed(2, 7, ""), missed(2, 7, "")}, "??M?????",
			TimingStats{Due: 8, Missed: 8, ConfirmedMissed: 1, Unconfirmed: 7, UnconfirmedShare: 7.0 / 8}},
		{"report of another medicine", []Intake{{Medication: "A10BA02", Time: at(1, 7), Missed: true}}, "????????",
			TimingStats{Due: 8, Missed: 8, Unconfirmed: 8, UnconfirmedShare: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			confs := Match(planned, tt.intakes, 6*time.Hour)
			var got []byte
			for _, c := range confs {
				switch {
				case !c.Taken.IsZero():
					got = append(got, 'T')
				case c.Missed:
					got = append(got, 'M')
				default:
					got = append(got, '?')
				}
			}
			if string(got) != tt.want {
				t.Errorf("doses %s, want %s", got, tt.want)
			}
			all, _ := DoseTiming(confs, at(5, 12), 0)
			if all != tt.stats {
				t.Errorf("stats\n got %+v\nwant %+v", all, tt.stats)
			}
			if all.Due != all.Taken+all.ConfirmedMissed+all.Unconfirmed || all.Missed != all.ConfirmedMissed+all.Unconfirmed {
				t.Errorf("counts do not add up: %+v", all)
			}
		})
	}
	// A reported miss still inside its window is due, not pending.
	confs := Match(planned[:1], []Intake{missed(1, 7, "MedicationAdministration/m")}, 6*time.Hour)
	if all, _ := DoseTiming(confs, at(1, 8), 0); all.Due != 1 || all.ConfirmedMissed != 1 || confs[0].Ref != "MedicationAdministration/m" {
		t.Errorf("report inside the window: %+v %+v", all, confs)
	}
}
