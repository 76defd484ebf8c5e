package sign

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// Finding codes, stable for callers and tests.
const (
	FindingMalformed    = "malformed"     // the Provenance or its JWS cannot be read
	FindingChanged      = "changed"       // the record changed after it was signed
	FindingDeleted      = "deleted"       // the signed record was deleted
	FindingBadSignature = "bad-signature" // the signature does not verify with its certificate
	FindingMismatch     = "mismatch"      // the Provenance says another target or signer than the JWS
	FindingUntrusted    = "untrusted"     // the certificate does not chain to a trusted root
	FindingExpired      = "expired"       // signed outside the certificate's validity
	FindingUnchecked    = "unchecked"     // warning: no trust list configured
)

// Finding is one problem with a signature, in English and Vietnamese.
type Finding struct {
	Code     string
	Error    bool // false: a warning
	Message  string
	MessageV string
}

// Result is the outcome of checking one Provenance against the current
// version of its target.
type Result struct {
	Target   string    // the signed versioned reference
	Who      string    // Provenance.signature.who
	Role     Role      // from the JWS header
	Signer   string    // the certificate subject
	SignedAt time.Time // the JWS signing time
	Findings []Finding
}

// Valid reports whether no finding is an error.
func (r *Result) Valid() bool {
	for _, f := range r.Findings {
		if f.Error {
			return false
		}
	}
	return true
}

// Changed reports whether the record changed (or was deleted) after signing.
func (r *Result) Changed() bool {
	for _, f := range r.Findings {
		if f.Code == FindingChanged || f.Code == FindingDeleted {
			return true
		}
	}
	return false
}

// Summary is a one-line description in both languages.
func (r *Result) Summary() string {
	var parts []string
	if r.Valid() {
		parts = append(parts, fmt.Sprintf("signature valid, signed by %s at %s / chữ ký hợp lệ", r.Signer, r.SignedAt.Format(time.RFC3339)))
	}
	for _, f := range r.Findings {
		parts = append(parts, f.Message+" / "+f.MessageV)
	}
	return r.Target + ": " + strings.Join(parts, "; ")
}

func (r *Result) add(code string, isErr bool, en, vi string) {
	r.Findings = append(r.Findings, Finding{Code: code, Error: isErr, Message: en, MessageV: vi})
}

// Verifier checks signatures. The zero value checks signatures against
// the certificates they carry but cannot tell whether those certificates
// are trusted (it adds an "unchecked" warning).
type Verifier struct {
	// Roots are the trusted CA certificates (the facility's CAs); nil
	// means no chain check.
	Roots *x509.CertPool
}

// Verify checks every JWS signature of a Provenance against current, the
// current body of its target (nil when the target was deleted). It never
// fails: every problem is a Finding.
func (v *Verifier) Verify(provenance, current []byte) *Result {
	res := &Result{}
	p, err := ParseProvenance(provenance)
	if err != nil {
		res.add(FindingMalformed, true, err.Error(), "Provenance không đọc được")
		return res
	}
	if len(p.Target) > 0 {
		res.Target = p.Target[0].Reference
	}
	if !p.Signed() {
		res.add(FindingMalformed, true, "the Provenance has no application/jose signature", "Provenance không có chữ ký JWS")
		return res
	}
	var payload []byte
	if current != nil {
		if payload, err = Canonical(current); err != nil {
			res.add(FindingMalformed, true, "the signed record cannot be read: "+err.Error(), "không đọc được hồ sơ đã ký")
			return res
		}
	}
	for _, s := range p.Signature {
		if s.SigFormat != SigFormat || s.Data == "" {
			continue
		}
		res.Who = s.Who.Reference
		v.verifyOne(res, s, payload, current == nil)
	}
	return res
}

// protectedHeader is the part of the JWS header Sen reads itself.
type protectedHeader struct {
	Alg    string   `json:"alg"`
	X5C    []string `json:"x5c"`
	SigT   string   `json:"sigT"`
	Digest string   `json:"sen.dig"`
	Target string   `json:"sen.tgt"`
	Who    string   `json:"sen.who"`
	Role   string   `json:"sen.role"`
}

