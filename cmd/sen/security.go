package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/audit"
	"github.com/sen-emr/sen/internal/auth"
	"github.com/sen-emr/sen/internal/consent"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/record"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
)

// security is the authorization server, the store guard and the audit
// writer of a running Sen, or nothing at all with --no-auth.
type security struct {
	off   bool
	acc   *auth.Accounts
	az    *auth.Authorizer
	audit *audit.Writer
	guard *auth.Guard
	log   *slog.Logger
	// model lets the retention guard find an episode's Conditions.
	model *r4.Model
	// windows are the time-of-day access windows per role (none: the
	// default, every role unrestricted); recordrules.go.
	windows record.AccessWindows
	now     func() time.Time // nil: the wall clock
}

func (s *security) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// authDBPath is where accounts, clients, refresh tokens and signing keys live.
func authDBPath(dataDir string) string { return filepath.Join(dataDir, "auth.db") }

// auditAnchorPath holds the head of the audit hash chain, outside the FHIR store.
func auditAnchorPath(dataDir string) string { return filepath.Join(dataDir, "audit-head.json") }

// openAccounts opens (creating) the auth database in dataDir.
func openAccounts(ctx context.Context, dataDir string) (*auth.Accounts, error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+authDBPath(dataDir)+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		return nil, fmt.Errorf("open auth database: %w", err)
	}
	acc, err := auth.OpenAccounts(ctx, db, nil)
	if err != nil {
		db.Close()
		return nil, err
	}
	return acc, nil
}

// isLoopback reports whether addr (host:port) listens on loopback only.
func isLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// openSecurity sets up authentication, access control and audit over st.
// With --no-auth it refuses any non-loopback address and says loudly that
// the API is open.
func openSecurity(ctx context.Context, f *serverFlags, log *slog.Logger, st store.Store, model *r4.Model, ix *search.Indexer) (*security, error) {
	if f.noAuth {
		if !isLoopback(f.addr) {
			return nil, errors.New("--no-auth is refused unless --addr is a loopback address (127.0.0.1, ::1, localhost) / chỉ được tắt xác thực khi nghe trên địa chỉ loopback")
		}
		log.Warn("AUTHENTICATION IS OFF (--no-auth): anyone who can reach " + f.addr + " reads and writes every record, and nothing is audited")
		if len(f.rules.accessWindows) > 0 {
			log.Warn("--access-window is ignored with --no-auth: there are no signed-in roles / khung giờ truy cập không áp dụng khi tắt xác thực")
		}
		return &security{off: true, log: log, model: model}, nil
	}
	windows, err := f.rules.parseAccessWindows()
	if err != nil {
		return nil, err
	}
	acc, err := openAccounts(ctx, f.dataDir)
	if err != nil {
		return nil, err
	}
	keys, err := auth.OpenKeys(ctx, acc)
	if err != nil {
		acc.Close()
		return nil, err
	}
	aw, err := audit.Open(ctx, audit.Config{Store: st, Indexer: ix, Anchor: audit.FileAnchor{Path: auditAnchorPath(f.dataDir)}, Logger: log})
	if err != nil {
		acc.Close()
		return nil, err
	}
	// Break-glass grants live in auth.db so that an emergency opening and
	// its review survive a restart.
	bg, err := consent.OpenBreakGlass(ctx, acc.DB(), nil, 0)
	if err != nil {
		acc.Close()
		return nil, err
	}
	oidcLogin, err := f.oidc.login(ctx)
	if err != nil {
		acc.Close()
		return nil, err
	}
	az := auth.New(auth.Config{Accounts: acc, Keys: keys, BreakGlass: bg, Audit: aw, Store: st, Logger: log, OIDC: oidcLogin})
	g := &auth.Guard{Store: st, Indexer: ix, Compartments: model, Policy: &auth.Policy{BreakGlass: bg},
		Queries: func(typ string, params url.Values) (*search.Query, error) {
			return search.ParseQuery(model, typ, params, true)
		}}
	if len(windows.Roles) > 0 {
		for role := range windows.Roles {
			log.Info("access window / khung giờ truy cập", "role", role, "windows", windows.Describe(role))
		}
	}
	return &security{acc: acc, az: az, audit: aw, guard: g, log: log, model: model, windows: windows}, nil
}

// store returns the store the FHIR API and the apps should use: st behind
// the retention guard (no deletion of a clinical record before its period
// has run), and unless --no-auth, behind the access-control guard and the
// access windows.
func (s *security) store(st store.Store) store.Store {
	if s.model != nil {
		st = retentionGuard(st, s.model, s.clock)
	}
	if s.off {
		return st
	}
	g := *s.guard
	g.Store = st
	return &record.WindowGuard{Store: &g, Windows: s.windows, Now: s.clock, Who: windowUser, Denied: s.windowDenied}
}

// middleware puts the SMART authorization server and the token check in
// front of h.
func (s *security) middleware(h http.Handler) http.Handler {
	if s.off {
		return h
	}
	return s.az.Middleware(s.windowBreakGlass(h))
}

// trusted marks requests that a server-side component (the web apps) makes
// to the FHIR handler itself: they act as the "web" service until the web
// apps sign their users in.
func (s *security) trusted(h http.Handler) http.Handler {
	if s.off {
		return h
	}
	scopes, _ := auth.ParseScopes("system/*.cruds")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := &auth.Principal{Subject: "sen-web", Name: "Sen web apps", Role: auth.RoleSystem, Scopes: scopes, FHIRUser: "Device/sen-web"}
		h.ServeHTTP(w, r.WithContext(auth.WithPrincipal(r.Context(), p)))
	})
}

// securityExtension is the CapabilityStatement rest.security element.
func (s *security) securityExtension(fhirBase string) any {
	if s.off {
		return nil
	}
	return s.az.SecurityExtension(strings.TrimSuffix(fhirBase, "/fhir"))
}

func (s *security) close() {
	if s.off {
		return
	}
	if err := s.audit.Close(context.Background()); err != nil {
		s.log.Error("close audit writer", "err", err)
	}
	if err := s.acc.Close(); err != nil {
		s.log.Error("close auth database", "err", err)
	}
}
