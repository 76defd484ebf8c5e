package concurrency

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/sqlite"
)

var (
	modelOnce sync.Once
	model     *r4.Model
	indexer   *search.Indexer
)

// backends are the stores every test runs on.
func backends() []struct {
	name string
	open func(tb testing.TB) store.Store
} {
	return []struct {
		name string
		open func(tb testing.TB) store.Store
	}{
		{"sqlite", openSQLite},
		{"postgres", openPostgres},
	}
}

func openSQLite(tb testing.TB) store.Store {
	tb.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "sen.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// serve runs the REST API over st on a loopback port, as sen serve does.
func serve(tb testing.TB, st store.Store) *client {
	tb.Helper()
	modelOnce.Do(func() {
		model = r4.Load()
		var err error
		if indexer, err = search.NewIndexer(model); err != nil {
			panic(err)
		}
	})
	h := rest.New(rest.Config{
		Store:   st,
		Indexer: indexer,
		Parser: rest.QueryParserFunc(func(typ string, params url.Values, strict bool) (*search.Query, error) {
			return search.ParseQuery(model, typ, params, strict)
		}),
		Model: model,
	})
	srv := httptest.NewServer(h)
	tb.Cleanup(srv.Close)
	return &client{base: srv.URL + "/fhir", http: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}}
}

type client struct {
	base string
	http *http.Client
}

// do sends one request; headers alternate name, value.
func (c *client) do(tb testing.TB, method, path, body string, headers ...string) (int, http.Header, []byte) {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := c.http.Do(req)
	if err != nil {
		tb.Errorf("%s %s: %v", method, path, err)
		return 0, nil, nil
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Errorf("%s %s: %v", method, path, err)
	}
	return resp.StatusCode, resp.Header, b
}
