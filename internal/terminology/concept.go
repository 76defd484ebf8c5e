package terminology

import (
	"strings"

	"github.com/sen-emr/sen/internal/vn"
)

// Designation is a display of a concept in one language.
type Designation struct {
	Language string `json:"language"`
	Value    string `json:"value"`
}

// Property is a named value attached to a concept (FHIR
// CodeSystem.concept.property), such as a LOINC code's observation
// category.
type Property struct {
	Code  string
	Value string
}

// Concept is one code of a code system. Concepts are shared and read-only.
type Concept struct {
	Code string
	// Display is the display in the code system's own language.
	Display      string
	Designations []Designation
	Properties   []Property
	// Abstract concepts (ICD-10 chapters and blocks) only group others and
	// are not used in records, so they are never members of a value set.
	// ATC groups are not abstract: records may code a group (A07CA, oral
	// rehydration salts).
	Abstract bool
	// Unverified marks a Vietnamese title that could not be checked
	// against the official publication (docs/terminology.md).
	Unverified bool
	Parent     *Concept
	Children   []*Concept

	// folded holds vn.Fold of the code and of every display, computed once
	// by foldKeys so that filtered expansions do not fold per request.
	folded []string
}

// foldKeys returns the folded code and displays of c (computing them on
// first use during construction; see CodeSystem.add).
func (c *Concept) foldKeys() []string {
	if c.folded == nil {
		c.folded = append(c.folded, vn.Fold(c.Code), vn.Fold(c.Display))
		for _, d := range c.Designations {
			c.folded = append(c.folded, vn.Fold(d.Value))
		}
	}
	return c.folded
}

// DisplayIn returns the display in the language lang (a BCP-47 tag; only
// the primary subtag counts, so "vi-VN" is "vi"), falling back to Display.
func (c *Concept) DisplayIn(lang string) string {
	lang = primaryLanguage(lang)
	if lang == "" {
		return c.Display
	}
	for _, d := range c.Designations {
		if d.Language == lang {
			return d.Value
		}
	}
	return c.Display
}

// Property returns the value of the named property, or "".
func (c *Concept) Property(code string) string {
	for _, p := range c.Properties {
		if p.Code == code {
			return p.Value
		}
	}
	return ""
}

// hasDisplay reports whether s is the display or a designation of c,
// ignoring case and surrounding space (displays are compared for
// $validate-code, where a client may have changed the capitalisation).
func (c *Concept) hasDisplay(s string) bool {
	s = strings.TrimSpace(s)
	if strings.EqualFold(c.Display, s) {
		return true
	}
	for _, d := range c.Designations {
		if strings.EqualFold(d.Value, s) {
			return true
		}
	}
	return false
}

// isA reports whether c is ancestor or c itself.
func (c *Concept) isA(ancestor *Concept) bool {
	for x := c; x != nil; x = x.Parent {
		if x == ancestor {
			return true
		}
	}
	return false
}

// walk calls fn for c and all its descendants, depth first in source
// order.
func (c *Concept) walk(fn func(*Concept)) {
	fn(c)
	for _, ch := range c.Children {
		ch.walk(fn)
	}
}

// primaryLanguage returns the lower-case primary subtag of a BCP-47 tag
// ("vi-VN" → "vi").
func primaryLanguage(tag string) string {
	tag = strings.TrimSpace(tag)
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	return strings.ToLower(tag)
}
