package chat

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sen-emr/sen/internal/vn"
)

// Scrubbing: what leaves Sen for a language model. A message is reduced
// to text without identifiers before any model sees it: e-mail
// addresses, BHYT card numbers, dates (of birth or any other full date)
// and birth years, phone numbers, CCCD/CMND and other long numbers, the
// identifiers the caller knows, and the names of the patient (and of
// whoever else the caller names). Each becomes a placeholder in
// brackets, so that the model still sees the shape of the sentence
// ("số của tôi là [PHONE]"). Scrubbing errs on the side of removing too
// much: intent never depends on a number of six digits or more.

// Placeholders put in place of what Scrub removes.
const (
	PlaceholderEmail  = "[EMAIL]"
	PlaceholderBHYT   = "[BHYT]"
	PlaceholderDate   = "[DATE]"
	PlaceholderPhone  = "[PHONE]"
	PlaceholderCCCD   = "[CCCD]"
	PlaceholderNumber = "[NUMBER]"
	PlaceholderID     = "[ID]"
	PlaceholderName   = "[NAME]"
)

// ScrubOptions name what the caller knows must not leave: the patient's
// names (and a caregiver's), and identifier values of any kind (record
// numbers, a Zalo id; four characters or more) beyond the patterns Scrub
// finds by itself.
type ScrubOptions struct {
	Names       []string
	Identifiers []string
}

var (
	emailRe = regexp.MustCompile(`[\p{L}\p{N}._%+\-]+@[\p{L}\p{N}.\-]+\.[\p{L}]{2,}`)
	// A BHYT card number: 2-letter group, benefit level 1–5, then 12
	// digits (province and social-insurance number), separators allowed.
	bhytRe = regexp.MustCompile(`(?i)\b[a-z]{2}[ .\-]?[1-5](?:[ .\-]?\d){12}\b`)
	// Full dates: 12/3/1960, 12-03-60, 12.03.1960, 1960-03-12.
	dateNumRe = regexp.MustCompile(`\b(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})|\d{4}[/.\-]\d{1,2}[/.\-]\d{1,2})\b`)
	// "sinh ngày 12/3", "DOB 12/3": a day and month after a birth word.
	birthDayMonthRe = regexp.MustCompile(`(?i)\b(sinh ngày|sinh ngay|ngày sinh|ngay sinh|dob|born on|born)\s*:?\s*\d{1,2}[/.\-]\d{1,2}\b`)
	// "ngày 5 tháng 3 năm 1960", with or without diacritics or the year.
	dateWordsViRe = regexp.MustCompile(`(?i)\bng(?:à|a)y\s+\d{1,2}\s+th(?:á|a)ng\s+\d{1,2}(?:\s+n(?:ă|a)m\s+\d{2,4})?\b`)
	// "5 March 1960", "March 5, 1960", "5th of March 1960".
	dateWordsEnRe = regexp.MustCompile(`(?i)\b(?:\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?` + months + `,?\s+\d{4}|` + months + `\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4})\b`)
	// A year of birth after a birth word, and any year 1900–2099 (a
	// year alone says little about intent and may be one of birth).
	yearRe = regexp.MustCompile(`\b(?:19|20)\d{2}\b`)
	// Digit groups: digits with single spaces, dots or hyphens between
	// them, optionally led by "+": phone numbers, CCCD, account numbers.
	digitsRe = regexp.MustCompile(`\+?\d(?:[ .\-]?\d)*`)
)

const months = `(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)`

// Scrub returns msg without identifiers (see the comment above). It is
// pure and safe for concurrent use; the result is at most MaxRunes runes
// of the input plus placeholders.
func Scrub(msg string, o ScrubOptions) string {
	if r := []rune(msg); len(r) > MaxRunes {
		msg = string(r[:MaxRunes])
	}
	msg = strings.ToValidUTF8(msg, "")
	// Known identifiers first, verbatim and as bare digits, so that a
	// pattern below cannot split one and leave a part behind.
	for _, id := range o.Identifiers {
		msg = replaceIdentifier(msg, id)
	}
	msg = emailRe.ReplaceAllString(msg, PlaceholderEmail)
	msg = bhytRe.ReplaceAllString(msg, PlaceholderBHYT)
	msg = birthDayMonthRe.ReplaceAllString(msg, "${1} "+PlaceholderDate)
	msg = dateWordsViRe.ReplaceAllString(msg, PlaceholderDate)
	msg = dateWordsEnRe.ReplaceAllString(msg, PlaceholderDate)
	msg = dateNumRe.ReplaceAllString(msg, PlaceholderDate)
	msg = yearRe.ReplaceAllString(msg, PlaceholderDate)
	msg = digitsRe.ReplaceAllStringFunc(msg, digitPlaceholder)
	return scrubNames(msg, o.Names)
}

