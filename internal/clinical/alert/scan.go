package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/clinical/risk"
)

// Scanner keeps the care-team alerts of the record in step with the
// patients' measures and reports. One Scanner must not run concurrently
// with another on the same record: deduplication reads, then writes.
type Scanner struct {
	Client Client
	Model  *risk.Model // nil: no HighRisk alerts
	Now    func() time.Time
	Loc    *time.Location // Asia/Ho_Chi_Minh (UTC+7) when nil
	Log    *slog.Logger
	// MissedInARow is N of the MissedDoses alert (DefaultMissedInARow
	// when 0; negative turns it off).
	MissedInARow int
	// Lookback bounds the doses and side-effect reports the event alerts
	// look at (DefaultLookback when 0).
	Lookback time.Duration
}

// Stats count what a scan did.
type Stats struct {
	Patients int // patients looked at
	Raised   int // new Flag+Task pairs
	Resolved int // alerts resolved (Flag made inactive, open Task cancelled)
	Closed   int // event alerts whose Task the care team closed (Flag made inactive)
	Failed   int // patients whose chart or writes failed (logged)
}

// Scan syncs the alerts of every patient. A patient whose chart cannot be
// read or written is logged and counted in Failed, and the scan goes on;
// the error is for failures to list patients.
func (s *Scanner) Scan(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.Client.EachPatient(ctx, func(p []byte) error {
		id, err := patientID(p)
		if err != nil {
			st.Failed++
			return nil
		}
		st.Patients++
		r, err := s.sync(ctx, id, nil)
		st.Raised += len(r.raised)
		st.Resolved += len(r.resolved)
		st.Closed += r.closed
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			st.Failed++
			s.log().Warn("care alert scan", "patient", id, "err", err)
		}
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("alert scan: %w", err)
	}
	return st, nil
}

func (s *Scanner) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

func (s *Scanner) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Scanner) lookback() time.Duration {
	if s.Lookback > 0 {
		return s.Lookback
	}
	return DefaultLookback
}

// alertKey names one alert episode: its kind and, for a per-medicine
// kind, the medicine.
type alertKey struct {
	kind Kind
	med  string
}

func keyOf(a Alert) alertKey {
	if a.Kind.PerMedicine() {
		return alertKey{a.Kind, a.Medication}
	}
	return alertKey{kind: a.Kind}
}

// existing is the alert resources already on a patient's record.
type existing struct {
	flags  map[alertKey][]map[string]any // active Flags
	tasks  map[alertKey][]map[string]any // open Tasks
	closed map[alertKey]bool             // a Task was completed, cancelled, failed …
	linked map[alertKey]map[string]bool  // evidence any alert of the key referenced
}

func (s *Scanner) existing(ctx context.Context, patient string) (existing, error) {
	ex := existing{flags: map[alertKey][]map[string]any{}, tasks: map[alertKey][]map[string]any{},
		closed: map[alertKey]bool{}, linked: map[alertKey]map[string]bool{}}
	ref := "Patient/" + patient
	for _, q := range []struct {
		typ    string
		params url.Values
	}{
		{"Flag", url.Values{"subject": {ref}, "identifier": {SystemIdentifier + "|"}}},
		{"Task", url.Values{"patient": {ref}, "identifier": {SystemIdentifier + "|"}}},
	} {
		err := s.Client.Search(ctx, q.typ, q.params, func(raw []byte) error {
			var r map[string]any
			if err := json.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("%s of Patient/%s: %w", q.typ, patient, err)
			}
			k, ok := alertKeyOf(r, patient)
			if !ok {
				return nil
			}
			if ex.linked[k] == nil {
				ex.linked[k] = map[string]bool{}
			}
			for _, e := range references(r) {
				ex.linked[k][e] = true
			}
			status, _ := r["status"].(string)
			switch {
			case q.typ == "Flag" && status == "active":
				ex.flags[k] = append(ex.flags[k], r)
			case q.typ == "Task" && openTask(status):
				ex.tasks[k] = append(ex.tasks[k], r)
			case q.typ == "Task":
				ex.closed[k] = true
			}
			return nil
		})
		if err != nil {
			return existing{}, err
		}
	}
	return ex, nil
}

