package medication

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// days expands dose lines "hh:mm amount unit" over n consecutive days from
// date (YYYY-MM-DD) into "YYYY-MM-DD hh:mm amount unit", every step days.
func days(date string, n, step int, lines ...string) []string {
	d, err := time.Parse(time.DateOnly, date)
	if err != nil {
		panic(err)
	}
	var out []string
	for i := 0; i < n; i++ {
		for _, l := range lines {
			out = append(out, d.AddDate(0, 0, i*step).Format(time.DateOnly)+" "+l)
		}
	}
	return out
}

func join(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func formatDoses(ds []Dose) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		amt := fmt.Sprintf("%g", d.Amount)
		if d.AmountMax != d.Amount {
			amt += fmt.Sprintf("-%g", d.AmountMax)
		}
		out[i] = d.Time.Format("2006-01-02 15:04") + " " + amt + " " + d.Unit
	}
	return out
}

func request(tb testing.TB, authored, dosage string) Request {
	tb.Helper()
	js := `{"resourceType":"MedicationRequest","id":"t","status":"active","intent":"order",` +
		`"authoredOn":"` + authored + `","dosageInstruction":` + dosage + `}`
	r, err := ParseRequest([]byte(js))
	if err != nil {
		tb.Fatalf("parse: %v\n%s", err, js)
	}
	return r
}

// tab, mg … build doseAndRate JSON.
func dose(v float64, unit string) string {
	return fmt.Sprintf(`"doseAndRate":[{"doseQuantity":{"value":%g,"unit":"%s"}}]`, v, unit)
}

const (
	mon = "2024-03-04" // a Monday
)

