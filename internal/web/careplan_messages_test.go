package web

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// TestCareplanMessages: every id the community screens use has a
// Vietnamese and an English text.
func TestCareplanMessages(t *testing.T) {
	ref := regexp.MustCompile(`\bcpt "([a-zA-Z0-9_.-]+)"`)
	files, _ := filepath.Glob("templates/careplan_*.html")
	if len(files) == 0 {
		t.Fatal("no careplan templates found")
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ref.FindAllStringSubmatch(string(b), -1) {
			n++
			msg, ok := careplanMessages[m[1]]
			if !ok || msg[0] == "" || msg[1] == "" {
				t.Errorf("%s: message %q lacks a vi or en text", f, m[1])
			}
		}
	}
	if n < 20 {
		t.Errorf("found only %d message uses; is the scan broken?", n)
	}
}
