package population

import (
	"fmt"
	"strings"
)

// k-anonymity for row-level extracts: every combination of
// quasi-identifier values (birth year, sex, province …) must be shared by
// at least k rows, or a person could be singled out by what a neighbour
// knows of them.

// KAnonymity returns the size of the smallest equivalence class over the
// quasi-identifier columns qi (0 for no rows).
func KAnonymity(rows [][]string, qi []int) (int, error) {
	classes, err := equivalenceClasses(rows, qi)
	if err != nil {
		return 0, err
	}
	smallest := 0
	for _, n := range classes {
		if smallest == 0 || n < smallest {
			smallest = n
		}
	}
	return smallest, nil
}

// Generaliser coarsens a quasi-identifier value one step, or reports that
// it cannot (then rows of small classes are suppressed).
type Generaliser func(value string) (string, bool)

// EnforceK makes rows k-anonymous over qi. Each round it either
// suppresses the rows of classes smaller than k, when they are at most
// maxSuppress of all rows (0.05 suppresses up to 5%), or generalises one
// more quasi-identifier column one step (gen[col]); when nothing is left
// to generalise it suppresses whatever still violates k. It returns the
// rows released and how many were suppressed; the input is not modified.
// It never returns rows violating k.
func EnforceK(rows [][]string, qi []int, k int, gen map[int]Generaliser, maxSuppress float64) ([][]string, int, error) {
	if k < 2 {
		return nil, 0, fmt.Errorf("k-anonymity: k = %d, want >= 2", k)
	}
	cur := make([][]string, len(rows))
	for i, r := range rows {
		cur[i] = append([]string(nil), r...)
	}
	for {
		min, err := KAnonymity(cur, qi)
		if err != nil {
			return nil, 0, err
		}
		if min >= k || len(cur) == 0 {
			return cur, 0, nil
		}
		if classes, _ := equivalenceClasses(cur, qi); float64(violating(cur, qi, classes, k)) <= maxSuppress*float64(len(cur)) {
			break
		}
		changed := false
		for _, col := range qi {
			g := gen[col]
			if g == nil {
				continue
			}
			for _, r := range cur {
				if v, ok := g(r[col]); ok && v != r[col] {
					r[col] = v
					changed = true
				}
			}
			if changed {
				break // re-check after generalising one column
			}
		}
		if !changed {
			break
		}
	}
	classes, _ := equivalenceClasses(cur, qi)
	var kept [][]string
	for _, r := range cur {
		if classes[classKey(r, qi)] >= k {
			kept = append(kept, r)
		}
	}
	return kept, len(cur) - len(kept), nil
}

func violating(rows [][]string, qi []int, classes map[string]int, k int) int {
	n := 0
	for _, r := range rows {
		if classes[classKey(r, qi)] < k {
			n++
		}
	}
	return n
}

func equivalenceClasses(rows [][]string, qi []int) (map[string]int, error) {
	classes := map[string]int{}
	for i, r := range rows {
		for _, c := range qi {
			if c < 0 || c >= len(r) {
				return nil, fmt.Errorf("k-anonymity: row %d has no column %d", i, c)
			}
		}
		classes[classKey(r, qi)]++
	}
	return classes, nil
}

func classKey(r []string, qi []int) string {
	parts := make([]string, len(qi))
	for i, c := range qi {
		parts[i] = r[c]
	}
	return strings.Join(parts, "\x00")
}

// YearToDecade generalises "1957" to "1950-1959", then to "*".
func YearToDecade(v string) (string, bool) {
	switch {
	case v == "*":
		return v, false
	case len(v) == 4:
		return v[:3] + "0-" + v[:3] + "9", true
	}
	return "*", true
}

// Suppress generalises any value to "*".
func Suppress(v string) (string, bool) { return "*", v != "*" }
