package medication

import (
	"math/rand/v2"
	"testing"
)

// pdcPopulation builds n patients with a year of 30-day fills of one or two
// drugs of a class, refilled between 10 days early and 20 days late, from
// a fixed seed so runs compare.
func pdcPopulation(n int) [][]Fill {
	rng := rand.New(rand.NewPCG(1, 2))
	start := Date(2024, 1, 1)
	out := make([][]Fill, n)
	for p := range out {
		drugs := []string{"C09AA02"}
		if rng.IntN(4) == 0 {
			drugs = append(drugs, "C09CA01")
		}
		var fills []Fill
		for _, d := range drugs {
			day := rng.IntN(60)
			for day < 366 {
				fills = append(fills, Fill{Drug: d, Date: start.AddDate(0, 0, day), DaysSupply: 30})
				day += 20 + rng.IntN(31)
			}
		}
		out[p] = fills
	}
	return out
}

// BenchmarkPDC10kPatients computes PDC for 10,000 patients, each with a
// year of fills; one op is the whole population.
func BenchmarkPDC10kPatients(b *testing.B) {
	pop := pdcPopulation(10000)
	o := PDCOptions{PeriodStart: Date(2024, 1, 1), PeriodEnd: Date(2024, 12, 31)}
	b.ReportAllocs()
	for b.Loop() {
		adherent := 0
		for _, fills := range pop {
			r, err := PDC(fills, o)
			if err != nil {
				b.Fatal(err)
			}
			if r.Adherent {
				adherent++
			}
		}
		if adherent == 0 {
			b.Fatal("no adherent patient: generator broken")
		}
	}
}
