package population

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The Charlson comorbidity index with the ICD-10 coding algorithm of Quan
// et al. 2005 (Med Care 43:1130) and two weightings: Charlson 1987 (the
// original) and Quan 2011 (Am J Epidemiol 173:676, re-weighted for 1-year
// in-hospital mortality). The code list is data/charlson_quan2005_icd10.csv.

//go:embed data/*.csv
var dataFS embed.FS

// CharlsonCondition is one of the 17 Charlson conditions.
type CharlsonCondition struct {
	ID          string // short id as in R's comorbidity package: mi, chf, ..., aids
	Name        string
	Weight1987  int
	WeightQuan  int
	ICD10Prefix []string // dot-free prefixes
}

// Charlson maps ICD-10 codes to Charlson conditions and scores them. It is
// immutable after NewCharlson and safe for concurrent use.
type Charlson struct {
	conditions []CharlsonCondition
	byID       map[string]int
	prefix     map[string][]int // dot-free prefix → condition indexes
	maxLen     int
}

// charlsonHierarchy: when the key condition is present, the value
// condition is not counted (Quan 2005 / comorbidity::assign0): the severe
// form supersedes the mild one.
var charlsonHierarchy = [][2]string{{"msld", "mld"}, {"diabwc", "diab"}, {"metacanc", "canc"}}

// NewCharlson parses the embedded coding table.
func NewCharlson() (*Charlson, error) {
	raw, err := dataFS.ReadFile("data/charlson_quan2005_icd10.csv")
	if err != nil {
		return nil, fmt.Errorf("charlson: %w", err)
	}
	rows, err := readTable(raw)
	if err != nil {
		return nil, fmt.Errorf("charlson table: %w", err)
	}
	c := &Charlson{byID: map[string]int{}, prefix: map[string][]int{}}
	for i, r := range rows {
		id, name, pfx := r["condition_id"], r["condition"], normICD(r["icd10_prefix"])
		w1, err1 := strconv.Atoi(r["weight_charlson1987"])
		w2, err2 := strconv.Atoi(r["weight_quan2011"])
		if id == "" || pfx == "" || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("charlson table row %d: malformed %v", i+1, r)
		}
		k, ok := c.byID[id]
		if !ok {
			k = len(c.conditions)
			c.byID[id] = k
			c.conditions = append(c.conditions, CharlsonCondition{ID: id, Name: name, Weight1987: w1, WeightQuan: w2})
		} else if c.conditions[k].Weight1987 != w1 || c.conditions[k].WeightQuan != w2 {
			return nil, fmt.Errorf("charlson table row %d: weights of %s differ from earlier rows", i+1, id)
		}
		c.conditions[k].ICD10Prefix = append(c.conditions[k].ICD10Prefix, pfx)
		c.prefix[pfx] = append(c.prefix[pfx], k)
		c.maxLen = max(c.maxLen, len(pfx))
	}
	return c, nil
}

// Conditions lists the conditions in table order.
func (c *Charlson) Conditions() []CharlsonCondition {
	out := make([]CharlsonCondition, len(c.conditions))
	copy(out, c.conditions)
	return out
}

// Match returns the ids of the conditions an ICD-10 code belongs to
// (prefix match on the code without its dot: I25.2 and I25.20 match I252).
func (c *Charlson) Match(code string) []string {
	var ids []string
	for _, k := range c.match(normICD(code)) {
		ids = append(ids, c.conditions[k].ID)
	}
	return ids
}

func (c *Charlson) match(code string) []int {
	var out []int
	for n := 1; n <= len(code) && n <= c.maxLen; n++ {
		out = append(out, c.prefix[code[:n]]...)
	}
	return out
}

// CharlsonResult is the index for one patient.
type CharlsonResult struct {
	Conditions []string // ids present after the hierarchy rules, in table order
	Score1987  int
	ScoreQuan  int // Quan 2011 weights
}

// Score codes a patient's ICD-10 diagnoses (each condition counted once),
// applies the hierarchy rules (msld supersedes mld, diabwc supersedes
// diab, metacanc supersedes canc) and sums both weightings. Codes that are
// not Charlson conditions are ignored.
func (c *Charlson) Score(icd10 []string) CharlsonResult {
	present := make([]bool, len(c.conditions))
	for _, code := range icd10 {
		for _, k := range c.match(normICD(code)) {
			present[k] = true
		}
	}
	for _, h := range charlsonHierarchy {
		sup, ok1 := c.byID[h[0]]
		sub, ok2 := c.byID[h[1]]
		if ok1 && ok2 && present[sup] {
			present[sub] = false
		}
	}
	var r CharlsonResult
	for k, p := range present {
		if p {
			cc := c.conditions[k]
			r.Conditions = append(r.Conditions, cc.ID)
			r.Score1987 += cc.Weight1987
			r.ScoreQuan += cc.WeightQuan
		}
	}
	return r
}

// normICD upper-cases an ICD-10 code and removes the dot and spaces.
func normICD(code string) string {
	code = strings.ToUpper(strings.TrimSpace(code))
	return strings.NewReplacer(".", "", " ", "").Replace(code)
}

// readTable parses a CSV whose leading "#" lines are citations.
func readTable(raw []byte) ([]map[string]string, error) {
	var body [][]byte
	for _, l := range bytes.Split(raw, []byte("\n")) {
		if !bytes.HasPrefix(l, []byte("#")) {
			body = append(body, l)
		}
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.Join(body, []byte("\n")))).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(rows) < 2 {
		return nil, fmt.Errorf("no data rows")
	}
	out := make([]map[string]string, 0, len(rows)-1)
	for _, r := range rows[1:] {
		m := make(map[string]string, len(r))
		for i, h := range rows[0] {
			if i < len(r) {
				m[h] = r[i]
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// sortedKeys returns a map's keys in order (for deterministic output).
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
