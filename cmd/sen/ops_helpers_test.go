package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/sen-emr/sen/internal/store"
)

// runCmd runs the sen command line with args and returns its output.
func runCmd(tb testing.TB, args ...string) (string, error) {
	tb.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// allVersions lists every version in st, newest first, by system history.
func allVersions(tb testing.TB, st store.Store) []string {
	tb.Helper()
	var out []string
	q := store.HistoryQuery{Count: 1000}
	for {
		page, err := st.History(context.Background(), q)
		if err != nil {
			tb.Fatal(err)
		}
		for _, r := range page.Resources {
			out = append(out, r.Type+"/"+r.ID+"/"+itoa(r.VersionID)+" "+r.LastUpdated.String()+" "+string(r.JSON))
		}
		if page.Next == "" {
			return out
		}
		q.Cursor = page.Next
	}
}

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	if n == 0 {
		return "0"
	}
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}
