package synth

import (
	"math"
	"math/rand/v2"
	"time"
)

// Streams separate the random draws of independent parts of the model so
// that changing one part (say, the clinical course) does not reshuffle
// another (names, addresses). Each patient's clinical course has its own
// generator seeded by (seed, stream, patient index), so courses are
// independent of generation order.
const (
	streamPopulation uint64 = iota + 1
	streamFacilities
	streamClinical
	streamIDs
	streamConditions
)

func newRand(seed int64, stream, n uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed)^mix64(stream), mix64(n^stream<<56)))
}

// mix64 is the SplitMix64 finaliser: a fast, well-distributed 64-bit hash.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// newID returns a deterministic RFC 4122 version-4-shaped UUID for the
// n-th resource of an owner (a patient index, or a facility namespace).
// UUIDs keep ids unique across seeds, so two demo populations can share
// one server.
func newID(seed int64, owner, n uint64) string {
	hi := mix64(uint64(seed) ^ mix64(owner^streamIDs<<60))
	lo := mix64(hi ^ mix64(n+1))
	hi = mix64(hi ^ lo)
	var b [16]byte
	for i := range 8 {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	const hexd = "0123456789abcdef"
	out := make([]byte, 36)
	j := 0
	for i, v := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out[j] = '-'
			j++
		}
		out[j] = hexd[v>>4]
		out[j+1] = hexd[v&0x0f]
		j += 2
	}
	return string(out)
}

// weighted picks an index with probability proportional to w[i].
func weighted(r *rand.Rand, w []float64) int {
	total := 0.0
	for _, x := range w {
		total += x
	}
	u := r.Float64() * total
	for i, x := range w {
		if u < x {
			return i
		}
		u -= x
	}
	return len(w) - 1
}

// cumulative is a precomputed table for repeated weighted choice.
type cumulative []float64

func newCumulative(w []float64) cumulative {
	c := make(cumulative, len(w))
	s := 0.0
	for i, x := range w {
		s += x
		c[i] = s
	}
	return c
}

func (c cumulative) pick(r *rand.Rand) int {
	u := r.Float64() * c[len(c)-1]
	lo, hi := 0, len(c)-1
	for lo < hi {
		m := (lo + hi) / 2
		if u < c[m] {
			hi = m
		} else {
			lo = m + 1
		}
	}
	return lo
}

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

func normal(r *rand.Rand, mean, sd float64) float64 { return mean + sd*r.NormFloat64() }

func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

// between returns an integer in [lo, hi].
func between(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

func clamp(x, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, x)) }

func round1(x float64) float64 { return math.Round(x*10) / 10 }

func round2(x float64) float64 { return math.Round(x*100) / 100 }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// days adds n days to t.
func days(t time.Time, n int) time.Time { return t.AddDate(0, 0, n) }

// atClock returns t's date at the given local time of day.
func atClock(t time.Time, hour, minute int) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, hour, minute, 0, 0, vnZone)
}

func fhirDate(t time.Time) string { return t.In(vnZone).Format(time.DateOnly) }

func fhirDateTime(t time.Time) string { return t.In(vnZone).Format("2006-01-02T15:04:05-07:00") }
