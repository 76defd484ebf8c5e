package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/clinical/risk"
	"github.com/sen-emr/sen/internal/synth"
)

// newModelCmd is "sen model": the non-adherence risk model
// (docs/models/adherence-risk.md).
func newModelCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "model",
		Short: "Train the adherence risk model / Huấn luyện mô hình nguy cơ không tuân thủ",
	}
	cmd.AddCommand(newModelTrainCmd())
	return cmd
}

// trainOpts parameterise sen model train. The defaults reproduce the
// committed internal/clinical/risk/model.json.
type trainOpts struct {
	seed, holdoutSeed      int64
	patients, holdoutCount int
	version, output, svg   string
	moderate, high         float64
}

// modelPopEnd is the simulated end date the committed model was trained
// with (features 90 days before it, outcome over the last 90 days).
var modelPopEnd = time.Date(2025, 6, 30, 0, 0, 0, 0, time.FixedZone("ICT", 7*3600))

func newModelTrainCmd() *cobra.Command {
	o := trainOpts{}
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Retrain the risk model on a synthetic population / Huấn luyện lại trên quần thể tổng hợp",
		Long: `Generate a synthetic population with --seed (whose true medication-taking
is known), take each patient's features 90 days before the end of the
simulation, label them with what they then did (fewer than 80 % of doses
taken), fit the logistic regression and the prior-cover baseline, evaluate
both on a second population (--holdout-seed) and write the model file the
risk package embeds (--output), plus the calibration plot (--svg).
The defaults reproduce the committed model; rebuild sen to serve a new one.

Sinh quần thể tổng hợp, huấn luyện mô hình hồi quy logistic, đánh giá trên
quần thể giữ lại và ghi tệp mô hình (--output).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runModelTrain(cmd.OutOrStdout(), o)
		},
	}
	f := cmd.Flags()
	f.Int64Var(&o.seed, "seed", 1, "seed of the training population")
	f.IntVar(&o.patients, "patients", 10000, "people in the training population")
	f.Int64Var(&o.holdoutSeed, "holdout-seed", 2, "seed of the hold-out population (must differ from --seed)")
	f.IntVar(&o.holdoutCount, "holdout-patients", 4000, "people in the hold-out population")
	f.StringVar(&o.version, "version", "sen-adherence-risk-1", "model version written in the file and in RiskAssessment.method")
	f.StringVar(&o.output, "output", filepath.Join("internal", "clinical", "risk", "model.json"), "model file to write")
	f.StringVar(&o.svg, "svg", "", "also write the calibration plot (SVG) here")
	f.Float64Var(&o.moderate, "moderate", 0.3, "probability from which the risk is moderate")
	f.Float64Var(&o.high, "high", 0.6, "probability from which the risk is high")
	return cmd
}

func runModelTrain(out io.Writer, o trainOpts) error {
	switch {
	case o.patients < 50 || o.patients > synth.MaxPatients:
		return fmt.Errorf("--patients: want 50..%d, got %d", synth.MaxPatients, o.patients)
	case o.holdoutCount < 50 || o.holdoutCount > synth.MaxPatients:
		return fmt.Errorf("--holdout-patients: want 50..%d, got %d", synth.MaxPatients, o.holdoutCount)
	case o.seed == o.holdoutSeed:
		return errors.New("--holdout-seed must differ from --seed: the model is evaluated on people it was not trained on")
	case o.output == "":
		return errors.New("--output is required")
	}
	if dir := filepath.Dir(o.output); dir != "." {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			return fmt.Errorf("--output %s: directory %s does not exist (run from the repository root or pass --output)", o.output, dir)
		}
	}
	start := time.Now()
	train, err := syntheticSamples(o.seed, o.patients)
	if err != nil {
		return err
	}
	hold, err := syntheticSamples(o.holdoutSeed, o.holdoutCount)
	if err != nil {
		return err
	}
	r, err := risk.Retrain(train, hold, risk.RetrainOptions{
		Version: o.version, Moderate: o.moderate, High: o.high,
		TrainedOn: fmt.Sprintf("synth seed %d, %d people (%s); features 90 days before 2025-06-30, outcome = taken < 80%% of doses in the last 90 days",
			o.seed, o.patients, risk.DescribeSamples(train)),
	})
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(r.Model, "", "  ")
	if err != nil {
		return fmt.Errorf("encode model: %w", err)
	}
	if _, err := risk.ParseModel(b); err != nil {
		return fmt.Errorf("retrained model does not load: %w", err)
	}
	if err := os.WriteFile(o.output, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	if o.svg != "" {
		if err := os.WriteFile(o.svg, []byte(r.CalibrationSVG()), 0o644); err != nil {
			return fmt.Errorf("write calibration plot: %w", err)
		}
	}
	m := r.Model.Metrics
	fmt.Fprintf(out, "Wrote %s (%s) in %.1fs.\n", o.output, o.version, time.Since(start).Seconds())
	fmt.Fprintf(out, "Train: %s. Hold-out: %s.\n", risk.DescribeSamples(train), risk.DescribeSamples(hold))
	fmt.Fprintf(out, "Hold-out AUC %.4f (baseline %.4f), Brier %.4f (baseline %.4f).\n",
		m["holdoutAUC"], m["baselineAUC"], m["holdoutBrier"], m["baselineBrier"])
	fmt.Fprintf(out, "AUC giữ lại %.4f (đường cơ sở %.4f). Xây dựng lại sen để dùng mô hình mới.\n", m["holdoutAUC"], m["baselineAUC"])
	return nil
}

// syntheticSamples generates a population and labels each patient with
// scheduled doses in the last 90 days by what they then did.
func syntheticSamples(seed int64, n int) ([]risk.Sample, error) {
	g := synth.New(synth.Config{Seed: seed, Patients: n, End: modelPopEnd})
	truths, err := g.GroundTruth()
	if err != nil {
		return nil, fmt.Errorf("synthetic population seed %d: %w", seed, err)
	}
	ids := make([]string, len(truths))
	for i, t := range truths {
		ids[i] = t.PatientID
	}
	c := risk.NewCohort(ids)
	if err := g.Run(c.Add); err != nil {
		return nil, fmt.Errorf("synthetic population seed %d: %w", seed, err)
	}
	asOf := modelPopEnd.AddDate(0, 0, -90)
	var out []risk.Sample
	for _, t := range truths {
		if t.DosesScheduled == 0 {
			continue // no outcome to learn from
		}
		rec, ok := c.Record(t.PatientID)
		if !ok {
			return nil, fmt.Errorf("synthetic population seed %d: Patient/%s was not generated", seed, t.PatientID)
		}
		s, err := risk.NewSample(risk.Labelled{Record: rec, AsOf: asOf, NonAdh: t.TakenFraction < 0.8}, nil)
		if err != nil {
			return nil, fmt.Errorf("Patient/%s: %w", t.PatientID, err)
		}
		out = append(out, s)
	}
	return out, nil
}
