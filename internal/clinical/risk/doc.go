// Package risk scores a patient's risk of not taking their medicines as
// prescribed over the next 90 days, and explains the score.
//
// It owns the features (Extract: prior days-covered and its trend, refill
// gaps and lateness, number of medicines and pill burden, regimen
// complexity, side-effect stops, age, sex, multimorbidity, rural commune,
// recent admissions), a logistic-regression model with standardised
// inputs (Train, deterministic Newton–Raphson with a small ridge
// penalty, each step a gonum Cholesky solve), the committed coefficients
// (model.json, embedded; regenerate with `sen model train` or
// `go test ./internal/clinical/risk -run TestTrainModel -update`),
// evaluation (AUC, Brier score, calibration), and the answer as a FHIR
// RiskAssessment whose top contributing factors read in plain Vietnamese
// and English. docs/models/adherence-risk.md is the model card.
//
// Serving needs no training: Default returns the embedded model. The
// package reads FHIR JSON the caller passes in; it must not import the
// store, REST, search or synth packages (tests may use synth to build the
// evaluation population). It may import internal/clinical/medication for
// supply arithmetic.
package risk
