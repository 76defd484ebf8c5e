package synth

import (
	"math/rand/v2"
	"time"
)

// condKind enumerates the conditions the generator models.
type condKind int

const (
	condHypertension condKind = iota
	condDiabetes
	condCOPD
	condAsthma
	condIHD
	condStroke
	condCKD
	condDepression
	condDementia
	condTB
	numCondKinds
)

// condSpec describes a condition: its ICD-10 code with the Vietnamese
// title (Bộ Y tế ICD-10 translation), its prevalence by age band and sex,
// the share of diagnosed people on medicines, and how long ago onset can
// be.
type condSpec struct {
	key      string
	icd      string
	display  string
	prevM    [8]float64 // by ageBand, men
	prevF    [8]float64 // women
	treated  float64
	maxYears int // onset at most this many years before End
	minAge   int // no onset before this age
}

// ageBand maps an age to the bands of the prevalence tables:
// 0–17, 18–29, 30–39, 40–49, 50–59, 60–69, 70–79, 80+.
func ageBand(age int) int {
	switch {
	case age < 18:
		return 0
	case age < 30:
		return 1
	case age >= 80:
		return 7
	}
	return age/10 - 1
}

// ageBandLabels names the bands for reports.
var ageBandLabels = [8]string{"0-17", "18-29", "30-39", "40-49", "50-59", "60-69", "70-79", "80+"}

// condSpecs holds the prevalence tables; docs/synthetic-population.md
// gives the source of every row. TB rows are annual incidence, not
// prevalence: cases arise during the simulated period.
var condSpecs = [numCondKinds]condSpec{
	condHypertension: {
		key: "hypertension", icd: "I10", display: "Bệnh lý tăng huyết áp vô căn (nguyên phát)",
		prevM:   [8]float64{0, 0.07, 0.22, 0.38, 0.52, 0.58, 0.64, 0.67},
		prevF:   [8]float64{0, 0.03, 0.10, 0.24, 0.44, 0.54, 0.64, 0.70},
		treated: 0.75, maxYears: 25, minAge: 20,
	},
	condDiabetes: {
		key: "diabetes", icd: "E11.9", display: "Bệnh đái tháo đường không phụ thuộc insulin, không có biến chứng",
		prevM:   [8]float64{0, 0.01, 0.03, 0.08, 0.14, 0.19, 0.19, 0.17},
		prevF:   [8]float64{0, 0.01, 0.025, 0.07, 0.13, 0.19, 0.19, 0.17},
		treated: 0.85, maxYears: 20, minAge: 25,
	},
	condCOPD: {
		key: "copd", icd: "J44.9", display: "Bệnh phổi tắc nghẽn mạn tính, không đặc hiệu",
		prevM:   [8]float64{0, 0, 0, 0.03, 0.06, 0.10, 0.14, 0.16},
		prevF:   [8]float64{0, 0, 0, 0.01, 0.016, 0.025, 0.035, 0.04},
		treated: 0.7, maxYears: 15, minAge: 40,
	},
	condAsthma: {
		key: "asthma", icd: "J45.9", display: "Hen phế quản, không đặc hiệu",
		prevM:   [8]float64{0.045, 0.039, 0.039, 0.039, 0.039, 0.042, 0.045, 0.045},
		prevF:   [8]float64{0.035, 0.039, 0.039, 0.039, 0.039, 0.042, 0.045, 0.045},
		treated: 0.6, maxYears: 30, minAge: 2,
	},
	condIHD: {
		key: "ihd", icd: "I25.9", display: "Bệnh tim thiếu máu cục bộ mạn, không đặc hiệu",
		prevM:   [8]float64{0, 0, 0.001, 0.006, 0.02, 0.05, 0.08, 0.10},
		prevF:   [8]float64{0, 0, 0.0005, 0.003, 0.012, 0.035, 0.06, 0.08},
		treated: 0.9, maxYears: 15, minAge: 35,
	},
	condStroke: {
		key: "stroke", icd: "I69.3", display: "Di chứng nhồi máu não",
		prevM:   [8]float64{0, 0, 0.001, 0.005, 0.014, 0.032, 0.05, 0.06},
		prevF:   [8]float64{0, 0, 0.001, 0.003, 0.009, 0.021, 0.035, 0.045},
		treated: 0.85, maxYears: 10, minAge: 35,
	},
	condCKD: {
		key: "ckd", icd: "N18.3", display: "Bệnh thận mạn, giai đoạn 3",
		prevM:   [8]float64{0, 0.002, 0.005, 0.01, 0.03, 0.07, 0.14, 0.25},
		prevF:   [8]float64{0, 0.002, 0.005, 0.01, 0.03, 0.08, 0.16, 0.28},
		treated: 0, maxYears: 10, minAge: 25,
	},
	condDepression: {
		key: "depression", icd: "F32.9", display: "Giai đoạn trầm cảm, không đặc hiệu",
		prevM:   [8]float64{0.01, 0.03, 0.025, 0.025, 0.025, 0.035, 0.035, 0.035},
		prevF:   [8]float64{0.015, 0.05, 0.045, 0.045, 0.045, 0.055, 0.055, 0.055},
		treated: 0.5, maxYears: 5, minAge: 12,
	},
	condDementia: {
		key: "dementia", icd: "F03", display: "Sa sút trí tuệ không đặc hiệu",
		prevM:   [8]float64{0, 0, 0, 0, 0.002, 0.01, 0.04, 0.14},
		prevF:   [8]float64{0, 0, 0, 0, 0.002, 0.012, 0.05, 0.18},
		treated: 0.5, maxYears: 8, minAge: 55,
	},
	condTB: {
		key: "tuberculosis", icd: "A15.0", display: "Lao phổi, xác nhận bằng soi đờm có hoặc không có nuôi cấy",
		prevM:   [8]float64{0.0003, 0.0022, 0.0025, 0.0032, 0.0038, 0.0042, 0.0045, 0.0045},
		prevF:   [8]float64{0.0003, 0.0009, 0.0009, 0.0011, 0.0013, 0.0016, 0.0018, 0.0018},
		treated: 1, minAge: 0,
	},
}

