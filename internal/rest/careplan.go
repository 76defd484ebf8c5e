package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sen-emr/sen/internal/clinical/careplan"
	"github.com/sen-emr/sen/internal/clinical/risk"
	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/store"
)

// Care coordination operations (Sen-defined; docs/careplan.md):
//
//	POST /fhir/Encounter/{id}/$discharge-follow-up  station=Organization/… [requester, reason]
//	     → the follow-up Task for the commune station, due 7 days after discharge
//	       (201; 200 with the same Task when asked again for the same discharge)
//	POST /fhir/Patient/{id}/$referral  performer=… requester=… [reason, priority, due]  → Task (201)
//	GET  /fhir/Organization/{id}/$home-visits     → Parameters: the station's home-visit worklist
//	GET  /fhir/PractitionerRole/{id}/$home-visits → Parameters: a health worker's worklist
//	GET  /fhir/CarePlan/{id}/$progress            → Parameters: each goal against the record
//	GET  /fhir/Task/$reminders?owner=…            → Parameters: open Tasks due soon, today or overdue
//
// The Task state machine itself is enforced on every write (task.go);
// mountCarePlan installs it.
//
// https://hl7.org/fhir/R4/operations.html, https://hl7.org/fhir/R4/workflow.html

// mountCarePlan enforces the Task state machine on the store and registers
// the operations above.
func (s *server) mountCarePlan() {
	s.cfg.Store = taskWorkflowStore{s.cfg.Store}
	s.mountCareDocuments() // discharge summary, referral letter, $document (careplan_document.go)
	for _, rt := range []route{
		{"POST /fhir/Encounter/{id}/$discharge-follow-up", "discharge-follow-up", (*server).dischargeFollowUp},
		{"POST /fhir/Patient/{id}/$referral", "referral", (*server).referral},
		{"GET /fhir/Organization/{id}/$home-visits", "home-visits", (*server).homeVisits},
		{"GET /fhir/PractitionerRole/{id}/$home-visits", "home-visits", (*server).homeVisits},
		{"GET /fhir/CarePlan/{id}/$progress", "progress", (*server).carePlanProgress},
		{"GET /fhir/Task/$reminders", "reminders", (*server).taskReminders},
	} {
		h := rt.h
		s.mux.HandleFunc(rt.pattern, func(w http.ResponseWriter, r *http.Request) {
			s.serve(w, r, func(r *http.Request) (*result, error) { return h(s, r) })
		})
	}
}

// workIDs derives the ServiceRequest and Task ids of a discharge
// follow-up from the discharge encounter, so asking twice finds the first.
func workIDs(kind, source string) (sr, task string) {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("sen:"+kind+":ServiceRequest:"+source)).String(),
		uuid.NewSHA1(uuid.NameSpaceURL, []byte("sen:"+kind+":Task:"+source)).String()
}

