package chat

import (
	"encoding/json"
	"testing"
	"time"
)

// FuzzParse: any input is parsed without panicking, the normalised text
// stays bounded, and the resources it maps to are valid JSON.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"đã uống", "quên uống tối qua", "hết thuốc", "bị chóng mặt", "1", "took it", "😀", ""} {
		f.Add(s)
	}
	ctx := Context{Patient: "Patient/p", Received: time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC), MedicationATC: "C08CA01", MedicationText: "Amlodipin"}
	f.Fuzz(func(t *testing.T, msg string) {
		r := Parse(msg, Options{Medicines: []string{"Amlodipin 5 mg", "Metformin"}})
		if len(r.Normalized) > 4*MaxRunes {
			t.Fatalf("normalised %d bytes", len(r.Normalized))
		}
		ctx.Text = msg
		res, err := r.Resources(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range res {
			if !json.Valid(b) {
				t.Fatalf("invalid JSON %s", b)
			}
		}
		if vi, en := r.Reply(); vi == "" || en == "" {
			t.Fatal("empty reply")
		}
	})
}
