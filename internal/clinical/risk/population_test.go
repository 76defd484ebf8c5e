package risk

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/synth"
)

// The evaluation population: the synthetic generator's patients on
// scheduled medicines, their charts as Records, and their simulated truth.
// Features are taken 90 days before the end of the simulation; the outcome
// is the truth over those last 90 days (fewer than 80 % of doses taken),
// so the model predicts forward and never sees the outcome window.

var popEnd = time.Date(2025, 6, 30, 0, 0, 0, 0, time.FixedZone("ICT", 7*3600))

type patientCase struct {
	rec   Record
	truth synth.Truth
}

// population generates n synthetic people with seed and returns the cases
// of those with scheduled medicines, in patient order.
func population(tb testing.TB, seed int64, n int) []patientCase {
	tb.Helper()
	g := synth.New(synth.Config{Seed: seed, Patients: n, End: popEnd})
	truths, err := g.GroundTruth()
	if err != nil {
		tb.Fatal(err)
	}
	byID := map[string]*patientCase{}
	out := make([]patientCase, len(truths))
	for i, t := range truths {
		out[i].truth = t
		byID[t.PatientID] = &out[i]
	}
	err = g.Run(func(b []byte) error {
		var h struct {
			ResourceType string
			ID           string
			Subject      struct{ Reference string }
		}
		if err := json.Unmarshal(b, &h); err != nil {
			return err
		}
		if h.ResourceType == "Patient" {
			if c := byID[h.ID]; c != nil {
				c.rec.Patient = b
			}
			return nil
		}
		c := byID[strings.TrimPrefix(h.Subject.Reference, "Patient/")]
		if c == nil {
			return nil
		}
		switch h.ResourceType {
		case "Condition":
			c.rec.Conditions = append(c.rec.Conditions, b)
		case "Encounter":
			c.rec.Encounters = append(c.rec.Encounters, b)
		case "MedicationRequest":
			c.rec.Requests = append(c.rec.Requests, b)
		case "MedicationDispense":
			c.rec.Dispenses = append(c.rec.Dispenses, b)
		case "MedicationAdministration":
			c.rec.Administrations = append(c.rec.Administrations, b)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// samples extracts features as of 90 days before the end and labels each
// case with its truth. Patients with no dose scheduled in the outcome
// window have no outcome and are left out.
func samples(tb testing.TB, cases []patientCase) []Sample {
	tb.Helper()
	asOf := popEnd.AddDate(0, 0, -90)
	var out []Sample
	for _, c := range cases {
		if c.truth.DosesScheduled == 0 {
			continue
		}
		x, err := Extract(c.rec, asOf, nil)
		if err != nil {
			tb.Fatalf("patient %s: %v", c.truth.PatientID, err)
		}
		var p patient
		_ = json.Unmarshal(c.rec.Patient, &p)
		out = append(out, Sample{X: x, NonAdh: c.truth.TakenFraction < 0.8,
			Sex: p.Gender, AgeBand: ageBand(x[FAge] * 10), Region: Province(c.rec.Patient)})
	}
	return out
}

func ageBand(age float64) string {
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

// evaluate scores samples with m.
func evaluate(m *Model, ss []Sample) (probs []float64, labels []bool) {
	for _, s := range ss {
		probs = append(probs, m.Predict(s.X))
		labels = append(labels, s.NonAdh)
	}
	return probs, labels
}

func describeSamples(ss []Sample) string {
	pos := 0
	for _, s := range ss {
		if s.NonAdh {
			pos++
		}
	}
	return fmt.Sprintf("%d patients, %d non-adherent (%.0f%%)", len(ss), pos, 100*float64(pos)/float64(len(ss)))
}
