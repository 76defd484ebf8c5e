package reminder

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

var b64 = base64.RawURLEncoding

// decryptPush opens an RFC 8291 Web Push message (RFC 8188 aes128gcm,
// one record) as the browser does, with its private key and auth secret.
// It is written from the RFCs, independently of the library under test.
func decryptPush(body []byte, ua *ecdh.PrivateKey, auth []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("short body")
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if len(body) < 21+idlen || rs < 18 {
		return nil, errors.New("bad header")
	}
	asPublic, ct := body[21:21+idlen], body[21+idlen:]
	if len(ct) > int(rs) {
		return nil, errors.New("more than one record")
	}
	as, err := ecdh.P256().NewPublicKey(asPublic)
	if err != nil {
		return nil, err
	}
	secret, err := ua.ECDH(as)
	if err != nil {
		return nil, err
	}
	// RFC 8291 §3.3: IKM from the ECDH secret and the auth secret.
	prkKey, err := hkdf.Extract(sha256.New, secret, auth)
	if err != nil {
		return nil, err
	}
	info := "WebPush: info\x00" + string(ua.PublicKey().Bytes()) + string(asPublic)
	ikm, err := hkdf.Expand(sha256.New, prkKey, info, 32)
	if err != nil {
		return nil, err
	}
	// RFC 8188 §2.2, §2.3: content-encryption key and nonce.
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, nonce, ct, nil)
	if err != nil {
		return nil, err
	}
	// Padding: the last record ends with 0x02 followed by zeros.
	i := len(plain) - 1
	for i >= 0 && plain[i] == 0 {
		i--
	}
	if i < 0 || plain[i] != 2 {
		return nil, errors.New("no last-record delimiter")
	}
	return plain[:i], nil
}

// The decryption itself is checked against the worked example of RFC 8291
// Appendix A (published test keys, not secrets).
func TestDecryptPushRFC8291Example(t *testing.T) {
	must := func(s string) []byte {
		b, err := b64.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	ua, err := ecdh.P256().NewPrivateKey(must("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"))
	if err != nil {
		t.Fatal(err)
	}
	if got := b64.EncodeToString(ua.PublicKey().Bytes()); got != "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4" {
		t.Fatalf("ua public key %s", got)
	}
	body := must("DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN")
	plain, err := decryptPush(body, ua, must("BTBZMqHH6r4Tts7J_aSIgg"))
	if err != nil || string(plain) != "When I grow up, I want to be a watermelon" {
		t.Fatalf("decrypt = %q, %v", plain, err)
	}
	body[len(body)-1] ^= 1
	if _, err := decryptPush(body, ua, must("BTBZMqHH6r4Tts7J_aSIgg")); err == nil {
		t.Error("tampered message decrypted")
	}
}

// browser is a push subscriber: its key pair and auth secret.
type browser struct {
	key  *ecdh.PrivateKey
	auth []byte
}

func newBrowser(t testing.TB) browser {
	t.Helper()
	k, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	auth := make([]byte, 16)
	rand.Read(auth)
	return browser{k, auth}
}

func (b browser) subscription(endpoint string) Subscription {
	var s Subscription
	s.Endpoint = endpoint
	s.Keys.P256dh = b64.EncodeToString(b.key.PublicKey().Bytes())
	s.Keys.Auth = b64.EncodeToString(b.auth)
	return s
}

// pushService is a local push service: it checks each message's VAPID
// JWT (ES256 signature with the key in k=, aud, exp, sub) like a real one,
// decrypts it for the subscribed browser and records the plain text.
type pushService struct {
	t        testing.TB
	srv      *httptest.Server
	vapidPub string // the key subscriptions were made with
	subject  string
	browsers map[string]browser // by path
	status   int                // answer for /live paths (default 201)

	mu       sync.Mutex
	received []string
}

func newPushService(t testing.TB, vapidPub, subject string) *pushService {
	p := &pushService{t: t, vapidPub: vapidPub, subject: subject, browsers: map[string]browser{}, status: http.StatusCreated}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *pushService) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if strings.HasPrefix(r.URL.Path, "/gone/") {
		w.WriteHeader(http.StatusGone)
		return
	}
	if err := p.checkVAPID(r.Header.Get("Authorization")); err != nil {
		http.Error(w, err.Error(), http.StatusForbidden) // what FCM and autopush answer
		return
	}
	if r.Header.Get("Content-Encoding") != "aes128gcm" || r.Header.Get("TTL") == "" {
		http.Error(w, "headers", http.StatusBadRequest)
		return
	}
	b, ok := p.browsers[r.URL.Path]
	if !ok {
		http.NotFound(w, r)
		return
	}
	plain, err := decryptPush(body, b.key, b.auth)
	if err != nil {
		p.t.Errorf("push service: cannot decrypt: %v", err)
		http.Error(w, "decrypt", http.StatusBadRequest)
		return
	}
	if p.status != http.StatusCreated {
		w.WriteHeader(p.status)
		return
	}
	p.mu.Lock()
	p.received = append(p.received, string(plain))
	n := len(p.received)
	p.mu.Unlock()
	w.Header().Set("Location", fmt.Sprintf("%s/m/%d", p.srv.URL, n))
	w.WriteHeader(http.StatusCreated)
}

