package sign

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestOTPConfirmation(t *testing.T) {
	otp := &OTP{Secret: []byte("0123456789abcdef0123456789abcdef"), TTL: 5 * time.Minute, MaxAttempts: 3}
	now := signedAt
	code, ch, err := otp.Issue("Consent/k1/_history/1", "Patient/p1", RoleConsent, "zalo", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != 6 || ch.MAC == "" || ch.MAC == code {
		t.Fatalf("code %q challenge %+v", code, ch)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	if _, err := otp.Check(&ch, wrong, now.Add(time.Minute)); !errors.Is(err, ErrCodeWrong) {
		t.Fatalf("wrong code: %v", err)
	}
	cnf, err := otp.Check(&ch, code, now.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	// The facility signs the patient's confirmation.
	k := pkcs12Key(t, newTestCA(t, "CA"))
	consent := `{"resourceType":"Consent","id":"k1","status":"active","patient":{"reference":"Patient/p1"}}`
	prov, err := Sign(context.Background(), k, Request{Target: "Consent/k1/_history/1", Resource: []byte(consent),
		Who: "Patient/p1", OnBehalfOf: "Organization/bv1", Role: RoleConsent, Confirmation: cnf, Now: now.Add(2 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	res := (&Verifier{}).Verify(prov, []byte(consent))
	if !res.Valid() || res.Role != RoleConsent || res.Who != "Patient/p1" {
		t.Fatalf("%+v", res)
	}

	tests := []struct {
		name string
		ch   Challenge
		code string
		at   time.Time
		want error
	}{
		{"expired", ch, code, now.Add(6 * time.Minute), ErrCodeExpired},
		{"too many attempts", func() Challenge { c := ch; c.Attempts = 3; return c }(), code, now, ErrCodeAttempts},
		{"moved to another target", func() Challenge { c := ch; c.Target = "Consent/k2/_history/1"; c.Attempts = 0; return c }(), code, now, ErrCodeWrong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.ch
			if _, err := otp.Check(&c, tt.code, tt.at); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
		})
	}
	if _, _, err := (&OTP{Secret: []byte("short")}).Issue("X/1", "Patient/p1", RoleConsent, "sms", now); err == nil {
		t.Fatal("short secret accepted")
	}
	if _, _, err := otp.Issue("X/1", "Patient/p1", RoleAuthor, "sms", now); err == nil {
		t.Fatal("author role accepted for a patient code")
	}
}
