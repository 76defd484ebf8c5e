package alert_test

// Acceptance over a 10,000-person synthetic population (issue 6): the
// measures computed from the generated FHIR data recover each patient's
// simulated medication-taking profile, and alerts fire for the patients
// they should. The generator's ground truth (synth.Truth) is the answer
// key; Sen's measures see only the FHIR resources.

import (
	"encoding/json"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/clinical/alert"
	"github.com/sen-emr/sen/internal/clinical/medication"
	"github.com/sen-emr/sen/internal/clinical/risk"
	"github.com/sen-emr/sen/internal/synth"
)

// popEnd is the last simulated day; measures are taken at its end.
var popEnd = time.Date(2025, 6, 30, 0, 0, 0, 0, ict)

// measured is what Sen computes for one patient from their chart.
type measured struct {
	truth     synth.Truth
	minPDC    float64         // lowest PDC of the PDC-eligible medicines, last 365 days; -1 when none eligible
	doseShare float64         // taken/due from app confirmations, last 90 days; -1 when none due
	confShare float64         // taken/(taken+reported missed), last 90 days; -1 when none confirmed
	unconf    float64         // unconfirmed/due, last 90 days
	lowPDC    bool            // a LowPDC alert at popEnd
	highRisk  bool            // a HighRisk alert 90 days before popEnd
	missed    map[string]bool // medicines with a MissedDoses alert at popEnd
}

// measurePopulation streams the population patient by patient (the
// generator emits each Patient before their resources), so that 10,000
// charts need not be held in memory at once.
func measurePopulation(tb testing.TB, seed int64, n int, model *risk.Model) []measured {
	tb.Helper()
	g := synth.New(synth.Config{Seed: seed, Patients: n, End: popEnd})
	truths, err := g.GroundTruth()
	if err != nil {
		tb.Fatal(err)
	}
	truthOf := map[string]synth.Truth{}
	for _, t := range truths {
		truthOf[t.PatientID] = t
	}
	// Charts are measured on a pool of workers while the generator goes on.
	type job struct {
		i   int
		rec risk.Record
		t   synth.Truth
	}
	out := make([]measured, len(truths))
	errs := make([]error, len(truths))
	jobs := make(chan job, 64)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				out[j.i], errs[j.i] = measure(j.rec, j.t, model)
			}
		}()
	}
	var cur *risk.Record
	var curID string
	done := 0
	finish := func() {
		if cur == nil {
			return
		}
		jobs <- job{done, *cur, truthOf[curID]}
		done++
		cur = nil
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
			finish()
			if _, ok := truthOf[h.ID]; ok {
				cur, curID = &risk.Record{Patient: b}, h.ID
			}
			return nil
		}
		if cur == nil || h.Subject.Reference != "Patient/"+curID {
			return nil
		}
		switch h.ResourceType {
		case "Condition":
			cur.Conditions = append(cur.Conditions, b)
		case "Encounter":
			cur.Encounters = append(cur.Encounters, b)
		case "MedicationRequest":
			cur.Requests = append(cur.Requests, b)
		case "MedicationDispense":
			cur.Dispenses = append(cur.Dispenses, b)
		case "MedicationAdministration":
			cur.Administrations = append(cur.Administrations, b)
		}
		return nil
	})
	finish()
	close(jobs)
	wg.Wait()
	if err != nil {
		tb.Fatal(err)
	}
	if done != len(truths) {
		tb.Fatalf("measured %d patients, the generator has %d with scheduled medicines", done, len(truths))
	}
	for i, err := range errs {
		if err != nil {
			tb.Fatalf("patient %s: %v", out[i].truth.PatientID, err)
		}
	}
	return out
}

