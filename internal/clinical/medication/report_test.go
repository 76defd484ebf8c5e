package medication

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func reportRequest(id, atc, name, start, end string) []byte {
	return []byte(fmt.Sprintf(`{"resourceType":"MedicationRequest","id":%q,"status":"active","intent":"order",
	 "medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":%q}],"text":%q},
	 "authoredOn":%q,"dosageInstruction":[{"timing":{"repeat":{"boundsPeriod":{"start":%q,"end":%q},
	 "frequency":1,"period":1,"periodUnit":"d"}},"doseAndRate":[{"doseQuantity":{"value":1,"unit":"viên"}}]}]}`,
		id, atc, name, start, start, end))
}

func reportDispense(id, atc, name, when string, days int) []byte {
	return []byte(fmt.Sprintf(`{"resourceType":"MedicationDispense","id":%q,"status":"completed",
	 "medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":%q}],"text":%q},
	 "whenHandedOver":%q,"daysSupply":{"value":%d,"code":"d"}}`, id, atc, name, when, days))
}

func reportAdmin(id, atc, status, when string) []byte {
	return []byte(fmt.Sprintf(`{"resourceType":"MedicationAdministration","id":%q,"status":%q,
	 "medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":%q}]},
	 "effectiveDateTime":%q}`, id, status, atc, when))
}

func reportRecords() Records {
	return Records{
		Requests: [][]byte{
			reportRequest("r1", "C08CA01", "Amlodipin 5 mg", "2025-01-01", "2025-04-30"),
		},
		Dispenses: [][]byte{
			reportDispense("d1", "C08CA01", "Amlodipin 5 mg", "2025-01-01T09:00:00+07:00", 30),
			reportDispense("d2", "C08CA01", "Amlodipin 5 mg", "2025-02-05T09:00:00+07:00", 30),
			reportDispense("d3", "C08CA01", "Amlodipin 5 mg", "2025-03-01T09:00:00+07:00", 30),
			reportDispense("d4", "C09CA01", "Losartan 50 mg", "2025-01-10T09:00:00+07:00", 30),
			reportDispense("d5", "C09CA03", "Valsartan 80 mg", "2025-03-01T09:00:00+07:00", 30),
			[]byte(`{"resourceType":"MedicationDispense","id":"bad","status":"completed","medicationCodeableConcept":{"text":"X"},"whenHandedOver":"2025-01-01","daysSupply":{"value":-3}}`),
		},
		Administrations: [][]byte{
			reportAdmin("a1", "C08CA01", "completed", "2025-03-25T07:10:00+07:00"),
			reportAdmin("a2", "C08CA01", "completed", "2025-03-26T10:00:00+07:00"),
			reportAdmin("a3", "C08CA01", "completed", "2025-03-28T07:00:00+07:00"),
			reportAdmin("a4", "C08CA01", "not-done", "2025-03-29T07:00:00+07:00"),
			reportAdmin("a5", "C08CA01", "completed", "2025-03-30T06:30:00+07:00"),
		},
	}
}

func TestBuildReportPDC(t *testing.T) {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		by   string
		want map[string]string // key → "pdc covered/days eligible"
	}{
		// Amlodipine: Jan 1–30, Feb 5–Mar 6, and the Mar 1 fill shifted to
		// Mar 7 (same drug): 30 + 56 covered of 91 days.
		{ByMedicine, map[string]string{
			"C08CA01": "0.9451 86/91 true",
			"C09CA01": "0.3659 30/82 false", // one fill: Jan 10 to Apr 1 = 82 days, 30 covered
			"C09CA03": "0.9375 30/32 false", // one fill: Mar 1 to Apr 1, 30 covered
		}},
		// Losartan and valsartan are one class: Jan 10–Feb 8 and Mar 1–30
		// of the 82 days from Jan 10.
		{ByClass, map[string]string{
			"C08": "0.9451 86/91 true",
			"C09": "0.7317 60/82 false",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.by, func(t *testing.T) {
			rep, err := BuildReport(reportRecords(), ReportOptions{
				Start: Date(2025, 1, 1), End: Date(2025, 4, 1), By: tt.by, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, g := range rep.Groups {
				if g.PDC == nil {
					t.Fatalf("%s: no PDC", g.Key)
				}
				got[g.Key] = fmt.Sprintf("%.4f %d/%d %v", g.PDC.PDC, g.PDC.DaysCovered, g.PDC.DaysInPeriod, g.PDC.Eligible)
			}
			for k, w := range tt.want {
				if got[k] != w {
					t.Errorf("%s: got %q, want %q", k, got[k], w)
				}
			}
			if len(got) != len(tt.want) {
				t.Errorf("groups %v, want %v", got, tt.want)
			}
			if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], "MedicationDispense/bad") {
				t.Errorf("warnings = %q, want the bad dispense named", rep.Warnings)
			}
		})
	}
}

