package validate

import (
	"strings"
	"testing"
)

const (
	narrative = `"text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"}`
	// patientJSON is a valid Patient; each case below breaks it (or an
	// Observation, Bundle ...) in exactly one way.
	patientJSON = `{"resourceType":"Patient","id":"p1",` + narrative + `,` +
		`"name":[{"family":"Nguyen","given":["Van","An"]}],"gender":"male","birthDate":"1990-01-02"}`
	observationJSON = `{"resourceType":"Observation","id":"o1",` + narrative + `,"status":"final",` +
		`"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},"subject":{"reference":"Patient/p1"},` +
		`"effectiveDateTime":"2020-01-01T10:00:00Z","valueQuantity":{"value":72,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}`
)

// patient returns patientJSON with extra properties added at the top level.
func patient(extra string) string {
	return strings.TrimSuffix(patientJSON, "}") + "," + extra + "}"
}

// replace returns s with old replaced once, failing if old is absent.
func replace(tb testing.TB, s, old, new string) string {
	tb.Helper()
	if !strings.Contains(s, old) {
		tb.Fatalf("%q not in %s", old, s)
	}
	return strings.Replace(s, old, new, 1)
}

func TestValidBaselines(t *testing.T) {
	v := testValidator(t)
	for name, body := range map[string]string{"patient": patientJSON, "observation": observationJSON} {
		if got := v.Validate([]byte(body)); len(got) > 0 {
			t.Errorf("%s: want no issues, got:%s", name, formatIssues(got))
		}
	}
}

