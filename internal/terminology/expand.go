package terminology

import (
	"fmt"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/vn"
)

// Entry is one code of an expansion (ValueSet.expansion.contains).
type Entry struct {
	System       string
	Code         string
	Display      string
	Designations []Designation

	keys []string // folded code and displays, when the entry comes from a concept
}

// ExpandRequest asks for (a page of) a value set's codes.
type ExpandRequest struct {
	URL string
	// Filter keeps codes whose code, or any display or designation, contains
	// every word of Filter, ignoring case and Vietnamese diacritics ("tang
	// huyet ap" finds "Tăng huyết áp"). Codes whose code or display starts
	// with the filter come first.
	Filter string
	// Offset and Count page the result; Count 0 means all (up to MaxCount).
	Offset, Count int
	// DisplayLanguage picks each entry's display ("vi", "en"); "" keeps the
	// code system's own.
	DisplayLanguage string
}

// MaxCount bounds one expansion page.
const MaxCount = 1000

// Expansion is the result of Expand.
type Expansion struct {
	ValueSet  *ValueSet
	Request   ExpandRequest
	Total     int // matching codes before paging
	Contains  []Entry
	Timestamp time.Time
}

// Expand lists the codes of a value set, filtered and paged. Errors:
// KindNotFound wrapping ErrUnknownValueSet; KindInvalid for a negative
// offset or count, or a count above MaxCount.
func (t *Terminology) Expand(req ExpandRequest) (*Expansion, error) {
	if req.URL == "" {
		return nil, fhir.Errorf(fhir.KindInvalid, "url is required / cần có url của tập giá trị")
	}
	if req.Offset < 0 || req.Count < 0 || req.Count > MaxCount {
		return nil, fhir.Errorf(fhir.KindInvalid, "offset and count must be between 0 and %d / offset và count phải từ 0 đến %d", MaxCount, MaxCount)
	}
	vs := t.ValueSet(req.URL)
	if vs == nil {
		return nil, unknownValueSet(req.URL)
	}
	all := t.entries(vs)
	if f := strings.TrimSpace(req.Filter); f != "" {
		all = filterEntries(all, f)
	}
	x := &Expansion{ValueSet: vs, Request: req, Total: len(all), Timestamp: t.now()}
	lo := min(req.Offset, len(all))
	hi := len(all)
	if req.Count > 0 {
		hi = min(lo+req.Count, len(all))
	} else if hi-lo > MaxCount {
		hi = lo + MaxCount
	}
	x.Contains = all[lo:hi]
	if lang := primaryLanguage(req.DisplayLanguage); lang != "" {
		page := make([]Entry, len(x.Contains))
		for i, e := range x.Contains {
			page[i] = e
			for _, d := range e.Designations {
				if d.Language == lang {
					page[i].Display = d.Value
				}
			}
		}
		x.Contains = page
	}
	return x, nil
}

// Codes returns every code of the value set, unpaged, for callers that
// turn :in into a list of tokens. Errors: ErrUnknownValueSet.
func (t *Terminology) Codes(valueSetURL string) ([]Entry, error) {
	vs := t.ValueSet(valueSetURL)
	if vs == nil {
		return nil, unknownValueSet(valueSetURL)
	}
	return t.entries(vs), nil
}

// entries enumerates a value set in include order, each system|code once.
func (t *Terminology) entries(vs *ValueSet) []Entry {
	var out []Entry
	var seen map[string]bool // only several includes can repeat a code
	if len(vs.Include) > 1 {
		seen = map[string]bool{}
	}
	add := func(e Entry) {
		if seen != nil {
			k := e.System + "|" + e.Code
			if seen[k] {
				return
			}
			seen[k] = true
		}
		out = append(out, e)
	}
	for i := range vs.Include {
		inc := &vs.Include[i]
		cs := t.CodeSystem(inc.System)
		if len(inc.Codes) > 0 {
			for _, ic := range inc.Codes {
				e := Entry{System: inc.System, Code: ic.Code, Display: ic.Display}
				if cs != nil {
					if c := cs.Concept(ic.Code); c != nil {
						e.Display, e.Designations, e.keys = c.Display, c.Designations, c.folded
						if ic.Display != "" && e.Display == "" {
							e.Display = ic.Display
						}
					}
				}
				add(e)
			}
			continue
		}
		if cs == nil {
			continue
		}
		for _, c := range inc.candidates(cs) {
			if inc.matches(cs, c) {
				add(Entry{System: inc.System, Code: c.Code, Display: c.Display, Designations: c.Designations, keys: c.folded})
			}
		}
	}
	return out
}

// filterEntries keeps entries matching every filter word. Entries whose
// code or a display starts with the filter come first, then those that
// contain it as a phrase, then the rest; each group in value-set order.
func filterEntries(all []Entry, filter string) []Entry {
	key := vn.Fold(filter)
	words := strings.Fields(key)
	var groups [3][]Entry
	for _, e := range all {
		texts := e.keys
		if texts == nil {
			texts = append(texts, vn.Fold(e.Code), vn.Fold(e.Display))
			for _, d := range e.Designations {
				texts = append(texts, vn.Fold(d.Value))
			}
		}
		if !matchesAll(texts, words) {
			continue
		}
		g := 2
		for _, s := range texts {
			if strings.HasPrefix(s, key) {
				g = 0
				break
			}
			if strings.Contains(s, key) {
				g = 1
			}
		}
		groups[g] = append(groups[g], e)
	}
	return append(append(groups[0], groups[1]...), groups[2]...)
}

// matchesAll reports whether one of texts contains every word.
func matchesAll(texts, words []string) bool {
	for _, s := range texts {
		ok := true
		for _, w := range words {
			if !strings.Contains(s, w) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// String describes the expansion for logs.
func (x *Expansion) String() string {
	return fmt.Sprintf("%s: %d of %d", x.ValueSet.URL, len(x.Contains), x.Total)
}
