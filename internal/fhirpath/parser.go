package fhirpath

import (
	"strconv"
	"strings"
)

// Expression is a parsed FHIRPath expression. It is immutable and safe for
// concurrent evaluation.
type Expression struct {
	src  string
	root expr
}

// Parse parses a FHIRPath expression. Syntax errors are *SyntaxError values
// naming the byte offset; unknown functions and wrong argument counts are
// reported here too, so an expression that parses can be evaluated.
func Parse(src string) (*Expression, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	root, err := p.parseExpr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		return nil, errAt(t.pos, "unexpected %q", t.text)
	}
	shareLiterals(root)
	return &Expression{src: src, root: root}, nil
}

// MustParse is Parse for expressions known to be valid (constants in
// code); it panics on error.
func MustParse(src string) *Expression {
	e, err := Parse(src)
	if err != nil {
		panic(err)
	}
	return e
}

// String returns the expression in canonical form (fully parenthesised
// where precedence is implicit is not needed: operators keep their
// original grouping).
func (e *Expression) String() string { return e.root.String() }

// Source returns the text the expression was parsed from.
func (e *Expression) Source() string { return e.src }

type parser struct {
	toks []token
	i    int
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *parser) isOp(s string) bool {
	t := p.peek()
	return t.kind == tokOp && t.text == s
}

func (p *parser) expectOp(s string) error {
	t := p.next()
	if t.kind != tokOp || t.text != s {
		if t.kind == tokEOF {
			return errAt(t.pos, "expected %q, found end of expression", s)
		}
		return errAt(t.pos, "expected %q, found %q", s, t.text)
	}
	return nil
}

// Binding powers, loosest first (https://hl7.org/fhirpath/N1/#operator-precedence).
func infixPrec(t token) int {
	switch t.kind {
	case tokOp:
		switch t.text {
		case "*", "/":
			return 10
		case "+", "-", "&":
			return 9
		case "|":
			return 7
		case "<", ">", "<=", ">=":
			return 6
		case "=", "~", "!=", "!~":
			return 5
		}
	case tokIdent:
		switch t.text {
		case "div", "mod":
			return 10
		case "is", "as":
			return 8
		case "in", "contains":
			return 4
		case "and":
			return 3
		case "or", "xor":
			return 2
		case "implies":
			return 1
		}
	}
	return -1
}

const maxDepth = 200

func (p *parser) parseExpr(minPrec int) (expr, error) {
	return p.parseExprDepth(minPrec, 0)
}

func (p *parser) parseExprDepth(minPrec, depth int) (expr, error) {
	if depth > maxDepth {
		return nil, errAt(p.peek().pos, "expression nested too deeply")
	}
	left, err := p.parseUnary(depth + 1)
	if err != nil {
		return nil, err
	}
	for {
		t := p.peek()
		prec := infixPrec(t)
		if prec < 0 || prec < minPrec {
			return left, nil
		}
		p.next()
		if t.text == "is" || t.text == "as" {
			ts, err := p.parseTypeSpec()
			if err != nil {
				return nil, err
			}
			left = &typeOpExpr{op: t.text, left: left, ts: ts}
			continue
		}
		right, err := p.parseExprDepth(prec+1, depth+1)
		if err != nil {
			return nil, err
		}
		left = newBinary(t.text, left, right)
	}
}

func (p *parser) parseTypeSpec() (typeSpec, error) {
	t := p.next()
	if t.kind != tokIdent && t.kind != tokDelimIdent {
		return typeSpec{}, errAt(t.pos, "expected a type name")
	}
	name := t.text
	if name == "" {
		return typeSpec{}, errAt(t.pos, "empty type name")
	}
	if p.isOp(".") {
		p.next()
		t2 := p.next()
		if t2.kind != tokIdent && t2.kind != tokDelimIdent {
			return typeSpec{}, errAt(t2.pos, "expected a type name after %q", name+".")
		}
		return typeSpec{ns: name, name: t2.text}, nil
	}
	return typeSpec{name: name}, nil
}

func (p *parser) parseUnary(depth int) (expr, error) {
	if depth > maxDepth {
		return nil, errAt(p.peek().pos, "expression nested too deeply")
	}
	if p.isOp("+") || p.isOp("-") {
		op := p.next().text
		operand, err := p.parseUnary(depth + 1)
		if err != nil {
			return nil, err
		}
		return &unaryExpr{op: op, operand: operand}, nil
	}
	return p.parsePostfix(depth)
}

