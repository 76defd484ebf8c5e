package sqlstore

import (
	"errors"
	"fmt"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/search"
)

// Terminology is what the engine needs to answer the token modifiers
// :in, :not-in, :above and :below: each is rewritten into an OR of codes
// that the token index already answers (docs/terminology.md). The
// implementation (internal/terminology behind an adapter) is optional; the
// engine does not import it.
type Terminology interface {
	// EachValueSetCode calls fn with every system|code of a value set
	// (:in, :not-in). Plain types, so that fakes need not import this package.
	EachValueSetCode(valueSetURL string, fn func(system, code string)) error
	// Descendants returns code and the codes below it (:below).
	Descendants(system, code string) ([]string, error)
	// Ancestors returns code and the codes above it (:above).
	Ancestors(system, code string) ([]string, error)
}

// isTerminologyModifier reports the token modifiers that need Terminology.
func isTerminologyModifier(mod string) bool {
	switch mod {
	case "in", "not-in", "above", "below":
		return true
	}
	return false
}

// expandToken rewrites a token clause with a terminology modifier into a
// plain token clause over the codes it stands for; negate is set for
// :not-in. An empty expansion leaves no values: nothing matches (:in) or
// everything does (:not-in).
func (p *planner) expandToken(c *search.Clause) (out *search.Clause, negate bool, err error) {
	t := p.e.opts.Terminology
	if t == nil {
		return nil, false, unsupported("modifier :%s is not supported on token parameter %s (no terminology service)", c.Modifier, c.Param)
	}
	x := *c
	x.Modifier = ""
	x.Values = nil
	for i := range c.Values {
		v := &c.Values[i]
		switch c.Modifier {
		case "in", "not-in":
			url := v.Raw
			if url == "" {
				return nil, false, fhir.Errorf(fhir.KindInvalid, "%s:%s needs a value set URL", c.Param, c.Modifier)
			}
			err := t.EachValueSetCode(url, func(system, code string) {
				x.Values = append(x.Values, tokenValue(system, code))
			})
			if err != nil {
				return nil, false, termError(c, url, err)
			}
		case "above", "below":
			if v.Code == "" {
				return nil, false, fhir.Errorf(fhir.KindInvalid, "%s:%s needs system|code", c.Param, c.Modifier)
			}
			f := t.Descendants
			if c.Modifier == "above" {
				f = t.Ancestors
			}
			codes, err := f(v.System, v.Code)
			if err != nil {
				return nil, false, termError(c, v.Raw, err)
			}
			for _, code := range codes {
				x.Values = append(x.Values, tokenValue(v.System, code))
			}
		}
	}
	return &x, c.Modifier == "not-in", nil
}

func tokenValue(system, code string) search.Value {
	if system == "" {
		return search.Value{Raw: code, Code: code}
	}
	return search.Value{Raw: system + "|" + code, HasSystem: true, System: system, Code: code}
}

// termError makes an unknown value set or code a client error (400, not the
// terminology's 404: the search itself exists).
func termError(c *search.Clause, value string, err error) error {
	msg := fmt.Sprintf("%s:%s=%s: cannot expand (không mở rộng được)", c.Param, c.Modifier, value)
	var fe *fhir.Error
	if errors.As(err, &fe) && fe.Kind != fhir.KindNotFound && fe.Kind != fhir.KindInvalid {
		return fmt.Errorf("%s: %w", msg, err)
	}
	return &fhir.Error{Kind: fhir.KindInvalid, Msg: msg, Err: err}
}
