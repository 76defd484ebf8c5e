package read_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // the driver sqlite.DefaultDriver names

	"github.com/sen-emr/sen/internal/auth"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store/sqlite"
)

// fixture is one opened data directory: Sen's handler over it, a plain
// read-only connection for the baselines, and the benchmark inputs chosen
// from the data (the commonest Observation code, the patient whose
// compartment is nearest 1,000 resources).
type fixture struct {
	api     http.Handler
	guarded http.Handler // api over the access-control guard (auth.Guard), as sen serve without --no-auth
	raw     *sql.DB
	system  string
	code    string
	nCode   int
	patient string
	nComp   int
}

var (
	fxOnce sync.Once
	fx     *fixture
	fxErr  error
)

// open returns the fixture of SEN_BENCH_DATA, skipping without it.
func open(b *testing.B) *fixture {
	b.Helper()
	dir := os.Getenv("SEN_BENCH_DATA")
	if dir == "" {
		b.Skip("SEN_BENCH_DATA is not set: build a data set with bench/data1m.sh and point it there")
	}
	fxOnce.Do(func() { fx, fxErr = newFixture(dir) })
	if fxErr != nil {
		b.Fatal(fxErr)
	}
	return fx
}

func newFixture(dir string) (*fixture, error) {
	ctx := context.Background()
	path := filepath.Join(dir, "sen.db")
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("SEN_BENCH_DATA: %w", err)
	}
	model := r4.Load()
	ix, err := search.NewIndexer(model)
	if err != nil {
		return nil, err
	}
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return nil, err
	}
	parser := rest.QueryParserFunc(func(typ string, p url.Values, strict bool) (*search.Query, error) {
		return search.ParseQuery(model, typ, p, strict)
	})
	f := &fixture{api: rest.New(rest.Config{Store: st, Indexer: ix, Model: model, BaseURL: "http://sen.bench/fhir", Parser: parser})}
	guard := &auth.Guard{Store: st, Indexer: ix, Compartments: model, Policy: &auth.Policy{},
		Queries: func(typ string, params url.Values) (*search.Query, error) {
			return search.ParseQuery(model, typ, params, true)
		}}
	f.guarded = rest.New(rest.Config{Store: guard, Indexer: ix, Model: model, BaseURL: "http://sen.bench/fhir", Parser: parser})
	v := url.Values{}
	v.Set("mode", "ro")
	v.Set("_busy_timeout", "10000")
	if f.raw, err = sql.Open("sqlite3", "file:"+path+"?"+v.Encode()); err != nil {
		return nil, err
	}
	f.raw.SetMaxOpenConns(1)
	err = f.raw.QueryRowContext(ctx, `SELECT system, code, count(*) FROM idx_token
		WHERE type = 'Observation' AND param = 'code' AND code <> '' GROUP BY system, code ORDER BY 3 DESC, 1, 2 LIMIT 1`).
		Scan(&f.system, &f.code, &f.nCode)
	if err != nil {
		return nil, fmt.Errorf("commonest Observation code: %w", err)
	}
	err = f.raw.QueryRowContext(ctx, `SELECT patient, count(*) FROM compartments
		GROUP BY patient ORDER BY abs(count(*) - 1000), patient LIMIT 1`).Scan(&f.patient, &f.nComp)
	if err != nil {
		return nil, fmt.Errorf("patient near 1,000 resources: %w", err)
	}
	return f, nil
}

func (f *fixture) get(b *testing.B, path string) []byte {
	req := httptest.NewRequest("GET", path, nil)
	w := httptest.NewRecorder()
	f.api.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %.300s", path, w.Code, w.Body.String())
	}
	return w.Body.Bytes()
}

// discard is a ResponseWriter that keeps the status and counts the body,
// as a network connection would take it: httptest.ResponseRecorder grows
// one buffer to the body's size, which a server never does.
type discard struct {
	h    http.Header
	code int
	n    int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) WriteHeader(code int)        { d.code = code }
func (d *discard) Write(p []byte) (int, error) { d.n += len(p); return len(p), nil }

