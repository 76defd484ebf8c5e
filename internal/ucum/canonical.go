package ucum

import (
	"errors"
	"fmt"
	"strings"
)

// Errors returned (wrapped) by Canonical; test with errors.Is.
var (
	ErrSyntax       = errors.New("ucum: malformed unit expression")
	ErrUnknownUnit  = errors.New("ucum: unknown unit")
	ErrNotCanonical = errors.New("ucum: special unit has no canonical form")
)

// affine are the special units Canonical converts anyway: a temperature
// in them maps to kelvin as (v + offset) × scale.
var affine = map[string]struct{ offset, scale float64 }{
	"Cel":     {273.15, 1},
	"[degF]":  {459.67, 5.0 / 9},
	"[degRe]": {218.52, 5.0 / 4},
}

// Canonical converts value in unit to the canonical UCUM unit (base units:
// m, s, g, rad, K, C, cd, plus arbitrary units as their own dimension).
// The canonical unit code lists base units in that order joined by "." with
// integer exponents ("g.m-3"), or "1" for a dimensionless quantity, so two
// quantities are comparable exactly when their canonical codes are equal:
//
//	Canonical(5.4, "mg")   = 0.0054, "g"
//	Canonical(1, "[lb_av]") = 453.59237, "g"
//	Canonical(37, "Cel")   = 310.15, "K"
//
// The empty unit is dimensionless ("1"). Errors wrap ErrSyntax,
// ErrUnknownUnit or ErrNotCanonical. Safe for concurrent use.
func Canonical(value float64, unit string) (float64, string, error) {
	t, err := loadTable()
	if err != nil {
		return 0, "", err
	}
	unit = strings.TrimSpace(unit)
	if strings.ContainsAny(unit, "\u00b5\u03bc") {
		// The micro sign is not UCUM, but it is what people type for "u".
		unit = strings.ReplaceAll(strings.ReplaceAll(unit, "\u00b5", "u"), "\u03bc", "u")
	}
	if unit == "" {
		return value, "1", nil
	}
	if a, ok := affine[unit]; ok {
		return (value + a.offset) * a.scale, "K", nil
	}
	if len(unit) > 256 {
		return 0, "", fmt.Errorf("%w: unit longer than 256 characters", ErrSyntax)
	}
	if d, ok := t.resolved[unit]; ok && !d.special {
		return value * d.factor, d.code(), nil // a plain atom: kg, mL is not one, L is
	}
	d, err := t.parse(unit, 0)
	if err != nil {
		return 0, "", err
	}
	if d.special {
		return 0, "", fmt.Errorf("%w: %q", ErrNotCanonical, unit)
	}
	return value * d.factor, d.code(), nil
}

// Valid reports whether unit is a UCUM expression Canonical can convert.
func Valid(unit string) bool {
	_, _, err := Canonical(1, unit)
	return err == nil
}