func TestSchedule(t *testing.T) {
	vn := defaultLocation()
	tests := []struct {
		name     string
		authored string
		dosage   string
		from, to string // dates, local midnight
		meals    MealTimes
		want     []string
	}{
		{"metformin 1 vien x 2 lan/ngay sau an sang va toi", mon,
			`[{"timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"d","when":["PCM","PCV"]}},` + dose(1, "viên") + `}]`,
			mon, "2024-03-06", MealTimes{}, days(mon, 2, 1, "07:30 1 viên", "19:00 1 viên")},
		{"amlodipine once daily in the morning", mon,
			`[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","when":["MORN"]}},` + dose(5, "mg") + `}]`,
			mon, "2024-03-07", MealTimes{}, days(mon, 3, 1, "08:00 5 mg")},
		{"once daily, no time given: breakfast", mon,
			`[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d"}},` + dose(1, "tablet") + `}]`,
			mon, "2024-03-06", MealTimes{}, days(mon, 2, 1, "07:00 1 tablet")},
		{"amoxicillin every 8 hours from waking", mon,
			`[{"timing":{"repeat":{"frequency":1,"period":8,"periodUnit":"h"}},` + dose(500, "mg") + `}]`,
			mon, "2024-03-06", MealTimes{}, join(days(mon, 2, 1, "06:00 500 mg", "14:00 500 mg", "22:00 500 mg"))},
		{"every 8 hours from the prescribing time", "2024-03-04T09:00:00+07:00",
			`[{"timing":{"repeat":{"frequency":1,"period":8,"periodUnit":"h"}},` + dose(500, "mg") + `}]`,
			mon, "2024-03-06", MealTimes{}, []string{"2024-03-04 09:00 500 mg", "2024-03-04 17:00 500 mg", "2024-03-05 01:00 500 mg", "2024-03-05 09:00 500 mg", "2024-03-05 17:00 500 mg"}},
		{"methotrexate weekly on Mondays", "2024-03-01",
			`[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"wk","dayOfWeek":["mon"]}},` + dose(3, "tablet") + `}]`,
			"2024-03-01", "2024-03-19", MealTimes{}, []string{"2024-03-04 07:00 3 tablet", "2024-03-11 07:00 3 tablet", "2024-03-18 07:00 3 tablet"}},
		{"insulin before meals, different doses per meal", mon,
			`[{"timing":{"repeat":{"when":["ACM"],"offset":15}},` + dose(10, "U") + `},` +
				`{"timing":{"repeat":{"when":["ACD"],"offset":15}},` + dose(6, "U") + `},` +
				`{"timing":{"repeat":{"when":["ACV"],"offset":15}},` + dose(8, "U") + `}]`,
			mon, "2024-03-06", MealTimes{}, days(mon, 2, 1, "06:45 10 U", "11:15 6 U", "18:15 8 U")},
		{"atorvastatin at bedtime", mon,
			`[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","when":["HS"]}},` + dose(20, "mg") + `}]`,
			mon, "2024-03-06", MealTimes{}, days(mon, 2, 1, "21:30 20 mg")},
		{"paracetamol PRN: nothing scheduled", mon,
			`[{"asNeededBoolean":true,"timing":{"repeat":{"frequency":1,"period":6,"periodUnit":"h"}},"maxDosePerPeriod":{"numerator":{"value":4,"unit":"tablet"},"denominator":{"value":1,"unit":"d","code":"d"}},` + dose(1, "tablet") + `}]`,
			mon, "2024-03-06", MealTimes{}, nil},
		{"prednisolone taper 40-30-20-10 mg, a week each", mon,
			`[{"sequence":1,"timing":{"repeat":{"boundsDuration":{"value":7,"code":"d"},"when":["PCM"]}},` + dose(40, "mg") + `},` +
				`{"sequence":2,"timing":{"repeat":{"boundsDuration":{"value":7,"code":"d"},"when":["PCM"]}},` + dose(30, "mg") + `},` +
				`{"sequence":3,"timing":{"repeat":{"boundsDuration":{"value":7,"code":"d"},"when":["PCM"]}},` + dose(20, "mg") + `},` +
				`{"sequence":4,"timing":{"repeat":{"boundsDuration":{"value":7,"code":"d"},"when":["PCM"]}},` + dose(10, "mg") + `}]`,
			"2024-03-01", "2024-04-10", MealTimes{}, join(days(mon, 7, 1, "07:30 40 mg"), days("2024-03-11", 7, 1, "07:30 30 mg"),
				days("2024-03-18", 7, 1, "07:30 20 mg"), days("2024-03-25", 7, 1, "07:30 10 mg"))},
		{"alternate days (period 2 d)", mon,
			`[{"timing":{"repeat":{"frequency":1,"period":2,"periodUnit":"d"}},` + dose(1, "tablet") + `}]`,
			mon, "2024-03-11", MealTimes{}, days(mon, 4, 2, "07:00 1 tablet")},
		{"antibiotic 3 times a day, 15 doses (5 days)", mon,
			`[{"timing":{"repeat":{"count":15,"frequency":3,"period":1,"periodUnit":"d"}},` + dose(500, "mg") + `}]`,
			mon, "2024-03-12", MealTimes{}, days(mon, 5, 1, "07:00 500 mg", "11:30 500 mg", "18:30 500 mg")},
		{"count applies from the start, not from the window", mon,
			`[{"timing":{"repeat":{"count":15,"frequency":3,"period":1,"periodUnit":"d"}},` + dose(500, "mg") + `}]`,
			"2024-03-07", "2024-03-12", MealTimes{}, days("2024-03-07", 2, 1, "07:00 500 mg", "11:30 500 mg", "18:30 500 mg")},
		{"TB: RHZE 2 months then RH 4 months, switch", "2024-01-15",
			tbRegimen, "2024-03-13", "2024-03-17", MealTimes{},
			[]string{"2024-03-13 06:00 4 tablet", "2024-03-14 06:00 4 tablet", "2024-03-15 06:00 4 tablet", "2024-03-16 06:00 4 tablet"}},
		{"TB: end of continuation phase", "2024-01-15",
			tbRegimen, "2024-07-13", "2024-07-20", MealTimes{},
			[]string{"2024-07-13 06:00 4 tablet", "2024-07-14 06:00 4 tablet"}},
		{"inhaler 2 puffs twice a day", mon,
			`[{"route":{"coding":[{"system":"http://snomed.info/sct","code":"18679011000001101"}]},"timing":{"code":{"coding":[{"code":"BID"}]}},` + dose(2, "puff") + `}]`,
			mon, "2024-03-06", MealTimes{}, days(mon, 2, 1, "07:00 2 puff", "18:30 2 puff")},
		{"eye drops every 4 hours while awake", mon,
			`[{"timing":{"repeat":{"frequency":1,"period":4,"periodUnit":"h","when":["WAKE"]}},` + dose(1, "drop") + `}]`,
			mon, "2024-03-06", MealTimes{}, days(mon, 2, 1, "06:00 1 drop", "10:00 1 drop", "14:00 1 drop", "18:00 1 drop")},
		{"monthly injection keeps the day, clamped to month end", "2024-01-31",
			`[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"mo","timeOfDay":["09:00:00"]}},` + dose(1, "ampoule") + `}]`,
			"2024-01-01", "2024-05-01", MealTimes{}, []string{"2024-01-31 09:00 1 ampoule", "2024-02-29 09:00 1 ampoule", "2024-03-31 09:00 1 ampoule", "2024-04-30 09:00 1 ampoule"}},
		{"three times a day after meals", mon,
			`[{"timing":{"repeat":{"frequency":3,"period":1,"periodUnit":"d","when":["PCM","PCD","PCV"]}},` + dose(1, "tablet") + `}]`,
			mon, "2024-03-05", MealTimes{}, days(mon, 1, 1, "07:30 1 tablet", "12:00 1 tablet", "19:00 1 tablet")},
		{"four times a day: meals and bedtime", mon,
			`[{"timing":{"code":{"coding":[{"code":"QID"}]}},` + dose(250, "mg") + `}]`,
			mon, "2024-03-05", MealTimes{}, days(mon, 1, 1, "07:00 250 mg", "11:30 250 mg", "18:30 250 mg", "21:30 250 mg")},
		{"every 6 hours round the clock", mon,
			`[{"timing":{"code":{"coding":[{"code":"Q6H"}]}},` + dose(1, "g") + `}]`,
			mon, "2024-03-05", MealTimes{}, days(mon, 1, 1, "06:00 1 g", "12:00 1 g", "18:00 1 g")},
		{"every 12 hours", mon,
			`[{"timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"d","timeOfDay":["08:00:00","20:00:00"]}},` + dose(500, "mg") + `}]`,
			mon, "2024-03-06", MealTimes{}, days(mon, 2, 1, "08:00 500 mg", "20:00 500 mg")},
		// 06:00 to 21:30 in four steps of 3 h 52.5 min, rounded to the minute.
		{"five times a day: even spacing waking to sleep", mon,
			`[{"timing":{"repeat":{"frequency":5,"period":1,"periodUnit":"d"}},` + dose(200, "mg") + `}]`,
			mon, "2024-03-05", MealTimes{}, days(mon, 1, 1, "06:00 200 mg", "09:53 200 mg", "13:45 200 mg", "17:38 200 mg", "21:30 200 mg")},
		{"co-trimoxazole Mon/Wed/Fri", mon,
			`[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"d","dayOfWeek":["mon","wed","fri"]}},` + dose(1, "tablet") + `}]`,
			mon, "2024-03-11", MealTimes{}, []string{"2024-03-04 07:00 1 tablet", "2024-03-06 07:00 1 tablet", "2024-03-08 07:00 1 tablet"}},
		{"boundsPeriod with an inclusive end date", "2024-02-01",
			`[{"timing":{"repeat":{"boundsPeriod":{"start":"2024-03-04","end":"2024-03-06"},"frequency":1,"period":1,"periodUnit":"d"}},` + dose(1, "tablet") + `}]`,
			"2024-03-01", "2024-03-10", MealTimes{}, days(mon, 3, 1, "07:00 1 tablet")},
		{"dose range 1-2 tablets three times a day", mon,
			`[{"timing":{"code":{"coding":[{"code":"TID"}]}},"doseAndRate":[{"doseRange":{"low":{"value":1,"unit":"tablet"},"high":{"value":2,"unit":"tablet"}}}]}]`,
			mon, "2024-03-05", MealTimes{}, days(mon, 1, 1, "07:00 1-2 tablet", "11:30 1-2 tablet", "18:30 1-2 tablet")},
		{"acarbose with meals", mon,
			`[{"timing":{"repeat":{"when":["C"]}},` + dose(50, "mg") + `}]`,
			mon, "2024-03-05", MealTimes{}, days(mon, 1, 1, "07:00 50 mg", "11:30 50 mg", "18:30 50 mg")},
		{"with breakfast", mon,
			`[{"timing":{"repeat":{"when":["CM"]}},` + dose(1, "tablet") + `}]`,
			mon, "2024-03-06", MealTimes{}, days(mon, 2, 1, "07:00 1 tablet")},
		{"every other day by code", mon,
			`[{"timing":{"code":{"coding":[{"code":"QOD"}]}},` + dose(1, "tablet") + `}]`,
			mon, "2024-03-09", MealTimes{}, days(mon, 3, 2, "07:00 1 tablet")},
		{"single dose albendazole at a set instant", mon,
			`[{"timing":{"event":["2024-03-05T20:00:00+07:00"]},` + dose(400, "mg") + `}]`,
			mon, "2024-03-10", MealTimes{}, []string{"2024-03-05 20:00 400 mg"}},
		{"twice weekly without days: Monday and Thursday", mon,
			`[{"timing":{"repeat":{"frequency":2,"period":1,"periodUnit":"wk"}},` + dose(1, "tablet") + `}]`,
			mon, "2024-03-18", MealTimes{}, []string{"2024-03-04 07:00 1 tablet", "2024-03-07 07:00 1 tablet", "2024-03-11 07:00 1 tablet", "2024-03-14 07:00 1 tablet"}},
		{"every 2 weeks on Monday", mon,
			`[{"timing":{"repeat":{"frequency":1,"period":2,"periodUnit":"wk","dayOfWeek":["mon"],"timeOfDay":["08:30:00"]}},` + dose(40, "mg") + `}]`,
			mon, "2024-04-08", MealTimes{}, days(mon, 3, 14, "08:30 40 mg")},
		{"zoledronic acid once a year", "2024-02-29",
			`[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"a","timeOfDay":["09:00:00"]}},` + dose(5, "mg") + `}]`,
			"2024-01-01", "2026-03-31", MealTimes{}, []string{"2024-02-29 09:00 5 mg", "2025-02-28 09:00 5 mg", "2026-02-28 09:00 5 mg"}},
		{"levothyroxine an hour before breakfast", mon,
			`[{"timing":{"repeat":{"when":["ACM"],"offset":60}},` + dose(50, "ug") + `}]`,
			mon, "2024-03-06", MealTimes{}, days(mon, 2, 1, "06:00 50 ug")},
		{"after lunch only", mon,
			`[{"timing":{"repeat":{"when":["PCD"]}},` + dose(1, "tablet") + `}]`,
			mon, "2024-03-05", MealTimes{}, days(mon, 1, 1, "12:00 1 tablet")},
		{"on waking daily", mon,
			`[{"timing":{"repeat":{"when":["WAKE"]}},` + dose(1, "tablet") + `}]`,
			mon, "2024-03-06", MealTimes{}, days(mon, 2, 1, "06:00 1 tablet")},
		{"alendronate Sunday on waking", mon,
			`[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"wk","dayOfWeek":["sun"],"when":["WAKE"]}},` + dose(70, "mg") + `}]`,
			mon, "2024-03-18", MealTimes{}, []string{"2024-03-10 06:00 70 mg", "2024-03-17 06:00 70 mg"}},
		{"every 4 hours, 6 doses, from an evening prescription", "2024-03-04T20:00:00+07:00",
			`[{"timing":{"repeat":{"count":6,"frequency":1,"period":4,"periodUnit":"h"}},` + dose(1, "tablet") + `}]`,
			mon, "2024-03-07", MealTimes{}, []string{"2024-03-04 20:00 1 tablet", "2024-03-05 00:00 1 tablet", "2024-03-05 04:00 1 tablet", "2024-03-05 08:00 1 tablet", "2024-03-05 12:00 1 tablet", "2024-03-05 16:00 1 tablet"}},
		{"basal insulin 22:00 and prandial before breakfast and dinner", mon,
			`[{"timing":{"repeat":{"timeOfDay":["22:00:00"]}},` + dose(14, "U") + `},` +
				`{"timing":{"repeat":{"when":["ACM","ACV"]}},` + dose(4, "U") + `}]`,
			mon, "2024-03-05", MealTimes{}, days(mon, 1, 1, "06:30 4 U", "18:00 4 U", "22:00 14 U")},
		{"custom meal times move after-breakfast doses", mon,
			`[{"timing":{"repeat":{"when":["PCM","PCV"]}},` + dose(1, "tablet") + `}]`,
			mon, "2024-03-05", MealTimes{Breakfast: 6 * time.Hour, Dinner: 19 * time.Hour, AfterMeal: 15 * time.Minute},
			days(mon, 1, 1, "06:15 1 tablet", "19:15 1 tablet")},
		{"UTC prescribing instant shown in Vietnam time", "2024-03-04T01:00:00Z",
			`[{"timing":{"repeat":{"frequency":1,"period":12,"periodUnit":"h"}},` + dose(1, "tablet") + `}]`,
			mon, "2024-03-06", MealTimes{}, []string{"2024-03-04 08:00 1 tablet", "2024-03-04 20:00 1 tablet", "2024-03-05 08:00 1 tablet", "2024-03-05 20:00 1 tablet"}},
		{"three times a day for 7 days", mon,
			`[{"timing":{"repeat":{"boundsDuration":{"value":7,"unit":"days","code":"d"},"frequency":3,"period":1,"periodUnit":"d","when":["PCM","PCD","PCV"]}},` + dose(1, "capsule") + `}]`,
			mon, "2024-03-14", MealTimes{}, days(mon, 7, 1, "07:30 1 capsule", "12:00 1 capsule", "19:00 1 capsule")},
		{"warfarin 5 mg Mon/Wed/Fri, 2.5 mg other days", mon,
			`[{"timing":{"repeat":{"dayOfWeek":["mon","wed","fri"],"timeOfDay":["17:00:00"]}},` + dose(5, "mg") + `},` +
				`{"timing":{"repeat":{"dayOfWeek":["tue","thu","sat","sun"],"timeOfDay":["17:00:00"]}},` + dose(2.5, "mg") + `}]`,
			mon, "2024-03-11", MealTimes{}, []string{"2024-03-04 17:00 5 mg", "2024-03-05 17:00 2.5 mg", "2024-03-06 17:00 5 mg", "2024-03-07 17:00 2.5 mg", "2024-03-08 17:00 5 mg", "2024-03-09 17:00 2.5 mg", "2024-03-10 17:00 2.5 mg"}},
		{"morning and evening day parts", mon,
			`[{"timing":{"repeat":{"when":["MORN","EVE"]}},` + dose(1, "tablet") + `}]`,
			mon, "2024-03-05", MealTimes{}, days(mon, 1, 1, "08:00 1 tablet", "18:00 1 tablet")},
		{"at night", mon,
			`[{"timing":{"repeat":{"when":["NIGHT"]}},` + dose(1, "tablet") + `}]`,
			mon, "2024-03-05", MealTimes{}, days(mon, 1, 1, "22:00 1 tablet")},
		{"count-based taper 3-2-1 tablets, 3 days each", mon,
			`[{"sequence":1,"timing":{"repeat":{"count":3,"when":["PCM"]}},` + dose(3, "tablet") + `},` +
				`{"sequence":2,"timing":{"repeat":{"count":3,"when":["PCM"]}},` + dose(2, "tablet") + `},` +
				`{"sequence":3,"timing":{"repeat":{"count":3,"when":["PCM"]}},` + dose(1, "tablet") + `}]`,
			mon, "2024-03-20", MealTimes{}, join(days(mon, 3, 1, "07:30 3 tablet"), days("2024-03-07", 3, 1, "07:30 2 tablet"), days("2024-03-10", 3, 1, "07:30 1 tablet"))},
		{"prescription written mid-morning skips earlier doses that day", "2024-03-04T10:15:00+07:00",
			`[{"timing":{"repeat":{"when":["PCM","PCD","PCV"]}},` + dose(1, "tablet") + `}]`,
			mon, "2024-03-06", MealTimes{}, append([]string{"2024-03-04 12:00 1 tablet", "2024-03-04 19:00 1 tablet"}, days("2024-03-05", 1, 1, "07:30 1 tablet", "12:00 1 tablet", "19:00 1 tablet")...)},
		{"salbutamol PRN with a regular controller line", mon,
			`[{"asNeededCodeableConcept":{"text":"khó thở"},` + dose(2, "puff") + `},` +
				`{"timing":{"code":{"coding":[{"code":"BID"}]}},` + dose(1, "puff") + `}]`,
			mon, "2024-03-05", MealTimes{}, days(mon, 1, 1, "07:00 1 puff", "18:30 1 puff")},
	}
	if len(tests) < 40 {
		t.Fatalf("only %d regimens", len(tests))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request(t, tt.authored, tt.dosage)
			from, _, _ := parseDateTime(tt.from, vn)
			to, _, _ := parseDateTime(tt.to, vn)
			got, err := Schedule(req, from, to, nil, tt.meals)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range got {
				if d.Time.Location().String() != "Asia/Ho_Chi_Minh" {
					t.Fatalf("dose at %v not in Asia/Ho_Chi_Minh", d.Time)
				}
			}
			if g := formatDoses(got); !reflect.DeepEqual(g, tt.want) && (len(g) != 0 || len(tt.want) != 0) {
				t.Errorf("got  %q\nwant %q", g, tt.want)
			}
		})
	}
}

