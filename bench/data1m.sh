#!/usr/bin/env bash
# Builds the ~1 M resource SQLite data set the read-path and load figures of
# docs/benchmarks.md §3 and §6 are measured on, reproducibly: the synthetic
# Vietnamese population of `sen synth` (seed 1, 16,500 patients: 1,070,962
# resources, ~65 per patient) written as NDJSON, then loaded with
# `sen import`. The same seed and patient count give the same resources
# (the server-assigned parts, meta.lastUpdated and rids, differ per load).
#
# Usage: bench/data1m.sh [DATA-DIR]        (default /tmp/sen-1m)
#
# Environment: SEN_DATA1M_PATIENTS [16500], SEN_DATA1M_SEED [1],
# SEN_DATA1M_NDJSON [DATA-DIR.ndjson]: where the NDJSON files go (1.5 GB,
# kept for a re-run). A DATA-DIR that exists without an import journal is
# refused; with one, the resumable import carries on where it stopped.
# Time: synth 12 s; import 14 min at load 10–17 (1,282 resources/s, 42 %
# of a core), a few minutes on a quiet machine. The database is ~6 GB.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-/tmp/sen-1m}"
patients="${SEN_DATA1M_PATIENTS:-16500}"
seed="${SEN_DATA1M_SEED:-1}"
ndjson="${SEN_DATA1M_NDJSON:-$dir.ndjson}"

if [ -e "$dir" ] && [ ! -e "$dir/import-journal.ndjson" ]; then
	echo "$dir exists and holds no import journal: choose another directory / thư mục đã tồn tại" >&2
	exit 2
fi
bin="$(mktemp -d "${TMPDIR:-/tmp}/sen-data1m.XXXXXX")"
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/sen" ./cmd/sen

if [ ! -e "$ndjson/Patient.ndjson" ]; then
	"$bin/sen" synth --patients "$patients" --seed "$seed" --out "$ndjson" --format ndjson
fi
echo "load average before: $(uptime | sed 's/.*load average: //')"
# GNU time (Debian package `time`) adds CPU share and peak RSS.
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -v)
"${timer[@]}" "$bin/sen" import --quiet --data-dir "$dir" "$ndjson" >"$bin/import.txt" 2>&1 || {
	cat "$bin/import.txt" >&2
	exit 1
}
grep -E '^Imported|Elapsed|Percent of CPU|Maximum resident' "$bin/import.txt" || cat "$bin/import.txt"
echo "load average after: $(uptime | sed 's/.*load average: //')"
want="$(cat "$ndjson"/*.ndjson | wc -l)"
if command -v sqlite3 >/dev/null; then
	got="$(sqlite3 -readonly "$dir/sen.db" 'SELECT count(*) FROM resources WHERE deleted = 0')"
	echo "$got of $want generated resources stored in $dir/sen.db"
	[ "$got" = "$want" ] || exit 1
else
	echo "$want resources generated; data set in $dir (install sqlite3 to check the count)"
fi
