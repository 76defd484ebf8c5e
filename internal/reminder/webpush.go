package reminder

import (
	"context"
	"crypto/ecdh"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"
)

// VAPID is the server's Voluntary Application Server Identification key
// pair (RFC 8292): push services accept only messages signed with the
// private key of the public key a subscription was made with.
type VAPID struct {
	// Private is the P-256 private scalar, base64url without padding. It
	// is a secret: never logged, never printed.
	Private string `json:"privateKey"`
	// Public is the uncompressed P-256 point (65 bytes), base64url
	// without padding: the applicationServerKey the browser subscribes
	// with.
	Public string `json:"publicKey"`
}

// NewVAPID generates a key pair.
func NewVAPID() (VAPID, error) {
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		return VAPID{}, fmt.Errorf("vapid: generate: %w", err)
	}
	return VAPID{Private: priv, Public: pub}, nil
}

// VAPIDFromPrivate rebuilds the key pair from the private key (base64url,
// padded or not), so that a deployment configures one value.
func VAPIDFromPrivate(private string) (VAPID, error) {
	b, err := decodeB64(private)
	if err != nil {
		return VAPID{}, errors.New("vapid: private key is not base64url / khoá VAPID không phải base64url")
	}
	k, err := ecdh.P256().NewPrivateKey(b)
	if err != nil {
		return VAPID{}, errors.New("vapid: not a P-256 private key / không phải khoá riêng P-256")
	}
	return VAPID{Private: base64.RawURLEncoding.EncodeToString(b), Public: base64.RawURLEncoding.EncodeToString(k.PublicKey().Bytes())}, nil
}

// LoadOrCreateVAPID reads the key pair kept in the JSON file at path, or
// generates one and writes it there (mode 0600, atomically) when the file
// does not exist. created reports which.
func LoadOrCreateVAPID(path string) (k VAPID, created bool, err error) {
	b, err := os.ReadFile(path)
	switch {
	case err == nil:
		var f VAPID
		if err := json.Unmarshal(b, &f); err != nil {
			return VAPID{}, false, fmt.Errorf("vapid: %s: %w", path, err)
		}
		k, err := VAPIDFromPrivate(f.Private)
		if err != nil {
			return VAPID{}, false, fmt.Errorf("%s: %w", path, err)
		}
		if f.Public != "" && f.Public != k.Public {
			return VAPID{}, false, fmt.Errorf("vapid: %s: public key does not match the private key", path)
		}
		return k, false, nil
	case !errors.Is(err, os.ErrNotExist):
		return VAPID{}, false, fmt.Errorf("vapid: %w", err)
	}
	if k, err = NewVAPID(); err != nil {
		return VAPID{}, false, err
	}
	b, err = json.MarshalIndent(k, "", "  ")
	if err != nil {
		return VAPID{}, false, err
	}
	if err := writeSecret(path, append(b, '\n')); err != nil {
		return VAPID{}, false, fmt.Errorf("vapid: write %s: %w", path, err)
	}
	return k, true, nil
}

// writeSecret writes a file readable by its owner only, atomically: a
// crash leaves the old file or the new one, never half of it.
func writeSecret(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".vapid-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after the rename, a no-op
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(b)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func decodeB64(s string) ([]byte, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "=")
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b, nil
	}
	return base64.RawStdEncoding.DecodeString(s)
}

// Subscription is a browser's push subscription (PushSubscription.toJSON()
// in the patient app): where to post, and the keys to encrypt for.
type Subscription struct {
	Endpoint string `json:"endpoint"`
	Keys     struct {
		P256dh string `json:"p256dh"` // the browser's P-256 public key, base64url
		Auth   string `json:"auth"`   // the 16-byte authentication secret, base64url
	} `json:"keys"`
}

// DefaultPushHosts are the push services of the browsers in use (Chrome,
// Edge, Firefox, Safari; Android browsers use FCM): an endpoint must be
// one of them or a sub-domain. Checking it keeps a patient account from
// making the server post to an address of its choosing.
var DefaultPushHosts = []string{"fcm.googleapis.com", "push.services.mozilla.com", "push.apple.com", "notify.windows.com"}

// PushPolicy says which endpoints the server will post to.
type PushPolicy struct {
	Hosts     []string // allowed hosts (and their sub-domains); nil is DefaultPushHosts
	AllowHTTP bool     // tests only: plain-HTTP endpoints on any host of Hosts
}

// Validate checks a subscription before it is stored or used.
func (p PushPolicy) Validate(s Subscription) error {
	if len(s.Endpoint) > 2048 {
		return errors.New("push subscription: endpoint too long / địa chỉ đăng ký quá dài")
	}
	u, err := url.Parse(s.Endpoint)
	if err != nil || u.Host == "" || u.User != nil || !(u.Scheme == "https" || p.AllowHTTP && u.Scheme == "http") {
		return errors.New("push subscription: endpoint must be an https URL / địa chỉ đăng ký phải là URL https")
	}
	if !p.allowed(u.Hostname()) {
		return fmt.Errorf("push subscription: %s is not a known push service / %s không phải dịch vụ đẩy được chấp nhận", u.Hostname(), u.Hostname())
	}
	k, err := decodeB64(s.Keys.P256dh)
	if err == nil {
		_, err = ecdh.P256().NewPublicKey(k)
	}
	if err != nil {
		return errors.New("push subscription: p256dh is not a P-256 public key / khoá p256dh không hợp lệ")
	}
	if a, err := decodeB64(s.Keys.Auth); err != nil || len(a) != 16 {
		return errors.New("push subscription: auth must be 16 bytes / khoá auth phải dài 16 byte")
	}
	return nil
}

