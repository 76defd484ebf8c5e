package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/crypto/acme/autocert"
)

// Encryption in transit (technical guidance 365/TTYQG-GPQLCL; docs/security.md).
// sen serve speaks HTTPS with --tls-cert/--tls-key (PEM files, re-read
// when they change, so a renewed certificate needs no restart) or with
// --tls-domain (certificates from an ACME authority such as Let's Encrypt,
// by the TLS-ALPN-01 challenge on the listening port, kept in
// --data-dir/acme). Plain HTTP is allowed on a loopback address
// (development, or a TLS proxy on the same host); on any other address it
// is refused unless --insecure-http says it is meant.

// tlsFlags configure the listener.
type tlsFlags struct {
	cert, key    string
	domains      []string
	insecureHTTP bool

	// config is the TLS configuration prepare built (nil: plain HTTP).
	config *tls.Config
}

func (f *tlsFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.cert, "tls-cert", "", "PEM certificate chain for HTTPS (with --tls-key) / chứng thư TLS")
	fl.StringVar(&f.key, "tls-key", "", "PEM private key for HTTPS (with --tls-cert) / khóa riêng TLS")
	fl.StringSliceVar(&f.domains, "tls-domain", nil, "serve HTTPS with certificates from Let's Encrypt (ACME) for these domains; --addr must be reachable on port 443 / tên miền nhận chứng thư ACME")
	fl.BoolVar(&f.insecureHTTP, "insecure-http", false, "allow plain HTTP on a non-loopback address (not for patient data) / cho phép HTTP không mã hóa")
}

// on reports whether HTTPS is configured.
func (f *tlsFlags) on() bool { return f.cert != "" || f.key != "" || len(f.domains) > 0 }

// errPlainHTTP refuses plain HTTP on a non-loopback address.
var errPlainHTTP = errors.New("refusing plain HTTP on a non-loopback address: give --tls-cert and --tls-key, or --tls-domain, " +
	"or listen on 127.0.0.1 behind a TLS proxy; --insecure-http allows it knowingly / " +
	"từ chối HTTP không mã hóa trên địa chỉ không phải loopback: cần --tls-cert và --tls-key, hoặc --tls-domain, " +
	"hoặc nghe trên 127.0.0.1 sau một proxy TLS; --insecure-http để cho phép có chủ ý")

// transportPolicy checks the flags against the address: the error says
// what is wrong, warn what is allowed but unsafe.
func transportPolicy(addr string, f *tlsFlags) (warn string, err error) {
	switch {
	case (f.cert == "") != (f.key == ""):
		return "", errors.New("--tls-cert and --tls-key go together / cần cả --tls-cert và --tls-key")
	case f.cert != "" && len(f.domains) > 0:
		return "", errors.New("--tls-cert/--tls-key and --tls-domain exclude each other / chỉ chọn một trong hai cách cấp chứng thư")
	case f.on() && f.insecureHTTP:
		return "", errors.New("--insecure-http contradicts --tls-cert/--tls-domain / --insecure-http mâu thuẫn với cấu hình TLS")
	case f.on(), isLoopback(addr):
		return "", nil
	case f.insecureHTTP:
		return "PLAIN HTTP on " + addr + " (--insecure-http): health data crosses the network unencrypted / " +
			"HTTP không mã hóa: dữ liệu sức khỏe đi qua mạng không được mã hóa", nil
	}
	return "", fmt.Errorf("--addr %s: %w", addr, errPlainHTTP)
}

// prepare applies the policy and builds the TLS configuration, so that a
// bad address, certificate or key fails at start, before anything opens.
func (f *tlsFlags) prepare(addr, dataDir string, log *slog.Logger) error {
	warn, err := transportPolicy(addr, f)
	if err != nil {
		return err
	}
	if warn != "" {
		log.Warn(warn)
	}
	f.config = nil
	switch {
	case f.cert != "":
		r := &certReloader{certFile: f.cert, keyFile: f.key}
		if err := r.load(); err != nil {
			return err
		}
		f.config = &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: r.get}
		log.Info("serving HTTPS / phục vụ HTTPS", "cert", f.cert, "not_after", r.notAfter())
	case len(f.domains) > 0:
		dir := filepath.Join(dataDir, "acme")
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("ACME certificate cache: %w", err)
		}
		m := &autocert.Manager{Prompt: autocert.AcceptTOS, HostPolicy: autocert.HostWhitelist(f.domains...), Cache: autocert.DirCache(dir)}
		f.config = m.TLSConfig()
		f.config.MinVersion = tls.VersionTLS12
		log.Info("serving HTTPS with ACME certificates / phục vụ HTTPS, chứng thư ACME", "domains", f.domains, "cache", dir)
	}
	return nil
}

// scheme is the URL scheme served.
func (f *tlsFlags) scheme() string {
	if f.config != nil {
		return "https"
	}
	return "http"
}

// hsts tells browsers to use HTTPS only, for two years, when TLS is on
// (RFC 6797); over plain HTTP the header would be ignored, so it is not sent.
func (f *tlsFlags) hsts(h http.Handler) http.Handler {
	if f.config == nil {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=63072000")
		h.ServeHTTP(w, r)
	})
}

// serve runs srv on ln, over TLS when configured (HTTP/2 included).
func (f *tlsFlags) serve(srv *http.Server, ln net.Listener) error {
	if f.config == nil {
		return srv.Serve(ln)
	}
	srv.TLSConfig = f.config.Clone()
	return srv.ServeTLS(ln, "", "")
}

// certReloader serves a certificate from PEM files and reads them again
// when they change (checked at most every certRecheck), so that a renewed
// certificate is picked up without a restart. A renewal that cannot be
// read keeps the previous certificate.
type certReloader struct {
	certFile, keyFile string

	mu      sync.Mutex
	cert    *tls.Certificate
	mod     time.Time
	checked time.Time
}

const certRecheck = 10 * time.Second

func (r *certReloader) load() error {
	st, err := os.Stat(r.certFile)
	if err != nil {
		return fmt.Errorf("--tls-cert: %w", err)
	}
	c, err := tls.LoadX509KeyPair(r.certFile, r.keyFile)
	if err != nil {
		return fmt.Errorf("--tls-cert/--tls-key: %w / không đọc được chứng thư hoặc khóa TLS", err)
	}
	r.mu.Lock()
	r.cert, r.mod, r.checked = &c, st.ModTime(), time.Now()
	r.mu.Unlock()
	return nil
}

func (r *certReloader) get(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	stale := time.Since(r.checked) > certRecheck
	if stale {
		r.checked = time.Now()
	}
	cur, mod := r.cert, r.mod
	r.mu.Unlock()
	if stale {
		if st, err := os.Stat(r.certFile); err == nil && !st.ModTime().Equal(mod) {
			if err := r.load(); err != nil {
				return cur, nil //nolint:nilerr // keep serving the previous certificate
			}
			r.mu.Lock()
			cur = r.cert
			r.mu.Unlock()
		}
	}
	return cur, nil
}

func (r *certReloader) notAfter() time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cert != nil && r.cert.Leaf != nil {
		return r.cert.Leaf.NotAfter
	}
	return time.Time{}
}
