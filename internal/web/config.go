package web

import (
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/sen-emr/sen/internal/i18n"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// QueryParser parses FHIR search parameters for a resource type (lenient:
// unknown parameters are ignored).
type QueryParser interface {
	ParseQuery(typ string, params url.Values) (*search.Query, error)
}

// QueryParserFunc adapts a function to QueryParser.
type QueryParserFunc func(typ string, params url.Values) (*search.Query, error)

// ParseQuery calls f.
func (f QueryParserFunc) ParseQuery(typ string, params url.Values) (*search.Query, error) {
	return f(typ, params)
}

// Roles a User may have in the apps.
const (
	RoleClinician  = "clinician"
	RolePharmacist = "pharmacist"
	RolePatient    = "patient"
	RoleCaregiver  = "caregiver"
	// RoleAdmin and RoleResearcher are staff without access to patient
	// records in the apps: they sign in to see the population dashboard.
	RoleAdmin      = "admin"
	RoleResearcher = "researcher"
)

// User is the signed-in person as the apps need them.
type User struct {
	ID               string   // a FHIR reference ("Practitioner/1", "Patient/2", "RelatedPerson/3") or a user id
	Name             string   // display name
	Role             string   // one of the Role constants
	Organization     string   // FHIR reference of the organisation the user acts for ("" if none)
	OrganizationName string   // its display name
	Patients         []string // Patient ids the user may act for (patient: self; caregiver: those cared for)
	// Population is true for staff who may see the population dashboard
	// (administrators, doctors, commune-station staff, researchers).
	Population bool
}

// Identity tells who sent a request. Authentication (internal/auth) provides
// it; the apps never see credentials. ok is false for an anonymous request.
type Identity interface {
	UserFromRequest(r *http.Request) (u *User, ok bool)
}

// Config holds the apps' dependencies. Store, Queries, FHIR and Catalog are
// required.
type Config struct {
	// Store reads resources and runs searches.
	Store store.Reader
	// Queries turns search parameters into queries for Store.
	Queries QueryParser
	// FHIR is the FHIR REST handler (serving /fhir/...). Writes go through
	// it as POST /fhir/{type} or a transaction, so they are validated and
	// indexed like API writes.
	FHIR http.Handler
	// Catalog holds the vi and en messages.
	Catalog *i18n.Catalog
	// Identity tells who sent a request when something in front of the apps
	// authenticates it (a bearer token). Auth, when set instead, lets the
	// apps sign users in with their own form and a signed session cookie.
	// With neither, the apps run in no-auth demo mode: a banner says so and
	// a picker chooses the role and patient.
	Identity Identity
	Auth     Authenticator
	// SessionKey signs session cookies (Auth mode); empty: a random key,
	// so sessions end when the process restarts.
	SessionKey []byte
	// SignInURL is where the apps send anonymous users when Identity is set
	// and Auth is not (default /auth/login).
	SignInURL string
	// Now is the clock (default time.Now). The demo sets it to the end of
	// the synthetic period so that "today" has doses.
	Now func() time.Time
	// Location is the patients' time zone (default Asia/Ho_Chi_Minh).
	Location *time.Location
	Logger   *slog.Logger
	// Population, when set, is the population dashboard
	// (clinical/population.Page) shown at /app/population, inside the
	// clinician app, to users whose Population is true. It must render
	// ?lang=vi|en and ?format=csv; the apps add their sign-in and layout.
	Population http.Handler
	// Push, when set, lets the patient app subscribe a browser to
	// reminders by Web Push (push.go).
	Push PushSubscriptions
	// Chat, when set, is the patient app's chat at /me/chat (me_chat.go).
	Chat Conversations
}

func (c *Config) check() error {
	if c.Store == nil || c.Queries == nil || c.FHIR == nil || c.Catalog == nil {
		return errors.New("web: Store, Queries, FHIR and Catalog are required")
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Location == nil {
		loc, err := time.LoadLocation("Asia/Ho_Chi_Minh")
		if err != nil {
			// No tz database: Vietnam has used UTC+7 without DST since 1975.
			loc = time.FixedZone("ICT", 7*3600)
		}
		c.Location = loc
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.SignInURL == "" {
		c.SignInURL = "/auth/login"
	}
	return nil
}
