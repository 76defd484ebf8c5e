#!/usr/bin/env bash
# Measures every ingest path of Sen, each run RUNS times, and prints the
# medians beside a baseline measured in the same run (docs/benchmarks.md §2):
#
#  - baseline: a raw INSERT of the same kind of resources into a table
#    without indexes (bench/baseline BenchmarkIngest);
#  - `sen import` of the 92 Synthea bundles (bzip2) and of a synthetic
#    Vietnamese population as NDJSON (sen synth), into a fresh SQLite data
#    directory and a fresh PostgreSQL database;
#  - the REST transaction path: bench/ingest POSTs the 92 Synthea bundles
#    to a fresh `sen serve --no-auth` with 1 and 4 clients, on both backends.
#
# Usage: bench/ingest.sh   (RUNS [3], PATIENTS [2000] synthetic patients,
# SEN_BENCH_PG [postgres://postgres@127.0.0.1:5432; empty skips
# PostgreSQL], SEN_SHARED [../shared], SEN_BENCH_PORT [18420]).
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${SEN_SHARED:-../shared}"
runs="${RUNS:-3}"
patients="${PATIENTS:-2000}"
pg="${SEN_BENCH_PG-postgres://postgres@127.0.0.1:5432}"
port="${SEN_BENCH_PORT:-18420}"
work="$(mktemp -d)"
trap 'pkill -f "sen serve --no-auth --addr 127.0.0.1:$port" 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/sen" ./cmd/sen
go build -o "$work/ingest" ./bench/ingest
"$work/sen" synth --patients "$patients" --out "$work/syn" >/dev/null

median() { sort -n | awk '{a[NR]=$1} END {if (NR==0) {print "-"; exit}; m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.0f\n", m}'; }
pgdb() { # fresh database, prints its URL
	local name="sen_ingest_$RANDOM$RANDOM"
	psql "$pg/postgres" -qc "CREATE DATABASE $name" >/dev/null
	echo "$pg/$name?sslmode=disable"
}
dropdb() { psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS ${1##*/}" >/dev/null 2>&1 || true; }

declare -A rates
add() { rates[$1]+="$2"$'\n'; }

for run in $(seq "$runs"); do
	echo "run $run of $runs (load: $(cut -d' ' -f1-3 /proc/loadavg))" >&2
	out="$(go test ./bench/baseline -run '^$' -bench 'BenchmarkIngest$' -benchtime 1x -count 1 2>/dev/null)"
	rate() { awk -v k="$1" '$0 ~ k {for (i=1;i<=NF;i++) if ($(i+1) ~ /^resources\/s/) print $i}' <<<"$out" | head -1; }
	add "baseline: raw INSERT (bench/baseline)" "$(rate raw-insert)"
	add "ingest.Loader in process, SQLite (bench/baseline)" "$(rate loader)"
	for src in synthea ndjson; do
		in="$shared/fhir/synthea"
		[ "$src" = ndjson ] && in="$work/syn"
		rm -rf "$work/d"
		r="$("$work/sen" import --quiet --data-dir "$work/d" "$in" | sed -n 's/.*(\([0-9]*\) resources\/s).*/\1/p')"
		add "sen import $src, SQLite" "$r"
		if [ -n "$pg" ]; then
			url="$(pgdb)"
			r="$("$work/sen" import --quiet --data-dir "$work/d-pg" --db "$url" "$in" | sed -n 's/.*(\([0-9]*\) resources\/s).*/\1/p')"
			dropdb "${url%%\?*}"
			rm -rf "$work/d-pg"
			add "sen import $src, PostgreSQL" "$r"
		fi
	done
	for backend in sqlite postgresql; do
		[ "$backend" = postgresql ] && [ -z "$pg" ] && continue
		for c in 1 4; do
			db=sqlite
			[ "$backend" = postgresql ] && db="$(pgdb)"
			rm -rf "$work/s"
			"$work/sen" serve --no-auth --addr "127.0.0.1:$port" --data-dir "$work/s" --db "$db" >"$work/serve.log" 2>&1 &
			for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
			r="$("$work/ingest" -url "http://127.0.0.1:$port/fhir" -dir "$shared/fhir/synthea" -c "$c" | sed -n 's/.* resources_per_s=\([0-9]*\).*/\1/p')"
			pkill -f "sen serve --no-auth --addr 127.0.0.1:$port" || true
			wait 2>/dev/null || true
			[ "$backend" = postgresql ] && dropdb "${db%%\?*}"
			add "REST transactions, $backend, $c client(s)" "$r"
		done
	done
done

echo
echo "| path | median resources/s of $runs | runs | ratio to baseline |"
echo "|---|---:|---|---:|"
base="$(printf '%s' "${rates["baseline: raw INSERT (bench/baseline)"]}" | median)"
for k in "baseline: raw INSERT (bench/baseline)" "ingest.Loader in process, SQLite (bench/baseline)" "sen import synthea, SQLite" "sen import ndjson, SQLite" \
	"sen import synthea, PostgreSQL" "sen import ndjson, PostgreSQL" \
	"REST transactions, sqlite, 1 client(s)" "REST transactions, sqlite, 4 client(s)" \
	"REST transactions, postgresql, 1 client(s)" "REST transactions, postgresql, 4 client(s)"; do
	[ -z "${rates[$k]:-}" ] && continue
	m="$(printf '%s' "${rates[$k]}" | median)"
	all="$(printf '%s' "${rates[$k]}" | paste -sd, -)"
	ratio="$(awk -v m="$m" -v b="$base" 'BEGIN {if (b>0) printf "%.2f", m/b; else print "-"}')"
	echo "| $k | $m | $all | $ratio |"
done
echo
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
