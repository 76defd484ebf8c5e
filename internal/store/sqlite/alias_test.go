package sqlite

import (
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
)

// TestAliasMigrationsList: the migrations that delete the rows of alias
// parameters name exactly the parameters search.AliasOf calls aliases, on
// both backends, so that an upgraded database holds what a new one would.
func TestAliasMigrationsList(t *testing.T) {
	m := r4.Load()
	var want []string
	for _, rt := range m.ResourceTypes() {
		for _, sp := range m.SearchParams(rt) {
			if _, ok := search.AliasOf(m, rt, sp.Code); ok {
				want = append(want, rt+"."+sp.Code)
			}
		}
	}
	slices.Sort(want)
	pair := regexp.MustCompile(`\('([A-Za-z]+)', '([a-z0-9-]+)'\)`)
	for _, path := range []string{"migrations/00006_alias_rows.sql", "../postgres/migrations/00005_alias_rows.sql"} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, mm := range pair.FindAllStringSubmatch(string(b), -1) {
			seen[mm[1]+"."+mm[2]] = true
		}
		var got []string
		for k := range seen {
			got = append(got, k)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s names %d parameters, search.AliasOf %d:\n got %v\nwant %v", path, len(got), len(want), got, want)
		}
	}
}
