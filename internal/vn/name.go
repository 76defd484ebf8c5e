package vn

import (
	"strings"

	"golang.org/x/text/unicode/norm"
)

// compoundFamilies are family names of more than one word, longest first,
// as folded word lists: the Nguyễn Phước royal clan's branches (Tôn Thất
// for men, Tôn Nữ and Công Tằng Tôn Nữ for women) and the two-syllable
// Sino-Vietnamese surnames. "Nguyễn Phúc" is left out on purpose: Phúc is
// a common middle name, so "Nguyễn Phúc An" is family Nguyễn.
var compoundFamilies = [][]string{
	{"cong", "tang", "ton", "nu"},
	{"cong", "ton", "nu"},
	{"ton", "that"},
	{"ton", "nu"},
	{"au", "duong"},
	{"tu", "ma"},
	{"gia", "cat"},
	{"hoang", "phu"},
}

// SplitName splits a Vietnamese full name, written family name first, into
// the family name and the list of given names (middle names and the
// personal name, in order), following FHIR HumanName where given holds
// every given name: "Nguyễn Văn An" → "Nguyễn", ["Văn", "An"]. A leading
// compound family name (Tôn Thất, Tôn Nữ, Công Tằng Tôn Nữ, Âu Dương …)
// stays whole when at least one word follows it. A one-word name is a
// given name with no family name. White space is collapsed and the words
// are returned as written (NFC), never re-cased.
func SplitName(full string) (family string, given []string) {
	words := strings.Fields(norm.NFC.String(full))
	switch len(words) {
	case 0:
		return "", nil
	case 1:
		return "", words
	}
	n := 1
	for _, c := range compoundFamilies {
		if len(words) > len(c) && foldedEqual(words[:len(c)], c) {
			n = len(c)
			break
		}
	}
	return strings.Join(words[:n], " "), words[n:]
}

func foldedEqual(words, folded []string) bool {
	for i := range folded {
		if Fold(words[i]) != folded[i] {
			return false
		}
	}
	return true
}

// HumanName returns the FHIR HumanName JSON for a full name written family
// name first: use "official", text as written (NFC, single spaces), and
// family and given from SplitName. It returns nil for a blank name.
func HumanName(full string) map[string]any {
	text := strings.Join(strings.Fields(norm.NFC.String(full)), " ")
	if text == "" {
		return nil
	}
	family, given := SplitName(text)
	h := map[string]any{"use": "official", "text": text}
	if family != "" {
		h["family"] = family
	}
	if len(given) > 0 {
		g := make([]any, len(given))
		for i, w := range given {
			g[i] = w
		}
		h["given"] = g
	}
	return h
}

// DisplayName renders a FHIR HumanName (as decoded JSON) in Vietnamese
// order: prefix, family, given names, suffix. Built from the parts when
// family or given is present, so that names entered part by part show the
// same way; otherwise text. given may be []any (decoded JSON) or []string.
// It returns "" when there is nothing to show.
func DisplayName(h map[string]any) string {
	var parts []string
	add := func(v any) {
		switch x := v.(type) {
		case string:
			if s := strings.TrimSpace(x); s != "" {
				parts = append(parts, s)
			}
		case []string:
			for _, s := range x {
				if s = strings.TrimSpace(s); s != "" {
					parts = append(parts, s)
				}
			}
		case []any:
			for _, e := range x {
				if s, ok := e.(string); ok {
					if s = strings.TrimSpace(s); s != "" {
						parts = append(parts, s)
					}
				}
			}
		}
	}
	add(h["family"])
	add(h["given"])
	if len(parts) == 0 {
		if t, ok := h["text"].(string); ok {
			return strings.Join(strings.Fields(t), " ")
		}
		return ""
	}
	parts = parts[:0]
	add(h["prefix"])
	add(h["family"])
	add(h["given"])
	add(h["suffix"])
	return strings.Join(parts, " ")
}

// NameSortKey returns a key that orders people the Vietnamese way, by
// personal (last given) name, then middle names, then family name,
// diacritic-insensitively (REGULATIONS.md §6). Ties between spellings that
// fold alike are left to the caller's collation.
func NameSortKey(full string) string {
	family, given := SplitName(full)
	parts := make([]string, 0, len(given)+1)
	if len(given) > 0 {
		parts = append(parts, given[len(given)-1])
		parts = append(parts, given[:len(given)-1]...)
	}
	if family != "" {
		parts = append(parts, family)
	}
	return Fold(strings.Join(parts, " "))
}
