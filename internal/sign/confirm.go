package sign

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/big"
	"sort"
	"time"
)

// Errors of one-time-code confirmation.
var (
	ErrCodeWrong    = errors.New("the one-time code is wrong / mã xác nhận không đúng")
	ErrCodeExpired  = errors.New("the one-time code has expired / mã xác nhận đã hết hạn")
	ErrCodeAttempts = errors.New("too many wrong codes; ask for a new one / nhập sai quá nhiều lần, hãy yêu cầu mã mới")
)

// Confirmation is the evidence of a patient's one-time-code confirmation
// that goes into the JWS header of the facility's signature (Circular
// 13/2025 Art. 3: "another form of e-confirmation", Law on Electronic
// Transactions 2023 Art. 22(4)).
type Confirmation struct {
	Method      string `json:"method"`  // "otp"
	Channel     string `json:"channel"` // "sms", "zalo", "app"
	Challenge   string `json:"challenge"`
	ConfirmedAt string `json:"confirmedAt"`
}

// Challenge is an issued one-time code, as the caller stores it until the
// patient answers. It holds a MAC of the code, never the code.
type Challenge struct {
	ID       string    `json:"id"`
	Target   string    `json:"target"`
	Who      string    `json:"who"`
	Purpose  Role      `json:"purpose"`
	Channel  string    `json:"channel"`
	Expires  time.Time `json:"expires"`
	MAC      string    `json:"mac"`
	Attempts int       `json:"attempts"`
}

// OTP issues and checks six-digit one-time codes. Secret keys the MACs;
// it must be random and kept by the facility.
type OTP struct {
	Secret      []byte
	TTL         time.Duration // 0: 5 minutes
	MaxAttempts int           // 0: 5
	Rand        io.Reader     // nil: crypto/rand
}

// Issue creates a code for who to confirm purpose on target; the caller
// sends the code through channel and stores the Challenge.
func (o *OTP) Issue(target, who string, purpose Role, channel string, now time.Time) (string, Challenge, error) {
	if len(o.Secret) < 16 {
		return "", Challenge{}, errors.New("one-time code: the secret must have at least 16 bytes")
	}
	if purpose != RoleConsent && purpose != RoleReceipt {
		return "", Challenge{}, fmt.Errorf("one-time code: purpose %q is not a patient confirmation", purpose)
	}
	r := o.Rand
	if r == nil {
		r = rand.Reader
	}
	n, err := rand.Int(r, big.NewInt(1_000_000))
	if err != nil {
		return "", Challenge{}, fmt.Errorf("one-time code: %w", err)
	}
	id := make([]byte, 12)
	if _, err := io.ReadFull(r, id); err != nil {
		return "", Challenge{}, fmt.Errorf("one-time code: %w", err)
	}
	ttl := o.TTL
	if ttl <= 0 {
		ttl = 5 * time.Minute
	}
	code := fmt.Sprintf("%06d", n.Int64())
	ch := Challenge{ID: base64.RawURLEncoding.EncodeToString(id), Target: target, Who: who, Purpose: purpose,
		Channel: channel, Expires: now.Add(ttl).UTC()}
	ch.MAC = o.mac(ch, code)
	return code, ch, nil
}

func (o *OTP) mac(ch Challenge, code string) string {
	m := hmac.New(sha256.New, o.Secret)
	fmt.Fprintf(m, "%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%s", ch.ID, ch.Target, ch.Who, ch.Purpose, ch.Channel, ch.Expires.Unix(), code)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Check compares code with the challenge. It counts the attempt in
// ch.Attempts (the caller stores ch again), and on success returns the
// Confirmation to put into Request.Confirmation.
func (o *OTP) Check(ch *Challenge, code string, now time.Time) (*Confirmation, error) {
	maxAttempts := o.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = 5
	}
	if ch.Attempts >= maxAttempts {
		return nil, ErrCodeAttempts
	}
	ch.Attempts++
	if now.After(ch.Expires) {
		return nil, ErrCodeExpired
	}
	if !hmac.Equal([]byte(o.mac(*ch, code)), []byte(ch.MAC)) {
		return nil, ErrCodeWrong
	}
	return &Confirmation{Method: "otp", Channel: ch.Channel, Challenge: ch.ID, ConfirmedAt: now.UTC().Format(time.RFC3339)}, nil
}

func sortStrings(s []string) { sort.Strings(s) }
