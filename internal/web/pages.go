package web

import (
	"net/http"
	"net/url"
	"strings"
)

// landing links the two apps.
func (h *Handler) landing(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, "landing", &page{Title: "landing.title"})
}

type homeData struct {
	Recent []patientView
}

// home is the clinician's start page: search box and recent patients.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) error {
	u, ok := h.clinician(w, r)
	if !ok {
		return nil
	}
	return h.render(w, r, "home", &page{Title: "home.title", App: "app", User: u,
		Data: &homeData{Recent: h.recentPatients(r.Context(), r)}})
}

type orgOption struct{ Ref, Name string }

type signinData struct {
	Next     string
	Orgs     []orgOption
	Patients []patientView
	Query    string
}

// signinApp is the demo picker of the clinician app (no-auth mode only).
func (h *Handler) signinApp(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.Auth != nil {
		return h.signinForm(w, r, "app")
	}
	if h.cfg.Identity != nil {
		http.Redirect(w, r, h.cfg.SignInURL, http.StatusSeeOther)
		return nil
	}
	res, err := h.search(r.Context(), "Organization", url.Values{"_count": {"30"}, "_sort": {"name"}})
	if err != nil {
		return err
	}
	d := &signinData{Next: localPath(r.URL.Query().Get("next"), "/app")}
	for _, o := range decode[struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}](h, res) {
		d.Orgs = append(d.Orgs, orgOption{Ref: "Organization/" + o.ID, Name: o.Name})
	}
	return h.render(w, r, "signin_app", &page{Title: "signin.title", App: "app", Data: d})
}

func (h *Handler) signinAppPost(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.Auth != nil {
		return h.signinSubmit(w, r, "app")
	}
	if h.cfg.Identity != nil {
		return forbidden()
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.invalid", err)
	}
	role := r.PostForm.Get("role")
	if role != RoleClinician && role != RolePharmacist {
		return badRequest("error.invalid", nil)
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if name == "" || len(name) > 100 {
		name = "Demo"
	}
	u := &User{ID: "demo-" + role, Name: name, Role: role}
	if org := r.PostForm.Get("org"); strings.HasPrefix(org, "Organization/") {
		u.Organization = org
		u.OrganizationName = h.referenceName(r.Context(), reference{Reference: org})
	}
	setCookie(w, cookieDemo, demoCookie(u), 12*3600)
	next := "/app"
	if role == RolePharmacist {
		next = "/app/pharmacy"
	}
	return redirect(w, r, localPath(r.PostForm.Get("next"), next))
}

// signinMe is the demo picker of the patient app: find yourself (or the
// person you care for) by name.
func (h *Handler) signinMe(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.Auth != nil {
		return h.signinForm(w, r, "me")
	}
	if h.cfg.Identity != nil {
		http.Redirect(w, r, h.cfg.SignInURL, http.StatusSeeOther)
		return nil
	}
	d := &signinData{Next: localPath(r.URL.Query().Get("next"), "/me"), Query: strings.TrimSpace(r.URL.Query().Get("q"))}
	params := url.Values{"_count": {"20"}}
	if d.Query != "" {
		if len(d.Query) > 100 {
			return badRequest("error.invalid", nil)
		}
		_, params = classify(d.Query)
		params.Set("_count", "20")
		res, err := h.search(r.Context(), "Patient", params)
		if err != nil {
			return err
		}
		for _, p := range decode[patientJSON](h, res) {
			d.Patients = append(d.Patients, h.patientView(p))
		}
	} else {
		// Offer people who have medicines to take: the app's main use.
		res, err := h.search(r.Context(), "MedicationRequest", url.Values{"status": {"active"}, "_count": {"200"}})
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, mr := range decode[medRequestJSON](h, res) {
			id := mr.Subject.id()
			if id == "" || seen[id] || len(seen) >= 12 {
				continue
			}
			seen[id] = true
			if p, err := h.loadPatient(r.Context(), id); err == nil {
				d.Patients = append(d.Patients, p)
			}
		}
	}
	return h.render(w, r, "signin_me", &page{Title: "signin.me.title", App: "me", Data: d})
}

func (h *Handler) signinMePost(w http.ResponseWriter, r *http.Request) error {
	if h.cfg.Auth != nil {
		return h.signinSubmit(w, r, "me")
	}
	if h.cfg.Identity != nil {
		return forbidden()
	}
	if err := r.ParseForm(); err != nil {
		return badRequest("error.invalid", err)
	}
	role := r.PostForm.Get("role")
	if role != RolePatient && role != RoleCaregiver {
		return badRequest("error.invalid", nil)
	}
	pid := r.PostForm.Get("patient")
	p, err := h.loadPatient(r.Context(), pid)
	if err != nil {
		return err
	}
	u := &User{ID: "Patient/" + p.ID, Name: p.Name, Role: role, Patients: []string{p.ID}}
	if role == RoleCaregiver {
		// The page header shows "caregiver of <patient>" from the role.
		u.ID = "demo-caregiver"
	}
	setCookie(w, cookieDemo, demoCookie(u), 12*3600)
	return redirect(w, r, localPath(r.PostForm.Get("next"), "/me"))
}
