package search

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
)

func TestAliasList(t *testing.T) {
	m := r4.Load()
	n := 0
	for _, rt := range m.ResourceTypes() {
		for _, sp := range m.SearchParams(rt) {
			if a, ok := AliasOf(m, rt, sp.Code); ok {
				n++
				if testing.Verbose() {
					fmt.Printf("%s.%s -> %s %s\n", rt, sp.Code, strings.Join(a.Params, ","), a.RefType)
				}
			}
		}
	}
	_ = slices.Contains[[]string]
	t.Logf("%d aliases", n)
}
