// Package synthea is the server issue's acceptance test: every Synthea
// bundle of ../shared/fhir/synthea POSTed as a FHIR transaction through the
// real REST handler, indexer and validator, on SQLite and on PostgreSQL;
// then every resource reads back equal to what was sent (apart from meta
// and rewritten references) and the counts per type match.
package synthea

import (
	"net/url"
	"path/filepath"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/rest/resttest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/postgres/pgtest"
	"github.com/sen-emr/sen/internal/store/sqlite"
	"github.com/sen-emr/sen/internal/validate"
)

func TestSyntheaTransactions(t *testing.T) {
	backends := []struct {
		name string
		open func(testing.TB) store.Store
	}{
		{"sqlite", func(tb testing.TB) store.Store {
			db, err := sqlite.Open(t.Context(), filepath.Join(tb.TempDir(), "sen.db"), sqlite.Options{})
			if err != nil {
				tb.Fatal(err)
			}
			tb.Cleanup(func() { db.Close() })
			return db
		}},
		{"postgres", func(tb testing.TB) store.Store { return pgtest.Open(tb, "sen_synthea") }},
	}
	shared := resttest.SharedDir(t, "../..")
	limit := 0
	if testing.Short() {
		limit = 5
	}
	files := resttest.SyntheaFiles(t, shared, limit)
	model := r4.Load()
	ix, err := search.NewIndexer(model)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			h := rest.New(rest.Config{
				Store:   b.open(t),
				Indexer: ix,
				Parser: rest.QueryParserFunc(func(typ string, params url.Values, strict bool) (*search.Query, error) {
					return search.ParseQuery(model, typ, params, strict)
				}),
				Validator:    validate.New(model),
				Model:        model,
				MaxBodyBytes: 64 << 20,
			})
			resttest.LoadSynthea(t, h, files)
		})
	}
}
