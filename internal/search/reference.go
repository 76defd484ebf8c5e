package search

import "strings"

// parseReference splits a reference string into type, id and version.
// It accepts "Type/id", "Type/id/_history/n" and absolute URLs ending in
// one of them. isURL reports an absolute or urn reference (kept whole in
// RefURL). A contained reference ("#x") and anything unparsable return
// empty type and id.
func parseReference(ref string) (typ, id, version string, isURL bool) {
	if ref == "" || ref[0] == '#' {
		return "", "", "", false
	}
	if strings.HasPrefix(ref, "urn:") {
		return "", "", "", true
	}
	isURL = strings.Contains(ref, "://")
	if i := strings.IndexAny(ref, "?#"); i >= 0 {
		if ref[i] == '?' {
			// A conditional reference (Patient?identifier=...) names no id.
			return "", "", "", isURL
		}
		ref = ref[:i]
	}
	parts := strings.Split(strings.TrimSuffix(ref, "/"), "/")
	n := len(parts)
	if n >= 4 && parts[n-2] == "_history" {
		version = parts[n-1]
		parts = parts[:n-2]
		n -= 2
	}
	if n < 2 {
		return "", "", "", isURL
	}
	typ, id = parts[n-2], parts[n-1]
	if !isResourceTypeName(typ) || !isID(id) {
		return "", "", "", isURL
	}
	return typ, id, version, isURL
}

// isResourceTypeName is a syntactic check (an upper-case letter then
// letters); whether the type exists is the model's business.
func isResourceTypeName(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// isID checks the FHIR id syntax: [A-Za-z0-9\-\.]{1,64}.
func isID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// referenceEntries converts a Reference, canonical, uri or embedded
// resource to reference entries.
func referenceEntries(param string, it item, out []Entry) []Entry {
	switch v := it.v.(type) {
	case string: // canonical, uri, url used as a reference
		e := Entry{Param: param, Type: TypeReference}
		url, ver, _ := strings.Cut(v, "|")
		if t, id, hv, isURL := parseReference(url); t != "" && !isURL {
			e.RefType, e.RefID, e.RefVersion = t, id, hv
		} else {
			e.RefURL, e.RefVersion = url, ver
			e.RefType, e.RefID = t, id
		}
		if e.RefURL == "" && e.RefID == "" {
			return out
		}
		return append(out, e)
	case map[string]any:
		if rt, ok := v["resourceType"].(string); ok {
			// An embedded resource (Bundle.entry.resource): refer to it by id.
			id, _ := v["id"].(string)
			if id == "" {
				return out
			}
			return append(out, Entry{Param: param, Type: TypeReference, RefType: rt, RefID: id})
		}
		e := Entry{Param: param, Type: TypeReference}
		ref, _ := v["reference"].(string)
		if ref != "" && ref[0] == '#' {
			return out // contained: not searchable by reference
		}
		if ref != "" {
			t, id, ver, isURL := parseReference(ref)
			e.RefType, e.RefID, e.RefVersion = t, id, ver
			if isURL || t == "" {
				e.RefURL = ref
			}
		}
		if idf, ok := v["identifier"].(map[string]any); ok {
			// For :identifier, the logical reference's identifier.
			e.System, _ = idf["system"].(string)
			e.Code, _ = idf["value"].(string)
		}
		if e.RefURL == "" && e.RefID == "" && e.Code == "" {
			return out
		}
		if e.RefType == "" && e.RefURL == "" {
			// Reference.type tells the target type of an identifier-only reference.
			e.RefType, _ = v["type"].(string)
		}
		return append(out, e)
	}
	return out
}
