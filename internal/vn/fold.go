package vn

import (
	"sync"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/unicode/norm"
)

// Fold returns the diacritic- and case-insensitive key of s, used for every
// indexed and searched Vietnamese string (REGULATIONS.md §6): it lower-cases,
// decomposes to NFD and drops the combining marks (tones and vowel marks),
// maps đ/Đ (which NFD does not decompose) to d, trims, and collapses runs of
// white space to one ASCII space. "ĐÀ NẴNG" folds to "da nang"; "Yên Hoà"
// and "Yên Hòa" (tone mark placed the new and the old way) fold alike.
// Invalid UTF-8 bytes are dropped.
//
// Input that is already folded ASCII is returned as is, without allocating;
// other input costs one allocation. Fold is safe for concurrent use.
func Fold(s string) string {
	if isFoldedASCII(s) {
		return s
	}
	b := appendFold(make([]byte, 0, len(s)), s)
	// b is never touched again, so sharing its bytes saves the copy that
	// string(b) would make.
	return unsafe.String(unsafe.SliceData(b), len(b))
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

// Latin letters with diacritics, where all Vietnamese letters lie, fold
// through a table instead of a normalisation look-up.
const (
	latinFirst = 0x00C0
	latinEnd   = 0x1F00
)

// latinFold maps a rune in [latinFirst, latinEnd) to the ASCII letter it
// folds to, or 0 when it does not fold to ASCII. It is built once from the
// Unicode decompositions and never modified.
var latinFold = sync.OnceValue(func() *[latinEnd - latinFirst]byte {
	var t [latinEnd - latinFirst]byte
	var buf []byte
	for r := rune(latinFirst); r < latinEnd; r++ {
		buf = appendFoldRune(buf[:0], r)
		if len(buf) == 1 && buf[0] < utf8.RuneSelf && unicode.IsLetter(rune(buf[0])) {
			t[r-latinFirst] = buf[0]
		}
	}
	return &t
})

// appendFoldRune appends the fold of one rune, the slow way: its canonical
// decomposition without the nonspacing marks, lower-cased, with đ (and the
// look-alike ð that legacy encodings produce) mapped to d.
func appendFoldRune(b []byte, r rune) []byte {
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	d := norm.NFD.Properties(buf[:n]).Decomposition()
	if d == nil {
		d = buf[:n]
	}
	for len(d) > 0 {
		x, size := utf8.DecodeRune(d)
		d = d[size:]
		if unicode.Is(unicode.Mn, x) {
			continue
		}
		x = unicode.ToLower(x)
		if x == 'đ' || x == 'ð' {
			x = 'd'
		}
		b = utf8.AppendRune(b, x)
	}
	return b
}

// appendFold appends the folded form of s to b.
func appendFold(b []byte, s string) []byte {
	table := latinFold()
	pendingSpace := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if asciiSpace(c) {
				pendingSpace = len(b) > 0
				continue
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if pendingSpace {
				b = append(b, ' ')
				pendingSpace = false
			}
			b = append(b, c)
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1: // invalid UTF-8: drop the byte
		case r >= latinFirst && r < latinEnd && table[r-latinFirst] != 0:
			if pendingSpace {
				b = append(b, ' ')
				pendingSpace = false
			}
			b = append(b, table[r-latinFirst])
		case r >= 0x0300 && r <= 0x036F: // combining diacritical marks (NFD input)
		case unicode.IsSpace(r):
			pendingSpace = len(b) > 0
		case unicode.Is(unicode.Mn, r):
		default:
			if pendingSpace {
				b = append(b, ' ')
				pendingSpace = false
			}
			b = appendFoldRune(b, r)
		}
	}
	return b
}

func asciiSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}
