package synth

import (
	"encoding/json"
	"fmt"
	"runtime"
	"sync"
)

// Generator produces a synthetic population. It is safe for concurrent
// use: the population model is built once, on first use, and read-only
// afterwards; every call re-simulates clinical courses from the seed, so
// repeated calls give identical output.
type Generator struct {
	cfg Config
	err error

	once sync.Once
	geo  *geography
	pop  *population
	cs   *careSystem
}

// New returns a generator for cfg. Configuration errors are reported by
// the first call to Run, Bundles or GroundTruth.
func New(cfg Config) *Generator {
	c, err := cfg.withDefaults()
	return &Generator{cfg: c, err: err}
}

// Config returns the configuration with defaults filled in.
func (g *Generator) Config() Config { return g.cfg }

func (g *Generator) model() error {
	g.once.Do(func() {
		if g.err != nil {
			return
		}
		if g.geo, g.err = newGeography(); g.err != nil {
			return
		}
		var pop *population
		if pop, g.err = g.buildPopulation(); g.err != nil {
			return
		}
		for i := range pop.people {
			assignConditions(newRand(g.cfg.Seed, streamConditions, uint64(i)), &pop.people[i], g.cfg.Start, g.cfg.End)
		}
		g.pop = pop
		g.cs = g.buildCareSystem(pop)
	})
	return g.err
}

// Run emits every resource as FHIR R4 JSON, one call per resource:
// first the care system (Organization, Practitioner, PractitionerRole),
// then household by household each patient and their clinical resources
// (Condition, AllergyIntolerance, CareTeam, CarePlan, Encounter,
// Observation, MedicationRequest, MedicationDispense,
// MedicationAdministration). References are relative ("Patient/<id>") and
// ids are deterministic UUIDs, so resources can be written to a store in
// this order or PUT by id. The slice passed to emit is not reused; emit
// may keep it. Run stops at the first error emit returns.
func (g *Generator) Run(emit func(resourceJSON []byte) error) error {
	return g.each(func(_ int, res []renderedResource) error {
		for _, r := range res {
			if err := emit(r.json); err != nil {
				return err
			}
		}
		return nil
	})
}

// Bundles emits FHIR transaction Bundles: the first holds the care system,
// then one per household with its members and all their resources. Every
// entry is a PUT to "<type>/<id>" with fullUrl "urn:uuid:<id>", so loading
// is idempotent (loading twice leaves one copy) and references between
// bundles resolve. Load the bundles in the order emitted.
func (g *Generator) Bundles(emit func(bundle []byte) error) error {
	return g.each(func(n int, res []renderedResource) error {
		return emit(g.bundleJSON(n, res))
	})
}

// bundleJSON writes the transaction Bundle directly: the entries are
// already valid compact JSON, and re-encoding them through encoding/json
// (which re-validates json.RawMessage) would double the cost.
func (g *Generator) bundleJSON(n int, res []renderedResource) []byte {
	size := 512
	for _, r := range res {
		size += len(r.json) + 2*len(r.id) + len(r.typ) + 80
	}
	b := make([]byte, 0, size)
	b = append(b, `{"resourceType":"Bundle","id":"`...)
	b = append(b, newID(g.cfg.Seed, 1<<50, uint64(n))...)
	meta, _ := json.Marshal(synthMeta())
	b = append(b, `","meta":`...)
	b = append(b, meta...)
	b = append(b, `,"type":"transaction","entry":[`...)
	for i, r := range res {
		if i > 0 {
			b = append(b, ',')
		}
		// Ids are UUIDs and types are resource names: no escaping needed.
		b = append(b, `{"fullUrl":"urn:uuid:`...)
		b = append(b, r.id...)
		b = append(b, `","resource":`...)
		b = append(b, r.json...)
		b = append(b, `,"request":{"method":"PUT","url":"`...)
		b = append(b, r.typ...)
		b = append(b, '/')
		b = append(b, r.id...)
		b = append(b, `"}}`...)
	}
	return append(b, "]}"...)
}

// GroundTruth returns the simulated adherence truth of every patient with
// scheduled medicines (in patient order). It re-runs the simulation
// without rendering FHIR, so it is cheaper than Run.
func (g *Generator) GroundTruth() ([]Truth, error) {
	if err := g.model(); err != nil {
		return nil, err
	}
	var out []Truth
	for i := range g.pop.people {
		c := g.simulate(&g.pop.people[i], g.cs)
		if c.profile != ProfileNone {
			out = append(out, c.truth())
		}
	}
	return out, nil
}

type renderedResource struct {
	typ, id string
	json    []byte
}

// each renders the care system, then each household, and hands the
// resources of each group to fn in household order. Households are
// simulated and rendered in parallel batches (each depends only on the
// seed and the read-only model, so the output does not depend on
// scheduling); fn is always called from the calling goroutine.
func (g *Generator) each(fn func(n int, res []renderedResource) error) error {
	if err := g.model(); err != nil {
		return err
	}
	rd := &renderer{g: g}
	if err := rd.careSystem(); err != nil {
		return err
	}
	if err := fn(0, rd.out); err != nil {
		return err
	}
	workers := runtime.GOMAXPROCS(0)
	batch := 16 * workers
	results := make([][]renderedResource, batch)
	errs := make([]error, batch)
	for lo := 0; lo < len(g.pop.households); lo += batch {
		hi := min(lo+batch, len(g.pop.households))
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for h := lo + w; h < hi; h += workers {
					results[h-lo], errs[h-lo] = g.renderHousehold(h)
				}
			}()
		}
		wg.Wait()
		for h := lo; h < hi; h++ {
			if errs[h-lo] != nil {
				return errs[h-lo]
			}
			if err := fn(h+1, results[h-lo]); err != nil {
				return err
			}
			results[h-lo] = nil
		}
	}
	return nil
}

func (g *Generator) renderHousehold(h int) ([]renderedResource, error) {
	rd := &renderer{g: g}
	for _, m := range g.pop.households[h].members {
		p := &g.pop.people[m]
		if err := rd.patient(g.simulate(p, g.cs)); err != nil {
			return nil, fmt.Errorf("synth: patient %s: %w", p.id, err)
		}
	}
	return rd.out, nil
}
