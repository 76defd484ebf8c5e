//go:build cgo

package sqlite

// DefaultDriver is the driver Open uses when Options.Driver is empty:
// mattn/go-sqlite3 (cgo) where cgo is available, chosen by BenchmarkIngest
// (see docs/scaling.md); modernc.org/sqlite otherwise.
const DefaultDriver = "mattn"