// dischargeFollowUp runs $discharge-follow-up on a finished Encounter.
func (s *server) dischargeFollowUp(r *http.Request) (*result, error) {
	id := r.PathValue("id")
	if err := checkID(id); err != nil {
		return nil, err
	}
	params, err := s.careParams(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	station := params.Get("station")
	if err := s.mustExist(ctx, station, "station", "Organization"); err != nil {
		return nil, err
	}
	encRes, err := s.cfg.Store.Read(ctx, "Encounter", id)
	if err != nil {
		return nil, err
	}
	var enc struct {
		Status          string
		Subject         struct{ Reference string }
		ServiceProvider struct{ Reference string }
		Period          struct{ End string }
	}
	if err := json.Unmarshal(encRes.JSON, &enc); err != nil {
		return nil, fmt.Errorf("read Encounter/%s: %w", id, err)
	}
	if enc.Status != "finished" {
		return nil, fhir.Errorf(fhir.KindUnprocessable,
			"Encounter/%s đang ở trạng thái %s, chưa ra viện / Encounter/%s is %s, not finished: record the discharge first", id, enc.Status, id, enc.Status).At("Encounter.status")
	}
	if !strings.HasPrefix(enc.Subject.Reference, "Patient/") {
		return nil, fhir.Errorf(fhir.KindUnprocessable, "Encounter/%s has no Patient subject", id).At("Encounter.subject")
	}
	requester := params.Get("requester")
	if requester == "" {
		requester = enc.ServiceProvider.Reference
	}
	if requester == "" {
		return nil, fhir.Errorf(fhir.KindInvalid, "requester is required: Encounter/%s has no serviceProvider", id)
	}
	discharged := s.now()
	if t, err := time.Parse(time.RFC3339, enc.Period.End); err == nil {
		discharged = t
	} else if t, err := time.Parse(time.DateOnly, enc.Period.End); err == nil {
		discharged = t
	}
	srID, taskID := workIDs(careplan.KindDischargeFollowUp, "Encounter/"+id)
	work := careplan.Work{Kind: careplan.KindDischargeFollowUp, RequestID: srID, TaskID: taskID,
		Patient: enc.Subject.Reference, Encounter: "Encounter/" + id, Requester: requester, Performer: station,
		Reason: params.Get("reason"), Authored: discharged, Priority: params.Get("priority")}
	return s.writeWork(ctx, work)
}

// referral runs $referral: a ServiceRequest and Task from one
// organisation to another (commune station → hospital, typically).
func (s *server) referral(r *http.Request) (*result, error) {
	id := r.PathValue("id")
	if err := checkID(id); err != nil {
		return nil, err
	}
	params, err := s.careParams(r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	if _, err := s.cfg.Store.Read(ctx, "Patient", id); err != nil {
		return nil, err
	}
	performer, requester := params.Get("performer"), params.Get("requester")
	if err := s.mustExist(ctx, performer, "performer", "Organization", "PractitionerRole"); err != nil {
		return nil, err
	}
	if err := s.mustExist(ctx, requester, "requester", "Organization", "PractitionerRole", "Practitioner"); err != nil {
		return nil, err
	}
	var due time.Time
	if d := params.Get("due"); d != "" {
		if due, err = time.Parse(time.DateOnly, d); err != nil {
			return nil, fhir.Errorf(fhir.KindInvalid, "due %q: want YYYY-MM-DD", d)
		}
	}
	switch p := params.Get("priority"); p {
	case "", "routine", "urgent", "asap", "stat":
	default:
		return nil, fhir.Errorf(fhir.KindInvalid, "priority %q: want routine, urgent, asap or stat", p)
	}
	work := careplan.Work{Kind: careplan.KindReferral, RequestID: uuid.NewString(), TaskID: uuid.NewString(),
		Patient: "Patient/" + id, Requester: requester, Performer: performer, Reason: params.Get("reason"),
		Authored: s.now(), Due: due, Priority: params.Get("priority")}
	return s.writeWork(ctx, work)
}

// writeWork stores a Work's ServiceRequest and Task in one transaction;
// when the Task exists already (a repeated discharge follow-up) it answers
// 200 with it and writes nothing.
func (s *server) writeWork(ctx context.Context, work careplan.Work) (*result, error) {
	srJSON, taskJSON, err := work.Resources()
	if err != nil {
		return nil, fhir.Errorf(fhir.KindInvalid, "%v", err)
	}
	var writes []store.Write
	for _, b := range [][]byte{srJSON, taskJSON} {
		p, err := s.parseResource(b, "")
		if err != nil {
			return nil, fmt.Errorf("%s: built an unreadable resource: %w", work.Kind, err)
		}
		w, err := s.prepare(p, p.id)
		if err != nil {
			return nil, err
		}
		writes = append(writes, w)
	}
	var out *result
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		if cur, err := tx.Read(ctx, "Task", work.TaskID); err == nil {
			out = &result{status: http.StatusOK, res: cur}
			return nil
		} else if k := fhir.KindOf(err); k != fhir.KindNotFound && k != fhir.KindGone {
			return err
		}
		for _, w := range writes {
			if out, err = s.updateIn(ctx, tx, w); err != nil {
				return err
			}
		}
		out.status = http.StatusCreated
		return nil
	})
	return out, err
}

