package rest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"github.com/sen-emr/sen/internal/fhir"
	"github.com/sen-emr/sen/internal/sign"
	"github.com/sen-emr/sen/internal/store"
)

// Signed records over HTTP (Circular 13/2025/TT-BYT Art. 3; docs/regulations.md):
//
//	POST /fhir/{type}/{id}/$sign  [who=Practitioner/…] [role=author|verifier]
//	     → 201 Provenance: the author's detached JWS over the current version
//	       of a finalised document or order
//	GET  /fhir/{type}/{id}  (read) of a signable type
//	     → header X-Sen-Signature: valid | changed | invalid | unsigned
//
// Both exist only when Config.Signing is set: without a key there is
// nothing to sign with, and without signing the header would always say
// "unsigned".

// SignatureHeader is the response header that reports, on reads of signable
// resources, whether the version read is covered by a valid signature.
const SignatureHeader = "X-Sen-Signature"

// Values of SignatureHeader.
const (
	SignatureValid    = "valid"    // a valid signature covers this version
	SignatureChanged  = "changed"  // signed earlier, changed since
	SignatureInvalid  = "invalid"  // a signature exists but does not verify (wrong key, untrusted, tampered)
	SignatureUnsigned = "unsigned" // no signature
)

// Signing is the signing configuration of the handler.
type Signing struct {
	// Key signs ($sign). Required.
	Key sign.Key
	// Verifier checks signatures on read, $verify and $sign; its Roots are
	// the trusted CAs (--ca). Nil means the zero Verifier (no chain check).
	Verifier *sign.Verifier
	// Signer names who signs a request: the signed-in practitioner
	// ("Practitioner/1") and their organisation (may be ""). An error
	// refuses the request. Nil, or an empty who, means the request's "who"
	// parameter names the signer (sen serve --no-auth, tests).
	Signer func(r *http.Request) (who, onBehalfOf string, err error)
}

// signable lists the resource types that are clinical documents or orders,
// with the statuses that mean "finalised": only a finalised version may be
// signed, since a draft will still change.
var signable = map[string]struct {
	field    string
	statuses []string
}{
	"Composition":       {"status", []string{"final", "amended"}},
	"DocumentReference": {"docStatus", []string{"final", "amended"}},
	"DiagnosticReport":  {"status", []string{"final", "amended", "corrected", "appended"}},
	"Observation":       {"status", []string{"final", "amended", "corrected"}},
	"MedicationRequest": {"status", []string{"active", "completed"}},
	"ServiceRequest":    {"status", []string{"active", "completed"}},
	"Procedure":         {"status", []string{"completed"}},
}

// mountSigning registers $sign when signing is configured.
func (s *server) mountSigning() {
	if s.cfg.Signing == nil || s.cfg.Signing.Key == nil {
		return
	}
	s.mux.HandleFunc("POST /fhir/{type}/{id}/$sign", func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, s.signResource)
	})
}

func (s *server) verifier() *sign.Verifier {
	if s.cfg.Signing != nil && s.cfg.Signing.Verifier != nil {
		return s.cfg.Signing.Verifier
	}
	return &sign.Verifier{}
}

// signResource runs $sign.
func (s *server) signResource(r *http.Request) (*result, error) {
	ctx, typ, id := r.Context(), r.PathValue("type"), r.PathValue("id")
	if err := s.checkType(typ); err != nil {
		return nil, err
	}
	rule, ok := signable[typ]
	if !ok {
		return nil, fhir.Errorf(fhir.KindInvalid, "%s is not a clinical document or order that can be signed / loại tài nguyên này không ký được", typ)
	}
	if err := checkID(id); err != nil {
		return nil, fhir.Errorf(fhir.KindNotFound, "%s/%s not found", typ, id)
	}
	params, err := s.careParams(r)
	if err != nil {
		return nil, err
	}
	who, org, err := s.signer(r, params.Get("who"))
	if err != nil {
		return nil, err
	}
	role := sign.Role(params.Get("role"))
	switch role {
	case "":
		role = sign.RoleAuthor
	case sign.RoleAuthor, sign.RoleVerifier:
	default:
		return nil, fhir.Errorf(fhir.KindInvalid, "role %q: want author or verifier (patients confirm by one-time code) / vai trò ký không hợp lệ", role)
	}
	cur, err := s.cfg.Store.Read(ctx, typ, id)
	if err != nil {
		return nil, err
	}
	if err := finalised(typ, cur.JSON, rule.field, rule.statuses); err != nil {
		return nil, err
	}
	if role == sign.RoleAuthor && !authorOf(cur.JSON, who) {
		return nil, fhir.Errorf(fhir.KindForbidden, "%s is not an author of %s/%s: only the author signs as author / chỉ tác giả được ký với vai trò tác giả", who, typ, id)
	}
	target := typ + "/" + id + "/_history/" + strconv.FormatInt(cur.VersionID, 10)
	prov, err := sign.Sign(ctx, s.cfg.Signing.Key, sign.Request{Target: target, Resource: cur.JSON, Who: who,
		OnBehalfOf: org, Role: role, Now: s.cfg.Now()})
	if err != nil {
		return nil, fhir.Errorf(fhir.KindUnprocessable, "$sign %s/%s: %v", typ, id, err)
	}
	p, err := s.parseResource(prov, "Provenance")
	if err != nil {
		return nil, fmt.Errorf("$sign %s/%s: provenance: %w", typ, id, err)
	}
	wr, err := s.prepare(p, uuid.NewString())
	if err != nil {
		return nil, fmt.Errorf("$sign %s/%s: provenance: %w", typ, id, err)
	}
	var out *result
	err = s.cfg.Store.Update(ctx, func(tx store.Tx) error {
		// The signed version must still be current: a write between the
		// read and here would leave a signature over a superseded version.
		now, err := tx.Read(ctx, typ, id)
		if err != nil {
			return err
		}
		if now.VersionID != cur.VersionID {
			return fhir.Errorf(fhir.KindConflict, "%s/%s changed while it was being signed; sign again / hồ sơ vừa thay đổi, hãy ký lại", typ, id)
		}
		out, err = s.createIn(ctx, tx, wr, "")
		return err
	})
	return out, err
}