// alertKeyOf reads which of this package's alerts a resource is, from its
// identifier.
func alertKeyOf(r map[string]any, patient string) (alertKey, bool) {
	ids, _ := r["identifier"].([]any)
	for _, x := range ids {
		id, _ := x.(map[string]any)
		v, _ := id["value"].(string)
		if id["system"] != SystemIdentifier || !strings.HasPrefix(v, patient+"/") {
			continue
		}
		kind, med, _ := strings.Cut(strings.TrimPrefix(v, patient+"/"), "/")
		for _, k := range Kinds() {
			if string(k) == kind && (med == "" || k.PerMedicine()) {
				return alertKey{k, med}, true
			}
		}
	}
	return alertKey{}, false
}

// references lists the evidence an alert resource links: the Flag's
// care-alert-reason evidence, the Task's reasonReference and inputs.
func references(r map[string]any) []string {
	var out []string
	add := func(v any) {
		m, _ := v.(map[string]any)
		if s, _ := m["reference"].(string); s != "" {
			out = append(out, s)
		}
	}
	exts, _ := r["extension"].([]any)
	for _, x := range exts {
		e, _ := x.(map[string]any)
		if e["url"] != ExtReason {
			continue
		}
		subs, _ := e["extension"].([]any)
		for _, y := range subs {
			sub, _ := y.(map[string]any)
			add(sub["valueReference"])
		}
	}
	add(r["reasonReference"])
	inputs, _ := r["input"].([]any)
	for _, x := range inputs {
		in, _ := x.(map[string]any)
		add(in["valueReference"])
	}
	return out
}

// Sync raises the alerts the patient should have and does not, closes
// event alerts whose Task the care team has closed, and resolves the
// active ones they no longer should have. It returns the kinds raised and
// resolved (a kind once per medicine).
func (s *Scanner) Sync(ctx context.Context, patient string) (raised, resolved []Kind, err error) {
	r, err := s.sync(ctx, patient, nil)
	return r.raised, r.resolved, err
}

type syncResult struct {
	raised, resolved []Kind
	closed           int
}

// sync brings the alerts of the given kinds (nil: all) up to date.
func (s *Scanner) sync(ctx context.Context, patient string, kinds []Kind) (res syncResult, err error) {
	in := Input{Now: s.now(), Loc: s.Loc, Model: s.Model, MissedInARow: s.MissedInARow, Lookback: s.Lookback, Kinds: kinds}
	in.Chart, err = s.Client.Chart(ctx, patient)
	if err != nil {
		return res, err
	}
	if in.wants(SideEffect) {
		in.Reports, err = s.Client.SideEffectReports(ctx, patient, in.Now.Add(-s.lookback()))
		if err != nil {
			return res, err
		}
	}
	now := in.Now
	want, err := Evaluate(in)
	if err != nil {
		return res, fmt.Errorf("Patient/%s: %w", patient, err)
	}
	ex, err := s.existing(ctx, patient)
	if err != nil {
		return res, err
	}
	// An event alert ends when the care team completes or cancels its
	// Task: its Flag goes inactive, and a new report may raise a new one.
	for _, k := range sortedKeys(ex.flags) {
		if !k.kind.Event() || !in.wants(k.kind) || len(ex.tasks[k]) > 0 || !ex.closed[k] {
			continue
		}
		if err := s.inactivate(ctx, ex.flags[k], now); err != nil {
			return res, err
		}
		delete(ex.flags, k)
		res.closed++
	}
	wanted := map[alertKey]bool{}
	for _, a := range want {
		k := keyOf(a)
		wanted[k] = true
		if len(ex.flags[k]) > 0 || len(ex.tasks[k]) > 0 {
			continue // already raised: deduplicated
		}
		if k.kind.Event() && allLinked(a.Evidence, ex.linked[k]) {
			continue // these reports were already handled by the care team
		}
		if err := s.raise(ctx, patient, a, in.Chart.Patient, now); err != nil {
			return res, err
		}
		res.raised = append(res.raised, a.Kind)
	}
	open := map[alertKey]bool{}
	for k := range ex.flags {
		open[k] = true
	}
	for k := range ex.tasks {
		open[k] = true
	}
	for _, k := range sortedKeys(open) {
		if wanted[k] || !in.wants(k.kind) || k.kind == SideEffect {
			continue // a side effect is closed by the care team, never assumed gone
		}
		if err := s.resolve(ctx, k.kind, ex.flags[k], ex.tasks[k], now); err != nil {
			return res, err
		}
		if len(ex.flags[k]) > 0 {
			res.resolved = append(res.resolved, k.kind)
		}
	}
	return res, nil
}

