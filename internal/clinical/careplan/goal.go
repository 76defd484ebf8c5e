package careplan

import (
	"fmt"
	"math"
	"sort"
	"sync"
	"time"

	"github.com/sen-emr/sen/internal/ucum"
)

// Target evaluation outcomes.
const (
	TargetAchieved    = "achieved"
	TargetNotAchieved = "not-achieved"
	TargetNoData      = "no-data"
	TargetUnsupported = "unsupported" // a target Sen cannot compare with numbers (detailCodeableConcept, …)
)

// Trends of a target's measure, judged against the target's direction.
const (
	TrendImproving = "improving"
	TrendWorsening = "worsening"
	TrendStable    = "stable"
)

// Point is one measured value, in the target's unit.
type Point struct {
	Time          time.Time
	Value         float64
	Unit          string
	ObservationID string
}

// TargetProgress is one Goal.target compared with the record.
type TargetProgress struct {
	Measure     string  // system|code of Goal.target.measure
	MeasureText string  // its text or display
	Low, High   float64 // bounds in the target unit (NaN when open)
	LowOpen     bool    // the low bound is strict (">")
	HighOpen    bool    // the high bound is strict ("<")
	Unit        string
	Due         time.Time
	Points      []Point // oldest first, within the evaluation window
	Status      string  // TargetAchieved, TargetNotAchieved, TargetNoData, TargetUnsupported
	Trend       string  // TrendImproving, TrendWorsening, TrendStable, or "" with fewer than two points
}

// Latest is the newest point (nil without data).
func (t *TargetProgress) Latest() *Point {
	if len(t.Points) == 0 {
		return nil
	}
	return &t.Points[len(t.Points)-1]
}

// Text shows the target as a clinician writes it: "< 140 mm[Hg]",
// "4–7 %", "≥ 30 min".
func (t *TargetProgress) Text() string {
	lo, hi := !math.IsNaN(t.Low), !math.IsNaN(t.High)
	switch {
	case lo && hi:
		return fmt.Sprintf("%s–%s %s", num(t.Low), num(t.High), t.Unit)
	case hi && t.HighOpen:
		return fmt.Sprintf("< %s %s", num(t.High), t.Unit)
	case hi:
		return fmt.Sprintf("≤ %s %s", num(t.High), t.Unit)
	case lo && t.LowOpen:
		return fmt.Sprintf("> %s %s", num(t.Low), t.Unit)
	case lo:
		return fmt.Sprintf("≥ %s %s", num(t.Low), t.Unit)
	}
	return ""
}

func num(f float64) string { return fmt.Sprintf("%g", f) }

// in reports whether v meets the target.
func (t *TargetProgress) in(v float64) bool {
	if !math.IsNaN(t.Low) && (v < t.Low || t.LowOpen && v == t.Low) {
		return false
	}
	if !math.IsNaN(t.High) && (v > t.High || t.HighOpen && v == t.High) {
		return false
	}
	return true
}

// distance is how far v lies outside the target (0 inside).
func (t *TargetProgress) distance(v float64) float64 {
	switch {
	case !math.IsNaN(t.Low) && v < t.Low:
		return t.Low - v
	case !math.IsNaN(t.High) && v > t.High:
		return v - t.High
	}
	return 0
}

// GoalProgress is a Goal with each target evaluated.
type GoalProgress struct {
	GoalID      string
	Description string
	Lifecycle   string // Goal.lifecycleStatus
	Targets     []TargetProgress
	// Achievement is the goal-achievement code the record supports
	// (http://terminology.hl7.org/CodeSystem/goal-achievement): achieved,
	// sustaining, improving, worsening, no-change or not-achieved; "" when
	// there is no data.
	Achievement string
}

// EvalOptions tune goal evaluation.
type EvalOptions struct {
	Now time.Time
	Loc *time.Location // zone of zone-less dates (default UTC+7)
	// Window is how far back observations count (default 365 days).
	Window time.Duration
}

type goalJSON struct {
	ID              string   `json:"id"`
	LifecycleStatus string   `json:"lifecycleStatus"`
	Description     concept  `json:"description"`
	Target          []target `json:"target"`
}

type target struct {
	Measure               *concept `json:"measure"`
	DetailQuantity        *quantity
	DetailRange           *struct{ Low, High *quantity }
	DetailCodeableConcept *concept
	DetailString          *string
	DetailBoolean         *bool
	DetailInteger         *int
	DueDate               string `json:"dueDate"`
}

