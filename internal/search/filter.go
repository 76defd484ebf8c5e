package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The _filter parameter (R4 search_filter.html): a small expression
// language over the search parameters of the searched type,
//
//	filter     = orExpr
//	orExpr     = andExpr *("or" andExpr)
//	andExpr    = unary *("and" unary)
//	unary      = "not" "(" filter ")" / "(" filter ")" / comparison
//	comparison = paramPath SP op SP value
//	paramPath  = name ["[" filter "]"] ["." paramPath]
//	value      = "quoted string" / token (no space, no parentheses)
//
// with "not" binding tighter than "and" and "and" tighter than "or" (as in
// SCIM, which the grammar follows). Each comparison is mapped onto a Clause
// the URL syntax could express (name co "pet" is name:contains=pet,
// birthdate ge 2014 is birthdate=ge2014, code ne x is code:not=x, x pr true
// is x:missing=false), so every backend evaluates it with the same code as
// ordinary parameters; string eq and ew and date po use the ModEquals,
// ModEnds and PrefixOverlaps forms that only _filter produces. A path with
// dots is a chain; name[filter].path is a chain whose target must satisfy
// the inner filter too. Everything else is rejected with KindInvalid
// naming the unsupported part.

const (
	maxFilterLen    = 4096
	maxFilterDepth  = 16
	maxFilterLeaves = 64
)

// filterOps are the comparison operators of search_filter.html.
var filterOps = map[string]bool{
	"eq": true, "ne": true, "co": true, "sw": true, "ew": true, "gt": true, "lt": true, "ge": true, "le": true,
	"ap": true, "sa": true, "eb": true, "pr": true, "po": true, "ss": true, "sb": true, "in": true, "ni": true, "re": true,
}

// parseFilter parses a _filter expression on resources of typ ("" for a
// system-level search over types) into a Filter tree. Errors are
// KindInvalid and name the part that is malformed or unsupported.
func parseFilter(p *queryParser, typ string, types []string, expr string) (*Filter, error) {
	if len(expr) > maxFilterLen {
		return nil, invalid("_filter", "expression longer than %d characters", maxFilterLen)
	}
	toks, err := lexFilter(expr)
	if err != nil {
		return nil, err
	}
	fp := &filterParser{p: p, toks: toks}
	f, err := fp.or(typ, types, 0)
	if err != nil {
		return nil, err
	}
	if fp.pos < len(fp.toks) {
		return nil, invalid("_filter", "unexpected %q at offset %d", fp.toks[fp.pos].text, fp.toks[fp.pos].off)
	}
	return f, nil
}

// filterToken is one lexical token: a word, a quoted string or one of ( ) [ ].
type filterToken struct {
	text   string
	quoted bool
	punct  byte // '(', ')', '[', ']' or 0
	off    int
}

func lexFilter(s string) ([]filterToken, error) {
	if !utf8.ValidString(s) {
		return nil, invalid("_filter", "the expression is not valid UTF-8")
	}
	var out []filterToken
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '(' || c == ')' || c == '[' || c == ']':
			out = append(out, filterToken{text: s[i : i+1], punct: c, off: i})
			i++
		case c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != '"'; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
					switch s[j] {
					case 'n':
						b.WriteByte('\n')
					case 't':
						b.WriteByte('\t')
					case 'r':
						b.WriteByte('\r')
					default:
						b.WriteByte(s[j])
					}
					continue
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, invalid("_filter", "unterminated string starting at offset %d", i)
			}
			out = append(out, filterToken{text: b.String(), quoted: true, off: i})
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\r\n()[]\"", rune(s[j])) {
				j++
			}
			out = append(out, filterToken{text: s[i:j], off: i})
			i = j
		}
	}
	return out, nil
}

type filterParser struct {
	p      *queryParser
	toks   []filterToken
	pos    int
	leaves int
}

func (fp *filterParser) peek() *filterToken {
	if fp.pos < len(fp.toks) {
		return &fp.toks[fp.pos]
	}
	return nil
}

