package ucum

import (
	"bytes"
	_ "embed"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"sync"
)

//go:embed data/ucum-essence.xml
var essenceXML []byte

// xmlRoot mirrors the parts of ucum-essence.xml the converter needs.
type xmlRoot struct {
	Prefixes  []xmlPrefix `xml:"prefix"`
	BaseUnits []xmlBase   `xml:"base-unit"`
	Units     []xmlUnit   `xml:"unit"`
}

type xmlPrefix struct {
	Code  string `xml:"Code,attr"`
	Value struct {
		Value string `xml:"value,attr"`
	} `xml:"value"`
}

type xmlBase struct {
	Code string `xml:"Code,attr"`
}

type xmlUnit struct {
	Code      string `xml:"Code,attr"`
	Metric    string `xml:"isMetric,attr"`
	Special   string `xml:"isSpecial,attr"`
	Arbitrary string `xml:"isArbitrary,attr"`
	Value     struct {
		Unit     string `xml:"Unit,attr"`
		Value    string `xml:"value,attr"`
		Function *struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
			Unit  string `xml:"Unit,attr"`
		} `xml:"function"`
	} `xml:"value"`
}

// atom is one unit symbol of the table.
type atom struct {
	code      string
	metric    bool // may take a prefix
	special   bool // non-ratio scale (Cel, pH, ...)
	arbitrary bool
	defUnit   string  // definition in terms of other units
	defValue  float64 // magnitude of the definition
	fnName    string  // special units: conversion function
	fnValue   float64 // special units: scale of the function's unit
	fnUnit    string
}

// table is the parsed, immutable UCUM essence.
type table struct {
	prefixes map[string]float64
	base     map[string]bool
	atoms    map[string]*atom
	// maxPrefix is the length of the longest prefix code ("da").
	maxPrefix int

	// resolved caches the canonical form of every atom, filled while
	// loading so the table is read-only afterwards.
	resolved map[string]dims
}

// loadTable parses the embedded essence once; the result is never mutated
// afterwards, so concurrent readers need no locking.
var loadTable = sync.OnceValues(func() (*table, error) { return parseTable(essenceXML) })

func parseTable(data []byte) (*table, error) {
	var root xmlRoot
	dec := xml.NewDecoder(bytes.NewReader(data))
	// The essence declares encoding="ascii", which is a subset of UTF-8.
	dec.CharsetReader = func(_ string, r io.Reader) (io.Reader, error) { return r, nil }
	if err := dec.Decode(&root); err != nil {
		return nil, fmt.Errorf("ucum: parse essence: %w", err)
	}
	t := &table{
		prefixes: make(map[string]float64, len(root.Prefixes)),
		base:     make(map[string]bool, len(root.BaseUnits)),
		atoms:    make(map[string]*atom, len(root.Units)),
		resolved: make(map[string]dims, len(root.Units)+len(root.BaseUnits)),
	}
	for _, p := range root.Prefixes {
		v, err := strconv.ParseFloat(p.Value.Value, 64)
		if err != nil {
			return nil, fmt.Errorf("ucum: prefix %s value %q: %w", p.Code, p.Value.Value, err)
		}
		t.prefixes[p.Code] = v
		t.maxPrefix = max(t.maxPrefix, len(p.Code))
	}
	for _, b := range root.BaseUnits {
		t.base[b.Code] = true
		t.resolved[b.Code] = dims{factor: 1, exp: map[string]int{b.Code: 1}}
	}
	for _, u := range root.Units {
		a := &atom{
			code:      u.Code,
			metric:    u.Metric == "yes",
			special:   u.Special == "yes",
			arbitrary: u.Arbitrary == "yes",
			defUnit:   u.Value.Unit,
		}
		if u.Value.Function != nil {
			a.fnName = u.Value.Function.Name
			a.fnUnit = u.Value.Function.Unit
			if v, err := strconv.ParseFloat(u.Value.Function.Value, 64); err == nil {
				a.fnValue = v
			}
		} else {
			v, err := strconv.ParseFloat(u.Value.Value, 64)
			if err != nil {
				return nil, fmt.Errorf("ucum: unit %s value %q: %w", u.Code, u.Value.Value, err)
			}
			a.defValue = v
		}
		t.atoms[u.Code] = a
	}
	// Resolve every ratio unit now: definitions only refer to units of the
	// table, and doing it eagerly keeps the table immutable after loading.
	for code := range t.atoms {
		if _, err := t.resolveAtom(code, 0); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// resolveAtom returns the canonical form of one atom (without prefix).
func (t *table) resolveAtom(code string, depth int) (dims, error) {
	if d, ok := t.resolved[code]; ok {
		return d, nil
	}
	if depth > 32 {
		return dims{}, fmt.Errorf("ucum: unit %s: definition too deep", code)
	}
	a, ok := t.atoms[code]
	if !ok {
		return dims{}, fmt.Errorf("%w: %q", ErrUnknownUnit, code)
	}
	var d dims
	switch {
	case a.arbitrary:
		// Arbitrary units are incommensurable with everything but
		// themselves; [IU] is defined as [iU], so follow such aliases.
		root := code
		if b, ok := t.atoms[a.defUnit]; ok && b.arbitrary && a.defValue == 1 {
			root = b.code
		}
		d = dims{factor: 1, exp: map[string]int{root: 1}}
	case a.special:
		// Special units have no ratio canonical form; record the unit they
		// scale so that Canonical can treat the known affine ones.
		d = dims{special: true}
	default:
		sub, err := t.parse(a.defUnit, depth+1)
		if err != nil {
			return dims{}, fmt.Errorf("ucum: unit %s defined as %q: %w", code, a.defUnit, err)
		}
		d = sub.scale(a.defValue)
	}
	t.resolved[code] = d
	return d, nil
}