type observationJSON struct {
	ID                string    `json:"id"`
	Status            string    `json:"status"`
	Code              concept   `json:"code"`
	EffectiveDateTime string    `json:"effectiveDateTime"`
	EffectivePeriod   *period   `json:"effectivePeriod"`
	Issued            string    `json:"issued"`
	ValueQuantity     *quantity `json:"valueQuantity"`
	Component         []struct {
		Code          concept   `json:"code"`
		ValueQuantity *quantity `json:"valueQuantity"`
	} `json:"component"`
}

func (o *observationJSON) when(loc *time.Location) (time.Time, bool) {
	if t, ok := parseTime(o.EffectiveDateTime, loc); ok {
		return t, true
	}
	if o.EffectivePeriod != nil {
		if t, ok := parseTime(o.EffectivePeriod.Start, loc); ok {
			return t, true
		}
	}
	return parseTime(o.Issued, loc)
}

// value returns the quantity o reports for system|code, as its own code
// or a component's.
func (o *observationJSON) value(system, code string) *quantity {
	if o.Code.has(system, code) && o.ValueQuantity != nil {
		return o.ValueQuantity
	}
	for i := range o.Component {
		if o.Component[i].Code.has(system, code) && o.Component[i].ValueQuantity != nil {
			return o.Component[i].ValueQuantity
		}
	}
	return nil
}

// EvaluateGoal compares each target of a Goal with the Observations (any
// order; other resource types are an error) and judges the trend of its
// measure. Observations that are entered-in-error or cancelled, outside
// the window, or in a unit that cannot be converted to the target's are
// left out.
func EvaluateGoal(goal []byte, observations [][]byte, opt EvalOptions) (GoalProgress, error) {
	if opt.Loc == nil {
		opt.Loc = vnZone()
	}
	if opt.Window <= 0 {
		opt.Window = 365 * 24 * time.Hour
	}
	var g goalJSON
	if err := decodeType(goal, "Goal", &g); err != nil {
		return GoalProgress{}, err
	}
	obs := make([]observationJSON, 0, len(observations))
	for _, b := range observations {
		var o observationJSON
		if err := decodeType(b, "Observation", &o); err != nil {
			return GoalProgress{}, err
		}
		if o.Status == "entered-in-error" || o.Status == "cancelled" {
			continue
		}
		obs = append(obs, o)
	}
	out := GoalProgress{GoalID: g.ID, Description: g.Description.label(), Lifecycle: g.LifecycleStatus}
	since := opt.Now.Add(-opt.Window)
	for _, tg := range g.Target {
		tp := evaluateTarget(tg, obs, since, opt)
		out.Targets = append(out.Targets, tp)
	}
	out.Achievement = achievement(out.Targets)
	return out, nil
}

func evaluateTarget(tg target, obs []observationJSON, since time.Time, opt EvalOptions) TargetProgress {
	tp := TargetProgress{Low: math.NaN(), High: math.NaN(), MeasureText: tg.Measure.label()}
	tp.Due, _ = parseTime(tg.DueDate, opt.Loc)
	var system, code string
	if tg.Measure != nil && len(tg.Measure.Coding) > 0 {
		system, code = tg.Measure.Coding[0].System, tg.Measure.Coding[0].Code
		tp.Measure = system + "|" + code
	}
	switch {
	case tg.DetailQuantity != nil && tg.DetailQuantity.Value != nil:
		q := tg.DetailQuantity
		tp.Unit = unitOf(q)
		switch q.Comparator {
		case ">":
			tp.Low, tp.LowOpen = *q.Value, true
		case ">=":
			tp.Low = *q.Value
		case "<":
			tp.High, tp.HighOpen = *q.Value, true
		default: // "<=" or none: a quantity target is a ceiling (BP, HbA1c, LDL)
			tp.High = *q.Value
		}
	case tg.DetailRange != nil && (tg.DetailRange.Low != nil && tg.DetailRange.Low.Value != nil || tg.DetailRange.High != nil && tg.DetailRange.High.Value != nil):
		if l := tg.DetailRange.Low; l != nil && l.Value != nil {
			tp.Low, tp.Unit = *l.Value, unitOf(l)
		}
		if h := tg.DetailRange.High; h != nil && h.Value != nil {
			tp.High = *h.Value
			if tp.Unit == "" {
				tp.Unit = unitOf(h)
			}
		}
	default:
		tp.Status = TargetUnsupported
		return tp
	}
	if code == "" {
		tp.Status = TargetUnsupported
		return tp
	}
	for i := range obs {
		o := &obs[i]
		q := o.value(system, code)
		if q == nil || q.Value == nil {
			continue
		}
		at, ok := o.when(opt.Loc)
		if !ok || at.Before(since) || at.After(opt.Now.Add(time.Minute)) {
			continue
		}
		v, ok := convert(*q.Value, unitOf(q), tp.Unit)
		if !ok {
			continue
		}
		tp.Points = append(tp.Points, Point{Time: at, Value: v, Unit: tp.Unit, ObservationID: o.ID})
	}
	sort.SliceStable(tp.Points, func(i, j int) bool { return tp.Points[i].Time.Before(tp.Points[j].Time) })
	if len(tp.Points) == 0 {
		tp.Status = TargetNoData
		return tp
	}
	if tp.in(tp.Latest().Value) {
		tp.Status = TargetAchieved
	} else {
		tp.Status = TargetNotAchieved
	}
	tp.Trend = trend(&tp)
	return tp
}

