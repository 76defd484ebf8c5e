package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/clinical/careplan"
)

// The caregiver's view of the plan (issue 10), in the patient app:
//
//	GET /me/plan   for each patient the signed-in patient or caregiver acts
//	               for: the active care plan and its activities, the goals
//	               with progress computed from the record
//	               (careplan.EvaluateGoal), the open tasks and the next
//	               booked visit.
//
// A caregiver of several people (an adult child of both parents) sees them
// all on one page rather than switching between them.

// maxFamily bounds the patients shown on one page, as /me's switcher does.
const maxFamily = 10

type cpFamily struct {
	Patients []cpFamilyPatient
}

type cpFamilyPatient struct {
	Patient    patientView
	Plans      []cpPlanView
	Goals      []cpGoalView
	Tasks      []cpTaskView
	Team       []careplan.Member
	Next       *cpVisitView
	RoleName   func(string) string
	SectorName func(string) string
}

type cpPlanView struct {
	Title      string
	Activities []string
}

type cpGoalView struct {
	Description string
	Achievement string // goal-achievement code, "" without data
	Targets     []cpTargetView
}

type cpTargetView struct {
	Measure, Target, Latest, Unit, Status, Trend string
	When                                         time.Time
}

type cpTaskView struct {
	Text, Status, Owner string
	Due                 time.Time
}

type cpVisitView struct {
	When  time.Time
	Where string
	Text  string
}

// mePlan shows the care plans of every patient the user acts for.
func (h *Handler) mePlan(w http.ResponseWriter, r *http.Request, c *careScreens) error {
	u, pid, ok := h.patientUser(w, r)
	if !ok {
		return nil
	}
	lang := h.cfg.Catalog.FromRequest(r)
	ids := append([]string{pid}, u.Patients...)
	seen := map[string]bool{}
	d := &cpFamily{}
	for _, id := range ids {
		if seen[id] || len(d.Patients) == maxFamily {
			continue
		}
		seen[id] = true
		fp, err := h.familyPatient(r.Context(), id, lang)
		if err != nil {
			return err
		}
		d.Patients = append(d.Patients, *fp)
	}
	return c.render(w, r, "careplan_family", &page{Title: "cp.family.title", App: "me", Data: d})
}

// familyPatient gathers one patient's plan, goals, tasks and next visit.
func (h *Handler) familyPatient(ctx context.Context, id, lang string) (*cpFamilyPatient, error) {
	p, err := h.loadPatient(ctx, id)
	if err != nil {
		return nil, err
	}
	fp := &cpFamilyPatient{Patient: p}
	ref := "Patient/" + id
	plans, err := h.search(ctx, "CarePlan", url.Values{"subject": {ref}, "status": {"active"}, "_count": {"20"}})
	if err != nil {
		return nil, err
	}
	for _, pl := range decode[carePlanJSON](h, plans) {
		v := cpPlanView{Title: pl.Title}
		if v.Title == "" {
			v.Title = pl.Description
		}
		for _, a := range pl.Activity {
			if a.Detail == nil || a.Detail.Status == "cancelled" || a.Detail.Status == "entered-in-error" {
				continue
			}
			t := a.Detail.Code.label()
			if a.Detail.Description != "" {
				t = a.Detail.Description
			}
			v.Activities = append(v.Activities, t)
		}
		fp.Plans = append(fp.Plans, v)
	}
	if fp.Goals, err = h.familyGoals(ctx, ref, lang); err != nil {
		return nil, err
	}
	tasks, err := h.search(ctx, "Task", url.Values{"patient": {ref}, "status": {"draft,requested,received,accepted,ready,in-progress,on-hold"}, "_count": {"50"}})
	if err != nil {
		return nil, err
	}
	for _, t := range decode[cpTaskJSON](h, tasks) {
		v := cpTaskView{Text: t.Description, Status: t.Status, Owner: t.Owner.Display}
		if v.Text == "" {
			v.Text = t.Code.label()
		}
		if t.Restriction != nil && t.Restriction.Period != nil {
			v.Due = parseTime(t.Restriction.Period.End, h.cfg.Location)
		}
		if v.Owner == "" && t.Owner.Reference != "" {
			v.Owner = h.referenceName(ctx, t.Owner)
		}
		fp.Tasks = append(fp.Tasks, v)
	}
	sort.SliceStable(fp.Tasks, func(i, j int) bool {
		a, b := fp.Tasks[i].Due, fp.Tasks[j].Due
		return !a.IsZero() && (b.IsZero() || a.Before(b))
	})
	if fp.Next, err = h.nextVisit(ctx, ref); err != nil {
		return nil, err
	}
	teams, err := h.search(ctx, "CareTeam", url.Values{"subject": {ref}, "status": {"active"}, "_count": {"5"}})
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		ms, err := careplan.Members(t.JSON)
		if err != nil {
			continue // a team Sen cannot read is left out rather than failing the page
		}
		fp.Team = append(fp.Team, ms...)
	}
	fp.RoleName = func(role string) string { return careplan.RoleName(role, lang) }
	fp.SectorName = func(s string) string { return careplan.SectorName(s, lang) }
	return fp, nil
}

