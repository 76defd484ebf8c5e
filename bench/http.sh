#!/usr/bin/env bash
# Measures Sen over HTTP on loopback, each figure beside a baseline measured
# in the same run, and writes a Markdown report.
#
# Usage: bench/http.sh
#
#  1. ingest: `sen import` of the Synthea bundles (../shared/fhir/synthea)
#     into a fresh SQLite data directory and into a fresh PostgreSQL
#     database sen_bench_<random> (dropped afterwards), resources/s and
#     peak RSS; baseline: a raw INSERT of the same resources is in
#     bench/run.sh (bench/baseline BenchmarkIngest).
#  2. `sen serve --no-auth` on the SQLite import, driven by wrk --latency:
#     read GET /fhir/Patient/{id} with 1 and 8 connections against
#     bench/baseline (a static net/http server answering the same bytes);
#     a code search with _summary=count against bench/sqlbase (the same
#     count straight in SQL); a code+patient search; Patient/{id}/$everything
#     for the patient whose compartment is nearest 1,000 resources; the
#     server's RSS afterwards.
#  3. the REST transaction path: bench/ingest POSTs patient bundles to a
#     fresh `sen serve` with 1 and then 4 concurrent clients.
#
# Environment (defaults in brackets): SEN_BENCH_PORT [18310; +1 is the
# baseline], SEN_BENCH_RUNS [5 wrk runs per figure], SEN_BENCH_DURATION
# [4s per wrk run], SEN_BENCH_TX_PATIENTS [15 patient bundles per REST
# ingest run], SEN_BENCH_PG [postgres://postgres@127.0.0.1:5432; empty
# skips PostgreSQL], SEN_SHARED [../shared]. wrk comes from the Debian
# package `wrk` (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${SEN_SHARED:-../shared}"
synthea="$shared/fhir/synthea"
port="${SEN_BENCH_PORT:-18310}"
bport=$((port + 1))
runs="${SEN_BENCH_RUNS:-5}"
dur="${SEN_BENCH_DURATION:-4s}"
txp="${SEN_BENCH_TX_PATIENTS:-15}"
pg="${SEN_BENCH_PG-postgres://postgres@127.0.0.1:5432}"

for tool in wrk curl jq; do
	command -v "$tool" >/dev/null || {
		echo "http.sh needs $tool (apt-get install $tool) / cần cài $tool" >&2
		exit 2
	}
done
[ -d "$synthea" ] || {
	echo "no Synthea bundles in $synthea (set SEN_SHARED) / không thấy bundle Synthea" >&2
	exit 2
}

out="bench/out/http-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
work="$(mktemp -d "${TMPDIR:-/tmp}/sen-http-bench.XXXXXX")"
report="$out/report.md"
pids=()
pgdb=""
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	if [ -n "$pgdb" ]; then psql -q "$pg/postgres" -c "DROP DATABASE IF EXISTS $pgdb" >/dev/null 2>&1 || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

load() { uptime | sed 's/.*load average: //'; }
note() { echo "$*" | tee -a "$report"; }

echo "building sen and the bench tools"
go build -o "$work/sen" ./cmd/sen
for t in baseline sqlbase ingest; do go build -o "$work/$t" "./bench/$t"; done

note "# bench/http.sh, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
note ""
note "$(nproc) cores, $(go version | cut -d' ' -f3), wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2); $runs wrk runs of $dur per row: median of the runs' medians (min..max)."
note ""

# start_sen DIR [ARGS...]: serve DIR on $port and wait until it answers.
sen_pid=""
start_sen() {
	local dir="$1"
	shift
	"$work/sen" serve --no-auth --data-dir "$dir" --addr "127.0.0.1:$port" --log-format json "$@" >"$work/serve.log" 2>&1 &
	sen_pid=$!
	pids+=("$sen_pid")
	for _ in $(seq 1 300); do
		if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then return 0; fi
		kill -0 "$sen_pid" 2>/dev/null || break
		sleep 0.2
	done
	echo "sen serve did not start; its log:" >&2
	tail -20 "$work/serve.log" >&2
	exit 1
}
stop_sen() {
	kill "$sen_pid" 2>/dev/null || true
	wait "$sen_pid" 2>/dev/null || true
}