// allLinked reports whether every piece of evidence was linked before
// (and there is some).
func allLinked(evidence []string, linked map[string]bool) bool {
	if len(evidence) == 0 {
		return len(linked) > 0
	}
	for _, e := range evidence {
		if !linked[e] {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[alertKey]V) []alertKey {
	ks := make([]alertKey, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		if ks[i].kind != ks[j].kind {
			return ks[i].kind < ks[j].kind
		}
		return ks[i].med < ks[j].med
	})
	return ks
}

func (s *Scanner) raise(ctx context.Context, patient string, a Alert, patientJSON []byte, now time.Time) error {
	assessment := ""
	if a.Assessment != nil {
		ra, err := a.Assessment.RiskAssessment("Patient/"+patient, now.In(s.loc()), 3)
		if err != nil {
			return err
		}
		id, err := s.Client.Create(ctx, "RiskAssessment", ra, "")
		if err != nil {
			return err
		}
		assessment = "RiskAssessment/" + id
		a.Evidence = append(a.Evidence, assessment)
	}
	flag, err := flagJSON(patient, a, now)
	if err != nil {
		return err
	}
	flagID, err := s.Client.Create(ctx, "Flag", flag, "")
	if err != nil {
		return err
	}
	owner, err := s.owner(ctx, patient, patientJSON)
	if err != nil {
		return err
	}
	task, err := taskJSON(patient, a, flagID, owner, assessment, now)
	if err != nil {
		return err
	}
	_, err = s.Client.Create(ctx, "Task", task, "")
	return err
}

func (s *Scanner) loc() *time.Location {
	if s.Loc != nil {
		return s.Loc
	}
	return time.FixedZone("ICT", 7*3600)
}

// owner is the patient's active CareTeam, else their general
// practitioner (in Vietnam usually the commune health station).
func (s *Scanner) owner(ctx context.Context, patient string, patientJSON []byte) (string, error) {
	owner := ""
	err := s.Client.Search(ctx, "CareTeam", url.Values{"subject": {"Patient/" + patient}, "status": {"active"}, "_count": {"1"}}, func(raw []byte) error {
		var ct struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(raw, &ct) == nil && ct.ID != "" && owner == "" {
			owner = "CareTeam/" + ct.ID
		}
		return nil
	})
	if err != nil || owner != "" {
		return owner, err
	}
	var p struct {
		GeneralPractitioner []struct {
			Reference string `json:"reference"`
		} `json:"generalPractitioner"`
	}
	if json.Unmarshal(patientJSON, &p) == nil && len(p.GeneralPractitioner) > 0 {
		return p.GeneralPractitioner[0].Reference, nil
	}
	return "", nil
}

// inactivate makes the Flags inactive, ending their period.
func (s *Scanner) inactivate(ctx context.Context, flags []map[string]any, now time.Time) error {
	ts := now.Format(time.RFC3339)
	for _, f := range flags {
		f["status"] = "inactive"
		p, _ := f["period"].(map[string]any)
		if p == nil {
			p = map[string]any{}
		}
		p["end"] = ts
		f["period"] = p
		if err := s.put(ctx, "Flag", f); err != nil {
			return err
		}
	}
	return nil
}

// resolvedBecause says why an alert of the kind was resolved.
func resolvedBecause(k Kind) string {
	if k == MissedDoses {
		return "Người bệnh đã uống thuốc trở lại hoặc không còn đủ liều bỏ liên tiếp gần đây / The patient has taken a dose since, or too few recent doses were missed in a row"
	}
	return "Người bệnh đã cải thiện, không còn cảnh báo / The patient recovered; the alert no longer applies"
}

// resolve makes the Flags inactive (ending their period) and cancels the
// open Tasks, saying why.
func (s *Scanner) resolve(ctx context.Context, k Kind, flags, tasks []map[string]any, now time.Time) error {
	ts := now.Format(time.RFC3339)
	if err := s.inactivate(ctx, flags, now); err != nil {
		return err
	}
	for _, t := range tasks {
		t["status"] = "cancelled"
		t["statusReason"] = map[string]any{"text": resolvedBecause(k)}
		t["lastModified"] = ts
		if err := s.put(ctx, "Task", t); err != nil {
			return err
		}
	}
	return nil
}

func (s *Scanner) put(ctx context.Context, typ string, r map[string]any) error {
	id, _ := r["id"].(string)
	if id == "" {
		return fmt.Errorf("alert: %s without id", typ)
	}
	delete(r, "meta")
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("alert: %s/%s: %w", typ, id, err)
	}
	return s.Client.Update(ctx, typ, id, b)
}
