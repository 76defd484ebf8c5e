package auth

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/sen-emr/sen/internal/audit"
	"github.com/sen-emr/sen/internal/consent"
)

// events collects audit events in memory.
type events struct {
	mu  sync.Mutex
	got []audit.Event
}

func (e *events) Record(ev audit.Event) {
	e.mu.Lock()
	e.got = append(e.got, ev)
	e.mu.Unlock()
}

func (e *events) all() []audit.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]audit.Event(nil), e.got...)
}

func newTestAuthorizer(tb testing.TB, rec Recorder) *Authorizer {
	tb.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", filepath.Join(tb.TempDir(), "auth.db"))
	if err != nil {
		tb.Fatal(err)
	}
	acc, err := OpenAccounts(ctx, db, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { acc.Close() })
	keys, err := OpenKeys(ctx, acc)
	if err != nil {
		tb.Fatal(err)
	}
	return New(Config{Accounts: acc, Keys: keys, Audit: rec, Store: openStore(tb)})
}

// TestWebPageViewsAudited serves a stand-in for the web apps: like webauth
// it signs the user in by putting a Principal in the context, then reads
// through the guard. Each page that showed a record must leave one event.
func TestWebPageViewsAudited(t *testing.T) {
	st := openStore(t)
	load(t, st, policyFixture...)
	g := newGuard(t, st, consent.NewBreakGlass(nil, 0))
	rec := &events{}
	az := newTestAuthorizer(t, rec)
	users := testPrincipals()
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who := r.URL.Query().Get("as")
		if who == "" {
			http.Redirect(w, r, "/me/signin", http.StatusSeeOther) // anonymous: nothing read
			return
		}
		ctx := WithPrincipal(r.Context(), users[who]())
		if _, err := g.Read(ctx, "Patient", r.URL.Query().Get("patient")); err != nil {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		_, _ = w.Write([]byte("summary"))
	})
	srv := httptest.NewServer(az.Middleware(app))
	defer srv.Close()

	tests := []struct {
		name         string
		path         string
		wantEvent    bool
		wantStatus   int
		wantPatients []string
		wantAction   audit.Action
	}{
		{"patient views own summary", "/me?as=patient1&patient=p1", true, 200, []string{"p1"}, audit.ActionRead},
		{"clinician views a summary", "/app/patient/p2?as=doctorA&patient=p2", true, 200, []string{"p2"}, audit.ActionRead},
		{"refused view is audited", "/app/patient/p4?as=doctorA&patient=p4", true, 403, nil, audit.ActionRead},
		{"anonymous redirect leaves no event", "/me", false, 0, nil, ""},
		{"outside the apps", "/approve?as=patient1&patient=p1", false, 0, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(rec.all())
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := c.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := rec.all()[before:]
			if !tt.wantEvent {
				if len(got) != 0 {
					t.Fatalf("events: got %+v, want none", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("events: got %d, want 1", len(got))
			}
			ev := got[0]
			if ev.Interaction != "web-view" || ev.Action != tt.wantAction || ev.Outcome != tt.wantStatus || !slices.Equal(ev.Patients, tt.wantPatients) {
				t.Errorf("event: got %s %s outcome %d patients %v, want web-view %s %d %v",
					ev.Interaction, ev.Action, ev.Outcome, ev.Patients, tt.wantAction, tt.wantStatus, tt.wantPatients)
			}
		})
	}
}
