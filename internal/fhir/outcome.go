package fhir

import (
	"encoding/json"
	"errors"
)

// OperationOutcome is the FHIR OperationOutcome resource, reduced to what
// Sen emits.
type OperationOutcome struct {
	ResourceType string  `json:"resourceType"`
	Issue        []Issue `json:"issue"`
}

// NewOutcome returns an OperationOutcome holding issues.
func NewOutcome(issues ...Issue) *OperationOutcome {
	if issues == nil {
		issues = []Issue{}
	}
	return &OperationOutcome{ResourceType: "OperationOutcome", Issue: issues}
}

// OutcomeOf turns any error into an OperationOutcome. Only the client-safe
// message of an *Error is shown; other errors become a generic exception so
// that internal details never leak.
func OutcomeOf(err error) *OperationOutcome {
	var fe *Error
	if !errors.As(err, &fe) {
		return NewOutcome(Issue{Severity: "error", Code: "exception", Diagnostics: "internal server error"})
	}
	if len(fe.Issues) > 0 {
		return NewOutcome(fe.Issues...)
	}
	return NewOutcome(Issue{Severity: "error", Code: fe.Kind.IssueCode(), Diagnostics: fe.Msg})
}

// HasErrors reports whether any issue is of severity error or fatal.
func (o *OperationOutcome) HasErrors() bool {
	for _, is := range o.Issue {
		if is.Severity == "error" || is.Severity == "fatal" {
			return true
		}
	}
	return false
}

// JSON encodes the outcome.
func (o *OperationOutcome) JSON() []byte {
	b, _ := json.Marshal(o) // cannot fail: plain strings and slices
	return b
}
