package search

import (
	"encoding/json"
	"strings"
)

// stringEntries converts string-like primitives, HumanName and Address to
// string entries (search.html#string): one entry per part, deduplicated,
// so name=nguyen matches the family and name=van a given name. A
// HumanName without text also gets the whole name ("Nguyễn Văn An") as one
// entry, for :contains and :exact on the full name.
func stringEntries(param string, it item, out []Entry) []Entry {
	switch v := it.v.(type) {
	case string:
		return addString(param, v, out)
	case json.Number:
		return addString(param, v.String(), out)
	case map[string]any:
		switch {
		case it.t == "HumanName" || v["family"] != nil || v["given"] != nil:
			return nameEntries(param, v, out)
		case it.t == "Address" || v["line"] != nil || v["city"] != nil:
			start := len(out)
			for _, k := range [...]string{"line", "city", "district", "state", "postalCode", "country", "text"} {
				out = addStrings(param, v[k], out, start)
			}
			return out
		default:
			// Other complex values (Annotation, Attachment ...): their text if any.
			if s, ok := v["text"].(string); ok {
				return addString(param, s, out)
			}
		}
	}
	return out
}

func nameEntries(param string, v map[string]any, out []Entry) []Entry {
	start := len(out)
	for _, k := range [...]string{"family", "given", "prefix", "suffix", "text"} {
		out = addStrings(param, v[k], out, start)
	}
	if _, ok := v["text"].(string); !ok {
		var parts []string
		for _, k := range [...]string{"prefix", "family", "given", "suffix"} {
			// Vietnamese order: family name first (vn conventions).
			switch x := v[k].(type) {
			case string:
				parts = append(parts, x)
			case []any:
				for _, y := range x {
					if s, ok := y.(string); ok {
						parts = append(parts, s)
					}
				}
			}
		}
		if len(parts) > 1 {
			out = addStringsDedup(param, strings.Join(parts, " "), out, start)
		}
	}
	return out
}

func addStrings(param string, v any, out []Entry, start int) []Entry {
	switch x := v.(type) {
	case string:
		return addStringsDedup(param, x, out, start)
	case []any:
		for _, y := range x {
			if s, ok := y.(string); ok {
				out = addStringsDedup(param, s, out, start)
			}
		}
	}
	return out
}

// addStringsDedup adds s unless an entry since start already has it.
func addStringsDedup(param, s string, out []Entry, start int) []Entry {
	for i := start; i < len(out); i++ {
		if out[i].Value == s {
			return out
		}
	}
	return addString(param, s, out)
}

func addString(param, s string, out []Entry) []Entry {
	if strings.TrimSpace(s) == "" {
		return out
	}
	return append(out, Entry{Param: param, Type: TypeString, Value: s, Norm: Normalize(s)})
}

// uriEntries converts uri, url, canonical, oid and uuid values.
func uriEntries(param string, it item, out []Entry) []Entry {
	s, ok := it.v.(string)
	if !ok || s == "" {
		return out
	}
	return append(out, Entry{Param: param, Type: TypeURI, Value: s, Norm: Normalize(s)})
}
