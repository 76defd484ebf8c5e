package client

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/rest/resttest"
	"github.com/sen-emr/sen/internal/validate"
)

// need skips when a tool is missing, or fails under SEN_REQUIRE_ALL=1.
func need(tb testing.TB, ok bool, what string) {
	tb.Helper()
	if ok {
		return
	}
	if os.Getenv("SEN_REQUIRE_ALL") == "1" {
		tb.Fatalf("%s is required (SEN_REQUIRE_ALL=1)", what)
	}
	tb.Skipf("%s missing", what)
}

func TestFHIRKitClient(t *testing.T) {
	node, err := exec.LookPath("node")
	need(t, err == nil, "node")
	if _, err := os.Stat("node_modules/fhir-kit-client"); err != nil {
		npm, err := exec.LookPath("npm")
		need(t, err == nil, "npm")
		if os.Getenv("SEN_REQUIRE_ALL") == "1" {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			if out, err := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund").CombinedOutput(); err != nil {
				t.Fatalf("npm ci: %v\n%s", err, out)
			}
		} else {
			t.Skip("node_modules missing: run npm ci in test/client")
		}
	}
	m := r4.Load()
	h := rest.New(rest.Config{
		Store:     resttest.NewMemStore(),
		Indexer:   resttest.IdentifierIndexer{},
		Parser:    rest.QueryParserFunc(resttest.ParseIdentifierQuery),
		Validator: validate.New(m),
		Model:     m,
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	script, _ := filepath.Abs("client.js")
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Env = append(os.Environ(), "SEN_FHIR_URL=http://"+ln.Addr().String()+"/fhir")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("client.js failed: %v", err)
	}
}
