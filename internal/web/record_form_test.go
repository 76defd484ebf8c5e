package web_test

import (
	"html"
	"regexp"
	"strings"
	"testing"
)

// The summary links each encounter's record forms; the link gives a PDF,
// or printable HTML, and a wrong form name is an error page.
func TestEncounterFormLinks(t *testing.T) {
	a := testApp(t)
	c := newClient(t, a, "vi")
	id := patientOnMeds(t, c)
	c.signInClinician("clinician")
	r := c.get("/app/patients/" + id)
	links := regexp.MustCompile(`href="(/app/encounters/[^"]+/form\?type=[a-z]+)"`).FindAllStringSubmatch(r.body, -1)
	if len(links) < 2 || !strings.Contains(r.body, "In (PDF)") {
		t.Fatalf("summary has %d form links:\n%s", len(links), snippet(r.body))
	}
	tests := []struct {
		name   string
		path   string
		status int
		want   string
	}{
		{"record as PDF", html.UnescapeString(links[0][1]), 200, "%PDF-"},
		{"prescription as PDF", html.UnescapeString(links[1][1]), 200, "%PDF-"},
		{"record as HTML", html.UnescapeString(links[0][1]) + "&format=html", 200, "Họ và tên người bệnh"},
		{"unknown form", strings.Split(html.UnescapeString(links[0][1]), "?")[0] + "?type=x", 400, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.get(tt.path)
			if got.status != tt.status || !strings.Contains(got.body, tt.want) {
				t.Errorf("%s: status %d, want %d; body %.120q lacks %q", tt.path, got.status, tt.status, got.body, tt.want)
			}
		})
	}
}
