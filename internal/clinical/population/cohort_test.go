package population

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/synth"
)

// memSource is an in-memory Source over resource bodies.
type memSource struct{ bodies map[string][][]byte }

func (m memSource) Each(ctx context.Context, typ string, fn func([]byte) error) error {
	for _, b := range m.bodies[typ] {
		if err := fn(b); err != nil {
			return err
		}
	}
	return nil
}

var (
	synthOnce sync.Once
	synthSrc  memSource
)

// synthPopulation is a 300-person synthetic population ending mid-2025.
func synthPopulation(tb testing.TB) memSource {
	tb.Helper()
	synthOnce.Do(func() {
		synthSrc = memSource{bodies: map[string][][]byte{}}
		g := synth.New(synth.Config{Seed: 11, Patients: 300, End: time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)})
		err := g.Run(func(b []byte) error {
			var h struct{ ResourceType string }
			if err := json.Unmarshal(b, &h); err != nil {
				return err
			}
			synthSrc.bodies[h.ResourceType] = append(synthSrc.bodies[h.ResourceType], append([]byte(nil), b...))
			return nil
		})
		if err != nil {
			panic(err)
		}
	})
	return synthSrc
}

func TestLoadCohortAndDashboard(t *testing.T) {
	src := synthPopulation(t)
	c, err := LoadCohort(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(c.People), len(src.bodies["Patient"]); got != want {
		t.Fatalf("people %d, want %d", got, want)
	}
	// Independent count of registered hypertensives: patients with an
	// active I10–I15 Condition, read with plain string checks.
	htn := map[string]bool{}
	for _, b := range src.bodies["Condition"] {
		s := string(b)
		if strings.Contains(s, `"code":"I1`) && strings.Contains(s, `"code":"active"`) {
			var r struct{ Subject ref }
			_ = json.Unmarshal(b, &r)
			for _, code := range []string{"I10", "I11", "I12", "I13", "I15"} {
				if strings.Contains(s, `"code":"`+code) {
					htn[r.Subject.patient()] = true
				}
			}
		}
	}
	alive := 0
	for id := range htn {
		if !c.People[id].Dead {
			alive++
		}
	}
	m := Month{2025, time.June}
	for _, by := range []string{ByProvince, ByCommune, ByAgeBand, BySex} {
		rows, err := c.Dashboard(DashboardQuery{Registry: "hypertension", By: by, Month: m})
		if err != nil {
			t.Fatal(err)
		}
		total := rows[len(rows)-1]
		if total.Registered != alive {
			t.Errorf("%s: registered %d, want %d", by, total.Registered, alive)
		}
		var sum Row
		for _, r := range rows[:len(rows)-1] {
			sum.Population += r.Population
			sum.Registered += r.Registered
			sum.Controlled += r.Controlled
			sum.UnderCare += r.UnderCare
			if r.Controlled > r.UnderCare || r.UnderCare > r.Registered || r.Registered > r.Population {
				t.Errorf("%s %s: inconsistent %+v", by, r.Key, r)
			}
		}
		if sum.Population != total.Population || sum.Registered != total.Registered || sum.Controlled != total.Controlled || sum.UnderCare != total.UnderCare {
			t.Errorf("%s: groups %+v do not add up to total %+v", by, sum, total)
		}
		if total.UnderCare == 0 || total.Controlled == 0 || total.PDCPatients == 0 {
			t.Errorf("%s: empty indicators %+v", by, total)
		}
	}
	if _, err := c.Dashboard(DashboardQuery{Registry: "nope", By: BySex, Month: m}); err == nil {
		t.Error("unknown registry: want error")
	}
	if _, err := c.Dashboard(DashboardQuery{Registry: "diabetes", By: "height", Month: m}); err == nil {
		t.Error("unknown dimension: want error")
	}
}

// TestDashboardSmall checks exact figures on a hand-built cohort.
func TestDashboardSmall(t *testing.T) {
	reg := day(2023, 1, 5)
	c := &Cohort{People: map[string]*Person{
		"a": {ID: "a", Gender: "female", Birth: day(1950, 1, 1), Province: "01", Conditions: map[string]time.Time{"I10": reg},
			BP: []BPReading{{day(2024, 4, 3), 130, 80}}},
		"b": {ID: "b", Gender: "male", Birth: day(1960, 1, 1), Province: "01", Conditions: map[string]time.Time{"I11.9": reg},
			BP: []BPReading{{day(2024, 3, 3), 150, 80}}},
		"c": {ID: "c", Gender: "male", Birth: day(1970, 1, 1), Province: "79", Conditions: map[string]time.Time{"I10": reg},
			Visits: []time.Time{day(2023, 12, 1)}},
		"d": {ID: "d", Gender: "male", Birth: day(1940, 1, 1), Province: "79", Conditions: map[string]time.Time{"I10": reg}, Dead: true},
		"e": {ID: "e", Gender: "female", Birth: day(2010, 1, 1), Province: "79"},
		"f": {ID: "f", Gender: "female", Birth: day(1980, 1, 1), Province: "79", Conditions: map[string]time.Time{"I10": day(2024, 3, 1)}},
	}}
	rows, err := c.Dashboard(DashboardQuery{Registry: "hypertension", By: ByProvince, Month: Month{2024, time.April}})
	if err != nil {
		t.Fatal(err)
	}
	want := []Row{
		{Key: "01", Population: 2, Adults: 2, Registered: 2, UnderCare: 2, Controlled: 1, Visited: 2},
		{Key: "79", Population: 3, Adults: 2, Registered: 2, New: 1, UnderCare: 1, Controlled: 0, Visited: 0},
		{Key: "total", Population: 5, Adults: 4, Registered: 4, New: 1, UnderCare: 3, Controlled: 1, Visited: 2},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows %+v", rows)
	}
	for i := range want {
		if rows[i] != want[i] {
			t.Errorf("row %d: got %+v, want %+v", i, rows[i], want[i])
		}
	}
	if got := rows[2].ControlRate(); got != 1.0/3 {
		t.Errorf("control rate %v", got)
	}
	if got := rows[2].Prevalence(); got != 1 {
		t.Errorf("prevalence %v", got)
	}
}

func TestMultimorbidityPolypharmacyAgeBand(t *testing.T) {
	if got := Multimorbidity([]string{"I10", "I11.9", "E11.9", "J44.9", "Z00"}); got != 3 {
		t.Errorf("Multimorbidity = %d, want 3", got)
	}
	for _, tt := range []struct {
		n    int
		want string
	}{{4, ""}, {5, "polypharmacy"}, {9, "polypharmacy"}, {10, "hyperpolypharmacy"}} {
		if got := Polypharmacy(tt.n); got != tt.want {
			t.Errorf("Polypharmacy(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
	for _, tt := range []struct {
		age  int
		want string
	}{{-1, "unknown"}, {0, "0-17"}, {17, "0-17"}, {18, "18-29"}, {30, "30-39"}, {79, "70-79"}, {80, "80+"}} {
		if got := AgeBand(tt.age); got != tt.want {
			t.Errorf("AgeBand(%d) = %q, want %q", tt.age, got, tt.want)
		}
	}
}