func measure(rec risk.Record, truth synth.Truth, model *risk.Model) (measured, error) {
	m := measured{truth: truth, minPDC: -1, doseShare: -1, confShare: -1}
	now := popEnd.Add(24*time.Hour - time.Second)
	end := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	meds := medication.Records{Requests: rec.Requests, Dispenses: rec.Dispenses, Administrations: rec.Administrations}
	pdc, err := medication.BuildReport(meds, medication.ReportOptions{Start: end.AddDate(-1, 0, 1), End: end, Method: medication.MethodPDC, Now: now, Loc: ict})
	if err != nil {
		return m, fmt.Errorf("pdc: %w", err)
	}
	for _, g := range pdc.Groups {
		if g.PDC != nil && g.PDC.Eligible && (m.minPDC < 0 || g.PDC.PDC < m.minPDC) {
			m.minPDC = g.PDC.PDC
		}
	}
	if truth.AppEnrolled {
		doses, err := medication.BuildReport(meds, medication.ReportOptions{Start: end.AddDate(0, 0, -89), End: end, Method: medication.MethodDoses, Now: now, Loc: ict})
		if err != nil {
			return m, fmt.Errorf("doses: %w", err)
		}
		if doses.Doses.Due > 0 {
			m.doseShare = doses.Doses.TakenShare
			m.unconf = doses.Doses.UnconfirmedShare
		}
		if doses.Doses.Confirmed() > 0 {
			m.confShare = doses.Doses.ConfirmedShare
		}
	}
	alerts, err := alert.Evaluate(alert.Input{Chart: rec, Now: now, Loc: ict})
	if err != nil {
		return m, fmt.Errorf("alerts: %w", err)
	}
	for _, a := range alerts {
		m.lowPDC = m.lowPDC || a.Kind == alert.LowPDC
		if a.Kind == alert.MissedDoses {
			if m.missed == nil {
				m.missed = map[string]bool{}
			}
			m.missed[a.Medication] = true
		}
	}
	// The risk model predicts the next 90 days: score it 90 days before
	// the end, when the truth's 90-day window is still to come.
	if model != nil {
		early := alert.Input{Chart: rec, Now: now.AddDate(0, 0, -90), Loc: ict, Model: model}
		alerts, err := alert.Evaluate(early)
		if err != nil {
			return m, fmt.Errorf("risk alerts: %w", err)
		}
		for _, a := range alerts {
			m.highRisk = m.highRisk || a.Kind == alert.HighRisk
		}
	}
	return m, nil
}

var profiles = []synth.Profile{synth.ProfileAdherent, synth.ProfileForgetful, synth.ProfileIntentionalStopper, synth.ProfileCostGaps, synth.ProfileSideEffect}