// CKD stages 3–5 among prevalent CKD (stage 3 dominates in population
// screening; Hill et al. 2016 meta-analysis).
var ckdStages = [...]struct {
	stage   int
	icd     string
	display string
	share   float64
	egfrLo  float64
	egfrHi  float64
}{
	{3, "N18.3", "Bệnh thận mạn, giai đoạn 3", 0.85, 32, 58},
	{4, "N18.4", "Bệnh thận mạn, giai đoạn 4", 0.11, 16, 29},
	{5, "N18.5", "Bệnh thận mạn, giai đoạn 5", 0.04, 8, 14},
}

// condition is one condition of one person.
type condition struct {
	kind    condKind
	onset   time.Time
	stage   int // CKD stage
	treated bool
	acute   bool      // onset inside the simulated period (stroke: acute I63.9)
	abated  time.Time // TB: end of treatment
}

func (c condition) code() (string, string) {
	s := condSpecs[c.kind]
	switch {
	case c.kind == condCKD && c.stage > 3:
		st := ckdStages[c.stage-3]
		return st.icd, st.display
	case c.kind == condStroke && c.acute:
		return "I63.9", "Nhồi máu não, không đặc hiệu"
	}
	return s.icd, s.display
}

// prevalence returns the modelled probability that a person of the given
// age and sex has condition k at End.
func prevalence(k condKind, age int, male bool) float64 {
	s := &condSpecs[k]
	if male {
		return s.prevM[ageBand(age)]
	}
	return s.prevF[ageBand(age)]
}

// assignConditions draws a person's conditions. The person's latent risk
// multiplies every prevalence so conditions cluster (multimorbidity rises
// with age through the age gradients and with the shared risk), while the
// mean of the multiplier is 1 so population prevalences are preserved.
func assignConditions(r *rand.Rand, p *person, start, end time.Time) {
	years := end.Sub(start).Hours() / 24 / 365.25
	for k := condKind(0); k < numCondKinds; k++ {
		prob := prevalence(k, p.age, p.male)
		if prob == 0 {
			continue
		}
		if k == condTB {
			// Annual incidence over the period; TB risk is independent of
			// the NCD risk factor.
			prob = 1 - pow1m(prob, years)
		} else {
			prob = min(0.95, prob*p.risk)
		}
		if !chance(r, prob) {
			continue
		}
		s := &condSpecs[k]
		c := condition{kind: k, treated: chance(r, s.treated)}
		if k == condTB {
			c.onset = start.Add(time.Duration(r.Float64() * float64(end.Sub(start))))
			if c.onset.Before(p.birth) {
				continue
			}
		} else {
			// Onset uniformly between the later of (minAge, maxYears ago)
			// and End.
			earliest := p.birth.AddDate(s.minAge, 0, 0)
			if lim := end.AddDate(-s.maxYears, 0, 0); lim.After(earliest) {
				earliest = lim
			}
			if !earliest.Before(end) {
				earliest = end.AddDate(0, -1, 0)
			}
			c.onset = earliest.Add(time.Duration(r.Float64() * float64(end.Sub(earliest))))
		}
		c.onset = atClock(c.onset, 8, 0)
		c.acute = !c.onset.Before(start)
		if k == condCKD {
			u := r.Float64()
			c.stage = 3
			for _, st := range ckdStages {
				if u < st.share {
					c.stage = st.stage
					break
				}
				u -= st.share
			}
		}
		p.conds = append(p.conds, c)
	}
}

// pow1m returns (1-p)^years.
func pow1m(p, years float64) float64 {
	out := 1.0
	for y := years; y > 0; y-- {
		if y >= 1 {
			out *= 1 - p
		} else {
			out *= 1 - p*y
		}
	}
	return out
}

func (p *person) has(k condKind) bool {
	for _, c := range p.conds {
		if c.kind == k {
			return true
		}
	}
	return false
}
