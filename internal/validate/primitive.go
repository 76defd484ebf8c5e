package validate

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Primitive formats: https://hl7.org/fhir/R4/datatypes.html#primitive and
// their JSON representation https://hl7.org/fhir/R4/json.html#primitive.

// jsonKind is the JSON type a primitive must be written as.
type jsonKind uint8

const (
	jsonString jsonKind = iota
	jsonNumber
	jsonBool
)

func (k jsonKind) String() string {
	switch k {
	case jsonNumber:
		return "a JSON number"
	case jsonBool:
		return "a JSON boolean"
	}
	return "a JSON string"
}

// primitive describes one FHIR primitive type.
type primitive struct {
	name string
	kind jsonKind
	re   *regexp.Regexp // the spec's value regex, anchored; nil when check does it all
	// check adds the rules a regex cannot state; it returns a reason or "".
	check func(string) string
}

// maxStringBytes is the spec's limit on a string's size (1 MB).
const maxStringBytes = 1024 * 1024

// The regexes are those of the R4 definitions (the regex extension of each
// primitive's value element), anchored.
func primitives() map[string]*primitive {
	const (
		year  = `([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)`
		month = `(0[1-9]|1[0-2])`
		day   = `(0[1-9]|[1-2][0-9]|3[0-1])`
		tm    = `([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\.[0-9]+)?`
		zone  = `(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))`
	)
	re := func(s string) *regexp.Regexp { return regexp.MustCompile(`^(?:` + s + `)$`) }
	str := func(name, pattern string, extra func(string) string) *primitive {
		p := &primitive{name: name, kind: jsonString, check: extra}
		if pattern != "" {
			p.re = re(pattern)
		}
		return p
	}
	list := []*primitive{
		{name: "boolean", kind: jsonBool},
		{name: "integer", kind: jsonNumber, re: re(`-?([0]|([1-9][0-9]*))`), check: intRange(math.MinInt32)},
		{name: "positiveInt", kind: jsonNumber, re: re(`[1-9][0-9]*`), check: intRange(1)},
		{name: "unsignedInt", kind: jsonNumber, re: re(`[0]|([1-9][0-9]*)`), check: intRange(0)},
		{name: "decimal", kind: jsonNumber, re: re(`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`)},
		str("string", "", checkString),
		str("markdown", "", checkString),
		str("xhtml", "", checkXHTML),
		// code, id and the uri family are checked by loops equivalent to
		// their regexes: they are the most frequent primitives, and the
		// loops are several times faster.
		str("code", "", checkCode),
		str("id", "", checkID),
		str("uri", "", checkURI),
		str("url", "", checkURI),
		str("canonical", "", checkURI),
		str("oid", `urn:oid:[0-2](\.(0|[1-9][0-9]*))+`, nil),
		str("uuid", `urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`, nil),
		str("base64Binary", "", checkBase64),
		str("date", year+`(-`+month+`(-`+day+`)?)?`, checkCalendar),
		str("dateTime", year+`(-`+month+`(-`+day+`(T`+tm+zone+`)?)?)?`, checkCalendar),
		str("instant", year+`-`+month+`-`+day+`T`+tm+zone, checkCalendar),
		str("time", tm, nil),
	}
	m := make(map[string]*primitive, len(list))
	for _, p := range list {
		m[p.name] = p
	}
	return m
}

// checkValue checks one JSON value against the primitive; it returns a
// reason, or "" when the value is valid.
func (p *primitive) checkValue(v any) string {
	var text string
	switch x := v.(type) {
	case string:
		if p.kind != jsonString {
			return "must be " + p.kind.String() + ", not a string"
		}
		if x == "" {
			return "must not be empty (a primitive has a value or is absent)"
		}
		text = x
	case json.Number:
		if p.kind != jsonNumber {
			return "must be " + p.kind.String() + ", not a number"
		}
		text = string(x)
	case float64: // decoded without UseNumber
		if p.kind != jsonNumber {
			return "must be " + p.kind.String() + ", not a number"
		}
		text = strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		if p.kind != jsonBool {
			return "must be " + p.kind.String() + ", not a boolean"
		}
		return ""
	case map[string]any:
		return "must be " + p.kind.String() + ", not an object"
	case []any:
		return "must be " + p.kind.String() + ", not an array"
	default:
		return "must be " + p.kind.String()
	}
	if p.re != nil && !p.re.MatchString(text) {
		return "is not a valid " + p.name + " (" + quote(text) + ")"
	}
	if p.check != nil {
		if why := p.check(text); why != "" {
			return why
		}
	}
	return ""
}

