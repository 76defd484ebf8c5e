package sqlstore

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// fold lower-cases s and strips combining marks (and maps đ to d) so that
// token :text matches case- and diacritic-insensitively, like the Norm the
// search package computes for strings. It is only used where an entry or a
// query value carries no precomputed Norm.
func fold(s string) string {
	if s == "" {
		return ""
	}
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || ('A' <= s[i] && s[i] <= 'Z') {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s))
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case r == 'đ' || r == 'Đ':
			sb.WriteRune('d')
		default:
			sb.WriteRune(unicode.ToLower(r))
		}
	}
	return sb.String()
}
