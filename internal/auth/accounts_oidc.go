package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// UserByOIDC returns the user linked to an external OpenID provider's
// issuer and subject (ErrNotFound if none).
func (a *Accounts) UserByOIDC(ctx context.Context, issuer, subject string) (*User, error) {
	if issuer == "" || subject == "" {
		return nil, ErrNotFound
	}
	id := ""
	err := a.db.QueryRowContext(ctx, `SELECT id FROM users WHERE oidc_issuer = ? AND oidc_subject = ?`, issuer, subject).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("find user by external identity: %w", err)
	}
	return a.User(ctx, id)
}

// LinkOIDC links a user to an external identity (issuer and subject), or
// with empty values removes the link.
func (a *Accounts) LinkOIDC(ctx context.Context, username, issuer, subject string) error {
	return a.exec1(ctx, username, `UPDATE users SET oidc_issuer = ?, oidc_subject = ? WHERE username = ?`, issuer, subject, username)
}
