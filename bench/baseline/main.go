// Command baseline is the yardstick the HTTP benchmarks are divided by: a
// plain net/http server that answers every GET with the same bytes Sen
// served for the resource under test, so that wrk measures only the HTTP
// stack, the loopback and the client. bench/http.sh fetches the resource
// from Sen, saves it, and runs this server on it in the same script run:
//
//	go run ./bench/baseline -file patient.json -addr 127.0.0.1:18311
//
// The benchmarks in bench_test.go are the in-process baselines of the
// package benchmarks bench/run.sh runs (static read, encoding/json decode,
// raw SQLite INSERT of the same blobs).
package main

import (
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"
)

func main() {
	file := flag.String("file", "", "file whose bytes every GET answers (required)")
	addr := flag.String("addr", "127.0.0.1:18311", "address to listen on")
	flag.Parse()
	if err := run(*file, *addr); err != nil {
		fmt.Fprintln(os.Stderr, "baseline:", err)
		os.Exit(1)
	}
}

func run(file, addr string) error {
	if file == "" {
		return errors.New("-file is required / cần -file")
	}
	body, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("read body: %w", err)
	}
	srv := &http.Server{Addr: addr, Handler: static(body), ReadHeaderTimeout: 10 * time.Second}
	return srv.ListenAndServe()
}

// static answers every request with body as a FHIR JSON resource, the
// headers a FHIR read carries and nothing else.
func static(body []byte) http.Handler {
	n := strconv.Itoa(len(body))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/fhir+json; charset=utf-8")
		h.Set("Content-Length", n)
		h.Set("ETag", `W/"1"`)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
}
