package consent

import (
	"context"
	"testing"
	"time"
)

func mustParse(tb testing.TB, body string) *Consent {
	tb.Helper()
	c, err := Parse([]byte(body))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

func TestEvaluate(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	permitOrgA := `{"resourceType":"Consent","status":"active","dateTime":"2026-01-01","patient":{"reference":"Patient/p1"},
	  "provision":{"type":"permit","actor":[{"role":{"text":"x"},"reference":{"reference":"Organization/a"}}],"action":[{"coding":[{"code":"access"}]}]}}`
	denyAllButB := `{"resourceType":"Consent","status":"active","dateTime":"2026-02-01",
	  "provision":{"type":"deny","provision":[{"type":"permit","actor":[{"reference":{"reference":"Organization/b"}}]}]}}`
	expired := `{"resourceType":"Consent","status":"active","dateTime":"2025-01-01",
	  "provision":{"type":"permit","period":{"start":"2025-01-01","end":"2025-12-31"},"actor":[{"reference":{"reference":"Organization/a"}}]}}`
	inactive := `{"resourceType":"Consent","status":"inactive","dateTime":"2026-03-01",
	  "provision":{"type":"permit","actor":[{"reference":{"reference":"Organization/a"}}]}}`
	laterDenyA := `{"resourceType":"Consent","status":"active","dateTime":"2026-05-01",
	  "provision":{"type":"deny","actor":[{"reference":{"reference":"Organization/a"}}]}}`
	researchOnly := `{"resourceType":"Consent","status":"active","dateTime":"2026-01-01",
	  "provision":{"type":"permit","actor":[{"reference":{"reference":"Organization/a"}}],"action":[{"coding":[{"code":"collect"}]}]}}`
	tests := []struct {
		name     string
		consents []string
		actors   []string
		want     Decision
	}{
		{"no consents", nil, []string{"Organization/a"}, NotApplicable},
		{"permit names actor", []string{permitOrgA}, []string{"Organization/a"}, Permit},
		{"permit names other actor", []string{permitOrgA}, []string{"Organization/c"}, NotApplicable},
		{"base deny applies to all", []string{denyAllButB}, []string{"Organization/a"}, Deny},
		{"nested permit overrides base deny", []string{denyAllButB}, []string{"Organization/b"}, Permit},
		{"expired period ignored", []string{expired}, []string{"Organization/a"}, NotApplicable},
		{"inactive ignored", []string{inactive}, []string{"Organization/a"}, NotApplicable},
		{"most recent consent wins", []string{permitOrgA, laterDenyA}, []string{"Organization/a"}, Deny},
		{"non-access action ignored", []string{researchOnly}, []string{"Organization/a"}, NotApplicable},
		{"any of several actors", []string{permitOrgA}, []string{"Practitioner/x", "Organization/a"}, Permit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cs []*Consent
			for _, b := range tt.consents {
				cs = append(cs, mustParse(t, b))
			}
			if got := Evaluate(cs, tt.actors, now); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParseRejectsGarbage(t *testing.T) {
	if _, err := Parse([]byte(`{"provision":`)); err == nil {
		t.Fatal("want an error for truncated JSON")
	}
}

func TestBreakGlass(t *testing.T) {
	now := time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	b := NewBreakGlass(clock, 30*time.Minute)
	if _, err := b.Open(context.Background(), "u1", "p1", "short"); err == nil {
		t.Fatal("short reason accepted")
	}
	g, err := b.Open(context.Background(), "u1", "p1", "Bệnh nhân hôn mê, cấp cứu")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		user, patient string
		after         time.Duration
		want          bool
	}{
		{"same user and patient", "u1", "p1", 0, true},
		{"other patient", "u1", "p2", 0, false},
		{"other user", "u2", "p1", 0, false},
		{"just before expiry", "u1", "p1", 29 * time.Minute, true},
		{"expired", "u1", "p1", 31 * time.Minute, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now = g.Opened.Add(tt.after)
			_, got := b.Active(tt.user, tt.patient)
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
	if got := len(b.Pending()); got != 1 {
		t.Fatalf("pending: got %d, want 1", got)
	}
	if err := b.Review(context.Background(), g.ID, "admin"); err != nil {
		t.Fatal(err)
	}
	if got := len(b.Pending()); got != 0 {
		t.Fatalf("pending after review: got %d, want 0", got)
	}
	if err := b.Review(context.Background(), "nope", "admin"); err == nil {
		t.Fatal("review of unknown grant accepted")
	}
}
