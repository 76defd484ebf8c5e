package searchtest

import (
	"net/http/httptest"
	"net/url"
	"sort"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/store"
)

// BenchSpecial measures what the parameters without an index cost, each
// beside an indexed baseline run in the same process: a code search alone
// and with _content (the candidates of the code are read and matched),
// _content alone (every Observation is read), _filter with or across two
// parameters against the same two as separate searches, and _contained
// (every resource with contained[] is read). First page of 100, p50 in ms.
func BenchSpecial(b *testing.B, shared string, open func(testing.TB) store.Store) {
	f := load(b, SyntheaFiles(b, shared, Bundles), open)
	code := url.QueryEscape(loinc + "|" + f.c.topCodes("Observation", "code.coding", loinc, 1, 0)[0])
	chunk := url.QueryEscape(str(f.c.patients()[1]["id"])[:8])
	esc := url.QueryEscape
	for _, bc := range []struct{ name, u string }{
		{"Code", "/fhir/Observation?code=" + code},
		{"CodeContent", "/fhir/Observation?code=" + code + "&_content=" + chunk},
		{"ContentAlone", "/fhir/Observation?_content=" + chunk},
		{"Gender", "/fhir/Patient?gender=female"},
		{"FilterOr", "/fhir/Patient?_filter=" + esc("gender eq female or birthdate ge 2000")},
		{"Status", "/fhir/ExplanationOfBenefit?status=active"},
		{"Contained", "/fhir/Coverage?_contained=true&status=active"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			latencyOf(b, func() {
				w := httptest.NewRecorder()
				f.h.ServeHTTP(w, httptest.NewRequest("GET", bc.u+"&_count=100", nil))
				if w.Code != 200 {
					b.Fatalf("%s: %d %.300s", bc.u, w.Code, w.Body.String())
				}
			})
		})
	}
}

// latencyOf runs fn in the benchmark loop and reports its p50 in ms.
func latencyOf(b *testing.B, fn func()) {
	var ds []time.Duration
	for b.Loop() {
		t := time.Now()
		fn()
		ds = append(ds, time.Since(t))
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
}
