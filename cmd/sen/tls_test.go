package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestTransportPolicy(t *testing.T) {
	tests := []struct {
		name    string
		addr    string
		flags   tlsFlags
		wantErr string // "" for none
		warn    bool
	}{
		{"loopback IPv4, plain", "127.0.0.1:8080", tlsFlags{}, "", false},
		{"loopback IPv6, plain", "[::1]:8080", tlsFlags{}, "", false},
		{"localhost, plain", "localhost:8080", tlsFlags{}, "", false},
		{"all interfaces, plain", ":8080", tlsFlags{}, "refusing plain HTTP", false},
		{"any address, plain", "0.0.0.0:8080", tlsFlags{}, "từ chối HTTP không mã hóa", false},
		{"LAN address, plain", "192.168.1.10:8080", tlsFlags{}, "--tls-cert", false},
		{"LAN address, insecure by choice", "192.168.1.10:8080", tlsFlags{insecureHTTP: true}, "", true},
		{"loopback, insecure flag is harmless", "127.0.0.1:8080", tlsFlags{insecureHTTP: true}, "", false},
		{"any address, cert and key", "0.0.0.0:8443", tlsFlags{cert: "c.pem", key: "k.pem"}, "", false},
		{"loopback, cert and key", "127.0.0.1:8443", tlsFlags{cert: "c.pem", key: "k.pem"}, "", false},
		{"any address, ACME", ":443", tlsFlags{domains: []string{"emr.example.vn"}}, "", false},
		{"cert without key", "0.0.0.0:8443", tlsFlags{cert: "c.pem"}, "go together", false},
		{"key without cert", "127.0.0.1:8443", tlsFlags{key: "k.pem"}, "cần cả --tls-cert", false},
		{"cert and ACME", ":443", tlsFlags{cert: "c.pem", key: "k.pem", domains: []string{"a.vn"}}, "exclude each other", false},
		{"TLS and insecure", ":443", tlsFlags{cert: "c.pem", key: "k.pem", insecureHTTP: true}, "contradicts", false},
		{"unparsable address", "nonsense", tlsFlags{}, "refusing plain HTTP", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			warn, err := transportPolicy(tt.addr, &tt.flags)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("got error %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("got error %v, want one containing %q", err, tt.wantErr)
			}
			if (warn != "") != tt.warn {
				t.Errorf("warning %q, want one: %v", warn, tt.warn)
			}
		})
	}
}

// writeCert writes a self-signed certificate for 127.0.0.1 and localhost,
// with serial n, to dir/cert.pem and dir/key.pem.
func writeCert(tb testing.TB, dir string, n int64) (certFile, keyFile string, cert *x509.Certificate) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(n), Subject: pkix.Name{CommonName: "sen test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		tb.Fatal(err)
	}
	cert, err = x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return certFile, keyFile, cert
}

// sen serve with --tls-cert/--tls-key answers over HTTPS with HSTS,
// refuses TLS 1.1 and plain HTTP on its port.
func TestHTTPSRoundTrip(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, cert := writeCert(t, dir, 1)
	f := &serverFlags{addr: "127.0.0.1:0", dataDir: dir, db: "sqlite", maxBodyBytes: 1 << 20, shutdownWait: time.Second, noAuth: true,
		tls: tlsFlags{cert: certFile, key: keyFile}}
	a, err := openApp(context.Background(), f, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- a.serve(ctx, pw, nil); pw.Close() }()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("banner: %v", err)
	}
	go io.Copy(io.Discard, pr) //nolint:errcheck // drain the rest of the banner
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	i := strings.Index(line, "https://")
	if i < 0 {
		t.Fatalf("banner does not give an https URL: %q", line)
	}
	base := strings.TrimSuffix(strings.TrimSpace(line[i:]), "/fhir")
	roots := x509.NewCertPool()
	roots.AddCert(cert)

	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, ForceAttemptHTTP2: true}}
	defer client.CloseIdleConnections() // before the server drains
	resp, err := client.Get(base + "/fhir/metadata")
	if err != nil {
		t.Fatalf("HTTPS GET: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "CapabilityStatement") {
		t.Fatalf("HTTPS GET /fhir/metadata: %d %.200s", resp.StatusCode, body)
	}
	if resp.TLS == nil || resp.TLS.Version < tls.VersionTLS12 {
		t.Errorf("connection state %+v, want TLS 1.2 or later", resp.TLS)
	}
	if got := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("Strict-Transport-Security = %q, want max-age", got)
	}
	if resp.ProtoMajor != 2 {
		t.Errorf("protocol %s, want HTTP/2 over TLS", resp.Proto)
	}

	old := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MaxVersion: tls.VersionTLS11}}}
	if resp, err := old.Get(base + "/fhir/metadata"); err == nil {
		resp.Body.Close()
		t.Error("a TLS 1.1 client was served")
	}
	plain := &http.Client{Timeout: 10 * time.Second}
	defer plain.CloseIdleConnections()
	if resp, err := plain.Get(strings.Replace(base, "https://", "http://", 1) + "/fhir/metadata"); err == nil {
		resp.Body.Close()
		if resp.StatusCode == 200 {
			t.Error("plain HTTP on the TLS port was served")
		}
	}
}

