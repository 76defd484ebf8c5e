package careplan

import (
	"encoding/json"
	"strings"
	"time"
)

// The parts of FHIR R4 data types the package reads. Unknown elements are
// ignored, so these decode any conformant resource.

type coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

type concept struct {
	Coding []coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// has reports whether c carries system|code (any system when system is "").
func (c *concept) has(system, code string) bool {
	if c == nil {
		return false
	}
	for _, cd := range c.Coding {
		if cd.Code == code && (system == "" || cd.System == system) {
			return true
		}
	}
	return false
}

// label is the text, else the first display, else the first code.
func (c *concept) label() string {
	if c == nil {
		return ""
	}
	if c.Text != "" {
		return c.Text
	}
	for _, cd := range c.Coding {
		if cd.Display != "" {
			return cd.Display
		}
	}
	for _, cd := range c.Coding {
		if cd.Code != "" {
			return cd.Code
		}
	}
	return ""
}

type reference struct {
	Reference string `json:"reference,omitempty"`
	Display   string `json:"display,omitempty"`
}

// id returns the id of a relative reference "Type/id" ("" otherwise).
func (r *reference) id(typ string) string {
	if r == nil {
		return ""
	}
	t, id, ok := strings.Cut(r.Reference, "/")
	if !ok || t != typ || strings.Contains(id, "/") {
		return ""
	}
	return id
}

type quantity struct {
	Value      *float64 `json:"value,omitempty"`
	Comparator string   `json:"comparator,omitempty"`
	Unit       string   `json:"unit,omitempty"`
	System     string   `json:"system,omitempty"`
	Code       string   `json:"code,omitempty"`
}

type period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// parseTime reads a FHIR date, dateTime or instant. Partial dates take the
// first instant they cover; zone-less values are in loc.
func parseTime(s string, loc *time.Location) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	for _, layout := range []string{"2006-01-02T15:04:05", time.DateOnly, "2006-01", "2006"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// decodeType unmarshals data into v after checking its resourceType.
func decodeType(data []byte, want string, v any) error {
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return &FormatError{Type: want, Err: err}
	}
	if head.ResourceType != want {
		return &FormatError{Type: want, Got: head.ResourceType}
	}
	if err := json.Unmarshal(data, v); err != nil {
		return &FormatError{Type: want, Err: err}
	}
	return nil
}

// FormatError says a resource passed in could not be read as the type the
// caller said it was.
type FormatError struct {
	Type string // the expected resourceType
	Got  string // the resourceType found, when it differs
	Err  error  // the JSON error, when there was one
}

func (e *FormatError) Error() string {
	if e.Err != nil {
		return "careplan: read " + e.Type + ": " + e.Err.Error()
	}
	return "careplan: want a " + e.Type + ", got resourceType " + quote(e.Got)
}

func (e *FormatError) Unwrap() error { return e.Err }

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
