package vn

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns the diacritic- and case-insensitive key of s, used for every
// indexed and searched Vietnamese string (REGULATIONS.md §6): it lower-cases,
// decomposes to NFD and drops the combining marks (tones and vowel marks),
// maps đ/Đ (which NFD does not decompose) to d, trims, and collapses runs of
// white space to one ASCII space. "ĐÀ NẴNG" folds to "da nang"; "Yên Hoà"
// and "Yên Hòa" (tone mark placed the new and the old way) fold alike.
//
// Input that is already folded ASCII is returned as is, without allocating.
func Fold(s string) string {
	if isFoldedASCII(s) {
		return s
	}
	return string(appendFold(make([]byte, 0, len(s)), s))
}

// isFoldedASCII reports whether s is ASCII with no upper case, no white
// space other than single interior spaces: the common case for already
// folded keys and codes.
func isFoldedASCII(s string) bool {
	prevSpace := true // a leading space is not folded
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= utf8.RuneSelf, 'A' <= c && c <= 'Z':
			return false
		case c == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		case c == '\t', c == '\n', c == '\v', c == '\f', c == '\r':
			return false
		default:
			prevSpace = false
		}
	}
	return !prevSpace || len(s) == 0
}

// appendFold appends the folded form of s to dst.
func appendFold(dst []byte, s string) []byte {
	pendingSpace := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if asciiSpace(c) {
				pendingSpace = len(dst) > 0
				continue
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if pendingSpace {
				dst = append(dst, ' ')
				pendingSpace = false
			}
			dst = append(dst, c)
			continue
		}
		// The NFD decomposition of a precomposed Latin letter starts with
		// its base letter; everything after it is a combining mark we drop.
		// Properties are looked up in place, so this does not allocate.
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size <= 1 { // invalid UTF-8: drop the byte
			i++
			continue
		}
		if d := norm.NFD.PropertiesString(s[i:]).Decomposition(); d != nil {
			r, _ = utf8.DecodeRune(d)
		}
		i += size
		if unicode.IsSpace(r) {
			pendingSpace = len(dst) > 0
			continue
		}
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		r = unicode.ToLower(r)
		switch r {
		case 'đ', 'ð': // ð: legacy encodings put Icelandic eth where Đ belongs
			r = 'd'
		}
		if pendingSpace {
			dst = append(dst, ' ')
			pendingSpace = false
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
