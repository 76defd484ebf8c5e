package synth

import (
	"math"
	"math/rand/v2"
	"time"
)

// course is one patient's simulated clinical history over the period:
// everything the FHIR resources are rendered from.
type course struct {
	p          *person
	seed       int64
	start, end time.Time
	nextID     uint64
	profile    Profile
	app        bool
	stopDate   time.Time // intentional stopper: everything stops here

	condIDs    []string
	condEnc    []int // diagnosis encounter per condition, -1 if before the period
	extraConds []extraCondition
	encounters []encounter
	obs        []observation
	lines      []*drugLine
	rxs        []prescription
	doses      []doseEvent
	allergy    *allergy
	careTeam   *careTeamPlan

	// patient-level physiology
	sbpBase, hbaBase, cholBase, egfrBase, bmi, height, phqBase, mmseBase float64
}

type extraCondition struct {
	id      string
	icd     string
	display string
	enc     int
	onset   time.Time
	end     time.Time
}

type encounter struct {
	id         string
	class      string // AMB or IMP
	typ        string // code in SystemEncounterType
	start, end time.Time
	fac, prac  int
	reasons    []int // condition indexes
	extra      int   // extra condition index or -1
}

type obsKind int

const (
	obsBP obsKind = iota
	obsHR
	obsWeight
	obsHeight
	obsBMI
	obsHbA1c
	obsFPG
	obsCreatinine
	obsEGFR
	obsCholesterol
	obsLDL
	obsPHQ9
	obsMMSE
)

type observation struct {
	id   string
	enc  int
	kind obsKind
	t    time.Time
	v    float64
	v2   float64 // diastolic for obsBP
}

// drugLine is one drug taken for one condition over a span of time.
type drugLine struct {
	drug       drugKey
	cond       int
	from       time.Time
	until      time.Time // clinician stopped or course ended; zero = open
	selfStop   time.Time // the patient stopped (side effect); zero = never
	stopReason string
	handled    bool // the clinician has seen the self-stop
	supply     []span
	scheduled  []uint8 // per day from course start
	taken      []uint8
	// missRun counts the prescribed doses not taken since the last one
	// taken (ground truth of the consecutive-missed-doses alert).
	missRun int
}

type span struct{ from, to time.Time } // [from, to)

type prescription struct {
	id, dispID string
	line       int
	enc        int
	start      time.Time
	days       int
	stopped    string // statusReason when the clinician stopped it
	dispensed  time.Time
}

type doseEvent struct {
	id     string
	line   int
	t      time.Time
	taken  bool
	reason string
}

type allergy struct {
	id, text, atc, category, reaction, criticality string
	recorded                                       time.Time
}

type careTeamPlan struct {
	teamID, planID string
	fac, doctor    int
	chw            int
	start          time.Time
}

func (c *course) id() string {
	c.nextID++
	return newID(c.seed, uint64(c.p.idx)+1, c.nextID)
}

// dayIndex returns the day of t counted from the course start.
func (c *course) dayIndex(t time.Time) int {
	return int(atClock(t, 12, 0).Sub(atClock(c.start, 12, 0)).Hours() / 24)
}

func (c *course) nDays() int { return c.dayIndex(c.end) + 1 }

// simulate runs the patient's course. It is a pure function of the
// generator seed, the person and the care system.
func (g *Generator) simulate(p *person, cs *careSystem) *course {
	r := newRand(g.cfg.Seed, streamClinical, uint64(p.idx))
	c := &course{p: p, seed: g.cfg.Seed, start: g.cfg.Start, end: g.cfg.End}
	c.physiology(r)
	for range p.conds {
		c.condIDs = append(c.condIDs, c.id())
		c.condEnc = append(c.condEnc, -1)
	}
	var scheduled bool
	for _, cd := range p.conds {
		if cd.treated && cd.kind != condCKD {
			scheduled = true
		}
	}
	if scheduled {
		c.profile = drawProfile(r)
		c.app = chance(r, g.cfg.AppShare)
		if c.profile == ProfileIntentionalStopper {
			c.stopDate = atClock(c.start.Add(time.Duration(r.Float64()*float64(c.end.Sub(c.start)))), 8, 0)
		}
	}
	if chance(r, 0.05) {
		c.allergy = drawAllergy(r, c)
	}
	g.acuteEvents(r, c, cs)
	g.chronicProgramme(r, c, cs)
	g.tbProgramme(r, c, cs)
	if !c.hasChronicVisits() && p.age >= 18 && chance(r, 0.25) {
		g.checkUp(r, c, cs)
	}
	return c
}

func (c *course) hasChronicVisits() bool {
	for _, e := range c.encounters {
		if e.typ == encChronic {
			return true
		}
	}
	return false
}

// Encounter types (SystemEncounterType).
const (
	encChronic   = "chronic-follow-up"
	encDiagnosis = "diagnosis"
	encAdmission = "admission"
	encCheckUp   = "health-check"
	encTB        = "tb-treatment"
)

var encTypeDisplay = map[string]string{
	encChronic:   "Khám và cấp thuốc bệnh mạn tính",
	encDiagnosis: "Khám chẩn đoán",
	encAdmission: "Điều trị nội trú",
	encCheckUp:   "Khám sức khoẻ định kỳ",
	encTB:        "Điều trị lao (DOTS)",
}

