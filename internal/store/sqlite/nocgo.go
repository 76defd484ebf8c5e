//go:build !cgo

package sqlite

// DefaultDriver is modernc.org/sqlite (pure Go) in builds without cgo,
// where mattn/go-sqlite3 cannot work.
const DefaultDriver = "modernc"
