package sign

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

var signedAt = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

const note = `{"resourceType":"Composition","id":"c1","meta":{"versionId":"2","lastUpdated":"2026-03-02T09:29:00Z"},
"status":"final","type":{"coding":[{"system":"http://loinc.org","code":"18842-5"}]},
"subject":{"reference":"Patient/p1"},"date":"2026-03-02","author":[{"reference":"Practitioner/d1"}],
"title":"Giấy ra viện","section":[{"title":"Chẩn đoán","text":{"status":"generated","div":"<div>I10 Tăng huyết áp</div>"}},
{"title":"Lời dặn","text":{"status":"generated","div":"<div>Tái khám sau 30 ngày</div>"}}]}`

func pkcs12Key(tb testing.TB, ca *testCA) *LocalKey {
	tb.Helper()
	priv := rsaKey(tb)
	cert := ca.issue(tb, "BS. Trần Văn Bình", &priv.PublicKey, 10)
	pfx, err := pkcs12.Modern2023.Encode(priv, cert, []*x509.Certificate{ca.cert}, "mật-khẩu")
	if err != nil {
		tb.Fatal(err)
	}
	k, err := LoadPKCS12(pfx, "mật-khẩu")
	if err != nil {
		tb.Fatal(err)
	}
	return k
}

func signNote(tb testing.TB, key Key) []byte {
	tb.Helper()
	prov, err := Sign(context.Background(), key, Request{Target: "Composition/c1/_history/2", Resource: []byte(note),
		Who: "Practitioner/d1", OnBehalfOf: "Organization/bv1", Role: RoleAuthor, Now: signedAt})
	if err != nil {
		tb.Fatal(err)
	}
	return prov
}

func codes(r *Result) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.Code)
	}
	return out
}

func TestSignVerifyTamper(t *testing.T) {
	ca := newTestCA(t, "Sen Test CA")
	key := pkcs12Key(t, ca)
	prov := signNote(t, key)
	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	v := &Verifier{Roots: roots}

	var p map[string]any
	if err := json.Unmarshal(prov, &p); err != nil {
		t.Fatal(err)
	}
	sig := p["signature"].([]any)[0].(map[string]any)
	if sig["sigFormat"] != "application/jose" || sig["targetFormat"] != "application/fhir+json" {
		t.Errorf("signature formats: %v", sig)
	}

	var doc map[string]any
	_ = json.Unmarshal([]byte(note), &doc)
	mutate := func(f func(map[string]any)) []byte {
		var d map[string]any
		_ = json.Unmarshal([]byte(note), &d)
		f(d)
		b, _ := json.Marshal(d)
		return b
	}
	otherCA := newTestCA(t, "Other CA")
	otherRoots := x509.NewCertPool()
	otherRoots.AddCert(otherCA.cert)

	tests := []struct {
		name    string
		v       *Verifier
		prov    []byte
		current []byte
		want    []string
		changes []string
	}{
		{"unchanged", v, prov, []byte(note), nil, nil},
		{"stored again: new versionId and lastUpdated", v, prov,
			mutate(func(d map[string]any) {
				d["meta"] = map[string]any{"versionId": "3", "lastUpdated": "2026-04-01T00:00:00Z"}
			}), nil, nil},
		{"same content, other key order and spacing", v, prov,
			[]byte(strings.ReplaceAll(note, "\n", "\n   ")), nil, nil},
		{"one byte changed", v, prov, []byte(strings.Replace(note, "30 ngày", "31 ngày", 1)), []string{FindingChanged},
			[]string{"section[1].text.div"}},
		{"entry removed", v, prov, mutate(func(d map[string]any) { d["section"] = d["section"].([]any)[:1] }),
			[]string{FindingChanged}, []string{"section[1] (removed)"}},
		{"field added", v, prov, mutate(func(d map[string]any) { d["confidentiality"] = "R" }),
			[]string{FindingChanged}, []string{"confidentiality (added)"}},
		{"deleted", v, prov, nil, []string{FindingDeleted}, nil},
		{"untrusted CA", &Verifier{Roots: otherRoots}, prov, []byte(note), []string{FindingUntrusted}, nil},
		{"no trust list", &Verifier{}, prov, []byte(note), []string{FindingUnchecked}, nil},
		{"provenance moved to another signer", v,
			[]byte(strings.Replace(string(prov), `"who":{"reference":"Practitioner/d1"}`, `"who":{"reference":"Practitioner/d2"}`, 2)),
			[]byte(note), []string{FindingMismatch}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := tt.v.Verify(tt.prov, tt.current)
			if got := codes(res); !slices.Equal(got, tt.want) {
				t.Fatalf("findings %v, want %v (%s)", got, tt.want, res.Summary())
			}
			if wantValid := len(tt.want) == 0 || slices.Equal(tt.want, []string{FindingUnchecked}); res.Valid() != wantValid {
				t.Errorf("Valid() = %v", res.Valid())
			}
			if res.Signer == "" || !strings.Contains(res.Signer, "Trần Văn Bình") {
				t.Errorf("signer %q", res.Signer)
			}
			if tt.changes != nil {
				got, err := Changes([]byte(note), tt.current)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got, tt.changes) {
					t.Errorf("changes %v, want %v", got, tt.changes)
				}
			}
		})
	}
}