// sen serve on a non-loopback address without TLS stops before opening
// anything; --insecure-http lets it start.
func TestServeRefusesPlainHTTPOffLoopback(t *testing.T) {
	dir := t.TempDir()
	_, err := runCmd(t, "serve", "--data-dir", dir, "--addr", "0.0.0.0:0")
	if err == nil || !strings.Contains(err.Error(), "refusing plain HTTP") || !strings.Contains(err.Error(), "từ chối HTTP") {
		t.Fatalf("serve on 0.0.0.0 without TLS: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "sen.db")); err == nil {
		t.Error("the refused start created the database")
	}
	_, err = runCmd(t, "serve", "--data-dir", dir, "--addr", "0.0.0.0:0", "--tls-cert", filepath.Join(dir, "missing.pem"), "--tls-key", filepath.Join(dir, "missing.key"))
	if err == nil || !strings.Contains(err.Error(), "--tls-cert") {
		t.Fatalf("serve with a missing certificate: %v", err)
	}
	f := &serverFlags{addr: "0.0.0.0:0", dataDir: dir, db: "sqlite", maxBodyBytes: 1 << 20, shutdownWait: time.Second,
		tls: tlsFlags{insecureHTTP: true}}
	a, err := openApp(context.Background(), f, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("--insecure-http on 0.0.0.0: %v", err)
	}
	a.close()
}

// A renewed certificate is served without a restart.
func TestCertReload(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, first := writeCert(t, dir, 1)
	r := &certReloader{certFile: certFile, keyFile: keyFile}
	if err := r.load(); err != nil {
		t.Fatal(err)
	}
	serial := func() int64 {
		t.Helper()
		c, err := r.get(nil)
		if err != nil {
			t.Fatal(err)
		}
		return c.Leaf.SerialNumber.Int64()
	}
	if got := serial(); got != first.SerialNumber.Int64() {
		t.Fatalf("serial %d, want %d", got, first.SerialNumber.Int64())
	}
	writeCert(t, dir, 2)
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(certFile, later, later); err != nil {
		t.Fatal(err)
	}
	if got := serial(); got != 1 {
		t.Errorf("re-read before the recheck interval: serial %d", got)
	}
	r.mu.Lock()
	r.checked = time.Now().Add(-2 * certRecheck)
	r.mu.Unlock()
	if got := serial(); got != 2 {
		t.Errorf("after renewal: serial %d, want 2", got)
	}
	// A broken renewal keeps the previous certificate.
	if err := os.WriteFile(certFile, []byte("broken"), 0o600); err != nil {
		t.Fatal(err)
	}
	evenLater := later.Add(time.Minute)
	_ = os.Chtimes(certFile, evenLater, evenLater)
	r.mu.Lock()
	r.checked = time.Now().Add(-2 * certRecheck)
	r.mu.Unlock()
	if got := serial(); got != 2 {
		t.Errorf("after a broken renewal: serial %d, want 2 kept", got)
	}
}
