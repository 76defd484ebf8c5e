package population

import (
	"fmt"
	"strconv"
)

// WHO 2019 laboratory-based cardiovascular risk charts (WHO CVD Risk Chart
// Working Group, Lancet Glob Health 2019;7:e1332-45): the 10-year risk of
// a fatal or non-fatal myocardial infarction or stroke for ages 40-74, by
// diabetes, sex, smoking, age band, systolic blood pressure band and total
// cholesterol band. Vietnam belongs to the GBD region "Southeast Asia";
// data/who2019_cvd_lab_chart_seasia.csv holds that chart's 1,400 cells.
// The charts are looked up, not recomputed from the underlying model, so
// results are exactly what a health worker reads off the printed chart.

// CVDInput is one person's risk factors.
type CVDInput struct {
	Age         int     // years; the charts cover 40-74
	Male        bool    //
	Smoker      bool    // current smoker
	Diabetes    bool    // diagnosed diabetes (or fasting glucose >= 7.0 mmol/L)
	SBP         float64 // systolic blood pressure, mmHg
	Cholesterol float64 // total cholesterol, mmol/L
}

// CVDRisk is the chart reading.
type CVDRisk struct {
	Percent int    // 10-year risk, %
	Band    string // "<5", "5-<10", "10-<20", "20-<30", ">=30"
}

// CVDChart looks up the WHO 2019 laboratory-based chart for South-East
// Asia. It is immutable after NewCVDChart and safe for concurrent use.
type CVDChart struct {
	cells [2][2][2][7][5][5]int8 // diabetes, male, smoker, age band, SBP band, cholesterol band
}

var (
	cvdAgeBands  = [7]string{"40-44", "45-49", "50-54", "55-59", "60-64", "65-69", "70-74"}
	cvdSBPBands  = [5]string{"<120", "120-139", "140-159", "160-179", ">=180"}
	cvdCholBands = [5]string{"<4", "4-4.9", "5-5.9", "6-6.9", ">=7"}
)

// NewCVDChart parses the embedded chart and checks that every cell is
// present exactly once.
func NewCVDChart() (*CVDChart, error) {
	raw, err := dataFS.ReadFile("data/who2019_cvd_lab_chart_seasia.csv")
	if err != nil {
		return nil, fmt.Errorf("who cvd chart: %w", err)
	}
	rows, err := readTable(raw)
	if err != nil {
		return nil, fmt.Errorf("who cvd chart: %w", err)
	}
	c := &CVDChart{}
	seen := 0
	for i, r := range rows {
		a, s, ch := index(cvdAgeBands[:], r["age_band"]), index(cvdSBPBands[:], r["sbp_band"]), index(cvdCholBands[:], r["tchol_mmol_band"])
		pct, err := strconv.Atoi(r["risk_pct_SE_ASI"])
		dm, m, smk := r["diabetes"] == "1", r["male"] == "1", r["smoker"] == "1"
		if a < 0 || s < 0 || ch < 0 || err != nil || pct < 1 || pct > 100 {
			return nil, fmt.Errorf("who cvd chart row %d: malformed %v", i+1, r)
		}
		cell := &c.cells[b2i(dm)][b2i(m)][b2i(smk)][a][s][ch]
		if *cell != 0 {
			return nil, fmt.Errorf("who cvd chart row %d: duplicate cell", i+1)
		}
		*cell = int8(pct)
		seen++
	}
	if seen != 2*2*2*7*5*5 {
		return nil, fmt.Errorf("who cvd chart: %d cells, want 1400", seen)
	}
	return c, nil
}

// Risk reads the chart. Ages outside 40-74 and implausible measurements
// are errors (the charts do not extrapolate).
func (c *CVDChart) Risk(in CVDInput) (CVDRisk, error) {
	if in.Age < 40 || in.Age > 74 {
		return CVDRisk{}, fmt.Errorf("who cvd risk: age %d outside the charts' 40-74", in.Age)
	}
	if in.SBP < 60 || in.SBP > 300 {
		return CVDRisk{}, fmt.Errorf("who cvd risk: systolic pressure %.0f mmHg implausible", in.SBP)
	}
	if in.Cholesterol < 1 || in.Cholesterol > 20 {
		return CVDRisk{}, fmt.Errorf("who cvd risk: total cholesterol %.1f mmol/L implausible (mg/dL must be divided by 38.67)", in.Cholesterol)
	}
	a := (in.Age - 40) / 5
	var s int
	switch {
	case in.SBP < 120:
		s = 0
	case in.SBP < 140:
		s = 1
	case in.SBP < 160:
		s = 2
	case in.SBP < 180:
		s = 3
	default:
		s = 4
	}
	// The chart's bands are 4-4.9, 5-5.9 ...: half-open [4, 5).
	ch := min(max(int(in.Cholesterol)-3, 0), 4)
	pct := int(c.cells[b2i(in.Diabetes)][b2i(in.Male)][b2i(in.Smoker)][a][s][ch])
	return CVDRisk{Percent: pct, Band: CVDBand(pct)}, nil
}

// CVDBand is the chart colour band of a risk percentage.
func CVDBand(pct int) string {
	switch {
	case pct < 5:
		return "<5"
	case pct < 10:
		return "5-<10"
	case pct < 20:
		return "10-<20"
	case pct < 30:
		return "20-<30"
	}
	return ">=30"
}

func index(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
