package rawjson

import (
	"encoding/json"
	"errors"
	"testing"
)

func TestRewriteReferences(t *testing.T) {
	m := map[string]string{"urn:uuid:1": "Patient/a", "Organization?identifier=x": "Organization/o"}
	resolve := func(ref string) (string, error) {
		if ref == "bad" {
			return "", errors.New("no such entry")
		}
		if to, ok := m[ref]; ok {
			return to, nil
		}
		return ref, nil
	}
	cases := []struct{ in, want, err string }{
		{`{"subject":{"reference":"urn:uuid:1"}}`, `{"subject":{"reference":"Patient/a"}}`, ""},
		{`{"a":[{"reference" : "urn:uuid:1"},{"reference":"Organization?identifier=x"}]}`, `{"a":[{"reference" : "Patient/a"},{"reference":"Organization/o"}]}`, ""},
		{`{"text":"the \"reference\":\"urn:uuid:1\" in prose","x":{"reference":"Patient/b"}}`, `{"text":"the \"reference\":\"urn:uuid:1\" in prose","x":{"reference":"Patient/b"}}`, ""},
		{`{"note":"reference","r":{"reference":"urn:uuid:\u0031"}}`, `{"note":"reference","r":{"reference":"Patient/a"}}`, ""},
		{`{"r":{"reference":"bad"}}`, "", "no such entry"},
		{`{"r":{"reference":"urn:uuid:1`, "", "malformed"},
	}
	for _, c := range cases {
		got, err := RewriteReferences([]byte(c.in), resolve)
		if c.err != "" {
			if err == nil {
				t.Errorf("%s: no error, want %q", c.in, c.err)
			}
			continue
		}
		if err != nil || string(got) != c.want {
			t.Errorf("%s:\n got %s (%v)\nwant %s", c.in, got, err, c.want)
		}
	}
	same := []byte(`{"r":{"reference":"Patient/z"}}`)
	if got, _ := RewriteReferences(same, resolve); &got[0] != &same[0] {
		t.Error("an unchanged body was copied")
	}
}

// FuzzRewriteReferences: any input is scanned without panicking; a valid
// document stays valid JSON when every reference is rewritten.
func FuzzRewriteReferences(f *testing.F) {
	for _, s := range []string{`{"reference":"a"}`, `{"x":[{"reference":"u\"v"}]}`, `{"reference":`, `"reference"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		out, err := RewriteReferences(b, func(string) (string, error) { return `Patient/"q"`, nil })
		if err == nil && json.Valid(b) && !json.Valid(out) {
			t.Fatalf("valid %q became invalid %q", b, out)
		}
	})
}
