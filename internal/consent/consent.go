package consent

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Decision is the outcome of evaluating consents for one actor.
type Decision int

const (
	NotApplicable Decision = iota // no active consent speaks about this actor
	Permit
	Deny
)

func (d Decision) String() string {
	switch d {
	case Permit:
		return "permit"
	case Deny:
		return "deny"
	}
	return "not-applicable"
}

// Consent is the part of an R4 Consent resource that sharing decisions
// read (https://hl7.org/fhir/R4/consent.html).
type Consent struct {
	ID        string    `json:"id"`
	Status    string    `json:"status"`
	DateTime  string    `json:"dateTime"`
	Patient   *ref      `json:"patient"`
	Provision provision `json:"provision"`
}

type ref struct {
	Reference string `json:"reference"`
}

type period struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

type provision struct {
	Type   string  `json:"type"` // permit | deny
	Period *period `json:"period"`
	Actor  []struct {
		Reference ref `json:"reference"`
	} `json:"actor"`
	Action []struct {
		Coding []struct {
			Code string `json:"code"`
		} `json:"coding"`
	} `json:"action"`
	Provision []provision `json:"provision"`
}

// Parse decodes a Consent resource body.
func Parse(body []byte) (*Consent, error) {
	var c Consent
	if err := json.Unmarshal(body, &c); err != nil {
		return nil, fmt.Errorf("decode Consent: %w", err)
	}
	return &c, nil
}

// Evaluate decides, from the patient's consents, whether any of actors
// (references such as "Organization/123") may access the record at now.
// Only active consents whose provision period covers now count. Within one
// consent the most specific provision that applies wins (a nested provision
// naming the actor overrides the base rule); across consents the most
// recent one (dateTime) that applies wins.
func Evaluate(consents []*Consent, actors []string, now time.Time) Decision {
	best, bestAt := NotApplicable, ""
	for _, c := range consents {
		if c == nil || c.Status != "active" {
			continue
		}
		d := evalProvision(&c.Provision, actors, now, NotApplicable)
		if d == NotApplicable {
			continue
		}
		if best == NotApplicable || c.DateTime >= bestAt {
			best, bestAt = d, c.DateTime
		}
	}
	return best
}

// evalProvision returns the decision of p for actors, given the decision
// inherited from the enclosing provision.
func evalProvision(p *provision, actors []string, now time.Time, inherited Decision) Decision {
	if !inPeriod(p.Period, now) || !accessAction(p) {
		return inherited
	}
	d := inherited
	if p.Type != "" && (len(p.Actor) == 0 || namesActor(p, actors)) {
		switch p.Type {
		case "permit":
			d = Permit
		case "deny":
			d = Deny
		}
	}
	for i := range p.Provision {
		if nd := evalProvision(&p.Provision[i], actors, now, d); nd != d {
			d = nd
		}
	}
	return d
}

func namesActor(p *provision, actors []string) bool {
	for _, a := range p.Actor {
		for _, want := range actors {
			if a.Reference.Reference == want || strings.HasSuffix(a.Reference.Reference, "/"+want) {
				return true
			}
		}
	}
	return false
}

// accessAction reports whether the provision is about access or disclosure
// (or names no action, which means every action).
func accessAction(p *provision) bool {
	if len(p.Action) == 0 {
		return true
	}
	for _, a := range p.Action {
		for _, c := range a.Coding {
			switch c.Code {
			case "access", "disclose", "use":
				return true
			}
		}
	}
	return false
}

func inPeriod(p *period, now time.Time) bool {
	if p == nil {
		return true
	}
	if p.Start != "" {
		if t, ok := parseFHIRTime(p.Start, false); ok && now.Before(t) {
			return false
		}
	}
	if p.End != "" {
		if t, ok := parseFHIRTime(p.End, true); ok && now.After(t) {
			return false
		}
	}
	return true
}

// parseFHIRTime parses a FHIR date or dateTime; end selects the last
// instant of a partial date (2026 -> end of 2026).
func parseFHIRTime(s string, end bool) (time.Time, bool) {
	layouts := []struct {
		layout string
		step   func(time.Time) time.Time
	}{
		{time.RFC3339Nano, nil},
		{"2006-01-02", func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }},
		{"2006-01", func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }},
		{"2006", func(t time.Time) time.Time { return t.AddDate(1, 0, 0) }},
	}
	for _, l := range layouts {
		t, err := time.Parse(l.layout, s)
		if err != nil {
			continue
		}
		if end && l.step != nil {
			t = l.step(t).Add(-time.Nanosecond)
		}
		return t, true
	}
	return time.Time{}, false
}