// familyGoals evaluates the patient's active goals against their
// Observations of each target's measure.
func (h *Handler) familyGoals(ctx context.Context, ref, lang string) ([]cpGoalView, error) {
	goals, err := h.search(ctx, "Goal", url.Values{"subject": {ref}, "lifecycle-status": {"proposed,planned,accepted,active"}, "_count": {"20"}})
	if err != nil {
		return nil, err
	}
	var out []cpGoalView
	for _, g := range goals {
		codes := goalMeasures(g.JSON)
		var obs [][]byte
		if len(codes) > 0 {
			// code matches an Observation's own code; combo-code also finds a
			// measure carried as a component (blood pressure panels).
			for _, param := range []string{"code", "combo-code"} {
				rs, err := h.search(ctx, "Observation", url.Values{"subject": {ref}, param: {strings.Join(codes, ",")}, "_count": {"200"}})
				if err != nil {
					return nil, err
				}
				for _, o := range rs {
					obs = append(obs, o.JSON)
				}
			}
		}
		gp, err := careplan.EvaluateGoal(g.JSON, dedupeBodies(obs), careplan.EvalOptions{Now: h.now(), Loc: h.cfg.Location})
		if err != nil {
			return nil, fmt.Errorf("goal %s: %w", g.ID, err)
		}
		v := cpGoalView{Description: gp.Description, Achievement: gp.Achievement}
		for _, t := range gp.Targets {
			tv := cpTargetView{Measure: t.MeasureText, Target: t.Text(), Unit: t.Unit, Status: t.Status, Trend: t.Trend}
			if p := t.Latest(); p != nil {
				tv.Latest, tv.When = formatNumber(p.Value), p.Time
			}
			v.Targets = append(v.Targets, tv)
		}
		out = append(out, v)
	}
	return out, nil
}

// dedupeBodies drops repeated bodies (an Observation found by code and by
// combo-code).
func dedupeBodies(bs [][]byte) [][]byte {
	seen := map[string]bool{}
	out := bs[:0]
	for _, b := range bs {
		if seen[string(b)] {
			continue
		}
		seen[string(b)] = true
		out = append(out, b)
	}
	return out
}

// goalMeasures returns the system|code tokens of a Goal's target measures.
func goalMeasures(goal []byte) []string {
	var g struct {
		Target []struct {
			Measure *concept `json:"measure"`
		} `json:"target"`
	}
	if json.Unmarshal(goal, &g) != nil {
		return nil
	}
	var out []string
	for _, t := range g.Target {
		if t.Measure == nil {
			continue
		}
		for _, c := range t.Measure.Coding {
			if c.Code != "" {
				out = append(out, c.System+"|"+c.Code)
			}
		}
	}
	return out
}

// nextVisit is the earliest booked or pending Appointment from now on.
func (h *Handler) nextVisit(ctx context.Context, ref string) (*cpVisitView, error) {
	now := h.now()
	rs, err := h.search(ctx, "Appointment", url.Values{"patient": {ref}, "status": {"proposed,pending,booked"},
		"date": {"ge" + now.Format(time.RFC3339)}, "_count": {"50"}})
	if err != nil {
		return nil, err
	}
	var best *cpVisitView
	for _, a := range decode[appointmentJSON](h, rs) {
		t := parseTime(a.Start, h.cfg.Location)
		if t.IsZero() || t.Before(now) || best != nil && !t.Before(best.When) {
			continue
		}
		v := &cpVisitView{When: t, Text: a.Description}
		if v.Text == "" {
			v.Text = a.ServiceType.label()
		}
		for _, p := range a.Participant {
			if typ, _, _ := strings.Cut(p.Actor.Reference, "/"); typ == "Location" || typ == "Organization" || typ == "HealthcareService" {
				v.Where = p.Actor.Display
				if v.Where == "" {
					v.Where = h.referenceName(ctx, p.Actor)
				}
			}
		}
		best = v
	}
	return best, nil
}

// The parts of CarePlan, Task and Appointment the page reads.
type carePlanJSON struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Activity    []struct {
		Detail *struct {
			Kind        string  `json:"kind"`
			Code        concept `json:"code"`
			Status      string  `json:"status"`
			Description string  `json:"description"`
		} `json:"detail"`
	} `json:"activity"`
}

type cpTaskJSON struct {
	Status      string    `json:"status"`
	Description string    `json:"description"`
	Code        concept   `json:"code"`
	Owner       reference `json:"owner"`
	Restriction *struct {
		Period *struct{ Start, End string } `json:"period"`
	} `json:"restriction"`
}

type appointmentJSON struct {
	Start       string   `json:"start"`
	Description string   `json:"description"`
	ServiceType concepts `json:"serviceType"`
	Participant []struct {
		Actor reference `json:"actor"`
	} `json:"participant"`
}

// concepts is a list of CodeableConcepts labelled by the first.
type concepts []concept

func (cs concepts) label() string {
	if len(cs) == 0 {
		return ""
	}
	return cs[0].label()
}