func (p *parser) parsePostfix(depth int) (expr, error) {
	left, err := p.parseTerm(depth)
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.isOp("."):
			p.next()
			inv, err := p.parseInvocation(depth, false)
			if err != nil {
				return nil, err
			}
			left = &dotExpr{left: left, right: inv}
		case p.isOp("["):
			p.next()
			idx, err := p.parseExprDepth(0, depth+1)
			if err != nil {
				return nil, err
			}
			if err := p.expectOp("]"); err != nil {
				return nil, err
			}
			left = &indexExpr{left: left, index: idx}
		default:
			return left, nil
		}
	}
}

var operatorWords = map[string]bool{
	"and": true, "or": true, "xor": true, "implies": true, "div": true, "mod": true,
	"is": true, "as": true, "in": true, "contains": true,
}

func (p *parser) parseTerm(depth int) (expr, error) {
	t := p.peek()
	switch t.kind {
	case tokEOF:
		return nil, errAt(t.pos, "unexpected end of expression")
	case tokNumber:
		p.next()
		return p.parseNumber(t)
	case tokString:
		p.next()
		return &literalExpr{val: String(t.text), text: quoteString(t.text)}, nil
	case tokDateTime:
		p.next()
		kind := kindDateTime
		if !strings.Contains(t.text, "T") {
			kind = kindDate
		}
		v, err := parseTemporal(t.text, kind)
		if err != nil {
			return nil, errAt(t.pos, "%v", err)
		}
		return &literalExpr{val: v, text: "@" + t.text}, nil
	case tokTime:
		p.next()
		v, err := parseTemporal(t.text[1:], kindTime)
		if err != nil {
			return nil, errAt(t.pos, "%v", err)
		}
		return &literalExpr{val: v, text: "@" + t.text}, nil
	case tokConst:
		p.next()
		return &constExpr{name: t.text}, nil
	case tokDollar:
		p.next()
		return &varExpr{name: t.text}, nil
	case tokOp:
		switch t.text {
		case "(":
			p.next()
			inner, err := p.parseExprDepth(0, depth+1)
			if err != nil {
				return nil, err
			}
			if err := p.expectOp(")"); err != nil {
				return nil, err
			}
			return &parenExpr{inner: inner}, nil
		case "{":
			p.next()
			if err := p.expectOp("}"); err != nil {
				return nil, err
			}
			return &emptyExpr{}, nil
		}
		return nil, errAt(t.pos, "unexpected %q", t.text)
	case tokIdent:
		switch t.text {
		case "true", "false":
			p.next()
			return &literalExpr{val: Boolean(t.text == "true"), text: t.text}, nil
		}
		// contains, in, is and as are also names (ValueSet.expansion.contains).
		nameWord := t.text == "contains" || t.text == "in" || t.text == "is" || t.text == "as"
		if operatorWords[t.text] && !nameWord && !(p.toks[p.i+1].kind == tokOp && p.toks[p.i+1].text == "(") {
			return nil, errAt(t.pos, "unexpected operator %q", t.text)
		}
		return p.parseInvocation(depth, true)
	case tokDelimIdent:
		return p.parseInvocation(depth, true)
	}
	return nil, errAt(t.pos, "unexpected %q", t.text)
}

func (p *parser) parseNumber(t token) (expr, error) {
	var val Value
	if strings.Contains(t.text, ".") {
		d, err := parseDecimal(t.text)
		if err != nil {
			return nil, errAt(t.pos, "%v", err)
		}
		val = d
	} else {
		n, err := strconv.ParseInt(t.text, 10, 64)
		if err != nil {
			d, derr := parseDecimal(t.text)
			if derr != nil {
				return nil, errAt(t.pos, "invalid number %q", t.text)
			}
			val = d
		} else {
			val = Integer(n)
		}
	}
	// A number followed by a unit is a quantity literal: 4 'mg', 7 days.
	nt := p.peek()
	if nt.kind == tokString {
		p.next()
		return &literalExpr{val: &Quantity{Value: toDecimal(val), Unit: nt.text}, text: t.text + " " + quoteString(nt.text)}, nil
	}
	if nt.kind == tokIdent {
		if _, ok := calendarUnit(nt.text); ok {
			p.next()
			return &literalExpr{val: &Quantity{Value: toDecimal(val), Unit: nt.text}, text: t.text + " " + nt.text}, nil
		}
	}
	return &literalExpr{val: val, text: t.text}, nil
}

