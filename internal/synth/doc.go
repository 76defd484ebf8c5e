// Package synth generates a synthetic Vietnamese population as FHIR R4
// resources: households of patients with Vietnamese names, CCCD/BHYT
// identifiers and two-level (province, commune) addresses; the care system
// (central, provincial and regional hospitals, commune health stations,
// practitioners, community health workers); and clinical life courses for
// ten chronic and infectious conditions driven by published Vietnamese
// prevalences, with encounters, observations, prescriptions, dispensing,
// and dose-taking confirmations shaped by a per-patient adherence profile.
//
// Every rate it uses is cited in docs/synthetic-population.md. Output is
// deterministic: the same Config gives byte-identical resources and
// bundles, which makes the data usable as a test fixture and lets models
// be evaluated against GroundTruth.
//
// The package owns the generator only. It must not import the store, REST,
// search or any other server package: callers (cmd/sen demo, tests) load
// what it emits. It may import internal/vn for administrative units and
// identifier conventions. All resources carry the meta.security label
// HTEST so that they can never be mistaken for real patient data.
package synth
