package sign

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"

	jose "github.com/go-jose/go-jose/v4"
	"software.sslmate.com/src/go-pkcs12"
)

// Key is a signing key together with its certificate chain. Sen ships two
// kinds: *LocalKey (a PKCS#12 file, for small clinics) and *RemoteKey (a
// remote-signing service of a certificate authority). The unexported
// method keeps the set closed; a new service is added by implementing
// RemoteService, not Key.
type Key interface {
	// Algorithm is the JWS algorithm the key signs with (RS256, PS256, ES256).
	Algorithm() jose.SignatureAlgorithm
	// Certificates is the chain, leaf first; the leaf names the signer.
	Certificates() []*x509.Certificate
	joseKey(ctx context.Context) any
}

// LocalKey is a private key held by Sen, usually loaded from a PKCS#12
// (.p12/.pfx) file issued by a licensed certificate authority.
type LocalKey struct {
	Private any // *rsa.PrivateKey or *ecdsa.PrivateKey (P-256)
	Chain   []*x509.Certificate
	Alg     jose.SignatureAlgorithm
}

// Algorithm returns the JWS algorithm.
func (k *LocalKey) Algorithm() jose.SignatureAlgorithm { return k.Alg }

// Certificates returns the chain, leaf first.
func (k *LocalKey) Certificates() []*x509.Certificate { return k.Chain }

func (k *LocalKey) joseKey(context.Context) any { return k.Private }

// NewLocalKey pairs a private key with its certificate chain (leaf first),
// choosing RS256 for RSA and ES256 for P-256 keys. It fails when the leaf's
// public key is not the private key's.
func NewLocalKey(priv any, chain []*x509.Certificate) (*LocalKey, error) {
	if len(chain) == 0 {
		return nil, errors.New("signing key: no certificate / khóa ký: thiếu chứng thư số")
	}
	var alg jose.SignatureAlgorithm
	var pub crypto.PublicKey
	switch p := priv.(type) {
	case *rsa.PrivateKey:
		alg, pub = jose.RS256, &p.PublicKey
	case *ecdsa.PrivateKey:
		if p.Curve != elliptic.P256() {
			return nil, fmt.Errorf("signing key: ECDSA curve %s is not supported (P-256 only)", p.Curve.Params().Name)
		}
		alg, pub = jose.ES256, &p.PublicKey
	default:
		return nil, fmt.Errorf("signing key: unsupported private key type %T", priv)
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if e, ok := pub.(equaler); !ok || !e.Equal(chain[0].PublicKey) {
		return nil, errors.New("signing key: the certificate does not belong to the private key / chứng thư số không khớp khóa bí mật")
	}
	return &LocalKey{Private: priv, Chain: chain, Alg: alg}, nil
}

// LoadPKCS12 decodes a PKCS#12 file (private key, certificate, CA chain)
// as issued by Vietnamese certificate authorities for USB-less signing.
// A wrong password gives an error that says so.
func LoadPKCS12(data []byte, password string) (*LocalKey, error) {
	priv, cert, cas, err := pkcs12.DecodeChain(data, password)
	if errors.Is(err, pkcs12.ErrIncorrectPassword) {
		return nil, fmt.Errorf("PKCS#12: wrong password / sai mật khẩu: %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("PKCS#12: %w", err)
	}
	return NewLocalKey(priv, append([]*x509.Certificate{cert}, cas...))
}

// RemoteService is the adapter to a certificate authority's remote-signing
// service (the "ký số từ xa" services Vietnamese CAs offer). The private
// key never leaves the service; Sen sends a SHA-256 digest.
type RemoteService interface {
	// Certificates returns the credential's certificate chain, leaf first.
	Certificates(ctx context.Context, credentialID string) ([]*x509.Certificate, error)
	// SignHash signs a SHA-256 digest with RSASSA-PKCS1-v1_5 and returns
	// the raw signature. It may block until the signer approves on their
	// device; ctx bounds the wait.
	SignHash(ctx context.Context, credentialID string, digest []byte) ([]byte, error)
}

// RemoteKey signs through a RemoteService (RS256 only: the services sign
// RSA digests).
type RemoteKey struct {
	Service    RemoteService
	Credential string
	Chain      []*x509.Certificate
}

// NewRemoteKey fetches the credential's certificates.
func NewRemoteKey(ctx context.Context, svc RemoteService, credential string) (*RemoteKey, error) {
	chain, err := svc.Certificates(ctx, credential)
	if err != nil {
		return nil, fmt.Errorf("remote signing credential %s: %w", credential, err)
	}
	if len(chain) == 0 {
		return nil, fmt.Errorf("remote signing credential %s: no certificate", credential)
	}
	if _, ok := chain[0].PublicKey.(*rsa.PublicKey); !ok {
		return nil, fmt.Errorf("remote signing credential %s: only RSA certificates are supported", credential)
	}
	return &RemoteKey{Service: svc, Credential: credential, Chain: chain}, nil
}

// Algorithm returns RS256.
func (k *RemoteKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }

// Certificates returns the chain, leaf first.
func (k *RemoteKey) Certificates() []*x509.Certificate { return k.Chain }

func (k *RemoteKey) joseKey(ctx context.Context) any { return remoteOpaque{k: k, ctx: ctx} }

// remoteOpaque adapts a RemoteKey to go-jose's OpaqueSigner for one
// signing call (it carries that call's context).
type remoteOpaque struct {
	k   *RemoteKey
	ctx context.Context
}

func (o remoteOpaque) Public() *jose.JSONWebKey {
	return &jose.JSONWebKey{Key: o.k.Chain[0].PublicKey, Algorithm: string(jose.RS256), Use: "sig"}
}

func (o remoteOpaque) Algs() []jose.SignatureAlgorithm { return []jose.SignatureAlgorithm{jose.RS256} }

func (o remoteOpaque) SignPayload(payload []byte, alg jose.SignatureAlgorithm) ([]byte, error) {
	if alg != jose.RS256 {
		return nil, fmt.Errorf("remote signing: algorithm %s is not supported", alg)
	}
	d := sha256.Sum256(payload)
	sig, err := o.k.Service.SignHash(o.ctx, o.k.Credential, d[:])
	if err != nil {
		return nil, fmt.Errorf("remote signing credential %s: %w", o.k.Credential, err)
	}
	return sig, nil
}

var (
	_ Key               = (*LocalKey)(nil)
	_ Key               = (*RemoteKey)(nil)
	_ jose.OpaqueSigner = remoteOpaque{}
)
