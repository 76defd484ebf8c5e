package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sen-emr/sen/internal/clinical/careplan"
	"github.com/sen-emr/sen/internal/fhir"
)

// The clinician's CarePlan/CareTeam editor: one active CareTeam and one
// active CarePlan per patient, edited a piece at a time. Every change is a
// FHIR create or update through the FHIR handler (fhirCall), so validation,
// the access guard, audit and subscriptions apply as for any client; the
// CareTeam itself is built by careplan.CareTeamJSON, which checks that a
// role suits the member's resource type.

// codeSystemActivity is Sen's code for the kind of a plan activity.
const codeSystemActivity = "https://sen-emr.github.io/fhir/CodeSystem/care-activity"

// cpActivityKinds map Sen's activity kinds to CarePlan.activity.detail.kind.
var cpActivityKinds = []struct{ Code, Kind string }{
	{"medication", "MedicationRequest"},
	{"visit", "Appointment"},
	{"education", "CommunicationRequest"},
	{"exercise", "Task"},
}

// cpMeasure is a goal measure the editor offers, with its UCUM unit.
type cpMeasure struct {
	Key, System, Code, Display, Unit string
}

var cpMeasures = []cpMeasure{
	{"sbp", "http://loinc.org", "8480-6", "Systolic blood pressure", "mm[Hg]"},
	{"dbp", "http://loinc.org", "8462-4", "Diastolic blood pressure", "mm[Hg]"},
	{"hba1c", "http://loinc.org", "4548-4", "Hemoglobin A1c/Hemoglobin.total in Blood", "%"},
	{"glucose", "http://loinc.org", "1558-6", "Fasting glucose [Moles/volume] in Serum or Plasma", "mmol/L"},
	{"weight", "http://loinc.org", "29463-7", "Body weight", "kg"},
	{"ldl", "http://loinc.org", "18262-6", "LDL cholesterol [Moles/volume] in Serum or Plasma", "mmol/L"},
}

// cpRoles are the care-team roles offered, in the order shown.
var cpRoles = []string{careplan.RoleSpecialist, careplan.RoleStationGP, careplan.RoleNurse, careplan.RoleCHW,
	careplan.RoleSocialWorker, careplan.RoleCaregiver, careplan.RoleCoordinator}

var cpSectors = []string{careplan.SectorHospital, careplan.SectorPrimary, careplan.SectorCommunity, careplan.SectorSocial, careplan.SectorFamily}

type careEditor struct{ c *careScreens }

type cpEditor struct {
	Patient    patientView
	Members    []careplan.Member
	Goals      []cpGoalView
	Activities []cpActivityView
	Roles      []cpOption
	Sectors    []cpOption
	Measures   []cpMeasure
	Kinds      []string
	Saved      bool
	RoleName   func(string) string
	SectorName func(string) string
}

type cpOption struct{ Code, Name string }

type cpActivityView struct{ Kind, Text, Status string }

