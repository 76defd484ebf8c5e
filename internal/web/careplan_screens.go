package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/sen-emr/sen/internal/clinical/careplan"
	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/i18n"
)

// Community-care screens (issue 10), kept in careplan_* files:
//
//	GET /app/community                  home-visit worklist of a commune station or CHW,
//	                                    grouped by village, printable, phone-sized
//	GET /app/community/visit/{patient}  visit form that works offline (careplan_visit.js
//	                                    queues submissions in localStorage)
//	PUT /app/community/visits/{id}      the queue's idempotent submission (JSON); also
//	POST (form) for browsers without JavaScript
//
// The worklist comes from the FHIR $home-visits operation and the visit is
// written through the FHIR handler, so the Task state machine and
// validation apply as for any client.

var careplanPages = []string{"careplan_worklist", "careplan_visit"}

// careplanRoutes parses the screens' templates and registers their routes.
func (h *Handler) careplanRoutes() error {
	sets := map[string]map[string]*template.Template{}
	for _, lang := range i18n.Languages() {
		funcs := careplanFuncs(h.cfg.Catalog.Localizer(lang), lang)
		sets[lang] = map[string]*template.Template{}
		for _, name := range careplanPages {
			t, err := template.New(name).Funcs(funcs).ParseFS(templateFS,
				"templates/layout.html", "templates/partials.html", "templates/"+name+".html")
			if err != nil {
				return fmt.Errorf("web: parse template %s: %w", name, err)
			}
			sets[lang][name] = t
		}
	}
	c := &careScreens{h: h, tmpl: sets}
	h.mux.Handle("GET /app/community", h.handle(c.worklist))
	h.mux.Handle("GET /app/community/visit/{patient}", h.handle(c.visitForm))
	h.mux.Handle("PUT /app/community/visits/{id}", h.handle(c.visitPut))
	h.mux.Handle("POST /app/community/visits/{id}", h.handle(c.visitPost))
	return nil
}

// careplanFuncs are the shared template functions plus "cpt", which
// translates the screens' own ids (careplanMessages); "t" looks there too,
// so the layout can show a screen's title.
func careplanFuncs(loc *i18n.Localizer, lang string) template.FuncMap {
	f := templateFuncs(loc)
	cpt := func(id string) string {
		m, ok := careplanMessages[id]
		if !ok {
			return "[" + id + "]"
		}
		if lang == "en" {
			return m[1]
		}
		return m[0]
	}
	f["cpt"] = cpt
	f["t"] = func(id string, kv ...any) string {
		if _, ok := careplanMessages[id]; ok {
			return cpt(id)
		}
		return loc.T(id, pairs(kv))
	}
	return f
}

type careScreens struct {
	h    *Handler
	tmpl map[string]map[string]*template.Template
}

// render writes one of the screens inside the apps' layout.
func (c *careScreens) render(w http.ResponseWriter, r *http.Request, name string, p *page) error {
	c.h.fill(r, p)
	t := c.tmpl[p.Lang][name]
	if t == nil {
		return fmt.Errorf("web: no template %q", name)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("web: render %s: %w", name, err)
	}
	hdr := w.Header()
	hdr.Set("Content-Type", "text/html; charset=utf-8")
	hdr.Set("Cache-Control", "no-store")
	hdr.Set("Content-Language", p.Lang)
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'")
	_, err := w.Write(buf.Bytes())
	return err
}

type cpEntry struct {
	PatientID, Name, Village, Commune, Phone, Frailty, Risk string
	Age, Score                                              int
	LastVisit                                               time.Time
	Reasons                                                 []string
	Tasks                                                   []cpTask
}

type cpTask struct{ ID, Text string }

type cpGroup struct {
	Commune, Village string
	Entries          []cpEntry
}

type cpWorklist struct {
	Owner  string
	Groups []cpGroup
	Count  int
}

// worklist shows the home-visit worklist of ?owner (default: the user's
// organisation).
func (c *careScreens) worklist(w http.ResponseWriter, r *http.Request) error {
	u, ok := c.h.clinician(w, r)
	if !ok {
		return nil
	}
	owner := r.URL.Query().Get("owner")
	if owner == "" {
		owner = u.Organization
	}
	d := &cpWorklist{Owner: owner}
	if owner != "" {
		typ, id, _ := strings.Cut(owner, "/")
		if (typ != "Organization" && typ != "PractitionerRole") || !fhir.ValidID(id) {
			return badRequest("error.invalid", fmt.Errorf("owner %q", owner))
		}
		lang := c.h.cfg.Catalog.FromRequest(r)
		body, err := c.h.fhirCall(r.Context(), http.MethodGet, "/fhir/"+owner+"/$home-visits?_lang="+lang, nil)
		if err != nil {
			return err
		}
		if err := parseWorklist(body, d); err != nil {
			return err
		}
	}
	return c.render(w, r, "careplan_worklist", &page{Title: "cp.title", App: "app", Data: d})
}

