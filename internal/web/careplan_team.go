package web

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/sen-emr/sen/internal/i18n"
)

// Care-plan pages added for issue 10's last gaps, registered by one hook in
// New:
//
//	GET  /me/plan                                     caregiver's view (careplan_family.go)
//	GET  /app/patients/{id}/careplan                  CarePlan/CareTeam editor (careplan_editor.go)
//	POST /app/patients/{id}/careplan/members          add a care team member
//	POST /app/patients/{id}/careplan/members/remove   remove one
//	POST /app/patients/{id}/careplan/goals            add a Goal with a target
//	POST /app/patients/{id}/careplan/activities       add a CarePlan activity

var careplanTeamPages = []string{"careplan_family", "careplan_editor"}

// careplanTeamRoutes parses the pages' templates and registers their routes.
func (h *Handler) careplanTeamRoutes() error {
	sets := map[string]map[string]*template.Template{}
	for _, lang := range i18n.Languages() {
		funcs := careplanTeamFuncs(h.cfg.Catalog.Localizer(lang), lang)
		sets[lang] = map[string]*template.Template{}
		for _, name := range careplanTeamPages {
			t, err := template.New(name).Funcs(funcs).ParseFS(templateFS,
				"templates/layout.html", "templates/partials.html", "templates/"+name+".html")
			if err != nil {
				return fmt.Errorf("web: parse template %s: %w", name, err)
			}
			sets[lang][name] = t
		}
	}
	c := &careScreens{h: h, tmpl: sets}
	h.mux.Handle("GET /me/plan", h.handle(func(w http.ResponseWriter, r *http.Request) error { return h.mePlan(w, r, c) }))
	e := &careEditor{c: c}
	h.mux.Handle("GET /app/patients/{id}/careplan", h.handle(e.show))
	h.mux.Handle("POST /app/patients/{id}/careplan/members", h.handle(e.addMember))
	h.mux.Handle("POST /app/patients/{id}/careplan/members/remove", h.handle(e.removeMember))
	h.mux.Handle("POST /app/patients/{id}/careplan/goals", h.handle(e.addGoal))
	h.mux.Handle("POST /app/patients/{id}/careplan/activities", h.handle(e.addActivity))
	return nil
}

// careplanTeamFuncs are careplanFuncs plus "cpx", which translates
// careplanTeamMessages ids and then careplanMessages ones; "t" knows both.
func careplanTeamFuncs(loc *i18n.Localizer, lang string) template.FuncMap {
	f := careplanFuncs(loc, lang)
	cpt, t := f["cpt"].(func(string) string), f["t"].(func(string, ...any) string)
	pick := func(id string) (string, bool) {
		m, ok := careplanTeamMessages[id]
		if !ok {
			return "", false
		}
		if lang == "en" {
			return m[1], true
		}
		return m[0], true
	}
	// cpx, not cpt: TestCareplanMessages holds cpt ids to careplanMessages.
	f["cpx"] = func(id string) string {
		if s, ok := pick(id); ok {
			return s
		}
		return cpt(id)
	}
	f["t"] = func(id string, kv ...any) string {
		if s, ok := pick(id); ok {
			return s
		}
		return t(id, kv...)
	}
	return f
}
