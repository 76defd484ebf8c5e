package ucum

import (
	"errors"
	"math"
	"testing"
)

func TestCanonical(t *testing.T) {
	tests := []struct {
		value    float64
		unit     string
		want     float64
		wantUnit string
	}{
		{5.4, "mg", 0.0054, "g"},
		{5400, "ug", 0.0054, "g"},
		{5400, "µg", 0.0054, "g"},
		{1, "L", 0.001, "m3"},
		{1000, "mL", 0.001, "m3"},
		{1, "[lb_av]", 453.59237, "g"},
		{1, "[in_i]", 0.0254, "m"},
		{100, "%", 1, "1"},
		{72, "/min", 1.2, "s-1"},
		{1, "mg/dL", 10, "g.m-3"},
		{1, "g/L", 1000, "g.m-3"},
		{5, "mmol/L", 5 * 6.0221367e23, "m-3"},
		{22.5, "kg/m2", 22500, "g.m-2"},
		{90, "mL/min/{1.73_m2}", 1.5e-6, "m3.s-1"},
		{120, "mm[Hg]", 1.599864e7, "g.m-1.s-2"},
		{4.5, "10*3/uL", 4.5e12, "m-3"},
		{37, "Cel", 310.15, "K"},
		{98.6, "[degF]", 310.15, "K"},
		{1, "", 1, "1"},
		{3, "{score}", 3, "1"},
		{2, "h", 7200, "s"},
		{1, "d", 86400, "s"},
		{1, "kPa", 1e6, "g.m-1.s-2"},
		{1, "[IU]", 1, "[iU]"},
		{1000, "m[IU]/mL", 1e6, "m-3.[iU]"},
		{1, "cm2", 1e-4, "m2"},
		{1, "m.s-2", 1, "m.s-2"},
		{1, "(kg.m)/s2", 1000, "g.m.s-2"},
		{1, "dam", 10, "m"},
	}
	for _, tt := range tests {
		t.Run(tt.unit, func(t *testing.T) {
			got, gotUnit, err := Canonical(tt.value, tt.unit)
			if err != nil {
				t.Fatalf("Canonical(%v, %q): %v", tt.value, tt.unit, err)
			}
			if gotUnit != tt.wantUnit || !close(got, tt.want) {
				t.Errorf("Canonical(%v, %q) = %v %q, want %v %q", tt.value, tt.unit, got, gotUnit, tt.want, tt.wantUnit)
			}
		})
	}
}

// TestEquivalent checks the property quantity search relies on: equal
// quantities in different units have the same canonical form.
func TestEquivalent(t *testing.T) {
	pairs := []struct {
		v1 float64
		u1 string
		v2 float64
		u2 string
	}{
		{5.4, "mg", 5400, "ug"},
		{1, "L", 1000, "mL"},
		{1, "kg", 1000, "g"},
		{1, "h", 60, "min"},
		{1, "[ft_i]", 12, "[in_i]"},
		{1, "mg/dL", 10, "mg/L"},
		{1, "10*3/uL", 1, "10*9/L"},
		{0, "Cel", 32, "[degF]"},
	}
	for _, p := range pairs {
		a, au, err := Canonical(p.v1, p.u1)
		if err != nil {
			t.Fatalf("%s: %v", p.u1, err)
		}
		b, bu, err := Canonical(p.v2, p.u2)
		if err != nil {
			t.Fatalf("%s: %v", p.u2, err)
		}
		if au != bu || !close(a, b) {
			t.Errorf("%v %s = %v %s, but %v %s = %v %s", p.v1, p.u1, a, au, p.v2, p.u2, b, bu)
		}
	}
}

func TestCanonicalErrors(t *testing.T) {
	tests := []struct {
		unit string
		want error
	}{
		{"furlong", ErrUnknownUnit},
		{"mg/", ErrSyntax},
		{"(mg", ErrSyntax},
		{"mg{x", ErrSyntax},
		{"[in_i", ErrSyntax},
		{"[pH]", ErrNotCanonical},
		{"dB", ErrNotCanonical},
		{"kCel", ErrNotCanonical},
		{"m..s", ErrSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.unit, func(t *testing.T) {
			_, _, err := Canonical(1, tt.unit)
			if !errors.Is(err, tt.want) {
				t.Errorf("Canonical(1, %q) error = %v, want %v", tt.unit, err, tt.want)
			}
		})
	}
}

// TestTableResolves checks that every unit of the essence either resolves
// or is special: a broken definition would surface here, not at search time.
func TestTableResolves(t *testing.T) {
	tab, err := loadTable()
	if err != nil {
		t.Fatal(err)
	}
	for code, a := range tab.atoms {
		_, _, err := Canonical(1, code)
		if a.special {
			if _, ok := affine[code]; !ok && !errors.Is(err, ErrNotCanonical) {
				t.Errorf("special %s: err = %v, want ErrNotCanonical", code, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("unit %s: %v", code, err)
		}
	}
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"mg/dL", "10*3/uL", "mL/min/{1.73_m2}", "(kg.m)/s2", "[in_i]2", "m-2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, unit string) {
		_, _, _ = Canonical(1, unit) // must not panic or hang
	})
}

func close(a, b float64) bool {
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}
