package rest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
)

// Parameters input and output for the care coordination operations
// (careplan.go). https://hl7.org/fhir/R4/parameters.html

// careParams returns an operation's inputs: the query string, plus for a
// POST with a body the parameters of a Parameters resource (value[x]
// reduced to a string: a reference's reference, a primitive's value).
func (s *server) careParams(r *http.Request) (url.Values, error) {
	v := r.URL.Query()
	if r.Method != http.MethodPost {
		return v, nil
	}
	body, _, err := s.readBody(r, mimeFHIRJSON, mimeJSON)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return v, nil
	}
	var p struct {
		ResourceType string `json:"resourceType"`
		Parameter    []map[string]json.RawMessage
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, &fhir.Error{Kind: fhir.KindInvalid, Msg: "the operation body is not JSON: " + err.Error(), Err: err}
	}
	if p.ResourceType != "Parameters" {
		return nil, fhir.Errorf(fhir.KindInvalid, "the operation body must be a Parameters resource, not %q", p.ResourceType).At("resourceType")
	}
	for i, prm := range p.Parameter {
		var name string
		if json.Unmarshal(prm["name"], &name) != nil || name == "" {
			return nil, fhir.Errorf(fhir.KindInvalid, "parameter %d has no name", i+1).At("Parameters.parameter.name")
		}
		for k, raw := range prm {
			if len(k) < 6 || k[:5] != "value" {
				continue
			}
			if k == "valueReference" {
				var ref struct{ Reference string }
				if json.Unmarshal(raw, &ref) != nil {
					return nil, fhir.Errorf(fhir.KindInvalid, "parameter %s: malformed valueReference", name)
				}
				v.Add(name, ref.Reference)
				continue
			}
			var str string
			if json.Unmarshal(raw, &str) == nil {
				v.Add(name, str)
				continue
			}
			// Numbers and booleans keep their JSON text.
			v.Add(name, string(raw))
		}
	}
	return v, nil
}

// paramList builds a Parameters resource.
type paramList []map[string]any

func (p *paramList) add(name, valueType string, value any) {
	*p = append(*p, map[string]any{"name": name, valueType: value})
}

func (p *paramList) ref(name, ref, display string) {
	r := map[string]string{"reference": ref}
	if display != "" {
		r["display"] = display
	}
	p.add(name, "valueReference", r)
}

func (p *paramList) str(name, s string) {
	if s != "" {
		p.add(name, "valueString", s)
	}
}

func (p *paramList) code(name, s string) {
	if s != "" {
		p.add(name, "valueCode", s)
	}
}

func (p *paramList) when(name string, t time.Time) {
	if !t.IsZero() {
		p.add(name, "valueDateTime", t.Format(time.RFC3339))
	}
}

func (p *paramList) part(name string, parts paramList) {
	*p = append(*p, map[string]any{"name": name, "part": []map[string]any(parts)})
}

func (p paramList) result() (*result, error) {
	body, err := json.Marshal(map[string]any{"resourceType": "Parameters", "parameter": []map[string]any(p)})
	if err != nil {
		return nil, err
	}
	return &result{body: body}, nil
}

// langOf picks the language of human-readable output: _lang, else
// Accept-Language, else Vietnamese.
func langOf(r *http.Request) string {
	l := r.URL.Query().Get("_lang")
	if l == "" {
		l = r.Header.Get("Accept-Language")
	}
	if len(l) >= 2 && l[:2] == "en" {
		return "en"
	}
	return "vi"
}

// intParam reads a bounded integer parameter with a default.
func intParam(v url.Values, name string, def, lo, hi int) (int, error) {
	s := v.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fhir.Errorf(fhir.KindInvalid, "%s %q: want an integer %d..%d", name, s, lo, hi)
	}
	return n, nil
}