// trend compares the latest value with the mean of up to three before it.
// A change smaller than 2 % of the nearest bound is stable; otherwise the
// direction is judged against the target: moving towards it (or further
// inside it) improves, moving away worsens.
func trend(tp *TargetProgress) string {
	n := len(tp.Points)
	if n < 2 {
		return ""
	}
	latest := tp.Points[n-1].Value
	var sum float64
	k := 0
	for i := n - 2; i >= 0 && k < 3; i-- {
		sum += tp.Points[i].Value
		k++
	}
	before := sum / float64(k)
	ref := tp.High
	if math.IsNaN(ref) {
		ref = tp.Low
	}
	if math.Abs(latest-before) < 0.02*math.Abs(ref) {
		return TrendStable
	}
	dBefore, dLatest := tp.distance(before), tp.distance(latest)
	switch {
	case dLatest < dBefore:
		return TrendImproving
	case dLatest > dBefore:
		return TrendWorsening
	}
	// Both inside the target: judge by the side that matters.
	switch {
	case !math.IsNaN(tp.High) && math.IsNaN(tp.Low):
		if latest < before {
			return TrendImproving
		}
		return TrendWorsening
	case !math.IsNaN(tp.Low) && math.IsNaN(tp.High):
		if latest > before {
			return TrendImproving
		}
		return TrendWorsening
	}
	return TrendStable
}

// achievement summarises the targets as a goal-achievement code.
func achievement(ts []TargetProgress) string {
	evaluated, achieved, sustained := 0, 0, 0
	var trends []string
	for i := range ts {
		t := &ts[i]
		switch t.Status {
		case TargetAchieved:
			evaluated++
			achieved++
			if n := len(t.Points); n >= 2 && t.in(t.Points[n-2].Value) {
				sustained++
			}
		case TargetNotAchieved:
			evaluated++
			trends = append(trends, t.Trend)
		}
	}
	switch {
	case evaluated == 0:
		return ""
	case achieved == evaluated && sustained == evaluated:
		return "sustaining"
	case achieved == evaluated:
		return "achieved"
	}
	has := func(s string) bool {
		for _, x := range trends {
			if x == s {
				return true
			}
		}
		return false
	}
	switch {
	case has(TrendWorsening):
		return "worsening"
	case has(TrendImproving):
		return "improving"
	case has(TrendStable):
		return "no-change"
	}
	return "not-achieved"
}

func unitOf(q *quantity) string {
	if q.Code != "" {
		return q.Code
	}
	return q.Unit
}

// convert expresses v (in unit from) in unit to, through UCUM when they
// differ. Units that are missing are taken to agree. Dimensionless units
// are never converted into each other: UCUM would turn HbA1c 53 mmol/mol
// (IFCC) into 5.3 %, but the NGSP % is a different scale, not a multiple.
func convert(v float64, from, to string) (float64, bool) {
	if from == to || from == "" || to == "" {
		return v, true
	}
	cv, cu, err := ucum.Canonical(v, from)
	if err != nil {
		return 0, false
	}
	one, tu, err := ucum.Canonical(1, to)
	if err != nil || tu != cu || one == 0 || cu == "1" {
		return 0, false
	}
	return cv / one, true
}

// vnZone is Asia/Ho_Chi_Minh, or fixed UTC+7 without a tz database
// (Vietnam keeps no daylight saving). Loaded once: reading the tz
// database costs more than evaluating a goal.
var vnZone = sync.OnceValue(func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Ho_Chi_Minh"); err == nil {
		return loc
	}
	return time.FixedZone("ICT", 7*3600)
})