// serve answers a GET of path, discarding the body, and returns its size.
func (f *fixture) serve(b *testing.B, path string) int {
	return serveWith(b, f.api, httptest.NewRequest("GET", path, nil))
}

// system is a backend service allowed to read everything (system/*.rs).
func system(b *testing.B) *auth.Principal {
	scopes, err := auth.ParseScopes("system/*.rs")
	if err != nil {
		b.Fatal(err)
	}
	return &auth.Principal{Subject: "bench", Role: auth.RoleSystem, Scopes: scopes}
}

func serveWith(b *testing.B, h http.Handler, req *http.Request) int {
	w := &discard{h: http.Header{}, code: http.StatusOK}
	h.ServeHTTP(w, req)
	if w.code != http.StatusOK {
		b.Fatalf("GET %s: %d", req.URL, w.code)
	}
	return w.n
}

// timed runs op b.N times and reports the median and p99 of one run.
func timed(b *testing.B, op func()) {
	b.Helper()
	var ds []time.Duration
	for b.Loop() {
		t := time.Now()
		op()
		ds = append(ds, time.Since(t))
	}
	slices.Sort(ds)
	ms := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }
	b.ReportMetric(ms(ds[len(ds)/2]), "p50-ms")
	b.ReportMetric(ms(ds[len(ds)*99/100]), "p99-ms")
}

// BenchmarkEverything is Patient/{id}/$everything?_count=1000 of the
// patient whose compartment is nearest 1,000 resources (one page), against
// the SQL that reads the same compartment's bodies.
func BenchmarkEverything(b *testing.B) {
	f := open(b)
	b.Run("sen", func(b *testing.B) {
		q := "/fhir/Patient/" + f.patient + "/$everything?_count=1000"
		timed(b, func() { f.serve(b, q) })
		n := bytes.Count(f.get(b, q), []byte(`"fullUrl"`))
		if n < f.nComp {
			b.Fatalf("$everything returned %d entries, the compartment holds %d", n, f.nComp)
		}
		b.ReportMetric(float64(n), "entries")
	})
	// The same request through the access-control guard for a backend
	// service that may read everything: what sign-in adds.
	b.Run("guarded", func(b *testing.B) {
		q := "/fhir/Patient/" + f.patient + "/$everything?_count=1000"
		p := system(b)
		var n int
		timed(b, func() {
			req := httptest.NewRequest("GET", q, nil)
			n = serveWith(b, f.guarded, req.WithContext(auth.WithPrincipal(req.Context(), p)))
		})
		b.ReportMetric(float64(n), "bytes")
	})
	b.Run("sql", func(b *testing.B) {
		stmt, err := f.raw.Prepare(`SELECT v.json FROM compartments c JOIN resources r ON r.rid = c.rid
			JOIN versions v ON v.rid = r.rid AND v.version = r.version
			WHERE c.patient = ? AND r.deleted = 0 ORDER BY c.rid`)
		if err != nil {
			b.Fatal(err)
		}
		defer stmt.Close()
		var n int
		timed(b, func() { n = bodies(b, stmt, f.patient) })
		b.ReportMetric(float64(n), "entries")
	})
}

// bodies runs stmt and reads every body, returning the row count.
func bodies(b *testing.B, stmt *sql.Stmt, args ...any) int {
	rows, err := stmt.Query(args...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	n := 0
	var raw sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&raw); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}

// BenchmarkCountCode is Observation?code=S|C&_summary=count for the
// commonest code, against the bare SQL count of the same index rows.
func BenchmarkCountCode(b *testing.B) {
	f := open(b)
	b.Run("sen", func(b *testing.B) {
		q := "/fhir/Observation?code=" + url.QueryEscape(f.system+"|"+f.code) + "&_summary=count"
		var total int
		timed(b, func() {
			var bundle struct {
				Total int `json:"total"`
			}
			if err := json.Unmarshal(f.get(b, q), &bundle); err != nil {
				b.Fatal(err)
			}
			total = bundle.Total
		})
		if total != f.nCode {
			b.Fatalf("total %d, want %d", total, f.nCode)
		}
		b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "matches/s")
	})
	b.Run("sql", func(b *testing.B) {
		stmt, err := f.raw.Prepare(`SELECT count(*) FROM idx_token
			WHERE type = 'Observation' AND param = 'code' AND code = ? AND system = ?`)
		if err != nil {
			b.Fatal(err)
		}
		defer stmt.Close()
		var n int
		timed(b, func() {
			if err := stmt.QueryRow(f.code, f.system).Scan(&n); err != nil {
				b.Fatal(err)
			}
		})
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "matches/s")
	})
}