func toDecimal(v Value) Decimal {
	switch x := v.(type) {
	case Decimal:
		return x
	case Integer:
		return decimalFromInt(int64(x))
	}
	return decimalFromInt(0)
}

// parseInvocation reads an identifier or function call; after '.', any
// identifier (including operator words such as contains) is a name.
func (p *parser) parseInvocation(depth int, first bool) (expr, error) {
	t := p.next()
	switch t.kind {
	case tokIdent, tokDelimIdent:
	case tokDollar:
		return &varExpr{name: t.text}, nil
	default:
		if t.kind == tokEOF {
			return nil, errAt(t.pos, "expected a name, found end of expression")
		}
		return nil, errAt(t.pos, "expected a name, found %q", t.text)
	}
	if t.text == "" {
		return nil, errAt(t.pos, "empty name")
	}
	if t.kind == tokIdent && p.isOp("(") {
		p.next()
		var args []expr
		if !p.isOp(")") {
			for {
				a, err := p.parseExprDepth(0, depth+1)
				if err != nil {
					return nil, err
				}
				args = append(args, a)
				if p.isOp(",") {
					p.next()
					continue
				}
				break
			}
		}
		if err := p.expectOp(")"); err != nil {
			return nil, err
		}
		return newFuncExpr(t, args)
	}
	return &memberExpr{name: t.text, extName: "_" + t.text, first: first, delimited: t.kind == tokDelimIdent}, nil
}

func newFuncExpr(t token, args []expr) (expr, error) {
	def, ok := functions[t.text]
	if !ok {
		return nil, errAt(t.pos, "unknown function %s()", t.text)
	}
	if len(args) < def.minArgs || (def.maxArgs >= 0 && len(args) > def.maxArgs) {
		return nil, errAt(t.pos, "%s() takes %s, got %d", t.text, arity(def), len(args))
	}
	f := &funcExpr{name: t.text, args: args, def: def}
	if def.typeArg && len(args) > 0 {
		ts, ok := typeSpecOf(args[0])
		if !ok {
			return nil, errAt(t.pos, "%s() needs a type name argument", t.text)
		}
		f.ts = ts
	}
	return f, nil
}

func arity(d funcDef) string {
	switch {
	case d.maxArgs < 0:
		return "at least " + strconv.Itoa(d.minArgs) + " arguments"
	case d.minArgs == d.maxArgs:
		return strconv.Itoa(d.minArgs) + " arguments"
	}
	return strconv.Itoa(d.minArgs) + " to " + strconv.Itoa(d.maxArgs) + " arguments"
}

// typeSpecOf reads a type specifier written as a function argument:
// Quantity, FHIR.Patient, System.`String`.
func typeSpecOf(e expr) (typeSpec, bool) {
	switch x := e.(type) {
	case *memberExpr:
		return typeSpec{name: x.name}, true
	case *dotExpr:
		l, ok1 := x.left.(*memberExpr)
		r, ok2 := x.right.(*memberExpr)
		if ok1 && ok2 {
			return typeSpec{ns: l.name, name: r.name}, true
		}
	case *literalExpr:
		if s, ok := x.val.(String); ok {
			return typeSpec{name: string(s)}, true
		}
	}
	return typeSpec{}, false
}

func quoteString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch r {
		case '\'':
			b.WriteString(`\'`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\f':
			b.WriteString(`\f`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// shareLiterals precomputes the one-item collection of every literal so
// evaluation does not allocate it each time.
func shareLiterals(e expr) {
	switch x := e.(type) {
	case *literalExpr:
		x.coll = Collection{x.val}
	case *parenExpr:
		shareLiterals(x.inner)
	case *funcExpr:
		for _, a := range x.args {
			shareLiterals(a)
		}
	case *dotExpr:
		shareLiterals(x.left)
		shareLiterals(x.right)
	case *indexExpr:
		shareLiterals(x.left)
		shareLiterals(x.index)
	case *unaryExpr:
		shareLiterals(x.operand)
	case *binaryExpr:
		shareLiterals(x.left)
		shareLiterals(x.right)
	case *typeOpExpr:
		shareLiterals(x.left)
	}
}
