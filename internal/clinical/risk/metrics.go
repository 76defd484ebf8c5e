package risk

import "sort"

// AUC is the area under the ROC curve of scores for the labels (the
// probability that a random positive scores above a random negative, ties
// counting one half), by the rank-sum formula. It is 0.5 when one class
// is empty.
func AUC(scores []float64, labels []bool) float64 {
	type pair struct {
		s float64
		y bool
	}
	ps := make([]pair, len(scores))
	for i := range scores {
		ps[i] = pair{scores[i], labels[i]}
	}
	sort.Slice(ps, func(i, j int) bool { return ps[i].s < ps[j].s })
	var rankSum, pos, neg float64
	for i := 0; i < len(ps); {
		j := i
		for j < len(ps) && ps[j].s == ps[i].s {
			j++
		}
		rank := float64(i+j+1) / 2 // mean of ranks i+1 … j
		for k := i; k < j; k++ {
			if ps[k].y {
				rankSum += rank
				pos++
			} else {
				neg++
			}
		}
		i = j
	}
	if pos == 0 || neg == 0 {
		return 0.5
	}
	return (rankSum - pos*(pos+1)/2) / (pos * neg)
}

// Brier is the mean squared difference between probability and outcome.
func Brier(probs []float64, labels []bool) float64 {
	if len(probs) == 0 {
		return 0
	}
	var s float64
	for i, p := range probs {
		y := 0.0
		if labels[i] {
			y = 1
		}
		s += (p - y) * (p - y)
	}
	return s / float64(len(probs))
}

// Bin is one calibration bin: cases whose predicted probability fell in
// [Lo, Hi), their mean prediction and observed rate.
type Bin struct {
	Lo, Hi              float64
	N                   int
	Predicted, Observed float64
}

// Calibration groups predictions into n equal-width probability bins.
func Calibration(probs []float64, labels []bool, n int) []Bin {
	bins := make([]Bin, n)
	for i := range bins {
		bins[i].Lo, bins[i].Hi = float64(i)/float64(n), float64(i+1)/float64(n)
	}
	for i, p := range probs {
		b := min(int(p*float64(n)), n-1)
		bins[b].N++
		bins[b].Predicted += p
		if labels[i] {
			bins[b].Observed++
		}
	}
	for i := range bins {
		if bins[i].N > 0 {
			bins[i].Predicted /= float64(bins[i].N)
			bins[i].Observed /= float64(bins[i].N)
		}
	}
	return bins
}
