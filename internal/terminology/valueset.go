package terminology

import (
	"slices"
	"strings"
)

// ValueSet is a value set Sen can expand and test membership in: the
// value sets defined here, the enumerable R4 core value sets, and the
// implicit value sets of the code systems ("<system>?fhir_vs",
// "<system>?fhir_vs=isa/<code>"). Read-only.
type ValueSet struct {
	URL         string
	ID          string // resource id under /fhir/ValueSet/; "" for implicit and R4 core sets
	Name        string
	Title       string
	Version     string
	Description string
	Include     []Include
}

// Include is one ValueSet.compose.include: the codes of System that are
// listed in Codes, or that pass every filter in Filters, or all its codes
// when both are empty.
type Include struct {
	System  string
	Codes   []IncludedCode
	Filters []Filter
}

// IncludedCode is an enumerated code, with the display the value set
// gives it (R4 core value sets over systems Sen does not hold).
type IncludedCode struct {
	Code, Display string
}

// Filter is a ValueSet.compose.include.filter. Supported: property
// "concept" with op "is-a" (the code and its descendants) or
// "descendent-of" (descendants only), and any concept property with op "=".
type Filter struct {
	Property, Op, Value string
}

// allOf returns an include of every code of system.
func allOf(system string) Include { return Include{System: system} }

// isA returns an include of the given codes and their descendants.
func isA(system string, codes ...string) []Include {
	out := make([]Include, len(codes))
	for i, c := range codes {
		out[i] = Include{System: system, Filters: []Filter{{Property: "concept", Op: "is-a", Value: c}}}
	}
	return out
}

// senValueSets are the value sets Sen defines over its code systems.
func senValueSets() []*ValueSet {
	vs := func(id, name, title, desc string, inc ...Include) *ValueSet {
		return &ValueSet{URL: CanonicalBase + "/ValueSet/" + id, ID: id, Name: name, Title: title,
			Version: "1", Description: desc, Include: inc}
	}
	return []*ValueSet{
		vs("icd-10-vn", "ICD10VNAll", "Mã ICD-10 (tất cả) / All ICD-10 codes",
			"Every codable ICD-10 category and subcategory Sen ships (chapters and blocks excluded).", allOf(SystemICD10)),
		vs("chronic-conditions", "ChronicConditions", "Bệnh mạn tính / Chronic conditions",
			"Chronic non-communicable diseases and chronic infections managed in Vietnamese primary care (hypertension, diabetes, dyslipidaemia, cardiovascular and cerebrovascular sequelae, CKD, COPD and asthma, dementia, depression and anxiety, epilepsy, Parkinson disease, thyroid disease, chronic hepatitis B and C, HIV, gout, osteoarthritis, osteoporosis).",
			isA(SystemICD10, "I10-I15", "E10-E14", "E78", "E66", "E03", "E05", "I20-I25", "I48", "I50", "I69",
				"J44", "J45", "J47", "N18", "F00", "F01", "F03", "F20", "F32", "F33", "F41", "G20", "G30", "G40",
				"B18", "B20-B24", "K74", "M10", "M15-M19", "M81", "N40")...),
		vs("hypertension", "Hypertension", "Tăng huyết áp / Hypertensive diseases",
			"ICD-10 block I10-I15 (for the WHO HEARTS indicators).", isA(SystemICD10, "I10-I15")...),
		vs("diabetes", "Diabetes", "Đái tháo đường / Diabetes mellitus",
			"ICD-10 block E10-E14.", isA(SystemICD10, "E10-E14")...),
		vs("tuberculosis", "Tuberculosis", "Bệnh lao / Tuberculosis",
			"ICD-10 block A15-A19.", isA(SystemICD10, "A15-A19")...),
		vs("atc-vn", "ATCVNAll", "Thuốc theo mã ATC (tất cả) / All ATC codes",
			"Every ATC code Sen ships, groups and substances.", allOf(SystemATC)),
		vs("antihypertensives", "Antihypertensives", "Thuốc điều trị tăng huyết áp / Antihypertensives",
			"ATC groups C03 (diuretics), C07, C08 and C09.", isA(SystemATC, "C03", "C07", "C08", "C09")...),
		vs("antidiabetics", "Antidiabetics", "Thuốc điều trị đái tháo đường / Drugs used in diabetes",
			"ATC group A10.", isA(SystemATC, "A10")...),
		vs("tuberculosis-medicines", "TuberculosisMedicines", "Thuốc điều trị lao / Drugs for treatment of tuberculosis",
			"ATC group J04A.", isA(SystemATC, "J04A")...),
		vs("loinc-vn", "LOINCVNAll", "Mã LOINC (tất cả) / All LOINC codes", "Every LOINC code Sen ships.", allOf(SystemLOINC)),
		vs("vital-signs", "VitalSigns", "Dấu hiệu sinh tồn / Vital signs",
			"LOINC codes of vital signs and body measurements.",
			Include{System: SystemLOINC, Filters: []Filter{{Property: "category", Op: "=", Value: "vital-signs"}}}),
		vs("laboratory", "Laboratory", "Xét nghiệm / Laboratory tests",
			"LOINC codes of common laboratory tests.",
			Include{System: SystemLOINC, Filters: []Filter{{Property: "category", Op: "=", Value: "laboratory"}}}),
	}
}

