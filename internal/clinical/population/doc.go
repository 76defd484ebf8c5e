// Package population computes Sen's population-health measures: disease
// registries and WHO HEARTS indicators (hypertension and diabetes control,
// follow-up), multimorbidity and polypharmacy counts, the Charlson
// comorbidity index (Quan 2005 ICD-10 coding algorithm, Charlson 1987 and
// Quan 2011 weights), the electronic Frailty Index (Clegg 2016, with Sen's
// documented ICD-10 and observation mapping), WHO 2019 laboratory-based
// cardiovascular risk for the South-East Asia region, dashboards by
// province, commune, age band and sex, and de-identified research extracts
// with statistical disclosure control (OpenSAFELY redact-and-round and
// midpoint-6 rounding, keyed pseudonyms, date shifting, generalised
// places, k-anonymity).
//
// Definitions and sources are written up in docs/population.md; the
// published tables each score reproduces are embedded from data/ and
// tested against their worked examples.
//
// The package reads resources only through its small Source interface
// (satisfied by internal/viewrun's store and file sources), so it must not
// import a storage backend, internal/rest or anything under cmd/. It may
// import internal/vn (administrative units) and internal/clinical/medication
// (PDC). It holds no package state; time arrives as explicit dates.
package population
