package rest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/rawjson"
	"github.com/sen-emr/sen/internal/store"
)

// readBody reads the request body within MaxBodyBytes and checks its
// Content-Type against the allowed media types (415 otherwise). A missing
// Content-Type is taken as JSON, as many clients omit it.
func (s *server) readBody(r *http.Request, allowed ...string) ([]byte, string, error) {
	mt := mimeFHIRJSON
	if ct := r.Header.Get("Content-Type"); ct != "" {
		var err error
		mt, _, err = mime.ParseMediaType(ct)
		if err != nil {
			return nil, "", &fhir.Error{Kind: fhir.KindUnsupported, HTTPStatus: http.StatusUnsupportedMediaType,
				Msg: "malformed Content-Type " + ct, Err: err}
		}
		ok := false
		for _, a := range allowed {
			if strings.EqualFold(mt, a) {
				ok = true
			}
		}
		if !ok {
			return nil, "", &fhir.Error{Kind: fhir.KindUnsupported, HTTPStatus: http.StatusUnsupportedMediaType,
				Msg: "Content-Type " + mt + " is not supported here; use " + strings.Join(allowed, " or ")}
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, s.cfg.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, "", fhir.Errorf(fhir.KindTooLarge, "the request body is larger than the limit of %d bytes", s.cfg.MaxBodyBytes)
		}
		return nil, "", &fhir.Error{Kind: fhir.KindInvalid, Msg: "cannot read the request body", Err: err}
	}
	if err := s.checkBodyDepth(body, mt); err != nil {
		return nil, "", err
	}
	return body, strings.ToLower(mt), nil
}

// member is one top-level property of a JSON object, kept in source order.
type member struct {
	key string
	val json.RawMessage
}

// members splits a JSON object into its top-level properties.
func members(body []byte) ([]member, error) {
	// The common case, valid JSON, is split by byte offsets (several times
	// faster than a token decoder over a whole Bundle); the decoder walk
	// below runs only to explain what is wrong with malformed input.
	if !json.Valid(body) {
		return membersExplained(body)
	}
	start := rawjson.SkipWS(body, 0)
	if start >= len(body) || body[start] != '{' {
		return nil, errors.New("the body is not a JSON object")
	}
	ms, err := rawjson.Members(body, start)
	if err != nil {
		return nil, fmt.Errorf("malformed JSON: %w", err)
	}
	out := make([]member, len(ms))
	for i, m := range ms {
		for _, prev := range out[:i] {
			if prev.key == m.Key {
				return nil, fmt.Errorf("property %q appears twice", m.Key)
			}
		}
		out[i] = member{m.Key, json.RawMessage(body[m.Start:m.End])}
	}
	return out, nil
}

// membersExplained is members by a token decoder: the error it returns
// names what is malformed and where.
func membersExplained(body []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("malformed JSON: %w", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("the body is not a JSON object")
	}
	var out []member
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("malformed JSON: %w", err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("malformed JSON at %q: %w", key, err)
		}
		for _, m := range out {
			if m.key == key {
				return nil, fmt.Errorf("property %q appears twice", key)
			}
		}
		out = append(out, member{key, raw})
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("malformed JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("malformed JSON: data after the object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("malformed JSON: data after the object")
	}
	return out, nil
}

func encodeMembers(ms []member) []byte {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		buf.Write(k)
		buf.WriteByte(':')
		buf.Write(m.val)
	}
	buf.WriteByte('}')
	return buf.Bytes()
}

// withID returns body with its top-level id set to id (added after
// resourceType when absent) and members in source order.
func withID(ms []member, id string) []byte {
	idJSON, _ := json.Marshal(id)
	out := make([]member, 0, len(ms)+1)
	done := false
	for _, m := range ms {
		if m.key == "id" {
			m.val = idJSON
			done = true
		}
		out = append(out, m)
		if m.key == "resourceType" && !done {
			out = append(out, member{"id", idJSON})
			done = true
		}
	}
	if !done {
		out = append(out, member{"id", idJSON})
	}
	// A resource id appearing twice is impossible here: members rejects duplicates.
	return encodeMembers(dedupID(out))
}