// digitPlaceholder classifies a digit group by its digits: Vietnamese
// phone numbers (0 and 9–10 digits, or 84 and 9–10), CCCD (12), CMND (9),
// anything else of six digits or more. Shorter groups (doses, times,
// menu answers) are kept.
func digitPlaceholder(s string) string {
	d := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			d = append(d, s[i])
		}
	}
	n := len(d)
	switch {
	case n < 6:
		return s
	case d[0] == '0' && (n == 10 || n == 11):
		return PlaceholderPhone
	case strings.HasPrefix(string(d), "84") && (n == 11 || n == 12) && (s[0] == '+' || n == 11):
		return PlaceholderPhone
	case n == 12:
		return PlaceholderCCCD
	}
	return PlaceholderNumber
}

// replaceIdentifier removes a known identifier of four characters or
// more: its exact text (case folded) and, when it has six digits or more, any digit group with the
// same digits ("0912 345 678" for "0912345678").
func replaceIdentifier(msg, id string) string {
	id = strings.TrimSpace(id)
	if utf8.RuneCountInString(id) < 4 {
		return msg // too short to be an identifier; it would cut words apart
	}
	// One pass from left to right: the placeholder itself may contain
	// the identifier ("id"), so the result is never searched again.
	var b strings.Builder
	for rest := msg; ; {
		i := indexFold(rest, id)
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		b.WriteString(PlaceholderID)
		rest = rest[i+len(id):]
	}
	msg = b.String()
	digits := nationalDigits(id)
	if len(digits) < 6 {
		return msg
	}
	return digitsRe.ReplaceAllStringFunc(msg, func(g string) string {
		if nationalDigits(g) == digits {
			return PlaceholderID
		}
		return g
	})
}

// nationalDigits is the digits of s, a phone number in international
// form (84 and 9 digits) rewritten in national form (0 and 9 digits).
func nationalDigits(s string) string {
	d := onlyDigits(s)
	if len(d) == 11 && strings.HasPrefix(d, "84") {
		return "0" + d[2:]
	}
	return d
}

func onlyDigits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// indexFold is strings.Index ignoring case (simple folding, which keeps
// byte lengths for the letters that matter here).
func indexFold(s, sub string) int {
	if sub == "" {
		return -1
	}
	ls := strings.ToLower(s)
	if len(ls) != len(s) {
		// Lower-casing changed byte lengths (rare scripts): match exactly.
		return strings.Index(s, sub)
	}
	return strings.Index(ls, strings.ToLower(sub))
}

// word is a run of letters or digits in a message, with its byte span.
type word struct {
	start, end int
	text       string // as written
	folded     string // vn.Fold of text
}

func splitWords(s string) []word {
	var out []word
	start := -1
	for i, r := range s {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			out = append(out, word{start: start, end: i, text: s[start:i]})
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, word{start: start, end: len(s), text: s[start:]})
	}
	for i := range out {
		out[i].folded = vn.Fold(out[i].text)
	}
	return out
}

// scrubNames replaces the people named in names. A name of two words or
// more ("Nguyễn Văn An", "Văn An") matches with or without diacritics. A
// single word — the given name people are called by ("bác An") — is
// matched as written (case ignored) and, in a message typed without
// diacritics, also folded: "an" in an unaccented message may be the
// patient's name or the word "ăn" (eat), and the name wins. The family
// name alone is not removed (a third of Vietnamese people are Nguyễn).
func scrubNames(msg string, names []string) string {
	type pattern struct {
		folded []string
		exact  string // for single words: the word as written, lower case
	}
	var pats []pattern
	for _, n := range names {
		ws := strings.Fields(vn.Fold(n))
		if len(ws) == 0 {
			continue
		}
		pats = append(pats, pattern{folded: ws})
		if len(ws) >= 3 {
			pats = append(pats, pattern{folded: ws[len(ws)-2:]}) // middle and given name
		}
		if len(ws) >= 2 {
			given := strings.Fields(n)
			pats = append(pats, pattern{folded: ws[len(ws)-1:], exact: strings.ToLower(given[len(given)-1])})
		} else {
			pats = append(pats, pattern{folded: ws, exact: strings.ToLower(strings.TrimSpace(n))})
		}
	}
	if len(pats) == 0 {
		return msg
	}
	// Longest names first, so "Nguyễn Văn An" goes before "An".
	for i := 1; i < len(pats); i++ {
		for j := i; j > 0 && len(pats[j].folded) > len(pats[j-1].folded); j-- {
			pats[j], pats[j-1] = pats[j-1], pats[j]
		}
	}
	unaccented := isASCII(msg)
	for _, p := range pats {
		words := splitWords(msg)
		var b strings.Builder
		last := 0
		for i := 0; i+len(p.folded) <= len(words); {
			if !matchName(words[i:i+len(p.folded)], p.folded, p.exact, unaccented) {
				i++
				continue
			}
			b.WriteString(msg[last:words[i].start])
			b.WriteString(PlaceholderName)
			last = words[i+len(p.folded)-1].end
			i += len(p.folded)
		}
		if last > 0 {
			b.WriteString(msg[last:])
			msg = b.String()
		}
	}
	return msg
}

func matchName(ws []word, folded []string, exact string, unaccented bool) bool {
	if len(folded) == 1 {
		w := ws[0]
		if strings.ToLower(w.text) == exact {
			return true
		}
		return unaccented && w.folded == folded[0]
	}
	for i, f := range folded {
		if ws[i].folded != f {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