// A signature made with one key but carrying another's certificate (or a
// signature whose bytes were altered) fails as bad-signature, not as a
// change of the record.
func TestWrongKey(t *testing.T) {
	ca := newTestCA(t, "Sen Test CA")
	good := pkcs12Key(t, ca)
	wrong := &LocalKey{Private: rsaKey(t), Chain: good.Chain, Alg: good.Alg} // bypasses NewLocalKey's check
	prov := signNote(t, wrong)
	res := (&Verifier{}).Verify(prov, []byte(note))
	if got := codes(res); !slices.Contains(got, FindingBadSignature) || res.Valid() {
		t.Fatalf("findings %v: want bad-signature", got)
	}
	if !strings.Contains(res.Summary(), "wrong key") {
		t.Errorf("summary %q does not say what is wrong", res.Summary())
	}

	// Flip one byte of the signature itself.
	prov = signNote(t, good)
	var p Provenance
	_ = json.Unmarshal(prov, &p)
	raw, _ := base64.StdEncoding.DecodeString(p.Signature[0].Data)
	raw[len(raw)-5] ^= 0x01
	if raw[len(raw)-5] == '.' || raw[len(raw)-5] > 'z' {
		raw[len(raw)-5] = 'A'
	}
	p.Signature[0].Data = base64.StdEncoding.EncodeToString(raw)
	bad, _ := json.Marshal(p)
	if res := (&Verifier{}).Verify(bad, []byte(note)); res.Valid() {
		t.Fatalf("altered signature verified: %s", res.Summary())
	}
}

func TestNewLocalKeyMismatch(t *testing.T) {
	ca := newTestCA(t, "CA")
	a, b := rsaKey(t), rsaKey(t)
	cert := ca.issue(t, "A", &a.PublicKey, 2)
	if _, err := NewLocalKey(b, []*x509.Certificate{cert}); err == nil {
		t.Fatal("a certificate of another key was accepted")
	}
	if _, err := LoadPKCS12([]byte("not a pfx"), "x"); err == nil {
		t.Fatal("garbage accepted as PKCS#12")
	}
	pfx, err := pkcs12.Modern2023.Encode(a, cert, nil, "right")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LoadPKCS12(pfx, "wrong"); err == nil || !strings.Contains(err.Error(), "wrong password") {
		t.Fatalf("wrong password: %v", err)
	}
}

func TestECDSAKey(t *testing.T) {
	ca := newTestCA(t, "CA")
	priv := ecKey(t)
	k, err := NewLocalKey(priv, []*x509.Certificate{ca.issue(t, "EC signer", &priv.PublicKey, 3), ca.cert})
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	if res := (&Verifier{Roots: roots}).Verify(signNote(t, k), []byte(note)); !res.Valid() || len(res.Findings) != 0 {
		t.Fatal(res.Summary())
	}
}

// fakeRemote stands in for a CA's remote-signing service.
type fakeRemote struct {
	key   *rsa.PrivateKey
	chain []*x509.Certificate
	calls int
}

func (f *fakeRemote) Certificates(_ context.Context, cred string) ([]*x509.Certificate, error) {
	if cred != "cred-1" {
		return nil, errors.New("unknown credential")
	}
	return f.chain, nil
}

func (f *fakeRemote) SignHash(ctx context.Context, cred string, digest []byte) ([]byte, error) {
	f.calls++
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return rsa.SignPKCS1v15(rand.Reader, f.key, crypto.SHA256, digest)
}

func TestRemoteKey(t *testing.T) {
	ca := newTestCA(t, "VN Remote CA")
	priv := rsaKey(t)
	svc := &fakeRemote{key: priv, chain: []*x509.Certificate{ca.issue(t, "BS. Lê Thị Hoa", &priv.PublicKey, 4)}}
	ctx := context.Background()
	k, err := NewRemoteKey(ctx, svc, "cred-1")
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.cert)
	if res := (&Verifier{Roots: roots}).Verify(signNote(t, k), []byte(note)); !res.Valid() || svc.calls != 1 {
		t.Fatalf("%s (calls %d)", res.Summary(), svc.calls)
	}
	if _, err := NewRemoteKey(ctx, svc, "nope"); err == nil {
		t.Fatal("unknown credential accepted")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Sign(cctx, k, Request{Target: "Composition/c1/_history/2", Resource: []byte(note), Who: "Practitioner/d1",
		Role: RoleAuthor, Now: signedAt}); err == nil {
		t.Fatal("a cancelled remote signing succeeded")
	}
}

func TestSignRequestErrors(t *testing.T) {
	k := pkcs12Key(t, newTestCA(t, "CA"))
	base := Request{Target: "Composition/c1/_history/2", Resource: []byte(note), Who: "Practitioner/d1", Role: RoleAuthor, Now: signedAt}
	tests := []struct {
		name string
		mod  func(*Request)
	}{
		{"bad target", func(r *Request) { r.Target = "c1" }},
		{"bad who", func(r *Request) { r.Who = "d1" }},
		{"bad role", func(r *Request) { r.Role = "boss" }},
		{"consent without code", func(r *Request) { r.Role = RoleConsent }},
		{"no time", func(r *Request) { r.Now = time.Time{} }},
		{"not json", func(r *Request) { r.Resource = []byte("<xml/>") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := base
			tt.mod(&r)
			if _, err := Sign(context.Background(), k, r); err == nil {
				t.Fatal("no error")
			}
		})
	}
}

func TestVerifyMalformed(t *testing.T) {
	for _, in := range []string{`{}`, `nope`, `{"resourceType":"Provenance","target":[{"reference":"X/1"}]}`,
		`{"resourceType":"Provenance","signature":[{"sigFormat":"application/jose","data":"!!"}]}`,
		`{"resourceType":"Provenance","signature":[{"sigFormat":"application/jose","data":"YS5iLmM="}]}`} {
		res := (&Verifier{}).Verify([]byte(in), []byte(note))
		if res.Valid() || codes(res)[0] != FindingMalformed {
			t.Errorf("%s: %v", in, codes(res))
		}
	}
}