// keyword reports whether the next token is the unquoted word w (any case).
func (fp *filterParser) keyword(w string) bool {
	t := fp.peek()
	return t != nil && !t.quoted && t.punct == 0 && strings.EqualFold(t.text, w)
}

func (fp *filterParser) expect(punct byte) error {
	t := fp.peek()
	if t == nil || t.punct != punct {
		got := "the end"
		if t != nil {
			got = strconvQuote(t.text)
		}
		return invalid("_filter", "expected %q, found %s", string(punct), got)
	}
	fp.pos++
	return nil
}

func (fp *filterParser) or(typ string, types []string, depth int) (*Filter, error) {
	if depth > maxFilterDepth {
		return nil, invalid("_filter", "nested deeper than %d", maxFilterDepth)
	}
	f, err := fp.and(typ, types, depth)
	if err != nil {
		return nil, err
	}
	if !fp.keyword("or") {
		return f, nil
	}
	n := &Filter{Op: "or", Children: []*Filter{f}}
	for fp.keyword("or") {
		fp.pos++
		g, err := fp.and(typ, types, depth)
		if err != nil {
			return nil, err
		}
		n.Children = append(n.Children, g)
	}
	return n, nil
}

func (fp *filterParser) and(typ string, types []string, depth int) (*Filter, error) {
	f, err := fp.unary(typ, types, depth)
	if err != nil {
		return nil, err
	}
	if !fp.keyword("and") {
		return f, nil
	}
	n := &Filter{Op: "and", Children: []*Filter{f}}
	for fp.keyword("and") {
		fp.pos++
		g, err := fp.unary(typ, types, depth)
		if err != nil {
			return nil, err
		}
		n.Children = append(n.Children, g)
	}
	return n, nil
}

func (fp *filterParser) unary(typ string, types []string, depth int) (*Filter, error) {
	t := fp.peek()
	if t == nil {
		return nil, invalid("_filter", "expression ends where a comparison was expected")
	}
	if fp.keyword("not") && fp.pos+1 < len(fp.toks) && fp.toks[fp.pos+1].punct == '(' {
		fp.pos += 2
		f, err := fp.or(typ, types, depth+1)
		if err != nil {
			return nil, err
		}
		if err := fp.expect(')'); err != nil {
			return nil, err
		}
		return &Filter{Op: "not", Children: []*Filter{f}}, nil
	}
	if fp.keyword("not") && fp.pos+1 < len(fp.toks) && fp.toks[fp.pos+1].punct == 0 {
		return nil, invalid("_filter", "not must be followed by a parenthesised expression: not (…)")
	}
	if t.punct == '(' {
		fp.pos++
		f, err := fp.or(typ, types, depth+1)
		if err != nil {
			return nil, err
		}
		return f, fp.expect(')')
	}
	return fp.comparison(typ, types, depth)
}

// pathSeg is one step of a parameter path: name[:Type][sub-filter tokens].
type pathSeg struct {
	name, typ string
	sub       []filterToken // tokens between [ and ], unparsed until the target type is known
}

func (fp *filterParser) comparison(typ string, types []string, depth int) (*Filter, error) {
	fp.leaves++
	if fp.leaves > maxFilterLeaves {
		return nil, invalid("_filter", "more than %d comparisons", maxFilterLeaves)
	}
	segs, err := fp.path()
	if err != nil {
		return nil, err
	}
	t := fp.peek()
	if t == nil || t.quoted || t.punct != 0 {
		return nil, invalid("_filter", "expected an operator after %s", segsString(segs))
	}
	op := strings.ToLower(t.text)
	if !filterOps[op] {
		return nil, invalid("_filter", "unknown operator %q after %s", t.text, segsString(segs))
	}
	fp.pos++
	v := fp.peek()
	if v == nil || v.punct != 0 {
		return nil, invalid("_filter", "%s %s needs a value", segsString(segs), op)
	}
	fp.pos++
	return fp.leaf(typ, types, segs, op, v.text, depth)
}

