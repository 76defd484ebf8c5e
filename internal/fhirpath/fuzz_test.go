package fhirpath

import (
	"testing"
	"time"
)

// FuzzParse checks that no input makes the parser or the evaluator panic,
// and that an expression's String() form parses back to the same form.
func FuzzParse(f *testing.F) {
	for _, s := range benchExpressions {
		f.Add(s)
	}
	for _, s := range []string{
		"2 + 2 /* c */ * 3", "@2015-02-04T14:34:28.123+10:00 + 1 'ms'", "'a\\u0065\\'b'.length()",
		"%`vs-x` = %resource.id", "(1 | 2).aggregate($this + $total, 0)", "-1.5 'mg'.abs()",
		"name.`given`[0]", "{}.exists() xor true implies false", "@T10:30 < @T11", "1 div 0 mod 2",
	} {
		f.Add(s)
	}
	pat, err := DecodeJSON([]byte(`{"resourceType":"Patient","id":"p1","active":true,"birthDate":"1970-01-02",
		"_birthDate":{"extension":[{"url":"u","valueString":"x"}]},
		"name":[{"use":"official","family":"Nguyen","given":["Van","An"]}],
		"deceasedBoolean":false,"contained":[{"resourceType":"Organization","id":"o1"}]}`))
	if err != nil {
		f.Fatal(err)
	}
	opts := &Options{Now: func() time.Time { return time.Unix(0, 0) }}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			return
		}
		s1 := e.String()
		e2, err := Parse(s1)
		if err != nil {
			t.Fatalf("String() of %q is %q, which does not parse: %v", src, s1, err)
		}
		if s2 := e2.String(); s2 != s1 {
			t.Fatalf("String() not stable: %q -> %q -> %q", src, s1, s2)
		}
		_, _ = e.Evaluate(pat, opts)
	})
}
