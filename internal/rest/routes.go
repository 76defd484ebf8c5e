package rest

import (
	"net/http"

	"github.com/sen-emr/sen/internal/fhir"
)

// handler serves one interaction. It returns the response to send or an
// error; writeResult and writeError turn either into HTTP in one place.
type handler func(r *http.Request) (*result, error)

// route is one line of the REST surface.
type route struct {
	pattern string // net/http ServeMux pattern
	name    string // interaction, as in the CapabilityStatement
	h       func(*server, *http.Request) (*result, error)
}

// routeTable is the whole FHIR REST surface Sen serves
// (https://hl7.org/fhir/R4/http.html#summary). More specific patterns win,
// so "/fhir/{type}/_history" is history, not a read of id "_history".
var routeTable = []route{
	{"GET /fhir/metadata", "capabilities", (*server).capabilities},
	{"POST /fhir", "transaction", (*server).transaction},
	{"POST /fhir/{$}", "transaction", (*server).transaction},
	{"GET /fhir", "search-system", (*server).searchSystem},
	{"GET /fhir/{$}", "search-system", (*server).searchSystem},
	{"POST /fhir/_search", "search-system", (*server).searchSystem},
	{"GET /fhir/_history", "history-system", (*server).historySystem},
	{"GET /fhir/{type}", "search-type", (*server).searchType},
	{"POST /fhir/{type}/_search", "search-type", (*server).searchType},
	{"POST /fhir/{type}", "create", (*server).create},
	{"PUT /fhir/{type}", "update", (*server).conditionalUpdate},
	{"PATCH /fhir/{type}", "patch", (*server).conditionalPatch},
	{"DELETE /fhir/{type}", "delete", (*server).conditionalDelete},
	{"GET /fhir/{type}/_history", "history-type", (*server).historyType},
	{"GET /fhir/{type}/{id}", "read", (*server).read},
	{"PUT /fhir/{type}/{id}", "update", (*server).update},
	{"PATCH /fhir/{type}/{id}", "patch", (*server).patch},
	{"DELETE /fhir/{type}/{id}", "delete", (*server).delete},
	{"GET /fhir/{type}/{id}/_history", "history-instance", (*server).historyInstance},
	{"GET /fhir/{type}/{id}/_history/{vid}", "vread", (*server).vread},
	{"GET /fhir/Patient/{id}/$everything", "everything", (*server).patientEverything},
	{"GET /fhir/Patient/$everything", "everything", (*server).patientEverything},
	{"GET /fhir/Patient/{id}/$adherence", "adherence", (*server).adherence},
	{"POST /fhir/Patient/{id}/$adherence", "adherence", (*server).adherence},
	{"GET /fhir/Patient/{id}/$adherence-risk", "adherence-risk", (*server).adherenceRisk},
	{"GET /fhir/{type}/{id}/$verify", "verify", (*server).verifySignatures},            // regulations.go
	{"GET /fhir/Encounter/{id}/$bhyt-xml", "bhyt-xml", (*server).bhytXML},              // regulations.go
	{"GET /fhir/Patient/{id}/$export-record", "export-record", (*server).exportRecord}, // regulations.go
	{"GET /fhir/CodeSystem", "search-type", (*server).searchCodeSystems},
	{"GET /fhir/ValueSet", "search-type", (*server).searchValueSets},
	{"GET /fhir/CodeSystem/$lookup", "lookup", (*server).lookup},
	{"POST /fhir/CodeSystem/$lookup", "lookup", (*server).lookup},
	{"GET /fhir/CodeSystem/{id}/$lookup", "lookup", (*server).lookup},
	{"POST /fhir/CodeSystem/{id}/$lookup", "lookup", (*server).lookup},
	{"GET /fhir/CodeSystem/$validate-code", "validate-code", (*server).codeSystemValidateCode},
	{"POST /fhir/CodeSystem/$validate-code", "validate-code", (*server).codeSystemValidateCode},
	{"GET /fhir/CodeSystem/{id}/$validate-code", "validate-code", (*server).codeSystemValidateCode},
	{"POST /fhir/CodeSystem/{id}/$validate-code", "validate-code", (*server).codeSystemValidateCode},
	{"GET /fhir/CodeSystem/$subsumes", "subsumes", (*server).subsumes},
	{"POST /fhir/CodeSystem/$subsumes", "subsumes", (*server).subsumes},
	{"GET /fhir/ValueSet/$validate-code", "validate-code", (*server).valueSetValidateCode},
	{"POST /fhir/ValueSet/$validate-code", "validate-code", (*server).valueSetValidateCode},
	{"GET /fhir/ValueSet/{id}/$validate-code", "validate-code", (*server).valueSetValidateCode},
	{"POST /fhir/ValueSet/{id}/$validate-code", "validate-code", (*server).valueSetValidateCode},
	{"GET /fhir/ValueSet/$expand", "expand", (*server).expand},
	{"POST /fhir/ValueSet/$expand", "expand", (*server).expand},
	{"GET /fhir/ValueSet/{id}/$expand", "expand", (*server).expand},
	{"POST /fhir/ValueSet/{id}/$expand", "expand", (*server).expand},
	{"GET /fhir/{ctype}/{cid}/{type}", "search-compartment", (*server).searchCompartment},
	{"GET /fhir/{ctype}/{cid}/{type}/{$}", "search-compartment", (*server).searchCompartment},
}

func (s *server) routes() {
	for _, rt := range routeTable {
		h := rt.h
		s.mux.HandleFunc(rt.pattern, func(w http.ResponseWriter, r *http.Request) {
			s.serve(w, r, func(r *http.Request) (*result, error) { return h(s, r) })
		})
	}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	s.mountViewDefinition() // ViewDefinition $run and $viewdefinition-export (viewdefinition.go)
	s.mountCarePlan()       // Task state machine on every write; care coordination operations (careplan.go)
	s.mountBulkExport()     // Bulk Data $export kick-off, status and files (bulkops.go)
	s.mountSigning()        // $sign and the X-Sen-Signature read header (signing.go)
	s.mux.HandleFunc("/fhir/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, fhir.Errorf(fhir.KindNotFound, "no FHIR interaction %s %s", r.Method, r.URL.Path))
	})
}

// serve checks the response format, runs h and writes its result or error.
func (s *server) serve(w http.ResponseWriter, r *http.Request, h handler) {
	if err := negotiate(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := h(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeResult(w, r, res)
}
