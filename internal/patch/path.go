package patch

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// A location is one element found by a path: the value at obj[key], or the
// index-th item of the array at obj[key]. Keeping the owner lets operations
// change the tree in place. Path holds the element names from the resource
// root (no indexes), which is what cardinality lookups need.
type location struct {
	obj   map[string]any
	key   string
	index int // -1: the whole value of obj[key]
	path  []string
	root  bool // the resource itself (obj is the resource, key unused)
}

func (l location) value() any {
	if l.root {
		return l.obj
	}
	v := l.obj[l.key]
	if l.index >= 0 {
		arr, _ := v.([]any)
		if l.index < len(arr) {
			return arr[l.index]
		}
		return nil
	}
	return v
}

func (l location) set(v any) {
	if l.index >= 0 {
		l.obj[l.key].([]any)[l.index] = v
		return
	}
	l.obj[l.key] = v
}

// step is one step of the path subset FHIRPath Patch paths use in practice:
// child navigation, an indexer, where(a.b = 'x'), first() and last().
type step struct {
	kind  string // "name", "index", "where", "first", "last"
	name  string
	index int
	// where: the left-hand path, the operator and the literal.
	wherePath []string
	op        string
	literal   string
}

// parsePath parses the supported FHIRPath subset. The first identifier must
// be the resource type.
func parsePath(expr string) (typ string, steps []step, err error) {
	s := strings.TrimSpace(expr)
	typ, s = ident(s)
	if typ == "" {
		return "", nil, fmt.Errorf("path %q must start with the resource type", expr)
	}
	for s != "" {
		switch {
		case s[0] == '[':
			end := strings.IndexByte(s, ']')
			if end < 0 {
				return "", nil, fmt.Errorf("path %q: unclosed indexer", expr)
			}
			n, err := strconv.Atoi(strings.TrimSpace(s[1:end]))
			if err != nil || n < 0 {
				return "", nil, fmt.Errorf("path %q: indexer must be a non-negative integer", expr)
			}
			steps = append(steps, step{kind: "index", index: n})
			s = s[end+1:]
		case s[0] == '.':
			var name string
			name, s = ident(s[1:])
			if name == "" {
				return "", nil, fmt.Errorf("path %q: expected a name after '.'", expr)
			}
			if !strings.HasPrefix(s, "(") {
				steps = append(steps, step{kind: "name", name: name})
				continue
			}
			end := matchParen(s)
			if end < 0 {
				return "", nil, fmt.Errorf("path %q: unclosed '('", expr)
			}
			arg := strings.TrimSpace(s[1:end])
			s = s[end+1:]
			switch name {
			case "first", "last":
				if arg != "" {
					return "", nil, fmt.Errorf("path %q: %s() takes no argument", expr, name)
				}
				steps = append(steps, step{kind: name})
			case "where":
				st, err := parseWhere(arg)
				if err != nil {
					return "", nil, fmt.Errorf("path %q: %w", expr, err)
				}
				steps = append(steps, st)
			default:
				return "", nil, fmt.Errorf("path %q: function %s() is not supported in patch paths", expr, name)
			}
		default:
			return "", nil, fmt.Errorf("path %q: unexpected %q", expr, s[:1])
		}
	}
	return typ, steps, nil
}

func ident(s string) (string, string) {
	i := 0
	for i < len(s) && (s[i] == '_' || unicode.IsLetter(rune(s[i])) || (i > 0 && unicode.IsDigit(rune(s[i])))) {
		i++
	}
	return s[:i], s[i:]
}

// matchParen returns the index of the ')' closing s[0], skipping quoted text.
func matchParen(s string) int {
	depth, quoted := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case quoted && c == '\\':
			i++
		case c == '\'':
			quoted = !quoted
		case quoted:
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth == 0 {
				return i
			}
		}
	}
	return -1
}

func parseWhere(arg string) (step, error) {
	for _, op := range []string{"!=", "="} {
		i := strings.Index(arg, op)
		if i < 0 {
			continue
		}
		left := strings.TrimSpace(arg[:i])
		right := strings.TrimSpace(arg[i+len(op):])
		if len(right) < 2 || right[0] != '\'' || right[len(right)-1] != '\'' {
			break
		}
		lit := strings.ReplaceAll(right[1:len(right)-1], `\'`, `'`)
		var path []string
		for _, p := range strings.Split(left, ".") {
			if p = strings.TrimSpace(p); p == "" {
				return step{}, fmt.Errorf("where(%s): empty path", arg)
			}
			path = append(path, p)
		}
		return step{kind: "where", wherePath: path, op: op, literal: lit}, nil
	}
	return step{}, fmt.Errorf("where(%s) is not supported: use where(element = 'literal')", arg)
}

// eval runs steps from the resource root.
func eval(res map[string]any, steps []step) []location {
	cur := []location{{obj: res, root: true, index: -1}}
	for _, st := range steps {
		var next []location
		switch st.kind {
		case "name":
			for _, l := range cur {
				next = append(next, children(l, st.name)...)
			}
		case "index":
			if st.index < len(cur) {
				next = []location{cur[st.index]}
			}
		case "first":
			if len(cur) > 0 {
				next = cur[:1]
			}
		case "last":
			if len(cur) > 0 {
				next = cur[len(cur)-1:]
			}
		case "where":
			for _, l := range cur {
				if matches(l, st) {
					next = append(next, l)
				}
			}
		}
		cur = next
	}
	return cur
}

// children navigates to name under l, expanding arrays and resolving choice
// elements (value → valueString).
func children(l location, name string) []location {
	m, ok := l.value().(map[string]any)
	if !ok {
		return nil
	}
	key := name
	if _, ok := m[key]; !ok {
		key = choiceKey(m, name)
		if key == "" {
			return nil
		}
	}
	path := append(append([]string(nil), l.path...), name)
	if arr, ok := m[key].([]any); ok {
		out := make([]location, len(arr))
		for i := range arr {
			out[i] = location{obj: m, key: key, index: i, path: path}
		}
		return out
	}
	return []location{{obj: m, key: key, index: -1, path: path}}
}

func choiceKey(m map[string]any, name string) string {
	for k := range m {
		if len(k) > len(name) && strings.HasPrefix(k, name) && unicode.IsUpper(rune(k[len(name)])) {
			return k
		}
	}
	return ""
}

func matches(l location, st step) bool {
	cur := []location{l}
	for _, n := range st.wherePath {
		var next []location
		for _, c := range cur {
			next = append(next, children(c, n)...)
		}
		cur = next
	}
	found := false
	for _, c := range cur {
		if fmt.Sprint(c.value()) == st.literal {
			found = true
		}
	}
	if st.op == "!=" {
		return len(cur) > 0 && !found
	}
	return found
}
