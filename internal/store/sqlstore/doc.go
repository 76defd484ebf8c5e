// Package sqlstore is the relational implementation of the store contract
// shared by the SQLite and PostgreSQL backends: the write path (versions,
// meta patching, index rows in the same transaction), reads, history, and
// the translation of a search.Query into one SQL statement. Parameters
// without index rows (_text, _content: content.go; _contained:
// contained.go) are evaluated in Go over the candidates' JSON first, their
// rids then bound into that statement; _filter (filter.go) is SQL.
//
// The SQL it emits is written once and differs between databases only by a
// small Dialect (placeholder style). A backend supplies connections,
// transactions and its own schema migrations (the table and column names in
// schema.go are the contract between them).
//
// It must not import a database driver, HTTP or clinical package: the
// backends own their drivers and are the only importers of this package.
package sqlstore
