package medication

import (
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// requireShared returns the path of /work/shared (../shared from the repo
// root) or skips the test when it is absent; with SEN_REQUIRE_ALL=1 (CI) a
// missing directory fails the test instead.
func requireShared(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "..", "..", "shared")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("SEN_REQUIRE_ALL") == "1" {
			tb.Fatalf("shared data required (SEN_REQUIRE_ALL=1): %v", err)
		}
		tb.Skipf("shared data not available: %v", err)
	}
	return dir
}

// readCSV reads a fixture CSV (with '#' comment lines) into rows keyed by
// the header.
func readCSV(tb testing.TB, path string) []map[string]string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		row := map[string]string{}
		for i, h := range recs[0] {
			if i < len(rec) {
				row[h] = rec[i]
			}
		}
		rows = append(rows, row)
	}
	return rows
}

func mustDate(tb testing.TB, layout, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(layout, s)
	if err != nil {
		tb.Fatalf("date %q: %v", s, err)
	}
	return t
}

func mustFloat(tb testing.TB, s string) float64 {
	tb.Helper()
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		tb.Fatalf("number %q: %v", s, err)
	}
	return v
}

// publishedTolerance is half a unit of the last digit printed in s, so a
// value matches when it rounds to the published figure.
func publishedTolerance(s string) float64 {
	s = strings.TrimSpace(s)
	d := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		d = len(s) - i - 1
	}
	return 0.5*math.Pow(10, -float64(d)) + 1e-12
}

// loadMedEvents reads AdhereR med.events rows grouped by patient.
func loadMedEvents(tb testing.TB, path string) map[string][]Event {
	tb.Helper()
	out := map[string][]Event{}
	for _, r := range readCSV(tb, path) {
		out[r["PATIENT_ID"]] = append(out[r["PATIENT_ID"]], Event{
			Date:     mustDate(tb, "01/02/2006", r["DATE"]),
			Duration: mustFloat(tb, r["DURATION"]),
			PerDay:   mustFloat(tb, r["PERDAY"]),
			Category: r["CATEGORY"],
		})
	}
	return out
}
