package vn

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Combining marks of Vietnamese (REGULATIONS.md §6). Tone marks move
// between vowels; vowel (quality) marks belong to their letter.
const (
	toneGrave    = '\u0300' // huyền
	toneAcute    = '\u0301' // sắc
	toneTilde    = '\u0303' // ngã
	toneHook     = '\u0309' // hỏi
	toneDotBelow = '\u0323' // nặng

	markCircumflex = '\u0302' // â ê ô
	markBreve      = '\u0306' // ă
	markHorn       = '\u031B' // ơ ư
)

func isTone(r rune) bool {
	switch r {
	case toneGrave, toneAcute, toneTilde, toneHook, toneDotBelow:
		return true
	}
	return false
}

// NormalizeTone rewrites tone-mark placement to one canonical style, keeps
// every diacritic, and returns NFC. The canonical style is the "old" one
// that the legal texts use for province names (QĐ 19/2025 writes "Thanh
// Hóa", "Khánh Hòa"): in an open syllable ending in oa, oe or uy the tone
// sits on the first vowel ("hòa", "khỏe", "thủy"), whereas the GSO data
// writes "hoà", "khoẻ", "thuỷ". Use it before an exact, accent-sensitive
// comparison; use Fold for accent-insensitive matching.
//
// Only placement changes. The i/y alternatives (kỹ/kĩ, lý/lí) are separate
// spellings and are left alone, as are words with no tone or more than one.
func NormalizeTone(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	d := norm.NFD.String(s)
	var b strings.Builder
	b.Grow(len(d) + 4)
	word := make([]letter, 0, 16)
	start := -1
	overflow := false
	flush := func(end int) {
		if start >= 0 {
			if overflow {
				b.WriteString(d[start:end])
			} else {
				writeWord(&b, d[start:end], word)
			}
			start, overflow = -1, false
			word = word[:0]
		}
	}
	for i, r := range d {
		if unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) {
			if start < 0 {
				start = i
			}
			if unicode.Is(unicode.Mn, r) && len(word) > 0 {
				l := &word[len(word)-1]
				if l.nmarks == maxMarks {
					overflow = true
				} else {
					l.marks[l.nmarks] = r
					l.nmarks++
				}
			} else {
				word = append(word, letter{base: r})
			}
			continue
		}
		flush(i)
		b.WriteRune(r)
	}
	flush(len(d))
	out := norm.NFC.String(b.String())
	if out == s {
		return s // share the caller's string rather than a copy
	}
	return out
}

// letter is one base letter of a word in NFD with its combining marks.
// Vietnamese letters carry at most two (vowel mark and tone); marks beyond
// maxMarks make the word be left as it is.
type letter struct {
	base   rune
	nmarks int
	marks  [maxMarks]rune
}

const maxMarks = 3

// writeWord writes the NFD word raw with its single tone mark moved to the
// canonical vowel; raw is written unchanged when the word has no tone, more
// than one, or no recognisable vowel.
func writeWord(b *strings.Builder, raw string, word []letter) {
	tone, tones := rune(0), 0
	for _, l := range word {
		for _, m := range l.marks[:l.nmarks] {
			if isTone(m) {
				tone = m
				tones++
			}
		}
	}
	if tones != 1 {
		b.WriteString(raw)
		return
	}
	at := tonePosition(word)
	if at < 0 {
		b.WriteString(raw)
		return
	}
	for i, l := range word {
		b.WriteRune(l.base)
		for _, m := range l.marks[:l.nmarks] {
			if !isTone(m) {
				b.WriteRune(m)
			}
		}
		if i == at {
			// NFC recomposition reorders marks canonically, so the
			// tone may follow the vowel mark here.
			b.WriteRune(tone)
		}
	}
}

func isVowel(r rune) bool {
	switch unicode.ToLower(r) {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

func hasVowelMark(l letter) bool {
	for _, m := range l.marks[:l.nmarks] {
		if m == markCircumflex || m == markBreve || m == markHorn {
			return true
		}
	}
	return false
}

// tonePosition returns the index of the letter in word that carries the
// tone in the canonical (old) style, or -1 when the word has no vowel.
func tonePosition(word []letter) int {
	n := len(word)
	lower := func(i int) rune { return unicode.ToLower(word[i].base) }
	first := 0
	// The u of "qu" and the i of "gi" before another vowel belong to the
	// initial consonant: quý, giữa, già (but gìn).
	if n >= 3 && isVowel(word[2].base) &&
		((lower(0) == 'q' && lower(1) == 'u') || (lower(0) == 'g' && lower(1) == 'i')) {
		first = 2
	}
	for first < n && !isVowel(word[first].base) {
		first++
	}
	if first == n {
		return -1
	}
	last := first
	for last+1 < n && isVowel(word[last+1].base) {
		last++
	}
	// A vowel with its own mark takes the tone; in ươ that is the ơ.
	for i := last; i >= first; i-- {
		if hasVowelMark(word[i]) {
			return i
		}
	}
	closed := last < n-1 // a final consonant follows the vowels
	switch size := last - first + 1; {
	case closed:
		return last // hoàn, toán, huỳnh
	case size == 1, size == 2:
		return first // mùa, tài, and the old style hòa, khỏe, thủy
	case size == 3:
		return first + 1 // ngoài, khuỷu
	default:
		return -1
	}
}