// TestPopulationMeasuresRecoverProfiles prints, for 10,000 generated
// people, the confusion table of simulated profile × measured PDC band and
// dose-taking band, and the alert rates; it checks that the measures
// separate the profiles as the simulation says they should and that every
// LowPDC alert, and only those, goes to a patient with a medicine below
// 80 % PDC.
func TestPopulationMeasuresRecoverProfiles(t *testing.T) {
	if testing.Short() {
		t.Skip("10,000-person population: skipped with -short")
	}
	model, err := risk.Default()
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	ms := measurePopulation(t, 1, 10_000, model)
	t.Logf("measured %d patients on scheduled medicines in %s", len(ms), time.Since(start).Round(time.Second))

	type row struct {
		n, pdcHi, pdcMid, pdcLo, pdcNA int
		app, doseHi, doseMid, doseLo   int
		lowPDC, highRisk               int
		sumPDC, sumDose, sumTruth      float64
		sumConf, sumConfTruth, sumUnc  float64
		nPDC, nDose, nConf             int
		missedAlert                    int
	}
	rows := map[synth.Profile]*row{}
	for _, p := range profiles {
		rows[p] = &row{}
	}
	var alertMismatch []string
	// Outcome of the risk model: fewer than 80 % of doses taken in the
	// last 90 days (the truth), as in docs/models/adherence-risk.md.
	var tp, fp, fn, tn int
	var xs, ys []float64   // measured dose share and true taken fraction, app users
	var cxs, cys []float64 // confirmed-taken share and true taken fraction
	for _, m := range ms {
		r := rows[m.truth.Profile]
		if r == nil {
			t.Fatalf("patient %s has unknown profile %q", m.truth.PatientID, m.truth.Profile)
		}
		r.n++
		switch {
		case m.minPDC < 0:
			r.pdcNA++
		case m.minPDC >= 0.8:
			r.pdcHi++
		case m.minPDC >= 0.5:
			r.pdcMid++
		default:
			r.pdcLo++
		}
		if m.minPDC >= 0 {
			r.sumPDC += m.minPDC
			r.nPDC++
		}
		if m.doseShare >= 0 {
			r.app++
			switch {
			case m.doseShare >= 0.9:
				r.doseHi++
			case m.doseShare >= 0.8:
				r.doseMid++
			default:
				r.doseLo++
			}
			if m.truth.DosesScheduled > 0 {
				r.sumDose += m.doseShare
				r.sumTruth += m.truth.TakenFraction
				r.nDose++
				xs = append(xs, m.doseShare)
				ys = append(ys, m.truth.TakenFraction)
				r.sumUnc += m.unconf
			}
		}
		if m.confShare >= 0 && m.truth.DosesScheduled > 0 {
			r.sumConf += m.confShare
			r.sumConfTruth += m.truth.TakenFraction
			r.nConf++
			cxs = append(cxs, m.confShare)
			cys = append(cys, m.truth.TakenFraction)
		}
		if len(m.missed) > 0 {
			r.missedAlert++
		}
		if m.lowPDC {
			r.lowPDC++
		}
		if m.highRisk {
			r.highRisk++
		}
		if want := m.minPDC >= 0 && m.minPDC < alert.Threshold; m.lowPDC != want && len(alertMismatch) < 5 {
			alertMismatch = append(alertMismatch, fmt.Sprintf("%s (PDC %.2f, alert %v)", m.truth.PatientID, m.minPDC, m.lowPDC))
		}
		if m.truth.DosesScheduled > 0 {
			bad := m.truth.TakenFraction < 0.8
			switch {
			case bad && m.highRisk:
				tp++
			case bad:
				fn++
			case m.highRisk:
				fp++
			default:
				tn++
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "\nprofile (truth)        n   | PDC≥80%% 50–80%% <50%% n/a | mean PDC | app  doses≥90%% 80–90%% <80%% | doses: measured truth | confirmed unconf. | LowPDC alert  HighRisk alert  Missed alert\n")
	pct := func(a, n int) string {
		if n == 0 {
			return "    –"
		}
		return fmt.Sprintf("%4.0f%%", 100*float64(a)/float64(n))
	}
	for _, p := range profiles {
		r := rows[p]
		meanPDC, dose, truth, conf, unc := math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()
		if r.nPDC > 0 {
			meanPDC = r.sumPDC / float64(r.nPDC)
		}
		if r.nDose > 0 {
			dose, truth, unc = r.sumDose/float64(r.nDose), r.sumTruth/float64(r.nDose), r.sumUnc/float64(r.nDose)
		}
		if r.nConf > 0 {
			conf = r.sumConf / float64(r.nConf)
		}
		fmt.Fprintf(&b, "%-20s %5d | %s %s %s %s |   %.3f  | %4d %s %s %s |        %.3f  %.3f |    %.3f   %.3f | %s         %s          %s\n",
			p, r.n, pct(r.pdcHi, r.n), pct(r.pdcMid, r.n), pct(r.pdcLo, r.n), pct(r.pdcNA, r.n), meanPDC,
			r.app, pct(r.doseHi, r.app), pct(r.doseMid, r.app), pct(r.doseLo, r.app), dose, truth, conf, unc,
			pct(r.lowPDC, r.n), pct(r.highRisk, r.n), pct(r.missedAlert, r.n))
	}
	fmt.Fprintf(&b, "HighRisk alert (90 days before the end) vs truth <80%% of doses taken in the last 90 days: TP %d FP %d FN %d TN %d; sensitivity %.2f, specificity %.2f, PPV %.2f\n",
		tp, fp, fn, tn, ratio(tp, tp+fn), ratio(tn, tn+fp), ratio(tp, tp+fp))
	corr := pearson(xs, ys)
	fmt.Fprintf(&b, "dose share from app confirmations vs true taken fraction (%d app users): Pearson r = %.2f; confirmed-taken share: r = %.2f\n",
		len(xs), corr, pearson(cxs, cys))
	_, app := missedAlertTable(&b, ms)
	t.Log(b.String())

	// The MissedDoses alert rests on the patient's own reports: nearly
	// every alert must be true, and most app users truly missing their
	// latest doses must be found (those who report few of their misses
	// are not).
	if p := ratio(app.tp, app.tp+app.fp); p < 0.9 {
		t.Errorf("MissedDoses alert precision %.2f, want ≥ 0.90", p)
	}
	if r := ratio(app.tp, app.tp+app.fn); r < 0.6 {
		t.Errorf("MissedDoses alert recall among app users %.2f, want ≥ 0.60", r)
	}

	if len(alertMismatch) > 0 {
		t.Errorf("LowPDC alerts disagree with the measured PDC for: %v", alertMismatch)
	}
	ad := rows[synth.ProfileAdherent]
	// Adherent patients refill on time: PDC must say so for nearly all.
	if got := ratio(ad.pdcHi, ad.n-ad.pdcNA); got < 0.9 {
		t.Errorf("adherent patients with PDC ≥ 80%%: %.2f, want ≥ 0.90", got)
	}
	if got := ratio(ad.lowPDC, ad.n); got > 0.1 {
		t.Errorf("LowPDC alerts on adherent patients: %.2f, want ≤ 0.10", got)
	}
	// Refill-gap profiles must show lower PDC than adherent patients, and
	// most stoppers must be caught.
	adMean := ad.sumPDC / float64(ad.nPDC)
	for _, p := range []synth.Profile{synth.ProfileIntentionalStopper, synth.ProfileCostGaps} {
		r := rows[p]
		if mean := r.sumPDC / float64(r.nPDC); mean > adMean-0.05 {
			t.Errorf("%s: mean PDC %.3f, want at least 0.05 below adherent %.3f", p, mean, adMean)
		}
	}
	// Stoppers stop late as often as early, so a 12-month PDC misses some;
	// still they must be alerted on far more often than adherent patients.
	if st := rows[synth.ProfileIntentionalStopper]; ratio(st.lowPDC, st.n) < 3*ratio(ad.lowPDC, ad.n) {
		t.Errorf("LowPDC alerts on intentional stoppers %.2f, want ≥ 3× adherent %.2f", ratio(st.lowPDC, st.n), ratio(ad.lowPDC, ad.n))
	}
	if cg := rows[synth.ProfileCostGaps]; ratio(cg.lowPDC, cg.n) < 0.6 {
		t.Errorf("LowPDC alerts on cost-driven gaps: %.2f, want ≥ 0.60", ratio(cg.lowPDC, cg.n))
	}
	// Forgetful patients refill nearly on time but miss doses: the
	// dose-level measure, not PDC, must see them. Simulated app users
	// confirm 90 % of the doses they take (docs/synthetic-population.md),
	// so measured shares sit below the truth; they must still follow it.
	fg := rows[synth.ProfileForgetful]
	if ad.sumDose/float64(ad.nDose) < fg.sumDose/float64(fg.nDose)+0.05 {
		t.Errorf("dose share: adherent %.3f, want at least 0.05 above forgetful %.3f", ad.sumDose/float64(ad.nDose), fg.sumDose/float64(fg.nDose))
	}
	if corr < 0.7 {
		t.Errorf("dose share vs truth: r = %.2f, want ≥ 0.70", corr)
	}
	// High-risk alerts go to patients who then take fewer doses more
	// often than to those who do not.
	if ratio(tp, tp+fp) <= ratio(tp+fn, tp+fp+fn+tn) {
		t.Errorf("HighRisk alert PPV %.2f is no better than the base rate %.2f", ratio(tp, tp+fp), ratio(tp+fn, tp+fp+fn+tn))
	}
}

type cell struct{ tp, fp, fn int }

// missedAlertTable compares the MissedDoses alerts at popEnd, medicine by
// medicine, with the generator's truth: the medicine's last
// DefaultMissedInARow or more prescribed doses were not taken.
func missedAlertTable(b *strings.Builder, ms []measured) (all, app cell) {
	byRun := map[string][2]int{} // run band → alerted, truly positive
	var fps []string
	band := func(n int) string {
		switch {
		case n >= 14:
			return "≥14"
		case n >= 6:
			return "6–13"
		default:
			return "3–5"
		}
	}
	for _, m := range ms {
		meds := map[string]bool{}
		for atc := range m.truth.MissedInARow {
			meds[atc] = true
		}
		for atc := range m.missed {
			meds[atc] = true
		}
		for atc := range meds {
			truth := m.truth.MissedInARow[atc] >= alert.DefaultMissedInARow
			got := m.missed[atc]
			cs := []*cell{&all}
			if m.truth.AppEnrolled {
				cs = append(cs, &app)
			}
			for _, c := range cs {
				switch {
				case truth && got:
					c.tp++
				case truth:
					c.fn++
				case got:
					c.fp++
				}
			}
			if got && !truth && len(fps) < 3 {
				fps = append(fps, fmt.Sprintf("%s %s (true run %d)", m.truth.PatientID, atc, m.truth.MissedInARow[atc]))
			}
			if truth && m.truth.AppEnrolled {
				k := band(m.truth.MissedInARow[atc])
				v := byRun[k]
				v[1]++
				if got {
					v[0]++
				}
				byRun[k] = v
			}
		}
	}
	for _, x := range []struct {
		name string
		c    cell
	}{{"all patients", all}, {"app users", app}} {
		fmt.Fprintf(b, "MissedDoses alert (N=%d) vs truth (last ≥%d prescribed doses not taken), per medicine, %s: TP %d FP %d FN %d; precision %.2f, recall %.2f\n",
			alert.DefaultMissedInARow, alert.DefaultMissedInARow, x.name, x.c.tp, x.c.fp, x.c.fn, ratio(x.c.tp, x.c.tp+x.c.fp), ratio(x.c.tp, x.c.tp+x.c.fn))
	}
	for _, k := range []string{"3–5", "6–13", "≥14"} {
		fmt.Fprintf(b, "  app users, true run %s doses: recall %.2f (%d/%d)\n", k, ratio(byRun[k][0], byRun[k][1]), byRun[k][0], byRun[k][1])
	}
	if len(fps) > 0 {
		fmt.Fprintf(b, "  false positives (first 3): %s\n", strings.Join(fps, "; "))
	}
	return all, app
}

// pearson is the correlation coefficient of xs and ys.
func pearson(xs, ys []float64) float64 {
	n := float64(len(xs))
	var sx, sy, sxx, syy, sxy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
		sxx += xs[i] * xs[i]
		syy += ys[i] * ys[i]
		sxy += xs[i] * ys[i]
	}
	den := math.Sqrt((n*sxx - sx*sx) * (n*syy - sy*sy))
	if den == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / den
}

func ratio(a, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(a) / float64(n)
}
