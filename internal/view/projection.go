package view

import "strings"

// projection is the set of top-level elements of a resource that a view's
// expressions can reach, worked out at compile time so that EvalJSON can
// skip the rest of each body (decode.go). It is conservative: any name
// that appears anywhere in any expression is kept (a name read on a
// nested element keeps the top-level element of the same name, which does
// no harm), and a view that could observe the resource as a whole gets no
// projection at all (a nil *projection keeps everything).
type projection struct {
	names map[string]bool
}

// rootFunctions may be called without a focus ("getResourceKey()" rather
// than "name.first()") without exposing the resource as a whole: they
// return something other than their input, and what they read of it is
// named in the expression (extension) or always kept (id).
var rootFunctions = map[string]bool{
	"getResourceKey": true, "extension": true, "exists": true, "empty": true,
	"count": true, "not": true, "iif": true, "today": true, "now": true,
	"timeOfDay": true, "hasValue": true,
}

// wholeResource are names that reach every element of their input or the
// resource itself wherever they appear: children() and descendants()
// enumerate elements, trace() may log them, resolve() looks contained
// resources up by id, and %resource / %rootResource / %context are the
// resource.
var wholeResource = map[string]bool{
	"children": true, "descendants": true, "trace": true, "resolve": true,
	"Resource": true, "DomainResource": true,
}

// newProjection returns the projection for expressions over resources of
// type resource, or nil when every element must be kept.
func newProjection(resource string, sources []string) *projection {
	p := &projection{names: map[string]bool{"resourceType": true, "id": true}}
	for _, src := range sources {
		if !p.add(resource, src) {
			return nil
		}
	}
	return p
}

// has reports whether the top-level member key is kept: a kept name, its
// "_name" primitive-extension twin, or a choice element named after a kept
// name with a type suffix (deceased → deceasedBoolean).
func (p *projection) has(key string) bool {
	if p == nil {
		return true
	}
	k := strings.TrimPrefix(key, "_")
	if p.names[k] {
		return true
	}
	for j := 1; j < len(k); j++ {
		if c := k[j]; c >= 'A' && c <= 'Z' && p.names[k[:j]] {
			return true
		}
	}
	return false
}

// add records the names of one expression; false means the expression may
// see the whole resource. The expression has already parsed, so the scan
// only needs to be right for valid FHIRPath: string literals and comments
// are skipped, delimited identifiers are read, and an identifier counts as
// a function call when "(" follows it.
func (p *projection) add(resource, src string) bool {
	afterDot := false
	for i := 0; i < len(src); i++ {
		ch := src[i]
		switch {
		case ch == '\'':
			i = skipQuoted(src, i)
			afterDot = false
		case ch == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case ch == '/' && i+1 < len(src) && src[i+1] == '*':
			end := indexFrom(src, i+2, "*/")
			if end < 0 {
				return true
			}
			i = end + 1
		case ch == '%':
			// External constants: the names that stand for the resource
			// defeat projection; the others are values, not elements.
			j := i + 1
			var name string
			if j < len(src) && (src[j] == '`' || src[j] == '\'') {
				end := skipQuoted(src, j)
				if end < len(src) {
					name = src[j+1 : end]
				}
				j = end + 1
			} else {
				for j < len(src) && isIdentChar(src[j], j == i+1) {
					j++
				}
				name = src[i+1 : j]
			}
			switch name {
			case "resource", "rootResource", "context":
				return false
			}
			i = j - 1
			afterDot = false
		case ch == '$':
			// $this may be the resource itself; $index and $total never
			// are.
			j := i + 1
			for j < len(src) && isIdentChar(src[j], j == i+1) {
				j++
			}
			if src[i+1:j] == "this" {
				return false
			}
			i = j - 1
			afterDot = false
		case ch == '`' || isIdentChar(ch, true):
			var name string
			j := i
			if ch == '`' {
				end := skipQuoted(src, i)
				if end >= len(src) {
					return false
				}
				name = src[i+1 : end]
				j = end + 1
			} else {
				for j < len(src) && isIdentChar(src[j], false) {
					j++
				}
				name = src[i:j]
			}
			k := j
			for k < len(src) && (src[k] == ' ' || src[k] == '\t' || src[k] == '\n' || src[k] == '\r') {
				k++
			}
			call := ch != '`' && k < len(src) && src[k] == '('
			switch {
			case wholeResource[name], name == resource:
				return false
			case call && !afterDot && !rootFunctions[name]:
				// A function applied to the implicit focus (first(),
				// where(...), ofType(...)) may return the resource itself.
				return false
			}
			p.names[name] = true
			i = j - 1
			afterDot = false
		case ch == '.':
			afterDot = true
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r':
		default:
			afterDot = false
		}
	}
	return true
}
