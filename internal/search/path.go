package search

import (
	"fmt"
	"strings"

	"github.com/sen-emr/sen/internal/fhir/r4"
)

// item is one value found in a resource: its decoded JSON and FHIR type
// name ("HumanName", "dateTime", "Patient.contact"; "" when unknown).
type item struct {
	v any
	t string
}

// A path is the fast form of a search expression branch made only of
// member navigation and the few filters R4 search parameters use
// (as/ofType, where(resolve() is T), where(field='literal'), [0]). Most of
// the 1,375 R4 expressions are such paths; walking the decoded JSON with
// the model directly is several times faster than the general FHIRPath
// evaluator, which remains the fallback for everything else.
type path struct {
	steps []step
}

type stepKind uint8

const (
	stepMember  stepKind = iota // .name
	stepAs                      // as(T), ofType(T), (x as T)
	stepFirst                   // [0]
	stepResolve                 // where(resolve() is T)
	stepWhereEq                 // where(name='literal')
)

type step struct {
	kind  stepKind
	name  string // member name, type name, or where field
	value string // where literal
	// keys are the JSON properties a member step reads, resolved from the
	// model at compile time for each parent type the path can be at;
	// values of other types (contained resources) take the dynamic route.
	keys []memberKey
}

type memberKey struct {
	parent, key, typ string
}

// compilePath turns one union branch into a path, relative to a resource
// of type resType. ok is false when the branch is not a simple path (the
// caller then falls back to FHIRPath); skip is true when the branch
// starts with another resource type and so never matches resType.
func compilePath(m *r4.Model, resType, src string) (p path, skip, ok bool) {
	p, skip, ok = compileSteps(m, resType, src)
	if ok && !skip && resType != "" {
		p.resolveKeys(m, resType)
	}
	return p, skip, ok
}

// resolveKeys precomputes, for each member step, the JSON keys to read
// from every type the path can be at (choice elements expand to one key
// per allowed type).
func (p *path) resolveKeys(m *r4.Model, resType string) {
	types := []string{resType}
	for i := range p.steps {
		st := &p.steps[i]
		switch st.kind {
		case stepMember:
			var next []string
			for _, t := range types {
				if _, ct, ok := m.Child(t, st.name); ok {
					st.keys = append(st.keys, memberKey{t, st.name, ct})
					next = append(next, ct)
					continue
				}
				if el := choiceElement(m, t, st.name); el != nil {
					for _, ty := range el.Types {
						key := st.name + upperFirst(ty)
						_, ct, ok := m.Child(t, key)
						if !ok {
							ct = ty
						}
						st.keys = append(st.keys, memberKey{t, key, ct})
						next = append(next, ct)
					}
				}
			}
			types = next
		case stepAs:
			var next []string
			for _, t := range types {
				if isA(m, t, st.name) {
					next = append(next, t)
				}
			}
			types = next
		}
	}
}

func compileSteps(m *r4.Model, resType, src string) (p path, skip, ok bool) {
	src = strings.TrimSpace(src)
	// "(X as T)" is the R4 spelling of X.as(T).
	if strings.HasPrefix(src, "(") && strings.HasSuffix(src, ")") && matchingParen(src, 0) == len(src)-1 {
		inner := strings.TrimSpace(src[1 : len(src)-1])
		if i := strings.LastIndex(inner, " as "); i > 0 {
			p, skip, ok = compileSteps(m, resType, inner[:i])
			if !ok || skip {
				return p, skip, ok
			}
			t := strings.TrimSpace(inner[i+4:])
			if !isIdent(t) {
				return path{}, false, false
			}
			p.steps = append(p.steps, step{kind: stepAs, name: t})
			return p, false, true
		}
		return compileSteps(m, resType, inner)
	}
	// "(X as T).rest": compile the parenthesised head, then the rest.
	if strings.HasPrefix(src, "(") {
		end := matchingParen(src, 0)
		if end > 0 && end+1 < len(src) && src[end+1] == '.' {
			p, skip, ok = compileSteps(m, resType, src[:end+1])
			if !ok || skip {
				return p, skip, ok
			}
			rest, ok := splitDots(src[end+2:])
			if !ok {
				return path{}, false, false
			}
			for _, s := range rest {
				st, ok := compileStep(s)
				if !ok {
					return path{}, false, false
				}
				p.steps = append(p.steps, st...)
			}
			return p, false, true
		}
	}
	segs, ok := splitDots(src)
	if !ok || len(segs) == 0 {
		return path{}, false, false
	}
	// The first segment names the resource type (or Resource /
	// DomainResource) unless the expression is relative ("name | alias").
	first := segs[0]
	if isIdent(first) && first[0] >= 'A' && first[0] <= 'Z' && m.Type(first) != nil {
		if !isA(m, resType, first) {
			return path{}, true, true
		}
		segs = segs[1:]
	}
	for _, s := range segs {
		st, ok := compileStep(s)
		if !ok {
			return path{}, false, false
		}
		p.steps = append(p.steps, st...)
	}
	return p, false, true
}

