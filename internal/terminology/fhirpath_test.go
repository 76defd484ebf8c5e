package terminology

import (
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/fhirpath"
)

func TestFHIRPathMemberOf(t *testing.T) {
	tm := newTest(t)
	cond, err := fhirpath.DecodeJSON([]byte(`{"resourceType":"Condition","id":"c1",
		"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/condition-clinical","code":"active"}]},
		"code":{"coding":[{"system":"http://snomed.info/sct","code":"38341003"},{"system":"http://hl7.org/fhir/sid/icd-10","code":"I10","display":"Bệnh lý tăng huyết áp vô căn (nguyên phát)"}]},
		"subject":{"reference":"Patient/p1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	pat, err := fhirpath.DecodeJSON([]byte(`{"resourceType":"Patient","id":"p1","gender":"female"}`))
	if err != nil {
		t.Fatal(err)
	}
	vs := CanonicalBase + "/ValueSet/"
	tests := []struct {
		input fhirpath.Value
		expr  string
		want  bool
	}{
		{cond, "Condition.code.memberOf('" + vs + "hypertension')", true},
		{cond, "Condition.code.memberOf('" + vs + "diabetes')", false},
		{cond, "Condition.code.coding[1].memberOf('" + vs + "chronic-conditions')", true},
		{cond, "Condition.code.coding[0].memberOf('" + vs + "chronic-conditions')", false},
		{cond, "Condition.clinicalStatus.memberOf('http://hl7.org/fhir/ValueSet/condition-clinical')", true},
		{pat, "Patient.gender.memberOf('http://hl7.org/fhir/ValueSet/administrative-gender')", true},
		{pat, "'male'.memberOf('http://hl7.org/fhir/ValueSet/administrative-gender')", true},
		{pat, "'I10'.memberOf('" + vs + "hypertension')", true},
		{pat, "'woman'.memberOf('http://hl7.org/fhir/ValueSet/administrative-gender')", false},
	}
	opts := &fhirpath.Options{Model: fhirpath.R4(r4.Load()), Terminology: FHIRPath{T: tm}}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			got, err := fhirpath.MustParse(tt.expr).EvaluateBool(tt.input, opts)
			if err != nil || got != tt.want {
				t.Errorf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
	// An unknown value set is an error, not false.
	if _, err := fhirpath.MustParse("Condition.code.memberOf('http://example.org/vs')").EvaluateBool(cond, opts); err == nil {
		t.Error("unknown value set: no error")
	}
	if _, err := fhirpath.MustParse("Condition.subject.memberOf('"+vs+"hypertension')").EvaluateBool(cond, opts); err == nil {
		t.Error("memberOf on a Reference: no error")
	}
}
