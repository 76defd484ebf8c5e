package risk

import (
	"errors"
	"fmt"
	"math"
)

// Sample is one training or evaluation case: the features and whether the
// patient then took fewer than 80 % of their doses (the outcome).
type Sample struct {
	X       Features
	NonAdh  bool
	Sex     string // for subgroup metrics
	AgeBand string
	Region  string
}

// TrainOptions parameterise Train.
type TrainOptions struct {
	// Features selects the inputs by index (all when empty); the baseline
	// model uses only FCover180.
	Features []int
	// Ridge is the L2 penalty on the standardised coefficients (not the
	// intercept); 0 means 1.
	Ridge float64
	// MaxIter bounds Newton steps (0 means 100).
	MaxIter int
}

// ErrNoVariation is returned when the outcome has one class only.
var ErrNoVariation = errors.New("risk: training outcome has a single class")

// Train fits a ridge-penalised logistic regression by Newton–Raphson
// (iteratively reweighted least squares) on standardised features. It is
// deterministic: the same samples in the same order give the same model.
// A hand-written 15-parameter Newton solver is a few dozen lines; a
// numeric library would add a dependency for one matrix solve.
func Train(samples []Sample, o TrainOptions) (*Model, error) {
	if len(samples) < 10 {
		return nil, fmt.Errorf("risk: %d samples: need at least 10", len(samples))
	}
	idx := o.Features
	if len(idx) == 0 {
		for i := range NumFeatures {
			idx = append(idx, i)
		}
	}
	ridge := o.Ridge
	if ridge <= 0 {
		ridge = 1
	}
	iters := o.MaxIter
	if iters <= 0 {
		iters = 100
	}
	k := len(idx)
	names := FeatureNames()
	m := &Model{Intercept: 0}
	pos := 0
	for _, s := range samples {
		if s.NonAdh {
			pos++
		}
	}
	if pos == 0 || pos == len(samples) {
		return nil, ErrNoVariation
	}
	// Standardise: mean 0, standard deviation 1 (constant features keep
	// scale 1 and get a zero coefficient from the ridge).
	for _, j := range idx {
		var mean, sq float64
		for _, s := range samples {
			mean += s.X[j]
		}
		mean /= float64(len(samples))
		for _, s := range samples {
			sq += (s.X[j] - mean) * (s.X[j] - mean)
		}
		sd := math.Sqrt(sq / float64(len(samples)))
		if sd < 1e-9 {
			sd = 1
		}
		m.Features = append(m.Features, names[j])
		m.Mean = append(m.Mean, mean)
		m.Scale = append(m.Scale, sd)
	}
	z := make([][]float64, len(samples))
	for i, s := range samples {
		z[i] = make([]float64, k+1)
		z[i][0] = 1
		for c, j := range idx {
			z[i][c+1] = (s.X[j] - m.Mean[c]) / m.Scale[c]
		}
	}
	beta := make([]float64, k+1)
	beta[0] = math.Log(float64(pos) / float64(len(samples)-pos))
	for range iters {
		h := make([][]float64, k+1)
		for r := range h {
			h[r] = make([]float64, k+1)
		}
		g := make([]float64, k+1)
		for i, s := range samples {
			p := sigmoid(dot(beta, z[i]))
			y := 0.0
			if s.NonAdh {
				y = 1
			}
			w := p * (1 - p)
			for r := range k + 1 {
				g[r] += (y - p) * z[i][r]
				for c := range k + 1 {
					h[r][c] += w * z[i][r] * z[i][c]
				}
			}
		}
		for r := 1; r <= k; r++ {
			g[r] -= ridge * beta[r]
			h[r][r] += ridge
		}
		step, err := solve(h, g)
		if err != nil {
			return nil, fmt.Errorf("risk: newton step: %w", err)
		}
		var biggest float64
		for r := range beta {
			beta[r] += step[r]
			biggest = max(biggest, math.Abs(step[r]))
		}
		if biggest < 1e-10 {
			break
		}
	}
	m.Intercept = beta[0]
	m.Coef = beta[1:]
	return m, nil
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// solve solves a·x = b for a symmetric positive-definite a by Gaussian
// elimination with partial pivoting (a and b are overwritten).
func solve(a [][]float64, b []float64) ([]float64, error) {
	n := len(b)
	for col := range n {
		piv := col
		for r := col + 1; r < n; r++ {
			if math.Abs(a[r][col]) > math.Abs(a[piv][col]) {
				piv = r
			}
		}
		if math.Abs(a[piv][col]) < 1e-12 {
			return nil, errors.New("singular matrix")
		}
		a[col], a[piv] = a[piv], a[col]
		b[col], b[piv] = b[piv], b[col]
		for r := col + 1; r < n; r++ {
			f := a[r][col] / a[col][col]
			for c := col; c < n; c++ {
				a[r][c] -= f * a[col][c]
			}
			b[r] -= f * b[col]
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := b[r]
		for c := r + 1; c < n; c++ {
			s -= a[r][c] * x[c]
		}
		x[r] = s / a[r][r]
	}
	return x, nil
}
