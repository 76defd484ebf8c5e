package operation

import (
	"errors"
	"slices"
	"testing"
)

func TestRewriteRefs(t *testing.T) {
	urls := map[string]string{"urn:uuid:a": "Patient/a", "urn:uuid:b": "Encounter/b"}
	resolve := func(ref string) (string, error) {
		if to, ok := urls[ref]; ok {
			return to, nil
		}
		if ref == "Organization?identifier=x|1" {
			return "Organization/o1", nil
		}
		if ref == "Organization?identifier=none" {
			return "", errUnresolved
		}
		return ref, nil
	}
	tests := []struct {
		name, in, want string
		wantErr        error
	}{
		{"none", `{"resourceType":"Patient","id":"a"}`, `{"resourceType":"Patient","id":"a"}`, nil},
		{"urn", `{"subject":{"reference":"urn:uuid:a"}}`, `{"subject":{"reference":"Patient/a"}}`, nil},
		{"spaces", "{\"subject\": {\"reference\" :\n \"urn:uuid:a\"}}", "{\"subject\": {\"reference\" :\n \"Patient/a\"}}", nil},
		{"several", `[{"reference":"urn:uuid:a"},{"reference":"urn:uuid:b"},{"reference":"Patient/z"}]`,
			`[{"reference":"Patient/a"},{"reference":"Encounter/b"},{"reference":"Patient/z"}]`, nil},
		{"conditional", `{"reference":"Organization?identifier=x|1"}`, `{"reference":"Organization/o1"}`, nil},
		{"value not key", `{"text":"reference","x":["reference"]}`, `{"text":"reference","x":["reference"]}`, nil},
		{"inside a string", `{"text":"say \"reference\": \"urn:uuid:a\""}`, `{"text":"say \"reference\": \"urn:uuid:a\""}`, nil},
		{"escaped value", `{"reference":"urn:uuid:\u0061"}`, `{"reference":"Patient/a"}`, nil},
		{"not a string", `{"reference":12}`, `{"reference":12}`, nil},
		{"lookalike keys", `{"preference":"urn:uuid:a","xreference":"urn:uuid:a","ference":"urn:uuid:a","reference":"urn:uuid:b"}`,
			`{"preference":"urn:uuid:a","xreference":"urn:uuid:a","ference":"urn:uuid:a","reference":"Encounter/b"}`, nil},
		{"key at the start", `"reference":"urn:uuid:a"`, `"reference":"Patient/a"`, nil},
		{"tail at the start", `ference":"urn:uuid:a","reference":"urn:uuid:b"`, `ference":"urn:uuid:a","reference":"Encounter/b"`, nil},
		{"unresolved", `{"reference":"Organization?identifier=none"}`, "", errUnresolved},
		{"unterminated", `{"reference":"urn:uuid:a`, "", errors.New("unterminated")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rewriteRefs([]byte(tt.in), resolve)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("got %s, want error %v", got, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestHeader(t *testing.T) {
	tests := []struct {
		in, typ, id string
		ok          bool
	}{
		{`{"resourceType":"Patient","id":"p1"}`, "Patient", "p1", true},
		{` { "meta": {"x": [1, {"id": "no"}]}, "id" : "p\u0032", "resourceType": "Observation" } `, "Observation", "p2", true},
		{`{"text":"}\"{","resourceType":"Patient"}`, "Patient", "", true},
		{`{"id":"x"}`, "", "", false},
		{`[]`, "", "", false},
		{`{"resourceType":1}`, "", "", false},
		{`{"resourceType":"Patient"`, "", "", false},
		{`{"a":tru`, "", "", false},
		{``, "", "", false},
	}
	for _, tt := range tests {
		typ, id, err := header([]byte(tt.in))
		if (err == nil) != tt.ok || typ != tt.typ || id != tt.id {
			t.Errorf("header(%q) = %q, %q, %v; want %q, %q, ok=%v", tt.in, typ, id, err, tt.typ, tt.id, tt.ok)
		}
	}
}

func TestIsConditional(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"Organization?identifier=a|b", true},
		{"Patient/1", false},
		{"http://x.org/fhir/Patient?x=1", false},
		{"?x=1", false},
		{"urn:uuid:1", false},
	}
	for _, tt := range tests {
		if got := isConditional(tt.in); got != tt.want {
			t.Errorf("isConditional(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// FuzzImportInput: header, reference rewriting and bundle preparation
// never panic on arbitrary input.
func FuzzImportInput(f *testing.F) {
	for _, s := range []string{`{"resourceType":"Bundle","entry":[{"fullUrl":"urn:uuid:a","resource":{"resourceType":"Patient","id":"a"}}]}`,
		`{"reference":"urn:uuid:a"}`, `{"resourceType":"Patient","managingOrganization":{"reference":"Organization?identifier=a|b"}}`, `{"a":[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _, _ = header(b)
		_, _ = rewriteRefs(b, func(s string) (string, error) { return "X/" + s, nil })
		rv := newResolver(nil)
		_, _ = rv.prepareJSON(b)
	})
}

func TestEachRef(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		wantErr  bool
	}{
		{"none", `{"resourceType":"Patient","id":"a"}`, nil, false},
		{"several", `{"subject":{"reference":"Patient/a"},"performer":[{"reference" : "Practitioner/p"},{"display":"x"}]}`,
			[]string{"Patient/a", "Practitioner/p"}, false},
		{"lookalikes", `{"preference":"Patient/x","reference":"Organization/o","text":"reference"}`, []string{"Organization/o"}, false},
		{"escaped", `{"reference":"Location\/l1"}`, []string{"Location/l1"}, false},
		{"inside a string", `{"text":"say \"reference\": \"Patient/a\""}`, nil, false},
		{"unterminated", `{"reference":"Patient/a`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := eachRef([]byte(tt.in), func(ref []byte) { got = append(got, string(ref)) })
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