func TestBuildReportDoses(t *testing.T) {
	rep, err := BuildReport(reportRecords(), ReportOptions{
		Start: Date(2025, 3, 25), End: Date(2025, 3, 31), Method: "doses", Now: time.Date(2025, 4, 10, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	// Daily 07:00 from Mar 25 to 31: taken 25 (on time), 26 (late, 3 h),
	// 28 and 30 (on time); 27, 29 (not-done) and 31 missed.
	// The 29th was reported missed; the 27th and 31st are unconfirmed.
	want := TimingStats{Due: 7, Taken: 4, OnTime: 3, Missed: 3, ConfirmedMissed: 1, Unconfirmed: 2,
		TakenShare: 4.0 / 7, OnTimeShare: 3.0 / 7, ConfirmedShare: 4.0 / 5, UnconfirmedShare: 2.0 / 7}
	if rep.Doses != want {
		t.Errorf("doses = %+v, want %+v", rep.Doses, want)
	}
	b, err := json.Marshal(rep.Parameters())
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{`{"name":"confirmedMissed","valueInteger":1}`, `{"name":"unconfirmed","valueInteger":2}`,
		`{"name":"missed","valueInteger":3}`, `{"name":"confirmedShare","valueDecimal":0.8000}`, `{"name":"unconfirmedShare","valueDecimal":0.2857}`,
		`{"name":"takenShare","valueDecimal":0.5714}`} {
		if !strings.Contains(string(b), part) {
			t.Errorf("doses Parameters lack %s:\n%s", part, b)
		}
	}
	obs, err := rep.Observations("Patient/p1", time.Date(2025, 4, 10, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(obs) != 1 || !strings.Contains(string(obs[0]), `"code":"dose-taken"`) || !strings.Contains(string(obs[0]), `"valueQuantity":{"code":"%","system":"http://unitsofmeasure.org","unit":"%","value":80.0}`) ||
		!strings.Contains(string(obs[0]), `"value":28.6`) {
		t.Errorf("dose observation: %s", obs)
	}
	var amlo *GroupReport
	for i := range rep.Groups {
		if rep.Groups[i].Key == "C08CA01" {
			amlo = &rep.Groups[i]
		}
	}
	if amlo == nil || amlo.Doses == nil || amlo.Doses.Due != 7 {
		t.Fatalf("amlodipine group = %+v", amlo)
	}
	var statuses []string
	for _, d := range rep.Strip {
		statuses = append(statuses, d.Date.Format("02")+":"+d.Status.String())
	}
	got := strings.Join(statuses, " ")
	// Days before the period have no doses: the strip is bounded by it.
	want14 := "18:no-doses 19:no-doses 20:no-doses 21:no-doses 22:no-doses 23:no-doses 24:no-doses " +
		"25:all-on-time 26:all-taken 27:none-taken 28:all-on-time 29:none-taken 30:all-on-time 31:none-taken"
	if got != want14 {
		t.Errorf("strip:\n got %s\nwant %s", got, want14)
	}
}

func TestBuildReportCMA(t *testing.T) {
	rep, err := BuildReport(reportRecords(), ReportOptions{
		Start: Date(2025, 1, 1), End: Date(2025, 4, 1), Method: "CMA7", Now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, g := range rep.Groups {
		if g.CMA != nil {
			got[g.Key] = fmt.Sprintf("%.4f", *g.CMA)
		} else {
			got[g.Key] = "NA"
		}
	}
	// CMA7 (carry-over within the window) on 91 days: amlodipine covers
	// Jan 1–30 and, carrying the Feb 5 oversupply, Feb 5–Apr 1 = 86 days.
	if got["C08CA01"] != "0.9451" {
		t.Errorf("C08CA01 CMA7 = %s, want 0.9451", got["C08CA01"])
	}
	// Losartan: 30 of 91 days.
	if got["C09CA01"] != "0.3297" {
		t.Errorf("C09CA01 CMA7 = %s, want 0.3297", got["C09CA01"])
	}
}

func TestBuildReportErrors(t *testing.T) {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	ok := ReportOptions{Start: Date(2025, 1, 1), End: Date(2025, 4, 1), Now: now}
	tests := []struct {
		name string
		rec  Records
		mod  func(*ReportOptions)
		opts bool // want ErrBadOptions
	}{
		{"bad method", Records{}, func(o *ReportOptions) { o.Method = "cma10" }, true},
		{"bad by", Records{}, func(o *ReportOptions) { o.By = "atc" }, true},
		{"end before start", Records{}, func(o *ReportOptions) { o.End = Date(2024, 1, 1) }, true},
		{"no now", Records{}, func(o *ReportOptions) { o.Now = time.Time{} }, true},
		{"wrong type", Records{Dispenses: [][]byte{[]byte(`{"resourceType":"Patient"}`)}}, nil, false},
		{"not json", Records{Requests: [][]byte{[]byte(`{`)}}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			if tt.mod != nil {
				tt.mod(&o)
			}
			_, err := BuildReport(tt.rec, o)
			if err == nil {
				t.Fatal("no error")
			}
			if got := errors.Is(err, ErrBadOptions); got != tt.opts {
				t.Errorf("errors.Is(%v, ErrBadOptions) = %v, want %v", err, got, tt.opts)
			}
		})
	}
}

func TestReportParametersAndObservations(t *testing.T) {
	rep, err := BuildReport(reportRecords(), ReportOptions{Start: Date(2025, 1, 1), End: Date(2025, 4, 1), Now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(rep.Parameters())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"resourceType":"Parameters"`, `{"name":"pdc","valueDecimal":0.9451}`, `{"name":"method","valueCode":"pdc"}`, `"name":"strip"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("Parameters lacks %s:\n%s", want, b)
		}
	}
	obs, err := rep.Observations("Patient/p1", time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if len(obs) != 3 {
		t.Fatalf("%d observations, want 3", len(obs))
	}
	var o struct {
		ResourceType   string
		ValueQuantity  struct{ Value float64 }
		Interpretation []struct{ Coding []Coding }
	}
	if err := json.Unmarshal(obs[0], &o); err != nil {
		t.Fatal(err)
	}
	if o.ResourceType != "Observation" || o.ValueQuantity.Value != 94.5 || o.Interpretation[0].Coding[0].Code != "N" {
		t.Errorf("observation = %s", obs[0])
	}
}
