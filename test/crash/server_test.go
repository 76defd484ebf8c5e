package crash

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// gate skips unless the harness is asked for (SEN_CRASH=1 or CI's
// SEN_REQUIRE_ALL=1).
func gate(tb testing.TB) {
	tb.Helper()
	if os.Getenv("SEN_CRASH") != "1" && os.Getenv("SEN_REQUIRE_ALL") != "1" {
		tb.Skip("crash harness: set SEN_CRASH=1 to run it (CI runs it with SEN_REQUIRE_ALL=1)")
	}
}

// need skips when a dependency is missing, or fails under SEN_REQUIRE_ALL=1.
func need(tb testing.TB, err error, what string) {
	tb.Helper()
	if err == nil {
		return
	}
	if os.Getenv("SEN_REQUIRE_ALL") == "1" {
		tb.Fatalf("%s is required (SEN_REQUIRE_ALL=1): %v", what, err)
	}
	tb.Skipf("%s unavailable: %v", what, err)
}

// buildSen compiles cmd/sen into a temporary directory.
func buildSen(tb testing.TB) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), "sen")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/sen")
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("go build ./cmd/sen: %v\n%s", err, out)
	}
	return bin
}

// server is one running sen serve.
type server struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port/fhir
	log  *bytes.Buffer
	done chan error
}

// freeAddr returns a loopback address with a port nobody listens on now.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// start runs `sen serve` with args and waits until /readyz answers 200:
// a server that does not become ready within the timeout, or exits, fails
// the test with its log.
func start(tb testing.TB, bin string, args ...string) *server {
	tb.Helper()
	addr := freeAddr(tb)
	s := &server{base: "http://" + addr + "/fhir", log: &bytes.Buffer{}, done: make(chan error, 1)}
	s.cmd = exec.Command(bin, append([]string{"serve", "--no-auth", "--addr", addr, "--log-format", "json"}, args...)...)
	s.cmd.Stdout = io.Discard
	s.cmd.Stderr = &syncWriter{w: s.log}
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("start sen serve: %v", err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			tb.Fatalf("sen serve exited before it was ready: %v\n%s", err, s.log.String())
		default:
		}
		resp, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.kill()
	tb.Fatalf("sen serve not ready after 60s:\n%s", s.log.String())
	return nil
}

// kill sends SIGKILL and waits for the process to be gone.
func (s *server) kill() {
	_ = s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.done
}

// stop asks for a clean shutdown (SIGTERM) and waits.
func (s *server) stop(tb testing.TB) {
	tb.Helper()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.kill()
		tb.Fatalf("sen serve did not stop within 30s of SIGTERM")
	}
}

// panics reports panic or fatal lines in the server's log.
func (s *server) panics() string {
	var out []string
	for _, line := range strings.Split(s.log.String(), "\n") {
		if strings.Contains(line, "panic") || strings.Contains(line, "fatal error") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// syncWriter bounds the captured log; it is read only after the process
// has exited (Wait returns after the stderr copy ends), so it needs no lock.
type syncWriter struct {
	w *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	if s.w.Len() > 1<<20 { // keep the last MB or so: a log is for failure reports
		s.w.Reset()
	}
	return s.w.Write(p)
}

// runSen runs a maintenance subcommand and returns its combined output.
func runSen(bin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("sen %s: %w", strings.Join(args, " "), err)
	}
	return string(out), nil
}
