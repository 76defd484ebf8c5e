package synth

import (
	"math/rand/v2"
	"time"
)

// Profile is a simulated medication-taking behaviour.
type Profile string

// Adherence profiles. The shares (adherent 45%, forgetful 25%,
// intentional stopper 10%, cost-driven gaps 10%, side-effect driven 10%)
// are a modelling choice consistent with the WHO estimate that about half
// of people on long-term therapy take their medicines as prescribed; see
// docs/synthetic-population.md.
const (
	ProfileNone               Profile = ""                    // no scheduled chronic medicine
	ProfileAdherent           Profile = "adherent"            // takes ~97% of doses, refills on time
	ProfileForgetful          Profile = "forgetful"           // misses 15–25% of doses, refills a few days late
	ProfileIntentionalStopper Profile = "intentional-stopper" // stops everything at some date, may return months later
	ProfileCostGaps           Profile = "cost-gaps"           // takes doses but sometimes returns weeks late (cost, travel)
	ProfileSideEffect         Profile = "side-effect"         // stops one drug after a side effect until it is switched
)

var profileShares = [...]struct {
	p     Profile
	share float64
}{
	{ProfileAdherent, 0.45}, {ProfileForgetful, 0.25}, {ProfileIntentionalStopper, 0.10},
	{ProfileCostGaps, 0.10}, {ProfileSideEffect, 0.10},
}

func drawProfile(r *rand.Rand) Profile {
	u := r.Float64()
	for _, s := range profileShares {
		if u < s.share {
			return s.p
		}
		u -= s.share
	}
	return ProfileAdherent
}

// skipProb is the probability that a dose in supply is not taken.
func skipProb(p Profile, hour int) float64 {
	switch p {
	case ProfileForgetful:
		if hour >= 18 {
			return 0.25
		}
		return 0.15
	case ProfileAdherent:
		return 0.03
	}
	return 0.06
}

// returnDelay is how many days after running out of medicine the patient
// comes back for the next visit (negative: comes early).
func returnDelay(r *rand.Rand, p Profile) int {
	switch p {
	case ProfileAdherent, ProfileSideEffect:
		return between(r, -3, 2)
	case ProfileForgetful:
		return between(r, 0, 10)
	case ProfileCostGaps:
		if chance(r, 0.3) {
			return between(r, 14, 45)
		}
		return between(r, 0, 5)
	case ProfileIntentionalStopper:
		return between(r, -1, 4)
	}
	return 0
}

// Truth is the simulated ground truth of one patient's medication taking,
// for evaluating adherence models against what the EMR data show. The
// same values are on the Patient in the ExtAdherenceProfile extension.
type Truth struct {
	PatientID string
	Profile   Profile
	// AppEnrolled patients confirm doses in the app during the last 90
	// days (MedicationAdministration resources).
	AppEnrolled bool
	// DosesScheduled and DosesTaken count scheduled (not as-needed) doses
	// in the 90 days before Config.End; TakenFraction is their ratio (0
	// when nothing was scheduled).
	DosesScheduled int
	DosesTaken     int
	TakenFraction  float64
	// StopDate is when an intentional stopper stopped all medicines (zero
	// otherwise, or if the stop falls after End).
	StopDate time.Time
	// Conditions are the ICD-10 codes of the patient's conditions.
	Conditions []string
	// MissedInARow maps the ATC code of each medicine with a prescription
	// in force (not stopped) on the last day to how many of its most
	// recent prescribed doses up to End were not taken, in a row (0: the
	// last one was taken). Doses on days no prescription covers neither
	// count nor break the run, as the record schedules none. It is the
	// ground truth of the consecutive-missed-doses alert.
	MissedInARow map[string]int
}
