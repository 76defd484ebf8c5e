package alert

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/chat"
	"github.com/sen-emr/sen/internal/clinical/risk"
)

// dailyRequest is amlodipine once a day at 08:00 from 1 June 2025.
func dailyRequest(id, atc, name string) []byte {
	return fmt.Appendf(nil, `{"resourceType":"MedicationRequest","id":%q,"status":"active","intent":"order","subject":{"reference":"Patient/p"},
"medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":%q}],"text":%q},"authoredOn":"2025-06-01",
"dosageInstruction":[{"timing":{"repeat":{"boundsPeriod":{"start":"2025-06-01"},"frequency":1,"period":1,"periodUnit":"d","timeOfDay":["08:00:00"]}},
"doseAndRate":[{"doseQuantity":{"value":1,"unit":"viên"}}]}]}`, id, atc, name)
}

func admin(id, atc, status string, at time.Time) []byte {
	return fmt.Appendf(nil, `{"resourceType":"MedicationAdministration","id":%q,"status":%q,"subject":{"reference":"Patient/p"},
"medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":%q}]},"effectiveDateTime":%q}`, id, status, atc, at.Format(time.RFC3339))
}

// pattern records the last len(p) daily doses up to 30 June: T taken,
// M reported missed, ? nothing; every earlier dose from 20 June is taken.
func pattern(atc, p string) [][]byte {
	var out [][]byte
	last := time.Date(2025, 6, 30, 8, 0, 0, 0, ict)
	first := last.AddDate(0, 0, 1-len(p))
	for d := time.Date(2025, 6, 20, 8, 0, 0, 0, ict); d.Before(first); d = d.AddDate(0, 0, 1) {
		out = append(out, admin("t"+d.Format("0102"), atc, "completed", d.Add(10*time.Minute)))
	}
	for i, c := range p {
		d := first.AddDate(0, 0, i)
		switch c {
		case 'T':
			out = append(out, admin("t"+d.Format("0102"), atc, "completed", d.Add(10*time.Minute)))
		case 'M':
			out = append(out, admin("m"+d.Format("0102"), atc, "not-done", d.Add(-time.Hour)))
		}
	}
	return out
}

func TestEvaluateMissedDoses(t *testing.T) {
	now := time.Date(2025, 6, 30, 20, 0, 0, 0, ict)
	const atc = "C08CA01"
	tests := []struct {
		name     string
		pattern  string
		n        int // MissedInARow
		evidence string
	}{
		{"none missed", "TTTT", 0, ""},
		{"one missed", "TTTM", 0, ""},
		{"two missed", "TTMM", 0, ""},
		{"three missed", "TMMM", 0, "m0630 m0629 m0628"},
		{"four missed", "MMMM", 0, "m0630 m0629 m0628 m0627"},
		{"misses separated by a taken dose", "MMTMM", 0, ""},
		{"taken after three misses", "MMMT", 0, ""},
		{"unconfirmed doses neither count nor break", "M?M?M", 0, "m0630 m0628 m0626"},
		{"nothing confirmed", "?????", 0, ""},
		{"N = 2", "TTMM", 2, "m0630 m0629"},
		{"N = 5, four missed", "MMMM", 5, ""},
		{"turned off", "MMMM", -1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chart := risk.Record{Requests: [][]byte{dailyRequest("r1", atc, "Amlodipin 5 mg")}, Administrations: pattern(atc, tt.pattern)}
			got, err := Evaluate(Input{Chart: chart, Now: now, Loc: ict, MissedInARow: tt.n, Kinds: []Kind{MissedDoses}})
			if err != nil {
				t.Fatal(err)
			}
			if tt.evidence == "" {
				if len(got) != 0 {
					t.Fatalf("alerts %+v, want none", got)
				}
				return
			}
			if len(got) != 1 || got[0].Kind != MissedDoses || got[0].Medication != atc || got[0].MedicationLabel != "Amlodipin 5 mg" {
				t.Fatalf("alerts %+v, want one doses-missed alert for %s", got, atc)
			}
			var ev []string
			for _, e := range got[0].Evidence {
				ev = append(ev, strings.TrimPrefix(e, "MedicationAdministration/"))
			}
			if strings.Join(ev, " ") != tt.evidence {
				t.Errorf("evidence %v, want %s", ev, tt.evidence)
			}
			r := got[0].Reasons[0]
			n := len(strings.Fields(tt.evidence))
			if !strings.Contains(r.VI, fmt.Sprintf("bỏ %d liều liên tiếp", n)) || !strings.Contains(r.EN, fmt.Sprintf("%d doses missed in a row", n)) {
				t.Errorf("reason %+v", r)
			}
		})
	}
	// Misses older than the lookback do not raise an alert.
	chart := risk.Record{Requests: [][]byte{dailyRequest("r1", atc, "Amlodipin 5 mg")}, Administrations: pattern(atc, "MMM??")}
	if got, _ := Evaluate(Input{Chart: chart, Now: now, Loc: ict, Lookback: 3 * 24 * time.Hour}); len(got) != 0 {
		t.Errorf("misses before the lookback raised %+v", got)
	}
	// Two medicines: one alert each, only for the one missed.
	chart = risk.Record{
		Requests:        [][]byte{dailyRequest("r1", atc, "Amlodipin 5 mg"), dailyRequest("r2", "A10BA02", "Metformin 500 mg")},
		Administrations: append(pattern(atc, "MMM"), pattern("A10BA02", "TTT")...),
	}
	got, err := Evaluate(Input{Chart: chart, Now: now, Loc: ict})
	if err != nil || len(got) != 1 || got[0].Medication != atc {
		t.Errorf("two medicines: %+v %v", got, err)
	}
}

