package population

import (
	"encoding/json"
	"strings"
	"testing"
)

const patientJSON = `{"resourceType":"Patient","id":"p1","meta":{"versionId":"3"},
 "text":{"status":"generated","div":"<div>Nguyễn Văn An</div>"},
 "identifier":[{"system":"https://sen-emr.github.io/fhir/sid/cccd","value":"001085012345"},{"system":"https://sen-emr.github.io/fhir/sid/bhyt","value":"DN4010123456789"}],
 "name":[{"family":"Nguyễn","given":["Văn","An"]}],
 "telecom":[{"system":"phone","value":"0912345678"}],
 "gender":"male","birthDate":"1957-08-14",
 "address":[{"line":["12 Hàng Bạc"],"city":"Hoàn Kiếm","state":"Hà Nội","extension":[
   {"url":"https://sen-emr.github.io/fhir/StructureDefinition/address-admin-unit","valueCoding":{"system":"https://sen-emr.github.io/fhir/CodeSystem/vn-province","code":"01"}},
   {"url":"https://sen-emr.github.io/fhir/StructureDefinition/address-admin-unit","valueCoding":{"system":"https://sen-emr.github.io/fhir/CodeSystem/vn-commune","code":"00070"}}]}],
 "contact":[{"name":{"family":"Trần"}}],
 "extension":[{"url":"https://sen-emr.github.io/fhir/StructureDefinition/synthetic-household","valueString":"hh-9"}]}`

const obsJSON = `{"resourceType":"Observation","id":"o1","status":"final","subject":{"reference":"Patient/p1","display":"Nguyễn Văn An"},
 "effectiveDateTime":"2024-03-10T08:30:00+07:00","issued":"2024-03-10T09:00:00+07:00",
 "code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]},"valueQuantity":{"value":150,"unit":"mmHg"},
 "note":[{"text":"Bệnh nhân An nói ..."}]}`

func TestDeidentify(t *testing.T) {
	d, err := NewDeidentifierWithSecret([]byte("0123456789abcdef-test-secret"))
	if err != nil {
		t.Fatal(err)
	}
	d.ProvinceName = func(code string) string { return map[string]string{"01": "Hà Nội"}[code] }
	pb, err := d.Resource([]byte(patientJSON), "p1")
	if err != nil {
		t.Fatal(err)
	}
	ps := string(pb)
	for _, leak := range []string{"Nguyễn", "001085012345", "DN4010123456789", "0912345678", "Hàng Bạc", "Hoàn Kiếm", "00070", "hh-9", "1957-08", `"p1"`, "Trần"} {
		if strings.Contains(ps, leak) {
			t.Errorf("de-identified Patient still contains %q: %s", leak, ps)
		}
	}
	var p map[string]any
	_ = json.Unmarshal(pb, &p)
	if p["birthDate"] != "1957" || p["gender"] != "male" {
		t.Errorf("birthDate %v gender %v", p["birthDate"], p["gender"])
	}
	addr := p["address"].([]any)[0].(map[string]any)
	if addr["state"] != "Hà Nội" || len(addr) != 2 {
		t.Errorf("address %v, want province only", addr)
	}
	if p["id"] != d.Pseudonym("Patient", "p1") || len(p["id"].(string)) != 32 {
		t.Errorf("id %v", p["id"])
	}

	ob, err := d.Resource([]byte(obsJSON), "p1")
	if err != nil {
		t.Fatal(err)
	}
	var o struct {
		Subject           map[string]any
		EffectiveDateTime string
		Issued            string
		Note              any
	}
	_ = json.Unmarshal(ob, &o)
	if o.Subject["reference"] != "Patient/"+d.Pseudonym("Patient", "p1") || o.Subject["display"] != nil {
		t.Errorf("subject %v", o.Subject)
	}
	if o.Note != nil {
		t.Error("note kept")
	}
	shift := d.ShiftDays("p1")
	if shift == 0 || shift < -182 || shift > 182 {
		t.Fatalf("shift %d", shift)
	}
	if want := shiftDate("2024-03-10T08:30:00+07:00", shift); o.EffectiveDateTime != want || o.EffectiveDateTime == "2024-03-10T08:30:00+07:00" {
		t.Errorf("effective %s, want %s", o.EffectiveDateTime, want)
	}
	// Intervals within a patient are kept: issued - effective stays 30 min.
	if !strings.HasSuffix(o.Issued, "09:00:00+07:00") {
		t.Errorf("issued %s", o.Issued)
	}

	// Another extract (another secret) gives unlinkable keys.
	d2, _ := NewDeidentifier()
	if d2.Pseudonym("Patient", "p1") == d.Pseudonym("Patient", "p1") {
		t.Error("pseudonyms linkable across extracts")
	}
	if _, err := NewDeidentifierWithSecret([]byte("short")); err == nil {
		t.Error("short secret accepted")
	}
	if _, err := d.Resource([]byte("{"), "p1"); err == nil {
		t.Error("malformed JSON accepted")
	}
	if got := PatientOf([]byte(obsJSON)); got != "p1" {
		t.Errorf("PatientOf = %q", got)
	}
}

