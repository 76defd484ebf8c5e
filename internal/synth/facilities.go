package synth

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sen-emr/sen/internal/vn"
)

// facilityLevel is the level of a facility in the Vietnamese care system
// after the 2025 reform: central (Bộ Y tế) hospitals, provincial hospitals,
// regional health centres (the former district hospitals/health centres,
// now "Trung tâm Y tế khu vực" under the provincial health department) and
// commune health stations.
type facilityLevel string

const (
	levelCentral    facilityLevel = "central"
	levelProvincial facilityLevel = "provincial"
	levelRegional   facilityLevel = "regional"
	levelCommune    facilityLevel = "commune"
)

var levelDisplay = map[facilityLevel]string{
	levelCentral:    "Tuyến trung ương",
	levelProvincial: "Tuyến tỉnh",
	levelRegional:   "Trung tâm y tế khu vực",
	levelCommune:    "Trạm y tế xã/phường",
}

type facility struct {
	id       string
	name     string
	code     string
	level    facilityLevel
	province string
	commune  vn.Commune
	parent   int // index of the parent facility, -1 if none
	lung     bool
	staff    []int // practitioner indexes
}

// roleKind is a practitioner's role.
type roleKind int

const (
	roleDoctor roleKind = iota
	roleAssistantPhysician
	roleNurse
	roleMidwife
	rolePharmacist
	roleCHW
)

var roleCodes = [...]struct {
	system, code, display string
}{
	roleDoctor:             {"http://terminology.hl7.org/CodeSystem/practitioner-role", "doctor", "Bác sĩ"},
	roleAssistantPhysician: {SystemRole, "assistant-physician", "Y sĩ"},
	roleNurse:              {"http://terminology.hl7.org/CodeSystem/practitioner-role", "nurse", "Điều dưỡng"},
	roleMidwife:            {SystemRole, "midwife", "Hộ sinh"},
	rolePharmacist:         {"http://terminology.hl7.org/CodeSystem/practitioner-role", "pharmacist", "Dược sĩ"},
	roleCHW:                {SystemRole, "community-health-worker", "Nhân viên y tế thôn, bản"},
}

// specialty codes are SNOMED CT practice-setting codes (the FHIR
// c80-practice-codes value set) with Vietnamese display text.
type specialty int

const (
	specNone specialty = iota
	specFamily
	specInternal
	specCardiology
	specEndocrinology
	specNeurology
	specPsychiatry
	specRespiratory
	specNephrology
)

var specialtyCodes = [...]struct{ code, display string }{
	specNone:          {"", ""},
	specFamily:        {"419772000", "Y học gia đình"},
	specInternal:      {"419192003", "Nội khoa"},
	specCardiology:    {"394579002", "Tim mạch"},
	specEndocrinology: {"394583002", "Nội tiết"},
	specNeurology:     {"394591006", "Thần kinh"},
	specPsychiatry:    {"394587001", "Tâm thần"},
	specRespiratory:   {"418112009", "Hô hấp"},
	specNephrology:    {"394589003", "Thận học"},
}

type practitioner struct {
	id, roleID string
	name       personName
	male       bool
	birthYear  int
	role       roleKind
	spec       specialty
	facility   int
	licence    string
}

// careSystem is the set of facilities and staff serving the population.
type careSystem struct {
	facilities    []facility
	practitioners []practitioner
	central       []int
	provincial    map[string]int   // province code → general hospital
	lung          map[string]int   // province code → lung (TB) hospital
	regional      map[string][]int // province code → regional centres
	chs           map[string]int   // commune code → health station
}

// regionalCentresPerProvince is how many regional health centres the
// generator creates per province: fewer than the real number (roughly one
// per former district), enough to spread patients realistically.
const regionalCentresPerProvince = 3

