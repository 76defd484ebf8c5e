package main

import (
	"context"
	"errors"

	"github.com/sen-emr/sen/internal/store"
)

func openPostgres(ctx context.Context, url string) (store.Store, error) {
	return nil, errors.New("postgres backend not wired yet")
}
