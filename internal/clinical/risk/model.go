package risk

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"sort"
)

// Model is a fitted logistic regression over standardised features:
// p = σ(Intercept + Σ Coef[i]·(x[i] − Mean[i]) / Scale[i]).
type Model struct {
	Version string `json:"version"`
	// TrainedOn describes the training data (never the clock: the file is
	// reproducible).
	TrainedOn string    `json:"trainedOn,omitempty"`
	Features  []string  `json:"features"`
	Mean      []float64 `json:"mean"`
	Scale     []float64 `json:"scale"`
	Coef      []float64 `json:"coef"`
	Intercept float64   `json:"intercept"`
	// Moderate and High are the probability cut-offs of the qualitative
	// risk (low below Moderate).
	Moderate float64 `json:"moderate"`
	High     float64 `json:"high"`
	// Metrics are the hold-out figures written when the model was trained.
	Metrics map[string]float64 `json:"metrics,omitempty"`
}

//go:embed model.json
var modelJSON []byte

// Default returns the committed model (model.json). Each call returns a
// fresh copy, so callers may not affect each other.
func Default() (*Model, error) {
	return ParseModel(modelJSON)
}

// ParseModel decodes and checks a model file.
func ParseModel(data []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("risk model: %w", err)
	}
	if err := m.check(); err != nil {
		return nil, err
	}
	return &m, nil
}

func (m *Model) check() error {
	n := len(m.Features)
	if n == 0 || len(m.Mean) != n || len(m.Scale) != n || len(m.Coef) != n {
		return fmt.Errorf("risk model %s: %d features, %d means, %d scales, %d coefficients", m.Version, n, len(m.Mean), len(m.Scale), len(m.Coef))
	}
	if _, err := m.indexes(); err != nil {
		return err
	}
	for i, s := range m.Scale {
		if s <= 0 || math.IsNaN(s) || math.IsNaN(m.Coef[i]) {
			return fmt.Errorf("risk model %s: feature %s has scale %v, coefficient %v", m.Version, m.Features[i], s, m.Coef[i])
		}
	}
	return nil
}

func (m *Model) indexes() ([]int, error) {
	pos := map[string]int{}
	for i, n := range FeatureNames() {
		pos[n] = i
	}
	out := make([]int, len(m.Features))
	for i, n := range m.Features {
		j, ok := pos[n]
		if !ok {
			return nil, fmt.Errorf("risk model %s: unknown feature %q", m.Version, n)
		}
		out[i] = j
	}
	return out, nil
}

// Factor is one feature's share of a score.
type Factor struct {
	Feature string
	Value   float64
	// Contribution is the feature's term in the log-odds relative to the
	// average training patient: positive raises the risk.
	Contribution float64
	VI, EN       string // plain-language reason
}

// Assessment is a scored patient.
type Assessment struct {
	Model       string
	Probability float64
	Level       string   // low, moderate, high
	Factors     []Factor // every feature, largest contribution first
}

// Top returns up to n factors that raise the risk.
func (a Assessment) Top(n int) []Factor {
	var out []Factor
	for _, f := range a.Factors {
		if f.Contribution > 0.05 && len(out) < n {
			out = append(out, f)
		}
	}
	return out
}

// Predict returns the probability for x.
func (m *Model) Predict(x Features) float64 {
	p, _ := m.terms(x)
	return p
}

func (m *Model) terms(x Features) (float64, []float64) {
	idx, _ := m.indexes() // checked when the model was parsed
	terms := make([]float64, len(idx))
	logit := m.Intercept
	for i, j := range idx {
		terms[i] = m.Coef[i] * (x[j] - m.Mean[i]) / m.Scale[i]
		logit += terms[i]
	}
	return sigmoid(logit), terms
}

// Score predicts and explains.
func (m *Model) Score(x Features) Assessment {
	p, terms := m.terms(x)
	idx, _ := m.indexes()
	a := Assessment{Model: m.Version, Probability: p, Level: "low"}
	switch {
	case p >= m.High:
		a.Level = "high"
	case p >= m.Moderate:
		a.Level = "moderate"
	}
	for i, j := range idx {
		vi, en := reason(j, x[j])
		a.Factors = append(a.Factors, Factor{Feature: m.Features[i], Value: x[j], Contribution: terms[i], VI: vi, EN: en})
	}
	sort.SliceStable(a.Factors, func(i, j int) bool { return a.Factors[i].Contribution > a.Factors[j].Contribution })
	return a
}
