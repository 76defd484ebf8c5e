package search

import "strings"

// splitEscaped splits s at every sep not preceded by a backslash and
// unescapes \, \| \$ and \\ in the parts (search.html#escaping).
func splitEscaped(s string, sep byte) []string {
	if strings.IndexByte(s, '\\') < 0 {
		return strings.Split(s, string(sep))
	}
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) && (s[i+1] == ',' || s[i+1] == '|' || s[i+1] == '$' || s[i+1] == '\\') {
			cur.WriteByte(s[i+1])
			i++
			continue
		}
		if c == sep {
			parts = append(parts, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteByte(c)
	}
	return append(parts, cur.String())
}

// splitRaw splits s at every sep not preceded by a backslash, keeping the
// escapes (so that the parts can be split again at another separator).
func splitRaw(s string, sep byte) []string {
	if strings.IndexByte(s, '\\') < 0 {
		return strings.Split(s, string(sep))
	}
	var parts []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
			continue
		}
		if s[i] == sep {
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// unescape removes search escapes from one value.
func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	return splitEscaped(s, 0)[0]
}
