package web_test

import "testing"

// Clinician pages stay small for slow connections at commune stations:
// the HTML of each page plus the stylesheet and script it loads.
func TestClinicianPageWeight(t *testing.T) {
	a := testApp(t)
	c := newClient(t, a, "vi")
	id := patientOnMeds(t, c)
	c.signInClinician("clinician")
	assets := len(c.get("/static/app.css").body) + len(c.get("/static/app.js").body)
	for _, tt := range []struct {
		path string
		max  int
	}{
		{"/app", 24 << 10},
		{"/app/patients?q=nguyen", 48 << 10},
		{"/app/patients/" + id, 100 << 10},
		{"/app/patients/" + id + "/prescribe", 48 << 10},
		{"/app/worklists", 64 << 10},
		{"/app/population", 64 << 10},
	} {
		r := c.get(tt.path)
		if r.status != 200 {
			t.Errorf("%s: status %d", tt.path, r.status)
			continue
		}
		if got := len(r.body) + assets; got > tt.max {
			t.Errorf("%s weighs %d bytes with its assets, want <= %d", tt.path, got, tt.max)
		}
	}
}
