package search

import "encoding/json"

// tokenEntries converts code, Coding, CodeableConcept, Identifier,
// ContactPoint, boolean and other primitives to token entries
// (search.html#token). A CodeableConcept gives one entry per coding (Text =
// the coding's display) and, when it has text, an entry carrying only Text,
// so :text matches either; entries without Code never match a code search.
func tokenEntries(param string, it item, out []Entry) []Entry {
	switch v := it.v.(type) {
	case string:
		if v == "" {
			return out
		}
		return append(out, Entry{Param: param, Type: TypeToken, Code: v})
	case bool:
		c := "false"
		if v {
			c = "true"
		}
		return append(out, Entry{Param: param, Type: TypeToken, Code: c})
	case json.Number:
		return append(out, Entry{Param: param, Type: TypeToken, Code: v.String()})
	case map[string]any:
		switch {
		case it.t == "CodeableConcept" || v["coding"] != nil:
			return conceptEntries(param, v, out)
		case it.t == "Identifier":
			return identifierEntries(param, v, out)
		case it.t == "ContactPoint":
			e := Entry{Param: param, Type: TypeToken}
			e.System, _ = v["system"].(string)
			e.Code, _ = v["value"].(string)
			if e.Code == "" {
				return out
			}
			return append(out, e)
		case it.t == "Coding" || v["code"] != nil:
			return codingEntry(param, v, out)
		case v["value"] != nil: // an untyped Identifier-like value
			return identifierEntries(param, v, out)
		}
	}
	return out
}

func codingEntry(param string, v map[string]any, out []Entry) []Entry {
	e := Entry{Param: param, Type: TypeToken}
	e.System, _ = v["system"].(string)
	e.Code, _ = v["code"].(string)
	e.Text, _ = v["display"].(string)
	if e.Code == "" && e.Text == "" {
		return out
	}
	return append(out, e)
}

func conceptEntries(param string, v map[string]any, out []Entry) []Entry {
	codings, _ := v["coding"].([]any)
	for _, c := range codings {
		if cm, ok := c.(map[string]any); ok {
			out = codingEntry(param, cm, out)
		}
	}
	if text, _ := v["text"].(string); text != "" {
		out = append(out, Entry{Param: param, Type: TypeToken, Text: text})
	}
	return out
}

// identifierEntries gives one entry per Identifier.type coding (for
// :of-type), or one plain entry when the identifier has no typed coding.
func identifierEntries(param string, v map[string]any, out []Entry) []Entry {
	base := Entry{Param: param, Type: TypeToken}
	base.System, _ = v["system"].(string)
	base.Code, _ = v["value"].(string)
	if base.Code == "" {
		return out
	}
	typ, _ := v["type"].(map[string]any)
	base.Text, _ = typ["text"].(string)
	n := 0
	codings, _ := typ["coding"].([]any)
	for _, c := range codings {
		cm, _ := c.(map[string]any)
		e := base
		e.TypeSystem, _ = cm["system"].(string)
		e.TypeCode, _ = cm["code"].(string)
		if e.TypeCode == "" {
			continue
		}
		if e.Text == "" {
			e.Text, _ = cm["display"].(string)
		}
		out = append(out, e)
		n++
	}
	if n == 0 {
		out = append(out, base)
	}
	return out
}