// checkVAPID verifies "vapid t=<JWT>, k=<public key>" (RFC 8292).
func (p *pushService) checkVAPID(h string) error {
	rest, ok := strings.CutPrefix(h, "vapid ")
	if !ok {
		return errors.New("no vapid authorization")
	}
	var tok, k string
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		if v, ok := strings.CutPrefix(part, "t="); ok {
			tok = v
		}
		if v, ok := strings.CutPrefix(part, "k="); ok {
			k = v
		}
	}
	if k != p.vapidPub {
		return errors.New("k is not the key of the subscription")
	}
	pub, err := b64.DecodeString(k)
	if err != nil {
		return err
	}
	x, y := elliptic.Unmarshal(elliptic.P256(), pub) //nolint:staticcheck // the test needs the point's coordinates
	if x == nil {
		return errors.New("k is not a P-256 point")
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return errors.New("not a JWT")
	}
	var head struct{ Alg, Typ string }
	var claims struct {
		Aud string `json:"aud"`
		Exp int64  `json:"exp"`
		Sub string `json:"sub"`
	}
	for i, v := range []any{&head, &claims} {
		b, err := b64.DecodeString(parts[i])
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, v); err != nil {
			return err
		}
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil || len(sig) != 64 || head.Alg != "ES256" {
		return errors.New("not an ES256 signature")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	key := &ecdsa.PublicKey{Curve: elliptic.P256(), X: x, Y: y}
	if !ecdsa.Verify(key, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return errors.New("bad signature")
	}
	now := time.Now()
	switch {
	case claims.Aud != p.srv.URL:
		return fmt.Errorf("aud %q, want %q", claims.Aud, p.srv.URL)
	case claims.Exp <= now.Unix() || claims.Exp > now.Add(24*time.Hour).Unix():
		return fmt.Errorf("exp %d not within 24 h", claims.Exp)
	case claims.Sub != p.subject:
		return fmt.Errorf("sub %q, want %q", claims.Sub, p.subject)
	}
	return nil
}

func (p *pushService) messages() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.received...)
}

