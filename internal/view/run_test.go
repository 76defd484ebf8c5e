package view

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// recordWriter keeps rows (copied) and can fail at a given row.
type recordWriter struct {
	rows   [][]any
	failAt int // 1-based row that fails; 0 never
	closed int
}

var errWrite = errors.New("disk full")

func (w *recordWriter) Write(row []any) error {
	if w.failAt > 0 && len(w.rows)+1 == w.failAt {
		return errWrite
	}
	w.rows = append(w.rows, append([]any(nil), row...))
	return nil
}

func (w *recordWriter) Close() error { w.closed++; return nil }

// failingSource yields bodies and then, if err is set, fails.
type failingSource struct {
	bodies [][]byte
	err    error
}

func (s failingSource) Each(ctx context.Context, typ string, fn func([]byte) error) error {
	for _, b := range s.bodies {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(b); err != nil {
			return err
		}
	}
	return s.err
}

// TestRunParallelMatchesSequential runs the same view over the same
// resources with 1, 2 and 4 workers and requires identical rows and
// errors: a broken body, an evaluation error, a failing writer and a
// failing source at several positions, across batch boundaries.
func TestRunParallelMatchesSequential(t *testing.T) {
	v := mustCompile(t, `{"resource":"Patient","select":[{"column":[
	  {"name":"id","path":"getResourceKey()"},{"name":"family","path":"name.family"}]},
	  {"forEachOrNull":"telecom","column":[{"name":"phone","path":"value"}]}]}`)
	const n = 1000
	good := func(i int) []byte {
		phones := ""
		if i%3 == 0 {
			phones = fmt.Sprintf(`,"telecom":[{"value":"09%08d"},{"value":"08%08d"}]`, i, i)
		}
		return []byte(fmt.Sprintf(`{"resourceType":"Patient","id":"p%d","name":[{"family":"F%d"}]%s}`, i, i, phones))
	}
	// Two family names make the non-collection column fail at run time.
	evalFails := []byte(`{"resourceType":"Patient","id":"bad","name":[{"family":"A"},{"family":"B"}]}`)
	broken := []byte(`{"resourceType":"Patient","id":`)
	other := []byte(`{"resourceType":"Observation","id":"o1"}`)
	bodies := func(bad []byte, at int) [][]byte {
		out := make([][]byte, 0, n+2)
		for i := 0; i < n; i++ {
			if i == at && bad != nil {
				out = append(out, bad)
			}
			out = append(out, good(i))
			if i%50 == 0 {
				out = append(out, other)
			}
		}
		return out
	}
	tests := []struct {
		name   string
		src    failingSource
		failAt int
	}{
		{"all good", failingSource{bodies: bodies(nil, 0)}, 0},
		{"broken body first", failingSource{bodies: bodies(broken, 0)}, 0},
		{"broken body mid-batch", failingSource{bodies: bodies(broken, 300)}, 0},
		{"evaluation error at a batch edge", failingSource{bodies: bodies(evalFails, 255)}, 0},
		{"evaluation error last", failingSource{bodies: bodies(evalFails, n-1)}, 0},
		{"source fails after everything", failingSource{bodies: bodies(nil, 0), err: errors.New("connection reset")}, 0},
		{"writer fails", failingSource{bodies: bodies(nil, 0)}, 700},
		{"writer fails on the first row", failingSource{bodies: bodies(nil, 0)}, 1},
		{"empty source", failingSource{}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := &recordWriter{failAt: tc.failAt}
			wantErr := RunWith(context.Background(), v, tc.src, want, RunOptions{Workers: 1})
			for _, workers := range []int{2, 4} {
				got := &recordWriter{failAt: tc.failAt}
				err := RunWith(context.Background(), v, tc.src, got, RunOptions{Workers: workers})
				if fmt.Sprint(err) != fmt.Sprint(wantErr) {
					t.Errorf("%d workers: error %v, sequential %v", workers, err, wantErr)
				}
				if !reflect.DeepEqual(got.rows, want.rows) {
					t.Errorf("%d workers: %d rows, sequential %d (or different order)", workers, len(got.rows), len(want.rows))
				}
				if got.closed != 1 {
					t.Errorf("%d workers: writer closed %d times", workers, got.closed)
				}
			}
			if tc.name == "all good" && len(want.rows) != n+n/3+1 {
				t.Errorf("%d rows, want %d", len(want.rows), n+n/3+1)
			}
		})
	}
}

// TestRunParallelCancel stops a parallel run from the context while the
// source is still producing.
func TestRunParallelCancel(t *testing.T) {
	v := mustCompile(t, `{"resource":"Patient","select":[{"column":[{"name":"id","path":"getResourceKey()"}]}]}`)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := sourceFunc(func(ctx context.Context, typ string, fn func([]byte) error) error {
		for i := 0; ; i++ {
			if i == 5000 {
				cancel()
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn([]byte(fmt.Sprintf(`{"resourceType":"Patient","id":"p%d"}`, i))); err != nil {
				return err
			}
		}
	})
	w := &recordWriter{}
	err := RunWith(ctx, v, src, w, RunOptions{Workers: 2})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	for i, row := range w.rows {
		if row[0] != fmt.Sprintf("p%d", i) {
			t.Fatalf("row %d is %v: rows out of order", i, row)
		}
	}
}

type sourceFunc func(ctx context.Context, typ string, fn func([]byte) error) error

func (f sourceFunc) Each(ctx context.Context, typ string, fn func([]byte) error) error {
	return f(ctx, typ, fn)
}
