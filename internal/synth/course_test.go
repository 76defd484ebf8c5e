package synth

import (
	"encoding/json"

	"github.com/sen-emr/sen/internal/vn"
	"strings"
	"testing"
	"time"
)

// TestAdherenceProfilesShapeTheData checks that the hidden profiles leave
// the marks in the data that adherence models are meant to find.
func TestAdherenceProfilesShapeTheData(t *testing.T) {
	g := New(testConfig(3000))
	truths, err := g.GroundTruth()
	if err != nil {
		t.Fatal(err)
	}
	type agg struct {
		n, app       int
		sched, taken int
		stops        int
	}
	by := map[Profile]*agg{}
	for _, tr := range truths {
		a := by[tr.Profile]
		if a == nil {
			a = &agg{}
			by[tr.Profile] = a
		}
		a.n++
		a.sched += tr.DosesScheduled
		a.taken += tr.DosesTaken
		if tr.AppEnrolled {
			a.app++
		}
		if !tr.StopDate.IsZero() {
			a.stops++
		}
		if tr.DosesTaken > tr.DosesScheduled {
			t.Errorf("%s: taken %d > scheduled %d", tr.PatientID, tr.DosesTaken, tr.DosesScheduled)
		}
		if tr.Profile != ProfileIntentionalStopper && !tr.StopDate.IsZero() {
			t.Errorf("%s: profile %s has a stop date", tr.PatientID, tr.Profile)
		}
	}
	frac := func(p Profile) float64 {
		a := by[p]
		if a == nil || a.sched == 0 {
			t.Fatalf("no scheduled doses for profile %q", p)
		}
		return float64(a.taken) / float64(a.sched)
	}
	for p, a := range by {
		t.Logf("%-20s patients %4d app %3d taken %.3f stops %d", p, a.n, a.app, float64(a.taken)/float64(max(a.sched, 1)), a.stops)
	}
	tests := []struct {
		name   string
		got    float64
		lo, hi float64
	}{
		{"adherent", frac(ProfileAdherent), 0.90, 1},
		{"forgetful", frac(ProfileForgetful), 0.60, 0.88},
		{"cost-gaps", frac(ProfileCostGaps), 0.55, 0.93},
		{"side-effect", frac(ProfileSideEffect), 0.75, 0.97},
		{"intentional-stopper", frac(ProfileIntentionalStopper), 0.05, 0.80},
	}
	for _, tt := range tests {
		if tt.got < tt.lo || tt.got > tt.hi {
			t.Errorf("%s taken fraction = %.3f, want in [%.2f, %.2f]", tt.name, tt.got, tt.lo, tt.hi)
		}
	}
	if frac(ProfileAdherent) <= frac(ProfileForgetful) {
		t.Errorf("adherent (%.3f) should take more doses than forgetful (%.3f)", frac(ProfileAdherent), frac(ProfileForgetful))
	}
	total, app := 0, 0
	for _, a := range by {
		total += a.n
		app += a.app
	}
	rateCheck(t, "app enrolment", app, total, 0.3, 0.01)
	rateCheck(t, "adherent share", by[ProfileAdherent].n, total, 0.45, 0.01)
}

