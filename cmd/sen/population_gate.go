package main

import (
	"net/http"
	"strings"

	"github.com/sen-emr/sen/internal/auth"
	"github.com/sen-emr/sen/internal/fhir"
)

// populationGate keeps whole-population operations — Bulk Data $export,
// ViewDefinition $run and $viewdefinition-export — to administrators and
// backend-service clients. Those operations read every patient's record in
// background jobs that run after the request, outside the per-request
// access guard, so a clinician's or patient's token must not start them.
func (s *security) populationGate(h http.Handler) http.Handler {
	if s.off {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isPopulationOperation(r.URL.Path) {
			p := auth.PrincipalFrom(r.Context())
			if p == nil || (p.Role != auth.RoleAdmin && p.Role != auth.RoleSystem) {
				err := fhir.Errorf(fhir.KindForbidden,
					"chỉ quản trị viên hoặc ứng dụng hệ thống được chạy thao tác trên toàn bộ dân số / "+
						"only administrators and system clients may run population-wide operations")
				w.Header().Set("Content-Type", "application/fhir+json")
				w.WriteHeader(fhir.StatusOf(err))
				w.Write(fhir.OutcomeOf(err).JSON())
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// isPopulationOperation reports whether path starts a population-wide job.
// A patient's own $everything is not one: the guard filters it.
func isPopulationOperation(path string) bool {
	if !strings.HasPrefix(path, "/fhir/") {
		return false
	}
	return strings.HasSuffix(path, "/$export") ||
		strings.Contains(path, "/$export-jobs/") ||
		strings.HasSuffix(path, "/$run") ||
		strings.Contains(path, "$viewdefinition-export")
}
