package careplan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sen-emr/sen/internal/fhir"
)

// transitionMatrix is the expected state machine written out by hand, one
// row per from-status, one column per to-status in TaskStatuses order:
// "+" allowed, "." refused, "=" unchanged (always allowed). It is kept
// apart from taskNext on purpose, so a slip in either shows up.
//
//	columns: draft requested received accepted rejected ready cancelled in-progress on-hold failed completed entered-in-error
var transitionMatrix = map[string]string{
	"draft":            "=+...++....+",
	"requested":        ".=+++++....+",
	"received":         "..=++.+....+",
	"accepted":         "...=.+++...+",
	"rejected":         "....=......+",
	"ready":            ".....=++...+",
	"cancelled":        "......=....+",
	"in-progress":      ".......=++++",
	"on-hold":          "......++=+.+",
	"failed":           ".........=.+",
	"completed":        "..........=+",
	"entered-in-error": "...........=",
}

func TestTransitionMatrix(t *testing.T) {
	statuses := TaskStatuses()
	for from, row := range transitionMatrix {
		if len(row) != len(statuses) {
			t.Fatalf("matrix row %s has %d columns, want %d", from, len(row), len(statuses))
		}
		for i, to := range statuses {
			want := row[i] != '.'
			t.Run(from+"→"+to, func(t *testing.T) {
				err := CheckTransition(from, to)
				if got := err == nil; got != want {
					t.Fatalf("CheckTransition(%s, %s) = %v, want allowed=%v", from, to, err, want)
				}
				if err == nil {
					return
				}
				if k := fhir.KindOf(err); k != fhir.KindUnprocessable {
					t.Errorf("kind = %v, want Unprocessable (422)", k)
				}
				if msg := err.Error(); !strings.Contains(msg, from+" → "+to) {
					t.Errorf("message %q does not name the transition %s → %s", msg, from, to)
				}
			})
		}
	}
	if len(transitionMatrix) != len(statuses) {
		t.Fatalf("matrix has %d rows, want %d", len(transitionMatrix), len(statuses))
	}
}

func TestCreateStatus(t *testing.T) {
	for _, to := range TaskStatuses() {
		want := to == TaskDraft || to == TaskRequested || to == TaskReady
		t.Run(to, func(t *testing.T) {
			err := CheckTransition("", to)
			if got := err == nil; got != want {
				t.Fatalf("create as %s: err = %v, want allowed=%v", to, err, want)
			}
		})
	}
}

func TestUnknownStatus(t *testing.T) {
	tests := []struct{ from, to string }{
		{"requested", "done"},
		{"", "open"},
		{"in-progress", ""},
	}
	for _, tt := range tests {
		err := CheckTransition(tt.from, tt.to)
		if fhir.KindOf(err) != fhir.KindUnprocessable {
			t.Errorf("CheckTransition(%q, %q) = %v, want a 422 error", tt.from, tt.to, err)
		}
	}
}

func TestCheckTaskWriteOwner(t *testing.T) {
	task := func(status, owner string) []byte {
		o := ""
		if owner != "" {
			o = fmt.Sprintf(`,"owner":{"reference":%q}`, owner)
		}
		return []byte(fmt.Sprintf(`{"resourceType":"Task","status":%q,"intent":"order"%s}`, status, o))
	}
	tests := []struct {
		name       string
		prev, next []byte
		wantErr    string // substring; "" for success
	}{
		{"create requested without owner", nil, task("requested", ""), ""},
		{"create completed", nil, task("completed", "Organization/x"), "a new Task cannot start as completed"},
		{"accept with owner", task("requested", ""), task("accepted", "Organization/tyt"), ""},
		{"accept without owner", task("requested", ""), task("accepted", ""), "Task.owner"},
		{"complete from accepted", task("accepted", "Organization/tyt"), task("completed", "Organization/tyt"), "accepted → completed"},
		{"edit note, same status, no owner", task("in-progress", ""), task("in-progress", ""), ""},
		{"reopen completed", task("completed", "Organization/tyt"), task("in-progress", "Organization/tyt"), "completed is final"},
		{"not JSON", nil, []byte(`{`), "Task"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckTaskWrite(tt.prev, tt.next)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("got %v, want success", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestOpenTerminal(t *testing.T) {
	tests := []struct {
		status         string
		open, terminal bool
	}{
		{"draft", false, false}, {"requested", true, false}, {"received", true, false},
		{"accepted", true, false}, {"ready", true, false}, {"in-progress", true, false},
		{"on-hold", true, false}, {"rejected", false, true}, {"cancelled", false, true},
		{"failed", false, true}, {"completed", false, true}, {"entered-in-error", false, true},
		{"bogus", false, false},
	}
	for _, tt := range tests {
		if got := Open(tt.status); got != tt.open {
			t.Errorf("Open(%s) = %v, want %v", tt.status, got, tt.open)
		}
		if got := Terminal(tt.status); got != tt.terminal {
			t.Errorf("Terminal(%s) = %v, want %v", tt.status, got, tt.terminal)
		}
	}
}
