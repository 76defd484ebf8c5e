package population

import (
	"testing"
)

func newCVD(tb testing.TB) *CVDChart {
	tb.Helper()
	c, err := NewCVDChart()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// TestCVDChartCells reads published cells of the South-East Asia
// laboratory chart through the value → band mapping (values chosen at band
// edges).
func TestCVDChartCells(t *testing.T) {
	c := newCVD(t)
	tests := []struct {
		in   CVDInput
		want int
	}{
		// women, non-smokers, no diabetes, 40-44, cholesterol < 4
		{CVDInput{Age: 40, SBP: 180, Cholesterol: 3.9}, 4},
		{CVDInput{Age: 44, SBP: 179, Cholesterol: 3.0}, 3},
		{CVDInput{Age: 42, SBP: 159.9, Cholesterol: 3.5}, 2},
		{CVDInput{Age: 42, SBP: 120, Cholesterol: 3.5}, 1},
		{CVDInput{Age: 42, SBP: 110, Cholesterol: 3.5}, 1},
		// cholesterol bands at 40-44, SBP >= 180
		{CVDInput{Age: 43, SBP: 190, Cholesterol: 4.0}, 4},
		{CVDInput{Age: 43, SBP: 190, Cholesterol: 5.95}, 4},
		{CVDInput{Age: 43, SBP: 190, Cholesterol: 6.0}, 5},
		{CVDInput{Age: 43, SBP: 190, Cholesterol: 7.0}, 5},
		{CVDInput{Age: 43, SBP: 165, Cholesterol: 8.5}, 4},
		// men, no diabetes, non-smokers, 70-74, cholesterol < 4
		{CVDInput{Age: 74, Male: true, SBP: 185, Cholesterol: 3.8}, 24},
		{CVDInput{Age: 70, Male: true, SBP: 170, Cholesterol: 3.8}, 19},
		{CVDInput{Age: 66, Male: true, SBP: 150, Cholesterol: 3.8}, 11},
		{CVDInput{Age: 62, Male: true, SBP: 185, Cholesterol: 3.8}, 14},
		// men with diabetes who smoke, 70-74, cholesterol < 4
		{CVDInput{Age: 72, Male: true, Smoker: true, Diabetes: true, SBP: 200, Cholesterol: 3.2}, 41},
		{CVDInput{Age: 72, Male: true, Smoker: true, Diabetes: true, SBP: 115, Cholesterol: 3.2}, 18},
	}
	for _, tt := range tests {
		got, err := c.Risk(tt.in)
		if err != nil || got.Percent != tt.want {
			t.Errorf("Risk(%+v) = %+v, %v; want %d%%", tt.in, got, err, tt.want)
		}
		if got.Band != CVDBand(tt.want) {
			t.Errorf("band %s", got.Band)
		}
	}
}

// TestCVDChartMonotone checks the transcription is coherent: risk never
// falls as pressure, cholesterol or age rise (a mistyped cell would show).
func TestCVDChartMonotone(t *testing.T) {
	c := newCVD(t)
	for dm := 0; dm < 2; dm++ {
		for m := 0; m < 2; m++ {
			for s := 0; s < 2; s++ {
				for a := 0; a < 7; a++ {
					for b := 0; b < 5; b++ {
						for h := 0; h < 5; h++ {
							v := c.cells[dm][m][s][a][b][h]
							if b > 0 && v < c.cells[dm][m][s][a][b-1][h] {
								t.Errorf("cell %d%d%d a%d sbp%d chol%d: %d below lower pressure", dm, m, s, a, b, h, v)
							}
							if h > 0 && v < c.cells[dm][m][s][a][b][h-1] {
								t.Errorf("cell %d%d%d a%d sbp%d chol%d: %d below lower cholesterol", dm, m, s, a, b, h, v)
							}
							if a > 0 && v < c.cells[dm][m][s][a-1][b][h] {
								t.Errorf("cell %d%d%d a%d sbp%d chol%d: %d below younger", dm, m, s, a, b, h, v)
							}
						}
					}
				}
			}
		}
	}
}

func TestCVDRiskErrors(t *testing.T) {
	c := newCVD(t)
	for _, in := range []CVDInput{
		{Age: 39, SBP: 120, Cholesterol: 5},
		{Age: 75, SBP: 120, Cholesterol: 5},
		{Age: 50, SBP: 0, Cholesterol: 5},
		{Age: 50, SBP: 130, Cholesterol: 200}, // mg/dL by mistake
	} {
		if _, err := c.Risk(in); err == nil {
			t.Errorf("Risk(%+v): want error", in)
		}
	}
}

func TestCVDBand(t *testing.T) {
	tests := []struct {
		pct  int
		want string
	}{{1, "<5"}, {4, "<5"}, {5, "5-<10"}, {9, "5-<10"}, {10, "10-<20"}, {19, "10-<20"}, {20, "20-<30"}, {29, "20-<30"}, {30, ">=30"}, {55, ">=30"}}
	for _, tt := range tests {
		if got := CVDBand(tt.pct); got != tt.want {
			t.Errorf("CVDBand(%d) = %s, want %s", tt.pct, got, tt.want)
		}
	}
}