// path reads name[filter].name… up to the operator.
func (fp *filterParser) path() ([]pathSeg, error) {
	var segs []pathSeg
	for {
		t := fp.peek()
		if t == nil || t.quoted || t.punct != 0 {
			return nil, invalid("_filter", "expected a parameter name")
		}
		fp.pos++
		parts := strings.Split(t.text, ".")
		for i, part := range parts {
			name, mod, _ := strings.Cut(part, ":")
			if !isParamName(name) || (mod != "" && !isParamName(mod)) {
				return nil, invalid("_filter", "%q is not a parameter name", part)
			}
			seg := pathSeg{name: name, typ: mod}
			if i == len(parts)-1 && fp.peek() != nil && fp.peek().punct == '[' {
				// Collect the tokens of the balanced [ … ].
				fp.pos++
				start, level := fp.pos, 1
				for ; fp.pos < len(fp.toks); fp.pos++ {
					switch fp.toks[fp.pos].punct {
					case '[':
						level++
					case ']':
						level--
					}
					if level == 0 {
						break
					}
				}
				if level != 0 {
					return nil, invalid("_filter", "unclosed [ after %s", name)
				}
				seg.sub = fp.toks[start:fp.pos]
				fp.pos++
			}
			segs = append(segs, seg)
		}
		// After name[...] a path continues with ".next" as its own token.
		if n := fp.peek(); n != nil && segs[len(segs)-1].sub != nil && n.punct == 0 && !n.quoted && strings.HasPrefix(n.text, ".") {
			n.text = n.text[1:]
			continue
		}
		return segs, nil
	}
}

func isParamName(s string) bool {
	if s == "" || !(s[0] == '_' || s[0] >= 'a' && s[0] <= 'z' || s[0] >= 'A' && s[0] <= 'Z') {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r == '-' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))) {
			return false
		}
	}
	return true
}

func segsString(segs []pathSeg) string {
	var parts []string
	for _, s := range segs {
		x := s.name
		if s.typ != "" {
			x += ":" + s.typ
		}
		if s.sub != nil {
			x += "[…]"
		}
		parts = append(parts, x)
	}
	return strings.Join(parts, ".")
}

