package rest_test

// End-to-end test of the medication-use operations: a small synthetic
// population bulk-loaded into a real SQLite store, then $adherence and
// $adherence-risk over HTTP. It lives in the external test package so that
// package rest itself never imports a storage backend.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/ingest"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store/sqlite"
	"github.com/sen-emr/sen/internal/synth"
)

func TestAdherenceOperationsEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("loads a synthetic population into SQLite")
	}
	ctx := context.Background()
	end := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	gen := synth.New(synth.Config{Seed: 3, Patients: 150, End: end})
	truths, err := gen.GroundTruth()
	if err != nil || len(truths) == 0 {
		t.Fatalf("ground truth: %d patients, %v", len(truths), err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "sen.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	model := r4.Load()
	ix, err := search.NewIndexer(model)
	if err != nil {
		t.Fatal(err)
	}
	var all [][]byte
	if err := gen.Run(func(b []byte) error { all = append(all, b); return nil }); err != nil {
		t.Fatal(err)
	}
	l := ingest.Loader{Store: db, Indexer: ix}
	if _, err := l.Load(ctx, ingest.FromSlice(all)); err != nil {
		t.Fatal(err)
	}
	h := rest.New(rest.Config{Store: db, Indexer: ix, Model: model,
		Parser: rest.QueryParserFunc(func(typ string, p url.Values, strict bool) (*search.Query, error) {
			return search.ParseQuery(model, typ, p, strict)
		}),
		Now: func() time.Time { return end }})
	srv := httptest.NewServer(h)
	defer srv.Close()

	get := func(method, path string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, b)
		}
		return resp.StatusCode, m
	}

	// An adherent and a non-adherent patient: the adherent one's PDC must be
	// higher, and so must the non-adherent one's risk.
	var good, bad *synth.Truth
	for i := range truths {
		tr := &truths[i]
		if tr.DosesScheduled > 100 && tr.Profile == synth.ProfileAdherent && good == nil {
			good = tr
		}
		if tr.DosesScheduled > 100 && tr.TakenFraction < 0.5 && bad == nil {
			bad = tr
		}
	}
	if good == nil || bad == nil {
		t.Fatal("population lacks an adherent and a non-adherent patient")
	}
	pdcOf := func(id string) float64 {
		code, p := get("GET", "/fhir/Patient/"+id+"/$adherence?start=2025-01-01&end=2025-06-29&by=class")
		if code != 200 || p["resourceType"] != "Parameters" {
			t.Fatalf("$adherence %s: %d %v", id, code, p)
		}
		minPDC := 2.0
		for _, prm := range p["parameter"].([]any) {
			pm := prm.(map[string]any)
			if pm["name"] != "group" {
				continue
			}
			for _, part := range pm["part"].([]any) {
				pt := part.(map[string]any)
				if pt["name"] == "pdc" {
					minPDC = min(minPDC, pt["valueDecimal"].(float64))
				}
			}
		}
		return minPDC
	}
	riskOf := func(id string) float64 {
		code, ra := get("GET", "/fhir/Patient/"+id+"/$adherence-risk")
		if code != 200 || ra["resourceType"] != "RiskAssessment" {
			t.Fatalf("$adherence-risk %s: %d %v", id, code, ra)
		}
		return ra["prediction"].([]any)[0].(map[string]any)["probabilityDecimal"].(float64)
	}
	gp, bp := pdcOf(good.PatientID), pdcOf(bad.PatientID)
	gr, br := riskOf(good.PatientID), riskOf(bad.PatientID)
	t.Logf("adherent %s: PDC %.3f risk %.3f; non-adherent %s (taken %.2f): PDC %.3f risk %.3f",
		good.PatientID, gp, gr, bad.PatientID, bad.TakenFraction, bp, br)
	if gp <= bp {
		t.Errorf("adherent PDC %.3f not above non-adherent %.3f", gp, bp)
	}
	if gr >= br {
		t.Errorf("adherent risk %.3f not below non-adherent %.3f", gr, br)
	}

	// Dose timing for an app user, and writing the measures.
	code, p := get("GET", "/fhir/Patient/"+good.PatientID+"/$adherence?start=2025-04-01&end=2025-06-29&method=doses")
	if code != 200 || !strings.Contains(toJSON(p), `"name":"strip"`) {
		t.Errorf("doses: %d %v", code, p)
	}
	code, p = get("POST", "/fhir/Patient/"+good.PatientID+"/$adherence?start=2025-01-01&end=2025-06-29")
	if code != 200 || !strings.Contains(toJSON(p), `"name":"observation"`) {
		t.Fatalf("POST $adherence: %d %v", code, p)
	}
	code, bundle := get("GET", "/fhir/Observation?subject=Patient/"+good.PatientID+"&code=https://sen-emr.github.io/fhir/CodeSystem/adherence-measure|pdc")
	if code != 200 || bundle["total"].(float64) < 1 {
		t.Errorf("stored PDC observations: %d %v", code, bundle["total"])
	}

	// Errors: unknown patient, bad method, bad dates.
	for _, tc := range []struct {
		path string
		want int
	}{
		{"/fhir/Patient/nope/$adherence", 404},
		{"/fhir/Patient/nope/$adherence-risk", 404},
		{"/fhir/Patient/" + good.PatientID + "/$adherence?method=cma12", 400},
		{"/fhir/Patient/" + good.PatientID + "/$adherence?start=2025-13-01", 400},
		{"/fhir/Patient/" + good.PatientID + "/$adherence?start=2025-06-01&end=2025-01-01", 400},
		{"/fhir/Patient/" + good.PatientID + "/$adherence-risk?factors=-1", 400},
	} {
		if code, _ := get("GET", tc.path); code != tc.want {
			t.Errorf("GET %s = %d, want %d", tc.path, code, tc.want)
		}
	}
}

func toJSON(v any) string { b, _ := json.Marshal(v); return string(b) }
