package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/clinical/risk"
)

func TestModelTrainSmallPopulation(t *testing.T) {
	if testing.Short() {
		t.Skip("generates two synthetic populations")
	}
	dir := t.TempDir()
	o := trainOpts{seed: 5, patients: 600, holdoutSeed: 6, holdoutCount: 400, version: "test-1",
		output: filepath.Join(dir, "model.json"), svg: filepath.Join(dir, "cal.svg"), moderate: 0.3, high: 0.6}
	var out bytes.Buffer
	if err := runModelTrain(&out, o); err != nil {
		t.Fatal(err)
	}
	first, err := os.ReadFile(o.output)
	if err != nil {
		t.Fatal(err)
	}
	m, err := risk.ParseModel(first)
	if err != nil {
		t.Fatalf("written model does not load: %v", err)
	}
	if m.Version != "test-1" || len(m.Features) != risk.NumFeatures || m.Metrics["holdoutAUC"] <= 0.5 || m.Metrics["trainN"] == 0 {
		t.Errorf("model %s: %d features, metrics %v", m.Version, len(m.Features), m.Metrics)
	}
	if svg, err := os.ReadFile(o.svg); err != nil || !strings.HasPrefix(string(svg), "<svg") {
		t.Errorf("calibration plot: %v", err)
	}
	if !strings.Contains(out.String(), "Hold-out AUC") {
		t.Errorf("summary: %s", out.String())
	}
	// Same seeds, same file: training is deterministic.
	if err := runModelTrain(&bytes.Buffer{}, o); err != nil {
		t.Fatal(err)
	}
	if second, _ := os.ReadFile(o.output); !bytes.Equal(first, second) {
		t.Error("retraining with the same seeds changed the model file")
	}
}

func TestModelTrainBadInput(t *testing.T) {
	ok := trainOpts{seed: 1, patients: 100, holdoutSeed: 2, holdoutCount: 100, version: "v", output: filepath.Join(t.TempDir(), "m.json")}
	tests := []struct {
		name string
		edit func(*trainOpts)
		want string
	}{
		{"too few patients", func(o *trainOpts) { o.patients = 3 }, "--patients"},
		{"too many patients", func(o *trainOpts) { o.patients = 1 << 30 }, "--patients"},
		{"too few hold-out", func(o *trainOpts) { o.holdoutCount = 0 }, "--holdout-patients"},
		{"same seeds", func(o *trainOpts) { o.holdoutSeed = o.seed }, "must differ"},
		{"no output", func(o *trainOpts) { o.output = "" }, "--output is required"},
		{"missing directory", func(o *trainOpts) { o.output = "/nonexistent/dir/m.json" }, "does not exist"},
		{"no version", func(o *trainOpts) { o.version = "" }, "version is required"},
		{"cut-offs reversed", func(o *trainOpts) { o.moderate, o.high = 0.7, 0.4 }, "cut-offs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := ok
			tt.edit(&o)
			err := runModelTrain(&bytes.Buffer{}, o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}
