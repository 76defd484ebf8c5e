package synth

import "math"

// CKD-EPI 2009 creatinine equation (Levey et al., Ann Intern Med
// 2009;150:604–612), without the race coefficient, as used for LOINC
// 62238-1. Creatinine is in µmol/L (88.4 µmol/L = 1 mg/dL).
func ckdEPI2009(scrUmol, age float64, male bool) float64 {
	scr := scrUmol / 88.4
	k, a, f := 0.7, -0.329, 1.018
	if male {
		k, a, f = 0.9, -0.411, 1.0
	}
	return 141 * math.Pow(math.Min(scr/k, 1), a) * math.Pow(math.Max(scr/k, 1), -1.209) * math.Pow(0.993, age) * f
}

// creatinineFor inverts ckdEPI2009: the creatinine (µmol/L) that gives the
// eGFR for a person of that age and sex.
func creatinineFor(egfr, age float64, male bool) float64 {
	k, a, f := 0.7, -0.329, 1.018
	if male {
		k, a, f = 0.9, -0.411, 1.0
	}
	ratio := egfr / (141 * math.Pow(0.993, age) * f)
	var scr float64
	if ratio <= 1 {
		scr = k * math.Pow(ratio, -1/1.209)
	} else {
		scr = k * math.Pow(ratio, 1/a)
	}
	return scr * 88.4
}
