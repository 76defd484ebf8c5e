package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/vn/bhyt"
)

// loadBundle PUTs every entry of a collection Bundle into st through the
// API handler, so the resources are validated and indexed. edit may change
// resources before they are written.
func loadBundle(tb testing.TB, st store.Store, path string, edit func(map[string]any)) {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var b struct {
		Entry []struct{ Resource map[string]any } `json:"entry"`
	}
	if err := json.Unmarshal(data, &b); err != nil {
		tb.Fatal(err)
	}
	model := r4.Load()
	ix, err := search.NewIndexer(model)
	if err != nil {
		tb.Fatal(err)
	}
	api := rest.New(rest.Config{Store: st, Indexer: ix, Model: model,
		Parser: rest.QueryParserFunc(func(typ string, params url.Values, strict bool) (*search.Query, error) {
			return search.ParseQuery(model, typ, params, strict)
		})})
	for _, e := range b.Entry {
		if edit != nil {
			edit(e.Resource)
		}
		body, _ := json.Marshal(e.Resource)
		req := httptest.NewRequest(http.MethodPut, "/fhir/"+e.Resource["resourceType"].(string)+"/"+e.Resource["id"].(string), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/fhir+json")
		w := httptest.NewRecorder()
		api.ServeHTTP(w, req)
		if w.Code >= 300 {
			tb.Fatalf("load %s/%s: %d %s", e.Resource["resourceType"], e.Resource["id"], w.Code, w.Body)
		}
	}
}

func TestBHYTExport(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		edit      func(map[string]any)
		wantErr   bool
		wantLines []string
	}{
		{"valid outpatient visit", nil, false, []string{"Encounter/e1 →", "1 claims written, 0 not"}},
		{"wrong card number", func(r map[string]any) {
			// Benefit digit 9 does not exist (REGULATIONS.md §3).
			if r["subscriberId"] != nil {
				r["subscriberId"] = "HT9010123456789"
			}
			if ids, ok := r["identifier"].([]any); ok {
				for _, id := range ids {
					if m := id.(map[string]any); m["value"] == "HT3010123456789" {
						m["value"] = "HT9010123456789"
					}
				}
			}
		}, true, []string{"Encounter/e1: NOT WRITTEN", "MA_THE_BHYT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			st, err := openStore(ctx, "sqlite", dir)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			loadBundle(t, st, filepath.Join("testdata", "bhyt-outpatient.json"), tt.edit)

			ids, err := encountersEndedSince(ctx, st, time.Date(2026, 3, 2, 0, 0, 0, 0, vnZone))
			if err != nil || len(ids) != 1 || ids[0] != "e1" {
				t.Fatalf("encounters since 2 March: %v %v", ids, err)
			}
			if later, _ := encountersEndedSince(ctx, st, time.Date(2026, 3, 3, 0, 0, 0, 0, vnZone)); len(later) != 0 {
				t.Fatalf("encounters since 3 March: %v, want none", later)
			}
			out := filepath.Join(dir, "claims")
			var log bytes.Buffer
			err = exportClaims(ctx, st, ids, out, &log)
			if (err != nil) != tt.wantErr {
				t.Fatalf("export: err %v, want error %v\n%s", err, tt.wantErr, log.String())
			}
			for _, want := range tt.wantLines {
				if !strings.Contains(log.String(), want) {
					t.Errorf("output lacks %q:\n%s", want, log.String())
				}
			}
			env, readErr := os.ReadFile(filepath.Join(out, "e1.xml"))
			if tt.wantErr {
				if readErr == nil {
					t.Fatal("a claim with wrong fields was written")
				}
				return
			}
			if readErr != nil {
				t.Fatal(readErr)
			}
			tables, _, err := bhyt.OpenEnvelope(env)
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range []string{"XML1", "XML2", "XML3"} {
				tbl, _ := bhyt.TableByName(name)
				rows, errs := bhyt.ParseTable(tbl, tables[name])
				if len(errs) > 0 || len(rows) == 0 {
					t.Errorf("%s: %d rows, errors %v", name, len(rows), errs)
				}
			}
		})
	}
}
