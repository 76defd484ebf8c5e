package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/auth"
)

// newClientCmd is `sen client add`: register a SMART app or a backend
// service in --data-dir/auth.db.
func newClientCmd() *cobra.Command {
	var dataDir string
	cmd := &cobra.Command{Use: "client", Short: "Manage OAuth clients (SMART apps, backend services) / Quản lý ứng dụng"}
	cmd.PersistentFlags().StringVar(&dataDir, "data-dir", "./sen-data", "data directory (holds auth.db)")
	var name, scopes, jwksFile string
	var redirects []string
	add := &cobra.Command{
		Use:   "add CLIENT_ID",
		Short: "Register a client: public SMART app (--redirect-uri) or backend service (--jwks with system/ scopes)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c := &auth.Client{ID: args[0], Name: name, RedirectURIs: redirects, Scopes: scopes}
			if jwksFile != "" {
				b, err := os.ReadFile(jwksFile)
				if err != nil {
					return fmt.Errorf("--jwks: %w", err)
				}
				c.JWKS = string(b)
			}
			if len(redirects) == 0 && c.JWKS == "" {
				return fmt.Errorf("give --redirect-uri (SMART app) or --jwks (backend service)")
			}
			acc, err := openAccounts(cmd.Context(), dataDir)
			if err != nil {
				return err
			}
			defer acc.Close()
			if err := acc.AddClient(cmd.Context(), c); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Đã đăng ký / registered client %s (scopes: %s)\n", c.ID, c.Scopes)
			return nil
		},
	}
	add.Flags().StringVar(&name, "name", "", "display name shown on the sign-in page")
	add.Flags().StringSliceVar(&redirects, "redirect-uri", nil, "allowed redirect URI (repeatable)")
	add.Flags().StringVar(&scopes, "scope", "openid fhirUser launch launch/patient offline_access patient/*.rs user/*.rs", "the most this client may be granted")
	add.Flags().StringVar(&jwksFile, "jwks", "", "file with the client's public JWKS (private_key_jwt; backend services)")
	cmd.AddCommand(add)
	return cmd
}
