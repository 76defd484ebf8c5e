package view

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/sen-emr/sen/internal/fhirpath"
)

// ErrEval is wrapped by the errors a valid view meets on a particular
// resource: a where clause that is not boolean, several values in a
// column that is not a collection. FHIRPath runtime errors wrap
// fhirpath.ErrEvaluation instead.
var ErrEval = errors.New("view evaluation error")

// maxRepeatDepth bounds repeat traversal. Decoded JSON is a tree, so
// traversal always ends; the bound only stops absurdly deep input from
// exhausting the stack.
const maxRepeatDepth = 1000

// EvalJSON decodes one resource and streams its rows; see Eval. It
// decodes only the elements the view's expressions can reach (the rows are
// the same as Eval's over the fully decoded resource), and a body that is
// not well-formed JSON is an error even where the view would not look.
func (v *View) EvalJSON(body []byte, emit func(row []any) error) error {
	res, err := v.decode(body)
	if err != nil {
		return fmt.Errorf("view: %w", err)
	}
	return v.Eval(res, emit)
}

// Eval streams the rows the view produces for one resource (a decoded
// resource, e.g. from fhirpath.DecodeJSON). A resource of another type than
// the view's, or one its where clauses reject, produces no rows and no
// error. Row values are nil, string, bool, int64, json.Number (decimals),
// map[string]any (complex elements) or, for collection columns, []any of
// those. The row slice is reused between calls of emit: copy it to keep
// it. An error returned by emit stops evaluation and is returned as is.
func (v *View) Eval(resource fhirpath.Value, emit func(row []any) error) error {
	return v.newRun(emit).resource(resource)
}

// newRun returns the evaluation state for a series of resources whose rows
// all go to emit (the row slice is shared by all of them). A run is not
// safe for concurrent use; Run gives each worker its own.
func (v *View) newRun(emit func(row []any) error) *run {
	r := &run{view: v, row: make([]any, len(v.columns)), emit: emit}
	r.emitFn = r.emitRow
	r.opts = fhirpath.Options{Model: v.model, Vars: v.vars}
	if v.rowIndex {
		// %rowIndex changes while the view is walked, so this run gets its
		// own copy of the variables.
		r.opts.Vars = make(map[string]fhirpath.Collection, len(v.vars)+1)
		for k, c := range v.vars {
			r.opts.Vars[k] = c
		}
	}
	return r
}

// resource evaluates the view over one resource; see Eval.
func (r *run) resource(resource fhirpath.Value) error {
	v := r.view
	if resource == nil {
		return fmt.Errorf("view: nil resource: %w", ErrEval)
	}
	m, ok := resource.Raw().(map[string]any)
	if !ok {
		return fmt.Errorf("view: input is not a JSON object: %w", ErrEval)
	}
	if rt, _ := m["resourceType"].(string); rt != v.resource {
		return nil
	}
	r.opts.Resource = resource
	for i, w := range v.where {
		keep, err := r.where(w, resource)
		if err != nil {
			return fmt.Errorf("view: resource %s: where[%d] %q: %w", resourceKey(m), i, w.Source(), err)
		}
		if !keep {
			return nil
		}
	}
	if err := r.process(v.root, resource, 0, r.emitFn); err != nil {
		if errors.Is(err, errEmit) {
			return errors.Unwrap(err)
		}
		return fmt.Errorf("view: resource %s: %w", resourceKey(m), err)
	}
	return nil
}

// errEmit marks an error returned by the caller's emit function, so that
// it reaches the caller unwrapped.
var errEmit = errors.New("emit")

type emitError struct{ err error }

func (e emitError) Error() string        { return e.err.Error() }
func (e emitError) Unwrap() error        { return e.err }
func (e emitError) Is(target error) bool { return target == errEmit }

func resourceKey(m map[string]any) string {
	rt, _ := m["resourceType"].(string)
	id, _ := m["id"].(string)
	return rt + "/" + id
}

// run is the evaluation state of one Eval call, or of one Run worker.
type run struct {
	view   *View
	opts   fhirpath.Options
	row    []any
	emit   func([]any) error
	emitFn func() error // r.emitRow, bound once
}

func (r *run) emitRow() error {
	if err := r.emit(r.row); err != nil {
		return emitError{err}
	}
	return nil
}

func (r *run) eval(e *fhirpath.Expression, focus fhirpath.Value, idx int) (fhirpath.Collection, error) {
	if r.view.rowIndex {
		r.opts.Vars["rowIndex"] = fhirpath.Collection{fhirpath.Integer(idx)}
	}
	return e.Evaluate(focus, &r.opts)
}

// where applies one where clause: an empty result rejects the resource,
// a single boolean decides, anything else is an error.
func (r *run) where(e *fhirpath.Expression, resource fhirpath.Value) (bool, error) {
	res, err := r.eval(e, resource, 0)
	if err != nil {
		return false, err
	}
	switch len(res) {
	case 0:
		return false, nil
	case 1:
		if b, ok := asBool(res[0]); ok {
			return b, nil
		}
		return false, fmt.Errorf("returned %s, want a boolean: %w", describe(res[0]), ErrEval)
	}
	return false, fmt.Errorf("returned %d items, want one boolean: %w", len(res), ErrEval)
}

