package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

func TestRecordFormsOverHTTP(t *testing.T) {
	a := newTestApp(t, func(f *serverFlags) { f.noAuth = true })
	loadBundle(t, a.store, filepath.Join("testdata", "bhyt-outpatient.json"), nil)
	tests := []struct {
		name     string
		path     string
		accept   string
		want     int
		wantType string
		wantBody string
	}{
		{"prescription as PDF", "/fhir/Encounter/e1/$form?type=prescription&_format=pdf", "", 200, "application/pdf", "%PDF-"},
		{"outpatient record as PDF by Accept", "/fhir/Encounter/e1/$form?type=outpatient", "application/pdf", 200, "application/pdf", "%PDF-"},
		{"discharge paper as HTML", "/fhir/Encounter/e1/$form?type=discharge", "", 200, "text/html", "GIẤY RA VIỆN"},
		{"unknown form", "/fhir/Encounter/e1/$form?type=x", "", 400, "application/fhir+json", "outpatient, inpatient"},
		{"unknown format", "/fhir/Encounter/e1/$form?type=inpatient&_format=docx", "", 406, "application/fhir+json", "pdf hoặc html"},
		{"no such encounter", "/fhir/Encounter/nope/$form?type=inpatient", "", 404, "application/fhir+json", "OperationOutcome"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", a.srv.URL+tt.path, nil)
			if tt.accept != "" {
				req.Header.Set("Accept", tt.accept)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.want || !strings.Contains(string(b), tt.wantBody) {
				t.Fatalf("status %d, want %d; body %.200q lacks %q", resp.StatusCode, tt.want, b, tt.wantBody)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tt.wantType) {
				t.Errorf("Content-Type %q, want %s", ct, tt.wantType)
			}
		})
	}
}
