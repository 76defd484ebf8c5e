package synth

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/sen-emr/sen/internal/vn"
)

// person is one member of the synthetic population: the demographic facts
// from which the Patient resource and the clinical course are derived.
type person struct {
	idx       int
	id        string
	household int
	male      bool
	birth     time.Time
	age       int // completed years at Config.End
	ethnicity string
	name      personName
	province  string // 2025 province code of residence
	commune   vn.Commune
	birthPre  string // pre-2025 province code of birth registration
	cccd      string
	bhyt      string
	phone     string
	marital   string // v3 MaritalStatus code
	line      string // house number, street/village
	chs       int    // index of the commune health station in facilities
	conds     []condition
	risk      float64 // latent multimorbidity propensity, mean 1
}

// household is people living together.
type household struct {
	id        string
	members   []int
	province  string
	motherAge int // age of the wife in a couple household (for placing children)
	kids      int
}

// population is the demographic model shared by Run, Bundles and
// GroundTruth. It is rebuilt from the seed on demand.
type population struct {
	people     []person
	households []household
}

// buildPopulation draws ages and sexes from the pyramid, forms households,
// then places each household in a province and commune and gives its
// members ethnicity, names and identifiers. Drawing individuals first and
// grouping them after keeps the age/sex structure exact in expectation,
// which matters more for the demo than perfect family structure.
func (g *Generator) buildPopulation() (*population, error) {
	r := newRand(g.cfg.Seed, streamPopulation, 0)
	pop := &population{people: make([]person, g.cfg.Patients)}
	groups := newCumulative(func() []float64 {
		w := make([]float64, len(agePyramid))
		for i, a := range agePyramid {
			w[i] = a.share
		}
		return w
	}())
	for i := range pop.people {
		grp := agePyramid[groups.pick(r)]
		age := between(r, grp.from, grp.to)
		p := &pop.people[i]
		p.idx = i
		p.id = newID(g.cfg.Seed, uint64(i)+1, 0)
		p.male = chance(r, grp.maleShare)
		p.age = age
		// Birthday uniformly within the year that gives this age at End.
		lastBirthday := g.cfg.End.AddDate(-age, 0, 0)
		p.birth = atClock(days(lastBirthday, -r.IntN(365)), 0, 0)
		if p.birth.After(g.cfg.End) {
			p.birth = atClock(g.cfg.End, 0, 0)
		}
		p.age = ageAt(p.birth, g.cfg.End)
		p.risk = riskFactor(r)
	}
	formHouseholds(r, pop)
	if err := g.placeHouseholds(r, pop); err != nil {
		return nil, err
	}
	return pop, nil
}

// ageAt returns completed years of age at t.
func ageAt(birth, t time.Time) int {
	y := t.Year() - birth.Year()
	if t.YearDay() < birth.YearDay() {
		y--
	}
	if y < 0 {
		return 0
	}
	return y
}

// riskFactor is a lognormal multiplier with mean 1 applied to every
// condition's prevalence; sharing it across conditions makes them
// cluster in the same people (multimorbidity) without moving the
// population prevalence.
func riskFactor(r *rand.Rand) float64 {
	const sigma = 0.6
	return math.Exp(sigma*r.NormFloat64() - sigma*sigma/2)
}

// marriedShare is the share of people of an age living with a spouse
// (census 2019: about 77% of people 15+ ever married; widowhood rises
// steeply after 60, mostly among women).
func marriedShare(age int) float64 {
	switch {
	case age < 20:
		return 0
	case age < 25:
		return 0.3
	case age < 30:
		return 0.65
	case age < 60:
		return 0.88
	case age < 70:
		return 0.8
	case age < 80:
		return 0.65
	}
	return 0.45
}

