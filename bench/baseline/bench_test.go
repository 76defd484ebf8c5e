package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // the driver sqlite.DefaultDriver names

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/fhirpath"
	"github.com/sen-emr/sen/internal/ingest"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store/sqlite"
	"github.com/sen-emr/sen/internal/synth"
	"github.com/sen-emr/sen/internal/validate"
)

// Each benchmark here runs Sen's path and its baseline as sub-benchmarks of
// one benchmark, so both are measured in the same process, minutes apart,
// under the same machine load; docs/benchmarks.md reports their ratio.

// patientBody is the Patient internal/rest's BenchmarkRead creates.
const patientBody = `{"resourceType":"Patient","identifier":[{"system":"urn:sen:test","value":"p1"}],"name":[{"family":"Nguyen","given":["An"]}],"gender":"female","text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">An</div>"}}`

// newAPI returns Sen's FHIR handler over a fresh SQLite file with the real
// indexer and query parser, wired as cmd/sen serve wires them (without
// auth, audit and metrics).
func newAPI(tb testing.TB) http.Handler {
	tb.Helper()
	model := r4.Load()
	ix, err := search.NewIndexer(model)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "sen.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return rest.New(rest.Config{Store: st, Indexer: ix, Model: model, Validator: validate.New(model),
		Parser: rest.QueryParserFunc(func(typ string, p url.Values, strict bool) (*search.Query, error) {
			return search.ParseQuery(model, typ, p, strict)
		})})
}

func serve(tb testing.TB, h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	return w
}

// BenchmarkRead: a FHIR read through Sen's handler over SQLite, against a
// static handler answering the very bytes Sen answered.
func BenchmarkRead(b *testing.B) {
	api := newAPI(b)
	w := serve(b, api, "POST", "/fhir/Patient", patientBody)
	if w.Code != http.StatusCreated {
		b.Fatalf("create: %d %s", w.Code, w.Body.String())
	}
	var created struct{ ID string }
	if err := json.Unmarshal(w.Body.Bytes(), &created); err != nil || created.ID == "" {
		b.Fatalf("create answered no id (%v): %s", err, w.Body.String())
	}
	path := "/fhir/Patient/" + created.ID
	body := serve(b, api, "GET", path, "").Body.Bytes()
	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"sen", api}, {"static", static(body)}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if w := serve(b, c.h, "GET", path, ""); w.Code != http.StatusOK || w.Body.Len() != len(body) {
					b.Fatalf("%d, %d bytes; want 200, %d bytes", w.Code, w.Body.Len(), len(body))
				}
			}
		})
	}
}

// BenchmarkExtract: search-index extraction of one Observation (decode and
// every Observation search parameter) against encoding/json decoding the
// same bytes into map[string]any. One op is one resource.
func BenchmarkExtract(b *testing.B) {
	data, err := os.ReadFile("../../internal/fhirpath/testdata/suite/observation-example.json")
	if err != nil {
		b.Fatal(err)
	}
	ix, err := search.NewIndexer(r4.Load())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("index", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ix.Index("Observation", data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("fhirpath-decode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := fhirpath.DecodeJSON(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m map[string]any
			if err := json.Unmarshal(data, &m); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// synthBodies is the population internal/ingest's BenchmarkLoadSQLite loads.
func synthBodies(tb testing.TB) (bodies [][]byte) {
	tb.Helper()
	gen := synth.New(synth.Config{Seed: 3, Patients: 150, End: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err := gen.Run(func(p []byte) error { bodies = append(bodies, p); return nil }); err != nil {
		tb.Fatal(err)
	}
	return bodies
}

// BenchmarkIngest: the bulk loader (index, write resources, versions and
// index rows) against a raw INSERT of the same JSON blobs into an SQLite
// table without indexes, same driver, same pragmas, same 2,000-resource
// transactions. Each op loads the whole population into a fresh file.
func BenchmarkIngest(b *testing.B) {
	bodies := synthBodies(b)
	ix, err := search.NewIndexer(r4.Load())
	if err != nil {
		b.Fatal(err)
	}
	b.Run("loader", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "sen.db"), sqlite.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			n := 0
			l := ingest.Loader{Store: st, Indexer: ix, Batch: 2000}
			if _, err := l.Load(context.Background(), func() ([]byte, error) {
				if n == len(bodies) {
					return nil, nil
				}
				n++
				return bodies[n-1], nil
			}); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			st.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(len(bodies)*b.N)/b.Elapsed().Seconds(), "resources/s")
	})
	b.Run("raw-insert", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			db := openRaw(b)
			b.StartTimer()
			if err := rawInsert(db, bodies, 2000); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			db.Close()
			b.StartTimer()
		}
		b.ReportMetric(float64(len(bodies)*b.N)/b.Elapsed().Seconds(), "resources/s")
	})
}

// openRaw opens a fresh SQLite file with the pragmas internal/store/sqlite
// sets on its writer.
func openRaw(tb testing.TB) *sql.DB {
	tb.Helper()
	v := url.Values{}
	v.Set("_journal_mode", "WAL")
	v.Set("_synchronous", "NORMAL")
	v.Set("_busy_timeout", "10000")
	v.Set("_cache_size", "-32000")
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(tb.TempDir(), "raw.db")+"?"+v.Encode())
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE raw (type TEXT NOT NULL, id TEXT NOT NULL, json BLOB NOT NULL)`); err != nil {
		tb.Fatal(err)
	}
	return db
}

// rawInsert writes each body with its type and id, batch per transaction.
func rawInsert(db *sql.DB, bodies [][]byte, batch int) error {
	for start := 0; start < len(bodies); start += batch {
		end := min(start+batch, len(bodies))
		tx, err := db.Begin()
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		stmt, err := tx.Prepare(`INSERT INTO raw (type, id, json) VALUES (?, ?, ?)`)
		if err != nil {
			tx.Rollback()
			return fmt.Errorf("prepare: %w", err)
		}
		for _, body := range bodies[start:end] {
			// The loader must at least learn type and id; so does the baseline.
			var head struct{ ResourceType, ID string }
			if err := json.Unmarshal(body, &head); err != nil {
				tx.Rollback()
				return fmt.Errorf("resource head: %w", err)
			}
			if _, err := stmt.Exec(head.ResourceType, head.ID, body); err != nil {
				tx.Rollback()
				return fmt.Errorf("insert %s/%s: %w", head.ResourceType, head.ID, err)
			}
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("commit: %w", err)
		}
	}
	return nil
}
