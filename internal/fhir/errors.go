package fhir

import (
	"errors"
	"fmt"
	"net/http"
)

// Kind classifies an error. Each kind maps, in one place (Status and
// IssueCode), to an HTTP status and an OperationOutcome issue code.
type Kind uint8

const (
	KindInternal        Kind = iota // a bug or an infrastructure failure: 500
	KindInvalid                     // malformed or semantically invalid input: 400
	KindNotFound                    // no such resource or version: 404
	KindGone                        // the resource was deleted: 410
	KindConflict                    // a version conflict or duplicate: 409
	KindPrecondition                // If-Match / conditional failed: 412
	KindUnprocessable               // well-formed but fails validation rules: 422
	KindForbidden                   // not allowed for this user: 403
	KindUnauthorized                // no or bad credentials: 401
	KindUnsupported                 // interaction or format not supported: 405/406/415 (see Error.Status)
	KindTooLarge                    // body or result too large: 413
	KindTooCostly                   // query too expensive: 400 with issue code too-costly
	KindMultipleMatches             // conditional operation matched several resources: 412
)

// Issue is one entry of an OperationOutcome.
type Issue struct {
	Severity    string   `json:"severity"`              // fatal | error | warning | information
	Code        string   `json:"code"`                  // IssueType value set (invalid, structure, required, value, invariant, not-found, conflict ...)
	Diagnostics string   `json:"diagnostics,omitempty"` // human text, safe to show to the caller
	Expression  []string `json:"expression,omitempty"`  // FHIRPath locations
}

// Error is Sen's error value. Msg is safe to show to a client; Err (the
// cause) is logged but never sent.
type Error struct {
	Kind   Kind
	Msg    string
	Issues []Issue // extra detail; when empty, one issue is derived from Kind and Msg
	// HTTPStatus overrides Status() when non-zero (e.g. 406 vs 415 for KindUnsupported).
	HTTPStatus int
	Err        error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Msg, e.Err)
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf builds an Error of the given kind with a client-visible message.
func Errorf(kind Kind, format string, args ...any) *Error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// At returns a copy of e whose single issue points at the FHIRPath location expr.
func (e *Error) At(expr string) *Error {
	c := *e
	c.Issues = []Issue{{Severity: "error", Code: c.Kind.IssueCode(), Diagnostics: c.Msg, Expression: []string{expr}}}
	return &c
}

// KindOf returns the kind of the first *Error in err's chain, or KindInternal.
func KindOf(err error) Kind {
	var fe *Error
	if errors.As(err, &fe) {
		return fe.Kind
	}
	return KindInternal
}

// Status is the HTTP status for a kind.
func (k Kind) Status() int {
	switch k {
	case KindInvalid, KindTooCostly:
		return http.StatusBadRequest
	case KindNotFound:
		return http.StatusNotFound
	case KindGone:
		return http.StatusGone
	case KindConflict:
		return http.StatusConflict
	case KindPrecondition, KindMultipleMatches:
		return http.StatusPreconditionFailed
	case KindUnprocessable:
		return http.StatusUnprocessableEntity
	case KindForbidden:
		return http.StatusForbidden
	case KindUnauthorized:
		return http.StatusUnauthorized
	case KindUnsupported:
		return http.StatusMethodNotAllowed
	case KindTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// IssueCode is the OperationOutcome issue type for a kind.
func (k Kind) IssueCode() string {
	switch k {
	case KindInvalid, KindUnprocessable:
		return "invalid"
	case KindNotFound, KindGone:
		return "not-found"
	case KindConflict, KindPrecondition:
		return "conflict"
	case KindMultipleMatches:
		return "multiple-matches"
	case KindForbidden:
		return "forbidden"
	case KindUnauthorized:
		return "login"
	case KindUnsupported:
		return "not-supported"
	case KindTooLarge, KindTooCostly:
		return "too-costly"
	}
	return "exception"
}

// StatusOf is the HTTP status for any error: an *Error's own, else 500.
func StatusOf(err error) int {
	var fe *Error
	if errors.As(err, &fe) {
		if fe.HTTPStatus != 0 {
			return fe.HTTPStatus
		}
		return fe.Kind.Status()
	}
	return http.StatusInternalServerError
}
