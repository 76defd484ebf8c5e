package rest

import (
	"encoding/json"
	"net/http"
)

// capabilities is the FHIR capabilities interaction: a CapabilityStatement
// listing what this server actually does: every concrete R4 resource type
// with the interactions in routes.go, the search parameters the query
// parser accepts and the special ones Sen evaluates (_text, _content,
// _list, _filter, _contained: search_cap.go, documented with their cost;
// near and _query are left out), JSON only.
//
// https://hl7.org/fhir/R4/http.html#capabilities
func (s *server) capabilities(r *http.Request) (*result, error) {
	b, err := json.Marshal(s.capabilityStatement(s.base(r)))
	if err != nil {
		return nil, err
	}
	return &result{body: b}, nil
}

type code struct {
	Code string `json:"code"`
}

type searchParamCap struct {
	Name          string `json:"name"`
	Definition    string `json:"definition,omitempty"`
	Type          string `json:"type"`
	Documentation string `json:"documentation,omitempty"`
}

type resourceCap struct {
	Type              string           `json:"type"`
	Profile           string           `json:"profile"`
	Interaction       []code           `json:"interaction"`
	Versioning        string           `json:"versioning"`
	ReadHistory       bool             `json:"readHistory"`
	UpdateCreate      bool             `json:"updateCreate"`
	ConditionalCreate bool             `json:"conditionalCreate"`
	ConditionalRead   string           `json:"conditionalRead"`
	ConditionalUpdate bool             `json:"conditionalUpdate"`
	ConditionalDelete string           `json:"conditionalDelete"`
	SearchParam       []searchParamCap `json:"searchParam,omitempty"`
	Operation         []operationCap   `json:"operation,omitempty"`
}

func (s *server) capabilityStatement(base string) map[string]any {
	interactions := []code{{"read"}, {"vread"}, {"update"}, {"patch"}, {"delete"},
		{"history-instance"}, {"history-type"}, {"create"}, {"search-type"}}
	ops := s.mountedOperations()
	var resources []resourceCap
	for _, typ := range s.cfg.Model.ResourceTypes() {
		rc := resourceCap{
			Type: typ, Profile: "http://hl7.org/fhir/StructureDefinition/" + typ,
			Interaction: interactions, Versioning: "versioned-update", ReadHistory: true,
			UpdateCreate: true, ConditionalCreate: true, ConditionalRead: "modified-since",
			ConditionalUpdate: true, ConditionalDelete: "single",
			Operation: append(append([]operationCap(nil), ops[typ]...), ops["{type}"]...),
		}
		hasText := false
		for _, sp := range s.cfg.Model.SearchParams(typ) {
			if sp.Code == "_text" {
				hasText = true
			}
			if sp.Type == "special" || sp.Code == "_text" || sp.Code == "_content" || sp.Code == "_query" {
				continue
			}
			rc.SearchParam = append(rc.SearchParam, searchParamCap{Name: sp.Code, Definition: sp.URL, Type: sp.Type})
		}
		rc.SearchParam = append(rc.SearchParam, specialSearchParams(hasText)...)
		resources = append(resources, rc)
	}
	restCap := map[string]any{
		"mode":        "server",
		"resource":    resources,
		"interaction": []code{{"transaction"}, {"batch"}, {"search-system"}, {"history-system"}},
		"searchParam": systemSearchParams(),
	}
	if len(ops[""]) > 0 {
		restCap["operation"] = ops[""]
	}
	if s.cfg.Security != nil {
		if sec := s.cfg.Security(base); sec != nil {
			restCap["security"] = sec
		}
	}
	return map[string]any{
		"resourceType":   "CapabilityStatement",
		"status":         "active",
		"date":           instant(s.now())[:10],
		"publisher":      "Sen",
		"kind":           "instance",
		"software":       map[string]any{"name": "Sen"},
		"implementation": map[string]any{"description": "Sen FHIR R4 server", "url": base},
		"fhirVersion":    s.cfg.Model.FHIRVersion(),
		"format":         []string{"application/fhir+json", "json"},
		"patchFormat":    []string{"application/json-patch+json", "application/fhir+json"},
		"rest":           []map[string]any{restCap},
	}
}
