package fhir

import (
	"bytes"
	"encoding/json"
	"regexp"
	"time"
)

// Resource is a stored FHIR resource version: its identity plus the raw JSON
// exactly as stored (with meta.versionId and meta.lastUpdated set).
type Resource struct {
	Type        string
	ID          string
	VersionID   int64
	LastUpdated time.Time
	Deleted     bool            // a delete version; JSON is nil
	JSON        json.RawMessage // the resource body; nil for a delete version
}

// VersionTag is the weak ETag of the version, W/"n".
func (r *Resource) VersionTag() string { return `W/"` + itoa(r.VersionID) + `"` }

func itoa(n int64) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int64) []byte {
	if n == 0 {
		return append(b, '0')
	}
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	var tmp [20]byte
	i := len(tmp)
	for n > 0 {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
	}
	return append(b, tmp[i:]...)
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9\-.]{1,64}$`)

// ValidID reports whether id is a valid FHIR logical id.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// Header is the part of a resource body that routing needs.
type Header struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Meta         struct {
		VersionID   string `json:"versionId"`
		LastUpdated string `json:"lastUpdated"`
	} `json:"meta"`
}

// ParseHeader decodes resourceType, id and meta from a resource body. It
// fails with KindInvalid on malformed JSON or a body that is not an object
// with a string resourceType.
func ParseHeader(body []byte) (*Header, error) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 || body[0] != '{' {
		return nil, Errorf(KindInvalid, "the body is not a JSON object")
	}
	var h Header
	if err := json.Unmarshal(body, &h); err != nil {
		return nil, &Error{Kind: KindInvalid, Msg: "malformed JSON: " + err.Error()}
	}
	if h.ResourceType == "" {
		return nil, Errorf(KindInvalid, "the resource has no resourceType").At("resourceType")
	}
	return &h, nil
}