func openTestPushStore(t testing.TB, host string) *PushStore {
	t.Helper()
	s, err := OpenPushStore(context.Background(), filepath.Join(t.TempDir(), "push.db"), PushPolicy{Hosts: []string{host}, AllowHTTP: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// End to end: the WebPush channel encrypts for each of the patient's
// browsers and signs with VAPID; the local push service verifies the JWT
// and decrypts the text; a subscription the service says is gone is
// removed.
func TestWebPushEndToEnd(t *testing.T) {
	ctx := context.Background()
	keys, err := NewVAPID()
	if err != nil {
		t.Fatal(err)
	}
	svc := newPushService(t, keys.Public, "mailto:ops@sen.example")
	store := openTestPushStore(t, "127.0.0.1")
	phone, laptop := newBrowser(t), newBrowser(t)
	svc.browsers["/live/phone"] = phone
	for _, s := range []Subscription{phone.subscription(svc.srv.URL + "/live/phone"), laptop.subscription(svc.srv.URL + "/gone/laptop")} {
		if err := store.Subscribe(ctx, "p1", s); err != nil {
			t.Fatal(err)
		}
	}
	wp := &WebPush{Keys: keys, Subject: "mailto:ops@sen.example", Store: store, Policy: PushPolicy{Hosts: []string{"127.0.0.1"}, AllowHTTP: true}, Client: svc.srv.Client()}
	m := testMessage()
	m.To = "" // push needs no phone
	receipt, err := wp.Send(ctx, m)
	if err != nil || receipt != svc.srv.URL+"/m/1" {
		t.Fatalf("Send = %q, %v", receipt, err)
	}
	got := svc.messages()
	if len(got) != 1 {
		t.Fatalf("push service received %d messages, want 1", len(got))
	}
	var n struct{ Title, Body, Tag, URL string }
	if err := json.Unmarshal([]byte(got[0]), &n); err != nil {
		t.Fatalf("payload %q: %v", got[0], err)
	}
	if n.Title != "Sen" || n.Body != "Sen nhắc: đến giờ uống Amlodipin 5 mg lúc 07:00. Trả lời 1 nếu đã uống, 2 nếu chưa." || n.Tag != "r1" || n.URL != "/me" {
		t.Errorf("decrypted notification %+v", n)
	}
	subs, _ := store.List(ctx, "p1")
	if len(subs) != 1 || !strings.HasSuffix(subs[0].Endpoint, "/live/phone") {
		t.Errorf("after a 410 the subscriptions are %v, want the phone only", subs)
	}
	// English, to the remaining browser.
	m.English = true
	if _, err := wp.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	if got := svc.messages(); len(got) != 2 || !strings.Contains(got[1], `"body":"Sen: time for your Amlodipin 5 mg at 07:00. Reply 1 when taken, 2 if not."`) {
		t.Errorf("english message: %v", got)
	}

	tests := []struct {
		name      string
		wp        *WebPush
		patient   string
		status    int
		permanent bool
		err       string
	}{
		{"no subscription", wp, "p2", 0, true, "no address"},
		{"signed with another key", &WebPush{Keys: mustVAPID(t), Subject: "mailto:ops@sen.example", Store: store, Policy: wp.Policy, Client: svc.srv.Client()},
			"p1", 0, true, "HTTP 403"},
		{"push service overloaded", wp, "p1", http.StatusServiceUnavailable, false, "HTTP 503"},
		{"push service refuses", wp, "p1", http.StatusRequestEntityTooLarge, true, "HTTP 413"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			svc.status = http.StatusCreated
			if tt.status != 0 {
				svc.status = tt.status
			}
			m := testMessage()
			m.Reminder.Patient = "Patient/" + tt.patient
			_, err := tt.wp.Send(ctx, m)
			if err == nil || !strings.Contains(err.Error(), tt.err) || Permanent(err) != tt.permanent {
				t.Errorf("Send: %v (permanent %v), want %q permanent %v", err, Permanent(err), tt.err, tt.permanent)
			}
		})
	}
	if n := len(svc.messages()); n != 2 {
		t.Errorf("%d messages delivered in all, want 2", n)
	}
}

func mustVAPID(t testing.TB) VAPID {
	k, err := NewVAPID()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestPushPolicy(t *testing.T) {
	b := newBrowser(t)
	good := b.subscription("https://fcm.googleapis.com/fcm/send/abc:def")
	tests := []struct {
		name   string
		policy PushPolicy
		edit   func(*Subscription)
		ok     bool
	}{
		{"fcm", PushPolicy{}, nil, true},
		{"mozilla", PushPolicy{}, func(s *Subscription) { s.Endpoint = "https://updates.push.services.mozilla.com/wpush/v2/x" }, true},
		{"apple", PushPolicy{}, func(s *Subscription) { s.Endpoint = "https://web.push.apple.com/QGuQ" }, true},
		{"windows", PushPolicy{}, func(s *Subscription) { s.Endpoint = "https://wns2-par02p.notify.windows.com/w/?token=x" }, true},
		{"padded base64 keys", PushPolicy{}, func(s *Subscription) { s.Keys.Auth = base64.URLEncoding.EncodeToString(b.auth) }, true},
		{"unknown host", PushPolicy{}, func(s *Subscription) { s.Endpoint = "https://evil.example/push" }, false},
		{"look-alike host", PushPolicy{}, func(s *Subscription) { s.Endpoint = "https://fcm.googleapis.com.evil.example/x" }, false},
		{"internal address", PushPolicy{}, func(s *Subscription) { s.Endpoint = "https://10.0.0.5/x" }, false},
		{"plain http", PushPolicy{}, func(s *Subscription) { s.Endpoint = "http://fcm.googleapis.com/x" }, false},
		{"user info", PushPolicy{}, func(s *Subscription) { s.Endpoint = "https://a@fcm.googleapis.com/x" }, false},
		{"own push service", PushPolicy{Hosts: []string{"push.benhvien.vn"}}, func(s *Subscription) { s.Endpoint = "https://push.benhvien.vn/x" }, true},
		{"bad p256dh", PushPolicy{}, func(s *Subscription) { s.Keys.P256dh = b64.EncodeToString(make([]byte, 65)) }, false},
		{"short auth", PushPolicy{}, func(s *Subscription) { s.Keys.Auth = b64.EncodeToString(make([]byte, 8)) }, false},
		{"auth not base64", PushPolicy{}, func(s *Subscription) { s.Keys.Auth = "!!" }, false},
		{"endpoint too long", PushPolicy{}, func(s *Subscription) { s.Endpoint += strings.Repeat("x", 2100) }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := good
			if tt.edit != nil {
				tt.edit(&s)
			}
			if err := tt.policy.Validate(s); (err == nil) != tt.ok {
				t.Errorf("Validate = %v, want ok %v", err, tt.ok)
			}
		})
	}
}

func TestPushStore(t *testing.T) {
	ctx := context.Background()
	s := openTestPushStore(t, "push.test")
	clock := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	s.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	b := newBrowser(t)
	for i := range MaxPushSubscriptions + 2 {
		if err := s.Subscribe(ctx, "p1", b.subscription(fmt.Sprintf("http://push.test/%02d", i))); err != nil {
			t.Fatal(err)
		}
	}
	// The caregiver's browser, subscribed for a second patient too.
	if err := s.Subscribe(ctx, "p2", b.subscription("http://push.test/00")); err != nil {
		t.Fatal(err)
	}
	subs, err := s.List(ctx, "p1")
	if err != nil || len(subs) != MaxPushSubscriptions || !strings.HasSuffix(subs[0].Endpoint, "/02") {
		t.Fatalf("p1: %d subscriptions from %v, %v; want the newest %d", len(subs), subs[0].Endpoint, err, MaxPushSubscriptions)
	}
	if err := s.Remove(ctx, "p1", subs[0].Endpoint); err != nil {
		t.Fatal(err)
	}
	if subs, _ := s.List(ctx, "p1"); len(subs) != MaxPushSubscriptions-1 {
		t.Errorf("after Remove: %d", len(subs))
	}
	if subs, _ := s.List(ctx, "p2"); len(subs) != 1 {
		t.Errorf("p2: %v", subs)
	}
	bad := b.subscription("https://evil.example/x")
	if err := s.Subscribe(ctx, "p1", bad); !errors.Is(err, ErrBadSubscription) {
		t.Errorf("bad subscription: %v", err)
	}
	if err := s.Subscribe(ctx, "", b.subscription("http://push.test/x")); !errors.Is(err, ErrBadSubscription) {
		t.Errorf("no patient: %v", err)
	}
}

func TestLoadOrCreateVAPID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "vapid.json")
	k1, created, err := LoadOrCreateVAPID(path)
	if err != nil || !created {
		t.Fatalf("first start: %v, created %v", err, created)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file mode %v, %v; want 0600", fi.Mode(), err)
	}
	k2, created, err := LoadOrCreateVAPID(path)
	if err != nil || created || k2 != k1 {
		t.Fatalf("second start: %+v created %v %v; want the same keys", k2, created, err)
	}
	if pub, _ := b64.DecodeString(k1.Public); len(pub) != 65 || pub[0] != 4 {
		t.Errorf("public key is not an uncompressed P-256 point: %d bytes", len(pub))
	}
	k3, err := VAPIDFromPrivate(k1.Private)
	if err != nil || k3 != k1 {
		t.Errorf("VAPIDFromPrivate: %+v %v", k3, err)
	}
	for _, bad := range []string{"", "!!!", b64.EncodeToString(make([]byte, 32))} {
		if _, err := VAPIDFromPrivate(bad); err == nil {
			t.Errorf("VAPIDFromPrivate(%q): no error", bad)
		}
	}
	other := mustVAPID(t)
	os.WriteFile(path, []byte(`{"privateKey":"`+k1.Private+`","publicKey":"`+other.Public+`"}`), 0o600)
	if _, _, err := LoadOrCreateVAPID(path); err == nil || strings.Contains(err.Error(), k1.Private) {
		t.Errorf("mismatched key file: %v", err)
	}
}
