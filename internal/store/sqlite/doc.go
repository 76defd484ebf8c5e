// Package sqlite is Sen's embedded storage backend: the store contract on
// one SQLite file in WAL mode, with one writer connection (SQLite allows one
// writer at a time; queueing in Go is cheaper than busy-waiting in SQLite)
// and a pool of reader connections. The SQL itself is shared with the
// PostgreSQL backend through store/sqlstore; this package owns the driver,
// the connection setup and the embedded schema migrations.
//
// It must not import HTTP, clinical or other backend packages.
package sqlite