// show renders the editor with the patient's current team, goals and
// activities.
func (e *careEditor) show(w http.ResponseWriter, r *http.Request) error {
	h := e.c.h
	if _, ok := h.clinician(w, r); !ok {
		return nil
	}
	pid := r.PathValue("id")
	if !fhir.ValidID(pid) {
		return notFound("error.notfound")
	}
	ctx := r.Context()
	p, err := h.loadPatient(ctx, pid)
	if err != nil {
		return err
	}
	lang := h.cfg.Catalog.FromRequest(r)
	d := &cpEditor{Patient: p, Measures: cpMeasures, Saved: r.URL.Query().Get("saved") == "1",
		RoleName:   func(s string) string { return careplan.RoleName(s, lang) },
		SectorName: func(s string) string { return careplan.SectorName(s, lang) }}
	for _, k := range cpActivityKinds {
		d.Kinds = append(d.Kinds, k.Code)
	}
	for _, ro := range cpRoles {
		d.Roles = append(d.Roles, cpOption{ro, careplan.RoleName(ro, lang)})
	}
	for _, s := range cpSectors {
		d.Sectors = append(d.Sectors, cpOption{s, careplan.SectorName(s, lang)})
	}
	if team, err := h.activeOne(ctx, "CareTeam", pid); err != nil {
		return err
	} else if team != nil {
		if d.Members, err = careplan.Members(team.JSON); err != nil {
			return err
		}
	}
	if d.Goals, err = h.familyGoals(ctx, "Patient/"+pid, lang); err != nil {
		return err
	}
	plan, err := h.activeOne(ctx, "CarePlan", pid)
	if err != nil {
		return err
	}
	if plan != nil {
		var pl carePlanJSON
		if err := json.Unmarshal(plan.JSON, &pl); err != nil {
			return fmt.Errorf("decode CarePlan/%s: %w", plan.ID, err)
		}
		for _, a := range pl.Activity {
			if a.Detail == nil {
				continue
			}
			v := cpActivityView{Kind: a.Detail.Code.code(codeSystemActivity), Text: a.Detail.Description, Status: a.Detail.Status}
			if v.Text == "" {
				v.Text = a.Detail.Code.label()
			}
			d.Activities = append(d.Activities, v)
		}
	}
	return e.c.render(w, r, "careplan_editor", &page{Title: "cp.edit.title", App: "app", Data: d})
}

// activeOne returns the patient's first active resource of typ (CareTeam,
// CarePlan), or nil.
func (h *Handler) activeOne(ctx context.Context, typ, pid string) (*fhir.Resource, error) {
	rs, err := h.search(ctx, typ, url.Values{"subject": {"Patient/" + pid}, "status": {"active"}, "_count": {"1"}})
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	return rs[0], nil
}

// editForm checks the clinician, the patient id and the form, and returns
// the patient id.
func (e *careEditor) editForm(w http.ResponseWriter, r *http.Request) (string, bool, error) {
	if _, ok := e.c.h.clinician(w, r); !ok {
		return "", false, nil
	}
	pid := r.PathValue("id")
	if !fhir.ValidID(pid) {
		return "", false, notFound("error.notfound")
	}
	if err := r.ParseForm(); err != nil {
		return "", false, badRequest("error.invalid", err)
	}
	return pid, true, nil
}

func (e *careEditor) done(w http.ResponseWriter, r *http.Request, pid string) error {
	return redirect(w, r, "/app/patients/"+url.PathEscape(pid)+"/careplan?saved=1")
}

// writeError turns a refused write into a 400 page naming the problem;
// server faults stay 500.
func writeError(err error) error {
	if fhir.StatusOf(err) < 500 {
		return badRequest("error.invalid", err)
	}
	return err
}

// addMember adds one participant to the patient's active CareTeam,
// creating the team (and linking it from the active CarePlan) when there is
// none.
func (e *careEditor) addMember(w http.ResponseWriter, r *http.Request) error {
	pid, ok, err := e.editForm(w, r)
	if !ok {
		return err
	}
	f := r.PostForm
	m := careplan.Member{Ref: strings.TrimSpace(f.Get("member")), Display: strings.TrimSpace(f.Get("display")),
		Role: f.Get("role"), Sector: f.Get("sector"), OnBehalfOf: strings.TrimSpace(f.Get("onBehalfOf"))}
	if typ, id, ok := strings.Cut(m.Ref, "/"); !ok || typ == "" || !fhir.ValidID(id) {
		return badRequest("error.invalid", fmt.Errorf("member %q: want Type/id", m.Ref))
	}
	return e.saveTeam(r, pid, func(ms []careplan.Member) ([]careplan.Member, error) { return append(ms, m), nil }, w)
}

