package bhyt

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// obj is a decoded FHIR resource or element.
type obj = map[string]any

// get walks a dotted path ("period.start", "name.0.text") and returns the
// value or nil.
func get(v any, path string) any {
	for _, p := range strings.Split(path, ".") {
		switch t := v.(type) {
		case map[string]any:
			v = t[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

func str(v any, path string) string {
	switch t := get(v, path).(type) {
	case string:
		return t
	case json.Number:
		return t.String()
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(t)
	}
	return ""
}

func list(v any, path string) []any {
	l, _ := get(v, path).([]any)
	return l
}

// codeIn returns the code of the first coding of system in a
// CodeableConcept at path.
func codeIn(v any, path, system string) string {
	cp := "coding"
	if path != "" {
		cp = path + ".coding"
	}
	for _, c := range list(v, cp) {
		if str(c, "system") == system {
			return str(c, "code")
		}
	}
	return ""
}

// ext returns the value[x] of the first extension with url, as a string.
func ext(v any, url string) string {
	for _, e := range list(v, "extension") {
		if str(e, "url") != url {
			continue
		}
		for k, val := range e.(map[string]any) {
			if strings.HasPrefix(k, "value") {
				switch t := val.(type) {
				case map[string]any:
					if c := str(t, "code"); c != "" {
						return c
					}
					return str(t, "value")
				default:
					return str(e, k)
				}
			}
		}
	}
	return ""
}

func identifier(v any, system string) string {
	for _, id := range list(v, "identifier") {
		if str(id, "system") == system {
			return str(id, "value")
		}
	}
	return ""
}

// refID returns the id of a relative reference "Type/id".
func refID(ref string) string {
	if i := strings.LastIndexByte(ref, '/'); i >= 0 {
		return ref[i+1:]
	}
	return ref
}

func decode(raw []byte) (obj, error) {
	var o obj
	if err := json.Unmarshal(raw, &o); err != nil {
		return nil, fmt.Errorf("FHIR resource: %w", err)
	}
	return o, nil
}
