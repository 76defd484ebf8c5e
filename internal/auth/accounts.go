package auth

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
)

// User is a person who logs in to Sen.
type User struct {
	ID               string
	Username         string
	Name             string
	Role             Role
	FHIRUser         string   // Practitioner/1, Patient/2 or RelatedPerson/3
	Organization     string   // Organization/4
	PractitionerRole string   // PractitionerRole/5
	Patients         []string // patient ids (a patient's own; a caregiver's linked patients)
	PasswordHash     string
	TOTPSecret       string // base32; "" when TOTP is off
	OIDCIssuer       string // external login: issuer and subject
	OIDCSubject      string
	Disabled         bool
	Created          time.Time
}

// Client is an OAuth client (a SMART app or a backend service).
type Client struct {
	ID           string
	Name         string
	RedirectURIs []string
	// Scopes is the most the client may be granted.
	Scopes string
	// JWKS is the client's public key set (JSON) for private_key_jwt; empty
	// for a public client, which must use PKCE.
	JWKS    string
	Created time.Time
}

// ErrNotFound is returned when an account, client or token is unknown.
var ErrNotFound = errors.New("not found")

// Accounts stores users, clients, refresh tokens and signing keys in a
// small SQL database of its own (SQLite: auth.db in the data directory).
// Safe for concurrent use.
type Accounts struct {
	db  *sql.DB
	now func() time.Time
}

const accountsSchema = `
CREATE TABLE IF NOT EXISTS users (
	id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL,
	fhir_user TEXT NOT NULL, organization TEXT NOT NULL, practitioner_role TEXT NOT NULL, patients TEXT NOT NULL,
	password TEXT NOT NULL, totp_secret TEXT NOT NULL, oidc_issuer TEXT NOT NULL, oidc_subject TEXT NOT NULL,
	disabled INTEGER NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clients (
	id TEXT PRIMARY KEY, name TEXT NOT NULL, redirect_uris TEXT NOT NULL, scopes TEXT NOT NULL, jwks TEXT NOT NULL, created TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS refresh_tokens (
	hash TEXT PRIMARY KEY, family TEXT NOT NULL, client_id TEXT NOT NULL, user_id TEXT NOT NULL, scopes TEXT NOT NULL,
	launch_patient TEXT NOT NULL, expires TEXT NOT NULL, used INTEGER NOT NULL, revoked INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS refresh_family ON refresh_tokens(family);
CREATE TABLE IF NOT EXISTS signing_keys (kid TEXT PRIMARY KEY, jwk TEXT NOT NULL, created TEXT NOT NULL);
`

// OpenAccounts prepares the tables in db (created by the caller with a
// registered SQLite driver). now may be nil.
func OpenAccounts(ctx context.Context, db *sql.DB, now func() time.Time) (*Accounts, error) {
	if now == nil {
		now = time.Now
	}
	for _, stmt := range strings.Split(accountsSchema, ";") {
		if strings.TrimSpace(stmt) == "" {
			continue
		}
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return nil, fmt.Errorf("auth database schema: %w", err)
		}
	}
	return &Accounts{db: db, now: now}, nil
}

// Close closes the database.
func (a *Accounts) Close() error { return a.db.Close() }