// parseWorklist reads the $home-visits Parameters into groups of entries.
func parseWorklist(body []byte, d *cpWorklist) error {
	var p struct {
		Parameter []param `json:"parameter"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return fmt.Errorf("read $home-visits: %w", err)
	}
	byID := map[string]cpEntry{}
	for _, prm := range p.Parameter {
		if prm.Name != "entry" {
			continue
		}
		var e cpEntry
		for _, pt := range prm.Part {
			switch pt.Name {
			case "patient":
				e.PatientID, e.Name = strings.TrimPrefix(pt.ValueReference.Reference, "Patient/"), pt.ValueReference.Display
			case "village":
				e.Village = pt.ValueString
			case "commune":
				e.Commune = pt.ValueString
			case "phone":
				e.Phone = pt.ValueString
			case "frailty":
				e.Frailty = pt.ValueCode
			case "adherenceRisk":
				e.Risk = pt.ValueCode
			case "age":
				e.Age = int(pt.ValueInteger)
			case "score":
				e.Score = int(pt.ValueInteger)
			case "lastVisit":
				e.LastVisit, _ = time.Parse(time.RFC3339, pt.ValueDateTime)
			case "reason":
				for _, rp := range pt.Part {
					if rp.Name == "text" {
						e.Reasons = append(e.Reasons, rp.ValueString)
					}
				}
			case "task":
				e.Tasks = append(e.Tasks, cpTask{ID: strings.TrimPrefix(pt.ValueReference.Reference, "Task/"), Text: pt.ValueReference.Display})
			}
		}
		byID[e.PatientID] = e
		d.Count++
	}
	for _, prm := range p.Parameter {
		if prm.Name != "group" {
			continue
		}
		var g cpGroup
		for _, pt := range prm.Part {
			switch pt.Name {
			case "commune":
				g.Commune = pt.ValueString
			case "village":
				g.Village = pt.ValueString
			case "patient":
				if e, ok := byID[strings.TrimPrefix(pt.ValueReference.Reference, "Patient/")]; ok {
					g.Entries = append(g.Entries, e)
				}
			}
		}
		d.Groups = append(d.Groups, g)
	}
	return nil
}

// param is one Parameters.parameter as the screens read it.
type param struct {
	Name           string  `json:"name"`
	ValueString    string  `json:"valueString"`
	ValueCode      string  `json:"valueCode"`
	ValueDateTime  string  `json:"valueDateTime"`
	ValueInteger   float64 `json:"valueInteger"`
	ValueReference struct {
		Reference, Display string
	} `json:"valueReference"`
	Part []param `json:"part"`
}

type cpVisitForm struct {
	PatientID, Name, Task, VisitID, Start, Owner string
	Saved                                        bool
}

// visitForm shows the visit form; a fresh client id is generated per form
// so that the queue can replay it without duplicates.
func (c *careScreens) visitForm(w http.ResponseWriter, r *http.Request) error {
	if _, ok := c.h.clinician(w, r); !ok {
		return nil
	}
	pid := r.PathValue("patient")
	if !fhir.ValidID(pid) {
		return notFound("error.notfound")
	}
	pres, err := c.h.cfg.Store.Read(r.Context(), "Patient", pid)
	if err != nil {
		return err
	}
	var pat struct {
		Name []struct{ Text string } `json:"name"`
	}
	_ = json.Unmarshal(pres.JSON, &pat)
	d := &cpVisitForm{PatientID: pid, Task: r.URL.Query().Get("task"), VisitID: uuid.NewString(),
		Start: c.h.now().Format("2006-01-02T15:04"), Owner: r.URL.Query().Get("owner"), Saved: r.URL.Query().Get("saved") == "1"}
	if len(pat.Name) > 0 {
		d.Name = pat.Name[0].Text
	}
	if d.Task != "" && !fhir.ValidID(d.Task) {
		return badRequest("error.invalid", fmt.Errorf("task %q", d.Task))
	}
	return c.render(w, r, "careplan_visit", &page{Title: "cp.visit.title", App: "app", Data: d})
}

// visitInput is what the form and the offline queue send.
type visitInput struct {
	Patient   string `json:"patient"`
	Task      string `json:"task"`
	Start     string `json:"start"` // datetime-local, in the patients' zone
	Systolic  string `json:"systolic"`
	Diastolic string `json:"diastolic"`
	HeartRate string `json:"heartRate"`
	Weight    string `json:"weight"`
	Glucose   string `json:"glucose"`
	Note      string `json:"note"`
}

// visitPut accepts a queued visit as JSON. The id is the client's; sending
// the same visit again rewrites the same resources (200 both times).
func (c *careScreens) visitPut(w http.ResponseWriter, r *http.Request) error {
	if !sameOrigin(r) {
		http.Error(w, "cross-origin request refused / từ chối yêu cầu khác nguồn", http.StatusForbidden)
		return nil
	}
	u, ok := c.h.user(r)
	if !ok || (u.Role != RoleClinician && u.Role != RolePharmacist) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "sign in / đăng nhập"})
		return nil
	}
	var in visitInput
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&in); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "malformed JSON: " + err.Error()})
		return nil
	}
	if err := c.saveVisit(r, u, r.PathValue("id"), in); err != nil {
		status := fhir.StatusOf(err)
		writeJSON(w, status, map[string]string{"error": err.Error()})
		return nil
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": r.PathValue("id"), "status": "saved"})
	return nil
}

// visitPost is the same for a plain form post (no JavaScript).
func (c *careScreens) visitPost(w http.ResponseWriter, r *http.Request) error {
	u, ok := c.h.clinician(w, r)
	if !ok {
		return nil
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.invalid", err)
	}
	f := r.PostForm
	in := visitInput{Patient: f.Get("patient"), Task: f.Get("task"), Start: f.Get("start"), Systolic: f.Get("systolic"),
		Diastolic: f.Get("diastolic"), HeartRate: f.Get("heartRate"), Weight: f.Get("weight"), Glucose: f.Get("glucose"), Note: f.Get("note")}
	if err := c.saveVisit(r, u, r.PathValue("id"), in); err != nil {
		if fhir.StatusOf(err) < 500 {
			return badRequest("error.invalid", err)
		}
		return err
	}
	return redirect(w, r, "/app/community/visit/"+url.PathEscape(in.Patient)+"?saved=1")
}

// saveVisit writes the visit's Encounter and Observations as one FHIR
// transaction of PUTs, then walks the Task (if any) to completed with the
// visit as its output.
func (c *careScreens) saveVisit(r *http.Request, u *User, id string, in visitInput) error {
	ctx := r.Context()
	start, err := time.ParseInLocation("2006-01-02T15:04", in.Start, c.h.cfg.Location)
	if err != nil {
		return fhir.Errorf(fhir.KindInvalid, "thời gian thăm %q không hợp lệ / visit time %q: want YYYY-MM-DDTHH:MM", in.Start, in.Start)
	}
	v := careplan.Visit{ID: id, Patient: "Patient/" + in.Patient, Start: start, Note: in.Note}
	if strings.HasPrefix(u.ID, "PractitionerRole/") || strings.HasPrefix(u.ID, "Practitioner/") {
		v.Performer = u.ID
	}
	if strings.HasPrefix(u.Organization, "Organization/") {
		v.Organization = u.Organization
	}
	for _, f := range []struct {
		s   string
		dst **float64
		n   string
	}{{in.Systolic, &v.Systolic, "systolic"}, {in.Diastolic, &v.Diastolic, "diastolic"}, {in.HeartRate, &v.HeartRate, "heartRate"},
		{in.Weight, &v.Weight, "weight"}, {in.Glucose, &v.Glucose, "glucose"}} {
		s := strings.TrimSpace(strings.ReplaceAll(f.s, ",", ".")) // Vietnamese decimal comma
		if s == "" {
			continue
		}
		x, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fhir.Errorf(fhir.KindInvalid, "%s %q không phải là số / %s %q is not a number", f.n, f.s, f.n, f.s)
		}
		*f.dst = &x
	}
	var taskBody []byte
	if in.Task != "" {
		if !fhir.ValidID(in.Task) {
			return fhir.Errorf(fhir.KindInvalid, "task %q is not a valid id", in.Task)
		}
		res, err := c.h.cfg.Store.Read(ctx, "Task", in.Task)
		if err != nil {
			return err
		}
		taskBody = res.JSON
		var t struct{ Focus struct{ Reference string } }
		_ = json.Unmarshal(taskBody, &t)
		if strings.HasPrefix(t.Focus.Reference, "ServiceRequest/") {
			v.Request = t.Focus.Reference
		}
	}
	bundle, err := v.Bundle()
	if err != nil {
		return err
	}
	if _, err := c.h.fhirCall(ctx, http.MethodPost, "/fhir", json.RawMessage(bundle)); err != nil {
		return err
	}
	if taskBody == nil {
		return nil
	}
	owner := v.Performer
	if owner == "" {
		owner = v.Organization
	}
	steps, err := careplan.CompletionSteps(taskBody, owner, "Encounter/"+v.EncounterID(), c.h.now())
	if err != nil {
		return err
	}
	for _, st := range steps {
		if _, err := c.h.fhirCall(ctx, http.MethodPut, "/fhir/Task/"+in.Task, json.RawMessage(st)); err != nil {
			return err
		}
	}
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
