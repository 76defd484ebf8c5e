package sqlite

// Both drivers register themselves with database/sql when imported (their
// own init; Sen adds no registry). Options.Driver picks one at Open.
import (
	_ "github.com/mattn/go-sqlite3"
	_ "modernc.org/sqlite"
)
