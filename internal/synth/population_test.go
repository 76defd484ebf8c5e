package synth

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/vn"
)

// rateCheck compares an observed proportion with a target: it passes when
// the difference is within 4 binomial standard errors plus a modelling
// allowance (the targets are rounded published figures).
func rateCheck(tb testing.TB, name string, hits, n int, want, allowance float64) {
	tb.Helper()
	if n == 0 {
		tb.Errorf("%s: no people in the denominator", name)
		return
	}
	got := float64(hits) / float64(n)
	se := math.Sqrt(want * (1 - want) / float64(n))
	if math.Abs(got-want) > 4*se+allowance {
		tb.Errorf("%s = %.4f (%d/%d), want %.4f ± %.4f", name, got, hits, n, want, 4*se+allowance)
	}
}

// TestPopulationRates generates 10,000 people and checks the demographic
// and clinical rates the model is built on, printing the table (go test
// -v). It runs the population model only (no FHIR rendering), so it is
// fast enough to run always.
func TestPopulationRates(t *testing.T) {
	start := time.Now()
	const n = 10_000
	g := New(testConfig(n))
	if err := g.model(); err != nil {
		t.Fatal(err)
	}
	people := g.pop.people
	var over60, over80, males, kinh int
	for i := range people {
		p := &people[i]
		if p.age >= 60 {
			over60++
		}
		if p.age >= 80 {
			over80++
		}
		if p.male {
			males++
		}
		if p.ethnicity == "01" {
			kinh++
		}
	}
	var report strings.Builder
	fmt.Fprintf(&report, "\n%-28s %9s %9s\n", "rate", "got", "target")
	row := func(name string, got, want float64) {
		fmt.Fprintf(&report, "%-28s %9.4f %9.4f\n", name, got, want)
	}
	row("share aged 60+", float64(over60)/n, targetShare60Plus)
	row("share aged 80+", float64(over80)/n, targetShare80Plus)
	sexRatio := 100 * float64(males) / float64(n-males)
	row("males per 100 females", sexRatio, targetSexRatio)
	row("Kinh share", float64(kinh)/n, targetKinhShare)
	hh := float64(n) / float64(len(g.pop.households))
	row("persons per household", hh, targetHouseholdSz)

	rateCheck(t, "share 60+", over60, n, targetShare60Plus, 0.01)
	rateCheck(t, "share 80+", over80, n, targetShare80Plus, 0.004)
	rateCheck(t, "male share", males, n, targetSexRatio/(100+targetSexRatio), 0.005)
	rateCheck(t, "Kinh share", kinh, n, targetKinhShare, 0.03)
	if hh < 2.8 || hh > 4.2 {
		t.Errorf("persons per household = %.2f, want 3.5 ± 0.7", hh)
	}

	// Prevalence by condition, sex-pooled, by age band. The expected rate
	// is the table's rate averaged over the people in the band (so the
	// check is exact for the band's sex and age mix); the risk multiplier
	// is capped at 0.95, which lowers high prevalences slightly, hence the
	// allowance.
	fmt.Fprintf(&report, "\n%-14s", "condition")
	for _, l := range ageBandLabels {
		fmt.Fprintf(&report, " %13s", l)
	}
	report.WriteString("\n")
	years := g.cfg.End.Sub(g.cfg.Start).Hours() / 24 / 365.25
	for k := condKind(0); k < numCondKinds; k++ {
		fmt.Fprintf(&report, "%-14s", condSpecs[k].key)
		for band := range ageBandLabels {
			var hits, total int
			var want float64
			for i := range people {
				p := &people[i]
				if ageBand(p.age) != band {
					continue
				}
				total++
				pr := prevalence(k, p.age, p.male)
				if k == condTB {
					pr = 1 - pow1m(pr, years)
				}
				want += pr
				if p.has(k) {
					hits++
				}
			}
			if total == 0 {
				continue
			}
			want /= float64(total)
			fmt.Fprintf(&report, " %6.3f/%6.3f", float64(hits)/float64(total), want)
			rateCheck(t, fmt.Sprintf("%s %s", condSpecs[k].key, ageBandLabels[band]), hits, total, want, 0.1*want+0.002)
		}
		report.WriteString("\n")
	}
	// Adults 18–69 (the WHO STEPS 2021 age range): hypertension 26.2%,
	// raised glucose or on treatment 7.1%.
	var steps, htn, dm int
	for i := range people {
		p := &people[i]
		if p.age >= 18 && p.age <= 69 {
			steps++
			if p.has(condHypertension) {
				htn++
			}
			if p.has(condDiabetes) {
				dm++
			}
		}
	}
	fmt.Fprintf(&report, "\nSTEPS 18-69: hypertension %.3f (target 0.262), diabetes %.3f (target 0.071)\n",
		float64(htn)/float64(steps), float64(dm)/float64(steps))
	rateCheck(t, "hypertension 18-69", htn, steps, 0.262, 0.02)
	rateCheck(t, "diabetes 18-69", dm, steps, 0.071, 0.01)

	// Multimorbidity (2+ chronic conditions) must rise with age.
	var mm [8][2]int
	for i := range people {
		p := &people[i]
		chronic := 0
		for _, c := range p.conds {
			if c.kind != condTB {
				chronic++
			}
		}
		b := ageBand(p.age)
		mm[b][1]++
		if chronic >= 2 {
			mm[b][0]++
		}
	}
	report.WriteString("\nmultimorbidity (2+):")
	prev := -1.0
	for b := 2; b < 8; b++ {
		share := float64(mm[b][0]) / float64(mm[b][1])
		fmt.Fprintf(&report, " %s %.3f", ageBandLabels[b], share)
		if share < prev-0.01 {
			t.Errorf("multimorbidity falls from %.3f to %.3f at %s", prev, share, ageBandLabels[b])
		}
		prev = share
	}
	t.Log(report.String())
	t.Logf("population model for %d people in %v", n, time.Since(start))
}

// TestIdentifiersConsistent checks that CCCD numbers encode the person's
// birth year and sex, and that BHYT card numbers parse.
func TestIdentifiersConsistent(t *testing.T) {
	g := New(testConfig(2000))
	if err := g.model(); err != nil {
		t.Fatal(err)
	}
	for i := range g.pop.people {
		p := &g.pop.people[i]
		c, err := vn.ParseCCCD(p.cccd)
		if err != nil {
			t.Fatalf("person %d: CCCD %q: %v", i, p.cccd, err)
		}
		sex := vn.SexFemale
		if p.male {
			sex = vn.SexMale
		}
		if err := c.ConsistentWith(p.birth.Year(), sex); err != nil {
			t.Errorf("person %d: %v", i, err)
		}
		if _, err := vn.ParseBHYT(p.bhyt); err != nil {
			t.Errorf("person %d: BHYT %q: %v", i, p.bhyt, err)
		}
		if p.phone != "" {
			if _, err := vn.ParsePhone(p.phone); err != nil {
				t.Errorf("person %d: phone %q: %v", i, p.phone, err)
			}
		}
		if p.commune.ProvinceCode != p.province {
			t.Errorf("person %d: commune %s not in province %s", i, p.commune.Code, p.province)
		}
	}
}
