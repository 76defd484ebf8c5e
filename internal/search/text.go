package search

import (
	"html"
	"strings"
	"unicode"
)

// The "basic" text search of _text and _content (search.html#text,
// #content): a value is one or more terms separated by spaces, all of
// which must occur; a term is a word or a "quoted phrase" of consecutive
// words; every word matches the start of a word of the resource, case- and
// diacritic-insensitively. Alternatives are separated by commas or by the
// word OR (in capitals). Sen has no full-text index: backends evaluate
// these parameters over the stored JSON of the candidates the other
// parameters select (TextMatch, ContentWords, NarrativeWords).

// maxTerms bounds the terms of one _text/_content value.
const maxTerms = 32

// textValues parses the value of _text or _content (still URL-decoded,
// with search escapes) into one Value per alternative.
func textValues(key, value string) ([]Value, error) {
	var out []Value
	for _, raw := range splitEscaped(value, ',') {
		alt := Value{Raw: raw}
		flush := func() {
			if len(alt.Terms) > 0 {
				out = append(out, alt)
			}
			alt = Value{Raw: raw}
		}
		rest := raw
		for {
			rest = strings.TrimLeft(rest, " \t\r\n")
			if rest == "" {
				break
			}
			var term string
			if rest[0] == '"' {
				end := strings.IndexByte(rest[1:], '"')
				if end < 0 {
					return nil, invalid(key, "unterminated quoted phrase in %q", raw)
				}
				term, rest = rest[1:1+end], rest[2+end:]
			} else {
				end := strings.IndexAny(rest, " \t\r\n\"")
				if end < 0 {
					end = len(rest)
				}
				term, rest = rest[:end], rest[end:]
				if term == "OR" {
					flush()
					continue
				}
			}
			words := Words(term)
			if len(words) == 0 {
				continue
			}
			alt.Terms = append(alt.Terms, strings.Join(words, " "))
			if len(alt.Terms) > maxTerms {
				return nil, invalid(key, "more than %d terms", maxTerms)
			}
		}
		flush()
	}
	if len(out) == 0 {
		return nil, invalid(key, "no word to search for in %q", value)
	}
	return out, nil
}

// Words folds s (Normalize) and splits it into words: runs of letters and
// digits.
func Words(s string) []string {
	return strings.FieldsFunc(Normalize(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// TextMatch reports whether the words of a resource (ContentWords or
// NarrativeWords) satisfy one alternative of a _text/_content clause.
func TextMatch(words []string, v *Value) bool {
	for _, t := range v.Terms {
		if !hasPhrase(words, strings.Split(t, " ")) {
			return false
		}
	}
	return len(v.Terms) > 0
}

func hasPhrase(words, phrase []string) bool {
	for i := 0; i+len(phrase) <= len(words); i++ {
		ok := true
		for j, p := range phrase {
			if !strings.HasPrefix(words[i+j], p) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// ContentWords returns the words of every string value of a decoded
// resource (object keys are not content), the narrative with its XHTML
// tags removed. The words of different values are separated by an empty
// word, which no term matches, so a phrase never spans two values.
func ContentWords(v any) []string {
	var out []string
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch x := v.(type) {
		case string:
			if key == "div" {
				x = StripTags(x)
			}
			out = append(append(out, Words(x)...), "")
		case []any:
			for _, y := range x {
				walk(key, y)
			}
		case map[string]any:
			for k, y := range x {
				walk(k, y)
			}
		}
	}
	walk("", v)
	return out
}

// NarrativeWords returns the words of the narrative (text.div) of a
// decoded resource, tags removed and entities decoded.
func NarrativeWords(v any) []string {
	m, _ := v.(map[string]any)
	t, _ := m["text"].(map[string]any)
	div, _ := t["div"].(string)
	if div == "" {
		return nil
	}
	return Words(StripTags(div))
}

// StripTags removes XML tags (replacing each by a space, so that
// "a<br/>b" is two words) and decodes character references.
func StripTags(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		switch {
		case r == '<':
			in = true
		case r == '>' && in:
			in = false
			b.WriteByte(' ')
		case !in:
			b.WriteRune(r)
		}
	}
	return html.UnescapeString(b.String())
}