// signer decides who signs: the configured Signer (the signed-in user)
// wins; a "who" parameter naming someone else is refused.
func (s *server) signer(r *http.Request, asked string) (who, org string, err error) {
	if f := s.cfg.Signing.Signer; f != nil {
		if who, org, err = f(r); err != nil {
			return "", "", err
		}
	}
	switch {
	case who == "" && asked == "":
		return "", "", fhir.Errorf(fhir.KindInvalid, "$sign: who signs? give who=Practitioner/id / thiếu người ký")
	case who == "":
		who = asked
	case asked != "" && asked != who:
		return "", "", fhir.Errorf(fhir.KindForbidden, "$sign: %s cannot sign as %s / không được ký thay người khác", who, asked)
	}
	if !strings.HasPrefix(who, "Practitioner/") && !strings.HasPrefix(who, "PractitionerRole/") {
		return "", "", fhir.Errorf(fhir.KindForbidden, "$sign: %s is not a practitioner; patients confirm by one-time code / chỉ nhân viên y tế ký", who)
	}
	return who, org, nil
}

// finalised refuses a draft: field must hold one of statuses.
func finalised(typ string, body []byte, field string, statuses []string) error {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return fmt.Errorf("$sign %s: %w", typ, err)
	}
	st, _ := m[field].(string)
	for _, ok := range statuses {
		if st == ok {
			return nil
		}
	}
	return fhir.Errorf(fhir.KindUnprocessable, "%s %s is %q: only a finalised record (%s) is signed / chỉ ký hồ sơ đã hoàn tất",
		typ, field, st, strings.Join(statuses, ", "))
}

// authorOf reports whether who appears among the resource's authors
// (author, requester, performer, recorder, asserter). A resource naming no
// author at all cannot contradict who.
func authorOf(body []byte, who string) bool {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(body, &m); err != nil {
		return false
	}
	named := false
	for _, f := range []string{"author", "requester", "performer", "recorder", "asserter", "resultsInterpreter"} {
		raw, ok := m[f]
		if !ok {
			continue
		}
		var refs []string
		collectRefs(raw, &refs)
		for _, ref := range refs {
			if !strings.HasPrefix(ref, "Practitioner") && !strings.HasPrefix(ref, "PractitionerRole") {
				continue
			}
			named = true
			if ref == who {
				return true
			}
		}
	}
	return !named
}

// collectRefs gathers every "reference" string inside raw (a Reference, a
// list of them, or BackboneElements holding them such as performer.actor).
func collectRefs(raw json.RawMessage, out *[]string) {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return
	}
	var walk func(any)
	walk = func(v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, x := range t {
				if s, ok := x.(string); ok && k == "reference" {
					*out = append(*out, s)
				} else {
					walk(x)
				}
			}
		case []any:
			for _, x := range t {
				walk(x)
			}
		}
	}
	walk(v)
}

// signatureState summarises the signatures of the version res for the
// read header. Only signable types are looked at, so other reads pay
// nothing. A store error gives "" (no header): the read itself succeeded.
func (s *server) signatureState(ctx context.Context, res *fhir.Resource) string {
	if s.cfg.Signing == nil || res == nil || res.JSON == nil {
		return ""
	}
	if _, ok := signable[res.Type]; !ok {
		return ""
	}
	results, err := s.verifyResource(ctx, res.Type, res.ID)
	if err != nil {
		s.log.Warn("signature check on read", "resource", res.Type+"/"+res.ID, "err", err)
		return ""
	}
	state := SignatureUnsigned
	for _, r := range results {
		switch {
		case r.Changed():
			if state == SignatureUnsigned {
				state = SignatureChanged
			}
		case !r.Valid():
			return SignatureInvalid
		default:
			state = SignatureValid // the current version is covered
		}
	}
	return state
}
