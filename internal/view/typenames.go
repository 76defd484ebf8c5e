package view

import "strings"

// View definitions in the wild (and the SQL-on-FHIR test suite) name FHIR
// primitive types the way FHIRPath names System types:
// value.ofType(DateTime), effective.ofType(Instant), value.ofType(Time).
// Strict FHIRPath finds nothing there, since a FHIR dateTime element is
// not a System.DateTime and there is no type Instant at all. Before
// parsing, the view therefore rewrites the type argument of ofType(), is()
// and as() when it is such a capitalised primitive name:
//
//   - a System type name matches both the System value and the FHIR
//     primitive: ofType(DateTime) becomes
//     select(ofType(System.DateTime) | ofType(FHIR.dateTime)), evaluated
//     per item so that duplicates are kept;
//   - a name that only FHIR has becomes the FHIR type: ofType(Instant)
//     becomes ofType(FHIR.instant).
//
// Qualified names (System.X, FHIR.x) and every other name are left alone.

// systemPrimitives maps System type names to the FHIR primitive of the
// same name.
var systemPrimitives = map[string]string{
	"Boolean":  "boolean",
	"String":   "string",
	"Integer":  "integer",
	"Decimal":  "decimal",
	"Date":     "date",
	"DateTime": "dateTime",
	"Time":     "time",
}

// fhirOnlyPrimitives maps capitalised FHIR primitive names that are not
// System types to the FHIR type.
var fhirOnlyPrimitives = map[string]string{
	"Instant":      "instant",
	"Uri":          "uri",
	"Url":          "url",
	"Canonical":    "canonical",
	"Code":         "code",
	"Id":           "id",
	"Oid":          "oid",
	"Uuid":         "uuid",
	"Markdown":     "markdown",
	"Base64Binary": "base64Binary",
	"PositiveInt":  "positiveInt",
	"UnsignedInt":  "unsignedInt",
	"Integer64":    "integer64",
}

// normalizeTypeNames applies the rewrite above to an expression's source.
func normalizeTypeNames(src string) string {
	if !strings.Contains(src, "ofType") && !strings.Contains(src, "is") && !strings.Contains(src, "as") {
		return src
	}
	var b strings.Builder
	last := 0
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case c == '\'' || c == '`':
			i = skipQuoted(src, i)
		case c == '/' && i+1 < len(src) && (src[i+1] == '/' || src[i+1] == '*'):
			if src[i+1] == '/' {
				for i < len(src) && src[i] != '\n' {
					i++
				}
			} else if end := indexFrom(src, i+2, "*/"); end >= 0 {
				i = end + 1
			} else {
				i = len(src)
			}
		case isIdentChar(c, true):
			j := i
			for j < len(src) && isIdentChar(src[j], false) {
				j++
			}
			word := src[i:j]
			if (i == 0 || src[i-1] == '.') && (word == "ofType" || word == "is" || word == "as") {
				if start, end, name, ok := typeArgument(src, j); ok {
					if repl, ok := rewriteTypeCall(word, name); ok {
						b.WriteString(src[last:i])
						b.WriteString(repl)
						last = end
						j = end
						_ = start
					}
				}
			}
			i = j - 1
		}
	}
	if last == 0 {
		return src
	}
	b.WriteString(src[last:])
	return b.String()
}

// typeArgument reads "( Name )" starting at i, returning the span end
// (after the closing parenthesis) and the bare name.
func typeArgument(src string, i int) (start, end int, name string, ok bool) {
	i = skipSpace(src, i)
	if i >= len(src) || src[i] != '(' {
		return 0, 0, "", false
	}
	i = skipSpace(src, i+1)
	start = i
	for i < len(src) && isIdentChar(src[i], i == start) {
		i++
	}
	name = src[start:i]
	i = skipSpace(src, i)
	if name == "" || i >= len(src) || src[i] != ')' {
		return 0, 0, "", false
	}
	return start, i + 1, name, true
}

func skipSpace(src string, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\n' || src[i] == '\r') {
		i++
	}
	return i
}

func rewriteTypeCall(fn, name string) (string, bool) {
	if f, ok := fhirOnlyPrimitives[name]; ok {
		return fn + "(FHIR." + f + ")", true
	}
	f, ok := systemPrimitives[name]
	if !ok {
		return "", false
	}
	switch fn {
	case "is":
		return "select(is(System." + name + ") or is(FHIR." + f + "))", true
	default: // ofType, as
		return "select(" + fn + "(System." + name + ") | " + fn + "(FHIR." + f + "))", true
	}
}
