package search

// maxCompositeCombos bounds the entries one composite item may produce
// when its components repeat (a code with many codings times many values).
const maxCompositeCombos = 64

// combine builds one composite entry per combination of component values.
func combine(param string, parts [][]Entry, out []Entry) []Entry {
	for _, p := range parts {
		if len(p) == 0 {
			return out // every component must be present to match
		}
	}
	idx := make([]int, len(parts))
	for n := 0; n < maxCompositeCombos; n++ {
		comps := make([]Entry, len(parts))
		for i, p := range parts {
			comps[i] = p[idx[i]]
		}
		out = append(out, Entry{Param: param, Type: TypeComposite, Components: comps})
		// Advance the odometer.
		i := len(idx) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(parts[i]) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			break
		}
	}
	return out
}
