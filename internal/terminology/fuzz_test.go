package terminology

import (
	"net/url"
	"testing"
)

// FuzzOperations feeds arbitrary Parameters bodies and filters through the
// operations: they must answer or return an error, never panic.
func FuzzOperations(f *testing.F) {
	f.Add(`{"resourceType":"Parameters","parameter":[{"name":"url","valueUri":"https://sen-emr.github.io/fhir/ValueSet/icd-10-vn"},{"name":"filter","valueString":"tăng huyết áp"},{"name":"count","valueInteger":3}]}`, "đái tháo")
	f.Add(`{"resourceType":"Parameters","parameter":[{"name":"coding","valueCoding":{"system":"http://hl7.org/fhir/sid/icd-10","code":"e119"}}]}`, "I1")
	f.Add(`{"resourceType":"Parameters","parameter":[{"name":"codeableConcept","valueCodeableConcept":{"coding":[{}]}}]}`, "\xff\xfe")
	f.Add(`[1,2`, "")
	tm := newTest(f)
	f.Fuzz(func(t *testing.T, body, filter string) {
		p, err := ParamsFromJSON([]byte(body))
		if err != nil {
			return
		}
		_, _ = tm.LookupOperation(p)
		_, _ = tm.ValidateCodeOperation(p, false)
		_, _ = tm.ValidateCodeOperation(p, true)
		_, _ = tm.SubsumesOperation(p)
		p.Filter = filter
		if p.URL == "" {
			p.URL = CanonicalBase + "/ValueSet/icd-10-vn"
		}
		_, _ = tm.ExpandOperation(p)
		q, _ := url.ParseQuery("url=" + url.QueryEscape(p.URL) + "&filter=" + url.QueryEscape(filter))
		if qp, err := ParamsFromQuery(q); err == nil {
			_, _ = tm.ExpandOperation(qp)
		}
	})
}
