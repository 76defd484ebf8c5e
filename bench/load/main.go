// Command load drives a realistic mix of FHIR requests against a running
// Sen (sen serve or sen demo) for a bounded time on loopback, and reports
// throughput, latency percentiles and errors per kind of request:
//
//	go run ./bench/load -url http://127.0.0.1:8080/fhir -duration 30s -c 16
//
// The mix is 70 % reads and searches (read Patient, search Patient by
// name, a patient's Observations and Conditions), 20 % writes (create an
// Observation, update one with If-Match) and 10 % transactions (an
// Encounter and two Observations linked by urn:uuid references). It needs
// patients on the server: run it against `sen demo --patients 1000`.
// Every non-2xx answer and every transport failure counts as an error.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

func main() {
	cfg := config{}
	flag.StringVar(&cfg.base, "url", "http://127.0.0.1:8080/fhir", "FHIR base URL of the server under test")
	flag.DurationVar(&cfg.duration, "duration", 30*time.Second, "how long to drive load (after warm-up)")
	flag.DurationVar(&cfg.warmup, "warmup", 3*time.Second, "load driven before measuring (not reported)")
	flag.IntVar(&cfg.clients, "c", 16, "concurrent clients")
	flag.Uint64Var(&cfg.seed, "seed", 1, "random seed of the request mix")
	flag.BoolVar(&cfg.json, "json", false, "print the report as JSON")
	flag.Parse()
	if err := run(context.Background(), cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

type config struct {
	base             string
	duration, warmup time.Duration
	clients          int
	seed             uint64
	json             bool
}

func run(ctx context.Context, cfg config, out io.Writer) error {
	if cfg.clients < 1 {
		return fmt.Errorf("-c: want at least 1 client, got %d", cfg.clients)
	}
	cfg.base = strings.TrimSuffix(cfg.base, "/")
	c := &client{base: cfg.base, http: &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConns: cfg.clients * 2, MaxIdleConnsPerHost: cfg.clients * 2, IdleConnTimeout: time.Minute},
	}}
	fx, err := discover(ctx, c)
	if err != nil {
		return err
	}
	if cfg.warmup > 0 {
		drive(ctx, c, fx, cfg.clients, cfg.warmup, cfg.seed+1000)
	}
	start := time.Now()
	samples := drive(ctx, c, fx, cfg.clients, cfg.duration, cfg.seed)
	rep := summarise(samples, time.Since(start), cfg)
	if cfg.json {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	rep.print(out)
	return nil
}

// fixture is what the mix needs from the server's data.
type fixture struct {
	patients []string // ids
	names    []string // family names to search
}

// discover lists patients (up to 1000) and their family names.
func discover(ctx context.Context, c *client) (*fixture, error) {
	fx := &fixture{}
	seen := map[string]bool{}
	next := c.base + "/Patient?_count=500&_elements=name"
	for next != "" && len(fx.patients) < 1000 {
		var b struct {
			Link []struct {
				Relation, URL string
			} `json:"link"`
			Entry []struct {
				Resource struct {
					ID   string `json:"id"`
					Name []struct {
						Family string `json:"family"`
					} `json:"name"`
				} `json:"resource"`
			} `json:"entry"`
		}
		status, body, err := c.do(ctx, "GET", next, "", nil)
		if err != nil || status != http.StatusOK {
			return nil, fmt.Errorf("list patients at %s: status %d: %v %.200s", next, status, err, body)
		}
		if err := json.Unmarshal(body, &b); err != nil {
			return nil, fmt.Errorf("list patients: %w", err)
		}
		for _, e := range b.Entry {
			if e.Resource.ID == "" {
				continue
			}
			fx.patients = append(fx.patients, e.Resource.ID)
			if len(e.Resource.Name) > 0 && e.Resource.Name[0].Family != "" && !seen[e.Resource.Name[0].Family] {
				seen[e.Resource.Name[0].Family] = true
				fx.names = append(fx.names, e.Resource.Name[0].Family)
			}
		}
		next = ""
		for _, l := range b.Link {
			if l.Relation == "next" {
				next = l.URL
			}
		}
	}
	if len(fx.patients) == 0 {
		return nil, fmt.Errorf("no Patient on %s: load a population first (sen demo --patients 1000)", c.base)
	}
	if len(fx.names) == 0 {
		fx.names = []string{"Nguyen"}
	}
	return fx, nil
}

// sample is one request's outcome.
type sample struct {
	kind    string
	latency time.Duration
	err     bool
}

// drive runs clients workers for d and returns every sample.
func drive(ctx context.Context, c *client, fx *fixture, clients int, d time.Duration, seed uint64) []sample {
	deadline := time.Now().Add(d)
	var mu sync.Mutex
	var all []sample
	var wg sync.WaitGroup
	for w := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wk := &worker{c: c, fx: fx, rnd: rand.New(rand.NewPCG(seed, uint64(w)))}
			var mine []sample
			for time.Now().Before(deadline) {
				kind, op := wk.pick()
				t0 := time.Now()
				err := op(ctx)
				mine = append(mine, sample{kind, time.Since(t0), err != nil})
				if err != nil && len(wk.errs) < 3 {
					wk.errs = append(wk.errs, err.Error())
				}
			}
			mu.Lock()
			all = append(all, mine...)
			for _, e := range wk.errs {
				fmt.Fprintln(os.Stderr, "error:", e)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	return all
}

// report is the result of a run.
type report struct {
	Clients   int         `json:"clients"`
	Seconds   float64     `json:"seconds"`
	Requests  int         `json:"requests"`
	Errors    int         `json:"errors"`
	PerSecond float64     `json:"requestsPerSecond"`
	Overall   stats       `json:"overall"`
	ByKind    []kindStats `json:"byKind"`
}

type stats struct {
	P50, P95, P99, Max float64 // milliseconds
}

type kindStats struct {
	Kind     string `json:"kind"`
	Requests int    `json:"requests"`
	Errors   int    `json:"errors"`
	stats
}

func summarise(samples []sample, took time.Duration, cfg config) *report {
	r := &report{Clients: cfg.clients, Seconds: took.Seconds(), Requests: len(samples)}
	byKind := map[string][]sample{}
	for _, s := range samples {
		byKind[s.kind] = append(byKind[s.kind], s)
		if s.err {
			r.Errors++
		}
	}
	r.PerSecond = float64(len(samples)) / took.Seconds()
	r.Overall = percentiles(samples)
	kinds := make([]string, 0, len(byKind))
	for k := range byKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		ks := kindStats{Kind: k, Requests: len(byKind[k]), stats: percentiles(byKind[k])}
		for _, s := range byKind[k] {
			if s.err {
				ks.Errors++
			}
		}
		r.ByKind = append(r.ByKind, ks)
	}
	return r
}

func percentiles(samples []sample) stats {
	if len(samples) == 0 {
		return stats{}
	}
	d := make([]time.Duration, len(samples))
	for i, s := range samples {
		d[i] = s.latency
	}
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	at := func(p float64) float64 {
		i := int(p * float64(len(d)-1))
		return float64(d[i].Microseconds()) / 1000
	}
	return stats{P50: at(.50), P95: at(.95), P99: at(.99), Max: float64(d[len(d)-1].Microseconds()) / 1000}
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "%d clients, %.1fs: %d requests, %.0f req/s, %d errors\n", r.Clients, r.Seconds, r.Requests, r.PerSecond, r.Errors)
	fmt.Fprintf(w, "%-22s %9s %7s %8s %8s %8s %8s\n", "kind", "requests", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms")
	row := func(name string, n, e int, s stats) {
		fmt.Fprintf(w, "%-22s %9d %7d %8.2f %8.2f %8.2f %8.1f\n", name, n, e, s.P50, s.P95, s.P99, s.Max)
	}
	for _, k := range r.ByKind {
		row(k.Kind, k.Requests, k.Errors, k.stats)
	}
	row("all", r.Requests, r.Errors, r.Overall)
}
