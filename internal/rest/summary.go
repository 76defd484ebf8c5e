package rest

import (
	"encoding/json"
	"net/url"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
)

// shape applies _summary and _elements to a resource body
// (https://hl7.org/fhir/R4/search.html#summary, #elements). Only top-level
// elements are filtered, as the spec requires; the result is tagged
// SUBSETTED.
func (s *server) shape(typ string, body []byte, q url.Values) ([]byte, error) {
	summary := q.Get("_summary")
	elements := q.Get("_elements")
	if (summary == "" || summary == "false" || summary == "count") && elements == "" {
		return body, nil
	}
	keep := func(string) bool { return true }
	switch summary {
	case "", "false", "count":
	case "true":
		keep = func(k string) bool {
			el, _, ok := s.cfg.Model.Child(typ, k)
			return ok && (el.Summary || el.Min > 0 || el.Modifier)
		}
	case "text":
		keep = func(k string) bool {
			if k == "text" {
				return true
			}
			el, _, ok := s.cfg.Model.Child(typ, k)
			return ok && (el.Min > 0 || el.Modifier)
		}
	case "data":
		keep = func(k string) bool { return k != "text" }
	default:
		return nil, fhir.Errorf(fhir.KindInvalid, "_summary=%s: want true, text, data, count or false", summary)
	}
	if elements != "" && (summary == "" || summary == "false") {
		want := map[string]bool{}
		for _, e := range strings.Split(elements, ",") {
			e = strings.TrimSpace(e)
			if i := strings.IndexByte(e, '.'); i >= 0 { // Patient.name is allowed too
				e = e[i+1:]
			}
			want[e] = true
		}
		keep = func(k string) bool {
			if want[k] {
				return true
			}
			el, _, ok := s.cfg.Model.Child(typ, k)
			return ok && (el.Min > 0 || el.Modifier)
		}
	}
	ms, err := members(body)
	if err != nil {
		return nil, err
	}
	out := ms[:0:0]
	for _, m := range ms {
		switch m.key {
		case "resourceType", "id":
			out = append(out, m)
		case "meta":
			out = append(out, member{"meta", subsetted(m.val)})
		default:
			k := strings.TrimPrefix(m.key, "_")
			if keep(k) {
				out = append(out, m)
			}
		}
	}
	return encodeMembers(out), nil
}

// subsetted adds the SUBSETTED tag to meta
// (https://hl7.org/fhir/R4/search.html#summary).
func subsetted(meta json.RawMessage) json.RawMessage {
	var m map[string]any
	if json.Unmarshal(meta, &m) != nil {
		return meta
	}
	tags, _ := m["tag"].([]any)
	m["tag"] = append(tags, map[string]any{
		"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
		"code":   "SUBSETTED",
	})
	b, err := json.Marshal(m)
	if err != nil {
		return meta
	}
	return b
}
