package population

import (
	"strconv"
	"testing"
)

// TestSDCWorkedTable reproduces OpenSAFELY's "Rounding counts" table:
// every cell and both totals (sums of the released cells).
func TestSDCWorkedTable(t *testing.T) {
	rows := readCSV(t, "opensafely_sdc_examples.csv")
	for _, col := range []string{"heart_disease", "population"} {
		var counts []int
		var want []string
		var wantTotal string
		for _, r := range rows {
			if r["row"] == "Total" {
				wantTotal = r["released_"+col]
				continue
			}
			n, err := strconv.Atoi(r["raw_"+col])
			if err != nil {
				t.Fatal(err)
			}
			counts = append(counts, n)
			want = append(want, r["released_"+col])
		}
		cells, total, err := SDC{}.ReleaseColumn(counts)
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range cells {
			if got := c.String(); got != want[i] {
				t.Errorf("%s row %d (raw %d): got %s, want %s", col, i, counts[i], got, want[i])
			}
		}
		if got := strconv.Itoa(total); got != wantTotal {
			t.Errorf("%s total: got %s, want %s", col, got, wantTotal)
		}
	}
}

// TestMidpoint6 checks every value of each published range.
func TestMidpoint6(t *testing.T) {
	for _, r := range readCSV(t, "opensafely_midpoint6.csv") {
		lo, _ := strconv.Atoi(r["true_value_min"])
		hi, _ := strconv.Atoi(r["true_value_max"])
		want, _ := strconv.Atoi(r["midpoint6_value"])
		for n := lo; n <= hi; n++ {
			got, err := Midpoint6(n)
			if err != nil || got != want {
				t.Errorf("Midpoint6(%d) = %d, %v; want %d", n, got, err, want)
			}
		}
	}
}

func TestSDCEdges(t *testing.T) {
	tests := []struct {
		n        int
		want     string
		wantFail bool
	}{
		{0, RedactedText, false},
		{7, RedactedText, false},
		{8, "10", false},
		{12, "10", false},
		{13, "15", false},
		{1002, "1000", false},
		{-1, "", true},
	}
	for _, tt := range tests {
		c, err := SDC{}.Release(tt.n)
		if (err != nil) != tt.wantFail {
			t.Fatalf("Release(%d) error = %v", tt.n, err)
		}
		if err == nil && c.String() != tt.want {
			t.Errorf("Release(%d) = %s, want %s", tt.n, c, tt.want)
		}
	}
	if _, err := MidpointRound(3, 0); err == nil {
		t.Error("MidpointRound(3, 0): want error")
	}
	if _, err := Midpoint6(-2); err == nil {
		t.Error("Midpoint6(-2): want error")
	}
}
