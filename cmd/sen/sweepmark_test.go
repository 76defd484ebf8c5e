package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSweepMark(t *testing.T) {
	now := time.Date(2026, 11, 26, 22, 0, 0, 0, time.UTC)
	window := 48 * time.Hour
	for _, tt := range []struct {
		name    string
		content string // "-": no file
		want    time.Time
	}{
		{"no mark: the window", "-", now.Add(-window)},
		{"a sweep 30 min ago", now.Add(-30 * time.Minute).Format(time.RFC3339Nano), now.Add(-40 * time.Minute)},
		{"a sweep three days ago: the window", now.Add(-72 * time.Hour).Format(time.RFC3339Nano), now.Add(-window)},
		{"a mark in the future: the window", now.Add(time.Hour).Format(time.RFC3339Nano), now.Add(-window)},
		{"unreadable: the window", "yesterday", now.Add(-window)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := sweepMark{path: filepath.Join(t.TempDir(), "mark")}
			if tt.content != "-" {
				if err := os.WriteFile(m.path, []byte(tt.content+"\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if got := m.since(now, window); !got.Equal(tt.want) {
				t.Errorf("since = %v, want %v", got, tt.want)
			}
		})
	}
	m := sweepMark{path: filepath.Join(t.TempDir(), "mark")}
	started := now.Add(-5 * time.Minute)
	if err := m.done(started); err != nil {
		t.Fatal(err)
	}
	if got := m.since(now, window); !got.Equal(started.Add(-sweepOverlap)) {
		t.Errorf("after done: since = %v, want %v", got, started.Add(-sweepOverlap))
	}
}