# ms VALUE: wrk latency (e.g. 812.00us, 1.20ms, 2.00s) in milliseconds.
ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		printf "%.3f", n }'
}

# stats: reads numbers, prints "median (min..max)".
stats() {
	sort -g | awk '{ a[NR] = $1 } END {
		if (NR == 0) { print "n/a"; exit }
		m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		printf "%s (%s..%s)", f(m), f(a[1]), f(a[NR]) }
	function f(x) { return x >= 100 ? sprintf("%.0f", x) : x >= 1 ? sprintf("%.2f", x) : sprintf("%.3f", x) }'
}

# bench_wrk LABEL CONNS URL: $runs wrk runs; one Markdown row.
bench_wrk() {
	local label="$1" conns="$2" url="$3" threads=$(($2 < 2 ? $2 : 2))
	local l0 rps=() p50=() p99=()
	l0="$(load)"
	: >"$work/wrk.txt"
	for _ in $(seq 1 "$runs"); do
		wrk -t"$threads" -c"$conns" -d"$dur" --latency "$url" >"$work/one.txt" 2>&1
		cat "$work/one.txt" >>"$out/wrk-raw.txt"
		if grep -q 'Non-2xx' "$work/one.txt"; then
			echo "$label: non-2xx answers from $url" >&2
			cat "$work/one.txt" >&2
			exit 1
		fi
		rps+=("$(awk '/^Requests\/sec:/ { print $2 }' "$work/one.txt")")
		p50+=("$(ms "$(awk '$1 == "50%" { print $2 }' "$work/one.txt")")")
		p99+=("$(ms "$(awk '$1 == "99%" { print $2 }' "$work/one.txt")")")
	done
	note "| $label | $conns | $(printf '%s\n' "${p50[@]}" | stats) | $(printf '%s\n' "${p99[@]}" | stats) | $(printf '%s\n' "${rps[@]}" | stats) | $l0 |"
	printf '%s\n' "${p50[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }' >"$work/last-p50"
}

# rss PID: resident set now and at peak, MB.
rss() {
	awk '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 } END { printf "%.0f MB (peak %.0f MB)", r / 1024, h / 1024 }' "/proc/$1/status"
}

# ---------------------------------------------------------------- ingest
nfiles=$(ls "$synthea"/*.json.bz2 | wc -l)
note "## Ingest: sen import of $nfiles Synthea bundles"
note ""
note "| target | resources written | seconds | resources/s | peak RSS | load avg (1, 5, 15 min) |"
note "|---|---:|---:|---:|---:|---|"
import_one() {
	local label="$1" dir="$2" db="$3" l0
	l0="$(load)"
	# GNU time (Debian package `time`) reports the peak RSS; without it, n/a.
	local timer=()
	echo n/a >"$work/time.txt"
	[ -x /usr/bin/time ] && timer=(/usr/bin/time -f '%M' -o "$work/time.txt")
	"${timer[@]}" "$work/sen" import --quiet --data-dir "$dir" --db "$db" "$synthea" >"$work/import.txt" 2>&1 || {
		cat "$work/import.txt" >&2
		exit 1
	}
	cat "$work/import.txt" >>"$out/import-$label.txt"
	local line written secs rate
	line="$(grep -m1 '^Imported' "$work/import.txt")"
	written="$(echo "$line" | awk '{ print $2 }')"
	secs="$(echo "$line" | sed -E 's/.* in ([0-9.]+)s .*/\1/')"
	rate="$(echo "$line" | sed -E 's/.*\(([0-9]+) resources\/s\).*/\1/')"
	note "| $label | $written | $secs | $rate | $(awk '$1 + 0 > 0 { printf "%.0f MB", $1 / 1024; next } { print "n/a" }' "$work/time.txt") | $l0 |"
}
import_one sqlite "$work/sqlite" sqlite
if [ -n "$pg" ] && psql -q "$pg/postgres" -c 'SELECT 1' >/dev/null 2>&1; then
	pgdb="sen_bench_$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')"
	psql -q "$pg/postgres" -c "CREATE DATABASE $pgdb" >/dev/null
	import_one postgresql "$work/pg" "$pg/$pgdb?sslmode=disable"
	psql -q "$pg/postgres" -c "DROP DATABASE $pgdb" >/dev/null && pgdb=""