// physiology draws the patient's untreated levels.
func (c *course) physiology(r *rand.Rand) {
	p := c.p
	age := float64(p.age)
	c.sbpBase = clamp(normal(r, 110+0.35*math.Max(0, age-30), 8), 95, 138)
	if p.has(condHypertension) {
		c.sbpBase = clamp(normal(r, 158, 10), 142, 200)
	}
	c.hbaBase = clamp(normal(r, 5.3, 0.3), 4.5, 6.2)
	if p.has(condDiabetes) {
		c.hbaBase = clamp(normal(r, 9.0, 1.3), 6.8, 14)
	}
	c.cholBase = clamp(normal(r, 5.1, 0.9), 3.2, 8.5)
	c.egfrBase = clamp(normal(r, 105-0.8*math.Max(0, age-30), 10), 62, 130)
	for _, cd := range p.conds {
		if cd.kind == condCKD {
			st := ckdStages[cd.stage-3]
			c.egfrBase = uniform(r, st.egfrLo, st.egfrHi)
		}
	}
	c.bmi = clamp(normal(r, 22.3, 3), 16, 38)
	if p.has(condDiabetes) || p.has(condHypertension) {
		c.bmi += 1.5
	}
	// Adult height by sex and birth cohort (Vietnamese adults: men about
	// 165 cm, women about 154 cm; younger cohorts taller).
	cohort := math.Max(0, float64(p.birth.Year()-1950)) * 0.06
	if p.male {
		c.height = normal(r, 162+cohort, 5.5)
	} else {
		c.height = normal(r, 152+cohort, 5)
	}
	c.phqBase = clamp(normal(r, 16, 3.5), 10, 27)
	c.mmseBase = clamp(normal(r, 20, 3.5), 10, 26)
}

func drawAllergy(r *rand.Rand, c *course) *allergy {
	a := &allergy{id: c.id(), criticality: "low"}
	switch u := r.Float64(); {
	case u < 0.5:
		a.text, a.atc, a.category, a.reaction = "Dị ứng penicilin (amoxicilin)", "J01CA04", "medication", "Nổi mày đay, ngứa"
	case u < 0.7:
		a.text, a.atc, a.category, a.reaction = "Dị ứng sulfamid (cotrimoxazol)", "J01EE01", "medication", "Phát ban"
	case u < 0.8:
		a.text, a.atc, a.category, a.reaction = "Dị ứng thuốc chống viêm không steroid (ibuprofen)", "M01AE01", "medication", "Phù mạch, khó thở"
		a.criticality = "high"
	default:
		a.text, a.category, a.reaction = "Dị ứng hải sản (tôm, cua)", "food", "Nổi mẩn ngứa, đau bụng"
	}
	a.recorded = atClock(c.start.Add(time.Duration(r.Float64()*float64(c.end.Sub(c.start)))), 9, 0)
	return a
}

// visitTime returns a clinic time on the day of t: mornings mostly.
func visitTime(r *rand.Rand, t time.Time) time.Time {
	if chance(r, 0.7) {
		return atClock(t, 7, 30).Add(time.Duration(r.IntN(180)) * time.Minute)
	}
	return atClock(t, 13, 30).Add(time.Duration(r.IntN(150)) * time.Minute)
}

func (c *course) addEncounter(r *rand.Rand, class, typ string, t time.Time, stay int, fac, prac int, reasons []int) int {
	e := encounter{id: c.id(), class: class, typ: typ, start: t, fac: fac, prac: prac, reasons: reasons, extra: -1}
	if class == "IMP" {
		e.end = atClock(days(t, stay), 9, 0).Add(time.Duration(r.IntN(180)) * time.Minute)
	} else {
		e.end = t.Add(time.Duration(10+r.IntN(35)) * time.Minute)
	}
	c.encounters = append(c.encounters, e)
	return len(c.encounters) - 1
}

func (c *course) addObs(enc int, kind obsKind, t time.Time, v, v2 float64) {
	c.obs = append(c.obs, observation{id: c.id(), enc: enc, kind: kind, t: t, v: v, v2: v2})
}

// acuteEvents adds hospital admissions: acute stroke during the period and
// COPD exacerbations (about 0.3 admissions per patient-year).
func (g *Generator) acuteEvents(r *rand.Rand, c *course, cs *careSystem) {
	p := c.p
	for i, cd := range p.conds {
		switch {
		case cd.kind == condStroke && cd.acute:
			fac := cs.provincial[p.province]
			prac := cs.staffOf(fac, roleDoctor, specNeurology, uint64(p.idx))
			e := c.addEncounter(r, "IMP", encAdmission, cd.onset.Add(time.Duration(r.IntN(600))*time.Minute), between(r, 7, 14), fac, prac, []int{i})
			c.condEnc[i] = e
		case cd.kind == condCOPD:
			from := maxTime(c.start, cd.onset)
			yrs := c.end.Sub(from).Hours() / 24 / 365.25
			n := poisson(r, 0.3*yrs)
			for range n {
				t := atClock(from.Add(time.Duration(r.Float64()*float64(c.end.Sub(from)))), 10, 0)
				if !t.Before(days(c.end, -8)) {
					continue
				}
				fac := pick(r, cs.regional[p.province])
				prac := cs.staffOf(fac, roleDoctor, specRespiratory, uint64(p.idx))
				e := c.addEncounter(r, "IMP", encAdmission, t, between(r, 5, 8), fac, prac, []int{i})
				c.extraConds = append(c.extraConds, extraCondition{
					id: c.id(), icd: "J44.1", display: "Bệnh phổi tắc nghẽn mạn tính có đợt cấp, không đặc hiệu",
					enc: e, onset: t, end: c.encounters[e].end,
				})
				c.encounters[e].extra = len(c.extraConds) - 1
			}
		}
	}
}

func poisson(r *rand.Rand, lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
