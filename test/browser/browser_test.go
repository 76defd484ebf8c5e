// Package browser runs Sen's clinician and patient apps in a real Chromium
// through Playwright (playwright-core, no bundled browser) and checks the
// main flows end to end.
package browser

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/web/webtest"
)

// requireTools returns the chromium path, or skips (fails with
// SEN_REQUIRE_ALL=1) when node, chromium or node_modules are missing.
func requireTools(tb testing.TB) string {
	tb.Helper()
	missing := func(what string) {
		tb.Helper()
		if os.Getenv("SEN_REQUIRE_ALL") == "1" {
			tb.Fatalf("%s is missing (SEN_REQUIRE_ALL=1)", what)
		}
		tb.Skipf("%s is missing; run: apt-get install -y chromium nodejs npm && (cd test/browser && npm install)", what)
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing("node")
	}
	chromium := os.Getenv("SEN_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		missing(chromium)
	}
	if _, err := os.Stat(filepath.Join("node_modules", "playwright-core")); err != nil {
		missing("test/browser/node_modules (npm install)")
	}
	return chromium
}

func TestFlows(t *testing.T) {
	chromium := requireTools(t)
	a, err := webtest.NewApp(webtest.Options{Patients: 60})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Handler)
	defer srv.Close()
	out, _ := filepath.Abs("out")
	for _, script := range []string{"clinician.js", "patient.js", "pages.js"} {
		t.Run(script, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "node", script)
			cmd.Env = append(os.Environ(), "SEN_URL="+srv.URL, "SEN_OUT="+out, "SEN_CHROMIUM="+chromium)
			b, err := cmd.CombinedOutput()
			t.Logf("%s", b)
			if err != nil {
				t.Fatalf("node %s: %v", script, err)
			}
		})
	}
}
