// Command sqlbase is the baseline of the search benchmarks in
// bench/http.sh: it runs, straight on Sen's SQLite file and through one
// prepared statement, the SQL a code search must at least run, and prints
// the median and p99 latency. It also picks the benchmark's inputs from the
// same file (the commonest Observation code, the patient whose compartment
// is nearest a size):
//
//	go run ./bench/sqlbase -db DIR/sen.db -top-code
//	go run ./bench/sqlbase -db DIR/sen.db -patient-near 1000
//	go run ./bench/sqlbase -db DIR/sen.db -count-code 'http://loinc.org|8302-2' -n 500
//
// It opens the database read-only, so it can run beside a serving Sen
// (SQLite WAL: readers do not block the writer).
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // the driver Sen's SQLite store uses by default
)

type config struct {
	db          string
	topCode     bool
	patientNear int
	countCode   string
	n           int
}

func main() {
	var cfg config
	flag.StringVar(&cfg.db, "db", "", "Sen SQLite database file (DATA-DIR/sen.db)")
	flag.BoolVar(&cfg.topCode, "top-code", false, "print the commonest Observation code as system|code and its count")
	flag.IntVar(&cfg.patientNear, "patient-near", 0, "print the Patient id whose compartment size is nearest this, and the size")
	flag.StringVar(&cfg.countCode, "count-code", "", "time SELECT count(*) of Observations with this system|code")
	flag.IntVar(&cfg.n, "n", 500, "how many times -count-code runs the query")
	flag.Parse()
	if err := run(context.Background(), cfg, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "sqlbase:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfg config, out io.Writer) error {
	if cfg.db == "" {
		return errors.New("-db is required / cần -db")
	}
	if _, err := os.Stat(cfg.db); err != nil {
		return fmt.Errorf("database: %w", err)
	}
	v := url.Values{}
	v.Set("mode", "ro")
	v.Set("_busy_timeout", "10000")
	db, err := sql.Open("sqlite3", "file:"+cfg.db+"?"+v.Encode())
	if err != nil {
		return fmt.Errorf("open %s: %w", cfg.db, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	switch {
	case cfg.topCode:
		return topCode(ctx, db, out)
	case cfg.patientNear > 0:
		return patientNear(ctx, db, cfg.patientNear, out)
	case cfg.countCode != "":
		return countCode(ctx, db, cfg.countCode, cfg.n, out)
	}
	return errors.New("say what to do: -top-code, -patient-near N or -count-code SYSTEM|CODE / chọn một thao tác")
}

func topCode(ctx context.Context, db *sql.DB, out io.Writer) error {
	var system, code string
	var n int
	err := db.QueryRowContext(ctx, `SELECT system, code, count(*) FROM idx_token
		WHERE type = 'Observation' AND param = 'code' AND code <> '' GROUP BY system, code ORDER BY 3 DESC, 1, 2 LIMIT 1`).Scan(&system, &code, &n)
	if err != nil {
		return fmt.Errorf("commonest Observation code: %w", err)
	}
	_, err = fmt.Fprintf(out, "%s|%s %d\n", system, code, n)
	return err
}

// patientNear prints the patient whose compartment (rows of resources
// sharing its patient key) is nearest size, ties to the smaller id.
func patientNear(ctx context.Context, db *sql.DB, size int, out io.Writer) error {
	var key string
	var n int
	err := db.QueryRowContext(ctx, `SELECT pkey, count(*) AS n FROM resources
		WHERE pkey <> '' AND deleted = 0 GROUP BY pkey ORDER BY abs(count(*) - ?), pkey LIMIT 1`, size).Scan(&key, &n)
	if err != nil {
		return fmt.Errorf("patient near %d resources: %w", size, err)
	}
	_, err = fmt.Fprintf(out, "%s %d\n", strings.TrimPrefix(key, "Patient/"), n)
	return err
}

// countCode times the index lookup a code search with _summary=count needs
// at the least, on a warm prepared statement.
func countCode(ctx context.Context, db *sql.DB, token string, runs int, out io.Writer) error {
	system, code, ok := strings.Cut(token, "|")
	if !ok {
		return fmt.Errorf("-count-code %q: want SYSTEM|CODE", token)
	}
	if runs < 1 {
		return fmt.Errorf("-n %d: want at least 1", runs)
	}
	stmt, err := db.PrepareContext(ctx, `SELECT count(*) FROM idx_token
		WHERE type = 'Observation' AND param = 'code' AND code = ? AND system = ?`)
	if err != nil {
		return fmt.Errorf("prepare count: %w", err)
	}
	defer stmt.Close()
	ds := make([]time.Duration, 0, runs)
	var n int
	for range runs {
		t := time.Now()
		if err := stmt.QueryRowContext(ctx, code, system).Scan(&n); err != nil {
			return fmt.Errorf("count %s: %w", token, err)
		}
		ds = append(ds, time.Since(t))
	}
	slices.Sort(ds)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	_, err = fmt.Fprintf(out, "count=%d runs=%d median_ms=%.3f p99_ms=%.3f min_ms=%.3f max_ms=%.3f\n",
		n, runs, ms(ds[len(ds)/2]), ms(ds[len(ds)*99/100]), ms(ds[0]), ms(ds[len(ds)-1]))
	return err
}
