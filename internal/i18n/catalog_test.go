package i18n

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func newCatalog(tb testing.TB) *Catalog {
	tb.Helper()
	c, err := New()
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// Every message must exist, non-empty, in both languages: a page half in
// Vietnamese and half in English is a bug.
func TestCatalogsHaveSameIDs(t *testing.T) {
	c := newCatalog(t)
	vi, en := c.IDs(Vietnamese), c.IDs(English)
	if len(vi) < 100 {
		t.Fatalf("vi catalog has %d ids; embedded catalog missing?", len(vi))
	}
	for _, id := range vi {
		if !slices.Contains(en, id) {
			t.Errorf("%q is in vi.json but not en.json", id)
		}
	}
	for _, id := range en {
		if !slices.Contains(vi, id) {
			t.Errorf("%q is in en.json but not vi.json", id)
		}
	}
	for _, lang := range Languages() {
		l := c.Localizer(lang)
		for _, id := range c.IDs(lang) {
			if !l.Has(id) {
				t.Errorf("%s: %q has no message of its own", lang, id)
			}
			got := l.T(id, map[string]any{"N": 1, "Name": "X", "Age": 2, "Date": "d", "Taken": 1, "Due": 2,
				"Time": "t", "Days": 3, "Medicine": "m", "PDC": 50, "Substance": "s", "Value": "1", "Unit": "u", "Q": "1"})
			if got == "" || strings.HasPrefix(got, "[") || strings.Contains(got, "<no value>") {
				t.Errorf("%s: %q renders as %q", lang, id, got)
			}
		}
	}
}

func TestTranslate(t *testing.T) {
	c := newCatalog(t)
	tests := []struct {
		lang, id string
		data     map[string]any
		want     string
	}{
		{"vi", "me.take", nil, "Đã uống"},
		{"en", "me.take", nil, "Taken"},
		{"vi", "age", map[string]any{"Age": 64}, "64 tuổi"},
		{"en", "find.count", map[string]any{"N": 3}, "3 results"},
		{"en", "no.such.id", nil, "[no.such.id]"},
		{"fr", "me.take", nil, "Đã uống"}, // unsupported language: Vietnamese
	}
	for _, tt := range tests {
		if got := c.Localizer(tt.lang).T(tt.id, tt.data); got != tt.want {
			t.Errorf("%s %s: got %q, want %q", tt.lang, tt.id, got, tt.want)
		}
	}
}

func TestMatch(t *testing.T) {
	c := newCatalog(t)
	tests := []struct{ header, want string }{
		{"", "vi"},
		{"vi-VN,vi;q=0.9", "vi"},
		{"en-US,en;q=0.9", "en"},
		{"en-GB", "en"},
		{"fr-FR,fr;q=0.9", "vi"},
		{"vi;q=0.9,en;q=0.5", "vi"},
		{"en;q=0.9,vi;q=0.5", "en"},
		{"!!garbage;;", "vi"},
	}
	for _, tt := range tests {
		if got := c.Match(tt.header); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
}

func TestFromRequestCookieWins(t *testing.T) {
	c := newCatalog(t)
	tests := []struct{ cookie, accept, want string }{
		{"", "en-US", "en"},
		{"vi", "en-US", "vi"},
		{"en", "vi", "en"},
		{"xx", "en", "en"}, // unsupported cookie value is ignored
		{"", "", "vi"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		if tt.accept != "" {
			r.Header.Set("Accept-Language", tt.accept)
		}
		if tt.cookie != "" {
			r.Header.Set("Cookie", CookieName+"="+tt.cookie)
		}
		if got := c.FromRequest(r); got != tt.want {
			t.Errorf("cookie %q accept %q: got %q, want %q", tt.cookie, tt.accept, got, tt.want)
		}
	}
}