// removeMember removes the participant at index ?i (as listed).
func (e *careEditor) removeMember(w http.ResponseWriter, r *http.Request) error {
	pid, ok, err := e.editForm(w, r)
	if !ok {
		return err
	}
	i, err := strconv.Atoi(r.PostForm.Get("i"))
	if err != nil {
		return badRequest("error.invalid", fmt.Errorf("member index %q", r.PostForm.Get("i")))
	}
	return e.saveTeam(r, pid, func(ms []careplan.Member) ([]careplan.Member, error) {
		if i < 0 || i >= len(ms) {
			return nil, fhir.Errorf(fhir.KindInvalid, "no member %d on the team", i+1)
		}
		return append(ms[:i:i], ms[i+1:]...), nil
	}, w)
}

func (e *careEditor) saveTeam(r *http.Request, pid string, change func([]careplan.Member) ([]careplan.Member, error), w http.ResponseWriter) error {
	h := e.c.h
	ctx := r.Context()
	team := careplan.Team{Patient: "Patient/" + pid}
	cur, err := h.activeOne(ctx, "CareTeam", pid)
	if err != nil {
		return err
	}
	if cur != nil {
		var old struct {
			Name                 string `json:"name"`
			Period               *struct{ Start string }
			ManagingOrganization []reference `json:"managingOrganization"`
		}
		_ = json.Unmarshal(cur.JSON, &old)
		team.ID, team.Name = cur.ID, old.Name
		if old.Period != nil {
			team.Start = old.Period.Start
		}
		for _, m := range old.ManagingOrganization {
			team.Managing = append(team.Managing, m.Reference)
		}
		if team.Members, err = careplan.Members(cur.JSON); err != nil {
			return err
		}
	} else {
		team.ID, team.Start = uuid.NewString(), h.now().Format("2006-01-02")
	}
	if team.Members, err = change(team.Members); err != nil {
		return writeError(err)
	}
	if len(team.Members) == 0 {
		// An empty team is not a CareTeam careplan builds: end the team instead.
		var doc map[string]any
		if err := json.Unmarshal(cur.JSON, &doc); err != nil {
			return fmt.Errorf("decode CareTeam/%s: %w", cur.ID, err)
		}
		doc["status"] = "inactive"
		if _, err := h.fhirCall(ctx, http.MethodPut, "/fhir/CareTeam/"+cur.ID, doc); err != nil {
			return writeError(err)
		}
		return e.done(w, r, pid)
	}
	body, err := careplan.CareTeamJSON(team)
	if err != nil {
		return badRequest("error.invalid", err)
	}
	if _, err := h.fhirCall(ctx, http.MethodPut, "/fhir/CareTeam/"+team.ID, json.RawMessage(body)); err != nil {
		return writeError(err)
	}
	if cur == nil {
		if err := e.updatePlan(ctx, pid, func(pl map[string]any) {
			pl["careTeam"] = append(asList(pl["careTeam"]), map[string]any{"reference": "CareTeam/" + team.ID})
		}); err != nil {
			return writeError(err)
		}
	}
	return e.done(w, r, pid)
}

