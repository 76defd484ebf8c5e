package population

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readCSV reads a testdata table, skipping the "#" citation lines, and
// returns its rows as header → value maps.
func readCSV(tb testing.TB, name string) []map[string]string {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return parseCSVMaps(tb, string(raw))
}

func parseCSVMaps(tb testing.TB, raw string) []map[string]string {
	tb.Helper()
	var lines []string
	for _, l := range strings.Split(raw, "\n") {
		if !strings.HasPrefix(l, "#") {
			lines = append(lines, l)
		}
	}
	rows, err := csv.NewReader(strings.NewReader(strings.Join(lines, "\n"))).ReadAll()
	if err != nil {
		tb.Fatal(err)
	}
	var out []map[string]string
	for _, r := range rows[1:] {
		m := map[string]string{}
		for i, h := range rows[0] {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		out = append(out, m)
	}
	return out
}

// requireShared returns the shared data directory (../../../../shared from
// this package), skipping the test when it is absent, or failing it when
// SEN_REQUIRE_ALL=1 (CI).
func requireShared(tb testing.TB) string {
	tb.Helper()
	dir, _ := filepath.Abs(filepath.Join("..", "..", "..", "..", "shared"))
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("SEN_REQUIRE_ALL") == "1" {
			tb.Fatalf("shared data %s required (SEN_REQUIRE_ALL=1): %v", dir, err)
		}
		tb.Skipf("shared data %s absent", dir)
	}
	return dir
}
