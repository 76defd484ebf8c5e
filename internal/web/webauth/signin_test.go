package webauth

import (
	"context"
	"database/sql"
	"net/http/httptest"
	"testing"

	_ "modernc.org/sqlite"

	"github.com/sen-emr/sen/internal/auth"
	"github.com/sen-emr/sen/internal/web"
)

func accounts(tb testing.TB) *auth.Accounts {
	tb.Helper()
	db, err := sql.Open("sqlite", "file:"+tb.Name()+"?mode=memory&cache=shared")
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	acc, err := auth.OpenAccounts(context.Background(), db, nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { acc.Close() })
	hash, err := auth.HashPassword("mat-khau-1")
	if err != nil {
		tb.Fatal(err)
	}
	for _, u := range []*auth.User{
		{ID: "u1", Username: "bacsi", Name: "BS Lan", Role: auth.RoleDoctor, FHIRUser: "Practitioner/1", Organization: "Organization/4", PasswordHash: hash},
		{ID: "u2", Username: "benhnhan", Name: "Ông Tư", Role: auth.RolePatient, FHIRUser: "Patient/5", Patients: []string{"5"}, PasswordHash: hash},
		{ID: "u3", Username: "cu", Name: "Cũ", Role: auth.RoleDoctor, PasswordHash: hash, Disabled: true},
		{ID: "u4", Username: "nghiencuu", Name: "NC", Role: auth.RoleResearcher, PasswordHash: hash},
	} {
		if err := acc.AddUser(context.Background(), u); err != nil {
			tb.Fatal(err)
		}
	}
	return acc
}

func TestSignIn(t *testing.T) {
	a := Authenticator{Accounts: accounts(t)}
	tests := []struct {
		user, pw string
		wantID   string
	}{
		{"bacsi", "mat-khau-1", "u1"},
		{"benhnhan", "mat-khau-1", "u2"},
		{"bacsi", "sai", ""},
		{"khongco", "mat-khau-1", ""},
		{"cu", "mat-khau-1", ""},          // disabled
		{"nghiencuu", "mat-khau-1", "u4"}, // the population dashboard
	}
	for _, tt := range tests {
		got, err := a.SignIn(httptest.NewRequest("POST", "/app/signin", nil), tt.user, tt.pw, "")
		if got != tt.wantID || (tt.wantID == "") != (err != nil) {
			t.Errorf("SignIn(%s, %s) = %q, %v; want %q", tt.user, tt.pw, got, err, tt.wantID)
		}
	}
}

func TestAccount(t *testing.T) {
	a := Authenticator{Accounts: accounts(t)}
	r := httptest.NewRequest("GET", "/me", nil)
	u, r2, err := a.Account(r, "u2")
	if err != nil {
		t.Fatal(err)
	}
	if u.Role != web.RolePatient || len(u.Patients) != 1 || u.Patients[0] != "5" {
		t.Errorf("user %+v", u)
	}
	p := auth.PrincipalFrom(r2.Context())
	if p == nil || p.Subject != "u2" || p.Role != auth.RolePatient || !p.Scopes.Allows("", "Observation", auth.PermRead) {
		t.Errorf("principal %+v", p)
	}
	if _, _, err := a.Account(r, "u3"); err == nil {
		t.Error("disabled account still has a session")
	}
	if _, _, err := a.Account(r, "nope"); err == nil {
		t.Error("unknown account has a session")
	}
}
