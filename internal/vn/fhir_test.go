package vn

import (
	"encoding/json"
	"testing"
)

func TestFHIRFragments(t *testing.T) {
	c, err := ParseCCCD("001090123456")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseBHYT("0120878811")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePhone("0912345678")
	if err != nil {
		t.Fatal(err)
	}
	e, ok := mustUnits(t).Ethnicity("01")
	if !ok {
		t.Fatal("no ethnicity 01")
	}
	tests := []struct {
		got  map[string]any
		want string
	}{
		{c.Identifier(), `{"system":"https://sen-emr.github.io/fhir/sid/cccd","use":"official","value":"001090123456"}`},
		{b.Identifier(), `{"system":"https://sen-emr.github.io/fhir/sid/bhxh","value":"0120878811"}`},
		{p.ContactPoint(), `{"system":"phone","use":"mobile","value":"+84912345678"}`},
		{e.Extension(), `{"url":"https://sen-emr.github.io/fhir/StructureDefinition/ethnicity","valueCoding":{"code":"01","display":"Kinh","system":"https://sen-emr.github.io/fhir/CodeSystem/vn-ethnicity"}}`},
	}
	for _, tt := range tests {
		got, err := json.Marshal(tt.got)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tt.want {
			t.Errorf("got %s, want %s", got, tt.want)
		}
	}
}
