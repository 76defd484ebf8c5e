package smart

import (
	"context"
	"database/sql"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/sen-emr/sen/internal/audit"
	"github.com/sen-emr/sen/internal/auth"
	"github.com/sen-emr/sen/internal/consent"
	"github.com/sen-emr/sen/internal/fhir/r4"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/search"
	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/sqlite"
)

// need skips when a tool is missing, or fails under SEN_REQUIRE_ALL=1.
func need(tb testing.TB, ok bool, what string) {
	tb.Helper()
	if ok {
		return
	}
	if os.Getenv("SEN_REQUIRE_ALL") == "1" {
		tb.Fatalf("%s is required (SEN_REQUIRE_ALL=1)", what)
	}
	tb.Skipf("%s missing", what)
}

const password = "mat-khau-rat-dai-2024"

// fixture is the patient the app reads, and one it must not see.
var fixture = []string{
	`{"resourceType":"Organization","id":"bv1","name":"Bệnh viện Thử"}`,
	`{"resourceType":"Patient","id":"p1","name":[{"family":"Nguyễn","given":["Thị","Lan"]}],"gender":"female","birthDate":"1950-03-02","managingOrganization":{"reference":"Organization/bv1"}}`,
	`{"resourceType":"Patient","id":"p2","name":[{"family":"Lê","given":["Văn","Hai"]}],"gender":"male","birthDate":"1960-01-01"}`,
}

// serve starts Sen as cmd/sen wires it (auth.db, keys, audit, guard, REST
// handler behind the authorizer's middleware) on a loopback port, with a
// patient account "lan" and a public SMART client "smart-test".
func serve(tb testing.TB) (base string) {
	tb.Helper()
	ctx := context.Background()
	dir := tb.TempDir()
	m := r4.Load()
	ix, err := search.NewIndexer(m)
	if err != nil {
		tb.Fatal(err)
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "sen.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	err = st.Update(ctx, func(tx store.Tx) error {
		for _, b := range fixture {
			var h struct{ ResourceType, ID string }
			if err := json.Unmarshal([]byte(b), &h); err != nil {
				return err
			}
			idx, err := ix.Index(h.ResourceType, []byte(b))
			if err != nil {
				return err
			}
			if _, err := tx.Put(ctx, store.Write{Type: h.ResourceType, ID: h.ID, JSON: []byte(b), Index: idx}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, "auth.db"))
	if err != nil {
		tb.Fatal(err)
	}
	acc, err := auth.OpenAccounts(ctx, db, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { acc.Close() })
	keys, err := auth.OpenKeys(ctx, acc)
	if err != nil {
		tb.Fatal(err)
	}
	aw, err := audit.Open(ctx, audit.Config{Store: st, Indexer: ix, Anchor: &audit.MemoryAnchor{}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { aw.Close(context.Background()) })
	bg := consent.NewBreakGlass(nil, time.Hour)
	guard := &auth.Guard{Store: st, Indexer: ix, Compartments: m, Policy: &auth.Policy{BreakGlass: bg},
		Queries: func(typ string, params url.Values) (*search.Query, error) {
			return search.ParseQuery(m, typ, params, true)
		}}
	h := rest.New(rest.Config{Store: guard, Indexer: ix, Model: m,
		Parser: rest.QueryParserFunc(func(typ string, params url.Values, strict bool) (*search.Query, error) {
			return search.ParseQuery(m, typ, params, strict)
		})})
	az := auth.New(auth.Config{Accounts: acc, Keys: keys, BreakGlass: bg, Audit: aw, Store: st})

	hash, err := auth.HashPassword(password)
	if err != nil {
		tb.Fatal(err)
	}
	if err := acc.AddUser(ctx, &auth.User{Username: "lan", Name: "Nguyễn Thị Lan", Role: auth.RolePatient,
		FHIRUser: "Patient/p1", Patients: []string{"p1"}, PasswordHash: hash}); err != nil {
		tb.Fatal(err)
	}
	if err := acc.AddClient(ctx, &auth.Client{ID: "smart-test", Name: "openid-client", RedirectURIs: []string{"http://127.0.0.1:1/callback"},
		Scopes: "openid fhirUser launch/patient offline_access patient/*.rs"}); err != nil {
		tb.Fatal(err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	srv := &http.Server{Handler: az.Middleware(h), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	tb.Cleanup(func() { srv.Close() })
	return "http://" + ln.Addr().String()
}

// TestOpenIDClient runs smart.mjs: openid-client performs the code flow with
// PKCE S256 against Sen, reads the patient with the access token, is
// refused the other patient, rotates the refresh token and sees the old one
// rejected (reuse revokes the grant).
func TestOpenIDClient(t *testing.T) {
	node, err := exec.LookPath("node")
	need(t, err == nil, "node")
	if _, err := os.Stat("node_modules/openid-client"); err != nil {
		npm, err := exec.LookPath("npm")
		need(t, err == nil, "npm")
		if os.Getenv("SEN_REQUIRE_ALL") != "1" {
			t.Skip("node_modules missing: run npm ci in test/smart")
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if out, err := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund").CombinedOutput(); err != nil {
			t.Fatalf("npm ci: %v\n%s", err, out)
		}
	}
	base := serve(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	script, _ := filepath.Abs("smart.mjs")
	cmd := exec.CommandContext(ctx, node, script)
	cmd.Env = append(os.Environ(), "SEN_BASE_URL="+base, "SEN_USER=lan", "SEN_PASSWORD="+password,
		"SEN_CLIENT_ID=smart-test", "SEN_REDIRECT_URI=http://127.0.0.1:1/callback", "SEN_PATIENT=p1", "SEN_OTHER_PATIENT=p2")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("smart.mjs failed: %v", err)
	}
}