// DB is the accounts database, for the other security tables that live
// beside the accounts (consent.OpenBreakGlass). Closed by Close.
func (a *Accounts) DB() *sql.DB { return a.db }

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// AddUser stores a new user. u.ID is assigned when empty; the username must
// be unused.
func (a *Accounts) AddUser(ctx context.Context, u *User) error {
	if u.Username == "" {
		return errors.New("username is required")
	}
	if _, err := ParseRole(string(u.Role)); err != nil {
		return err
	}
	if u.ID == "" {
		u.ID = uuid.NewString()
	}
	if u.Created.IsZero() {
		u.Created = a.now()
	}
	pats, _ := json.Marshal(u.Patients)
	_, err := a.db.ExecContext(ctx, `INSERT INTO users VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
		u.ID, u.Username, u.Name, string(u.Role), u.FHIRUser, u.Organization, u.PractitionerRole, string(pats),
		u.PasswordHash, u.TOTPSecret, u.OIDCIssuer, u.OIDCSubject, boolInt(u.Disabled), ts(u.Created))
	if err != nil {
		return fmt.Errorf("add user %s: %w", u.Username, err)
	}
	return nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

const userCols = `id, username, name, role, fhir_user, organization, practitioner_role, patients, password, totp_secret, oidc_issuer, oidc_subject, disabled, created`

func (a *Accounts) userWhere(ctx context.Context, where string, arg any) (*User, error) {
	row := a.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE `+where, arg)
	var u User
	var role, pats, created string
	var disabled int
	err := row.Scan(&u.ID, &u.Username, &u.Name, &role, &u.FHIRUser, &u.Organization, &u.PractitionerRole, &pats,
		&u.PasswordHash, &u.TOTPSecret, &u.OIDCIssuer, &u.OIDCSubject, &disabled, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read user: %w", err)
	}
	u.Role = Role(role)
	u.Disabled = disabled != 0
	_ = json.Unmarshal([]byte(pats), &u.Patients)
	u.Created, _ = time.Parse(time.RFC3339Nano, created)
	return &u, nil
}

// UserByName returns the user with username (ErrNotFound if none).
func (a *Accounts) UserByName(ctx context.Context, username string) (*User, error) {
	return a.userWhere(ctx, "username = ?", username)
}

// User returns the user with id (ErrNotFound if none).
func (a *Accounts) User(ctx context.Context, id string) (*User, error) {
	return a.userWhere(ctx, "id = ?", id)
}

