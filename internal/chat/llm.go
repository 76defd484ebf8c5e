package chat

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// An optional language model reads the messages the rules find hard. It
// is a second opinion, never a requirement: with no model, a model that
// fails, times out or answers nonsense, the rules decide alone. The
// model only ever sees Scrub's output.

// IntentModel classifies one scrubbed message. The answer's Intent is
// one of Taken, Missed, RanOut, SideEffect, Question or Unknown (the
// model is not asked about menu replies, help or stop). Implementations
// must honour ctx and be safe for concurrent use.
type IntentModel interface {
	Intent(ctx context.Context, scrubbed string) (ModelAnswer, error)
}

// ModelAnswer is a model's reading of a message.
type ModelAnswer struct {
	Intent  Intent
	Symptom string // free text, for side effects; mapped to a canonical symptom when one matches
}

// Source says who decided a Classified result.
type Source string

// Sources.
const (
	ByRules Source = "rules" // no model configured, or the rules decide this message alone
	ByModel Source = "model" // the model's intent, with the rules' entities
	// ByFallback: a model is configured but its answer was not used (see
	// Classified.Fallback).
	ByFallback Source = "rules-fallback"
)

// Classified is a Result and how it was reached.
type Classified struct {
	Result
	By Source
	// Model is the model's answer when it gave one (also when the merge
	// kept the rules' intent); Fallback says why the model's answer was
	// not used, nil otherwise.
	Model    *ModelAnswer
	Fallback error
}

// ErrModelAbstained is the Fallback of a message the model called
// unknown; ErrModelOverruled that of a model answer that would have
// dropped an escalation the rules found.
var (
	ErrModelAbstained = errors.New("chat: the model did not recognise the message")
	ErrModelOverruled = errors.New("chat: the rules found a side effect or a refill request; the model may not drop it")
)

// DefaultModelTimeout bounds a model call when Classifier.Timeout is 0:
// a patient waiting for an answer to "đã uống" should not wait longer.
const DefaultModelTimeout = 5 * time.Second

// Classifier reads messages with the rules (Parse) and, when Model is
// set, asks the model too and merges the two:
//
//   - menu replies (1, 2, 3, 0), help and stop are the rules' alone: they
//     are commands, and stop changes the patient's consent;
//   - the model's intent is used when it names one, with the rules'
//     entities (time of day, day, medicine) and a canonical symptom;
//   - it is not used when it says unknown, fails, times out or answers
//     outside its vocabulary, nor when the rules found a side effect or
//     an out-of-medicine report and the model says something else: a
//     model may add an escalation, never remove one.
//
// The zero value uses the rules only. A Classifier is safe for
// concurrent use when its Model is.
type Classifier struct {
	Model   IntentModel
	Timeout time.Duration // per model call; 0 means DefaultModelTimeout
}

// Classify reads msg. It never fails: whatever the model does, the
// result is at least the rules' reading. o.Names and o.Identifiers are
// scrubbed from the text the model receives.
func (c Classifier) Classify(ctx context.Context, msg string, o Options) Classified {
	rules := Parse(msg, o)
	if c.Model == nil {
		return Classified{Result: rules, By: ByRules}
	}
	switch rules.Intent {
	case Help, Stop:
		return Classified{Result: rules, By: ByRules}
	}
	switch rules.Normalized {
	case "", "0", "1", "2", "3":
		return Classified{Result: rules, By: ByRules}
	}
	scrubbed := Scrub(msg, ScrubOptions{Names: o.Names, Identifiers: o.Identifiers})
	timeout := c.Timeout
	if timeout <= 0 {
		timeout = DefaultModelTimeout
	}
	mctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ans, err := c.Model.Intent(mctx, scrubbed)
	if err == nil && !modelIntent(ans.Intent) {
		err = fmt.Errorf("chat: model answered intent %q, outside its vocabulary", ans.Intent)
	}
	if err != nil {
		return Classified{Result: rules, By: ByFallback, Fallback: err}
	}
	out := Classified{Result: rules, By: ByFallback, Model: &ans}
	switch {
	case ans.Intent == Unknown:
		out.Fallback = ErrModelAbstained
	case ans.Intent != rules.Intent && (rules.Intent == SideEffect || rules.Intent == RanOut):
		out.Fallback = ErrModelOverruled
	default:
		out.By = ByModel
		out.Intent = ans.Intent
		if ans.Intent != SideEffect {
			break
		}
		if out.Symptom == "" {
			out.Symptom, out.SymptomEN = symptom(" " + normalize(ans.Symptom) + " ")
		}
		if out.Symptom == "" {
			// The model's own words are not copied into the record: the
			// patient's message is kept in the Communication instead.
			out.Symptom, out.SymptomEN = "Tác dụng phụ", "Side effect"
		}
	}
	return out
}

// modelIntent reports whether i is in the model's vocabulary.
func modelIntent(i Intent) bool {
	switch i {
	case Taken, Missed, RanOut, SideEffect, Question, Unknown:
		return true
	}
	return false
}