// report is a side-effect Communication as the chat flow records it.
func report(tb testing.TB, id, msg string, r chat.Result, atc, med string, at time.Time) []byte {
	tb.Helper()
	res, err := r.Resources(chat.Context{Patient: "Patient/p", Received: at, MedicationATC: atc, MedicationText: med, Text: msg})
	if err != nil || len(res) != 1 {
		tb.Fatalf("chat resources %s %v", res, err)
	}
	var m map[string]any
	if err := json.Unmarshal(res[0], &m); err != nil {
		tb.Fatal(err)
	}
	m["id"] = id
	b, _ := json.Marshal(m)
	return b
}

func TestEvaluateSideEffects(t *testing.T) {
	now := time.Date(2025, 6, 30, 20, 0, 0, 0, ict)
	at := func(daysAgo int) time.Time { return now.AddDate(0, 0, -daysAgo) }
	dizzy := chat.Parse("bị chóng mặt", chat.Options{})
	unnamed := chat.Result{Intent: chat.SideEffect} // e.g. from another classifier: no symptom
	question := chat.Parse("uống trước hay sau ăn?", chat.Options{})
	tests := []struct {
		name    string
		reports [][]byte
		want    []string // per alert: medication|evidence…
		reason  string   // in the first alert's first Vietnamese reason
		en      string   // in its English reason
	}{
		{"no reports", nil, nil, "", ""},
		{"with a symptom", [][]byte{report(t, "c1", "bị chóng mặt", dizzy, "C08CA01", "Amlodipin 5 mg", at(1))},
			[]string{"C08CA01|Communication/c1"}, "Amlodipin 5 mg: người bệnh báo tác dụng không mong muốn — Chóng mặt", "the patient reported a side effect — dizziness"},
		{"without a symptom", [][]byte{report(t, "c1", "thuốc này làm tôi khó chịu", unnamed, "C08CA01", "Amlodipin 5 mg", at(1))},
			[]string{"C08CA01|Communication/c1"}, "— chưa rõ triệu chứng, lúc 20:00 29/06/2025 («thuốc này làm tôi khó chịu»)", "symptom not stated"},
		{"no medicine named", [][]byte{report(t, "c1", "bị chóng mặt", dizzy, "", "", at(1))},
			[]string{"|Communication/c1"}, "Chưa rõ thuốc: người bệnh báo tác dụng không mong muốn — Chóng mặt", "Medicine not named"},
		{"two reports, one medicine: one alert, newest first", [][]byte{
			report(t, "c1", "bị chóng mặt", dizzy, "C08CA01", "Amlodipin 5 mg", at(3)),
			report(t, "c2", "bị chóng mặt", dizzy, "C08CA01", "Amlodipin 5 mg", at(1))},
			[]string{"C08CA01|Communication/c2 Communication/c1"}, "Chóng mặt", ""},
		{"two medicines", [][]byte{
			report(t, "c1", "bị chóng mặt", dizzy, "C08CA01", "Amlodipin 5 mg", at(1)),
			report(t, "c2", "bị chóng mặt", dizzy, "A10BA02", "Metformin", at(1))},
			[]string{"A10BA02|Communication/c2", "C08CA01|Communication/c1"}, "Metformin", ""},
		{"older than the lookback", [][]byte{report(t, "c1", "bị chóng mặt", dizzy, "C08CA01", "Amlodipin 5 mg", at(15))}, nil, "", ""},
		{"a question is no side effect", [][]byte{report(t, "c1", "uống trước hay sau ăn?", question, "C08CA01", "Amlodipin 5 mg", at(1))}, nil, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Evaluate(Input{Reports: tt.reports, Now: now, Loc: ict})
			if err != nil {
				t.Fatal(err)
			}
			var keys []string
			for _, a := range got {
				if a.Kind != SideEffect || len(a.Reasons) != len(a.Evidence) {
					t.Errorf("alert %+v", a)
				}
				keys = append(keys, a.Medication+"|"+strings.Join(a.Evidence, " "))
			}
			if fmt.Sprint(keys) != fmt.Sprint(tt.want) && !(len(keys) == 0 && len(tt.want) == 0) {
				t.Fatalf("alerts %v, want %v", keys, tt.want)
			}
			if tt.reason != "" && !strings.Contains(got[0].Reasons[0].VI, tt.reason) {
				t.Errorf("reason %q, want %q in it", got[0].Reasons[0].VI, tt.reason)
			}
			if tt.en != "" && !strings.Contains(got[0].Reasons[0].EN, tt.en) {
				t.Errorf("reason %q, want %q in it", got[0].Reasons[0].EN, tt.en)
			}
		})
	}
	if _, err := Evaluate(Input{Reports: [][]byte{[]byte("{")}, Now: now}); err == nil {
		t.Error("a report that is not JSON: no error")
	}
}
