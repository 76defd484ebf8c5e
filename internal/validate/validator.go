package validate

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/fhirpath"
)

// Validator checks resources against the R4 base definitions. It is built
// once (New compiles the model, a few milliseconds) and is safe for
// concurrent use by any number of goroutines.
type Validator struct {
	schema     *schema
	fpModel    fhirpath.Model
	invariants bool
	// onEvalError is told about invariants whose expression could not be
	// parsed or evaluated; such invariants are never reported as violated.
	onEvalError func(key, expression string, err error)
}

// Option configures a Validator.
type Option func(*Validator)

// WithoutInvariants turns off the FHIRPath evaluation of the definitions'
// invariants (ele-1, ext-1 and dom-2..dom-6 are still checked, natively).
func WithoutInvariants() Option { return func(v *Validator) { v.invariants = false } }

// WithEvalErrorHandler sets a function told about each invariant whose
// FHIRPath expression could not be parsed or evaluated (the invariant is then
// skipped, not reported). The function may be called concurrently.
func WithEvalErrorHandler(fn func(key, expression string, err error)) Option {
	return func(v *Validator) { v.onEvalError = fn }
}

// New returns a Validator for the model m. FHIRPath invariants are
// evaluated unless WithoutInvariants is given.
func New(m *r4.Model, opts ...Option) *Validator {
	v := &Validator{schema: compileSchema(m), fpModel: fhirpath.R4(m), invariants: true}
	for _, o := range opts {
		o(v)
	}
	if v.invariants {
		v.schema.parseConstraints(v.evalError)
	}
	return v
}

func (v *Validator) evalError(key, expr string, err error) {
	if v.onEvalError != nil {
		v.onEvalError(key, expr, err)
	}
}

// Validate checks one resource given as JSON and returns every problem found
// (in a stable order: each object's properties by name, then the FHIRPath
// invariants); an empty result means the resource is valid. Warnings (severity "warning", e.g. dom-6 "should have narrative")
// do not make a resource invalid: use HasErrors.
func (v *Validator) Validate(body []byte) []fhir.Issue {
	val, iss := decode(body)
	if iss != nil {
		return []fhir.Issue{*iss}
	}
	return v.ValidateValue(val)
}

// ValidateValue checks a resource already decoded from JSON into the generic
// form of encoding/json (map[string]any, []any, string, bool, nil, and
// json.Number or float64 for numbers; json.Number keeps decimals exact).
func (v *Validator) ValidateValue(resource any) []fhir.Issue {
	w := &walker{v: v}
	obj, ok := resource.(map[string]any)
	if !ok {
		w.add(sevError, codeStructure, "", "the resource is not a JSON object")
		return w.issues
	}
	w.resource(obj, "", nil, nil)
	// Invariants run once the whole tree has been walked: they may look
	// across it (%resource, %rootResource), and the walk found the nodes.
	w.runInvariants()
	return w.issues
}

// HasErrors reports whether any issue has severity error or fatal.
func HasErrors(issues []fhir.Issue) bool {
	for _, is := range issues {
		if is.Severity == sevError || is.Severity == sevFatal {
			return true
		}
	}
	return false
}

// decode parses body with numbers kept as json.Number. A syntax error
// becomes a fatal structure issue that names the byte offset.
func decode(body []byte) (any, *fhir.Issue) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return nil, &fhir.Issue{Severity: sevFatal, Code: codeStructure, Diagnostics: "the body is empty"}
	}
	if trimmed[0] != '{' {
		return nil, &fhir.Issue{Severity: sevFatal, Code: codeStructure, Diagnostics: "the body is not a JSON object"}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var val any
	if err := dec.Decode(&val); err != nil {
		return nil, &fhir.Issue{Severity: sevFatal, Code: codeStructure, Diagnostics: "malformed JSON: " + jsonErr(err, body)}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		off := dec.InputOffset()
		return nil, &fhir.Issue{Severity: sevFatal, Code: codeStructure,
			Diagnostics: "malformed JSON: unexpected data after the top-level object at offset " + strconv.FormatInt(off, 10)}
	}
	if dup := duplicateKey(body); dup != "" {
		return nil, &fhir.Issue{Severity: sevFatal, Code: codeStructure, Diagnostics: "malformed JSON: " + dup}
	}
	return val, nil
}

func jsonErr(err error, body []byte) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%s at offset %d", se.Error(), se.Offset)
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Sprintf("unexpected end of input at offset %d", len(body))
	}
	return err.Error()
}
