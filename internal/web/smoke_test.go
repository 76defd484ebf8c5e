package web_test

import (
	"regexp"
	"testing"
)

var untranslated = regexp.MustCompile(`\[[a-z]+(\.[A-Za-z0-9-]+)+\]`)

func TestSmoke(t *testing.T) {
	a := testApp(t)
	c := newClient(t, a, "vi")
	c.signInClinician("clinician")
	r := c.get("/app/patients?q=nguyen")
	t.Log(r.status, snippet(r.body))
}
