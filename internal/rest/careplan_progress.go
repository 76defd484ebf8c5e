package rest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/sen-emr/sen/internal/clinical/careplan"
	"github.com/sen-emr/sen/internal/fhir"
)

// carePlanProgress runs $progress on a CarePlan: each of its Goals
// (CarePlan.goal) evaluated against the patient's Observations of the last
// year, with the latest value, target, status and trend per target, and
// the plan's activities with their status. Nothing is written.
func (s *server) carePlanProgress(r *http.Request) (*result, error) {
	id := r.PathValue("id")
	if err := checkID(id); err != nil {
		return nil, err
	}
	ctx := r.Context()
	res, err := s.cfg.Store.Read(ctx, "CarePlan", id)
	if err != nil {
		return nil, err
	}
	var plan struct {
		Status   string
		Title    string
		Subject  struct{ Reference string }
		Goal     []struct{ Reference string }
		Activity []struct {
			Reference *struct{ Reference, Display string }
			Detail    *struct {
				Kind        string
				Status      string
				Description string
				Code        *struct {
					Text   string
					Coding []struct{ Display, Code string }
				}
			}
		}
	}
	if err := json.Unmarshal(res.JSON, &plan); err != nil {
		return nil, fmt.Errorf("read CarePlan/%s: %w", id, err)
	}
	pid, ok := strings.CutPrefix(plan.Subject.Reference, "Patient/")
	if !ok {
		return nil, fhir.Errorf(fhir.KindUnprocessable, "CarePlan/%s has no Patient subject", id).At("CarePlan.subject")
	}
	recs, err := s.patientRecords(ctx, pid, "Observation")
	if err != nil {
		return nil, err
	}
	var out paramList
	out.ref("carePlan", "CarePlan/"+id, plan.Title)
	out.ref("patient", plan.Subject.Reference, "")
	out.when("generated", s.cfg.Now())
	for _, g := range plan.Goal {
		gid, ok := strings.CutPrefix(g.Reference, "Goal/")
		if !ok {
			continue
		}
		gres, err := s.cfg.Store.Read(ctx, "Goal", gid)
		if err != nil {
			if k := fhir.KindOf(err); k == fhir.KindNotFound || k == fhir.KindGone {
				continue
			}
			return nil, err
		}
		gp, err := careplan.EvaluateGoal(gres.JSON, recs["Observation"], careplan.EvalOptions{Now: s.cfg.Now(), Loc: vnLocation()})
		if err != nil {
			return nil, fhir.Errorf(fhir.KindUnprocessable, "Goal/%s: %v", gid, err)
		}
		out.part("goal", goalParts(gp))
	}
	for _, a := range plan.Activity {
		var p paramList
		switch {
		case a.Detail != nil:
			p.code("kind", a.Detail.Kind)
			p.code("status", a.Detail.Status)
			desc := a.Detail.Description
			if desc == "" && a.Detail.Code != nil {
				desc = a.Detail.Code.Text
			}
			p.str("description", desc)
		case a.Reference != nil:
			p.ref("reference", a.Reference.Reference, a.Reference.Display)
		default:
			continue
		}
		out.part("activity", p)
	}
	return out.result()
}

func goalParts(gp careplan.GoalProgress) paramList {
	var p paramList
	p.ref("goal", "Goal/"+gp.GoalID, gp.Description)
	p.code("lifecycleStatus", gp.Lifecycle)
	p.code("achievement", gp.Achievement)
	for i := range gp.Targets {
		t := &gp.Targets[i]
		var tp paramList
		tp.str("measure", t.Measure)
		tp.str("measureText", t.MeasureText)
		tp.str("target", t.Text())
		tp.code("status", t.Status)
		tp.code("trend", t.Trend)
		if l := t.Latest(); l != nil {
			tp.add("latest", "valueQuantity", map[string]any{"value": l.Value, "unit": l.Unit, "system": "http://unitsofmeasure.org", "code": l.Unit})
			tp.when("latestDate", l.Time)
			if l.ObservationID != "" {
				tp.ref("observation", "Observation/"+l.ObservationID, "")
			}
		}
		tp.add("count", "valueInteger", len(t.Points))
		p.part("target", tp)
	}
	return p
}

// taskReminders runs $reminders: owner's open Tasks that are overdue, due
// today or due within two days, most overdue first.
func (s *server) taskReminders(r *http.Request) (*result, error) {
	owner := r.URL.Query().Get("owner")
	if err := s.mustExist(r.Context(), owner, "owner", "Organization", "PractitionerRole", "Practitioner", "RelatedPerson"); err != nil {
		return nil, err
	}
	tasks, err := s.searchAll(r.Context(), "Task", url.Values{"owner": {owner}, "status": {openTaskStatuses}}, maxCompartment)
	if err != nil {
		return nil, err
	}
	var views []careplan.TaskView
	for _, t := range tasks {
		v, err := careplan.ReadTask(t.JSON, vnLocation())
		if err != nil {
			return nil, fmt.Errorf("Task/%s: %w", t.ID, err)
		}
		views = append(views, v)
	}
	lang := langOf(r)
	var out paramList
	out.ref("owner", owner, "")
	for _, rm := range careplan.Reminders(views, s.cfg.Now(), vnLocation()) {
		var p paramList
		p.ref("task", "Task/"+rm.Task.ID, rm.Task.Description)
		if rm.Task.Patient != "" {
			p.ref("patient", "Patient/"+rm.Task.Patient, "")
		}
		p.code("level", rm.Level)
		p.add("days", "valueInteger", rm.Days)
		p.when("due", rm.Task.Due)
		p.str("kind", careplan.WorkName(rm.Task.Kind, lang))
		out.part("reminder", p)
	}
	return out.result()
}
