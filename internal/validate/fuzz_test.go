package validate

import (
	"testing"

	"github.com/sen-emr/sen/internal/fhir"
)

// FuzzValidate checks that no input makes Validate panic or return an issue
// without severity and code. Seeds live in testdata/fuzz/FuzzValidate.
func FuzzValidate(f *testing.F) {
	f.Add([]byte(patientJSON))
	f.Add([]byte(observationJSON))
	v := testValidator(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, is := range v.Validate(body) {
			checkIssue(t, is)
		}
	})
}

func checkIssue(tb testing.TB, is fhir.Issue) {
	tb.Helper()
	switch is.Severity {
	case "fatal", "error", "warning", "information":
	default:
		tb.Fatalf("issue with severity %q: %+v", is.Severity, is)
	}
	if is.Code == "" || is.Diagnostics == "" {
		tb.Fatalf("issue without code or diagnostics: %+v", is)
	}
}