// updatePlan applies change to the patient's active CarePlan (created when
// there is none) and writes it.
func (e *careEditor) updatePlan(ctx context.Context, pid string, change func(map[string]any)) error {
	h := e.c.h
	cur, err := h.activeOne(ctx, "CarePlan", pid)
	if err != nil {
		return err
	}
	pl := map[string]any{"resourceType": "CarePlan", "id": uuid.NewString(), "status": "active", "intent": "plan",
		"title": "Kế hoạch chăm sóc", "subject": map[string]any{"reference": "Patient/" + pid},
		"period": map[string]any{"start": h.now().Format("2006-01-02")}}
	if cur != nil {
		pl = map[string]any{}
		if err := json.Unmarshal(cur.JSON, &pl); err != nil {
			return fmt.Errorf("decode CarePlan/%s: %w", cur.ID, err)
		}
	} else if team, err := h.activeOne(ctx, "CareTeam", pid); err != nil {
		return err
	} else if team != nil {
		pl["careTeam"] = []any{map[string]any{"reference": "CareTeam/" + team.ID}}
	}
	change(pl)
	_, err = h.fhirCall(ctx, http.MethodPut, "/fhir/CarePlan/"+pl["id"].(string), pl)
	return err
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// addGoal creates a Goal with one numeric target and links it from the
// active CarePlan.
func (e *careEditor) addGoal(w http.ResponseWriter, r *http.Request) error {
	pid, ok, err := e.editForm(w, r)
	if !ok {
		return err
	}
	h := e.c.h
	f := r.PostForm
	desc := strings.TrimSpace(f.Get("description"))
	if desc == "" {
		return badRequest("error.invalid", fmt.Errorf("mô tả mục tiêu trống / goal description is empty"))
	}
	var m *cpMeasure
	for i := range cpMeasures {
		if cpMeasures[i].Key == f.Get("measure") {
			m = &cpMeasures[i]
		}
	}
	if m == nil {
		return badRequest("error.invalid", fmt.Errorf("chỉ số %q không rõ / unknown measure %q", f.Get("measure"), f.Get("measure")))
	}
	cmp := f.Get("comparator")
	if cmp != "<" && cmp != "<=" && cmp != ">=" && cmp != ">" {
		return badRequest("error.invalid", fmt.Errorf("phép so sánh %q không hợp lệ / comparator %q: want <, <=, >= or >", cmp, cmp))
	}
	val, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(f.Get("value")), ",", "."), 64)
	if err != nil {
		return badRequest("error.invalid", fmt.Errorf("giá trị %q không phải là số / value %q is not a number", f.Get("value"), f.Get("value")))
	}
	target := map[string]any{
		"measure":        map[string]any{"coding": []any{map[string]any{"system": m.System, "code": m.Code, "display": m.Display}}},
		"detailQuantity": map[string]any{"value": val, "comparator": cmp, "unit": m.Unit, "system": "http://unitsofmeasure.org", "code": m.Unit},
	}
	if due := f.Get("due"); due != "" {
		if _, err := time.Parse("2006-01-02", due); err != nil {
			return badRequest("error.invalid", fmt.Errorf("hạn %q không hợp lệ / due date %q: want YYYY-MM-DD", due, due))
		}
		target["dueDate"] = due
	}
	id := uuid.NewString()
	goal := map[string]any{"resourceType": "Goal", "id": id, "lifecycleStatus": "active",
		"description": map[string]any{"text": desc}, "subject": map[string]any{"reference": "Patient/" + pid},
		"startDate": h.now().Format("2006-01-02"), "target": []any{target}}
	if _, err := h.fhirCall(r.Context(), http.MethodPut, "/fhir/Goal/"+id, goal); err != nil {
		return writeError(err)
	}
	if err := e.updatePlan(r.Context(), pid, func(pl map[string]any) {
		pl["goal"] = append(asList(pl["goal"]), map[string]any{"reference": "Goal/" + id})
	}); err != nil {
		return writeError(err)
	}
	return e.done(w, r, pid)
}

// addActivity appends a planned activity to the active CarePlan.
func (e *careEditor) addActivity(w http.ResponseWriter, r *http.Request) error {
	pid, ok, err := e.editForm(w, r)
	if !ok {
		return err
	}
	f := r.PostForm
	text := strings.TrimSpace(f.Get("description"))
	if text == "" {
		return badRequest("error.invalid", fmt.Errorf("nội dung hoạt động trống / activity description is empty"))
	}
	kind := ""
	for _, k := range cpActivityKinds {
		if k.Code == f.Get("kind") {
			kind = k.Kind
		}
	}
	if kind == "" {
		return badRequest("error.invalid", fmt.Errorf("loại hoạt động %q không rõ / unknown activity kind %q", f.Get("kind"), f.Get("kind")))
	}
	detail := map[string]any{"kind": kind, "status": "not-started", "description": text,
		"code": map[string]any{"coding": []any{map[string]any{"system": codeSystemActivity, "code": f.Get("kind")}}, "text": text}}
	if err := e.updatePlan(r.Context(), pid, func(pl map[string]any) {
		pl["activity"] = append(asList(pl["activity"]), map[string]any{"detail": detail})
	}); err != nil {
		return writeError(err)
	}
	return e.done(w, r, pid)
}
