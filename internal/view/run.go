package view

import (
	"context"
	"fmt"
)

// Source streams stored resources of one type. Each calls fn with the JSON
// body of every resource of resourceType (the body is only valid during
// the call) and stops at the first error fn returns, returning it. It must
// honour ctx cancellation.
type Source interface {
	Each(ctx context.Context, resourceType string, fn func(body []byte) error) error
}

// Run evaluates the view over every resource the source holds of the
// view's type and writes the rows to w, then closes w. It stops at the
// first error (a resource that does not decode, an evaluation error, a
// write error) or when ctx is done.
func Run(ctx context.Context, v *View, src Source, w Writer) error {
	write := func(row []any) error { return w.Write(row) }
	err := src.Each(ctx, v.resource, func(body []byte) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return v.EvalJSON(body, write)
	})
	if err != nil {
		_ = w.Close()
		return fmt.Errorf("view: run %s: %w", v.resource, err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("view: run %s: %w", v.resource, err)
	}
	return nil
}