func (v *Verifier) verifyOne(res *Result, s signature, payload []byte, deleted bool) {
	raw, err := base64.StdEncoding.DecodeString(s.Data)
	if err != nil {
		res.add(FindingMalformed, true, "signature.data is not base64", "signature.data không phải base64")
		return
	}
	compact := string(raw)
	parts := strings.Split(compact, ".")
	if len(parts) != 3 || parts[1] != "" {
		res.add(FindingMalformed, true, "signature.data is not a detached compact JWS", "chữ ký không phải JWS tách rời")
		return
	}
	hb, err := base64.RawURLEncoding.DecodeString(parts[0])
	var h protectedHeader
	if err == nil {
		err = json.Unmarshal(hb, &h)
	}
	if err != nil || len(h.X5C) == 0 {
		res.add(FindingMalformed, true, "the JWS header is unreadable or has no certificate (x5c)", "tiêu đề JWS hỏng hoặc thiếu chứng thư số")
		return
	}
	res.Role = Role(h.Role)
	res.SignedAt, _ = time.Parse(time.RFC3339, h.SigT)
	chain := make([]*x509.Certificate, 0, len(h.X5C))
	for _, c := range h.X5C {
		der, err := base64.StdEncoding.DecodeString(c)
		if err != nil {
			res.add(FindingMalformed, true, "x5c is not base64", "x5c không phải base64")
			return
		}
		cert, err := x509.ParseCertificate(der)
		if err != nil {
			res.add(FindingMalformed, true, "x5c certificate: "+err.Error(), "chứng thư số hỏng")
			return
		}
		chain = append(chain, cert)
	}
	leaf := chain[0]
	res.Signer = leaf.Subject.String()

	if h.Target != res.Target || h.Who != s.Who.Reference {
		res.add(FindingMismatch, true,
			fmt.Sprintf("the Provenance names %s by %s but the signature covers %s by %s", res.Target, s.Who.Reference, h.Target, h.Who),
			"Provenance không khớp nội dung chữ ký (đối tượng hoặc người ký)")
	}

	if deleted {
		res.add(FindingDeleted, true, "the signed record was deleted after signing", "hồ sơ đã ký bị xóa sau khi ký")
	} else {
		dig := sha256.Sum256(payload)
		if h.Digest != base64.RawURLEncoding.EncodeToString(dig[:]) {
			res.add(FindingChanged, true, "the record changed after it was signed", "hồ sơ đã bị thay đổi sau khi ký")
		} else {
			jws, err := jose.ParseDetached(compact, payload, []jose.SignatureAlgorithm{jose.RS256, jose.PS256, jose.ES256})
			if err == nil {
				_, err = jws.Verify(leaf.PublicKey)
			}
			if err != nil {
				res.add(FindingBadSignature, true,
					"the signature does not verify with the signer's certificate (wrong key or altered signature)",
					"chữ ký không khớp chứng thư số của người ký (sai khóa hoặc chữ ký bị sửa)")
			}
		}
	}

	if !res.SignedAt.IsZero() && (res.SignedAt.Before(leaf.NotBefore) || res.SignedAt.After(leaf.NotAfter)) {
		res.add(FindingExpired, true, "signed outside the certificate's validity period", "ký ngoài thời hạn hiệu lực của chứng thư số")
	}
	if v == nil || v.Roots == nil {
		res.add(FindingUnchecked, false, "the certificate was not checked against a trust list", "chưa đối chiếu chứng thư số với danh sách tin cậy")
		return
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	at := res.SignedAt
	if at.IsZero() {
		at = leaf.NotBefore
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: v.Roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		res.add(FindingUntrusted, true, "the signer's certificate is not trusted: "+err.Error(), "chứng thư số của người ký không được tin cậy")
	}
}

// Changes lists the paths (FHIRPath-like, "note[0].text") where two
// versions of a resource differ, ignoring meta.versionId/lastUpdated. It
// shows a reviewer what changed after signing.
func Changes(signed, current []byte) ([]string, error) {
	a, err := canonicalTree(signed)
	if err != nil {
		return nil, err
	}
	b, err := canonicalTree(current)
	if err != nil {
		return nil, err
	}
	var out []string
	diff("", a, b, &out)
	return out, nil
}

func canonicalTree(doc []byte) (any, error) {
	c, err := Canonical(doc)
	if err != nil {
		return nil, err
	}
	return decode(c)
}

func diff(path string, a, b any, out *[]string) {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		seen := map[string]bool{}
		for _, k := range sortedKeys(am, bm) {
			if seen[k] {
				continue
			}
			seen[k] = true
			p := k
			if path != "" {
				p = path + "." + k
			}
			av, ain := am[k]
			bv, bin := bm[k]
			switch {
			case !ain:
				*out = append(*out, p+" (added)")
			case !bin:
				*out = append(*out, p+" (removed)")
			default:
				diff(p, av, bv, out)
			}
		}
		return
	}
	aa, aok := a.([]any)
	ba, bok := b.([]any)
	if aok && bok {
		n := max(len(aa), len(ba))
		for i := 0; i < n; i++ {
			p := fmt.Sprintf("%s[%d]", path, i)
			switch {
			case i >= len(aa):
				*out = append(*out, p+" (added)")
			case i >= len(ba):
				*out = append(*out, p+" (removed)")
			default:
				diff(p, aa[i], ba[i], out)
			}
		}
		return
	}
	var ab, bb bytes.Buffer
	_ = writeJCS(&ab, a)
	_ = writeJCS(&bb, b)
	if !bytes.Equal(ab.Bytes(), bb.Bytes()) {
		*out = append(*out, path)
	}
}

func sortedKeys(ms ...map[string]any) []string {
	var keys []string
	for _, m := range ms {
		for k := range m {
			keys = append(keys, k)
		}
	}
	sortStrings(keys)
	return keys
}