const tbRegimen = `[{"sequence":1,"text":"RHZE","timing":{"repeat":{"boundsDuration":{"value":2,"code":"mo"},"when":["ACM"],"offset":60}},"doseAndRate":[{"doseQuantity":{"value":4,"unit":"tablet"}}]},` +
	`{"sequence":2,"text":"RH","timing":{"repeat":{"boundsDuration":{"value":4,"code":"mo"},"when":["ACM"],"offset":60}},"doseAndRate":[{"doseQuantity":{"value":4,"unit":"tablet"}}]}]`

func TestScheduleOtherZone(t *testing.T) {
	req := request(t, "2024-03-04", `[{"timing":{"repeat":{"when":["PCM"]}},`+dose(1, "tablet")+`}]`)
	loc := time.FixedZone("UTC+9", 9*3600)
	got, err := Schedule(req, time.Date(2024, 3, 4, 0, 0, 0, 0, loc), time.Date(2024, 3, 5, 0, 0, 0, 0, loc), loc, MealTimes{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Time.Format("15:04 MST") != "07:30 UTC+9" {
		t.Errorf("got %v, want one dose at 07:30 local", got)
	}
}

func TestScheduleErrors(t *testing.T) {
	tests := []struct {
		name, authored, dosage, want string
	}{
		{"no dosage", mon, `[]`, "no dosageInstruction"},
		{"no timing", mon, `[{"text":"as directed"}]`, "no timing"},
		{"no start", "", `[{"timing":{"repeat":{"when":["HS"]}}}]`, "no start"},
		{"bad authoredOn", "4 March", `[{"timing":{"repeat":{"when":["HS"]}}}]`, "authoredOn"},
		{"zero frequency", mon, `[{"timing":{"repeat":{"frequency":0,"period":1,"periodUnit":"d"}}}]`, "frequency 0"},
		{"negative period", mon, `[{"timing":{"repeat":{"frequency":1,"period":-1,"periodUnit":"d"}}}]`, "period -1"},
		{"period without unit", mon, `[{"timing":{"repeat":{"frequency":1,"period":1}}}]`, "no periodUnit"},
		{"unknown unit", mon, `[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"fortnight"}}}]`, "periodUnit"},
		{"unknown when", mon, `[{"timing":{"repeat":{"when":["BREAKFAST"]}}}]`, "unknown when code"},
		{"bad timeOfDay", mon, `[{"timing":{"repeat":{"timeOfDay":["8am"]}}}]`, "timeOfDay"},
		{"bad dayOfWeek", mon, `[{"timing":{"repeat":{"dayOfWeek":["monday"]}}}]`, "dayOfWeek"},
		{"frequencyMax below frequency", mon, `[{"timing":{"repeat":{"frequency":3,"frequencyMax":2,"period":1,"periodUnit":"d"}}}]`, "frequencyMax"},
		{"bounds end before start", mon, `[{"timing":{"repeat":{"boundsPeriod":{"start":"2024-03-05","end":"2024-03-01"},"when":["HS"]}}}]`, "not after start"},
		{"zero count", mon, `[{"timing":{"repeat":{"count":0,"when":["HS"]}}}]`, "count 0"},
		{"dose without value", mon, `[{"timing":{"repeat":{"when":["HS"]}},"doseAndRate":[{"doseQuantity":{"unit":"mg"}}]}]`, "doseQuantity"},
		{"inverted dose range", mon, `[{"timing":{"repeat":{"when":["HS"]}},"doseAndRate":[{"doseRange":{"low":{"value":2},"high":{"value":1}}}]}]`, "doseRange"},
		{"when with hourly period", mon, `[{"timing":{"repeat":{"frequency":1,"period":4,"periodUnit":"h","when":["PCM"]}}}]`, "cannot be combined"},
		{"ambiguous multi-day frequency", mon, `[{"timing":{"repeat":{"frequency":3,"period":2,"periodUnit":"d"}}}]`, "ambiguous"},
		{"open sequence before taper step", mon, `[{"sequence":1,"timing":{"repeat":{"when":["PCM"]}}},{"sequence":2,"timing":{"repeat":{"when":["PCM"]}}}]`, "has no end"},
		{"unsupported timing code", mon, `[{"timing":{"code":{"coding":[{"code":"XYZ"}]}}}]`, "not supported"},
		{"bad boundsDuration unit", mon, `[{"timing":{"repeat":{"boundsDuration":{"value":2,"code":"fortnight"},"when":["HS"]}}}]`, "boundsDuration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := request(t, tt.authored, tt.dosage)
			_, err := Schedule(req, Date(2024, 3, 1), Date(2024, 4, 1), nil, MealTimes{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to mention %q", err, tt.want)
			}
		})
	}
	if _, err := Schedule(request(t, mon, `[{"timing":{"repeat":{"when":["HS"]}}}]`), Date(2024, 3, 2), Date(2024, 3, 1), nil, MealTimes{}); err == nil {
		t.Error("reversed window: no error")
	}
	if _, err := ParseRequest([]byte(`{"resourceType":"Patient"}`)); err == nil {
		t.Error("ParseRequest accepted a Patient")
	}
	if _, err := ParseRequest([]byte(`{`)); err == nil {
		t.Error("ParseRequest accepted broken JSON")
	}
	if _, err := Schedule(request(t, mon, `[{"timing":{"repeat":{"when":["HS"]}}}]`), Date(2024, 3, 1), Date(2024, 3, 2), nil, MealTimes{Breakfast: 23 * time.Hour}); err == nil {
		t.Error("breakfast after dinner: no error")
	}
}

func TestPRNLimits(t *testing.T) {
	req := request(t, mon, `[{"asNeededCodeableConcept":{"text":"đau, sốt"},"timing":{"repeat":{"frequency":1,"period":4,"periodUnit":"h"}},`+
		`"maxDosePerPeriod":{"numerator":{"value":4,"unit":"viên"},"denominator":{"value":1,"unit":"ngày","code":"d"}},`+dose(1, "viên")+`}]`)
	got, err := PRNLimits(req)
	if err != nil {
		t.Fatal(err)
	}
	want := []PRNLimit{{Line: 0, Reason: "đau, sốt", Amount: 4, Unit: "viên", Per: 1, PerUnit: "d", PerWindow: 24 * time.Hour}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	bad := request(t, mon, `[{"asNeededBoolean":true,"maxDosePerPeriod":{"numerator":{"value":4}}}]`)
	if _, err := PRNLimits(bad); err == nil {
		t.Error("maxDosePerPeriod without denominator: no error")
	}
}
