package web

import (
	"encoding/json"

	"github.com/sen-emr/sen/internal/i18n"
)

// Coded values the apps show in the reader's language. Resources store a
// display text in one language (the synthetic population and most
// Vietnamese systems write Vietnamese: "lần/phút", "Khám chẩn đoán"); the
// codes beside it are language-neutral, so the label comes from the
// catalog by code and the stored text is only the fallback for codes the
// catalog does not know.

const (
	systemUCUM          = "http://unitsofmeasure.org"
	systemEncounterType = "https://sen-emr.github.io/fhir/CodeSystem/encounter-type"
	systemActCode       = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
)

// unitLabel returns the unit of a quantity in loc's language: the catalog's
// "ucum.<code>" message when the UCUM code is known, else the stored unit.
func unitLabel(loc *i18n.Localizer, q quantity) string {
	if q.Code != "" && (q.System == "" || q.System == systemUCUM) {
		if id := "ucum." + q.Code; loc.Has(id) {
			return loc.T(id, nil)
		}
	}
	if q.Unit != "" {
		return q.Unit
	}
	return q.Code
}

// encounterLabel names the kind of visit: its type when the catalog knows
// the code, else the stored type text, else the class.
func encounterLabel(loc *i18n.Localizer, types []concept, class coding) string {
	for _, t := range types {
		for _, c := range t.Coding {
			if c.System == systemEncounterType && c.Code != "" {
				if id := "enctype." + c.Code; loc.Has(id) {
					return loc.T(id, nil)
				}
			}
		}
	}
	for _, t := range types {
		if l := t.label(); l != "" {
			return l
		}
	}
	if class.Code != "" {
		if id := "encclass." + class.Code; (class.System == "" || class.System == systemActCode) && loc.Has(id) {
			return loc.T(id, nil)
		}
		if class.Display != "" {
			return class.Display
		}
	}
	return class.Code
}

// doseUnitLabel returns the dose unit of a prescription's first dosage in
// loc's language (UCUM code "{tbl}" → "viên" / "tablet(s)"), else stored.
func doseUnitLabel(loc *i18n.Localizer, dosage json.RawMessage, stored string) string {
	var ds []struct {
		DoseAndRate []struct {
			DoseQuantity *quantity `json:"doseQuantity"`
		} `json:"doseAndRate"`
	}
	if json.Unmarshal(dosage, &ds) != nil {
		return stored
	}
	for _, d := range ds {
		for _, dr := range d.DoseAndRate {
			if q := dr.DoseQuantity; q != nil && q.Code != "" {
				if q.Unit == "" {
					q.Unit = stored
				}
				return unitLabel(loc, *q)
			}
		}
	}
	return stored
}