func (p PushPolicy) allowed(host string) bool {
	hosts := p.Hosts
	if hosts == nil {
		hosts = DefaultPushHosts
	}
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if !p.AllowHTTP && net.ParseIP(host) != nil {
		return false
	}
	for _, h := range hosts {
		h = strings.ToLower(strings.TrimSpace(h))
		if h != "" && (host == h || strings.HasSuffix(host, "."+h)) {
			return true
		}
	}
	return false
}

// Subscriptions is where WebPush finds a patient's browsers.
type Subscriptions interface {
	// List returns the subscriptions of a patient (a FHIR id), oldest
	// first.
	List(ctx context.Context, patient string) ([]Subscription, error)
	// Remove forgets one (the push service said it is gone).
	Remove(ctx context.Context, patient, endpoint string) error
}

// WebPush sends a notification to every browser the patient subscribed
// (the patient app at /me), encrypted for it (RFC 8291, aes128gcm) and
// signed with the server's VAPID key (RFC 8292). A subscription the push
// service reports gone (404, 410) is removed. The payload is JSON
// {"title", "body", "tag", "url"} for the app's service worker.
type WebPush struct {
	Keys VAPID
	// Subject is the contact push services may use: "mailto:ops@…" or
	// an https URL.
	Subject string
	Store   Subscriptions
	Policy  PushPolicy
	// Client sends the requests; nil uses a client with a 15 s time-out.
	Client *http.Client
	// TTL is how long a push service keeps a message for a device that
	// is offline (default 1 h, the life of a dose reminder).
	TTL time.Duration
}

func (*WebPush) Name() string { return "push" }

// Send delivers to all the patient's subscriptions: it succeeds if one
// took the message (the receipts, space-separated), fails temporarily
// if none did and one may later, and permanently otherwise.
func (w *WebPush) Send(ctx context.Context, m Message) (string, error) {
	patient := strings.TrimPrefix(m.Reminder.Patient, "Patient/")
	subs, err := w.Store.List(ctx, patient)
	if err != nil {
		return "", &GatewayError{Message: "push subscriptions: " + err.Error(), Temporary: true}
	}
	if len(subs) == 0 {
		return "", fmt.Errorf("push: %w", ErrNoAddress)
	}
	payload, err := json.Marshal(map[string]string{"title": "Sen", "body": text(m), "tag": m.Reminder.ID, "url": "/me"})
	if err != nil {
		return "", fmt.Errorf("push: %w", err)
	}
	var receipts []string
	var errs []error
	for _, s := range subs {
		r, err := w.send(ctx, patient, s, payload)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		receipts = append(receipts, r)
	}
	if len(receipts) > 0 {
		return strings.Join(receipts, " "), nil
	}
	for _, e := range errs {
		if !Permanent(e) {
			return "", fmt.Errorf("push: %w", e)
		}
	}
	return "", fmt.Errorf("push: %w: %w", ErrNoAddress, errors.Join(errs...))
}

func (w *WebPush) send(ctx context.Context, patient string, s Subscription, payload []byte) (string, error) {
	if err := w.Policy.Validate(s); err != nil {
		_ = w.Store.Remove(ctx, patient, s.Endpoint)
		return "", &GatewayError{Message: err.Error()}
	}
	ttl := w.TTL
	if ttl <= 0 {
		ttl = time.Hour
	}
	client := w.Client
	if client == nil {
		client = defaultClient
	}
	sub := &webpush.Subscription{Endpoint: s.Endpoint, Keys: webpush.Keys{P256dh: s.Keys.P256dh, Auth: s.Keys.Auth}}
	resp, err := webpush.SendNotificationWithContext(ctx, payload, sub, &webpush.Options{
		HTTPClient: client,
		// The library adds "mailto:" to anything that is not https.
		Subscriber:      strings.TrimPrefix(w.Subject, "mailto:"),
		VAPIDPublicKey:  w.Keys.Public,
		VAPIDPrivateKey: w.Keys.Private,
		TTL:             int(ttl / time.Second),
		Urgency:         webpush.UrgencyHigh,
	})
	if err != nil {
		if ctx.Err() != nil || isNetError(err) {
			return "", &GatewayError{Message: transportMessage(err), Temporary: true}
		}
		return "", &GatewayError{Message: err.Error()} // encryption or key error: not retried
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode <= 299:
		if loc := resp.Header.Get("Location"); loc != "" {
			return loc, nil
		}
		return fmt.Sprintf("push-%d", resp.StatusCode), nil
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		// Unsubscribed or expired: forget it, so it is not tried again.
		_ = w.Store.Remove(ctx, patient, s.Endpoint)
		return "", &GatewayError{Status: resp.StatusCode, Message: "subscription gone / đăng ký đã hết hiệu lực"}
	}
	return "", httpError(resp.StatusCode, body)
}

func isNetError(err error) bool {
	var ne net.Error
	var ue *url.Error
	return errors.As(err, &ne) || errors.As(err, &ue)
}