// mustExist checks that ref is a reference "Type/id" to an existing
// resource of one of types; name is the parameter, for the message.
func (s *server) mustExist(ctx context.Context, ref, name string, types ...string) error {
	typ, id, ok := strings.Cut(ref, "/")
	if ref == "" || !ok {
		return fhir.Errorf(fhir.KindInvalid, "thiếu tham số %s / parameter %s is required: a reference to %s", name, name, strings.Join(types, " or "))
	}
	okType := false
	for _, t := range types {
		okType = okType || t == typ
	}
	if !okType || checkID(id) != nil {
		return fhir.Errorf(fhir.KindInvalid, "%s %q: want a reference to %s", name, ref, strings.Join(types, " or "))
	}
	if _, err := s.cfg.Store.Read(ctx, typ, id); err != nil {
		if k := fhir.KindOf(err); k == fhir.KindNotFound || k == fhir.KindGone {
			return fhir.Errorf(fhir.KindInvalid, "%s %s không tồn tại / %s %s does not exist", name, ref, name, ref)
		}
		return err
	}
	return nil
}

// openTaskStatuses are the Task statuses that still ask for work.
const openTaskStatuses = "requested,received,accepted,ready,in-progress,on-hold"

// searchAll runs a lenient search and follows pages up to max resources.
func (s *server) searchAll(ctx context.Context, typ string, params url.Values, max int) ([]*fhir.Resource, error) {
	params.Set("_count", "500")
	q, err := s.cfg.Parser.ParseQuery(typ, params, false)
	if err != nil {
		return nil, fmt.Errorf("query %s: %w", typ, err)
	}
	var out []*fhir.Resource
	for {
		page, err := s.cfg.Store.Search(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("search %s: %w", typ, err)
		}
		out = append(out, page.Resources...)
		if page.Next == "" || len(out) >= max {
			break
		}
		q.Cursor = page.Next
	}
	if len(out) > max {
		out = out[:max]
	}
	return out, nil
}

