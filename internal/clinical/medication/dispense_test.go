package medication

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestDispenseFill(t *testing.T) {
	tests := []struct {
		name, json string
		want       Fill
		err        string
	}{
		{"daysSupply and ATC",
			`{"resourceType":"MedicationDispense","id":"d1","status":"completed","medicationCodeableConcept":{"coding":[{"system":"http://www.whocc.no/atc","code":"A10BA02"}]},"quantity":{"value":60},"daysSupply":{"value":30,"unit":"days","code":"d"},"whenHandedOver":"2024-03-04T16:30:00Z"}`,
			Fill{Drug: "A10BA02", Date: time.Date(2024, 3, 4, 23, 30, 0, 0, defaultLocation()), DaysSupply: 30}, ""},
		{"quantity over the dosage's daily amount",
			`{"resourceType":"MedicationDispense","id":"d2","status":"completed","medicationCodeableConcept":{"text":"Metformin 500mg"},"quantity":{"value":56},"whenPrepared":"2024-03-04",` +
				`"dosageInstruction":[{"timing":{"repeat":{"when":["PCM","PCV"]}},` + dose(1, "tablet") + `}]}`,
			Fill{Drug: "Metformin 500mg", Date: time.Date(2024, 3, 4, 0, 0, 0, 0, defaultLocation()), DaysSupply: 28}, ""},
		{"weekly methotrexate: 4 tablets a week, 12 tablets last 21 days",
			`{"resourceType":"MedicationDispense","status":"completed","medicationCodeableConcept":{"text":"MTX"},"quantity":{"value":12},"whenHandedOver":"2024-03-04",` +
				`"dosageInstruction":[{"timing":{"repeat":{"frequency":1,"period":1,"periodUnit":"wk","dayOfWeek":["mon"]}},` + dose(4, "tablet") + `}]}`,
			Fill{Drug: "MTX", Date: time.Date(2024, 3, 4, 0, 0, 0, 0, defaultLocation()), DaysSupply: 21}, ""},
		{"not completed", `{"resourceType":"MedicationDispense","status":"cancelled"}`, Fill{}, "not completed"},
		{"no date", `{"resourceType":"MedicationDispense","status":"completed","medicationCodeableConcept":{"text":"x"},"daysSupply":{"value":30}}`, Fill{}, "whenHandedOver"},
		{"no supply", `{"resourceType":"MedicationDispense","status":"completed","medicationCodeableConcept":{"text":"x"},"whenHandedOver":"2024-03-04"}`, Fill{}, "neither daysSupply"},
		{"PRN only dosage", `{"resourceType":"MedicationDispense","status":"completed","medicationCodeableConcept":{"text":"x"},"quantity":{"value":10},"whenHandedOver":"2024-03-04","dosageInstruction":[{"asNeededBoolean":true}]}`, Fill{}, "no scheduled daily amount"},
		{"bad unit", `{"resourceType":"MedicationDispense","status":"completed","medicationCodeableConcept":{"text":"x"},"daysSupply":{"value":1,"code":"mo"},"whenHandedOver":"2024-03-04"}`, Fill{}, "want days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := ParseDispense([]byte(tt.json))
			if err != nil {
				t.Fatal(err)
			}
			got, err := d.Fill(nil)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Drug != tt.want.Drug || !got.Date.Equal(tt.want.Date) || got.DaysSupply != tt.want.DaysSupply {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSupplySpansAndRefillDue(t *testing.T) {
	fills := []Fill{
		{"C09AA02", Date(2024, 1, 1), 30},
		{"C09AA02", Date(2024, 1, 25), 30}, // 6 days early: carried over to 31 Jan
		{"C09AA02", Date(2024, 4, 1), 30},  // after a gap
		{"C10AA05", Date(2024, 1, 10), 90},
	}
	got, err := SupplySpans(fills)
	if err != nil {
		t.Fatal(err)
	}
	want := []SupplySpan{
		{"C09AA02", Date(2024, 1, 1), Date(2024, 3, 1), 2},
		{"C09AA02", Date(2024, 4, 1), Date(2024, 5, 1), 1},
		{"C10AA05", Date(2024, 1, 10), Date(2024, 4, 9), 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("spans\n got %+v\nwant %+v", got, want)
	}
	due, err := RefillDue(fills, "C09AA02", 0)
	if err != nil || !due.Equal(Date(2024, 5, 1)) {
		t.Errorf("RefillDue = %v, %v; want 2024-05-01", due, err)
	}
	remind, _ := RefillDue(fills, "C09AA02", 3)
	if !remind.Equal(Date(2024, 4, 28)) {
		t.Errorf("reminder = %v, want 2024-04-28", remind)
	}
	if _, err := RefillDue(fills, "N02BE01", 0); err == nil {
		t.Error("unknown drug: no error")
	}
	if _, err := SupplySpans([]Fill{{"x", time.Time{}, 30}}); err == nil {
		t.Error("fill without date: no error")
	}
	if n := len(InClass(fills, "C09")); n != 3 {
		t.Errorf("InClass(C09) = %d fills, want 3", n)
	}
}

func TestDailyAmount(t *testing.T) {
	tests := []struct {
		dosage string
		want   float64
	}{
		{`[{"timing":{"repeat":{"when":["PCM","PCV"]}},` + dose(1, "tablet") + `}]`, 2},
		{`[{"timing":{"repeat":{"frequency":1,"period":8,"periodUnit":"h"}},` + dose(2, "tablet") + `}]`, 6},
		{`[{"timing":{"repeat":{"frequency":1,"period":2,"periodUnit":"d"}},` + dose(1, "tablet") + `}]`, 0.5},
		{`[{"timing":{"repeat":{"when":["ACM"]}},` + dose(10, "U") + `},{"timing":{"repeat":{"when":["ACV"]}},` + dose(8, "U") + `}]`, 18},
		{`[{"sequence":1,"timing":{"repeat":{"when":["PCM"]}},` + dose(40, "mg") + `},{"sequence":2,"timing":{"repeat":{"when":["PCM"]}},` + dose(30, "mg") + `}]`, 40},
	}
	for _, tt := range tests {
		r := request(t, mon, tt.dosage)
		got, err := DailyAmount(r.DosageInstruction)
		if err != nil || got != tt.want {
			t.Errorf("DailyAmount(%s) = %v, %v; want %v", tt.dosage, got, err, tt.want)
		}
	}
}