func dedupID(ms []member) []member {
	seen := false
	out := ms[:0]
	for _, m := range ms {
		if m.key == "id" {
			if seen {
				continue
			}
			seen = true
		}
		out = append(out, m)
	}
	return out
}

// parsed is a checked resource body ready to store.
type parsed struct {
	typ, id string // id as given in the body ("" when absent)
	ms      []member
}

// parseResource checks that body is a JSON object of resource type typ
// (any type when typ is "") and returns its members.
func (s *server) parseResource(body []byte, typ string) (*parsed, error) {
	ms, err := members(body)
	if err != nil {
		return nil, &fhir.Error{Kind: fhir.KindInvalid, Msg: err.Error(), Err: err}
	}
	p := &parsed{ms: ms}
	for _, m := range ms {
		switch m.key {
		case "resourceType":
			if json.Unmarshal(m.val, &p.typ) != nil {
				return nil, fhir.Errorf(fhir.KindInvalid, "resourceType must be a string").At("resourceType")
			}
		case "id":
			if json.Unmarshal(m.val, &p.id) != nil || !fhir.ValidID(p.id) {
				return nil, fhir.Errorf(fhir.KindInvalid, "id %s is not a valid FHIR id", m.val).At("id")
			}
		}
	}
	if p.typ == "" {
		return nil, fhir.Errorf(fhir.KindInvalid, "the resource has no resourceType").At("resourceType")
	}
	if !s.cfg.Model.IsResource(p.typ) || p.typ == "Resource" || p.typ == "DomainResource" {
		return nil, fhir.Errorf(fhir.KindInvalid, "unknown resource type %q", p.typ).At("resourceType")
	}
	if typ != "" && p.typ != typ {
		return nil, fhir.Errorf(fhir.KindInvalid, "the body is a %s but the URL names %s", p.typ, typ).At("resourceType")
	}
	return p, nil
}

// prepare validates a resource body, sets its id and computes its index
// entries: everything a write needs that can run outside the database
// transaction.
func (s *server) prepare(p *parsed, id string) (store.Write, error) {
	body := withID(p.ms, id)
	if s.cfg.Validator != nil {
		issues := s.cfg.Validator.Validate(body)
		var errs []fhir.Issue
		for _, is := range issues {
			if is.Severity == "error" || is.Severity == "fatal" {
				errs = append(errs, is)
			}
		}
		if len(errs) > 0 {
			return store.Write{}, &fhir.Error{Kind: fhir.KindInvalid, Issues: errs,
				Msg: fmt.Sprintf("the %s is not valid: %s", p.typ, errs[0].Diagnostics)}
		}
	}
	ix, err := s.cfg.Indexer.Index(p.typ, body)
	if err != nil {
		return store.Write{}, fmt.Errorf("index %s/%s: %w", p.typ, id, err)
	}
	return store.Write{Type: p.typ, ID: id, JSON: body, Index: ix}, nil
}

// checkType rejects unknown and abstract resource types in the URL.
func (s *server) checkType(typ string) error {
	if !s.cfg.Model.IsResource(typ) || typ == "Resource" || typ == "DomainResource" {
		return fhir.Errorf(fhir.KindNotFound, "unknown resource type %q", typ)
	}
	return nil
}

func checkID(id string) error {
	if !fhir.ValidID(id) {
		return fhir.Errorf(fhir.KindInvalid, "%q is not a valid FHIR id", id)
	}
	return nil
}

// parseETag reads a version from W/"n", "n" or n. "" gives 0.
func parseETag(v string) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, nil
	}
	v = strings.TrimPrefix(v, "W/")
	v = strings.Trim(v, `"`)
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, fhir.Errorf(fhir.KindInvalid, "malformed ETag %q: want W/\"<version>\"", v)
	}
	return n, nil
}
