// Package postgres is Sen's scale-out storage backend: the store contract on
// PostgreSQL through pgx (pgxpool), with the same SQL as the SQLite backend
// (store/sqlstore) and its own embedded schema migrations. Writes run at READ
// COMMITTED and lock the resource row (SELECT … FOR UPDATE) so concurrent
// writers of one resource serialise; each write's statements are pipelined
// to the server in one round trip.
//
// It must not import HTTP, clinical or other backend packages.
package postgres
