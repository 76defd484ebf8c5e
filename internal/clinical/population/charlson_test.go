package population

import (
	"slices"
	"testing"
)

func newCharlson(tb testing.TB) *Charlson {
	tb.Helper()
	c, err := NewCharlson()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// TestCharlsonWeights checks the embedded table against the weights as
// printed in Charlson 1987 (Table 3) and Quan 2011 (Table 2), typed here
// independently of the CSV.
func TestCharlsonWeights(t *testing.T) {
	want := map[string][2]int{ // id → {1987, Quan 2011}
		"mi": {1, 0}, "chf": {1, 2}, "pvd": {1, 0}, "cevd": {1, 0}, "dementia": {1, 2},
		"cpd": {1, 1}, "rheumd": {1, 1}, "pud": {1, 0}, "mld": {1, 2}, "diab": {1, 0},
		"diabwc": {2, 1}, "hp": {2, 2}, "rend": {2, 1}, "canc": {2, 2}, "msld": {3, 4},
		"metacanc": {6, 6}, "aids": {6, 4},
	}
	conds := newCharlson(t).Conditions()
	if len(conds) != 17 {
		t.Fatalf("got %d conditions, want 17", len(conds))
	}
	for _, c := range conds {
		w, ok := want[c.ID]
		if !ok {
			t.Errorf("unexpected condition %s", c.ID)
			continue
		}
		if got := [2]int{c.Weight1987, c.WeightQuan}; got != w {
			t.Errorf("%s weights: got %v, want %v", c.ID, got, w)
		}
	}
}

func TestCharlsonMatch(t *testing.T) {
	c := newCharlson(t)
	tests := []struct {
		code string
		want []string
	}{
		{"I21.4", []string{"mi"}},
		{"I25.2", []string{"mi"}},
		{"i25.20", []string{"mi"}},
		{"I25.1", nil}, // atherosclerotic heart disease is not MI
		{"I50.0", []string{"chf"}},
		{"E11.9", []string{"diab"}},
		{"E11.2", []string{"diabwc"}},
		{"E11.5", []string{"diabwc"}},
		{"N18.5", []string{"rend"}},
		{"K70.3", []string{"mld"}},
		{"K70.4", []string{"msld"}},
		{"C78.0", []string{"metacanc"}},
		{"C34.1", []string{"canc"}},
		{"B20", []string{"aids"}},
		{"G81.9", []string{"hp"}},
		{"I10", nil},
		{"J45.9", []string{"cpd"}}, // Quan 2005 counts asthma (J40–J47) as chronic pulmonary disease
		{"", nil},
	}
	for _, tt := range tests {
		if got := c.Match(tt.code); !slices.Equal(got, tt.want) {
			t.Errorf("Match(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

// TestCharlsonScore covers the hierarchy rules and each condition being
// counted once.
func TestCharlsonScore(t *testing.T) {
	c := newCharlson(t)
	tests := []struct {
		name     string
		codes    []string
		wantIDs  []string
		want1987 int
		wantQuan int
	}{
		{"none", nil, nil, 0, 0},
		{"unrelated codes", []string{"I10", "K21.0", "Z00.0"}, nil, 0, 0},
		{"MI twice counts once", []string{"I21.0", "I25.2"}, []string{"mi"}, 1, 0},
		{"diabetes complicated supersedes plain", []string{"E11.9", "E11.2"}, []string{"diabwc"}, 2, 1},
		{"severe liver supersedes mild", []string{"K70.3", "I85.0"}, []string{"msld"}, 3, 4},
		{"metastasis supersedes malignancy", []string{"C34.1", "C78.0"}, []string{"metacanc"}, 6, 6},
		{"malignancy alone", []string{"C50.9"}, []string{"canc"}, 2, 2},
		{"CHF + COPD + CKD + dementia", []string{"I50.9", "J44.9", "N18.4", "F03"}, []string{"chf", "dementia", "cpd", "rend"}, 5, 6},
		{"AIDS + hemiplegia", []string{"B20.1", "G81.1"}, []string{"hp", "aids"}, 8, 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Score(tt.codes)
			if !slices.Equal(got.Conditions, tt.wantIDs) || got.Score1987 != tt.want1987 || got.ScoreQuan != tt.wantQuan {
				t.Errorf("got %v/%d/%d, want %v/%d/%d", got.Conditions, got.Score1987, got.ScoreQuan, tt.wantIDs, tt.want1987, tt.wantQuan)
			}
		})
	}
}
