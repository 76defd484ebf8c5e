package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed catalog/*.json
var catalogFS embed.FS

// Language codes Sen speaks. Vietnamese is the default.
const (
	Vietnamese = "vi"
	English    = "en"
)

// Languages lists the supported language codes, default first.
func Languages() []string { return []string{Vietnamese, English} }

// Catalog holds the loaded messages of every supported language. It is
// immutable after New and safe for concurrent use.
type Catalog struct {
	bundle  *goi18n.Bundle
	matcher language.Matcher
	ids     map[string][]string // language -> sorted message ids
	locs    map[string]*Localizer
}

// New loads the embedded catalogs. It fails if a catalog is missing or
// malformed, which is a build defect rather than a runtime condition.
func New() (*Catalog, error) {
	b := goi18n.NewBundle(language.Vietnamese)
	b.RegisterUnmarshalFunc("json", json.Unmarshal)
	c := &Catalog{
		bundle:  b,
		matcher: language.NewMatcher([]language.Tag{language.Vietnamese, language.English}),
		ids:     map[string][]string{},
		locs:    map[string]*Localizer{},
	}
	for _, lang := range Languages() {
		name := "catalog/" + lang + ".json"
		data, err := catalogFS.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("i18n: read %s: %w", name, err)
		}
		if _, err := b.ParseMessageFileBytes(data, name); err != nil {
			return nil, fmt.Errorf("i18n: parse %s: %w", name, err)
		}
		var flat map[string]any
		if err := json.Unmarshal(data, &flat); err != nil {
			return nil, fmt.Errorf("i18n: parse %s: %w", name, err)
		}
		ids := make([]string, 0, len(flat))
		for id := range flat {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		c.ids[lang] = ids
	}
	for _, lang := range Languages() {
		c.locs[lang] = &Localizer{lang: lang, loc: goi18n.NewLocalizer(b, lang)}
	}
	return c, nil
}

// IDs returns the message ids of one language's catalog, sorted.
func (c *Catalog) IDs(lang string) []string { return append([]string(nil), c.ids[lang]...) }

// Localizer returns the localizer of lang; an unsupported code gets Vietnamese.
func (c *Catalog) Localizer(lang string) *Localizer {
	if l, ok := c.locs[lang]; ok {
		return l
	}
	return c.locs[Vietnamese]
}

// Localizer translates message ids into one language.
type Localizer struct {
	lang string
	loc  *goi18n.Localizer
}

// Lang returns the language code ("vi" or "en").
func (l *Localizer) Lang() string { return l.lang }

// T returns message id with data substituted into its template. A missing id
// or a template error yields "[id]" so that the gap shows on screen and in
// tests instead of breaking the page.
func (l *Localizer) T(id string, data map[string]any) string {
	s, err := l.loc.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil || s == "" {
		return "[" + id + "]"
	}
	return s
}

// Has reports whether id has a message in this language (no fallback).
func (l *Localizer) Has(id string) bool {
	_, tag, err := l.loc.LocalizeWithTag(&goi18n.LocalizeConfig{MessageID: id})
	return err == nil && tag.String() == l.lang
}
