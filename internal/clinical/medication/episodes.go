package medication

import (
	"errors"
	"fmt"
	"math"
	"time"
)

// Treatment episodes, per-episode CMAs and sliding-window CMAs, as AdhereR's
// compute.treatment.episodes, CMA_per_episode and CMA_sliding_window.

// EpisodeOptions are the parameters of treatment-episode detection. An
// episode ends when the gap after an event exceeds MaxPermissibleGap days,
// or, with MedicationChangeMeansNewEpisode, when the category changes.
type EpisodeOptions struct {
	FollowUp                        Window
	CarryOnlyForSameMedication      bool
	ConsiderDosageChange            bool
	MedicationChangeMeansNewEpisode bool
	MaxPermissibleGap               float64 // days
}

// Episode is one treatment episode. End is exclusive: Start + Duration.
// EndGapDays is the gap that closed it (to the next event, or to the end of
// follow-up for the last episode). A last episode whose final gap does not
// exceed MaxPermissibleGap lasts until the end of follow-up, as in AdhereR.
type Episode struct {
	ID         int
	Start      time.Time
	EndGapDays float64
	Duration   float64 // days
	End        time.Time
	span       span
}

// TreatmentEpisodes splits the events into treatment episodes.
func TreatmentEpisodes(events []Event, o EpisodeOptions) ([]Episode, error) {
	if err := validateEvents(events, o.ConsiderDosageChange); err != nil {
		return nil, fmt.Errorf("treatment episodes: %w", err)
	}
	if err := validateWindow("follow-up", o.FollowUp); err != nil {
		return nil, fmt.Errorf("treatment episodes: %w", err)
	}
	if o.MaxPermissibleGap < 0 || math.IsNaN(o.MaxPermissibleGap) {
		return nil, fmt.Errorf("treatment episodes: maximum permissible gap %v must be >= 0", o.MaxPermissibleGap)
	}
	fuw := spanOf(o.FollowUp)
	evs := within(toDays(events), fuw)
	links := chain(evs, fuw.end, carryRules{o.CarryOnlyForSameMedication, o.ConsiderDosageChange})
	var out []Episode
	start := 0
	for i, l := range links {
		last := i == len(links)-1
		breaks := last || l.gap() > o.MaxPermissibleGap ||
			(o.MedicationChangeMeansNewEpisode && links[i+1].cat != l.cat)
		if !breaks {
			continue
		}
		s := span{links[start].day, l.day + l.covered}
		if last && l.gap() <= o.MaxPermissibleGap {
			s.end = fuw.end
		}
		out = append(out, Episode{
			ID:         len(out) + 1,
			Start:      dateOf(int(s.start)),
			EndGapDays: l.gap(),
			Duration:   s.days(),
			End:        dateOf(int(math.Floor(s.end))),
			span:       s,
		})
		start = i + 1
	}
	return out, nil
}

// EpisodeCMA is a measure computed over one treatment episode; CMA is NaN
// where the measure is not computable (AdhereR's NA).
type EpisodeCMA struct {
	Episode
	CMA float64
}

// CMAPerEpisode detects treatment episodes with eo and computes m within
// each, using the episode as both follow-up and observation window (events
// of other episodes do not carry over into it). The carry-over rules of eo
// apply to the measure too.
func CMAPerEpisode(m Measure, events []Event, eo EpisodeOptions) ([]EpisodeCMA, error) {
	eps, err := TreatmentEpisodes(events, eo)
	if err != nil {
		return nil, fmt.Errorf("%v per episode: %w", m, err)
	}
	evs := toDays(events)
	r := carryRules{eo.CarryOnlyForSameMedication, eo.ConsiderDosageChange}
	out := make([]EpisodeCMA, len(eps))
	for i, e := range eps {
		v, err := cma(m, within(evs, e.span), e.span, e.span, r)
		if errors.Is(err, ErrNotComputable) {
			v, err = math.NaN(), nil
		}
		if err != nil {
			return nil, fmt.Errorf("%v episode %d: %w", m, e.ID, err)
		}
		out[i] = EpisodeCMA{Episode: e, CMA: v}
	}
	return out, nil
}

// SlidingWindows describes windows of Duration days, the first starting
// StartOffset days after the observation window starts, each Step days
// after the previous; windows must end within the observation window.
type SlidingWindows struct {
	StartOffset, Duration, Step int
}

// WindowCMA is a measure over one sliding window; CMA is NaN where not
// computable.
type WindowCMA struct {
	ID     int
	Window Window
	CMA    float64
}

// CMASlidingWindow computes m over consecutive windows inside o.Observation;
// the follow-up window (and so carry-over from earlier events) is o's.
func CMASlidingWindow(m Measure, events []Event, o CMAOptions, sw SlidingWindows) ([]WindowCMA, error) {
	if sw.Duration <= 0 || sw.Step <= 0 || sw.StartOffset < 0 {
		return nil, fmt.Errorf("%v sliding windows: duration %d and step %d must be positive, offset %d >= 0", m, sw.Duration, sw.Step, sw.StartOffset)
	}
	var out []WindowCMA
	for start := sw.StartOffset; start+sw.Duration <= o.Observation.Days; start += sw.Step {
		w := Window{Start: o.Observation.Start.AddDate(0, 0, start), Days: sw.Duration}
		wo := o
		wo.Observation = w
		v, err := ComputeCMA(m, events, wo)
		if errors.Is(err, ErrNotComputable) {
			v, err = math.NaN(), nil
		}
		if err != nil {
			return nil, fmt.Errorf("sliding window %d: %w", len(out)+1, err)
		}
		out = append(out, WindowCMA{ID: len(out) + 1, Window: w, CMA: v})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%v sliding windows: a %d-day window does not fit in the %d-day observation window", m, sw.Duration, o.Observation.Days)
	}
	return out, nil
}