func TestShiftDaysSpread(t *testing.T) {
	d, _ := NewDeidentifierWithSecret([]byte("0123456789abcdef"))
	d.MaxShiftDays = 3
	seen := map[int]bool{}
	for i := 0; i < 200; i++ {
		n := d.ShiftDays(string(rune('a'+i%26)) + itoa(i))
		if n == 0 || n < -3 || n > 3 {
			t.Fatalf("shift %d out of range", n)
		}
		seen[n] = true
	}
	if len(seen) != 6 {
		t.Errorf("shifts used %v, want all of ±1..3", seen)
	}
}

func TestKAnonymity(t *testing.T) {
	rows := [][]string{
		{"1957", "male", "01", "x"}, {"1958", "male", "01", "x"}, {"1951", "male", "01", "x"},
		{"1953", "male", "01", "x"}, {"1955", "male", "01", "x"},
		{"1962", "female", "79", "x"}, {"1964", "female", "79", "x"}, {"1960", "female", "79", "x"},
		{"1968", "female", "79", "x"}, {"1969", "female", "79", "x"},
		{"1990", "female", "79", "x"},
	}
	qi := []int{0, 1, 2}
	if k, err := KAnonymity(rows, qi); err != nil || k != 1 {
		t.Fatalf("k = %d, %v; want 1", k, err)
	}
	// Suppression limit 10%: decades, then the one 1990s row is suppressed.
	out, suppressed, err := EnforceK(rows, qi, 5, map[int]Generaliser{0: YearToDecade}, 0.10)
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := KAnonymity(out, qi); k < 5 {
		t.Errorf("released k = %d", k)
	}
	if suppressed != 1 || len(out) != 10 || out[0][0] != "1950-1959" {
		t.Errorf("suppressed %d, kept %d, first %v", suppressed, len(out), out[0])
	}
	// No suppression allowed: the birth year is generalised away.
	out, suppressed, _ = EnforceK(rows, qi, 5, map[int]Generaliser{0: YearToDecade}, 0)
	if suppressed != 0 || len(out) != 11 || out[0][0] != "*" {
		t.Errorf("no suppression: suppressed %d, first %v", suppressed, out[0])
	}
	// Nothing to generalise: suppress what violates k.
	out, suppressed, _ = EnforceK(rows, qi, 5, nil, 0)
	if suppressed != 11 || len(out) != 0 {
		t.Errorf("nothing to generalise: suppressed %d kept %d", suppressed, len(out))
	}
	if rows[0][0] != "1957" {
		t.Error("input modified")
	}
	if _, _, err := EnforceK(rows, qi, 1, nil, 0); err == nil {
		t.Error("k=1 accepted")
	}
	if _, err := KAnonymity(rows, []int{9}); err == nil {
		t.Error("bad column accepted")
	}
}
