package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/google/uuid"
)

// Key rotation: a new signing key every RotateEvery; a retired key stays in
// the JWKS for KeepFor after its successor appears, long enough for every
// token it signed to expire.
const (
	RotateEvery = 30 * 24 * time.Hour
	KeepFor     = 7 * 24 * time.Hour
)

// Keys signs tokens with the newest ES256 key and publishes the current
// and recently retired public keys. Keys live in the accounts database.
type Keys struct {
	acc *Accounts
	mu  sync.Mutex
	set []signingKey // newest first
}

type signingKey struct {
	jwk     jose.JSONWebKey // private
	created time.Time
}

// OpenKeys loads the signing keys, creating or rotating one when due.
func OpenKeys(ctx context.Context, acc *Accounts) (*Keys, error) {
	k := &Keys{acc: acc}
	if err := k.load(ctx); err != nil {
		return nil, err
	}
	if len(k.set) == 0 || acc.now().Sub(k.set[0].created) >= RotateEvery {
		if err := k.Rotate(ctx); err != nil {
			return nil, err
		}
	}
	return k, nil
}

func (k *Keys) load(ctx context.Context) error {
	rows, err := k.acc.db.QueryContext(ctx, `SELECT jwk, created FROM signing_keys ORDER BY created DESC`)
	if err != nil {
		return fmt.Errorf("load signing keys: %w", err)
	}
	defer rows.Close()
	var set []signingKey
	for rows.Next() {
		var raw, created string
		if err := rows.Scan(&raw, &created); err != nil {
			return fmt.Errorf("load signing keys: %w", err)
		}
		var sk signingKey
		if err := json.Unmarshal([]byte(raw), &sk.jwk); err != nil {
			return fmt.Errorf("decode signing key: %w", err)
		}
		sk.created, _ = time.Parse(time.RFC3339Nano, created)
		set = append(set, sk)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("load signing keys: %w", err)
	}
	k.mu.Lock()
	k.set = set
	k.mu.Unlock()
	return nil
}

// Rotate creates a new signing key; tokens signed by the older ones stay
// valid until they expire.
func (k *Keys) Rotate(ctx context.Context) error {
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("generate signing key: %w", err)
	}
	jwk := jose.JSONWebKey{Key: priv, KeyID: uuid.NewString(), Algorithm: string(jose.ES256), Use: "sig"}
	raw, err := jwk.MarshalJSON()
	if err != nil {
		return fmt.Errorf("encode signing key: %w", err)
	}
	now := k.acc.now()
	if _, err := k.acc.db.ExecContext(ctx, `INSERT INTO signing_keys VALUES (?,?,?)`, jwk.KeyID, string(raw), ts(now)); err != nil {
		return fmt.Errorf("save signing key: %w", err)
	}
	return k.load(ctx)
}

// signer returns a JOSE signer with the newest key.
func (k *Keys) signer() (jose.Signer, error) {
	k.mu.Lock()
	cur := k.set[0].jwk
	k.mu.Unlock()
	return jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: cur}, (&jose.SignerOptions{}).WithType("JWT"))
}

// Public returns the JWKS: the newest key and those retired less than
// KeepFor ago.
func (k *Keys) Public() jose.JSONWebKeySet {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out jose.JSONWebKeySet
	now := k.acc.now()
	for i, sk := range k.set {
		if i > 0 && now.Sub(k.set[i-1].created) > KeepFor {
			break
		}
		out.Keys = append(out.Keys, sk.jwk.Public())
	}
	return out
}

// verificationKey returns the public key with kid if it is published.
func (k *Keys) verificationKey(kid string) (any, bool) {
	for _, pk := range k.Public().Keys {
		if pk.KeyID == kid {
			return pk.Key, true
		}
	}
	return nil, false
}
