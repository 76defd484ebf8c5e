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
// Classifier adds an optional language model (IntentModel; OpenAI is an
// OpenAI-compatible chat-completions client) as a second opinion, merged
// with the rules as its doc says; with no model, or a model that fails,
// the rules decide. A model only sees Scrub's output: phone, CCCD, BHYT
// and other long numbers, e-mail addresses, dates and birth years, known
// identifiers and the patient's names become placeholders. Evaluate
// scores rules, model and merge on a labelled set (`sen chat eval`).
//
// Messages arrive by the patient app's chat, an SMS gateway's callback or
// the Zalo OA webhook (inbound.go): CleanText is what is kept of a
// message, Turn the two Communications that keep an exchange, and
// VerifySMS, ParseSMS and VerifyZalo check and read the webhooks (the
// server in cmd/sen finds the patient and records through
// internal/clinical/alert).
//
// Parse and Scrub are pure; only OpenAI does I/O (HTTP to the configured
// endpoint). The package holds no package state, imports internal/vn for
// folding and must not import the store, REST or any backend.
package chat
