package web_test

import (
	"strings"
	"testing"
)

// The summary of a synthetic patient (whose resources store Vietnamese
// unit and visit texts) reads in English when asked.
func TestSummaryLabelsLocalised(t *testing.T) {
	a := testApp(t)
	c := newClient(t, a, "en")
	id := patientOnMeds(t, c)
	c.signInClinician("clinician")
	r := c.get("/app/patients/" + id)
	if r.status != 200 {
		t.Fatalf("summary: status %d", r.status)
	}
	for _, vi := range []string{"lần/phút", "Khám và cấp thuốc", "Khám chẩn đoán", "mL/phút", "điểm"} {
		if strings.Contains(r.body, vi) {
			t.Errorf("English summary shows stored Vietnamese %q", vi)
		}
	}
	if !strings.Contains(r.body, "Chronic-disease follow-up") && !strings.Contains(r.body, "Diagnostic visit") {
		t.Errorf("English summary lacks an English visit type\n%s", snippet(r.body))
	}
	c.lang = "vi"
	r = c.get("/app/patients/" + id)
	if !strings.Contains(r.body, "Khám và cấp thuốc bệnh mạn tính") && !strings.Contains(r.body, "Khám chẩn đoán") {
		t.Errorf("Vietnamese summary lacks a Vietnamese visit type")
	}
}
