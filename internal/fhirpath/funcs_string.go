package fhirpath

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"html"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// String functions: https://hl7.org/fhirpath/N1/#string-manipulation

// inputString reads the single string the function is called on; ok is
// false for an empty input (result: empty).
func inputString(focus Collection, f *funcExpr) (string, bool, error) {
	if len(focus) == 0 {
		return "", false, nil
	}
	if len(focus) > 1 {
		return "", false, evalErr("%s() on %d items", f.name, len(focus))
	}
	x, has := system(focus[0])
	if !has {
		return "", false, nil
	}
	s, ok := x.(String)
	if !ok {
		return "", false, evalErr("%s() needs a string input, got %s", f.name, focus[0].TypeName())
	}
	return string(s), true, nil
}

// stringArg evaluates argument i to a string; ok is false when empty.
func stringArg(c *evalCtx, f *funcExpr, i int) (string, bool, error) {
	a, err := c.arg(f, i)
	if err != nil || len(a) == 0 {
		return "", false, err
	}
	s, ok := singleString(a)
	if !ok {
		return "", false, evalErr("%s() argument %d must be a single string", f.name, i+1)
	}
	return s, true, nil
}

func stringPredicate(pred func(s, arg string) bool) func(*evalCtx, Collection, *funcExpr) (Collection, error) {
	return func(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
		s, ok, err := inputString(focus, f)
		if err != nil || !ok {
			return nil, err
		}
		a, ok, err := stringArg(c, f, 0)
		if err != nil || !ok {
			return nil, err
		}
		return boolColl(pred(s, a)), nil
	}
}

func containsString(s, a string) bool { return strings.Contains(s, a) }

func stringMap(fn func(string) string) func(*evalCtx, Collection, *funcExpr) (Collection, error) {
	return func(_ *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
		s, ok, err := inputString(focus, f)
		if err != nil || !ok {
			return nil, err
		}
		return Collection{String(fn(s))}, nil
	}
}

func upper(s string) string { return strings.ToUpper(s) }
func lower(s string) string { return strings.ToLower(s) }
func trim(s string) string  { return strings.TrimSpace(s) }

func fnIndexOf(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	s, ok, err := inputString(focus, f)
	if err != nil || !ok {
		return nil, err
	}
	a, ok, err := stringArg(c, f, 0)
	if err != nil || !ok {
		return nil, err
	}
	i := strings.Index(s, a)
	if i > 0 {
		i = utf8.RuneCountInString(s[:i])
	}
	return Collection{Integer(i)}, nil
}

func fnSubstring(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	s, ok, err := inputString(focus, f)
	if err != nil || !ok {
		return nil, err
	}
	startC, err := c.arg(f, 0)
	if err != nil || len(startC) == 0 {
		return nil, err
	}
	start, ok := integerArg(startC)
	if !ok {
		return nil, evalErr("substring() start must be an integer")
	}
	runes := []rune(s)
	if start < 0 || start >= int64(len(runes)) {
		return nil, nil
	}
	end := int64(len(runes))
	if len(f.args) == 2 {
		lc, err := c.arg(f, 1)
		if err != nil {
			return nil, err
		}
		if len(lc) > 0 {
			l, ok := integerArg(lc)
			if !ok {
				return nil, evalErr("substring() length must be an integer")
			}
			if l < 0 {
				l = 0
			}
			if start+l < end {
				end = start + l
			}
		}
	}
	return Collection{String(string(runes[start:end]))}, nil
}

func fnReplace(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	s, ok, err := inputString(focus, f)
	if err != nil || !ok {
		return nil, err
	}
	pat, ok, err := stringArg(c, f, 0)
	if err != nil || !ok {
		return nil, err
	}
	rep, ok, err := stringArg(c, f, 1)
	if err != nil || !ok {
		return nil, err
	}
	return Collection{String(strings.ReplaceAll(s, pat, rep))}, nil
}

// compileRegex compiles a FHIRPath regular expression; '.' matches
// newlines too (single-line mode), as the spec requires.
func compileRegex(f *funcExpr, pat string) (*regexp.Regexp, error) {
	re, err := regexp.Compile("(?s)" + pat)
	if err != nil {
		return nil, evalErr("%s(): invalid regular expression: %v", f.name, err)
	}
	return re, nil
}

func fnMatches(full bool) func(*evalCtx, Collection, *funcExpr) (Collection, error) {
	return func(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
		s, ok, err := inputString(focus, f)
		if err != nil || !ok {
			return nil, err
		}
		pat, ok, err := stringArg(c, f, 0)
		if err != nil || !ok {
			return nil, err
		}
		if full {
			pat = "^(?:" + pat + ")$"
		}
		re, err := compileRegex(f, pat)
		if err != nil {
			return nil, err
		}
		return boolColl(re.MatchString(s)), nil
	}
}

