package webauth

import (
	"errors"
	"net/http"

	"github.com/pquerna/otp/totp"

	"github.com/sen-emr/sen/internal/auth"
	"github.com/sen-emr/sen/internal/web"
)

// Authenticator is the web.Authenticator over auth's accounts: the apps'
// sign-in form checks the same passwords and one-time codes as the SMART
// authorization server, and each request of a session carries an
// auth.Principal so that the access guard in front of the store decides
// what the user sees.
type Authenticator struct {
	Accounts *auth.Accounts
}

var errSignIn = errors.New("webauth: wrong credentials")

// sessionScopes are a first-party session's SMART scopes: everything the
// role and the access policy allow (the guard still checks both).
const sessionScopes = "user/*.cruds"

// SignIn implements web.Authenticator.
func (a Authenticator) SignIn(r *http.Request, username, password, otp string) (string, error) {
	u, err := a.Accounts.UserByName(r.Context(), username)
	if err != nil || u.Disabled || u.PasswordHash == "" {
		// Spend the same time on unknown users, so that timing does not
		// tell which usernames exist.
		_, _ = auth.CheckPassword(dummyHash, password)
		return "", errSignIn
	}
	ok, err := auth.CheckPassword(u.PasswordHash, password)
	if err != nil || !ok {
		return "", errSignIn
	}
	if u.TOTPSecret != "" && !totp.Validate(otp, u.TOTPSecret) {
		return "", errSignIn
	}
	if _, ok := userOf(principalOf(u, r)); !ok {
		return "", errSignIn // backend services: no place in these apps
	}
	return u.ID, nil
}

// Account implements web.Authenticator: a disabled or deleted account ends
// its sessions at once.
func (a Authenticator) Account(r *http.Request, id string) (*web.User, *http.Request, error) {
	u, err := a.Accounts.User(r.Context(), id)
	if err != nil {
		return nil, r, err
	}
	if u.Disabled {
		return nil, r, errSignIn
	}
	p := principalOf(u, r)
	wu, ok := userOf(p)
	if !ok {
		return nil, r, errSignIn
	}
	return wu, r.WithContext(auth.WithPrincipal(r.Context(), p)), nil
}

func principalOf(u *auth.User, r *http.Request) *auth.Principal {
	scopes, _ := auth.ParseScopes(sessionScopes)
	return &auth.Principal{Subject: u.ID, Name: u.Name, Role: u.Role, FHIRUser: u.FHIRUser, Organization: u.Organization,
		PractitionerRole: u.PractitionerRole, Patients: append([]string(nil), u.Patients...), Scopes: scopes,
		ClientID: "sen-web", Address: r.RemoteAddr}
}

// dummyHash is an argon2id hash of a random password (auth's parameters).
const dummyHash = "$argon2id$v=19$m=19456,t=2,p=1$c2VuLWR1bW15LXNhbHQ$2mV0l9yQkzF0j8tq2T9mS2zq7eIhWZtD6ZC0R0y2b0o"

var _ web.Authenticator = Authenticator{}
