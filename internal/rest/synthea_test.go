package rest

import (
	"testing"

	"github.com/sen-emr/sen/internal/rest/resttest"
)

// TestSynthea loads the Synthea bundles through the handler. It runs on
// the in-memory double with its identifier-only indexer, which is all the
// bundles' conditional references need; backends run resttest.LoadSynthea
// with the real indexer.
func TestSynthea(t *testing.T) {
	shared := resttest.SharedDir(t, "../..")
	limit := 0
	if testing.Short() {
		limit = 5
	}
	h, _ := newTestHandler(t, nil, func(c *Config) { c.MaxBodyBytes = 64 << 20 })
	resttest.LoadSynthea(t, h, resttest.SyntheaFiles(t, shared, limit))
}
