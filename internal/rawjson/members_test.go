package rawjson

import (
	"encoding/json"
	"testing"
)

func TestMembers(t *testing.T) {
	cases := []struct {
		in   string
		keys []string
		vals []string
		bad  bool
	}{
		{`{}`, nil, nil, false},
		{` { "a" : 1 , "b":[1,{"x":"}"}], "c":{"d":"e\"f"} } `[1:], []string{"a", "b", "c"}, []string{`1`, `[1,{"x":"}"}]`, `{"d":"e\"f"}`}, false},
		{`{"k\u0065y":true,"n":null}`, []string{"key", "n"}, []string{`true`, `null`}, false},
		{`{"resourceType":"Patient","name":[{"family":"Nguyễn"}]}`, []string{"resourceType", "name"}, []string{`"Patient"`, `[{"family":"Nguyễn"}]`}, false},
		{`{"a":1`, nil, nil, true},
		{`{"a" 1}`, nil, nil, true},
		{`{"a":"x}`, nil, nil, true},
		{`{"a":[1,2}`, nil, nil, true},
		{`{a:1}`, nil, nil, true},
		{`[1]`, nil, nil, true},
		{``, nil, nil, true},
	}
	for _, c := range cases {
		ms, err := Members([]byte(c.in), 0)
		if c.bad {
			if err == nil {
				t.Errorf("%q: no error", c.in)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.in, err)
			continue
		}
		if len(ms) != len(c.keys) {
			t.Errorf("%q: %d members, want %d", c.in, len(ms), len(c.keys))
			continue
		}
		for i, m := range ms {
			if m.Key != c.keys[i] || c.in[m.Start:m.End] != c.vals[i] {
				t.Errorf("%q member %d = %q:%q, want %q:%q", c.in, i, m.Key, c.in[m.Start:m.End], c.keys[i], c.vals[i])
			}
		}
	}
}

// FuzzMembers: on valid JSON objects the members agree with encoding/json;
// on anything the scanner never panics and stays in bounds.
func FuzzMembers(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1,"b":[{"c":"d"}]}`, `{"a":"\"}"}`, `{"a":`, `[]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ms, err := Members(b, SkipWS(b, 0))
		for _, m := range ms {
			if m.Start < 0 || m.End > len(b) || m.Start > m.End {
				t.Fatalf("member %q out of bounds [%d,%d) of %d", m.Key, m.Start, m.End, len(b))
			}
		}
		var want map[string]json.RawMessage
		if json.Unmarshal(b, &want) != nil || err != nil {
			return
		}
		for _, m := range ms {
			if w, ok := want[m.Key]; ok && !json.Valid(b[m.Start:m.End]) {
				t.Fatalf("member %q = %q is not the value %q", m.Key, b[m.Start:m.End], w)
			}
		}
	})
}

func TestElements(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		bad  bool
	}{
		{`[]`, nil, false},
		{`[ 1 , "a]" , {"b":[2]} ,[3] ]`, []string{`1`, `"a]"`, `{"b":[2]}`, `[3]`}, false},
		{`[1,`, nil, true},
		{`[1 2]`, nil, true},
		{`{}`, nil, true},
	}
	for _, c := range cases {
		es, err := Elements([]byte(c.in), 0)
		if c.bad != (err != nil) {
			t.Errorf("%q: err %v", c.in, err)
			continue
		}
		if len(es) != len(c.want) {
			t.Errorf("%q: %d elements, want %d", c.in, len(es), len(c.want))
			continue
		}
		for i, e := range es {
			if got := c.in[e[0]:e[1]]; got != c.want[i] {
				t.Errorf("%q element %d = %q, want %q", c.in, i, got, c.want[i])
			}
		}
	}
}
