package sign

import (
	"errors"
	"testing"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"sorts and strips meta", `{"resourceType":"Composition","meta":{"versionId":"3","lastUpdated":"2026-01-01T00:00:00Z"},"id":"c1","b":[1, 2]}`,
			`{"b":[1,2],"id":"c1","resourceType":"Composition"}`},
		{"keeps other meta", `{"meta":{"versionId":"1","profile":["p"]},"a":true}`, `{"a":true,"meta":{"profile":["p"]}}`},
		// RFC 8785 §3.2.3 example: sorting by UTF-16 code units.
		{"utf16 order", `{"\u20ac":"Euro","\r":"CR","\ufb33":"Hebrew","1":"One","\ud83d\ude00":"Smiley","\u0080":"Control","\u00f6":"Latin"}`,
			"{\"\\r\":\"CR\",\"1\":\"One\",\"\u0080\":\"Control\",\"\u00f6\":\"Latin\",\"\u20ac\":\"Euro\",\"\U0001F600\":\"Smiley\",\"\ufb33\":\"Hebrew\"}"},
		// RFC 8785 Appendix B number samples.
		{"numbers", `{"n":[333333333.33333329, 1E30, 4.50, 2e-3, 0.000001, 1e-7, 1e21, 999999999999999999999, -0, 100]}`,
			`{"n":[333333333.3333333,1e+30,4.5,0.002,0.000001,1e-7,1e+21,1e+21,0,100]}`},
		{"vietnamese and escapes", `{"text":"Nguyễn Văn A\n\u0001\"\\/"}`, "{\"text\":\"Nguyễn Văn A\\n\\u0001\\\"\\\\/\"}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Canonical([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestCanonicalRejects(t *testing.T) {
	for _, in := range []string{``, `[1]`, `{"a":1}{}`, `{"a":1,"a":2}`, `{"a":`, "{\"a\":\"\xff\"}", `{"n":1e999}`} {
		if _, err := Canonical([]byte(in)); !errors.Is(err, ErrMalformed) && err == nil {
			t.Errorf("Canonical(%q): no error", in)
		}
	}
}

func FuzzCanonical(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Patient","name":[{"text":"Đặng Thị Thuỷ"}],"x":1.50}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Canonical(b)
		if err != nil {
			return
		}
		// Canonical output is a fixed point.
		c2, err := Canonical(c)
		if err != nil || string(c2) != string(c) {
			t.Fatalf("not idempotent: %s -> %s (%v)", c, c2, err)
		}
	})
}
