package risk

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/optimize"
)

// solverCase is one training problem on which Train is compared with the
// coefficients that the hand-written Newton solver (Gaussian elimination,
// replaced by gonum's Cholesky) found: testdata/newton-golden.json was
// written by that solver before it was deleted.
type solverCase struct {
	Name     string    `json:"name"`
	Features []int     `json:"features,omitempty"`
	Ridge    float64   `json:"ridge,omitempty"`
	Beta     []float64 `json:"beta"` // intercept, then coefficients
}

// The cases share one synthetic population (seed 3, 2,000 people) so the
// test generates it once.
const solverSeed, solverPatients = 3, 2000

var solverCases = []solverCase{
	{Name: "all features"},
	{Name: "prior cover only", Features: []int{FCover180}},
	{Name: "weak ridge", Ridge: 1e-3},
	{Name: "strong ridge", Ridge: 50},
	{Name: "refill features", Features: []int{FCover180, FCoverTrend, FMaxGap, FLateRefills}},
}

const goldenPath = "testdata/newton-golden.json"

// TestTrainMatchesNewton requires Train to reproduce the old solver's
// coefficients to 1e-6 (TestTrainModel does the same at full size
// against model.json).
func TestTrainMatchesNewton(t *testing.T) {
	var golden []solverCase
	b, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &golden); err != nil {
		t.Fatal(err)
	}
	if len(golden) != len(solverCases) {
		t.Fatalf("%s has %d cases, want %d", goldenPath, len(golden), len(solverCases))
	}
	ss := samples(t, population(t, solverSeed, solverPatients))
	for i, c := range solverCases {
		t.Run(c.Name, func(t *testing.T) {
			if golden[i].Name != c.Name {
				t.Fatalf("golden case %d is %q", i, golden[i].Name)
			}
			m, err := Train(ss, TrainOptions{Features: c.Features, Ridge: c.Ridge})
			if err != nil {
				t.Fatal(err)
			}
			got := append([]float64{m.Intercept}, m.Coef...)
			want := golden[i].Beta
			if len(got) != len(want) {
				t.Fatalf("%d coefficients, want %d", len(got), len(want))
			}
			var worst float64
			for j := range want {
				worst = max(worst, math.Abs(got[j]-want[j]))
			}
			t.Logf("%d samples: largest difference from the Newton solver %.2g", len(ss), worst)
			if worst > 1e-6 {
				t.Errorf("coefficients %v, want %v (Newton) within 1e-6", got, want)
			}
		})
	}
}

// trainBFGS fits the same penalised likelihood as Train with gonum's
// quasi-Newton minimiser instead of IRLS: the alternative weighed in
// docs/decisions.md (same optimum, measured by BenchmarkTrain).
func trainBFGS(tb testing.TB, ss []Sample, ridge float64) []float64 {
	tb.Helper()
	m, err := Train(ss, TrainOptions{Ridge: ridge, MaxIter: 1}) // for the standardisation only
	if err != nil {
		tb.Fatal(err)
	}
	k := NumFeatures + 1
	z := make([][]float64, len(ss))
	for i, s := range ss {
		z[i] = make([]float64, k)
		z[i][0] = 1
		for j := range NumFeatures {
			z[i][j+1] = (s.X[j] - m.Mean[j]) / m.Scale[j]
		}
	}
	nll := func(beta, grad []float64) float64 {
		var f float64
		for j := range grad {
			grad[j] = 0
		}
		for i, s := range ss {
			var eta float64
			for j := range k {
				eta += beta[j] * z[i][j]
			}
			p := sigmoid(eta)
			y := 0.0
			if s.NonAdh {
				y = 1
			}
			// log(1+e^η) − yη, stable for large |η|.
			f += math.Max(eta, 0) + math.Log1p(math.Exp(-math.Abs(eta))) - y*eta
			for j := range k {
				grad[j] += (p - y) * z[i][j]
			}
		}
		for j := 1; j < k; j++ {
			f += ridge / 2 * beta[j] * beta[j]
			grad[j] += ridge * beta[j]
		}
		return f
	}
	p := optimize.Problem{
		Func: func(beta []float64) float64 { return nll(beta, make([]float64, k)) },
		Grad: func(grad, beta []float64) { nll(beta, grad) },
	}
	res, err := optimize.Minimize(p, make([]float64, k), &optimize.Settings{GradientThreshold: 1e-8}, &optimize.BFGS{})
	if err != nil {
		// Near the optimum the line search stalls on rounding (gradient
		// about 1e-6 at 2,000 patients); accept that, not a real failure.
		g := make([]float64, k)
		nll(res.X, g)
		if worst := floats.Norm(g, math.Inf(1)); worst > 1e-5 {
			tb.Fatalf("bfgs: %v (gradient %.2g after %d iterations)", err, worst, res.Stats.MajorIterations)
		}
	}
	return res.X
}

// TestBFGSAgrees checks that the quasi-Newton alternative reaches the
// optimum IRLS finds (to 1e-6), so the benchmark compares like with like.
func TestBFGSAgrees(t *testing.T) {
	ss := samples(t, population(t, solverSeed, solverPatients))
	m, err := Train(ss, TrainOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := trainBFGS(t, ss, 1)
	want := append([]float64{m.Intercept}, m.Coef...)
	for j := range want {
		if math.Abs(got[j]-want[j]) > 1e-6 {
			t.Errorf("BFGS coefficient %d = %.9f, IRLS %.9f", j, got[j], want[j])
		}
	}
}

// BenchmarkTrain fits the committed model's problem (2,167 training
// patients, 14 features) by IRLS with gonum's Cholesky (Train) and by
// gonum's BFGS minimiser (docs/benchmarks.md).
func BenchmarkTrain(b *testing.B) {
	ss := samples(b, population(b, trainSeed, trainPatients))
	b.Run("irls-cholesky", func(b *testing.B) {
		for b.Loop() {
			if _, err := Train(ss, TrainOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("bfgs", func(b *testing.B) {
		for b.Loop() {
			trainBFGS(b, ss, 1)
		}
	})
}
