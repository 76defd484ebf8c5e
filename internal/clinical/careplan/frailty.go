package careplan

import (
	"strings"
	"time"
)

// Frailty levels.
const (
	FrailtyRobust    = "robust"
	FrailtyPreFrail  = "pre-frail"
	FrailtyFrail     = "frail"
	frailtyThreshold = 3
)

// Frailty is a record-based frailty screen: an electronic frailty index in
// the spirit of eFI, short enough to explain on a worklist. Points: age ≥ 85
// two, 75–84 one; dementia two; a recorded frailty diagnosis two; falls one;
// stroke sequelae one; hip fracture one; four or more active chronic
// conditions one. Three or more points is frail, one or two pre-frail.
type Frailty struct {
	Level   string
	Points  int
	Reasons []string // reason codes, see reasonText
}

// frailtyCodes maps ICD-10 prefixes and SNOMED CT codes to a reason.
var frailtyICD = []struct {
	prefix, reason string
	points         int
}{
	{"F00", "dementia", 2}, {"F01", "dementia", 2}, {"F02", "dementia", 2}, {"F03", "dementia", 2}, {"G30", "dementia", 2},
	{"R54", "frailty", 2},
	{"W0", "falls", 1}, {"W10", "falls", 1}, {"W18", "falls", 1}, {"W19", "falls", 1}, {"R29.6", "falls", 1}, {"Z91.81", "falls", 1},
	{"I69", "stroke", 1},
	{"S72", "hip-fracture", 1},
}

var frailtySNOMED = map[string]struct {
	reason string
	points int
}{
	"52448006": {"dementia", 2}, "26929004": {"dementia", 2}, "248279007": {"frailty", 2},
	"161898004": {"falls", 1}, "217082002": {"falls", 1}, "440140008": {"stroke", 1}, "5913000": {"hip-fracture", 1},
}

type conditionJSON struct {
	ClinicalStatus *concept `json:"clinicalStatus"`
	Code           concept  `json:"code"`
	Abatement      *string  `json:"abatementDateTime"`
}

func (c *conditionJSON) active() bool {
	if c.ClinicalStatus == nil {
		return c.Abatement == nil
	}
	for _, cd := range c.ClinicalStatus.Coding {
		switch cd.Code {
		case "active", "recurrence", "relapse":
			return true
		}
	}
	return false
}

// assessFrailty scores age and the active conditions.
func assessFrailty(age int, conds []conditionJSON) Frailty {
	var f Frailty
	add := func(reason string, pts int) {
		for _, r := range f.Reasons {
			if r == reason {
				return
			}
		}
		f.Reasons = append(f.Reasons, reason)
		f.Points += pts
	}
	switch {
	case age >= 85:
		add("age85", 2)
	case age >= 75:
		add("age75", 1)
	}
	chronic := 0
	for i := range conds {
		c := &conds[i]
		if !c.active() {
			continue
		}
		chronic++
		for _, cd := range c.Code.Coding {
			if strings.Contains(cd.System, "snomed") {
				if hit, ok := frailtySNOMED[cd.Code]; ok {
					add(hit.reason, hit.points)
				}
				continue
			}
			for _, p := range frailtyICD {
				if strings.HasPrefix(strings.ToUpper(cd.Code), p.prefix) {
					add(p.reason, p.points)
				}
			}
		}
	}
	if chronic >= 4 {
		add("multimorbidity", 1)
	}
	switch {
	case f.Points >= frailtyThreshold:
		f.Level = FrailtyFrail
	case f.Points > 0:
		f.Level = FrailtyPreFrail
	default:
		f.Level = FrailtyRobust
	}
	return f
}

// ageOn returns the age in whole years on day now of someone born on birth
// (-1 when birth is unknown).
func ageOn(birth string, now time.Time, loc *time.Location) int {
	b, ok := parseTime(birth, loc)
	if !ok {
		return -1
	}
	now = now.In(loc)
	age := now.Year() - b.Year()
	if now.Month() < b.Month() || now.Month() == b.Month() && now.Day() < b.Day() {
		age--
	}
	return age
}
