package auth

import (
	"fmt"
	"strings"
)

// Perm is one SMART v2 permission letter: c(reate), r(ead), u(pdate),
// d(elete), s(earch).
//
// https://build.fhir.org/ig/HL7/smart-app-launch/scopes-and-launch-context.html
type Perm byte

const (
	PermCreate Perm = 'c'
	PermRead   Perm = 'r'
	PermUpdate Perm = 'u'
	PermDelete Perm = 'd'
	PermSearch Perm = 's'
)

// permOrder is the order SMART v2 requires the letters to appear in.
const permOrder = "cruds"

// ResourceScope is one clinical scope such as patient/Observation.rs.
type ResourceScope struct {
	Context string // patient | user | system
	Type    string // a resource type or "*"
	Perms   string // a subsequence of "cruds"
	Query   string // the optional ?param=value restriction, kept verbatim
}

// Allows reports whether the scope grants perm on typ.
func (s ResourceScope) Allows(typ string, perm Perm) bool {
	return (s.Type == "*" || s.Type == typ) && strings.IndexByte(s.Perms, byte(perm)) >= 0
}

func (s ResourceScope) String() string {
	out := s.Context + "/" + s.Type + "." + s.Perms
	if s.Query != "" {
		out += "?" + s.Query
	}
	return out
}

// Scopes is a parsed, granted scope string.
type Scopes struct {
	Resource      []ResourceScope
	OpenID        bool
	FHIRUser      bool
	Launch        bool // EHR launch: the launch parameter is honoured
	LaunchPatient bool // launch/patient: a patient context is wanted
	Offline       bool // offline_access: a refresh token that outlives the session
	Online        bool // online_access
	Other         []string
}

// ParseScopes parses a space-separated SMART scope string. v1 forms
// (patient/Observation.read, .write, .*) are accepted and turned into their
// v2 equivalents. Unknown non-clinical scopes are kept in Other and ignored.
func ParseScopes(s string) (Scopes, error) {
	var out Scopes
	for _, tok := range strings.Fields(s) {
		switch tok {
		case "openid":
			out.OpenID = true
			continue
		case "fhirUser", "profile":
			out.FHIRUser = true
			continue
		case "launch":
			out.Launch = true
			continue
		case "launch/patient":
			out.LaunchPatient = true
			continue
		case "offline_access":
			out.Offline = true
			continue
		case "online_access":
			out.Online = true
			continue
		}
		ctx, rest, ok := strings.Cut(tok, "/")
		if !ok || (ctx != "patient" && ctx != "user" && ctx != "system") {
			if strings.HasPrefix(tok, "launch/") {
				out.Other = append(out.Other, tok)
				continue
			}
			out.Other = append(out.Other, tok)
			continue
		}
		rs, err := parseResourceScope(ctx, rest)
		if err != nil {
			return Scopes{}, fmt.Errorf("scope %q: %w", tok, err)
		}
		out.Resource = append(out.Resource, rs)
	}
	return out, nil
}

func parseResourceScope(ctx, rest string) (ResourceScope, error) {
	rs := ResourceScope{Context: ctx}
	rest, rs.Query, _ = strings.Cut(rest, "?")
	typ, perms, ok := strings.Cut(rest, ".")
	if !ok || typ == "" || perms == "" {
		return rs, fmt.Errorf("want context/Type.permissions")
	}
	if typ != "*" && !isTypeName(typ) {
		return rs, fmt.Errorf("resource type %q is not a type name", typ)
	}
	rs.Type = typ
	switch perms {
	case "read": // v1
		rs.Perms = "rs"
		return rs, nil
	case "write": // v1
		rs.Perms = "cud"
		return rs, nil
	case "*": // v1
		rs.Perms = "cruds"
		return rs, nil
	}
	// v2: letters in the order c r u d s, each at most once.
	j := 0
	for i := 0; i < len(perms); i++ {
		k := strings.IndexByte(permOrder[j:], perms[i])
		if k < 0 {
			return rs, fmt.Errorf("permissions %q: want a subsequence of %q", perms, permOrder)
		}
		j += k + 1
	}
	rs.Perms = perms
	return rs, nil
}

func isTypeName(s string) bool {
	if s == "" || s[0] < 'A' || s[0] > 'Z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// Allows reports whether any clinical scope of the given context ("" for
// any) grants perm on typ.
func (s Scopes) Allows(context, typ string, perm Perm) bool {
	for _, rs := range s.Resource {
		if (context == "" || rs.Context == context) && rs.Allows(typ, perm) {
			return true
		}
	}
	return false
}

// PatientOnly reports whether every clinical scope that grants perm on typ
// is a patient/ scope, so that access is limited to the launch patient.
func (s Scopes) PatientOnly(typ string, perm Perm) bool {
	return s.Allows("patient", typ, perm) && !s.Allows("user", typ, perm) && !s.Allows("system", typ, perm)
}

// String renders the scopes in canonical v2 form.
func (s Scopes) String() string {
	var parts []string
	if s.OpenID {
		parts = append(parts, "openid")
	}
	if s.FHIRUser {
		parts = append(parts, "fhirUser")
	}
	if s.Launch {
		parts = append(parts, "launch")
	}
	if s.LaunchPatient {
		parts = append(parts, "launch/patient")
	}
	if s.Offline {
		parts = append(parts, "offline_access")
	}
	if s.Online {
		parts = append(parts, "online_access")
	}
	for _, rs := range s.Resource {
		parts = append(parts, rs.String())
	}
	return strings.Join(parts, " ")
}

// Intersect keeps the clinical scopes of s that some scope of allowed
// covers (same or wider context rules are not mixed: patient/ stays
// patient/), narrowing permissions to those allowed. The non-clinical
// scopes are kept as they are; the caller decides about them.
func (s Scopes) Intersect(allowed Scopes) Scopes {
	out := s
	out.Resource = nil
	for _, rs := range s.Resource {
		var perms strings.Builder
		for i := 0; i < len(rs.Perms); i++ {
			p := Perm(rs.Perms[i])
			ok := false
			for _, a := range allowed.Resource {
				if a.Context == rs.Context && (a.Type == "*" || a.Type == rs.Type) && strings.IndexByte(a.Perms, byte(p)) >= 0 {
					ok = true
					break
				}
			}
			if ok {
				perms.WriteByte(byte(p))
			}
		}
		if perms.Len() > 0 {
			rs.Perms = perms.String()
			out.Resource = append(out.Resource, rs)
		}
	}
	return out
}
