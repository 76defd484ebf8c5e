package main

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sen-emr/sen/internal/auth"
)

func TestPopulationGate(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) })
	gate := (&security{}).populationGate(ok)
	tests := []struct {
		name string
		path string
		role auth.Role // "" = no principal
		want int
	}{
		{"doctor exports everything", "/fhir/$export", auth.RoleDoctor, 403},
		{"patient exports a group", "/fhir/Group/g1/$export", auth.RolePatient, 403},
		{"researcher runs a view over the store", "/fhir/ViewDefinition/$run", auth.RoleResearcher, 403},
		{"no principal polls a job", "/fhir/$export-jobs/j1/status", "", 403},
		{"admin exports", "/fhir/$export", auth.RoleAdmin, 202},
		{"backend service exports a group", "/fhir/Group/g1/$export", auth.RoleSystem, 202},
		{"doctor reads a patient's everything", "/fhir/Patient/p1/$everything", auth.RoleDoctor, 202},
		{"doctor searches", "/fhir/Observation", auth.RoleDoctor, 202},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", tt.path, nil)
			if tt.role != "" {
				r = r.WithContext(auth.WithPrincipal(r.Context(), &auth.Principal{Role: tt.role}))
			}
			w := httptest.NewRecorder()
			gate.ServeHTTP(w, r)
			if w.Code != tt.want {
				t.Errorf("status %d, want %d (%s)", w.Code, tt.want, w.Body)
			}
		})
	}
	off := (&security{off: true}).populationGate(ok)
	w := httptest.NewRecorder()
	off.ServeHTTP(w, httptest.NewRequest("GET", "/fhir/$export", nil))
	if w.Code != 202 {
		t.Errorf("--no-auth: status %d, want 202", w.Code)
	}
}
