package rest

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// bundle is the FHIR Bundle resource as Sen reads and writes it
// (https://hl7.org/fhir/R4/bundle.html).
type bundle struct {
	ResourceType string         `json:"resourceType"`
	ID           string         `json:"id,omitempty"`
	Meta         *bundleMeta    `json:"meta,omitempty"`
	Type         string         `json:"type"`
	Timestamp    string         `json:"timestamp,omitempty"`
	Total        *int           `json:"total,omitempty"`
	Link         []bundleLink   `json:"link,omitempty"`
	Entry        []*bundleEntry `json:"entry,omitempty"`
}

type bundleMeta struct {
	LastUpdated string `json:"lastUpdated,omitempty"`
}

type bundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

type bundleEntry struct {
	FullURL  string          `json:"fullUrl,omitempty"`
	Resource json.RawMessage `json:"resource,omitempty"`
	Search   *entrySearch    `json:"search,omitempty"`
	Request  *entryRequest   `json:"request,omitempty"`
	Response *entryResponse  `json:"response,omitempty"`
}

type entrySearch struct {
	Mode string `json:"mode,omitempty"`
}

type entryRequest struct {
	Method          string `json:"method"`
	URL             string `json:"url"`
	IfNoneMatch     string `json:"ifNoneMatch,omitempty"`
	IfModifiedSince string `json:"ifModifiedSince,omitempty"`
	IfMatch         string `json:"ifMatch,omitempty"`
	IfNoneExist     string `json:"ifNoneExist,omitempty"`
}

type entryResponse struct {
	Status       string          `json:"status"`
	Location     string          `json:"location,omitempty"`
	Etag         string          `json:"etag,omitempty"`
	LastModified string          `json:"lastModified,omitempty"`
	Outcome      json.RawMessage `json:"outcome,omitempty"`
}

// marshalBundle writes b as JSON. Resource and outcome bodies are copied
// as they are: they come from the store or from Sen's own encoders, so they
// are valid JSON already, and encoding/json would re-validate and compact
// every byte of them (41 % of a $everything request's CPU in the profile
// of docs/benchmarks.md §3). The output is the one encoding/json gives,
// except that <, > and & in strings are not escaped.
func marshalBundle(b *bundle) ([]byte, error) {
	size := 256 + 128*len(b.Link)
	for _, e := range b.Entry {
		size += 160 + len(e.FullURL) + len(e.Resource)
		if e.Response != nil {
			size += len(e.Response.Outcome)
		}
	}
	out := make([]byte, 0, size)
	out = append(out, `{"resourceType":`...)
	out = appendString(out, b.ResourceType)
	if b.ID != "" {
		out = appendString(append(out, `,"id":`...), b.ID)
	}
	if b.Meta != nil {
		out = append(out, `,"meta":{`...)
		if b.Meta.LastUpdated != "" {
			out = appendString(append(out, `"lastUpdated":`...), b.Meta.LastUpdated)
		}
		out = append(out, '}')
	}
	out = appendString(append(out, `,"type":`...), b.Type)
	if b.Timestamp != "" {
		out = appendString(append(out, `,"timestamp":`...), b.Timestamp)
	}
	if b.Total != nil {
		out = strconv.AppendInt(append(out, `,"total":`...), int64(*b.Total), 10)
	}
	if len(b.Link) > 0 {
		out = append(out, `,"link":[`...)
		for i, l := range b.Link {
			if i > 0 {
				out = append(out, ',')
			}
			out = appendString(append(out, `{"relation":`...), l.Relation)
			out = appendString(append(out, `,"url":`...), l.URL)
			out = append(out, '}')
		}
		out = append(out, ']')
	}
	if len(b.Entry) > 0 {
		out = append(out, `,"entry":[`...)
		for i, e := range b.Entry {
			if i > 0 {
				out = append(out, ',')
			}
			out = appendEntry(out, e)
		}
		out = append(out, ']')
	}
	return append(out, '}'), nil
}

// appendEntry writes one Bundle.entry; empty optional members are left out
// as the struct tags' omitempty says.
func appendEntry(out []byte, e *bundleEntry) []byte {
	out = append(out, '{')
	comma := false
	key := func(k string) {
		if comma {
			out = append(out, ',')
		}
		comma = true
		out = append(out, '"')
		out = append(out, k...)
		out = append(out, `":`...)
	}
	str := func(k, v string) {
		if v != "" {
			key(k)
			out = appendString(out, v)
		}
	}
	str("fullUrl", e.FullURL)
	if len(e.Resource) > 0 {
		key("resource")
		out = append(out, e.Resource...)
	}
	if e.Search != nil {
		key("search")
		out = append(out, '{')
		if e.Search.Mode != "" {
			out = appendString(append(out, `"mode":`...), e.Search.Mode)
		}
		out = append(out, '}')
	}
	if r := e.Request; r != nil {
		key("request")
		out = appendString(append(out, `{"method":`...), r.Method)
		out = appendString(append(out, `,"url":`...), r.URL)
		for _, kv := range [...][2]string{{"ifNoneMatch", r.IfNoneMatch}, {"ifModifiedSince", r.IfModifiedSince},
			{"ifMatch", r.IfMatch}, {"ifNoneExist", r.IfNoneExist}} {
			if kv[1] != "" {
				out = append(out, `,"`...)
				out = append(out, kv[0]...)
				out = appendString(append(out, `":`...), kv[1])
			}
		}
		out = append(out, '}')
	}
	if r := e.Response; r != nil {
		key("response")
		out = appendString(append(out, `{"status":`...), r.Status)
		for _, kv := range [...][2]string{{"location", r.Location}, {"etag", r.Etag}, {"lastModified", r.LastModified}} {
			if kv[1] != "" {
				out = append(out, `,"`...)
				out = append(out, kv[0]...)
				out = appendString(append(out, `":`...), kv[1])
			}
		}
		if len(r.Outcome) > 0 {
			out = append(append(out, `,"outcome":`...), r.Outcome...)
		}
		out = append(out, '}')
	}
	return append(out, '}')
}

// appendString appends s as a JSON string: quotes, backslashes and control
// characters escaped, invalid UTF-8 replaced by U+FFFD, U+2028 and U+2029
// escaped (as encoding/json does, for JavaScript).
func appendString(out []byte, s string) []byte {
	return append(appendEscaped(append(out, '"'), s), '"')
}

// appendEscaped appends the inside of appendString's JSON string for s.
func appendEscaped(out []byte, s string) []byte {
	const hex = "0123456789abcdef"
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			out = append(out, s[start:i]...)
			switch c {
			case '"', '\\':
				out = append(out, '\\', c)
			case '\n':
				out = append(out, '\\', 'n')
			case '\r':
				out = append(out, '\\', 'r')
			case '\t':
				out = append(out, '\\', 't')
			default:
				out = append(out, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			out = append(append(out, s[start:i]...), `\ufffd`...)
			i += n
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			out = append(append(out, s[start:i]...), '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += n
			start = i
			continue
		}
		i += n
	}
	return append(out, s[start:]...)
}
