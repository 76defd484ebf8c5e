package risk

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// Retraining outside the test suite (`sen model train`): the same steps
// as TestTrainModel -update, exported so that an operator can retrain
// with other seeds or sizes and get the model file the package embeds.

// Labelled is one patient to learn from: the chart, the date the
// features are taken at, and the outcome observed after it.
type Labelled struct {
	Record Record
	AsOf   time.Time
	NonAdh bool
}

// NewSample extracts the features of l and keeps the subgroup keys used
// in evaluation (sex, age band, province).
func NewSample(l Labelled, loc *time.Location) (Sample, error) {
	x, err := Extract(l.Record, l.AsOf, loc)
	if err != nil {
		return Sample{}, err
	}
	var p patient
	_ = json.Unmarshal(l.Record.Patient, &p) // Extract has decoded it already
	return Sample{X: x, NonAdh: l.NonAdh, Sex: p.Gender, AgeBand: AgeBand(x[FAge] * 10), Region: Province(l.Record.Patient)}, nil
}

// AgeBand is the evaluation age band of an age in years.
func AgeBand(age float64) string {
	switch {
	case age < 40:
		return "<40"
	case age < 60:
		return "40-59"
	case age < 75:
		return "60-74"
	}
	return "75+"
}

// RetrainOptions name and describe the retrained model.
type RetrainOptions struct {
	Version   string // required, e.g. "sen-adherence-risk-2"
	TrainedOn string // data description kept in the file
	// Moderate and High cut-offs (0 means 0.3 and 0.6, the committed ones).
	Moderate, High float64
}

// Retrained is the result of Retrain: the model (with hold-out metrics
// filled in), the prior-cover baseline, and the hold-out predictions.
type Retrained struct {
	Model, Baseline *Model
	Probs, Baseprob []float64
	Labels          []bool
}

// Retrain fits the full model and the baseline (prior days covered only)
// on train, evaluates both on hold, and records AUC, Brier score, sizes
// and prevalence in Model.Metrics, as the committed model.json has.
func Retrain(train, hold []Sample, o RetrainOptions) (*Retrained, error) {
	if o.Version == "" {
		return nil, fmt.Errorf("risk: retrain: a model version is required")
	}
	if len(hold) == 0 {
		return nil, fmt.Errorf("risk: retrain: no hold-out patients to evaluate on")
	}
	m, err := Train(train, TrainOptions{})
	if err != nil {
		return nil, fmt.Errorf("risk: retrain: %w", err)
	}
	base, err := Train(train, TrainOptions{Features: []int{FCover180}})
	if err != nil {
		return nil, fmt.Errorf("risk: retrain baseline: %w", err)
	}
	m.Version, m.TrainedOn = o.Version, o.TrainedOn
	m.Moderate, m.High = o.Moderate, o.High
	if m.Moderate <= 0 {
		m.Moderate = 0.3
	}
	if m.High <= 0 {
		m.High = 0.6
	}
	if m.Moderate >= m.High || m.High >= 1 {
		return nil, fmt.Errorf("risk: retrain: cut-offs moderate %.2f and high %.2f must satisfy 0 < moderate < high < 1", m.Moderate, m.High)
	}
	r := &Retrained{Model: m, Baseline: base}
	for _, s := range hold {
		r.Probs = append(r.Probs, m.Predict(s.X))
		r.Baseprob = append(r.Baseprob, base.Predict(s.X))
		r.Labels = append(r.Labels, s.NonAdh)
	}
	pos := 0
	for _, l := range r.Labels {
		if l {
			pos++
		}
	}
	round := func(x float64) float64 { return math.Round(x*1e4) / 1e4 }
	m.Metrics = map[string]float64{
		"holdoutAUC":        round(AUC(r.Probs, r.Labels)),
		"holdoutBrier":      round(Brier(r.Probs, r.Labels)),
		"baselineAUC":       round(AUC(r.Baseprob, r.Labels)),
		"baselineBrier":     round(Brier(r.Baseprob, r.Labels)),
		"holdoutN":          float64(len(hold)),
		"trainN":            float64(len(train)),
		"holdoutPrevalence": round(float64(pos) / float64(len(hold))),
	}
	return r, nil
}

// DescribeSamples summarises a sample set for TrainedOn and logs.
func DescribeSamples(ss []Sample) string {
	pos := 0
	for _, s := range ss {
		if s.NonAdh {
			pos++
		}
	}
	return fmt.Sprintf("%d patients, %d non-adherent (%.0f%%)", len(ss), pos, 100*float64(pos)/float64(max(len(ss), 1)))
}

// CalibrationSVG draws predicted against observed non-adherence for the
// model and the baseline (10 bins), with the diagonal of perfect
// calibration: the plot in docs/models/adherence-risk.md.
func (r *Retrained) CalibrationSVG() string {
	model, base := Calibration(r.Probs, r.Labels, 10), Calibration(r.Baseprob, r.Labels, 10)
	const size, pad = 400.0, 50.0
	x := func(v float64) float64 { return pad + v*size }
	y := func(v float64) float64 { return pad + (1-v)*size }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="12">`+"\n", size+2*pad, size+2*pad)
	fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" fill="none" stroke="#999"/>`+"\n", pad, pad, size, size)
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#bbb" stroke-dasharray="4"/>`+"\n", x(0), y(0), x(1), y(1))
	for _, s := range []struct {
		bins  []Bin
		color string
	}{{base, "#d08000"}, {model, "#1060c0"}} {
		var pts []string
		for _, c := range s.bins {
			if c.N == 0 {
				continue
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(c.Predicted), y(c.Observed)))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="%.1f" fill="%s"/>`+"\n", x(c.Predicted), y(c.Observed), 2+math.Sqrt(float64(c.N))/3, s.color)
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s"/>`+"\n", strings.Join(pts, " "), s.color)
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" text-anchor="middle">mean predicted probability (10 bins) / xác suất dự đoán</text>`+"\n", pad+size/2, size+pad+35)
	fmt.Fprintf(&b, `<text x="15" y="%.0f" transform="rotate(-90 15 %.0f)" text-anchor="middle">observed non-adherence / tỷ lệ thực tế</text>`+"\n", pad+size/2, pad+size/2)
	fmt.Fprintf(&b, `<text x="%.0f" y="30" fill="#1060c0">● model</text><text x="%.0f" y="30" fill="#d08000">● baseline (prior cover only)</text>`+"\n", pad, pad+90)
	b.WriteString("</svg>\n")
	return b.String()
}
