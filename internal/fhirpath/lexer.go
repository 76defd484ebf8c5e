package fhirpath

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// tokenKind classifies lexical tokens of the FHIRPath grammar
// (https://hl7.org/fhirpath/N1/grammar.html).
type tokenKind int

const (
	tokEOF tokenKind = iota
	tokIdent
	tokDelimIdent // `quoted identifier`
	tokString
	tokNumber
	tokDateTime // @2015-02-04T14:34:28
	tokTime     // @T14:34
	tokConst    // %name or %`name` or %'name'
	tokDollar   // $this, $index, $total
	tokOp       // punctuation and symbolic operators
)

type token struct {
	kind tokenKind
	text string // identifier name, unescaped string, operator symbol, literal text
	pos  int    // byte offset in the expression
}

// SyntaxError reports an invalid expression with the byte offset at which
// the problem was found.
type SyntaxError struct {
	Pos int
	Msg string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("fhirpath: syntax error at offset %d: %s", e.Pos, e.Msg)
}

func errAt(pos int, format string, args ...any) error {
	return &SyntaxError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// lex splits src into tokens; comments and whitespace are dropped.
func lex(src string) ([]token, error) {
	var toks []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			i++
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			for i < len(src) && src[i] != '\n' {
				i++
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return nil, errAt(i, "unterminated comment")
			}
			i += end + 4
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			toks = append(toks, token{kind: tokIdent, text: src[i:j], pos: i})
			i = j
		case c >= '0' && c <= '9':
			j := i + 1
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			// A '.' belongs to the number only when digits follow: 1.round()
			if j+1 < len(src) && src[j] == '.' && isDigit(src[j+1]) {
				j += 2
				for j < len(src) && isDigit(src[j]) {
					j++
				}
			}
			toks = append(toks, token{kind: tokNumber, text: src[i:j], pos: i})
			i = j
		case c == '\'' || c == '`':
			s, n, err := lexQuoted(src, i)
			if err != nil {
				return nil, err
			}
			kind := tokString
			if c == '`' {
				kind = tokDelimIdent
			}
			toks = append(toks, token{kind: kind, text: s, pos: i})
			i += n
		case c == '@':
			t, n, err := lexDateTime(src, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i += n
		case c == '%':
			if i+1 >= len(src) {
				return nil, errAt(i, "missing constant name after %%")
			}
			d := src[i+1]
			switch {
			case d == '`' || d == '\'':
				s, n, err := lexQuoted(src, i+1)
				if err != nil {
					return nil, err
				}
				toks = append(toks, token{kind: tokConst, text: s, pos: i})
				i += 1 + n
			case isIdentStart(d):
				j := i + 2
				for j < len(src) && isIdentPart(src[j]) {
					j++
				}
				toks = append(toks, token{kind: tokConst, text: src[i+1 : j], pos: i})
				i = j
			default:
				return nil, errAt(i, "invalid constant name after %%")
			}
		case c == '$':
			j := i + 1
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			name := src[i:j]
			if name != "$this" && name != "$index" && name != "$total" {
				return nil, errAt(i, "unknown special variable %q", name)
			}
			toks = append(toks, token{kind: tokDollar, text: name, pos: i})
			i = j
		default:
			op, ok := lexOp(src, i)
			if !ok {
				r, _ := utf8.DecodeRuneInString(src[i:])
				return nil, errAt(i, "unexpected character %q", r)
			}
			toks = append(toks, token{kind: tokOp, text: op, pos: i})
			i += len(op)
		}
	}
	toks = append(toks, token{kind: tokEOF, pos: len(src)})
	return toks, nil
}

func lexOp(src string, i int) (string, bool) {
	if i+1 < len(src) {
		switch src[i : i+2] {
		case "<=", ">=", "!=", "!~":
			return src[i : i+2], true
		}
	}
	switch src[i] {
	case '.', '[', ']', '(', ')', '{', '}', ',', '+', '-', '*', '/', '&', '|', '<', '>', '=', '~':
		return src[i : i+1], true
	}
	return "", false
}

func isIdentStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isIdentPart(c byte) bool { return isIdentStart(c) || isDigit(c) }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// lexQuoted reads a '...' string or `...` identifier starting at src[i] and
// returns the unescaped text and the number of bytes consumed.
func lexQuoted(src string, i int) (string, int, error) {
	q := src[i]
	var b strings.Builder
	j := i + 1
	for j < len(src) {
		c := src[j]
		if c == q {
			return b.String(), j + 1 - i, nil
		}
		if c != '\\' {
			b.WriteByte(c)
			j++
			continue
		}
		if j+1 >= len(src) {
			break
		}
		e := src[j+1]
		j += 2
		switch e {
		case '\'', '"', '`', '\\', '/':
			b.WriteByte(e)
		case 'f':
			b.WriteByte('\f')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'u':
			if j+4 > len(src) {
				return "", 0, errAt(j-2, "truncated unicode escape")
			}
			n, err := strconv.ParseUint(src[j:j+4], 16, 32)
			if err != nil {
				return "", 0, errAt(j-2, "invalid unicode escape %q", src[j-2:j+4])
			}
			b.WriteRune(rune(n))
			j += 4
		default:
			return "", 0, errAt(j-2, "invalid escape \\%c", e)
		}
	}
	return "", 0, errAt(i, "unterminated %c-quoted text", q)
}

// lexDateTime reads a date, dateTime or time literal starting with '@'.
func lexDateTime(src string, i int) (token, int, error) {
	j := i + 1
	digits := func(n int) bool {
		if j+n > len(src) {
			return false
		}
		for k := 0; k < n; k++ {
			if !isDigit(src[j+k]) {
				return false
			}
		}
		j += n
		return true
	}
	timePart := func() {
		// HH(:mm(:ss(.fff)?)?)?
		if !digits(2) {
			return
		}
		if j < len(src) && src[j] == ':' {
			j++
			if !digits(2) {
				j--
				return
			}
			if j < len(src) && src[j] == ':' {
				j++
				if !digits(2) {
					j--
					return
				}
				if j+1 < len(src) && src[j] == '.' && isDigit(src[j+1]) {
					j++
					for j < len(src) && isDigit(src[j]) {
						j++
					}
				}
			}
		}
	}
	tz := func() {
		if j < len(src) && src[j] == 'Z' {
			j++
			return
		}
		if j+5 < len(src)+0 && (src[j] == '+' || src[j] == '-') && j+6 <= len(src) &&
			isDigit(src[j+1]) && isDigit(src[j+2]) && src[j+3] == ':' && isDigit(src[j+4]) && isDigit(src[j+5]) {
			j += 6
		}
	}
	if j < len(src) && src[j] == 'T' {
		j++
		start := j
		timePart()
		if j == start {
			return token{}, 0, errAt(i, "invalid time literal")
		}
		tz() // a timezone on a time is invalid; the value parser reports it
		return token{kind: tokTime, text: src[i+1 : j], pos: i}, j - i, nil
	}
	if !digits(4) {
		return token{}, 0, errAt(i, "invalid date literal")
	}
	if j < len(src) && src[j] == '-' {
		j++
		if !digits(2) {
			return token{}, 0, errAt(i, "invalid date literal")
		}
		if j < len(src) && src[j] == '-' {
			j++
			if !digits(2) {
				return token{}, 0, errAt(i, "invalid date literal")
			}
		}
	}
	if j < len(src) && src[j] == 'T' {
		j++
		timePart()
		tz()
	}
	return token{kind: tokDateTime, text: src[i+1 : j], pos: i}, j - i, nil
}
