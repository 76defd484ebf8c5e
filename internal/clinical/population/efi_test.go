package population

import (
	"slices"
	"strconv"
	"testing"
)

// TestEFIDeficitList checks the 36 deficits against Clegg's list.
func TestEFIDeficitList(t *testing.T) {
	rows := readCSV(t, "efi_deficits.csv")
	got := NewEFI().Deficits()
	if len(got) != 36 || len(rows) != 36 {
		t.Fatalf("got %d deficits, table %d; want 36", len(got), len(rows))
	}
	for i, r := range rows {
		d := got[i]
		if strconv.Itoa(d.N) != r["n"] || d.Short != r["short_code"] || d.Name != r["deficit"] {
			t.Errorf("deficit %d: got %d %s %q, want %s %s %q", i+1, d.N, d.Short, d.Name, r["n"], r["short_code"], r["deficit"])
		}
		if d.Short != "POLYPH" && len(d.ICD10) == 0 && len(d.SNOMED) == 0 && d.Lab == nil {
			t.Errorf("deficit %s has no mapping", d.Short)
		}
		if d.NameVI == "" {
			t.Errorf("deficit %s has no Vietnamese name", d.Short)
		}
	}
}

// TestFrailtyCategories checks every deficit count 0..36 against the
// published cut points, both as index ranges and as count ranges.
func TestFrailtyCategories(t *testing.T) {
	rows := readCSV(t, "efi_categories.csv")
	for n := 0; n <= 36; n++ {
		got := FrailtyCategory(n)
		var want string
		for _, r := range rows {
			lo, _ := strconv.Atoi(r["deficits_min"])
			hi, _ := strconv.Atoi(r["deficits_max"])
			if n >= lo && n <= hi {
				want = r["category"]
			}
			upper, _ := strconv.ParseFloat(r["efi_upper_inclusive"], 64)
			lower, _ := strconv.ParseFloat(r["efi_lower_exclusive"], 64) // "" → 0
			idx := float64(n) / 36
			if got == r["category"] && (idx > upper+1e-12 || (r["efi_lower_exclusive"] != "" && idx <= lower+1e-12)) {
				t.Errorf("%d deficits (eFI %.4f) classified %s outside (%s, %s]", n, idx, got, r["efi_lower_exclusive"], r["efi_upper_inclusive"])
			}
		}
		if got != want {
			t.Errorf("FrailtyCategory(%d) = %s, want %s", n, got, want)
		}
	}
}

func TestEFIScore(t *testing.T) {
	e := NewEFI()
	icd := func(codes ...string) []Code {
		var out []Code
		for _, c := range codes {
			out = append(out, Code{SystemICD10, c})
		}
		return out
	}
	tests := []struct {
		name string
		in   EFIInput
		want []string
		cat  string
	}{
		{"nothing", EFIInput{}, nil, FrailtyFit},
		{"hypertension + diabetes", EFIInput{Codes: icd("I10", "E11.9")}, []string{"DIAB", "HYPT"}, FrailtyFit},
		{"same deficit twice", EFIInput{Codes: icd("I10", "I11.9")}, []string{"HYPT"}, FrailtyFit},
		{"incontinence is not urinary disease", EFIInput{Codes: icd("N39.4")}, []string{"URIINC"}, FrailtyFit},
		{"UTI is urinary disease", EFIInput{Codes: icd("N39.0")}, []string{"IURID"}, FrailtyFit},
		{"polypharmacy at 5", EFIInput{Medicines: 5}, []string{"POLYPH"}, FrailtyFit},
		{"4 medicines is not", EFIInput{Medicines: 4}, nil, FrailtyFit},
		{"eGFR 45 is CKD", EFIInput{Measurements: []Measurement{{"33914-3", 45}}}, []string{"CKD"}, FrailtyFit},
		{"haemoglobin by sex", EFIInput{Sex: "male", Measurements: []Measurement{{"718-7", 12.5}}}, []string{"ANHAEM"}, FrailtyFit},
		{"haemoglobin 12.5 g/dL in a woman is normal", EFIInput{Sex: "female", Measurements: []Measurement{{"718-7", 12.5}}}, nil, FrailtyFit},
		{"housebound by SNOMED", EFIInput{Codes: []Code{{SystemSNOMED, "160689007"}}}, []string{"HOUSEB"}, FrailtyFit},
		{"mild (5 deficits)", EFIInput{Codes: icd("I10", "E11.9", "I48.0", "H90.3", "M81.0")},
			[]string{"ATFIB", "DIAB", "HIMP", "HYPT", "OSTEO"}, FrailtyMild},
		{"moderate (9 deficits)", EFIInput{Medicines: 6, Codes: icd("I10", "E11.9", "I48.0", "H90.3", "M81.0", "I50.0", "F03", "R26.8")},
			[]string{"ATFIB", "DIAB", "HIMP", "HFAIL", "HYPT", "MEMCOG", "MOB", "OSTEO", "POLYPH"}, FrailtyModerate},
		{"severe (13 deficits)", EFIInput{Medicines: 10, Codes: icd("I10", "E11.9", "I48.0", "H90.3", "M81.0", "I50.0", "F03", "R26.8", "W19", "R32", "L89.1", "G47.0")},
			[]string{"ATFIB", "DIAB", "FALL", "HIMP", "HFAIL", "HYPT", "MEMCOG", "MOB", "OSTEO", "POLYPH", "SKULC", "SLPDIS", "URIINC"}, FrailtySevere},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.Score(tt.in)
			if !slices.Equal(got.Deficits, tt.want) || got.Category != tt.cat {
				t.Errorf("got %v %s (%.3f), want %v %s", got.Deficits, got.Category, got.Score, tt.want, tt.cat)
			}
			if want := float64(len(tt.want)) / 36; got.Score != want {
				t.Errorf("score %v, want %v", got.Score, want)
			}
		})
	}
}
