package web

import (
	"os"
	"regexp"
	"testing"
)

// TestCareplanTeamMessages: every id the caregiver's plan page and the
// editor translate — written in the templates or made from a code — has a
// Vietnamese and an English text.
func TestCareplanTeamMessages(t *testing.T) {
	ref := regexp.MustCompile(`\bcpx "([a-zA-Z0-9_.-]+)"`)
	var ids []string
	for _, name := range careplanTeamPages {
		b, err := os.ReadFile("templates/" + name + ".html")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ref.FindAllStringSubmatch(string(b), -1) {
			ids = append(ids, m[1])
		}
	}
	if len(ids) < 30 {
		t.Fatalf("found only %d message uses; is the scan broken?", len(ids))
	}
	for _, k := range cpActivityKinds {
		ids = append(ids, "cp.kind."+k.Code)
	}
	for _, m := range cpMeasures {
		ids = append(ids, "cp.m."+m.Key)
	}
	for _, a := range []string{"achieved", "sustaining", "improving", "worsening", "no-change", "not-achieved"} {
		ids = append(ids, "cp.ach."+a)
	}
	for _, id := range ids {
		msg, ok := careplanTeamMessages[id]
		if !ok {
			msg, ok = careplanMessages[id]
		}
		if !ok || msg[0] == "" || msg[1] == "" {
			t.Errorf("message %q lacks a vi or en text", id)
		}
	}
}