// Users lists all users by username.
func (a *Accounts) Users(ctx context.Context) ([]*User, error) {
	rows, err := a.db.QueryContext(ctx, `SELECT username FROM users ORDER BY username`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	var out []*User
	for _, n := range names {
		u, err := a.UserByName(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

// SetPassword replaces a user's password hash.
func (a *Accounts) SetPassword(ctx context.Context, username, hash string) error {
	return a.exec1(ctx, username, `UPDATE users SET password = ? WHERE username = ?`, hash, username)
}

// SetTOTP sets (or with "" clears) a user's TOTP secret.
func (a *Accounts) SetTOTP(ctx context.Context, username, secret string) error {
	return a.exec1(ctx, username, `UPDATE users SET totp_secret = ? WHERE username = ?`, secret, username)
}

// SetDisabled disables or enables a user. Disabling also revokes the
// user's refresh tokens, so that apps lose access at their next refresh.
func (a *Accounts) SetDisabled(ctx context.Context, username string, disabled bool) error {
	if err := a.exec1(ctx, username, `UPDATE users SET disabled = ? WHERE username = ?`, boolInt(disabled), username); err != nil {
		return err
	}
	if disabled {
		if _, err := a.db.ExecContext(ctx, `UPDATE refresh_tokens SET revoked = 1 WHERE user_id = (SELECT id FROM users WHERE username = ?)`, username); err != nil {
			return fmt.Errorf("revoke tokens of %s: %w", username, err)
		}
	}
	return nil
}

func (a *Accounts) exec1(ctx context.Context, username, q string, args ...any) error {
	res, err := a.db.ExecContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("update user %s: %w", username, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("user %s: %w", username, ErrNotFound)
	}
	return nil
}

// AddClient registers an OAuth client.
func (a *Accounts) AddClient(ctx context.Context, c *Client) error {
	if c.ID == "" {
		return errors.New("client id is required")
	}
	if _, err := ParseScopes(c.Scopes); err != nil {
		return err
	}
	if c.Created.IsZero() {
		c.Created = a.now()
	}
	uris, _ := json.Marshal(c.RedirectURIs)
	_, err := a.db.ExecContext(ctx, `INSERT INTO clients VALUES (?,?,?,?,?,?)`, c.ID, c.Name, string(uris), c.Scopes, c.JWKS, ts(c.Created))
	if err != nil {
		return fmt.Errorf("add client %s: %w", c.ID, err)
	}
	return nil
}

// Client returns the client with id (ErrNotFound if none).
func (a *Accounts) Client(ctx context.Context, id string) (*Client, error) {
	var c Client
	var uris, created string
	err := a.db.QueryRowContext(ctx, `SELECT id, name, redirect_uris, scopes, jwks, created FROM clients WHERE id = ?`, id).
		Scan(&c.ID, &c.Name, &uris, &c.Scopes, &c.JWKS, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("read client: %w", err)
	}
	_ = json.Unmarshal([]byte(uris), &c.RedirectURIs)
	c.Created, _ = time.Parse(time.RFC3339Nano, created)
	return &c, nil
}

// refreshGrant is what a refresh token stands for.
type refreshGrant struct {
	Family        string
	ClientID      string
	UserID        string
	Scopes        string
	LaunchPatient string
	Expires       time.Time
}

func tokenHash(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// saveRefresh stores a refresh token (by hash only: a copy of the database
// does not yield usable tokens).
func (a *Accounts) saveRefresh(ctx context.Context, tok string, g refreshGrant) error {
	_, err := a.db.ExecContext(ctx, `INSERT INTO refresh_tokens VALUES (?,?,?,?,?,?,?,0,0)`,
		tokenHash(tok), g.Family, g.ClientID, g.UserID, g.Scopes, g.LaunchPatient, ts(g.Expires))
	if err != nil {
		return fmt.Errorf("save refresh token: %w", err)
	}
	return nil
}

// errRefreshReuse is a refresh token presented a second time: it was stolen
// or replayed, so its whole family is revoked.
var errRefreshReuse = errors.New("refresh token reused; all tokens of this grant are revoked")

// useRefresh consumes a refresh token: it must exist, be unexpired, unused
// and unrevoked. A used token presented again revokes its family.
func (a *Accounts) useRefresh(ctx context.Context, tok string) (refreshGrant, error) {
	h := tokenHash(tok)
	var g refreshGrant
	var expires string
	var used, revoked int
	err := a.db.QueryRowContext(ctx, `SELECT family, client_id, user_id, scopes, launch_patient, expires, used, revoked FROM refresh_tokens WHERE hash = ?`, h).
		Scan(&g.Family, &g.ClientID, &g.UserID, &g.Scopes, &g.LaunchPatient, &expires, &used, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return g, ErrNotFound
	}
	if err != nil {
		return g, fmt.Errorf("read refresh token: %w", err)
	}
	g.Expires, _ = time.Parse(time.RFC3339Nano, expires)
	switch {
	case revoked != 0:
		return g, errors.New("refresh token revoked")
	case used != 0:
		_ = a.revokeFamily(ctx, g.Family)
		return g, errRefreshReuse
	case !a.now().Before(g.Expires):
		return g, errors.New("refresh token expired")
	}
	// The UPDATE's used = 0 condition makes two concurrent uses of one
	// token end with one winner.
	res, err := a.db.ExecContext(ctx, `UPDATE refresh_tokens SET used = 1 WHERE hash = ? AND used = 0`, h)
	if err != nil {
		return g, fmt.Errorf("use refresh token: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		_ = a.revokeFamily(ctx, g.Family)
		return g, errRefreshReuse
	}
	return g, nil
}

func (a *Accounts) revokeFamily(ctx context.Context, family string) error {
	_, err := a.db.ExecContext(ctx, `UPDATE refresh_tokens SET revoked = 1 WHERE family = ?`, family)
	if err != nil {
		return fmt.Errorf("revoke refresh tokens: %w", err)
	}
	return nil
}

// RevokeRefresh revokes the refresh token tok and every token rotated from
// the same grant. An unknown token is not an error (RFC 7009 §2.2).
func (a *Accounts) RevokeRefresh(ctx context.Context, tok string) error {
	var family string
	err := a.db.QueryRowContext(ctx, `SELECT family FROM refresh_tokens WHERE hash = ?`, tokenHash(tok)).Scan(&family)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("revoke refresh token: %w", err)
	}
	return a.revokeFamily(ctx, family)
}
