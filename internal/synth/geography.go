package synth

import (
	"fmt"
	"math/rand/v2"

	"github.com/sen-emr/sen/internal/vn"
)

// geography is the read-only place model: 2025 provinces with their
// population weight, communes, ethnic mix and constituent pre-2025
// provinces (for CCCD place codes and BHYT issuing offices).
type geography struct {
	provinces    []provinceInfo
	provWeights  cumulative
	pre          []preProvince // all 63 with population
	preWeights   cumulative
	kinhFamilies cumulative
}

type provinceInfo struct {
	code, name, fullName string
	isCity               bool
	south                bool // Huế southwards: Huỳnh/Võ spellings dominate
	pop                  float64
	communes             []vn.Commune
	communeWeights       cumulative
	ethnic               []ethnicShare
	ethnicWeights        cumulative
	constituents         []preProvince
	constituentWeights   cumulative
}

func newGeography() (*geography, error) {
	u, err := vn.LoadUnits()
	if err != nil {
		return nil, fmt.Errorf("synth geography: %w", err)
	}
	g := &geography{}
	byCode := map[string]int{}
	for _, p := range u.Provinces() {
		pi := provinceInfo{
			code: p.Code, name: p.Name, fullName: p.FullName(),
			isCity:   p.Type == vn.UnitCity,
			south:    p.Code >= "46",
			communes: u.CommunesOf(p.Code),
			ethnic:   ethnicMix(p.Code),
		}
		if len(pi.communes) == 0 {
			return nil, fmt.Errorf("synth geography: province %s has no communes", p.Code)
		}
		cw := make([]float64, len(pi.communes))
		for i, c := range pi.communes {
			// Wards are urban and on average about twice as populous as
			// rural communes after the 2025 mergers; special zones
			// (islands) are small.
			switch c.Type {
			case vn.UnitWard:
				cw[i] = 2
			case vn.UnitSpecialZone:
				cw[i] = 0.3
			default:
				cw[i] = 1
			}
		}
		pi.communeWeights = newCumulative(cw)
		ew := make([]float64, len(pi.ethnic))
		for i, e := range pi.ethnic {
			if _, ok := u.Ethnicity(e.code); !ok {
				return nil, fmt.Errorf("synth geography: unknown ethnic code %s", e.code)
			}
			ew[i] = e.share
		}
		pi.ethnicWeights = newCumulative(ew)
		byCode[p.Code] = len(g.provinces)
		g.provinces = append(g.provinces, pi)
	}
	preW := make([]float64, 0, len(prePopulation))
	for _, pp := range prePopulation {
		pre, ok := u.PreReformProvince(pp.code)
		if !ok {
			return nil, fmt.Errorf("synth geography: unknown pre-2025 province %s", pp.code)
		}
		i, ok := byCode[pre.Successor]
		if !ok {
			return nil, fmt.Errorf("synth geography: pre-2025 province %s has unknown successor %q", pp.code, pre.Successor)
		}
		g.provinces[i].constituents = append(g.provinces[i].constituents, pp)
		g.provinces[i].pop += pp.pop
		g.pre = append(g.pre, pp)
		preW = append(preW, pp.pop)
	}
	g.preWeights = newCumulative(preW)
	pw := make([]float64, len(g.provinces))
	for i := range g.provinces {
		p := &g.provinces[i]
		if len(p.constituents) == 0 {
			return nil, fmt.Errorf("synth geography: province %s has no population data", p.code)
		}
		w := make([]float64, len(p.constituents))
		for j, c := range p.constituents {
			w[j] = c.pop
		}
		p.constituentWeights = newCumulative(w)
		pw[i] = p.pop
	}
	g.provWeights = newCumulative(pw)
	fw := make([]float64, len(kinhFamilies))
	for i, f := range kinhFamilies {
		fw[i] = f.w
	}
	g.kinhFamilies = newCumulative(fw)
	return g, nil
}

// birthPlace returns the pre-2025 province code where a resident of p had
// their birth registered: usually one of p's constituents, for migrants
// anywhere in the country.
func (p *provinceInfo) birthPlace(r *rand.Rand, g *geography) string {
	if chance(r, migrantShare(p.code)) {
		return g.pre[g.preWeights.pick(r)].code
	}
	return p.constituents[p.constituentWeights.pick(r)].code
}

// issuer returns the pre-2025 province code written on a BHYT card issued
// to a resident of the 2025 province.
func (g *geography) issuer(code string, r *rand.Rand) string {
	for i := range g.provinces {
		if g.provinces[i].code == code {
			p := &g.provinces[i]
			return p.constituents[p.constituentWeights.pick(r)].code
		}
	}
	return code
}

func (g *geography) province(code string) *provinceInfo {
	for i := range g.provinces {
		if g.provinces[i].code == code {
			return &g.provinces[i]
		}
	}
	return nil
}
