package validate

import (
	"fmt"

	"github.com/sen-emr/sen/internal/fhirpath"
)

// Invariants of the core definitions, evaluated with FHIRPath
// (https://hl7.org/fhir/R4/conformance-rules.html#constraints). Only
// constraints of severity error are evaluated; those in nativeKeys are
// checked by the walk instead.

type compiledExpr = *fhirpath.Expression

// invariantJob is one value whose constraints are evaluated after the walk.
type invariantJob struct {
	value       any
	typ         string // FHIR type or backbone path of value
	loc         string
	ctx         *resCtx
	constraints []*constraint
}

// parseConstraints parses every constraint expression once. Expressions the
// parser rejects are reported to onErr and never evaluated.
func (s *schema) parseConstraints(onErr func(key, expr string, err error)) {
	for _, c := range s.exprs {
		e, err := fhirpath.Parse(c.Expression)
		if err != nil {
			onErr(c.Key, c.Expression, err)
			continue
		}
		c.expr = e
	}
}

// runInvariants evaluates the collected jobs. A constraint fails only when
// its expression yields false; an empty result or an evaluation error is
// not a violation (errors go to the Validator's handler), so a gap in the
// FHIRPath engine can never reject a valid resource.
func (w *walker) runInvariants() {
	var (
		lastCtx *resCtx
		opts    fhirpath.Options
	)
	for _, j := range w.jobs {
		if j.ctx != lastCtx {
			lastCtx = j.ctx
			opts = fhirpath.Options{Model: w.v.fpModel, Resource: fhirpath.NewNode(j.ctx.obj, j.ctx.typ)}
		}
		in := fhirpath.NewNode(j.value, j.typ)
		for _, c := range j.constraints {
			if c.expr == nil {
				continue
			}
			ok, err := evaluate(c.expr, in, &opts)
			if err != nil {
				w.v.evalError(c.Key, c.Expression, err)
				continue
			}
			if !ok {
				w.add(sevError, codeInvariant, j.loc, c.Key+": "+c.Human)
			}
		}
	}
	w.jobs = nil
}

// evaluate runs one invariant. It reports ok=false only for a single false.
// A panic in the engine is turned into an error: a validator must never take
// down the server that calls it on hostile input.
func evaluate(e *fhirpath.Expression, in fhirpath.Value, opts *fhirpath.Options) (ok bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			ok, err = true, fmt.Errorf("fhirpath panic: %v", r)
		}
	}()
	out, err := e.Evaluate(in, opts)
	if err != nil {
		return true, err
	}
	if len(out) == 1 {
		if b, isBool := out[0].(fhirpath.Boolean); isBool {
			return bool(b), nil
		}
	}
	return true, nil
}
