package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/i18n"
)

// Cookies the apps set. None holds a secret: in no-auth mode the demo
// cookie is the whole "identity", which is why the banner says so.
const (
	cookieDemo   = "sen_demo"
	cookieRecent = "sen_recent"
	cookieLarge  = "sen_large"
	cookieFor    = "sen_for" // the patient a caregiver is acting for
	maxRecent    = 8
)

func setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// user returns the signed-in user: from Identity when configured, else from
// the demo picker's cookie.
func (h *Handler) user(r *http.Request) (*User, bool) {
	if h.cfg.Identity != nil {
		if u, ok := h.cfg.Identity.UserFromRequest(r); ok {
			return u, true
		}
	}
	if h.cfg.Auth != nil {
		u, ok := r.Context().Value(sessionUserKey{}).(*User)
		return u, ok
	}
	if h.cfg.Identity != nil {
		return nil, false
	}
	c, err := r.Cookie(cookieDemo)
	if err != nil {
		return nil, false
	}
	v, err := url.ParseQuery(c.Value)
	if err != nil {
		return nil, false
	}
	u := &User{ID: v.Get("id"), Name: v.Get("name"), Role: v.Get("role"),
		Organization: v.Get("org"), OrganizationName: v.Get("orgname")}
	if p := v.Get("patient"); p != "" && fhir.ValidID(p) {
		u.Patients = []string{p}
	}
	switch u.Role {
	case RoleClinician:
		u.Population = true // the demo picker's clinician is a doctor
		return u, true
	case RolePharmacist, RolePatient, RoleCaregiver:
		return u, true
	}
	return nil, false
}

func demoCookie(u *User) string {
	v := url.Values{"id": {u.ID}, "name": {u.Name}, "role": {u.Role}, "org": {u.Organization}, "orgname": {u.OrganizationName}}
	if len(u.Patients) > 0 {
		v.Set("patient", u.Patients[0])
	}
	return v.Encode()
}

// clinician returns the signed-in staff member, or redirects to sign-in.
func (h *Handler) clinician(w http.ResponseWriter, r *http.Request) (*User, bool) {
	u, ok := h.user(r)
	if ok && (u.Role == RoleClinician || u.Role == RolePharmacist) {
		return u, true
	}
	if ok && u.Population && (u.Role == RoleAdmin || u.Role == RoleResearcher) {
		// Staff without patient records: the dashboard is their app.
		http.Redirect(w, r, "/app/population", http.StatusSeeOther)
		return nil, false
	}
	h.toSignIn(w, r, "/app/signin")
	return nil, false
}

// patientUser returns the signed-in patient or caregiver and the patient
// they act for, or redirects to sign-in.
func (h *Handler) patientUser(w http.ResponseWriter, r *http.Request) (*User, string, bool) {
	u, ok := h.user(r)
	if ok && (u.Role == RolePatient || u.Role == RoleCaregiver) && len(u.Patients) > 0 {
		pid := u.Patients[0]
		if c, err := r.Cookie(cookieFor); err == nil && slices.Contains(u.Patients, c.Value) {
			pid = c.Value // a caregiver acting for another of their patients
		}
		return u, pid, true
	}
	h.toSignIn(w, r, "/me/signin")
	return nil, "", false
}

func (h *Handler) toSignIn(w http.ResponseWriter, r *http.Request, demo string) {
	to := demo
	if h.cfg.Identity != nil && h.cfg.Auth == nil {
		to = h.cfg.SignInURL
	}
	http.Redirect(w, r, to+"?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
}

func (h *Handler) signout(w http.ResponseWriter, r *http.Request) error {
	setCookie(w, cookieDemo, "", -1)
	setCookie(w, cookieSession, "", -1)
	return redirect(w, r, "/")
}

// setLang records the language choice and returns to the page.
func (h *Handler) setLang(w http.ResponseWriter, r *http.Request) error {
	lang := r.URL.Query().Get("set")
	if !i18n.Supported(lang) {
		return badRequest("error.invalid", nil)
	}
	http.SetCookie(w, &http.Cookie{Name: i18n.CookieName, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode})
	return redirect(w, r, localPath(r.URL.Query().Get("back"), "/"))
}

func largeText(r *http.Request) bool {
	c, err := r.Cookie(cookieLarge)
	return err == nil && c.Value == "1"
}

func (h *Handler) toggleLarge(w http.ResponseWriter, r *http.Request) error {
	v := "1"
	if largeText(r) {
		v = "0"
	}
	setCookie(w, cookieLarge, v, 365*24*3600)
	return redirect(w, r, localPath(r.URL.Query().Get("back"), "/me"))
}

// recent returns the ids of recently opened patients, newest first.
func recent(r *http.Request) []string {
	c, err := r.Cookie(cookieRecent)
	if err != nil {
		return nil
	}
	var out []string
	for _, id := range strings.Split(c.Value, ".") {
		if fhir.ValidID(id) && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func pushRecent(w http.ResponseWriter, r *http.Request, id string) {
	ids := []string{id}
	for _, o := range recent(r) {
		if o != id && len(ids) < maxRecent {
			ids = append(ids, o)
		}
	}
	setCookie(w, cookieRecent, strings.Join(ids, "."), 30*24*3600)
}

// actFor switches the patient a caregiver acts for (one of theirs only).
func (h *Handler) actFor(w http.ResponseWriter, r *http.Request) error {
	u, _, ok := h.patientUser(w, r)
	if !ok {
		return nil
	}
	id := r.URL.Query().Get("id")
	if !slices.Contains(u.Patients, id) {
		return forbidden()
	}
	setCookie(w, cookieFor, id, 12*3600)
	return redirect(w, r, "/me")
}
