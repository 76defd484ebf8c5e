package consent

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

func openDB(tb testing.TB, path string) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// TestBreakGlassSurvivesRestart opens grants, reviews one, and reopens the
// register from the same database as a restarted server would.
func TestBreakGlassSurvivesRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "auth.db")
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }

	b, err := OpenBreakGlass(ctx, openDB(t, path), clock, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	open, err := b.Open(ctx, "u1", "p1", "Người bệnh bất tỉnh, cấp cứu")
	if err != nil {
		t.Fatal(err)
	}
	reviewed, err := b.Open(ctx, "u2", "p2", "Cấp cứu ngừng tuần hoàn tại khoa")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Review(ctx, reviewed.ID, "privacy-officer"); err != nil {
		t.Fatal(err)
	}

	now = now.Add(10 * time.Minute)
	b2, err := OpenBreakGlass(ctx, openDB(t, path), clock, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		user, patient string
		after         time.Duration
		want          bool
	}{
		{"open grant still active", "u1", "p1", 0, true},
		{"reviewed grant still active until expiry", "u2", "p2", 0, true},
		{"other patient", "u1", "p2", 0, false},
		{"expired after restart", "u1", "p1", time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			saved := now
			now = now.Add(tt.after)
			defer func() { now = saved }()
			g, got := b2.Active(tt.user, tt.patient)
			if got != tt.want {
				t.Fatalf("active: got %v, want %v", got, tt.want)
			}
			if got && tt.user == "u1" && (g.ID != open.ID || g.Reason != open.Reason || !g.Expires.Equal(open.Expires)) {
				t.Errorf("grant: got %+v, want %+v", g, open)
			}
		})
	}
	pending := b2.Pending()
	if len(pending) != 1 || pending[0].ID != open.ID {
		t.Fatalf("pending after restart: got %+v, want only %s", pending, open.ID)
	}

	// A reviewed grant that has expired is not loaded again; an unreviewed
	// expired one still waits for its reviewer.
	now = now.Add(2 * time.Hour)
	b3, err := OpenBreakGlass(ctx, openDB(t, path), clock, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(b3.grants); got != 1 {
		t.Errorf("grants loaded after expiry: got %d, want 1 (the unreviewed one)", got)
	}
	if err := b3.Review(ctx, reviewed.ID, "x"); !errors.Is(err, ErrNoGrant) {
		t.Errorf("review of a closed grant: got %v, want ErrNoGrant", err)
	}
	if err := b3.Review(ctx, open.ID, "privacy-officer"); err != nil {
		t.Fatal(err)
	}
	if got := len(b3.Pending()); got != 0 {
		t.Errorf("pending after review: got %d, want 0", got)
	}
}
