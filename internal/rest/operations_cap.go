package rest

import (
	"net/http"
	"sort"
	"strings"
	"sync"
)

// routeMux is the handler's ServeMux, remembering every pattern registered
// on it, so that the CapabilityStatement lists exactly the operations that
// are mounted (https://hl7.org/fhir/R4/capabilitystatement.html) and never
// one that is not.
type routeMux struct {
	*http.ServeMux
	mu       sync.Mutex
	patterns []string
}

func newRouteMux() *routeMux { return &routeMux{ServeMux: http.NewServeMux()} }

func (m *routeMux) Handle(pattern string, h http.Handler) {
	m.record(pattern)
	m.ServeMux.Handle(pattern, h)
}

func (m *routeMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.record(pattern)
	m.ServeMux.HandleFunc(pattern, h)
}

func (m *routeMux) record(pattern string) {
	m.mu.Lock()
	m.patterns = append(m.patterns, pattern)
	m.mu.Unlock()
}

// operationCap is one CapabilityStatement.rest[.resource].operation.
type operationCap struct {
	Name       string `json:"name"`
	Definition string `json:"definition"`
}

// standardOperations are the operations the FHIR specification defines,
// keyed by "Type/name" ("/name" for system level); the rest are Sen's own.
var standardOperations = map[string]string{
	"Patient/everything":       "http://hl7.org/fhir/OperationDefinition/Patient-everything",
	"CodeSystem/lookup":        "http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup",
	"CodeSystem/validate-code": "http://hl7.org/fhir/OperationDefinition/CodeSystem-validate-code",
	"CodeSystem/subsumes":      "http://hl7.org/fhir/OperationDefinition/CodeSystem-subsumes",
	"ValueSet/validate-code":   "http://hl7.org/fhir/OperationDefinition/ValueSet-validate-code",
	"ValueSet/expand":          "http://hl7.org/fhir/OperationDefinition/ValueSet-expand",
	"/export":                  "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export",
	"Patient/export":           "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export",
	"Group/export":             "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export",
	"ViewDefinition/run":       "http://sql-on-fhir.org/OperationDefinition/$run",
}

// mountedOperations returns the operations found in the mounted patterns:
// system-level ones under "" and the others under their resource type
// ("{type}" for operations every type has).
func (s *server) mountedOperations() map[string][]operationCap {
	s.mux.mu.Lock()
	patterns := append([]string(nil), s.mux.patterns...)
	s.mux.mu.Unlock()
	seen := map[string]bool{}
	out := map[string][]operationCap{}
	for _, p := range patterns {
		if _, path, ok := strings.Cut(p, " "); ok {
			p = path
		}
		segs := strings.Split(strings.TrimPrefix(p, "/fhir/"), "/")
		typ, name := "", ""
		for i, seg := range segs {
			if strings.HasPrefix(seg, "$") {
				name = seg[1:]
				if i > 0 {
					typ = segs[0]
				}
				break
			}
		}
		// "$export-jobs/..." are status URLs of a job, not operations.
		if name == "" || strings.HasSuffix(name, "-jobs") || seen[typ+"/"+name] {
			continue
		}
		seen[typ+"/"+name] = true
		def, ok := standardOperations[typ+"/"+name]
		if !ok {
			def = "https://sen-emr.github.io/fhir/OperationDefinition/" + name
			if typ != "" && !strings.HasPrefix(typ, "{") {
				def = "https://sen-emr.github.io/fhir/OperationDefinition/" + typ + "-" + name
			}
		}
		out[typ] = append(out[typ], operationCap{Name: name, Definition: def})
	}
	for _, ops := range out {
		sort.Slice(ops, func(i, j int) bool { return ops[i].Name < ops[j].Name })
	}
	return out
}
