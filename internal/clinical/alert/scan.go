package alert

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/sen-emr/sen/internal/clinical/risk"
)

// Scanner keeps the care-team alerts of the record in step with the
// patients' measures. One Scanner must not run concurrently with another
// on the same record: deduplication reads, then writes.
type Scanner struct {
	Client Client
	Model  *risk.Model // nil: PDC alerts only
	Now    func() time.Time
	Loc    *time.Location // Asia/Ho_Chi_Minh (UTC+7) when nil
	Log    *slog.Logger
}

// Stats count what a scan did.
type Stats struct {
	Patients int // patients looked at
	Raised   int // new Flag+Task pairs
	Resolved int // alerts resolved (Flag made inactive)
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
		raised, resolved, err := s.Sync(ctx, id)
		st.Raised += len(raised)
		st.Resolved += len(resolved)
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

// existing is the alert resources already on a patient's record, by kind.
type existing struct {
	flags map[Kind][]map[string]any // active Flags
	tasks map[Kind][]map[string]any // open Tasks
}

func (s *Scanner) existing(ctx context.Context, patient string) (existing, error) {
	ex := existing{flags: map[Kind][]map[string]any{}, tasks: map[Kind][]map[string]any{}}
	ref := "Patient/" + patient
	for _, q := range []struct {
		typ    string
		params url.Values
		into   map[Kind][]map[string]any
		keep   func(status string) bool
	}{
		{"Flag", url.Values{"subject": {ref}}, ex.flags, func(s string) bool { return s == "active" }},
		{"Task", url.Values{"patient": {ref}, "identifier": {SystemIdentifier + "|"}}, ex.tasks, openTask},
	} {
		err := s.Client.Search(ctx, q.typ, q.params, func(raw []byte) error {
			var r map[string]any
			if err := json.Unmarshal(raw, &r); err != nil {
				return fmt.Errorf("%s of Patient/%s: %w", q.typ, patient, err)
			}
			status, _ := r["status"].(string)
			if k, ok := alertKind(r, patient); ok && q.keep(status) {
				q.into[k] = append(q.into[k], r)
			}
			return nil
		})
		if err != nil {
			return existing{}, err
		}
	}
	return ex, nil
}

// alertKind reads which of this package's alerts a resource is, from its
// identifier.
func alertKind(r map[string]any, patient string) (Kind, bool) {
	ids, _ := r["identifier"].([]any)
	for _, x := range ids {
		id, _ := x.(map[string]any)
		if id["system"] != SystemIdentifier {
			continue
		}
		for _, k := range Kinds() {
			if id["value"] == identifierValue(patient, k) {
				return k, true
			}
		}
	}
	return "", false
}

// Sync raises the alerts the patient should have and does not, and
// resolves the active ones they no longer should have. It returns the
// kinds raised and resolved.
func (s *Scanner) Sync(ctx context.Context, patient string) (raised, resolved []Kind, err error) {
	chart, err := s.Client.Chart(ctx, patient)
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	want, err := Evaluate(Input{Chart: chart, Now: now, Loc: s.Loc, Model: s.Model})
	if err != nil {
		return nil, nil, fmt.Errorf("Patient/%s: %w", patient, err)
	}
	ex, err := s.existing(ctx, patient)
	if err != nil {
		return nil, nil, err
	}
	wanted := map[Kind]bool{}
	for _, a := range want {
		wanted[a.Kind] = true
		if len(ex.flags[a.Kind]) > 0 {
			continue // already raised: deduplicated
		}
		if err := s.raise(ctx, patient, a, chart.Patient, now); err != nil {
			return raised, resolved, err
		}
		raised = append(raised, a.Kind)
	}
	for _, k := range Kinds() {
		if wanted[k] || len(ex.flags[k]) == 0 && len(ex.tasks[k]) == 0 {
			continue
		}
		if err := s.resolve(ctx, ex.flags[k], ex.tasks[k], now); err != nil {
			return raised, resolved, err
		}
		if len(ex.flags[k]) > 0 {
			resolved = append(resolved, k)
		}
	}
	return raised, resolved, nil
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

// resolve makes the Flags inactive (ending their period) and cancels the
// open Tasks, saying why.
func (s *Scanner) resolve(ctx context.Context, flags, tasks []map[string]any, now time.Time) error {
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
	for _, t := range tasks {
		t["status"] = "cancelled"
		t["statusReason"] = map[string]any{"text": "Người bệnh đã cải thiện, không còn cảnh báo / The patient recovered; the alert no longer applies"}
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