else
	note "| postgresql | skipped: no server at ${pg:-(SEN_BENCH_PG empty)} | | | | |"
fi
note ""

# ------------------------------------------------------ read, search, $everything
start_sen "$work/sqlite"
read -r pid_near n_near < <("$work/sqlbase" -db "$work/sqlite/sen.db" -patient-near 1000)
read -r token n_code < <("$work/sqlbase" -db "$work/sqlite/sen.db" -top-code)
base="http://127.0.0.1:$port/fhir"
curl -fsS "$base/Patient/$pid_near" -o "$work/patient.json"
"$work/baseline" -file "$work/patient.json" -addr "127.0.0.1:$bport" &
pids+=("$!")
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$bport/" >/dev/null 2>&1 && break; sleep 0.1; done

note "## Requests on the SQLite import (sen serve --no-auth), wrk --latency"
note ""
note "Patient $pid_near (compartment: $n_near resources; Patient resource $(wc -c <"$work/patient.json") bytes); code $token ($n_code Observations)."
note ""
note "| request | connections | median latency ms | p99 latency ms | requests/s | load avg at start |"
note "|---|---:|---:|---:|---:|---|"
bench_wrk "read Patient (sen)" 1 "$base/Patient/$pid_near"
read1="$(cat "$work/last-p50")"
bench_wrk "static bytes (baseline)" 1 "http://127.0.0.1:$bport/fhir/Patient/$pid_near"
static1="$(cat "$work/last-p50")"
bench_wrk "read Patient (sen)" 8 "$base/Patient/$pid_near"
bench_wrk "static bytes (baseline)" 8 "http://127.0.0.1:$bport/fhir/Patient/$pid_near"
q="code=$(jq -rn --arg t "$token" '$t | @uri')"
bench_wrk "search Observation?code=…&_summary=count" 1 "$base/Observation?$q&_summary=count"
count1="$(cat "$work/last-p50")"
bench_wrk "search Observation?code=…&patient=…" 1 "$base/Observation?$q&patient=Patient/$pid_near"
bench_wrk "Patient/{id}/\$everything?_count=1000" 1 "$base/Patient/$pid_near/\$everything?_count=1000"
every1="$(cat "$work/last-p50")"
nevery="$(curl -fsS "$base/Patient/$pid_near/\$everything?_count=1000" | jq '.entry | length')"
note ""
sqlms=()
l0="$(load)"
for _ in $(seq 1 "$runs"); do
	sqlms+=("$("$work/sqlbase" -db "$work/sqlite/sen.db" -count-code "$token" -n 500 | sed -E 's/.*median_ms=([0-9.]+).*/\1/')")
done
sqlmed="$(printf '%s\n' "${sqlms[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')"
note "Baseline of the count search: the same count in SQL (bench/sqlbase, prepared, 500 runs × $runs): median $(printf '%s\n' "${sqlms[@]}" | stats) ms, load $l0."
note ""
note "Ratios (median latency, 1 connection): read / static = $(awk -v a="$read1" -v b="$static1" 'BEGIN { printf "%.1f", a / b }'); count search / SQL count = $(awk -v a="$count1" -v b="$sqlmed" 'BEGIN { printf "%.1f", a / b }'). \$everything returned $nevery entries in one page, median $every1 ms."
note ""
note "sen serve RSS after these requests (70k resources stored): $(rss "$sen_pid")."
note ""
stop_sen

# ------------------------------------------------------ REST transactions
note "## REST transaction path (bench/ingest: POST /fhir, 2 shared batches + $txp patient transactions, fresh SQLite)"
note ""
note "| clients | result | load avg at start |"
note "|---:|---|---|"
for c in 1 4; do
	start_sen "$work/tx$c" --max-body-bytes $((64 << 20))
	l0="$(load)"
	res="$("$work/ingest" -url "$base" -dir "$synthea" -c "$c" -patients "$txp")"
	echo "$res" >>"$out/ingest.txt"
	note "| $c | $res | $l0 |"
	stop_sen
done
note ""
note "raw output in $out"
