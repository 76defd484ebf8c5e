package r4

import (
	"bytes"
	"compress/gzip"
	"regexp"
	"slices"
	"testing"
)

// compileAnchored compiles a FHIR regex, which matches the whole value.
func compileAnchored(expr string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + expr + `)$`)
}

func gzipBytes(tb testing.TB, b []byte) []byte {
	tb.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		tb.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func allTypes(m *Model) []*TypeDef {
	out := make([]*TypeDef, 0, len(m.types))
	for _, td := range m.types {
		out = append(out, td)
	}
	return out
}