// leaf maps one comparison onto a clause (or, for ne on types whose URL
// form has no negation, onto not(eq)).
func (fp *filterParser) leaf(typ string, types []string, segs []pathSeg, op, value string, depth int) (*Filter, error) {
	path := segsString(segs)
	for i, s := range segs {
		if s.sub != nil {
			return fp.subFilter(typ, types, segs, i, op, value, depth)
		}
	}
	if segs[0].name == "_has" || segs[0].name == "_filter" || segs[0].name == "_type" {
		return nil, invalid("_filter", "%s cannot be used inside _filter", segs[0].name)
	}
	t, err := fp.pathType(typ, types, segs)
	if err != nil {
		return nil, err
	}
	key := segs[0].name
	if segs[0].typ != "" {
		key += ":" + segs[0].typ
	}
	for _, s := range segs[1:] {
		key += "." + s.name
		if s.typ != "" {
			key += ":" + s.typ
		}
	}
	last := segs[len(segs)-1].name
	bad := func() (*Filter, error) {
		return nil, invalid("_filter", "operator %s is not supported on %s (a %s parameter)", op, path, t)
	}
	esc := escapeFilterValue(value, t == TypeString || t == TypeSpecial)
	var mod, val, set string // set: ModEquals / ModEnds / PrefixOverlaps applied after parsing
	negate := false
	if op == "pr" {
		switch value {
		case "true":
			mod, val = "missing", "false"
		case "false":
			mod, val = "missing", "true"
		default:
			return nil, invalid("_filter", "%s pr takes true or false, not %q", path, value)
		}
	} else {
		switch {
		case last == "_text" || last == "_content":
			if op != "eq" && op != "co" && op != "sw" {
				return bad()
			}
			val = esc
		case last == "_id":
			switch op {
			case "eq":
			case "ne":
				mod = "not"
			default:
				return bad()
			}
			val = esc
		case last == "_list":
			if op != "eq" {
				return bad()
			}
			val = esc
		case t == TypeString:
			switch op {
			case "eq":
				set = ModEquals
			case "ne":
				set, negate = ModEquals, true
			case "co":
				mod = "contains"
			case "sw":
			case "ew":
				set = ModEnds
			default:
				return bad()
			}
			val = esc
		case t == TypeToken:
			switch op {
			case "eq":
			case "ne":
				mod = "not"
			case "in":
				mod = "in"
			case "ni":
				mod = "not-in"
			case "ss":
				mod = "above"
			case "sb":
				mod = "below"
			default:
				return bad()
			}
			val = esc
		case t == TypeReference:
			switch op {
			case "eq", "re":
			case "ne":
				negate = true
			default:
				return bad()
			}
			val = esc
		case t == TypeURI:
			switch op {
			case "eq":
			case "ne":
				negate = true
			case "sw", "sb":
				mod = "below"
			case "ss":
				mod = "above"
			default:
				return bad()
			}
			val = esc
		case t == TypeDate:
			switch op {
			case "eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap":
				val = op + esc
			case "po":
				val, set = esc, PrefixOverlaps
			default:
				return bad()
			}
		case t == TypeNumber || t == TypeQuantity:
			switch op {
			case "eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap":
				val = op + esc
			default:
				return bad()
			}
		case t == TypeComposite:
			if op != "eq" {
				return bad()
			}
			val = esc
		default:
			return bad()
		}
	}
	if mod != "" {
		key += ":" + mod
	}
	c, ok, err := fp.p.clause(typ, types, key, val, 0)
	if err != nil {
		// Name the comparison, not the URL form it was mapped to.
		return nil, invalid("_filter", "%s %s %s: %s", path, op, strconvQuote(value), trimParamPrefix(err))
	}
	if !ok {
		return nil, invalid("_filter", "unknown search parameter %s", path)
	}
	if set != "" {
		in := innermost(&c)
		switch set {
		case PrefixOverlaps:
			for i := range in.Values {
				in.Values[i].Prefix = PrefixOverlaps
			}
		default:
			in.Modifier = set
		}
	}
	f := &Filter{Clause: &c}
	if negate {
		f = &Filter{Op: "not", Children: []*Filter{f}}
	}
	return f, nil
}

// subFilter handles name[filter] at segs[i]: a reference parameter whose
// target must satisfy the inner filter and the rest of the path.
func (fp *filterParser) subFilter(typ string, types []string, segs []pathSeg, i int, op, value string, depth int) (*Filter, error) {
	if i > 0 {
		// a.b[f].c: chain a, then continue on its target.
		target, err := fp.chainTarget(typ, types, segs[0], segs[1].name)
		if err != nil {
			return nil, err
		}
		inner, err := fp.subFilter(target, nil, segs[1:], i-1, op, value, depth+1)
		if err != nil {
			return nil, err
		}
		return chainFilter(segs[0], target, inner), nil
	}
	s := segs[0]
	if len(segs) == 1 {
		return nil, invalid("_filter", "%s[…] must be followed by .parameter", s.name)
	}
	target, err := fp.chainTarget(typ, types, s, segs[1].name)
	if err != nil {
		return nil, err
	}
	sub := &filterParser{p: fp.p, toks: s.sub, leaves: fp.leaves}
	sf, err := sub.or(target, nil, depth+1)
	if err != nil {
		return nil, err
	}
	if sub.pos < len(sub.toks) {
		return nil, invalid("_filter", "unexpected %q inside %s[…]", sub.toks[sub.pos].text, s.name)
	}
	fp.leaves = sub.leaves
	rest, err := fp.leaf(target, nil, segs[1:], op, value, depth+1)
	if err != nil {
		return nil, err
	}
	return chainFilter(s, target, &Filter{Op: "and", Children: []*Filter{sf, rest}}), nil
}

