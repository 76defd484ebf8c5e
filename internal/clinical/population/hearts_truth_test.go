package population

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/synth"
)

// TestRegistriesMatchGroundTruth generates a 10,000-person synthetic
// population and checks every registry against the generator's own record
// of who has which condition (synth.GroundTruth, which covers the patients
// it gave a medication profile): for those, the registers found from the
// FHIR resources must be the generator's exactly (tolerance: none), and HEARTS figures for the last month must be internally
// consistent. Skipped with -short (it takes tens of seconds on a shared
// machine).
func TestRegistriesMatchGroundTruth(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000-person population: skipped with -short")
	}
	end := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	g := synth.New(synth.Config{Seed: 2026, Patients: 10000, End: end})
	src := memSource{bodies: map[string][][]byte{}}
	err := g.Run(func(b []byte) error {
		var h struct{ ResourceType string }
		if err := json.Unmarshal(b, &h); err != nil {
			return err
		}
		src.bodies[h.ResourceType] = append(src.bodies[h.ResourceType], append([]byte(nil), b...))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	truth, err := g.GroundTruth()
	if err != nil {
		t.Fatal(err)
	}
	c, err := LoadCohort(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.People) != 10000 {
		t.Fatalf("%d people, want 10000", len(c.People))
	}
	for _, reg := range Registries() {
		want, known := map[string]bool{}, map[string]bool{}
		for _, tr := range truth {
			known[tr.PatientID] = true
			for _, code := range tr.Conditions {
				if hasPrefix(normICD(code), reg.Prefixes) {
					want[tr.PatientID] = true
				}
			}
		}
		got := map[string]bool{}
		for id, p := range c.People {
			if _, ok := reg.Registered(p); ok {
				got[id] = true
			}
		}
		// GroundTruth lists only the patients the generator gave a
		// medication profile; the others are not judged.
		missing, extra, unjudged := 0, 0, 0
		for id := range want {
			if !got[id] {
				missing++
			}
		}
		for id := range got {
			switch {
			case !known[id]:
				unjudged++
			case !want[id]:
				extra++
			}
		}
		t.Logf("%s: %d registered (%d outside the generator's truth), generator %d (missing %d, extra %d)", reg.ID, len(got), unjudged, len(want), missing, extra)
		if missing != 0 || extra != 0 {
			t.Errorf("%s: registry differs from the generator's truth: %d missing, %d extra", reg.ID, missing, extra)
		}
	}
	rows, err := c.Dashboard(DashboardQuery{Registry: "hypertension", By: ByProvince, Month: MonthOf(end)})
	if err != nil {
		t.Fatal(err)
	}
	tot := rows[len(rows)-1]
	if tot.Controlled > tot.Visited || tot.Visited > tot.UnderCare || tot.UnderCare+tot.New+tot.LTFU > tot.Registered {
		t.Errorf("inconsistent HEARTS totals %+v", tot)
	}
	t.Logf("hypertension %s: registered %d, under care %d, controlled %d (%.1f %%), follow-up %.1f %%",
		MonthOf(end), tot.Registered, tot.UnderCare, tot.Controlled, 100*tot.ControlRate(), 100*tot.FollowUpRate())
}
