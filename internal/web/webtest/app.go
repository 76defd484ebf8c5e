package webtest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/sen-emr/sen/internal/clinical/population"
	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/i18n"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/synth"
	"github.com/sen-emr/sen/internal/viewrun"
	"github.com/sen-emr/sen/internal/web"
)

// End is the end of the synthetic period of test populations; Now, a
// morning on its last day, is the apps' clock in tests.
var (
	End = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	Now = End.Add(-24 * time.Hour) // 07:00 on 31 October in Vietnam (UTC+7)
)

// App is a Sen serving the FHIR API and the apps on an in-memory store.
type App struct {
	Store   *Store
	Indexer *search.Indexer
	Handler http.Handler // /fhir/... and the apps
	Web     *web.Handler
}

// Options adjust NewApp.
type Options struct {
	Patients int   // synthetic patients (default 40)
	Seed     int64 // default 1
	Identity web.Identity
	Auth     web.Authenticator
	Now      func() time.Time // default: fixed at Now
	Push     web.PushSubscriptions
}

// NewApp builds the app and loads a synthetic population into it.
func NewApp(o Options) (*App, error) {
	if o.Patients == 0 {
		o.Patients = 40
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Now == nil {
		o.Now = func() time.Time { return Now }
	}
	model := r4.Load()
	ix, err := search.NewIndexer(model)
	if err != nil {
		return nil, fmt.Errorf("indexer: %w", err)
	}
	st := NewStore()
	if err := Load(st, ix, synth.New(synth.Config{Seed: o.Seed, Patients: o.Patients, End: End, AppShare: 0.9})); err != nil {
		return nil, err
	}
	api := rest.New(rest.Config{
		Store:   st,
		Indexer: ix,
		Parser: rest.QueryParserFunc(func(typ string, params url.Values, strict bool) (*search.Query, error) {
			return search.ParseQuery(model, typ, params, strict)
		}),
		Model: model,
		Now:   o.Now,
	})
	cat, err := i18n.New()
	if err != nil {
		return nil, err
	}
	wh, err := web.New(web.Config{
		Store: st,
		Queries: web.QueryParserFunc(func(typ string, params url.Values) (*search.Query, error) {
			return search.ParseQuery(model, typ, params, false)
		}),
		FHIR:     api,
		Catalog:  cat,
		Identity: o.Identity,
		Auth:     o.Auth,
		Now:      o.Now,
		Push:     o.Push,
		// The population dashboard over the same store, as sen serve mounts it.
		Population: &population.Page{
			Cohort: func(ctx context.Context) (*population.Cohort, error) {
				return population.LoadCohort(ctx, viewrun.StoreSource{Reader: st, Parse: func(typ string, params url.Values) (*search.Query, error) {
					return search.ParseQuery(model, typ, params, false)
				}})
			},
			Now: o.Now,
		},
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/", api)
	wh.Mount(mux)
	return &App{Store: st, Indexer: ix, Handler: mux, Web: wh}, nil
}

// Load indexes and stores every resource gen emits.
func Load(st store.Store, ix *search.Indexer, gen *synth.Generator) error {
	ctx := context.Background()
	var batch []store.Write
	flush := func() error {
		err := st.Update(ctx, func(tx store.Tx) error {
			for _, w := range batch {
				if _, err := tx.Put(ctx, w); err != nil {
					return err
				}
			}
			return nil
		})
		batch = batch[:0]
		return err
	}
	err := gen.Run(func(body []byte) error {
		h, err := fhir.ParseHeader(body)
		if err != nil {
			return err
		}
		idx, err := ix.Index(h.ResourceType, body)
		if err != nil {
			return fmt.Errorf("index %s/%s: %w", h.ResourceType, h.ID, err)
		}
		batch = append(batch, store.Write{Type: h.ResourceType, ID: h.ID, JSON: append([]byte(nil), body...), Index: idx})
		if len(batch) == 1000 {
			return flush()
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("load synthetic population: %w", err)
	}
	return flush()
}
