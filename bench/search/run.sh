#!/bin/sh
# Search, $everything, $export and import benchmarks (see README.md).
# Usage: bench/search/run.sh [count]   (from the repository root; needs ../shared)
# Set SEN_TEST_POSTGRES to a server to include PostgreSQL.
set -eu
count=${1:-5}
echo "== search and operations over 10 Synthea bundles (SQLite) =="
go test -count="$count" -run XX -bench 'BenchmarkSQLite' -benchtime 20x ./internal/searchtest
if [ -n "${SEN_TEST_POSTGRES:-}" ]; then
	echo "== the same on PostgreSQL =="
	go test -count="$count" -run XX -bench 'BenchmarkPostgres' -benchtime 20x ./internal/searchtest
fi
echo "== bulk import of 12 Synthea bundles (bzip2) into SQLite =="
go test -count="$count" -run XX -bench ImportSynthea -benchtime 1x ./internal/operation
echo "== sen import / sen export of all 92 bundles, with CPU and RSS =="
tmp=$(mktemp -d)
go build -o "$tmp/sen" ./cmd/sen
/usr/bin/time -v "$tmp/sen" import --quiet --data-dir "$tmp/data" ../shared/fhir/synthea 2>&1 |
	grep -E 'Imported|Elapsed|User time|System time|Maximum resident'
/usr/bin/time -v "$tmp/sen" export --data-dir "$tmp/data" --out "$tmp/ndjson" 2>&1 |
	grep -E 'Exported|Elapsed|Maximum resident'
rm -rf "$tmp"