// TestResourcesAreConsistent renders a population and checks invariants
// across resources: unique ids, every reference resolves to an emitted
// resource, dispenses match their prescription, side-effect stops are
// recorded, and dose confirmations lie in the last 90 days.
func TestResourcesAreConsistent(t *testing.T) {
	g := New(testConfig(400))
	type res struct {
		ResourceType string           `json:"resourceType"`
		ID           string           `json:"id"`
		Status       string           `json:"status"`
		Effective    string           `json:"effectiveDateTime"`
		StatusReason json.RawMessage  `json:"statusReason"`
		DaysSupply   *quantity        `json:"daysSupply"`
		Dispense     *dispenseRequest `json:"dispenseRequest"`
		Authorizing  []reference      `json:"authorizingPrescription"`
	}
	ids := map[string]string{}
	var refs []string
	var all []res
	err := g.Run(func(b []byte) error {
		var r res
		if err := json.Unmarshal(b, &r); err != nil {
			return err
		}
		if r.ResourceType == "Patient" || r.ResourceType == "Organization" {
			var withAddr struct {
				Address []map[string]any `json:"address"`
			}
			if err := json.Unmarshal(b, &withAddr); err != nil {
				return err
			}
			for _, a := range withAddr.Address {
				if a["city"] == nil {
					continue // central and provincial hospitals: province only
				}
				for _, pr := range vn.ValidateAddress(a) {
					if pr.Severity == vn.SeverityError {
						t.Errorf("%s/%s address: %v", r.ResourceType, r.ID, pr)
					}
				}
			}
		}
		key := r.ResourceType + "/" + r.ID
		if _, dup := ids[key]; dup {
			t.Errorf("duplicate %s", key)
		}
		ids[key] = string(b)
		all = append(all, r)
		refs = append(refs, referencesIn(b)...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, rf := range refs {
		if _, ok := ids[rf]; !ok {
			t.Errorf("dangling reference %s", rf)
			break
		}
	}
	rxDays := map[string]float64{}
	stopped := 0
	windowStart := g.cfg.End.AddDate(0, 0, -91)
	for _, r := range all {
		switch r.ResourceType {
		case "MedicationRequest":
			rxDays["MedicationRequest/"+r.ID] = r.Dispense.ExpectedSupplyDuration.Value
			if r.Status == "stopped" {
				stopped++
				if len(r.StatusReason) == 0 {
					t.Errorf("stopped MedicationRequest/%s has no statusReason", r.ID)
				}
			}
		case "MedicationAdministration":
			ts, err := time.Parse(time.RFC3339, r.Effective)
			if err != nil {
				t.Fatalf("MedicationAdministration/%s effective %q: %v", r.ID, r.Effective, err)
			}
			if ts.Before(windowStart) || ts.After(g.cfg.End.AddDate(0, 0, 1)) {
				t.Errorf("dose confirmation at %s outside the last 90 days", r.Effective)
			}
		}
	}
	for _, r := range all {
		if r.ResourceType != "MedicationDispense" {
			continue
		}
		if len(r.Authorizing) != 1 {
			t.Fatalf("MedicationDispense/%s: %d prescriptions", r.ID, len(r.Authorizing))
		}
		if got, want := r.DaysSupply.Value, rxDays[r.Authorizing[0].Reference]; got != want {
			t.Errorf("MedicationDispense/%s daysSupply %v, prescription %v", r.ID, got, want)
		}
	}
	if stopped == 0 {
		t.Errorf("no prescription was stopped for a side effect")
	}
}

// referencesIn returns the "Type/id" references in a resource.
func referencesIn(b []byte) []string {
	var out []string
	s := string(b)
	for {
		i := strings.Index(s, `"reference":"`)
		if i < 0 {
			return out
		}
		s = s[i+len(`"reference":"`):]
		j := strings.IndexByte(s, '"')
		out = append(out, s[:j])
		s = s[j:]
	}
}

// TestBundlesArePutTransactions checks the bundle shape the loader relies
// on.
func TestBundlesArePutTransactions(t *testing.T) {
	g := New(testConfig(50))
	n := 0
	err := g.Bundles(func(b []byte) error {
		var bd struct {
			ResourceType, Type string
			Entry              []struct {
				FullURL  string `json:"fullUrl"`
				Resource struct {
					ResourceType, ID string
				}
				Request struct{ Method, URL string }
			}
		}
		if err := json.Unmarshal(b, &bd); err != nil {
			return err
		}
		if bd.ResourceType != "Bundle" || bd.Type != "transaction" {
			t.Errorf("bundle %d: %s/%s", n, bd.ResourceType, bd.Type)
		}
		if len(bd.Entry) == 0 {
			t.Errorf("bundle %d is empty", n)
		}
		for _, e := range bd.Entry {
			want := e.Resource.ResourceType + "/" + e.Resource.ID
			if e.Request.Method != "PUT" || e.Request.URL != want || e.FullURL != "urn:uuid:"+e.Resource.ID {
				t.Errorf("entry %s: %s %s fullUrl %s", want, e.Request.Method, e.Request.URL, e.FullURL)
			}
		}
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 {
		t.Errorf("%d bundles, want the care system plus households", n)
	}
}
