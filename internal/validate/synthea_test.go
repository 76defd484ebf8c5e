package validate

import (
	"compress/bzip2"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// readBzip2 returns the decompressed content of a .bz2 file.
func readBzip2(tb testing.TB, path string) []byte {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	b, err := io.ReadAll(bzip2.NewReader(f))
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return b
}

// TestSyntheaBundles validates the Synthea transaction bundles of the shared
// folder (both sets): they must have no errors. All 247 bundles take a few
// minutes on a busy machine, so only every 8th is read unless
// SEN_REQUIRE_ALL=1 (CI); -short reads two of each set.
func TestSyntheaBundles(t *testing.T) {
	shared := requireShared(t)
	v := testValidator(t)
	for _, set := range []string{"synthea", "synthea-smart"} {
		files, err := filepath.Glob(filepath.Join(shared, "fhir", set, "*.json.bz2"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no bundles in %s: %v", set, err)
		}
		switch {
		case testing.Short():
			files = files[:2]
		case os.Getenv("SEN_REQUIRE_ALL") != "1":
			var some []string
			for i := 0; i < len(files); i += 8 {
				some = append(some, files[i])
			}
			files = some
		}
		bad := 0
		for _, f := range files {
			errs := errorsOf(v.Validate(readBzip2(t, f)))
			if len(errs) > 0 {
				bad++
				if len(errs) > 5 {
					errs = errs[:5]
				}
				t.Errorf("%s/%s: errors (first 5):%s", set, filepath.Base(f), formatIssues(errs))
			}
		}
		t.Logf("%s: %d of %d bundles without errors", set, len(files)-bad, len(files))
	}
	logEvalFailures(t)
}