func compileStep(s string) ([]step, bool) {
	if isIdent(s) {
		return []step{{kind: stepMember, name: s}}, true
	}
	if strings.HasSuffix(s, "[0]") && isIdent(s[:len(s)-3]) {
		return []step{{kind: stepMember, name: s[:len(s)-3]}, {kind: stepFirst}}, true
	}
	open := strings.IndexByte(s, '(')
	if open < 0 || !strings.HasSuffix(s, ")") {
		return nil, false
	}
	fn, arg := s[:open], strings.TrimSpace(s[open+1:len(s)-1])
	switch fn {
	case "as", "ofType":
		if isIdent(arg) {
			return []step{{kind: stepAs, name: arg}}, true
		}
	case "where":
		if t, ok := strings.CutPrefix(arg, "resolve() is "); ok && isIdent(strings.TrimSpace(t)) {
			return []step{{kind: stepResolve, name: strings.TrimSpace(t)}}, true
		}
		if f, lit, ok := strings.Cut(arg, "="); ok {
			f, lit = strings.TrimSpace(f), strings.TrimSpace(lit)
			if isIdent(f) && len(lit) >= 2 && lit[0] == '\'' && lit[len(lit)-1] == '\'' && !strings.ContainsAny(lit[1:len(lit)-1], `'\`) {
				return []step{{kind: stepWhereEq, name: f, value: lit[1 : len(lit)-1]}}, true
			}
		}
	}
	return nil, false
}

// eval runs the path over the resource root (typed resType), appending
// what it finds to out.
func (p path) eval(m *r4.Model, root item, out []item) []item {
	cur := []item{root}
	var next []item
	for _, st := range p.steps {
		next = next[:0]
		switch st.kind {
		case stepMember:
			for _, it := range cur {
				next = st.member(m, it, next)
			}
		case stepAs:
			for _, it := range cur {
				if isA(m, it.t, st.name) {
					next = append(next, it)
				}
			}
		case stepFirst:
			if len(cur) > 0 {
				next = append(next, cur[0])
			}
		case stepResolve:
			for _, it := range cur {
				obj, _ := it.v.(map[string]any)
				ref, _ := obj["reference"].(string)
				if t, _, _, _ := parseReference(ref); t == st.name {
					next = append(next, it)
				}
			}
		case stepWhereEq:
			for _, it := range cur {
				obj, _ := it.v.(map[string]any)
				if s, _ := obj[st.name].(string); s == st.value {
					next = append(next, it)
				}
			}
		}
		cur, next = next, cur
		if len(cur) == 0 {
			return out
		}
	}
	return append(out, cur...)
}

// member reads the step's property from it through the precomputed keys,
// or dynamically when it's type was not foreseen.
func (st *step) member(m *r4.Model, it item, out []item) []item {
	obj, ok := it.v.(map[string]any)
	if !ok {
		return out
	}
	known := false
	for i := range st.keys {
		k := &st.keys[i]
		if k.parent != it.t {
			continue
		}
		known = true
		if v, ok := obj[k.key]; ok {
			out = appendValues(out, v, k.typ)
		}
	}
	if known {
		return out
	}
	return member(m, it, st.name, out)
}

// member appends the values of property name of it, expanding arrays and
// choice elements (value -> valueQuantity, valueString ...).
func member(m *r4.Model, it item, name string, out []item) []item {
	obj, ok := it.v.(map[string]any)
	if !ok {
		return out
	}
	if v, ok := obj[name]; ok {
		_, t, _ := m.Child(it.t, name)
		return appendValues(out, v, t)
	}
	el := choiceElement(m, it.t, name)
	if el == nil {
		return out
	}
	for _, t := range el.Types {
		key := name + upperFirst(t)
		if v, ok := obj[key]; ok {
			_, ct, found := m.Child(it.t, key)
			if !found {
				ct = t
			}
			out = appendValues(out, v, ct)
		}
	}
	return out
}

func appendValues(out []item, v any, t string) []item {
	if arr, ok := v.([]any); ok {
		for _, x := range arr {
			if x != nil {
				out = append(out, item{x, t})
			}
		}
		return out
	}
	if v == nil {
		return out
	}
	if obj, ok := v.(map[string]any); ok {
		// A contained or Bundle resource carries its own type.
		if rt, ok := obj["resourceType"].(string); ok && (t == "Resource" || t == "") {
			t = rt
		}
	}
	return append(out, item{v, t})
}

// choiceElement finds the [x] element name of parent, following the type
// hierarchy for inherited choices (Extension.value[x]).
func choiceElement(m *r4.Model, parent, name string) *r4.ElementDef {
	for p := parent; p != ""; {
		if el := m.Element(p + "." + name + "[x]"); el != nil {
			return el
		}
		td := m.Type(p)
		if td == nil {
			return nil
		}
		p = td.Base
	}
	return nil
}

// isA reports whether type t is T or derives from it. Primitive names
// compare case-insensitively, so the System spelling as(DateTime) in some
// R4 expressions matches dateTime.
func isA(m *r4.Model, t, T string) bool {
	for depth := 0; t != "" && depth < 16; depth++ {
		if t == T || strings.EqualFold(t, T) {
			return true
		}
		td := m.Type(t)
		if td == nil {
			return false
		}
		t = td.Base
	}
	return false
}

// splitDots splits a.b(c.d).e into [a b(c.d) e], honouring parentheses
// and quotes; ok is false for anything with operators or spaces outside
// function arguments.
func splitDots(s string) ([]string, bool) {
	var segs []string
	depth, start := 0, 0
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote:
			if c == '\'' {
				inQuote = false
			}
		case c == '\'':
			inQuote = true
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth < 0 {
				return nil, false
			}
		case depth == 0 && c == '.':
			segs = append(segs, s[start:i])
			start = i + 1
		case depth == 0 && (c == ' ' || c == '|' || c == '=' || c == '!' || c == '%' || c == '$'):
			return nil, false
		}
	}
	if depth != 0 || inQuote {
		return nil, false
	}
	segs = append(segs, s[start:])
	for _, sg := range segs {
		if sg == "" {
			return nil, false
		}
	}
	return segs, true
}

// splitUnion splits an expression at its top-level "|" operators.
func splitUnion(s string) []string {
	var parts []string
	depth, start := 0, 0
	inQuote := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inQuote:
			if c == '\'' {
				inQuote = false
			}
		case c == '\'':
			inQuote = true
		case c == '(':
			depth++
		case c == ')':
			depth--
		case c == '|' && depth == 0:
			parts = append(parts, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
	}
	return append(parts, strings.TrimSpace(s[start:]))
}

func matchingParen(s string, open int) int {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

func upperFirst(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}

func (st step) String() string {
	switch st.kind {
	case stepMember:
		return st.name
	case stepAs:
		return "as(" + st.name + ")"
	case stepFirst:
		return "[0]"
	case stepResolve:
		return "where(resolve() is " + st.name + ")"
	case stepWhereEq:
		return fmt.Sprintf("where(%s='%s')", st.name, st.value)
	}
	return "?"
}