func quote(s string) string {
	if len(s) > 80 {
		s = s[:77] + "..."
	}
	return strconv.Quote(s)
}

func checkString(s string) string {
	if len(s) > maxStringBytes {
		return "is longer than 1 MB"
	}
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 && c != '\t' && c != '\r' && c != '\n' {
			return "contains control character " + strconv.QuoteRune(rune(c))
		}
	}
	if strings.TrimSpace(s) == "" {
		return "must not be only whitespace"
	}
	return ""
}

// isSpace is \s of the spec's regexes (RE2: [\t\n\f\r ]).
func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

// checkCode is the regex [^\s]+(\s[^\s]+)*: no leading, trailing or
// doubled whitespace.
func checkCode(s string) string {
	if isSpace(s[0]) || isSpace(s[len(s)-1]) {
		return "is not a valid code (" + quote(s) + " has leading or trailing whitespace)"
	}
	for i := 1; i < len(s); i++ {
		if isSpace(s[i]) && isSpace(s[i-1]) {
			return "is not a valid code (" + quote(s) + " has consecutive whitespace)"
		}
	}
	return checkString(s)
}

// checkID is the regex [A-Za-z0-9\-\.]{1,64}.
func checkID(s string) string {
	if len(s) > 64 {
		return "is not a valid id (" + quote(s) + " is longer than 64 characters)"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return "is not a valid id (" + quote(s) + ")"
		}
	}
	return ""
}

// checkURI is the regex \S* (no whitespace) plus the string rules.
func checkURI(s string) string {
	for i := 0; i < len(s); i++ {
		if isSpace(s[i]) {
			return "is not a valid uri (" + quote(s) + " contains whitespace)"
		}
	}
	return checkString(s)
}

func intRange(lo int64) func(string) string {
	return func(s string) string {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n > math.MaxInt32 {
			return "is out of range for a 32-bit integer"
		}
		if n < lo {
			return "must be at least " + strconv.FormatInt(lo, 10)
		}
		return ""
	}
}

// checkBase64 accepts standard base64 with padding, ignoring whitespace as
// the spec's regex does.
func checkBase64(s string) string {
	clean := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	if _, err := base64.StdEncoding.DecodeString(clean); err != nil {
		return "is not valid base64"
	}
	return ""
}

// checkCalendar rejects dates the regexes let through because they do not
// count days per month (2023-02-30).
func checkCalendar(s string) string {
	if len(s) < 10 {
		return ""
	}
	y, _ := strconv.Atoi(s[0:4])
	m, _ := strconv.Atoi(s[5:7])
	d, _ := strconv.Atoi(s[8:10])
	if d > daysIn(y, m) {
		return "is not a valid date (" + quote(s[:10]) + " does not exist)"
	}
	return ""
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// checkXHTML checks the outer shape of narrative: a single <div> element
// (https://hl7.org/fhir/R4/narrative.html#xhtml); a full XHTML check is out
// of scope.
func checkXHTML(s string) string {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "<div") || !strings.HasSuffix(t, "</div>") && !strings.HasSuffix(t, "/>") {
		return "narrative must be a single XHTML <div> element"
	}
	if len(t) > 4 && t[4] != ' ' && t[4] != '>' && t[4] != '/' && t[4] != '\n' && t[4] != '\t' && t[4] != '\r' {
		return "narrative must be a single XHTML <div> element"
	}
	return ""
}
