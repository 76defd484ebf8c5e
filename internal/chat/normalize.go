package chat

import (
	"strings"
	"unicode"

	"github.com/sen-emr/sen/internal/vn"
)

// MaxRunes bounds the part of a message that is read: replies to a
// reminder are short, and a pasted essay must not cost more than this.
const MaxRunes = 500

// abbreviation expands Vietnamese texting shorthand and teen-code (on
// folded text) to the words the rules look for.
func abbreviation(tok string) string {
	switch tok {
	case "k", "ko", "kg", "khg", "kh", "hok", "hong", "hem", "khum", "hk":
		return "khong"
	case "dc", "dk", "duoc", "đc":
		return "duoc"
	case "r", "rui", "roai", "ruj":
		return "roi"
	case "uog", "uongg", "uong'":
		return "uong"
	case "thuoc'", "thuok", "thuc":
		return "thuoc"
	case "wen", "quen'":
		return "quen"
	case "hnay", "hnai":
		return "hom nay"
	case "hqua", "hwa":
		return "hom qua"
	case "j", "ji":
		return "gi"
	case "bs":
		return "bac si"
	case "ok", "oke", "okie", "oki", "okay", "okela":
		return "ok"
	case "didnt", "didn't", "havent", "haven't", "dont", "don't", "not":
		return "not"
	}
	return tok
}

// normalize folds s (lower case, no diacritics, đ → d), turns
// punctuation into spaces (keeping '?' as its own token) and expands
// abbreviations. Emoji and other scripts are dropped.
func normalize(s string) string {
	if r := []rune(s); len(r) > MaxRunes {
		s = string(r[:MaxRunes])
	}
	s = vn.Fold(s)
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '?':
			b.WriteString(" ? ")
		case r == '\'' || r == '’':
			// didn't → didnt: contractions stay one word.
		case r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	toks := strings.Fields(b.String())
	for i, t := range toks {
		toks[i] = abbreviation(t)
	}
	return strings.Join(toks, " ")
}
