package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	pkcs12 "software.sslmate.com/src/go-pkcs12"

	"github.com/sen-emr/sen/internal/auth"
	"github.com/sen-emr/sen/internal/rest"
	"github.com/sen-emr/sen/internal/sign"
)

// signingFlags choose the facility's signing key and trust list for $sign
// and the X-Sen-Signature read header (Circular 13/2025/TT-BYT Art. 3).
type signingFlags struct {
	keyFile      string // PKCS#12 (.p12/.pfx) from a licensed CA
	passwordFile string // its password, in a file so it stays out of ps and shell history
	caFile       string // PEM roots the signatures must chain to
	// demo makes a self-signed key in the data directory when keyFile is
	// empty (sen demo only: such a key proves nothing legally).
	demo bool
}

func (f *signingFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.keyFile, "sign-key", "", "PKCS#12 signing key (.p12) for $sign / khóa ký số PKCS#12")
	cmd.Flags().StringVar(&f.passwordFile, "sign-password-file", "", "file holding the --sign-key password / tệp chứa mật khẩu khóa ký")
	cmd.Flags().StringVar(&f.caFile, "ca", "", "PEM file of trusted CA certificates for signature checks / chứng thư CA tin cậy")
}

// demoKeyFile is the self-signed demo key kept in the data directory, and
// its password (a demo key guards nothing).
const (
	demoKeyFile     = "demo-signing.p12"
	demoKeyPassword = "sen-demo"
)

// openSigning returns the handler's signing configuration, or nil (signing
// off) when no key is given outside the demo.
func openSigning(f *signingFlags, dataDir string, log *slog.Logger, now func() time.Time) (*rest.Signing, error) {
	v := &sign.Verifier{}
	if f.caFile != "" {
		roots, err := loadRoots(f.caFile)
		if err != nil {
			return nil, err
		}
		v.Roots = roots
	}
	var key *sign.LocalKey
	switch {
	case f.keyFile != "":
		if f.passwordFile == "" {
			return nil, errors.New("--sign-key needs --sign-password-file / cần tệp mật khẩu của khóa ký")
		}
		pw, err := os.ReadFile(f.passwordFile)
		if err != nil {
			return nil, fmt.Errorf("--sign-password-file: %w", err)
		}
		data, err := os.ReadFile(f.keyFile)
		if err != nil {
			return nil, fmt.Errorf("--sign-key: %w", err)
		}
		if key, err = sign.LoadPKCS12(data, strings.TrimRight(string(pw), "\r\n")); err != nil {
			return nil, fmt.Errorf("--sign-key %s: %w", f.keyFile, err)
		}
		log.Info("signing key loaded", "file", f.keyFile, "subject", key.Chain[0].Subject.String(),
			"not_after", key.Chain[0].NotAfter, "trust_list", f.caFile != "")
	case f.demo:
		path := filepath.Join(dataDir, demoKeyFile)
		var created bool
		var err error
		if key, created, err = demoKey(path, now()); err != nil {
			return nil, err
		}
		if v.Roots == nil {
			// The demo trusts its own certificate so that reads say
			// "valid" rather than "untrusted".
			v.Roots = x509.NewCertPool()
			v.Roots.AddCert(key.Chain[0])
		}
		log.Warn("using a SELF-SIGNED DEMO signing key: signatures have no legal value / khóa ký thử nghiệm tự cấp, không có giá trị pháp lý",
			"file", path, "created", created)
	default:
		log.Info("signing off: no --sign-key; $sign is not mounted / chưa cấu hình khóa ký")
		return nil, nil
	}
	if v.Roots == nil {
		log.Warn("no --ca: signatures are checked against their own certificates only / chưa có danh sách CA tin cậy")
	}
	return &rest.Signing{Key: key, Verifier: v, Signer: principalSigner}, nil
}

// principalSigner names the signed-in user as the signer. Without sign-in
// (--no-auth) there is no principal and $sign takes its who parameter.
func principalSigner(r *http.Request) (who, org string, err error) {
	p := auth.PrincipalFrom(r.Context())
	if p == nil {
		return "", "", nil
	}
	if p.FHIRUser == "" {
		return "", "", fmt.Errorf("account %s has no FHIR identity and cannot sign / tài khoản không gắn với người hành nghề", p.Subject)
	}
	return p.FHIRUser, p.Organization, nil
}

func loadRoots(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--ca: %w", err)
	}
	pool := x509.NewCertPool()
	n := 0
	for len(data) > 0 {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("--ca %s: certificate %d: %w", path, n+1, err)
		}
		pool.AddCert(c)
		n++
	}
	if n == 0 {
		return nil, fmt.Errorf("--ca %s: no PEM certificate found / không có chứng thư nào", path)
	}
	return pool, nil
}

// demoKey loads the demo key at path, creating a self-signed P-256 key
// valid for two years when the file does not exist.
func demoKey(path string, now time.Time) (*sign.LocalKey, bool, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		k, err := sign.LoadPKCS12(data, demoKeyPassword)
		if err != nil {
			return nil, false, fmt.Errorf("demo signing key %s: %w (delete it to make a new one)", path, err)
		}
		return k, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("demo signing key: %w", err)
	}
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, false, fmt.Errorf("demo signing key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return nil, false, fmt.Errorf("demo signing key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Sen demo facility (self-signed, not legally valid)", Organization: []string{"Sen demo"}, Country: []string{"VN"}},
		NotBefore:    now.Add(-time.Hour), NotAfter: now.AddDate(2, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment | x509.KeyUsageCertSign,
		IsCA:                  true, // self-signed: it is its own root in the demo trust list
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return nil, false, fmt.Errorf("demo signing key: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, false, fmt.Errorf("demo signing key: %w", err)
	}
	pfx, err := pkcs12.Modern.Encode(priv, cert, nil, demoKeyPassword)
	if err != nil {
		return nil, false, fmt.Errorf("demo signing key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, false, fmt.Errorf("demo signing key: %w", err)
	}
	if err := os.WriteFile(path, pfx, 0o600); err != nil {
		return nil, false, fmt.Errorf("demo signing key: %w", err)
	}
	k, err := sign.NewLocalKey(priv, []*x509.Certificate{cert})
	return k, true, err
}