func asBool(v fhirpath.Value) (b, ok bool) {
	switch x := v.(type) {
	case fhirpath.Boolean:
		return bool(x), true
	case *fhirpath.Node:
		b, ok = x.Raw().(bool)
		return b, ok
	}
	return false, false
}

func describe(v fhirpath.Value) string {
	if t := v.TypeName(); t != "" {
		return "a " + t
	}
	return fmt.Sprintf("%T", v.Raw())
}

// process emits, through k, every row of the selection structure s at the
// node: it chooses the foci (forEach, forEachOrNull, repeat or the node
// itself), fills s's columns for each, then combines its nested selects
// and unionAll as a Cartesian product by nesting continuations, so no
// intermediate row set is ever built. idx is the enclosing %rowIndex.
// https://sql-on-fhir.org/ig/latest/StructureDefinition-ViewDefinition.html#processing-algorithm
func (r *run) process(s *selectNode, node fhirpath.Value, idx int, k func() error) error {
	var foci fhirpath.Collection
	switch s.iter {
	case iterNone:
		return r.body(s, node, idx, k)
	case iterForEach, iterForEachOrNull:
		var err error
		foci, err = r.eval(s.each, node, idx)
		if err != nil {
			return fmt.Errorf("forEach %q: %w", s.each.Source(), err)
		}
	case iterRepeat:
		var err error
		foci, err = r.repeat(s, node, idx, nil, 0)
		if err != nil {
			return err
		}
	}
	if len(foci) == 0 && s.iter == iterForEachOrNull {
		for _, p := range s.nulls {
			r.row[p] = nil
		}
		for _, p := range s.rowIndexCols {
			r.row[p] = int64(0)
		}
		return k()
	}
	for i, f := range foci {
		if err := r.body(s, f, i, k); err != nil {
			return err
		}
	}
	return nil
}

// repeat collects, depth first, every node reachable from node by the
// repeat paths, in the order the specification's traverse() visits them.
func (r *run) repeat(s *selectNode, node fhirpath.Value, idx int, out fhirpath.Collection, depth int) (fhirpath.Collection, error) {
	if depth > maxRepeatDepth {
		return nil, fmt.Errorf("repeat: deeper than %d levels: %w", maxRepeatDepth, ErrEval)
	}
	for _, p := range s.repeat {
		children, err := r.eval(p, node, idx)
		if err != nil {
			return nil, fmt.Errorf("repeat %q: %w", p.Source(), err)
		}
		for _, c := range children {
			out = append(out, c)
			if out, err = r.repeat(s, c, idx, out, depth+1); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// body fills s's columns for one focus and continues with its nested
// selects and unionAll.
func (r *run) body(s *selectNode, f fhirpath.Value, idx int, k func() error) error {
	for i := range s.columns {
		c := &s.columns[i]
		if c.fast.kind != fastNone {
			if v, ok := c.fast.value(f); ok {
				r.row[c.pos] = v
				continue
			}
		}
		vals, err := r.eval(c.expr, f, idx)
		if err != nil {
			return fmt.Errorf("column %q: %w", c.name, err)
		}
		if c.collection {
			list := make([]any, len(vals))
			for j, v := range vals {
				list[j] = goValue(v)
			}
			r.row[c.pos] = list
			continue
		}
		switch len(vals) {
		case 0:
			r.row[c.pos] = nil
		case 1:
			r.row[c.pos] = goValue(vals[0])
		default:
			return fmt.Errorf("column %q: %d values but the column is not a collection: %w", c.name, len(vals), ErrEval)
		}
	}
	return r.children(s, f, idx, 0, k)
}

// children continues with nested select i of s (each nested select's rows
// are crossed with those of the following ones), then with the unionAll
// branches, then with k.
func (r *run) children(s *selectNode, f fhirpath.Value, idx, i int, k func() error) error {
	if i < len(s.selects) {
		next := k
		if i+1 < len(s.selects) || len(s.unions) > 0 {
			next = func() error { return r.children(s, f, idx, i+1, k) }
		}
		return r.process(s.selects[i], f, idx, next)
	}
	for _, u := range s.unions {
		if err := r.process(u, f, idx, k); err != nil {
			return err
		}
	}
	if len(s.unions) > 0 {
		return nil
	}
	return k()
}

// goValue converts a FHIRPath item to the Go value of a row cell. Values
// that are already what the row holds are returned as the interface they
// came in, so no cell is boxed twice.
func goValue(v fhirpath.Value) any {
	switch x := v.(type) {
	case *fhirpath.Node:
		raw := x.Raw()
		switch d := raw.(type) {
		case json.Number:
			switch x.TypeName() {
			case "integer", "positiveInt", "unsignedInt", "integer64":
				if i, err := d.Int64(); err == nil {
					return i
				}
			case "":
				if i, err := strconv.ParseInt(string(d), 10, 64); err == nil {
					return i
				}
			}
		case string:
			if x.TypeName() == "integer64" {
				if i, err := strconv.ParseInt(d, 10, 64); err == nil {
					return i
				}
			}
		}
		return raw
	case fhirpath.String:
		return string(x)
	case fhirpath.Integer:
		return int64(x)
	case fhirpath.Boolean:
		return bool(x)
	case fhirpath.Decimal:
		return json.Number(x.String())
	case fhirpath.Temporal:
		return x.String()
	case *fhirpath.Quantity:
		return x.String()
	}
	return v.Raw()
}