var nextLink = []byte(`"relation":"next","url":"`)

// BenchmarkDownloadCode downloads every match of the commonest code in
// pages of 1,000 by following the next links, against the SQL that reads
// the same bodies in one statement.
func BenchmarkDownloadCode(b *testing.B) {
	f := open(b)
	b.Run("sen", func(b *testing.B) {
		var n int
		timed(b, func() {
			n = 0
			next := "/fhir/Observation?code=" + url.QueryEscape(f.system+"|"+f.code) + "&_count=1000"
			for next != "" {
				body := f.get(b, next)
				n += bytes.Count(body, []byte(`"fullUrl"`))
				next = ""
				if i := bytes.Index(body, nextLink); i >= 0 {
					rest := body[i+len(nextLink):]
					raw := strings.ReplaceAll(string(rest[:bytes.IndexByte(rest, '"')]), `\u0026`, "&")
					u, err := url.Parse(raw)
					if err != nil {
						b.Fatal(err)
					}
					next = u.RequestURI()
				}
			}
		})
		if n != f.nCode {
			b.Fatalf("downloaded %d, want %d", n, f.nCode)
		}
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "resources/s")
	})
	b.Run("sql", func(b *testing.B) {
		stmt, err := f.raw.Prepare(`SELECT v.json FROM idx_token i JOIN resources r ON r.rid = i.rid
			JOIN versions v ON v.rid = r.rid AND v.version = r.version
			WHERE i.type = 'Observation' AND i.param = 'code' AND i.code = ? AND i.system = ? ORDER BY i.rid`)
		if err != nil {
			b.Fatal(err)
		}
		defer stmt.Close()
		var n int
		timed(b, func() { n = bodies(b, stmt, f.code, f.system) })
		b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "resources/s")
	})
}

// BenchmarkCodePatient is Observation?code=…&patient=… (first page) for
// the commonest code and the patient nearest 1,000 resources, and the same
// search as Patient/{id}/Observation?code=… (the compartment), against the
// SQL that reads the same bodies from the patient's references with the
// code probed per Observation.
func BenchmarkCodePatient(b *testing.B) {
	f := open(b)
	code := url.QueryEscape(f.system + "|" + f.code)
	for _, c := range []struct{ name, path string }{
		{"sen", "/fhir/Observation?code=" + code + "&patient=" + url.QueryEscape("Patient/"+f.patient)},
		{"compartment", "/fhir/Patient/" + f.patient + "/Observation?code=" + code},
	} {
		b.Run(c.name, func(b *testing.B) {
			timed(b, func() { f.serve(b, c.path) })
			body := f.get(b, c.path)
			if !strings.Contains(string(body[:min(len(body), 400)]), `"searchset"`) {
				b.Fatal("not a searchset")
			}
			b.ReportMetric(float64(bytes.Count(body, []byte(`"fullUrl"`))), "entries")
		})
	}
	b.Run("sql", func(b *testing.B) {
		stmt, err := f.raw.Prepare(`SELECT v.json FROM idx_reference i JOIN resources r ON r.rid = i.rid
			JOIN versions v ON v.rid = r.rid AND v.version = r.version
			WHERE i.type = 'Observation' AND i.param = 'subject' AND i.ref_type = 'Patient' AND i.ref_id = ?
			AND EXISTS (SELECT 1 FROM idx_token t WHERE t.rid = i.rid AND t.type = 'Observation' AND t.param = 'code' AND t.code = ? AND t.system = ?)
			ORDER BY i.rid LIMIT 51`)
		if err != nil {
			b.Fatal(err)
		}
		defer stmt.Close()
		var n int
		timed(b, func() { n = bodies(b, stmt, f.patient, f.code, f.system) })
		b.ReportMetric(float64(n), "entries")
	})
}
