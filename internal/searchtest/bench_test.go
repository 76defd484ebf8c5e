package searchtest_test

import (
	"testing"

	"github.com/sen-emr/sen/internal/searchtest"
)

func BenchmarkSQLite(b *testing.B) {
	searchtest.Bench(b, searchtest.SharedDir(b, "../.."), openSQLite)
}

func BenchmarkPostgres(b *testing.B) {
	searchtest.Bench(b, searchtest.SharedDir(b, "../.."), openPostgres)
}

func BenchmarkSpecialSQLite(b *testing.B) {
	searchtest.BenchSpecial(b, searchtest.SharedDir(b, "../.."), openSQLite)
}

func BenchmarkSpecialPostgres(b *testing.B) {
	searchtest.BenchSpecial(b, searchtest.SharedDir(b, "../.."), openPostgres)
}
