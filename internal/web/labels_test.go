package web

import (
	"testing"

	"github.com/sen-emr/sen/internal/i18n"
)

func TestUnitLabel(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang string
		q    quantity
		want string
	}{
		{"vi", quantity{Unit: "lần/phút", System: systemUCUM, Code: "/min"}, "lần/phút"},
		{"en", quantity{Unit: "lần/phút", System: systemUCUM, Code: "/min"}, "/min"},
		{"en", quantity{Unit: "mL/phút/1,73m²", System: systemUCUM, Code: "mL/min/{1.73_m2}"}, "mL/min/1.73 m²"},
		{"en", quantity{Unit: "điểm", Code: "{score}"}, "points"},
		{"vi", quantity{Unit: "mmHg", System: systemUCUM, Code: "mm[Hg]"}, "mmHg"},
		// Unknown code or another system: the stored text.
		{"en", quantity{Unit: "hộp", System: systemUCUM, Code: "{box}"}, "hộp"},
		{"en", quantity{Unit: "lần/phút", System: "http://example.org/units", Code: "/min"}, "lần/phút"},
		{"en", quantity{Code: "mg"}, "mg"},
	}
	for _, tt := range tests {
		if got := unitLabel(cat.Localizer(tt.lang), tt.q); got != tt.want {
			t.Errorf("unitLabel(%s, %+v) = %q, want %q", tt.lang, tt.q, got, tt.want)
		}
	}
}

func TestEncounterLabel(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	chronic := []concept{{Coding: []coding{{System: systemEncounterType, Code: "chronic-follow-up", Display: "Khám và cấp thuốc bệnh mạn tính"}}, Text: "Khám và cấp thuốc bệnh mạn tính"}}
	other := []concept{{Coding: []coding{{System: "http://snomed.info/sct", Code: "185349003", Display: "Encounter for check up"}}}}
	amb := coding{System: systemActCode, Code: "AMB", Display: "ambulatory"}
	tests := []struct {
		lang  string
		types []concept
		class coding
		want  string
	}{
		{"vi", chronic, amb, "Khám và cấp thuốc bệnh mạn tính"},
		{"en", chronic, amb, "Chronic-disease follow-up and medicines"},
		{"en", other, amb, "Encounter for check up"},
		{"en", nil, amb, "Outpatient"},
		{"vi", nil, amb, "Ngoại trú"},
		{"en", nil, coding{System: systemActCode, Code: "XYZ", Display: "something"}, "something"},
		{"en", nil, coding{}, ""},
	}
	for _, tt := range tests {
		if got := encounterLabel(cat.Localizer(tt.lang), tt.types, tt.class); got != tt.want {
			t.Errorf("encounterLabel(%s, %v, %v) = %q, want %q", tt.lang, tt.types, tt.class, got, tt.want)
		}
	}
}

func TestDoseUnitLabel(t *testing.T) {
	cat, err := i18n.New()
	if err != nil {
		t.Fatal(err)
	}
	tbl := []byte(`[{"doseAndRate":[{"doseQuantity":{"value":1,"unit":"viên","system":"http://unitsofmeasure.org","code":"{tbl}"}}]}]`)
	tests := []struct {
		lang   string
		dosage []byte
		want   string
	}{
		{"vi", tbl, "viên"},
		{"en", tbl, "tablet(s)"},
		{"en", []byte(`[{"text":"x"}]`), "viên"}, // no dose quantity: stored
		{"en", []byte(`not json`), "viên"},
	}
	for _, tt := range tests {
		if got := doseUnitLabel(cat.Localizer(tt.lang), tt.dosage, "viên"); got != tt.want {
			t.Errorf("doseUnitLabel(%s, %s) = %q, want %q", tt.lang, tt.dosage, got, tt.want)
		}
	}
}