// formHouseholds groups people into couples, children with parents, and
// older people with their adult children.
func formHouseholds(r *rand.Rand, pop *population) {
	const maxAge = 100
	var avail [2][maxAge + 1][]int // [female=0|male=1][age] → unassigned people
	order := r.Perm(len(pop.people))
	for _, i := range order {
		p := &pop.people[i]
		p.household = -1
		s := 0
		if p.male {
			s = 1
		}
		avail[s][min(p.age, maxAge)] = append(avail[s][min(p.age, maxAge)], i)
	}
	take := func(sex, age int) (int, bool) {
		if age < 0 || age > maxAge || len(avail[sex][age]) == 0 {
			return 0, false
		}
		l := avail[sex][age]
		i := l[len(l)-1]
		avail[sex][age] = l[:len(l)-1]
		return i, true
	}
	byMotherAge := make([][]int, maxAge+1) // mother age → households with room for children
	newHH := func(members ...int) int {
		h := len(pop.households)
		pop.households = append(pop.households, household{members: members, motherAge: -1})
		for _, m := range members {
			pop.people[m].household = h
		}
		return h
	}
	join := func(h, m int) {
		pop.households[h].members = append(pop.households[h].members, m)
		pop.people[m].household = h
	}
	// findHH returns a household whose mother is about `target` years old
	// and that has room: at most 4 children, or 7 members in all.
	findHH := func(target, spread int, wantRoom bool) (int, bool) {
		for d := 0; d <= spread; d++ {
			for _, a := range []int{target - d, target + d} {
				if a < 15 || a > maxAge {
					continue
				}
				for len(byMotherAge[a]) > 0 {
					l := byMotherAge[a]
					k := r.IntN(len(l))
					h := l[k]
					hh := &pop.households[h]
					if len(hh.members) >= 7 || (wantRoom && hh.kids >= 4) {
						if len(hh.members) >= 7 {
							l[k] = l[len(l)-1]
							byMotherAge[a] = l[:len(l)-1]
							continue
						}
						break // full of children: try the next age
					}
					return h, true
				}
			}
		}
		return 0, false
	}
	// 1. Couples: men pick a wife a few years younger.
	for age := 18; age <= maxAge; age++ {
		men := avail[1][age]
		var single []int
		for _, man := range men {
			if !chance(r, marriedShare(age)) {
				single = append(single, man)
				continue
			}
			gap := int(clamp(normal(r, 3, 3), -3, 12))
			wife, ok := -1, false
			for d := 0; d <= 6 && !ok; d++ {
				for _, a := range []int{age - gap - d, age - gap + d} {
					if a >= 18 {
						if w, got := take(0, a); got {
							wife, ok = w, true
							break
						}
					}
				}
			}
			if !ok {
				single = append(single, man)
				continue
			}
			h := newHH(man, wife)
			pop.people[man].marital, pop.people[wife].marital = "M", "M"
			pop.households[h].motherAge = pop.people[wife].age
			byMotherAge[pop.people[wife].age] = append(byMotherAge[pop.people[wife].age], h)
		}
		avail[1][age] = single
	}
	// 2. Children under 18 join a couple whose mother was 20–38 at birth.
	var left []int
	for age := 0; age < 18; age++ {
		for _, s := range []int{0, 1} {
			for _, c := range avail[s][age] {
				if h, ok := findHH(age+between(r, 20, 38), 12, true); ok {
					join(h, c)
					pop.households[h].kids++
				} else {
					left = append(left, c)
				}
			}
			avail[s][age] = nil
		}
	}
	// 3. Unmarried young adults mostly live with their parents; widowed
	// and single older people mostly live with an adult child (about two
	// thirds of Vietnamese aged 60+ co-reside with children: VNAS 2019).
	for age := 18; age <= maxAge; age++ {
		for _, s := range []int{0, 1} {
			for _, c := range avail[s][age] {
				var h int
				var ok bool
				switch {
				case age < 30 && chance(r, 0.85):
					h, ok = findHH(age+between(r, 20, 38), 10, false)
				case age >= 30 && age < 60 && chance(r, 0.5):
					h, ok = findHH(age+between(r, 20, 38), 10, false)
				case age >= 60 && chance(r, 0.75):
					h, ok = findHH(age-between(r, 22, 38), 10, false)
				}
				if ok {
					join(h, c)
				} else {
					left = append(left, c)
				}
			}
			avail[s][age] = nil
		}
	}
	// 4. Many older couples live with a married child (three-generation
	// households remain common in Viet Nam).
	for h := range pop.households {
		hh := &pop.households[h]
		if len(hh.members) != 2 || hh.motherAge < 58 || !chance(r, 0.4) {
			continue
		}
		t, ok := findHH(hh.motherAge-between(r, 22, 38), 8, false)
		if !ok || t == h || len(pop.households[t].members) > 5 {
			continue
		}
		for _, m := range hh.members {
			join(t, m)
		}
		hh.members = nil
		hh.motherAge = -1
	}
	// 5. Everyone else lives alone, except children left over (a small
	// population without enough parents), who join any household.
	for _, c := range left {
		p := &pop.people[c]
		if p.age < 18 && len(pop.households) > 0 {
			join(r.IntN(len(pop.households)), c)
			continue
		}
		newHH(c)
	}
	// Drop the households emptied by step 4 and renumber.
	kept := pop.households[:0]
	for _, hh := range pop.households {
		if len(hh.members) == 0 {
			continue
		}
		for _, m := range hh.members {
			pop.people[m].household = len(kept)
		}
		kept = append(kept, hh)
	}
	pop.households = kept
	for i := range pop.people {
		p := &pop.people[i]
		if p.marital == "" {
			switch {
			case p.age < 18:
				p.marital = ""
			case p.age >= 60 && chance(r, 0.7):
				p.marital = "W"
			default:
				p.marital = "S"
			}
		}
	}
}

