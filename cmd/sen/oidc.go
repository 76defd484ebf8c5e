package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/auth"
)

// oidcFlags configure sign-in through an external OpenID Connect provider
// (auth/oidc.go). The secret is read from a file so that it appears in
// neither the process list nor shell history.
type oidcFlags struct {
	issuer, clientID, secretFile, name string
}

func (o *oidcFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&o.issuer, "oidc-issuer", "", "external OpenID Connect provider (issuer URL) users may sign in with / nhà cung cấp định danh OpenID Connect bên ngoài")
	cmd.Flags().StringVar(&o.clientID, "oidc-client-id", "", "Sen's client id at the OpenID provider")
	cmd.Flags().StringVar(&o.secretFile, "oidc-client-secret-file", "", "file holding Sen's client secret at the OpenID provider")
	cmd.Flags().StringVar(&o.name, "oidc-name", "", "provider name shown on the sign-in page (default: the issuer's host)")
}

// login discovers the provider; nil when no issuer is configured.
func (o *oidcFlags) login(ctx context.Context) (*auth.OIDCLogin, error) {
	if o.issuer == "" {
		if o.clientID != "" || o.secretFile != "" {
			return nil, errors.New("--oidc-client-id and --oidc-client-secret-file need --oidc-issuer / cần --oidc-issuer")
		}
		return nil, nil
	}
	secret := ""
	if o.secretFile != "" {
		b, err := os.ReadFile(o.secretFile)
		if err != nil {
			return nil, fmt.Errorf("--oidc-client-secret-file: %w", err)
		}
		secret = strings.TrimSpace(string(b))
	}
	return auth.NewOIDCLogin(ctx, auth.OIDCConfig{Issuer: o.issuer, ClientID: o.clientID, ClientSecret: secret, Name: o.name})
}
