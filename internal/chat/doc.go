// Package chat understands patients' free-text replies to medication
// reminders, Vietnamese first: "đã uống", "da uong thuoc sang", "quên uống
// tối qua", "hết thuốc", "bị chóng mặt", menu replies "1"/"2", teen-code
// ("k", "ko", "dc", "r") and English ("took it", "forgot", "dizzy").
//
// Parse normalises a message (diacritics folded with vn.Fold, common
// abbreviations expanded) and returns an intent (taken, missed, ran-out,
// side-effect, question, help, stop, unknown) with entities: time of day,
// day offset (today, yesterday), a medicine fuzzy-matched against the
// patient's own medicines, and a symptom. Result.Resources maps the intent
// to the FHIR resources to record (MedicationAdministration, Communication,
// a refill Task) and Reply gives a kind answer in Vietnamese and English;
// the care team's Flag and Task for side effects and repeated missed
// doses are raised from those records by internal/clinical/alert. Rules,
// not a model: every decision can be read in intent.go.
//
// The package is pure (no I/O, no package state). It imports internal/vn
// for folding and must not import the store, REST or any backend. An LLM
// back end, if ever added, goes behind an interface here and never
// receives identifiers.
package chat
