package postgres

import (
	"context"

	"github.com/sen-emr/sen/internal/store/sqlstore"
)

// Lock implements sqlstore.Locker with a transaction-scoped advisory lock
// on a 64-bit hash of key: released by PostgreSQL at commit or rollback,
// so a crashed client cannot leave it held. Two different keys may share
// a hash; that only serialises two unrelated conditions, never admits two
// holders of the same one. Outside a transaction (on the pool) the lock
// would be released at once, so only a transaction's querier is useful.
func (q querier) Lock(ctx context.Context, key string) error {
	return q.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", key)
}

var _ sqlstore.Locker = querier{}
