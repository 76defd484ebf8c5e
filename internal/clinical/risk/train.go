package risk

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
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
// (iteratively reweighted least squares, the linear algebra from gonum)
// on standardised features. It is deterministic: the same samples in the
// same order give the same model. It fails with fewer than 10 samples,
// with ErrNoVariation when every outcome is the same, and when the
// features are not finite.
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
	beta, err := irls(samples, idx, m.Mean, m.Scale, ridge, iters)
	if err != nil {
		return nil, err
	}
	m.Intercept = beta[0]
	m.Coef = beta[1:]
	return m, nil
}

// irls maximises the ridge-penalised log-likelihood by Newton–Raphson
// (iteratively reweighted least squares) with gonum: each step solves
// (ZᵀWZ + λD)·δ = Zᵀ(y − p) − λDβ by Cholesky, where Z is the design
// matrix of standardised features with a leading column of ones, W the
// diagonal of p(1 − p) and D the identity without the intercept (which
// is not penalised). With λ > 0 and both outcomes present the matrix is
// symmetric positive definite, so Cholesky applies; a failed
// factorisation means degenerate data (NaN or infinite inputs).
func irls(samples []Sample, idx []int, mean, scale []float64, ridge float64, iters int) ([]float64, error) {
	n, k := len(samples), len(idx)+1
	z := mat.NewDense(n, k, nil)
	y := mat.NewVecDense(n, nil)
	pos := 0
	for i, s := range samples {
		z.Set(i, 0, 1)
		for c, j := range idx {
			z.Set(i, c+1, (s.X[j]-mean[c])/scale[c])
		}
		if s.NonAdh {
			y.SetVec(i, 1)
			pos++
		}
	}
	beta := mat.NewVecDense(k, nil)
	beta.SetVec(0, math.Log(float64(pos)/float64(n-pos)))
	var (
		eta, grad, step mat.VecDense
		resid           = mat.NewVecDense(n, nil)
		zw              = mat.NewDense(n, k, nil)
		hess            = mat.NewSymDense(k, nil)
		chol            mat.Cholesky
	)
	for range iters {
		eta.MulVec(z, beta)
		for i := range n {
			p := sigmoid(eta.AtVec(i))
			resid.SetVec(i, y.AtVec(i)-p)
			sw := math.Sqrt(p * (1 - p))
			for c := range k {
				zw.Set(i, c, sw*z.At(i, c))
			}
		}
		// ZᵀWZ = (√W·Z)ᵀ(√W·Z), then the ridge on the diagonal.
		hess.SymOuterK(1, zw.T())
		grad.MulVec(z.T(), resid)
		for r := 1; r < k; r++ {
			hess.SetSym(r, r, hess.At(r, r)+ridge)
			grad.SetVec(r, grad.AtVec(r)-ridge*beta.AtVec(r))
		}
		if ok := chol.Factorize(hess); !ok {
			return nil, errors.New("risk: newton step: the penalised Hessian is not positive definite (non-finite features?)")
		}
		if err := chol.SolveVecTo(&step, &grad); err != nil {
			return nil, fmt.Errorf("risk: newton step: %w", err)
		}
		beta.AddVec(beta, &step)
		if mat.Norm(&step, math.Inf(1)) < 1e-10 {
			break
		}
	}
	out := make([]float64, k)
	for i := range out {
		out[i] = beta.AtVec(i)
		if math.IsNaN(out[i]) || math.IsInf(out[i], 0) {
			return nil, errors.New("risk: training diverged (non-finite coefficient)")
		}
	}
	return out, nil
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }
