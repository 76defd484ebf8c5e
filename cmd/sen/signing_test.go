package main

import (
	"crypto/rand"
	"encoding/pem"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

func TestOpenSigning(t *testing.T) {
	dir := t.TempDir()
	log := slog.New(slog.DiscardHandler)
	now := func() time.Time { return time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC) }

	// The demo makes a key once and reuses it.
	first, err := openSigning(&signingFlags{demo: true}, dir, log, now)
	if err != nil || first == nil {
		t.Fatalf("demo key: %v", err)
	}
	again, err := openSigning(&signingFlags{demo: true}, dir, log, now)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := again.Key.Certificates()[0].SerialNumber, first.Key.Certificates()[0].SerialNumber; got.Cmp(want) != 0 {
		t.Fatalf("demo key not reused: serial %v, want %v", got, want)
	}
	if off, err := openSigning(&signingFlags{}, dir, log, now); err != nil || off != nil {
		t.Fatalf("no key outside the demo: got %v, %v; want signing off", off, err)
	}

	// A facility key: the demo file re-encoded under a real password.
	cert := first.Key.Certificates()[0]
	pfx, err := os.ReadFile(filepath.Join(dir, demoKeyFile))
	if err != nil {
		t.Fatal(err)
	}
	priv, c, err := pkcs12.Decode(pfx, demoKeyPassword)
	if err != nil {
		t.Fatal(err)
	}
	facility, err := pkcs12.Modern.Encode(priv, c, nil, "mật-khẩu")
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	keyFile := write("facility.p12", facility)
	goodPW := write("pw", []byte("mật-khẩu\n"))
	badPW := write("bad", []byte("sai"))
	ca := write("ca.pem", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw}))
	notPEM := write("junk.pem", []byte("not a certificate"))
	random := make([]byte, 64)
	rand.Read(random)
	garbage := write("garbage.p12", random)

	tests := []struct {
		name    string
		flags   signingFlags
		wantErr string
	}{
		{"facility key with CA", signingFlags{keyFile: keyFile, passwordFile: goodPW, caFile: ca}, ""},
		{"no password file", signingFlags{keyFile: keyFile}, "--sign-password-file"},
		{"wrong password", signingFlags{keyFile: keyFile, passwordFile: badPW}, "wrong password"},
		{"not PKCS#12", signingFlags{keyFile: garbage, passwordFile: goodPW}, "PKCS#12"},
		{"missing key file", signingFlags{keyFile: filepath.Join(dir, "none.p12"), passwordFile: goodPW}, "--sign-key"},
		{"CA file without certificates", signingFlags{keyFile: keyFile, passwordFile: goodPW, caFile: notPEM}, "no PEM certificate"},
	}
	for _, tt := range tests {
		got, err := openSigning(&tt.flags, dir, log, now)
		if tt.wantErr == "" {
			if err != nil || got == nil || got.Verifier.Roots == nil {
				t.Errorf("%s: got %v, %v; want a key and a trust list", tt.name, got, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: got error %v, want one containing %q", tt.name, err, tt.wantErr)
		}
	}
}
