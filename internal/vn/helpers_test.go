package vn

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// requireShared returns the path of /work/shared/vn (found relative to the
// repository root), skipping the test when it is absent, or failing it when
// SEN_REQUIRE_ALL=1 (as CI sets it).
func requireShared(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "vn")
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("SEN_REQUIRE_ALL") == "1" {
			tb.Fatalf("shared data required (SEN_REQUIRE_ALL=1): %v", err)
		}
		tb.Skipf("shared data absent: %v", err)
	}
	return dir
}

// mustUnits loads the embedded units or fails the test.
func mustUnits(tb testing.TB) *Units {
	tb.Helper()
	u, err := LoadUnits()
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// wantCode fails unless err is an *Error with the given code and non-empty
// messages in both languages.
func wantCode(tb testing.TB, err error, want Code) {
	tb.Helper()
	var e *Error
	if !errors.As(err, &e) {
		tb.Fatalf("got error %v, want *Error with code %s", err, want)
	}
	if e.Code != want {
		tb.Fatalf("got code %s (%s), want %s", e.Code, e.EN, want)
	}
	if e.VI == "" || e.EN == "" {
		tb.Fatalf("error %s lacks a message: vi=%q en=%q", e.Code, e.VI, e.EN)
	}
}