func fnReplaceMatches(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	s, ok, err := inputString(focus, f)
	if err != nil || !ok {
		return nil, err
	}
	pat, ok, err := stringArg(c, f, 0)
	if err != nil || !ok {
		return nil, err
	}
	rep, ok, err := stringArg(c, f, 1)
	if err != nil || !ok {
		return nil, err
	}
	if pat == "" {
		return Collection{String(s)}, nil
	}
	re, err := compileRegex(f, pat)
	if err != nil {
		return nil, err
	}
	return Collection{String(re.ReplaceAllString(s, rep))}, nil
}

func fnLength(_ *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	s, ok, err := inputString(focus, f)
	if err != nil || !ok {
		return nil, err
	}
	return Collection{Integer(utf8.RuneCountInString(s))}, nil
}

func fnToChars(_ *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	s, ok, err := inputString(focus, f)
	if err != nil || !ok {
		return nil, err
	}
	var out Collection
	for _, r := range s {
		out = append(out, String(string(r)))
	}
	return out, nil
}

func fnSplit(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	s, ok, err := inputString(focus, f)
	if err != nil || !ok {
		return nil, err
	}
	sep, ok, err := stringArg(c, f, 0)
	if err != nil || !ok {
		return nil, err
	}
	var out Collection
	for _, p := range strings.Split(s, sep) {
		out = append(out, String(p))
	}
	return out, nil
}

func fnJoin(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	sep := ""
	if len(f.args) == 1 {
		s, ok, err := stringArg(c, f, 0)
		if err != nil {
			return nil, err
		}
		if ok {
			sep = s
		}
	}
	parts := make([]string, 0, len(focus))
	for _, v := range focus {
		x, _ := system(v)
		s, ok := x.(String)
		if !ok {
			return nil, evalErr("join() needs strings, got %s", v.TypeName())
		}
		parts = append(parts, string(s))
	}
	return Collection{String(strings.Join(parts, sep))}, nil
}

func fnEncode(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	s, ok, err := inputString(focus, f)
	if err != nil || !ok {
		return nil, err
	}
	enc, ok, err := stringArg(c, f, 0)
	if err != nil || !ok {
		return nil, err
	}
	switch enc {
	case "base64":
		return Collection{String(base64.StdEncoding.EncodeToString([]byte(s)))}, nil
	case "urlbase64":
		return Collection{String(base64.URLEncoding.EncodeToString([]byte(s)))}, nil
	case "hex":
		return Collection{String(hex.EncodeToString([]byte(s)))}, nil
	}
	return nil, evalErr("encode(): unknown encoding %q", enc)
}

func fnDecode(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	s, ok, err := inputString(focus, f)
	if err != nil || !ok {
		return nil, err
	}
	enc, ok, err := stringArg(c, f, 0)
	if err != nil || !ok {
		return nil, err
	}
	var b []byte
	switch enc {
	case "base64":
		b, err = base64.StdEncoding.DecodeString(s)
	case "urlbase64":
		b, err = base64.URLEncoding.DecodeString(s)
	case "hex":
		b, err = hex.DecodeString(s)
	default:
		return nil, evalErr("decode(): unknown encoding %q", enc)
	}
	if err != nil {
		return nil, nil
	}
	return Collection{String(b)}, nil
}

func fnEscape(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	s, ok, err := inputString(focus, f)
	if err != nil || !ok {
		return nil, err
	}
	target, ok, err := stringArg(c, f, 0)
	if err != nil || !ok {
		return nil, err
	}
	switch target {
	case "html":
		return Collection{String(htmlEscaper.Replace(s))}, nil
	case "json":
		b, _ := json.Marshal(s)
		out := string(b[1 : len(b)-1])
		// encoding/json escapes <, > and & for HTML safety; FHIRPath does not.
		out = strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(out)
		return Collection{String(out)}, nil
	}
	return nil, evalErr("escape(): unknown target %q", target)
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

func fnUnescape(c *evalCtx, focus Collection, f *funcExpr) (Collection, error) {
	s, ok, err := inputString(focus, f)
	if err != nil || !ok {
		return nil, err
	}
	target, ok, err := stringArg(c, f, 0)
	if err != nil || !ok {
		return nil, err
	}
	switch target {
	case "html":
		return Collection{String(html.UnescapeString(s))}, nil
	case "json":
		return Collection{String(unescapeJSON(s))}, nil
	}
	return nil, evalErr("unescape(): unknown target %q", target)
}

// unescapeJSON undoes JSON string escapes; unknown escapes are kept.
func unescapeJSON(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'b':
			b.WriteByte('\b')
		case 'u':
			if i+4 < len(s) {
				if n, err := strconv.ParseUint(s[i+1:i+5], 16, 32); err == nil {
					b.WriteRune(rune(n))
					i += 4
					continue
				}
			}
			b.WriteString("\\u")
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String()
}
