package ucum

import (
	"fmt"
	"strconv"
	"strings"
)

// parse converts a UCUM unit expression (case-sensitive "c/s" syntax) to
// canonical form. Grammar (ucum.html §2.1):
//
//	term      = ["/"] component { ("." | "/") component }
//	component = annotatable [annotation] | annotation | factor | "(" term ")"
//	annotatable = simple-unit [exponent]
func (t *table) parse(expr string, depth int) (dims, error) {
	p := parser{t: t, s: expr, depth: depth}
	d, err := p.term()
	if err != nil {
		return dims{}, err
	}
	if p.i != len(p.s) {
		return dims{}, fmt.Errorf("%w: unexpected %q at %d in %q", ErrSyntax, p.s[p.i:], p.i, expr)
	}
	return d, nil
}

type parser struct {
	t     *table
	s     string
	i     int
	depth int
}

func (p *parser) term() (dims, error) {
	acc := one()
	sign := 1
	if p.i < len(p.s) && p.s[p.i] == '/' {
		sign = -1
		p.i++
	}
	for {
		c, err := p.component()
		if err != nil {
			return dims{}, err
		}
		acc = acc.mul(c, sign)
		if p.i >= len(p.s) {
			return acc, nil
		}
		switch p.s[p.i] {
		case '.':
			sign = 1
		case '/':
			sign = -1
		default:
			return acc, nil // ")" or garbage, judged by the caller
		}
		p.i++
	}
}

func (p *parser) component() (dims, error) {
	if p.i >= len(p.s) {
		return dims{}, fmt.Errorf("%w: missing unit at end of %q", ErrSyntax, p.s)
	}
	switch p.s[p.i] {
	case '(':
		p.i++
		d, err := p.term()
		if err != nil {
			return dims{}, err
		}
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return dims{}, fmt.Errorf("%w: missing ')' in %q", ErrSyntax, p.s)
		}
		p.i++
		if err := p.skipAnnotation(); err != nil {
			return dims{}, err
		}
		return d, nil
	case '{':
		if err := p.skipAnnotation(); err != nil {
			return dims{}, err
		}
		return one(), nil
	}
	// A symbol runs to the next operator or annotation; brackets may
	// contain operator characters ([in_i], [ft_us]), so skip them whole.
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == '[' {
			end := strings.IndexByte(p.s[p.i:], ']')
			if end < 0 {
				return dims{}, fmt.Errorf("%w: unclosed '[' in %q", ErrSyntax, p.s)
			}
			p.i += end + 1
			continue
		}
		if c == '.' || c == '/' || c == '(' || c == ')' || c == '{' {
			break
		}
		p.i++
	}
	sym := p.s[start:p.i]
	if sym == "" {
		return dims{}, fmt.Errorf("%w: empty unit at %d in %q", ErrSyntax, start, p.s)
	}
	d, err := p.symbol(sym)
	if err != nil {
		return dims{}, err
	}
	if err := p.skipAnnotation(); err != nil {
		return dims{}, err
	}
	return d, nil
}

func (p *parser) skipAnnotation() error {
	if p.i < len(p.s) && p.s[p.i] == '{' {
		end := strings.IndexByte(p.s[p.i:], '}')
		if end < 0 {
			return fmt.Errorf("%w: unclosed '{' in %q", ErrSyntax, p.s)
		}
		p.i += end + 1
	}
	return nil
}

// symbol resolves a factor ("1000"), or a prefixed atom with an optional
// integer exponent ("mm2", "10*3", "s-1").
func (p *parser) symbol(sym string) (dims, error) {
	if isDigits(sym) {
		f, err := strconv.ParseFloat(sym, 64)
		if err != nil {
			return dims{}, fmt.Errorf("%w: factor %q", ErrSyntax, sym)
		}
		return one().scale(f), nil
	}
	if d, ok := p.unit(sym); ok {
		return d, nil
	}
	// Split a trailing exponent: the longest run of digits, with an
	// optional sign, that leaves a resolvable unit in front.
	j := len(sym)
	for j > 0 && sym[j-1] >= '0' && sym[j-1] <= '9' {
		j--
	}
	if j < len(sym) {
		k := j
		if k > 0 && (sym[k-1] == '-' || sym[k-1] == '+') {
			k--
		}
		if k > 0 {
			n, err := strconv.Atoi(sym[k:])
			if err == nil && (n > maxExponent || n < -maxExponent) {
				return dims{}, fmt.Errorf("%w: exponent %s out of range", ErrSyntax, sym[k:])
			}
			if err == nil {
				if d, ok := p.unit(sym[:k]); ok {
					return d.pow(n), nil
				}
			}
		}
	}
	return dims{}, fmt.Errorf("%w: %q", ErrUnknownUnit, sym)
}

// unit resolves an atom, with or without a prefix.
func (p *parser) unit(sym string) (dims, bool) {
	if d, ok := p.atom(sym); ok {
		return d, true
	}
	for n := 1; n <= p.t.maxPrefix && n < len(sym); n++ {
		f, ok := p.t.prefixes[sym[:n]]
		if !ok {
			continue
		}
		code := sym[n:]
		if a, ok := p.t.atoms[code]; ok && !a.metric {
			continue
		}
		if d, ok := p.atom(code); ok {
			return d.scale(f), true
		}
	}
	return dims{}, false
}

func (p *parser) atom(code string) (dims, bool) {
	if p.t.base[code] {
		return p.t.resolved[code], true
	}
	if _, ok := p.t.atoms[code]; !ok {
		return dims{}, false
	}
	d, err := p.t.resolveAtom(code, p.depth+1)
	if err != nil {
		return dims{}, false
	}
	return d, true
}

// maxExponent bounds unit exponents; real units never go past a few, and
// the bound keeps hostile input from costing time.
const maxExponent = 64

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
