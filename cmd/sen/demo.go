package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/ingest"
	"github.com/sen-emr/sen/internal/synth"
)

// demoMarker records which population a data directory holds, so that a
// second `sen demo` on the same directory starts at once.
type demoMarker struct {
	Seed     int64     `json:"seed"`
	Patients int       `json:"patients"`
	End      time.Time `json:"end"`
	Written  int       `json:"written"`
}

func newDemoCmd() *cobra.Command {
	f := serverFlags{}
	var patients int
	var seed int64
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Generate a synthetic Vietnamese population, load it and serve Sen / Tạo dân số mô phỏng và chạy thử Sen",
		Long: `Generate a deterministic synthetic Vietnamese population (patients,
households, hospitals and commune health stations, chronic conditions,
prescriptions, dispensings and dose confirmations), load it into the data
directory and serve Sen on it. A data directory that already holds the same
population is served as it is.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log, err := newLogger(f.logFormat)
			if err != nil {
				return err
			}
			if patients < 1 || patients > synth.MaxPatients {
				return fmt.Errorf("--patients: want 1..%d, got %d", synth.MaxPatients, patients)
			}
			if f.db != "sqlite" && f.db != "" {
				return errors.New("sen demo uses the embedded SQLite store; use sen serve --db for PostgreSQL")
			}
			out := cmd.OutOrStdout()
			f.appClock = demoClock(time.Now())
			f.sign.demo = true // a self-signed key in --data-dir when no --sign-key (signing.go)
			app, err := openApp(cmd.Context(), &f, log)
			if err != nil {
				return err
			}
			defer app.close()
			if err := loadDemo(cmd.Context(), app, out, f.dataDir, seed, patients); err != nil {
				return err
			}
			logins, err := ensureDemoLogins(cmd.Context(), app)
			if err != nil {
				return err
			}
			return app.serve(cmd.Context(), out, withLogins(demoBanner(patients, app.sec.off), logins))
		},
	}
	f.register(cmd)
	cmd.Flags().Lookup("data-dir").DefValue = "./sen-demo-data"
	_ = cmd.Flags().Set("data-dir", "./sen-demo-data")
	cmd.Flags().IntVar(&patients, "patients", 1000, "number of synthetic patients")
	cmd.Flags().Int64Var(&seed, "seed", 1, "random seed of the population (same seed, same population)")
	return cmd
}

// demoEnd fixes the simulated period so that a seed always gives the same
// population, whatever day the demo runs.
var demoEnd = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// demoClock is the apps' clock in the demo: it starts on the last simulated
// morning (07:00 in Vietnam) when the demo starts and then runs, so the
// patient app has today's doses and confirmations land in the period.
func demoClock(started time.Time) func() time.Time {
	offset := demoEnd.Add(-24 * time.Hour).Sub(started)
	return func() time.Time { return time.Now().Add(offset) }
}

func loadDemo(ctx context.Context, a *app, out io.Writer, dataDir string, seed int64, patients int) error {
	markerPath := filepath.Join(dataDir, "demo.json")
	if b, err := os.ReadFile(markerPath); err == nil {
		var m demoMarker
		if json.Unmarshal(b, &m) == nil && m.Seed == seed && m.Patients == patients && m.End.Equal(demoEnd) {
			fmt.Fprintf(out, "Dùng dân số mô phỏng có sẵn / using the demo population already in %s (%d patients, %d resources).\n", dataDir, m.Patients, m.Written)
			return nil
		}
	}
	gen := synth.New(synth.Config{Seed: seed, Patients: patients, End: demoEnd})
	fmt.Fprintf(out, "Đang tạo và nạp / generating and loading %d synthetic patients into %s ...\n", patients, dataDir)
	start := time.Now()

	// The generator pushes; the loader pulls. A bounded channel joins them.
	bodies := make(chan []byte, 1024)
	genErr := make(chan error, 1)
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		defer close(bodies)
		genErr <- gen.Run(func(b []byte) error {
			select {
			case bodies <- b:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
	}()
	l := ingest.Loader{Store: a.store, Indexer: a.indexer, Batch: 2000}
	st, err := l.Load(gctx, ingest.FromChan(bodies))
	cancel()
	if err != nil {
		return fmt.Errorf("load demo population: %w", err)
	}
	if err := <-genErr; err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("generate demo population: %w", err)
	}
	took := time.Since(start)
	fmt.Fprintf(out, "Đã nạp / loaded %d resources in %.1fs (%.0f resources/s).\n", st.Written, took.Seconds(), float64(st.Written)/took.Seconds())
	m, _ := json.Marshal(demoMarker{Seed: seed, Patients: patients, End: demoEnd, Written: st.Written})
	if err := os.WriteFile(markerPath, m, 0o640); err != nil {
		return fmt.Errorf("write %s: %w", markerPath, err)
	}
	return nil
}

func demoBanner(patients int, noAuth bool) func(base string) string {
	return func(base string) string {
		try := fmt.Sprintf("Thử / try:  curl '%s/fhir/Patient?name=nguyen&_count=5'\n", base)
		if !noAuth {
			// Every FHIR request needs a token; the apps sign in with the
			// logins below. Say how to try the API without one.
			try = fmt.Sprintf("API FHIR cần token (SMART) / the FHIR API needs a SMART token; để thử không cần token / to try it without one:\n"+
				"  sen demo --no-auth, then curl '%s/fhir/Patient?name=nguyen&_count=5'\n", base)
		}
		return fmt.Sprintf(`Mở / open %s/ in a browser. Dân số mô phỏng / demo population: %d synthetic patients (no real person's data).
%sDừng / stop: Ctrl+C
`, base, patients, try)
	}
}
