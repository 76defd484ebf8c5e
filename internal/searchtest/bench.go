package searchtest

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/operation"
	"github.com/sen-emr/sen/internal/store"
)

// Bench measures search and the operations over the Synthea fixtures in
// the store open returns: counting one code, downloading its matches,
// code+patient search, Patient $everything of the largest patient (with
// p50/p99 latency) and NDJSON export throughput. bench/search/README.md
// lists the commands and the figures.
func Bench(b *testing.B, shared string, open func(testing.TB) store.Store) {
	f := load(b, SyntheaFiles(b, shared, Bundles), open)
	code := f.c.topCodes("Observation", "code.coding", loinc, 1, 0)[0]
	codeQ := "code=" + url.QueryEscape(loinc+"|"+code)
	// The patient with the most resources.
	counts := map[string]int{}
	for _, rs := range f.c.byType {
		for _, r := range rs {
			if k := f.c.ref(r["subject"]); strings.HasPrefix(k, "Patient/") {
				counts[k]++
			}
		}
	}
	big := ""
	for k, n := range counts {
		if big == "" || n > counts[big] || n == counts[big] && k < big {
			big = k
		}
	}
	get := func(b *testing.B, u string) []byte {
		w := httptest.NewRecorder()
		f.h.ServeHTTP(w, httptest.NewRequest("GET", u, nil))
		if w.Code != 200 {
			b.Fatalf("%s: %d %.300s", u, w.Code, w.Body.String())
		}
		return w.Body.Bytes()
	}
	pages := func(b *testing.B, u string) (n int) {
		for u != "" {
			var bn struct {
				Link  []struct{ Relation, URL string }
				Entry []json.RawMessage
			}
			if err := json.Unmarshal(get(b, u), &bn); err != nil {
				b.Fatal(err)
			}
			n += len(bn.Entry)
			u = ""
			for _, l := range bn.Link {
				if l.Relation == "next" {
					u = "/fhir" + strings.TrimPrefix(l.URL, base)
				}
			}
		}
		return n
	}
	latency := func(b *testing.B, fn func()) {
		var ds []time.Duration
		for b.Loop() {
			t := time.Now()
			fn()
			ds = append(ds, time.Since(t))
		}
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99-ms")
	}
	b.Run("CountCode", func(b *testing.B) {
		latency(b, func() { get(b, "/fhir/Observation?"+codeQ+"&_summary=count") })
	})
	b.Run("DownloadCode", func(b *testing.B) {
		n := 0
		latency(b, func() { n = pages(b, "/fhir/Observation?"+codeQ+"&_count=1000") })
		b.ReportMetric(float64(n), "resources")
	})
	b.Run("CodePatient", func(b *testing.B) {
		latency(b, func() { get(b, "/fhir/Observation?"+codeQ+"&patient="+url.QueryEscape(big)) })
	})
	b.Run("Everything", func(b *testing.B) {
		n := 0
		latency(b, func() { n = pages(b, "/fhir/"+big+"/$everything?_count=1000") })
		b.ReportMetric(float64(n), "resources")
	})
	b.Run("ExportNDJSON", func(b *testing.B) {
		var bytes int64
		dir := b.TempDir()
		for b.Loop() {
			files, err := operation.WriteNDJSON(context.Background(), f.st, f.m, dir, nil)
			if err != nil {
				b.Fatal(err)
			}
			for _, fl := range files {
				bytes += fl.Bytes
			}
		}
		b.ReportMetric(float64(bytes)/1e6/b.Elapsed().Seconds(), "MB/s")
	})
}