func chainFilter(s pathSeg, target string, inner *Filter) *Filter {
	c := Clause{Param: s.name, Type: TypeReference, Modifier: s.typ,
		Chain: &Chained{TargetType: target, Clause: Clause{Param: "_filter", Type: TypeSpecial, Filter: inner}}}
	return &Filter{Clause: &c}
}

// chainTarget resolves the one target type of reference parameter s
// (its :Type, its only target, or the only target defining next), as a
// sub-filter needs.
func (fp *filterParser) chainTarget(typ string, types []string, s pathSeg, next string) (string, error) {
	targets, err := fp.chainTargets(typ, types, s, next)
	if err != nil {
		return "", err
	}
	if len(targets) != 1 {
		return "", invalid("_filter", "%s may refer to %s; name one as %s:Type", s.name, strings.Join(targets, ", "), s.name)
	}
	return targets[0], nil
}

// chainTargets lists the types reference parameter s may point to that
// define next (or its :Type).
func (fp *filterParser) chainTargets(typ string, types []string, s pathSeg, next string) ([]string, error) {
	sp, err := fp.p.lookup(typ, types, s.name)
	if err != nil {
		return nil, err
	}
	if sp == nil {
		return nil, invalid("_filter", "unknown search parameter %s", s.name)
	}
	if Type(sp.Type) != TypeReference {
		if s.sub != nil {
			return nil, invalid("_filter", "%s[…] needs a reference parameter; %s is %s (composite sub-filters are not supported)", s.name, s.name, sp.Type)
		}
		return nil, invalid("_filter", "only reference parameters can be chained, %s is %s", s.name, sp.Type)
	}
	if s.typ != "" {
		if !fp.p.m.IsResource(s.typ) || len(sp.Targets) > 0 && !contains(sp.Targets, s.typ) {
			return nil, invalid("_filter", "%s cannot refer to %s", s.name, s.typ)
		}
		return []string{s.typ}, nil
	}
	var targets []string
	for _, t := range sp.Targets {
		if next == "" || next == "_id" || next == "_lastUpdated" || fp.p.m.SearchParam(t, next) != nil {
			targets = append(targets, t)
		}
	}
	if len(targets) == 0 {
		return nil, invalid("_filter", "no type %s refers to has a parameter %s", s.name, next)
	}
	return targets, nil
}

// pathType is the type of the last parameter of a dotted path.
func (fp *filterParser) pathType(typ string, types []string, segs []pathSeg) (Type, error) {
	cur, curTypes := typ, types
	for i, s := range segs {
		if i == len(segs)-1 {
			switch s.name {
			case "_text", "_content", "_list":
				return TypeSpecial, nil
			}
			sp, err := fp.p.lookup(cur, curTypes, s.name)
			if err != nil {
				return "", err
			}
			if sp == nil {
				return "", invalid("_filter", "unknown search parameter %s", segsString(segs))
			}
			return Type(sp.Type), nil
		}
		// The chain parser checks that every target gives the parameter
		// the same type; the first target that defines it tells the type.
		targets, err := fp.chainTargets(cur, curTypes, s, segs[i+1].name)
		if err != nil {
			return "", err
		}
		cur, curTypes = targets[0], nil
	}
	return "", invalid("_filter", "empty parameter path")
}

// innermost follows a chain to the clause that holds the values.
func innermost(c *Clause) *Clause {
	for c.Chain != nil {
		c = &c.Chain.Clause
	}
	return c
}

// escapeFilterValue turns a literal filter value into the escaped URL form
// the value parsers expect: commas (and for strings | and $) are literal.
func escapeFilterValue(v string, literal bool) string {
	r := strings.NewReplacer(`\`, `\\`, `,`, `\,`)
	if literal {
		r = strings.NewReplacer(`\`, `\\`, `,`, `\,`, `|`, `\|`, `$`, `\$`)
	}
	return r.Replace(v)
}

func trimParamPrefix(err error) string {
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "search parameter ") {
		return rest
	}
	return msg
}

func strconvQuote(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}
