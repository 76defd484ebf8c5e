package main

import (
	"context"

	"github.com/sen-emr/sen/internal/store"
	"github.com/sen-emr/sen/internal/store/postgres"
)

// openPostgres opens the PostgreSQL backend at url and migrates its schema.
func openPostgres(ctx context.Context, url string) (store.Store, error) {
	return postgres.Open(ctx, url, postgres.Options{Options: storeOptions()})
}