// implicitValueSet parses the implicit value set URLs of a code system
// (https://hl7.org/fhir/R4/codesystem.html#implicit-vs... as used by SNOMED
// and LOINC): "<system>?fhir_vs" is every code, "<system>?fhir_vs=isa/<c>"
// is c and its descendants.
func implicitValueSet(url string, cs func(string) *CodeSystem) *ValueSet {
	base, query, ok := strings.Cut(url, "?")
	if !ok {
		return nil
	}
	sys := cs(base)
	if sys == nil {
		return nil
	}
	switch {
	case query == "fhir_vs":
		return &ValueSet{URL: url, Name: sys.Name + "All", Title: sys.Title, Include: []Include{allOf(base)}}
	case strings.HasPrefix(query, "fhir_vs=isa/"):
		code := strings.TrimPrefix(query, "fhir_vs=isa/")
		if code == "" {
			return nil
		}
		return &ValueSet{URL: url, Name: sys.Name + "IsA", Title: sys.Title + " is-a " + code, Include: isA(base, code)}
	}
	return nil
}

// matches reports whether concept c of code system cs passes the
// include's codes or filters.
func (inc *Include) matches(cs *CodeSystem, c *Concept) bool {
	if c.Abstract {
		return false
	}
	if len(inc.Codes) > 0 {
		return slices.ContainsFunc(inc.Codes, func(ic IncludedCode) bool { return ic.Code == c.Code })
	}
	for _, f := range inc.Filters {
		if !f.matches(cs, c) {
			return false
		}
	}
	return true
}

func (f *Filter) matches(cs *CodeSystem, c *Concept) bool {
	switch {
	case f.Property == "concept" && f.Op == "is-a":
		a := cs.Concept(f.Value)
		return a != nil && c.isA(a)
	case f.Property == "concept" && f.Op == "descendent-of":
		a := cs.Concept(f.Value)
		return a != nil && a != c && c.isA(a)
	case f.Op == "=":
		return c.Property(f.Property) == f.Value
	}
	return false
}

// candidates returns the concepts an include may contain, in code-system
// order, or nil when the include enumerates codes.
func (inc *Include) candidates(cs *CodeSystem) []*Concept {
	if len(inc.Filters) == 1 && inc.Filters[0].Property == "concept" {
		// A hierarchy filter needs only the subtree, not the whole system.
		root := cs.Concept(inc.Filters[0].Value)
		if root == nil {
			return nil
		}
		var out []*Concept
		root.walk(func(c *Concept) { out = append(out, c) })
		return out
	}
	return cs.Concepts()
}