// placeHouseholds assigns each household a province (weighted by
// population), a commune (wards weighted above rural communes, which are
// smaller), an ethnic group, family names, identifiers and phones.
func (g *Generator) placeHouseholds(r *rand.Rand, pop *population) error {
	geo := g.geo
	for h := range pop.households {
		hh := &pop.households[h]
		hh.id = fmt.Sprintf("hh-%d-%06d", g.cfg.Seed, h+1)
		prov := geo.provinces[geo.provWeights.pick(r)]
		hh.province = prov.code
		com := prov.communes[prov.communeWeights.pick(r)]
		eth := prov.ethnic[prov.ethnicWeights.pick(r)].code
		south := prov.south
		// Members sorted oldest first so parents are named before children.
		slices.SortStableFunc(hh.members, func(a, b int) int { return pop.people[b].age - pop.people[a].age })
		fatherFamily, motherFamily := "", ""
		line := houseLine(r, com.Type)
		for _, m := range hh.members {
			p := &pop.people[m]
			p.province, p.commune, p.ethnicity, p.line = prov.code, com, eth, line
			var fam string
			switch {
			case p.age >= 18 && p.male && fatherFamily == "":
				fam = drawFamily(r, eth, south, geo.kinhFamilies)
				fatherFamily = fam
			case p.age >= 18 && !p.male && motherFamily == "":
				fam = drawFamily(r, eth, south, geo.kinhFamilies)
				motherFamily = fam
			case p.age < 18 && fatherFamily != "":
				fam = fatherFamily
			case p.age < 18 && motherFamily != "":
				fam = motherFamily
			default:
				// Other adults (a widowed parent, an adult child): an adult
				// child shares the father's name; a grandparent has their own.
				if p.age < 40 && fatherFamily != "" {
					fam = fatherFamily
				} else {
					fam = drawFamily(r, eth, south, geo.kinhFamilies)
				}
			}
			p.name = drawName(r, fam, eth, p.male, p.birth.Year())
			p.birthPre = prov.birthPlace(r, geo)
			if err := g.identify(r, p); err != nil {
				return fmt.Errorf("household %d: %w", h, err)
			}
		}
	}
	return nil
}

func houseLine(r *rand.Rand, t vn.UnitType) string {
	if t == vn.UnitWard {
		streets := []string{"Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Lý Thường Kiệt", "Quang Trung",
			"Nguyễn Huệ", "Hùng Vương", "Điện Biên Phủ", "Lê Duẩn", "Phan Chu Trinh", "Trần Phú", "Võ Thị Sáu", "Bà Triệu"}
		if chance(r, 0.4) {
			return fmt.Sprintf("Số %d ngõ %d đường %s", between(r, 1, 80), between(r, 2, 300), pick(r, streets))
		}
		return fmt.Sprintf("Số %d đường %s", between(r, 1, 400), pick(r, streets))
	}
	villages := []string{"Thôn", "Thôn", "Xóm", "Ấp", "Bản", "Tổ dân phố"}
	return fmt.Sprintf("%s %d", pick(r, villages), between(r, 1, 15))
}

// identify gives a person their CCCD (birth year, sex and birth province
// encoded), BHYT card (beneficiary group by age) and, from age 12, a
// mobile phone.
func (g *Generator) identify(r *rand.Rand, p *person) error {
	sex := vn.SexFemale
	if p.male {
		sex = vn.SexMale
	}
	var err error
	// Children under 14 have a personal ID number from birth registration
	// but rarely a card; the number is the same.
	if p.cccd, err = vn.GenerateCCCD(r, p.birthPre, sex, p.birth.Year()); err != nil {
		return fmt.Errorf("generate CCCD: %w", err)
	}
	group, level := bhytGroup(r, p)
	issuer := g.geo.issuer(p.province, r)
	if p.bhyt, err = vn.GenerateBHYT(r, group, level, issuer); err != nil {
		return fmt.Errorf("generate BHYT: %w", err)
	}
	if p.age >= 12 && chance(r, phoneShare(p.age)) {
		p.phone = vn.GeneratePhone(r)
	}
	return nil
}

// phoneShare: mobile phone ownership by age (VNNIC/GSO surveys report
// above 90% of adults; lower among the oldest and young teenagers).
func phoneShare(age int) float64 {
	switch {
	case age < 15:
		return 0.4
	case age < 60:
		return 0.95
	case age < 80:
		return 0.8
	}
	return 0.5
}

// bhytGroup picks a beneficiary group and benefit level (1–5) plausible
// for the person's age: children under 6 (TE), pupils (HS), students (SV),
// employees (DN, HC), households (GD), near-poor and poor (CN, HN),
// pensioners (HT) and social-allowance recipients aged 80+ (BT).
// Coverage is about 93% of the population (VSS 2024); the uninsured still
// get a card number here because the demo needs one per patient.
func bhytGroup(r *rand.Rand, p *person) (string, int) {
	switch {
	case p.age < 6:
		return "TE", 1
	case p.age < 18:
		return "HS", 4
	case p.age < 23 && chance(r, 0.4):
		return "SV", 4
	case p.age >= 80 && chance(r, 0.6):
		return "BT", 2
	case p.age >= 60 && chance(r, 0.35):
		return "HT", 3
	}
	switch u := r.Float64(); {
	case u < 0.04:
		return "HN", 1
	case u < 0.08:
		return "CN", 2
	case u < 0.40 && p.age < 60:
		return "DN", 4
	case u < 0.48 && p.age < 60:
		return "HC", 4
	default:
		return "GD", 4
	}
}
