package subscription

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/sen-emr/sen/internal/fhir"
)

// Subscription is the part of an R4 Subscription that delivery needs.
type Subscription struct {
	ID       string
	Status   string // requested | active | error | off
	Criteria string // e.g. "Task?owner=Organization/tram-1&status=requested"
	End      time.Time
	Endpoint string
	Payload  string   // "" (notification only) or application/fhir+json
	Headers  []string // "Name: value"
}

// CriteriaType is the resource type the criteria select ("Task" of
// "Task?status=requested").
func (s Subscription) CriteriaType() string {
	typ, _, _ := strings.Cut(s.Criteria, "?")
	return typ
}

// CriteriaParams are the criteria's search parameters.
func (s Subscription) CriteriaParams() (url.Values, error) {
	_, q, _ := strings.Cut(s.Criteria, "?")
	v, err := url.ParseQuery(q)
	if err != nil {
		return nil, fhir.Errorf(fhir.KindInvalid, "tiêu chí không hợp lệ / Subscription.criteria %q is not a search query: %v", s.Criteria, err).At("Subscription.criteria")
	}
	return v, nil
}

type subscriptionJSON struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Status       string `json:"status"`
	Criteria     string `json:"criteria"`
	End          string `json:"end"`
	Channel      struct {
		Type     string   `json:"type"`
		Endpoint string   `json:"endpoint"`
		Payload  string   `json:"payload"`
		Header   []string `json:"header"`
	} `json:"channel"`
}

// Parse reads a Subscription body. It fails with KindInvalid when the body
// is not a Subscription.
func Parse(body []byte) (Subscription, error) {
	var j subscriptionJSON
	if err := json.Unmarshal(body, &j); err != nil {
		return Subscription{}, fhir.Errorf(fhir.KindInvalid, "Subscription is not valid JSON: %v", err)
	}
	if j.ResourceType != "Subscription" {
		return Subscription{}, fhir.Errorf(fhir.KindInvalid, "not a Subscription: resourceType %q", j.ResourceType)
	}
	s := Subscription{ID: j.ID, Status: j.Status, Criteria: strings.TrimSpace(j.Criteria),
		Endpoint: j.Channel.Endpoint, Payload: j.Channel.Payload, Headers: j.Channel.Header}
	if j.End != "" {
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", time.DateOnly} {
			if t, err := time.Parse(layout, j.End); err == nil {
				s.End = t
				break
			}
		}
	}
	if j.Channel.Type != "rest-hook" {
		return s, fhir.Errorf(fhir.KindUnprocessable,
			"Sen chỉ hỗ trợ kênh rest-hook / only the rest-hook channel is supported, not %q", j.Channel.Type).At("Subscription.channel.type")
	}
	return s, nil
}

// Check reports what makes s undeliverable: an endpoint that is not an
// absolute http(s) URL, a payload other than FHIR JSON, a malformed
// header, or criteria without a resource type. knownType says whether a
// name is a resource type. Whether the criteria parse as a search is
// checked by the caller, which has the search parameters.
func (s Subscription) Check(knownType func(string) bool) error {
	u, err := url.Parse(s.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fhir.Errorf(fhir.KindUnprocessable,
			"địa chỉ nhận phải là URL http(s) / channel.endpoint must be an absolute http(s) URL, got %q", s.Endpoint).At("Subscription.channel.endpoint")
	}
	switch s.Payload {
	case "", "application/fhir+json", "application/json":
	default:
		return fhir.Errorf(fhir.KindUnprocessable,
			"payload %q is not supported: leave it empty (notification only) or use application/fhir+json", s.Payload).At("Subscription.channel.payload")
	}
	for _, h := range s.Headers {
		name, _, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(name) == "" || strings.ContainsAny(h, "\r\n") {
			return fhir.Errorf(fhir.KindUnprocessable, "channel.header %q is not \"Name: value\"", h).At("Subscription.channel.header")
		}
	}
	typ := s.CriteriaType()
	if typ == "" || (knownType != nil && !knownType(typ)) {
		return fhir.Errorf(fhir.KindUnprocessable,
			"tiêu chí phải bắt đầu bằng loại tài nguyên / Subscription.criteria must start with a resource type, as in Task?status=requested; got %q", s.Criteria).At("Subscription.criteria")
	}
	if typ == "Subscription" {
		return fhir.Errorf(fhir.KindUnprocessable, "a Subscription cannot follow Subscriptions").At("Subscription.criteria")
	}
	return nil
}

// setStatus returns body with status (and error, when not empty) replaced.
func setStatus(body []byte, status, errMsg string) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, fmt.Errorf("set Subscription status: %w", err)
	}
	m["status"] = status
	if errMsg != "" {
		m["error"] = errMsg
	} else {
		delete(m, "error")
	}
	return json.Marshal(m)
}