// TestBrokenResources: each resource has one defect, which must be reported
// with the right issue code at the right location (and nothing else as an
// error).
func TestBrokenResources(t *testing.T) {
	v := testValidator(t)
	contained := func(res, ref string) string {
		return patient(`"contained":[` + res + `],"generalPractitioner":[{"reference":"` + ref + `"}]`)
	}
	cases := []struct {
		name     string
		body     string
		code     string
		location string // "" when the issue has no location
		diag     string // a substring of the diagnostics, optional
	}{
		// JSON and resourceType
		{"malformed JSON", `{"resourceType":"Patient","id":`, "structure", "", "offset"},
		{"not an object", `["Patient"]`, "structure", "", "not a JSON object"},
		{"trailing data", patientJSON + `{}`, "structure", "", "after the top-level object"},
		{"duplicate property", replace(t, patientJSON, `"gender":"male"`, `"gender":"male","gender":"female"`), "structure", "", "duplicate property \"gender\""},
		{"missing resourceType", `{"id":"x"}`, "required", "resourceType", ""},
		{"resourceType not a string", `{"resourceType":7}`, "structure", "resourceType", ""},
		{"unknown resourceType", `{"resourceType":"Patientt"}`, "structure", "resourceType", "unknown resource type"},
		{"abstract resourceType", `{"resourceType":"DomainResource"}`, "invalid", "resourceType", "abstract"},
		// elements and JSON shape
		{"unknown element", patient(`"foo":1`), "structure", "Patient.foo", "unknown element"},
		{"wrong choice suffix", replace(t, observationJSON, `"valueQuantity"`, `"valueFoo"`), "structure", "Observation.valueFoo", "value[x]"},
		{"two choice types", replace(t, observationJSON, `"status":"final"`, `"valueString":"x","status":"final"`), "structure", "Observation.value", "only one of"},
		{"number for code", replace(t, patientJSON, `"gender":"male"`, `"gender":1`), "value", "Patient.gender", "JSON string"},
		{"string for boolean", patient(`"active":"true"`), "value", "Patient.active", "JSON boolean"},
		{"string for decimal", replace(t, observationJSON, `"value":72`, `"value":"72"`), "value", "Observation.value.ofType(Quantity).value", "JSON number"},
		{"object for array", replace(t, patientJSON, `"name":[{"family":"Nguyen","given":["Van","An"]}]`, `"name":{"family":"Nguyen"}`), "structure", "Patient.name", "must be an array"},
		{"array for single", replace(t, patientJSON, `"birthDate":"1990-01-02"`, `"birthDate":["1990-01-02"]`), "structure", "Patient.birthDate", "must not be an array"},
		{"string for complex", replace(t, observationJSON, `"subject":{"reference":"Patient/p1"}`, `"subject":"Patient/p1"`), "structure", "Observation.subject", "JSON object"},
		{"missing status", replace(t, observationJSON, `"status":"final",`, ``), "required", "Observation.status", "minimum required = 1"},
		{"missing code", replace(t, observationJSON, `"code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},`, ``), "required", "Observation.code", "minimum required = 1"},
		{"missing extension url", patient(`"extension":[{"valueString":"x"}]`), "required", "Patient.extension[0].url", ""},
		{"empty object", replace(t, patientJSON, `"name":[{"family":"Nguyen","given":["Van","An"]}]`, `"name":[{}]`), "invariant", "Patient.name[0]", "ele-1"},
		{"empty array", replace(t, patientJSON, `"name":[{"family":"Nguyen","given":["Van","An"]}]`, `"name":[]`), "structure", "Patient.name", "empty"},
		{"empty string", replace(t, patientJSON, `"family":"Nguyen"`, `"family":""`), "value", "Patient.name[0].family", "empty"},
		{"null value", replace(t, patientJSON, `"birthDate":"1990-01-02"`, `"birthDate":null`), "structure", "Patient.birthDate", "null"},
		{"null in array without twin", replace(t, patientJSON, `["Van","An"]`, `["Van",null]`), "structure", "Patient.name[0].given[1]", "null"},
		// primitive formats
		{"bad month", replace(t, patientJSON, `1990-01-02`, `1990-13-02`), "value", "Patient.birthDate", "not a valid date"},
		{"no such day", replace(t, patientJSON, `1990-01-02`, `1990-02-30`), "value", "Patient.birthDate", "does not exist"},
		{"dateTime without zone", replace(t, observationJSON, `2020-01-01T10:00:00Z`, `2020-01-01T10:00:00`), "value", "Observation.effective.ofType(dateTime)", "dateTime"},
		{"instant without time", patient(`"meta":{"lastUpdated":"2020-01-01"}`), "value", "Patient.meta.lastUpdated", "instant"},
		{"bad id", replace(t, patientJSON, `"id":"p1"`, `"id":"p 1!"`), "value", "Patient.id", "valid id"},
		{"uri with space", patient(`"identifier":[{"system":"http://a b","value":"1"}]`), "value", "Patient.identifier[0].system", "uri"},
		{"code with trailing space", replace(t, patientJSON, `"gender":"male"`, `"gender":"male "`), "value", "Patient.gender", "code"},
		{"integer out of range", patient(`"multipleBirthInteger":3000000000`), "value", "Patient.multipleBirth.ofType(integer)", "32-bit"},
		{"decimal for integer", patient(`"multipleBirthInteger":2.5`), "value", "Patient.multipleBirth.ofType(integer)", "integer"},
		{"positiveInt zero", patient(`"telecom":[{"system":"phone","value":"1","rank":0}]`), "value", "Patient.telecom[0].rank", "positiveInt"},
		{"unsignedInt negative", patient(`"photo":[{"contentType":"image/png","size":-1}]`), "value", "Patient.photo[0].size", "unsignedInt"},
		{"bad base64", patient(`"photo":[{"contentType":"image/png","data":"!!!"}]`), "value", "Patient.photo[0].data", "base64"},
		{"bad oid", patient(`"extension":[{"url":"http://x.org/e","valueOid":"1.2.3"}]`), "value", "Patient.extension[0].value.ofType(oid)", "oid"},
		{"bad uuid", patient(`"extension":[{"url":"http://x.org/e","valueUuid":"urn:uuid:XYZ"}]`), "value", "Patient.extension[0].value.ofType(uuid)", "uuid"},
		{"bad time", patient(`"extension":[{"url":"http://x.org/e","valueTime":"25:00:00"}]`), "value", "Patient.extension[0].value.ofType(time)", "time"},
		{"control character", replace(t, patientJSON, `"family":"Nguyen"`, `"family":"Ng\u0001uyen"`), "value", "Patient.name[0].family", "control character"},
		{"narrative not a div", replace(t, patientJSON, `"div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"`, `"div":"<p>x</p>"`), "value", "Patient.text.div", "<div>"},
		// primitive extension twins
		{"twin not an object", patient(`"_birthDate":"x"`), "structure", "Patient.birthDate", "JSON object"},
		{"twin array misaligned", replace(t, patientJSON, `"given":["Van","An"]`, `"given":["Van","An"],"_given":[null]`), "structure", "Patient.name[0].given", "as many items"},
		{"twin of unknown element", patient(`"_foo":{"id":"a"}`), "structure", "Patient._foo", "unknown element"},
		{"twin of complex element", patient(`"_name":[{"id":"a"}]`), "structure", "Patient._name", "unknown element"},
		{"unknown element in twin", patient(`"_birthDate":{"value":"x"}`), "structure", "Patient.birthDate.value", "unknown element"},
		{"string over 1 MB", replace(t, patientJSON, `"family":"Nguyen"`, `"family":"`+strings.Repeat("a", maxStringBytes+1)+`"`), "value", "Patient.name[0].family", "1 MB"},
		{"resource id twin not an object", patient(`"_id":"x"`), "structure", "Patient.id", "JSON object"},
		{"Element.id twin", patient(`"identifier":[{"value":"1","_id":{"id":"x"}}]`), "structure", "Patient.identifier[0]._id", "unknown element"},
		// bindings
		{"code not in value set", replace(t, patientJSON, `"gender":"male"`, `"gender":"man"`), "code-invalid", "Patient.gender", "administrative-gender"},
		{"status not in value set", replace(t, observationJSON, `"status":"final"`, `"status":"done"`), "code-invalid", "Observation.status", "observation-status"},
		{"CodeableConcept not in value set",
			`{"resourceType":"AllergyIntolerance",` + narrative + `,"patient":{"reference":"Patient/p1"},"clinicalStatus":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical","code":"gone"}]}}`,
			"code-invalid", "AllergyIntolerance.clinicalStatus", "allergyintolerance-clinical"},
		// references
		{"reference without id", replace(t, observationJSON, `"Patient/p1"`, `"Patient/"`), "invalid", "Observation.subject.reference", "not a valid id"},
		{"reference to unknown type", replace(t, observationJSON, `"Patient/p1"`, `"Patientt/p1"`), "invalid", "Observation.subject.reference", "unknown resource type"},
		{"reference garbage", replace(t, observationJSON, `"Patient/p1"`, `"a/b/c"`), "invalid", "Observation.subject.reference", "expected Type/id"},
		{"reference wrong target", replace(t, observationJSON, `"Patient/p1"`, `"Medication/m1"`), "invalid", "Observation.subject.reference", "only Patient, Group, Device, Location"},
		{"absolute reference wrong target", replace(t, observationJSON, `"Patient/p1"`, `"http://x.org/fhir/Medication/m1"`), "invalid", "Observation.subject.reference", "Medication"},
		{"bad urn:uuid", replace(t, observationJSON, `"Patient/p1"`, `"urn:uuid:1234"`), "invalid", "Observation.subject.reference", "urn:uuid"},
		{"unresolved local reference", replace(t, observationJSON, `"Patient/p1"`, `"#nope"`), "invalid", "Observation.subject.reference", "contained"},
		{"contained wrong target", contained(`{"resourceType":"Medication","id":"m1"}`, "#m1"), "invalid", "Patient.generalPractitioner[0].reference", "Medication"},
		// contained resources (dom-2 .. dom-5)
		{"contained not referenced", patient(`"contained":[{"resourceType":"Organization","id":"o1","name":"x"}]`), "invariant", "Patient.contained[0]", "dom-3"},
		{"nested contained", contained(`{"resourceType":"Organization","id":"o1","name":"x","contained":[{"resourceType":"Organization","id":"o2","name":"y"}]}`, "#o1"), "invariant", "Patient.contained[0].contained", "dom-2"},
		{"contained with versionId", contained(`{"resourceType":"Organization","id":"o1","name":"x","meta":{"versionId":"1"}}`, "#o1"), "invariant", "Patient.contained[0].meta", "dom-4"},
		{"contained with security", contained(`{"resourceType":"Organization","id":"o1","name":"x","meta":{"security":[{"code":"R"}]}}`, "#o1"), "invariant", "Patient.contained[0].meta.security", "dom-5"},
		{"contained invalid inside", contained(`{"resourceType":"Organization","id":"o1","name":"x","active":"yes"}`, "#o1"), "value", "Patient.contained[0].active", "boolean"},
		// Bundle entries
		{"bundle entry invalid", `{"resourceType":"Bundle","type":"collection","entry":[{"resource":` + patientJSON + `},{"resource":` +
			replace(t, patientJSON, `"gender":"male"`, `"gender":5`) + `}]}`, "value", "Bundle.entry[1].resource.gender", ""},
		{"bundle entry unknown type", `{"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Nope"}}]}`, "structure", "Bundle.entry[0].resource.resourceType", ""},
		{"bundle urn:uuid wrong target", `{"resourceType":"Bundle","type":"transaction","entry":[` +
			`{"fullUrl":"urn:uuid:11111111-2222-3333-4444-555555555555","resource":{"resourceType":"Medication",` + narrative + `},"request":{"method":"POST","url":"Medication"}},` +
			`{"fullUrl":"urn:uuid:11111111-2222-3333-4444-666666666666","resource":` + replace(t, observationJSON, `"Patient/p1"`, `"urn:uuid:11111111-2222-3333-4444-555555555555"`) + `,"request":{"method":"POST","url":"Observation"}}]}`,
			"invalid", "Bundle.entry[1].resource.subject.reference", "Medication"},
		// extensions
		{"extension with value and extensions", patient(`"extension":[{"url":"http://x.org/e","valueString":"x","extension":[{"url":"a","valueString":"y"}]}]`), "invariant", "Patient.extension[0]", "ext-1"},
		{"extension with nothing", patient(`"extension":[{"url":"http://x.org/e"}]`), "invariant", "Patient.extension[0]", "ext-1"},
		// invariants evaluated with FHIRPath
		{"pat-1 contact without details", patient(`"contact":[{"gender":"female"}]`), "invariant", "Patient.contact[0]", "pat-1"},
		{"obs-6 dataAbsentReason with value", replace(t, observationJSON, `"status":"final"`, `"status":"final","dataAbsentReason":{"text":"x"}`), "invariant", "Observation", "obs-6"},
		{"qty-3 code without system", replace(t, observationJSON, `,"system":"http://unitsofmeasure.org"`, ``), "invariant", "Observation.value.ofType(Quantity)", "qty-3"},
		{"per-1 period end before start", patient(`"identifier":[{"value":"1","period":{"start":"2020-02-01","end":"2020-01-01"}}]`), "invariant", "Patient.identifier[0].period", "per-1"},
		{"bdl-7 duplicate fullUrl", `{"resourceType":"Bundle","type":"collection","entry":[` +
			`{"fullUrl":"http://x.org/Patient/p1","resource":` + patientJSON + `},{"fullUrl":"http://x.org/Patient/p1","resource":` + patientJSON + `}]}`,
			"invariant", "Bundle", "bdl-7"},
		{"bdl-3 transaction entry without request", `{"resourceType":"Bundle","type":"transaction","entry":[{"resource":` + patientJSON + `}]}`,
			"invariant", "Bundle", "bdl-3"},
		{"que-7 exists with non-boolean answer", `{"resourceType":"Questionnaire",` + narrative + `,"status":"draft","item":[{"linkId":"1","type":"boolean"},` +
			`{"linkId":"2","type":"string","enableWhen":[{"question":"1","operator":"exists","answerString":"x"}]}]}`,
			"invariant", "Questionnaire.item[1].enableWhen[0]", "que-7"},
	}
	if len(cases) < 40 {
		t.Fatalf("only %d cases", len(cases))
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := errorsOf(v.Validate([]byte(tc.body)))
			if len(got) != 1 {
				t.Fatalf("want exactly one error (%s at %q), got %d:%s", tc.code, tc.location, len(got), formatIssues(got))
			}
			is := got[0]
			var loc string
			if len(is.Expression) > 0 {
				loc = is.Expression[0]
			}
			if is.Code != tc.code || loc != tc.location {
				t.Errorf("got %s at %q, want %s at %q (%s)", is.Code, loc, tc.code, tc.location, is.Diagnostics)
			}
			if !strings.Contains(is.Diagnostics, tc.diag) {
				t.Errorf("diagnostics %q do not mention %q", is.Diagnostics, tc.diag)
			}
		})
	}
}
