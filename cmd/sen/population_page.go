package main

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"time"

	"github.com/sen-emr/sen/internal/clinical/population"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/viewrun"
	"github.com/sen-emr/sen/internal/vn"
)

// populationCacheFor is how long a loaded cohort serves the dashboard:
// loading reads every patient's record, and monthly figures do not need
// to be fresher than a few minutes.
const populationCacheFor = 10 * time.Minute

// newPopulationPage is the population dashboard the clinician app shows at
// /app/population. It reads the store directly (not through the access
// guard): it shows only counts after disclosure control, and the app lets
// only doctors, station staff, administrators and researchers open it.
func newPopulationPage(st store.Reader, model *r4.Model, clock func() time.Time) (*population.Page, error) {
	units, err := vn.LoadUnits()
	if err != nil {
		return nil, fmt.Errorf("population dashboard: %w", err)
	}
	if clock == nil {
		clock = time.Now
	}
	c := &cohortCache{load: func(ctx context.Context) (*population.Cohort, error) {
		return population.LoadCohort(ctx, viewrun.StoreSource{Reader: st, Parse: func(typ string, params url.Values) (*search.Query, error) {
			return search.ParseQuery(model, typ, params, false)
		}})
	}}
	return &population.Page{
		Cohort: c.get,
		Label: func(by, key string) string {
			if p, ok := units.Province(key); ok && by == population.ByProvince {
				return p.Name
			}
			if cm, ok := units.Commune(key); ok && by == population.ByCommune {
				return cm.Name
			}
			return ""
		},
		Now: clock,
	}, nil
}

// cohortCache keeps the last loaded cohort for populationCacheFor.
type cohortCache struct {
	load func(ctx context.Context) (*population.Cohort, error)
	mu   sync.Mutex
	c    *population.Cohort
	at   time.Time
}

func (cc *cohortCache) get(ctx context.Context) (*population.Cohort, error) {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	if cc.c != nil && time.Since(cc.at) < populationCacheFor {
		return cc.c, nil
	}
	c, err := cc.load(ctx)
	if err != nil {
		return nil, err
	}
	cc.c, cc.at = c, time.Now()
	return c, nil
}