// worklistPatients lists, in a stable order, the patients whose home
// visits fall to owner: its open Tasks first, then its care teams, then
// (for an organisation) the patients it is the general practitioner of.
func (s *server) worklistPatients(ctx context.Context, owner string, max int) ([]string, error) {
	var ids []string
	seen := map[string]bool{}
	add := func(ref string) {
		if id, ok := strings.CutPrefix(ref, "Patient/"); ok && !seen[id] && len(ids) < max {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	tasks, err := s.searchAll(ctx, "Task", url.Values{"owner": {owner}, "status": {openTaskStatuses}}, max)
	if err != nil {
		return nil, err
	}
	for _, t := range tasks {
		var v struct{ For struct{ Reference string } }
		if json.Unmarshal(t.JSON, &v) == nil {
			add(v.For.Reference)
		}
	}
	teams, err := s.searchAll(ctx, "CareTeam", url.Values{"participant": {owner}, "status": {"active"}}, max)
	if err != nil {
		return nil, err
	}
	for _, t := range teams {
		var v struct{ Subject struct{ Reference string } }
		if json.Unmarshal(t.JSON, &v) == nil {
			add(v.Subject.Reference)
		}
	}
	if strings.HasPrefix(owner, "Organization/") {
		pats, err := s.searchAll(ctx, "Patient", url.Values{"general-practitioner": {owner}, "active": {"true"}}, max)
		if err != nil {
			return nil, err
		}
		for _, p := range pats {
			add("Patient/" + p.ID)
		}
	}
	return ids, nil
}

// homeVisits runs $home-visits: the patients due a home visit from the
// organisation or health worker, highest priority first, with the reasons,
// and the same patients grouped by commune and village. Parameters:
// _count (patients examined, default 200, at most 1000), all=true to list
// patients not due as well, visitEvery (days, default 30), _lang.
func (s *server) homeVisits(r *http.Request) (*result, error) {
	id := r.PathValue("id")
	typ := strings.Split(strings.TrimPrefix(r.URL.Path, "/fhir/"), "/")[0]
	if err := checkID(id); err != nil {
		return nil, err
	}
	ctx := r.Context()
	q := r.URL.Query()
	limit, err := intParam(q, "_count", 200, 1, 1000)
	if err != nil {
		return nil, err
	}
	every, err := intParam(q, "visitEvery", 30, 1, 365)
	if err != nil {
		return nil, err
	}
	owner := typ + "/" + id
	if _, err := s.cfg.Store.Read(ctx, typ, id); err != nil {
		return nil, err
	}
	ids, err := s.worklistPatients(ctx, owner, limit)
	if err != nil {
		return nil, err
	}
	recs := make([]careplan.Record, 0, len(ids))
	for _, pid := range ids {
		rec, err := s.careRecord(ctx, pid)
		if err != nil {
			if k := fhir.KindOf(err); k == fhir.KindNotFound || k == fhir.KindGone {
				continue // a Task or team naming a deleted patient
			}
			return nil, err
		}
		recs = append(recs, rec)
	}
	model, err := risk.Default()
	if err != nil {
		return nil, fmt.Errorf("$home-visits: %w", err)
	}
	wl, err := careplan.BuildWorklist(recs, careplan.WorklistOptions{Now: s.cfg.Now(), Loc: vnLocation(),
		VisitEvery: time.Duration(every) * 24 * time.Hour, Risk: model, All: q.Get("all") == "true"})
	if err != nil {
		return nil, fmt.Errorf("$home-visits %s: %w", owner, err)
	}
	lang := langOf(r)
	var out paramList
	out.ref("owner", owner, "")
	out.when("generated", s.cfg.Now())
	for _, e := range wl.Entries {
		out.part("entry", worklistEntry(e, lang))
	}
	for _, g := range wl.Groups {
		var parts paramList
		parts.str("commune", g.Commune)
		parts.code("communeCode", g.CommuneCode)
		parts.str("village", g.Village)
		for _, e := range g.Entries {
			parts.ref("patient", "Patient/"+e.PatientID, e.Name)
		}
		out.part("group", parts)
	}
	return out.result()
}

func worklistEntry(e careplan.Entry, lang string) paramList {
	var p paramList
	p.ref("patient", "Patient/"+e.PatientID, e.Name)
	p.add("score", "valueInteger", e.Score)
	p.add("due", "valueBoolean", e.Due)
	if e.Age >= 0 {
		p.add("age", "valueInteger", e.Age)
	}
	p.str("village", e.Village)
	p.str("commune", e.Commune)
	p.str("phone", e.Phone)
	p.code("frailty", e.Frailty.Level)
	p.code("adherenceRisk", e.AdherenceRisk)
	p.when("lastVisit", e.LastVisit)
	if e.DischargedDays >= 0 {
		p.add("dischargedDaysAgo", "valueInteger", e.DischargedDays)
	}
	for _, rs := range e.Reasons {
		var rp paramList
		rp.code("code", rs.Code)
		rp.add("points", "valueInteger", rs.Points)
		rp.str("text", rs.Text(lang))
		p.part("reason", rp)
	}
	for _, t := range e.OpenTasks {
		p.ref("task", "Task/"+t.ID, t.Description)
	}
	return p
}

// careRecord reads what a worklist needs of one patient.
func (s *server) careRecord(ctx context.Context, id string) (careplan.Record, error) {
	recs, err := s.patientRecords(ctx, id, "Condition", "Encounter", "Flag", "MedicationRequest", "MedicationDispense")
	if err != nil {
		return careplan.Record{}, err
	}
	pat, err := s.cfg.Store.Read(ctx, "Patient", id)
	if err != nil {
		return careplan.Record{}, err
	}
	tasks, err := s.searchAll(ctx, "Task", url.Values{"patient": {"Patient/" + id}}, maxCompartment)
	if err != nil {
		return careplan.Record{}, err
	}
	rec := careplan.Record{Patient: pat.JSON, Conditions: recs["Condition"], Encounters: recs["Encounter"], Flags: recs["Flag"],
		MedicationRequests: recs["MedicationRequest"], MedicationDispenses: recs["MedicationDispense"]}
	for _, t := range tasks {
		rec.Tasks = append(rec.Tasks, t.JSON)
	}
	return rec, nil
}
