package view

// externalConstants lists the names of the FHIRPath external constants
// (%name, %`name`, %'name') that src refers to. It skips string literals,
// delimited identifiers and comments; the expression has already parsed,
// so the scan only needs to be right for valid FHIRPath.
func externalConstants(src string) []string {
	var names []string
	for i := 0; i < len(src); i++ {
		switch ch := src[i]; ch {
		case '\'', '`':
			i = skipQuoted(src, i)
		case '/':
			if i+1 < len(src) && src[i+1] == '/' {
				for i < len(src) && src[i] != '\n' {
					i++
				}
			} else if i+1 < len(src) && src[i+1] == '*' {
				end := indexFrom(src, i+2, "*/")
				if end < 0 {
					return names
				}
				i = end + 1
			}
		case '%':
			if i+1 >= len(src) {
				return names
			}
			if q := src[i+1]; q == '`' || q == '\'' {
				end := skipQuoted(src, i+1)
				if end > i+1 && end < len(src) {
					names = append(names, src[i+2:end])
				}
				i = end
				continue
			}
			j := i + 1
			for j < len(src) && isIdentChar(src[j], j == i+1) {
				j++
			}
			if j > i+1 {
				names = append(names, src[i+1:j])
			}
			i = j - 1
		}
	}
	return names
}

// skipQuoted returns the index of the closing quote of the literal that
// opens at i (or len(src)-1 when unterminated), honouring backslash
// escapes.
func skipQuoted(src string, i int) int {
	q := src[i]
	for j := i + 1; j < len(src); j++ {
		switch src[j] {
		case '\\':
			j++
		case q:
			return j
		}
	}
	return len(src)
}

func indexFrom(s string, from int, sub string) int {
	for i := from; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func isIdentChar(c byte, first bool) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9')
}