// buildCareSystem creates central hospitals, one general and one lung
// hospital per province, regional centres, and a health station for every
// commune where someone lives, each with staff.
func (g *Generator) buildCareSystem(pop *population) *careSystem {
	r := newRand(g.cfg.Seed, streamFacilities, 0)
	cs := &careSystem{provincial: map[string]int{}, lung: map[string]int{}, regional: map[string][]int{}, chs: map[string]int{}}
	serial := map[string]int{}
	add := func(f facility) int {
		serial[f.province]++
		f.code = fmt.Sprintf("%s%03d", f.province, serial[f.province])
		f.id = newID(g.cfg.Seed, 0, uint64(len(cs.facilities))+1)
		cs.facilities = append(cs.facilities, f)
		return len(cs.facilities) - 1
	}
	// Central hospitals of the Ministry of Health (real institutions,
	// named so the demo reads naturally; all data about them is synthetic).
	for _, c := range []struct{ name, prov string }{
		{"Bệnh viện Bạch Mai", "01"}, {"Bệnh viện Hữu nghị Việt Đức", "01"}, {"Bệnh viện Phổi Trung ương", "01"},
		{"Bệnh viện Trung ương Huế", "46"}, {"Bệnh viện Chợ Rẫy", "79"}, {"Bệnh viện Thống Nhất", "79"},
	} {
		cs.central = append(cs.central, add(facility{name: c.name, level: levelCentral, province: c.prov, parent: -1}))
	}
	for i := range g.geo.provinces {
		p := &g.geo.provinces[i]
		kind := "tỉnh"
		if p.isCity {
			kind = "thành phố"
		}
		cs.provincial[p.code] = add(facility{name: "Bệnh viện Đa khoa " + kind + " " + p.name, level: levelProvincial, province: p.code, parent: -1})
		cs.lung[p.code] = add(facility{name: "Bệnh viện Phổi " + kind + " " + p.name, level: levelProvincial, province: p.code, parent: -1, lung: true})
		// Regional centres are named after the commune or ward where
		// they sit; prefer wards (former district towns).
		cands := slices.Clone(p.communes)
		slices.SortStableFunc(cands, func(a, b vn.Commune) int {
			return boolInt(b.Type == vn.UnitWard) - boolInt(a.Type == vn.UnitWard)
		})
		nWard := 0
		for _, c := range cands {
			if c.Type == vn.UnitWard {
				nWard++
			}
		}
		seen := map[string]bool{}
		for k := 0; k < regionalCentresPerProvince && k < len(cands); k++ {
			var c vn.Commune
			for {
				if nWard >= regionalCentresPerProvince {
					c = cands[r.IntN(nWard)]
				} else {
					c = cands[r.IntN(len(cands))]
				}
				if !seen[c.Code] {
					break
				}
			}
			seen[c.Code] = true
			cs.regional[p.code] = append(cs.regional[p.code], add(facility{
				name: "Trung tâm Y tế khu vực " + c.Name, level: levelRegional, province: p.code, commune: c,
				parent: cs.provincial[p.code],
			}))
		}
	}
	// Commune health stations where people live, in a stable order.
	var used []vn.Commune
	have := map[string]bool{}
	for i := range pop.people {
		c := pop.people[i].commune
		if !have[c.Code] {
			have[c.Code] = true
			used = append(used, c)
		}
	}
	slices.SortFunc(used, func(a, b vn.Commune) int { return strings.Compare(a.Code, b.Code) })
	for _, c := range used {
		regs := cs.regional[c.ProvinceCode]
		parent := regs[int(mix64(uint64(len(c.Code))+hashString(c.Code))%uint64(len(regs)))]
		cs.chs[c.Code] = add(facility{
			name:  "Trạm Y tế " + lowerFirst(c.Type.Prefix()) + " " + c.Name,
			level: levelCommune, province: c.ProvinceCode, commune: c, parent: parent,
		})
	}
	for i := range pop.people {
		pop.people[i].chs = cs.chs[pop.people[i].commune.Code]
	}
	// Staff. Commune stations: a doctor (or assistant physician), a nurse,
	// a midwife and two village health workers (Decree 117/2014 and
	// Circular 07/2013 on village health workers).
	for fi := range cs.facilities {
		f := &cs.facilities[fi]
		var roles []struct {
			role roleKind
			spec specialty
		}
		addRole := func(role roleKind, spec specialty, n int) {
			for range n {
				roles = append(roles, struct {
					role roleKind
					spec specialty
				}{role, spec})
			}
		}
		switch {
		case f.level == levelCommune:
			if chance(r, 0.7) {
				addRole(roleDoctor, specFamily, 1)
			} else {
				addRole(roleAssistantPhysician, specFamily, 1)
			}
			addRole(roleNurse, specNone, 1)
			addRole(roleMidwife, specNone, 1)
			addRole(roleCHW, specNone, 2)
		case f.level == levelRegional:
			addRole(roleDoctor, specInternal, 2)
			addRole(roleDoctor, specRespiratory, 1)
			addRole(roleNurse, specNone, 2)
			addRole(rolePharmacist, specNone, 1)
		case f.lung:
			addRole(roleDoctor, specRespiratory, 2)
			addRole(roleNurse, specNone, 1)
			addRole(rolePharmacist, specNone, 1)
		default: // provincial general and central hospitals
			addRole(roleDoctor, specInternal, 1)
			addRole(roleDoctor, specCardiology, 1)
			addRole(roleDoctor, specEndocrinology, 1)
			addRole(roleDoctor, specNeurology, 1)
			addRole(roleDoctor, specPsychiatry, 1)
			addRole(roleDoctor, specRespiratory, 1)
			addRole(roleDoctor, specNephrology, 1)
			addRole(roleNurse, specNone, 2)
			addRole(rolePharmacist, specNone, 1)
		}
		for _, rl := range roles {
			n := len(cs.practitioners)
			male := chance(r, 0.45)
			by := g.cfg.End.Year() - between(r, 26, 60)
			prov := g.geo.province(f.province)
			name := drawName(r, drawFamily(r, "01", prov != nil && prov.south, g.geo.kinhFamilies), "01", male, by)
			cs.practitioners = append(cs.practitioners, practitioner{
				id:     newID(g.cfg.Seed, 0, 1<<40+uint64(2*n)),
				roleID: newID(g.cfg.Seed, 0, 1<<40+uint64(2*n+1)),
				name:   name, male: male, birthYear: by, role: rl.role, spec: rl.spec, facility: fi,
				licence: fmt.Sprintf("%06d/%s-CCHN", r.IntN(1_000_000), f.province),
			})
			f.staff = append(f.staff, n)
		}
	}
	return cs
}

// staffOf returns a practitioner of the facility with the role and, if
// possible, the specialty; pick spreads patients over equal candidates.
func (cs *careSystem) staffOf(fi int, role roleKind, spec specialty, pick uint64) int {
	f := &cs.facilities[fi]
	var best []int
	for _, pi := range f.staff {
		p := &cs.practitioners[pi]
		if p.role == role && (spec == specNone || p.spec == spec) {
			best = append(best, pi)
		}
	}
	if len(best) == 0 {
		for _, pi := range f.staff {
			p := &cs.practitioners[pi]
			if p.role == role || (role == roleDoctor && p.role == roleAssistantPhysician) {
				best = append(best, pi)
			}
		}
	}
	if len(best) == 0 {
		return f.staff[0]
	}
	return best[pick%uint64(len(best))]
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// lowerFirst lower-cases the first letter ("Phường" → "phường"), as unit
// types are written inside a facility name.
func lowerFirst(s string) string {
	for i, r := range s {
		return strings.ToLower(string(r)) + s[i+len(string(r)):]
	}
	return s
}
