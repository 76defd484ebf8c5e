package r4

import (
	"slices"
	"strings"
)

// ExpressionFor returns the part of p's FHIRPath expression that applies to
// resourceType. R4 defines one parameter for many bases with a union of
// per-type paths ("AllergyIntolerance.patient | CarePlan.subject.where(...)
// | ..."); evaluating only the matching branches saves work on every
// indexed resource. Branches that start with another base type are dropped;
// branches that name no base (InsurancePlan's "name | alias") are kept.
// Parameters on Resource or DomainResource ("Resource.id") apply to every
// type and come back whole. It returns "" when resourceType is not a base of
// p or no branch applies.
func (p *SearchParam) ExpressionFor(resourceType string) string {
	if slices.Contains(p.Base, "Resource") || slices.Contains(p.Base, "DomainResource") {
		return p.Expression
	}
	if !slices.Contains(p.Base, resourceType) {
		return ""
	}
	if len(p.Base) == 1 {
		return p.Expression
	}
	var keep []string
	for _, br := range splitUnion(p.Expression) {
		head := leadingIdent(br)
		if head == resourceType || !slices.Contains(p.Base, head) {
			keep = append(keep, br)
		}
	}
	return strings.Join(keep, " | ")
}

// splitUnion splits a FHIRPath expression at its top-level '|' operators,
// leaving those inside parentheses, brackets or string literals alone, and
// trims each branch.
func splitUnion(expr string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(expr); i++ {
		switch c := expr[i]; c {
		case '\'', '`', '"':
			// Skip the literal; a backslash escapes the next byte.
			for i++; i < len(expr) && expr[i] != c; i++ {
				if expr[i] == '\\' {
					i++
				}
			}
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case '|':
			if depth == 0 {
				out = append(out, strings.TrimSpace(expr[start:i]))
				start = i + 1
			}
		}
	}
	if last := strings.TrimSpace(expr[start:]); last != "" || len(out) > 0 {
		out = append(out, last)
	}
	return out
}

// leadingIdent returns the first identifier of a branch, past any opening
// parentheses: "(Observation.value as Quantity)" gives "Observation".
func leadingIdent(s string) string {
	s = strings.TrimLeft(s, "( ")
	end := 0
	for end < len(s) && (s[end] == '_' || 'a' <= s[end] && s[end] <= 'z' || 'A' <= s[end] && s[end] <= 'Z' || '0' <= s[end] && s[end] <= '9') {
		end++
	}
	return s[:end]
}
