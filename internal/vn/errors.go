package vn

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable reason why a value was rejected, such
// as "cccd.place-code". Codes are part of the API: callers map them to
// OperationOutcome details and tests assert them.
type Code string

// Error is a validation failure that says why, in Vietnamese and English.
// Parsers in this package return *Error for every rejected input.
type Error struct {
	Code  Code   // machine code, e.g. CodeCCCDPlace
	Input string // the rejected input as given
	VI    string // message for the user, in Vietnamese
	EN    string // the same message in English
}

// Error returns the code and the English message.
func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.EN) }

func newError(code Code, input, vi, en string, args ...any) *Error {
	return &Error{Code: code, Input: input, VI: fmt.Sprintf(vi, args...), EN: fmt.Sprintf(en, args...)}
}

// CodeOf returns the Code of the first *Error in err's chain, or "" when
// err is nil or carries no code.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
