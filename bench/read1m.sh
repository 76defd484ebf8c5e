#!/usr/bin/env bash
# Measures the read path and the mixed load at ~1 M resources over HTTP
# (docs/benchmarks.md §3 and §6), each figure beside a same-run baseline,
# and writes a Markdown report.
#
# Usage: bench/read1m.sh [DATA-DIR]       (default /tmp/sen-1m, built by bench/data1m.sh)
#
#  1. copies DATA-DIR/sen.db (the load test writes; the data set stays as
#     built) and starts `sen serve --no-auth --pprof` on the copy;
#  2. wrk --latency, SEN_BENCH_RUNS runs of SEN_BENCH_DURATION per row:
#     read Patient against bench/baseline (a static server of the same
#     bytes), the commonest Observation code counted (_summary=count)
#     against bench/sqlbase (the same count in SQL), code+patient, and
#     Patient/{id}/$everything for the patient nearest 1,000 resources;
#  3. bench/load (70 % reads and searches, 20 % writes, 10 % transactions,
#     16 clients) SEN_BENCH_LOAD_RUNS times for SEN_BENCH_LOAD_DURATION,
#     with a 20 s CPU profile of sen serve during the first run; its
#     baseline is the static server's row of step 2, measured minutes
#     before (the load client cannot run against static bytes);
#  4. sen serve's RSS (now and peak) after all of it.
#
# Environment (defaults in brackets): SEN_BENCH_PORT [18330; +1 baseline,
# +2 pprof], SEN_BENCH_RUNS [5], SEN_BENCH_DURATION [4s],
# SEN_BENCH_LOAD_RUNS [5], SEN_BENCH_LOAD_DURATION [30s], SEN_GOMEMLIMIT
# [unset: passed to sen serve as GOMEMLIMIT when set]. Needs wrk, curl,
# jq and sqlite3; ~7 GB free in TMPDIR for the copy.
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:-/tmp/sen-1m}"
port="${SEN_BENCH_PORT:-18330}"
bport=$((port + 1))
pport=$((port + 2))
runs="${SEN_BENCH_RUNS:-5}"
dur="${SEN_BENCH_DURATION:-4s}"
lruns="${SEN_BENCH_LOAD_RUNS:-5}"
ldur="${SEN_BENCH_LOAD_DURATION:-30s}"

for tool in wrk curl jq sqlite3; do
	command -v "$tool" >/dev/null || {
		echo "read1m.sh needs $tool (apt-get install $tool) / cần cài $tool" >&2
		exit 2
	}
done
[ -e "$data/sen.db" ] || {
	echo "no data set in $data: run bench/data1m.sh first / chưa có dữ liệu" >&2
	exit 2
}

out="bench/out/read1m-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
work="$(mktemp -d "${TMPDIR:-/tmp}/sen-read1m.XXXXXX")"
report="$out/report.md"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

load() { uptime | sed 's/.*load average: //'; }
note() { echo "$*" | tee -a "$report"; }

echo "building sen and the bench tools"
go build -o "$work/sen" ./cmd/sen
for t in baseline sqlbase load; do go build -o "$work/$t" "./bench/$t"; done
mkdir -p "$work/data"
sqlite3 "$data/sen.db" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
cp "$data/sen.db" "$work/data/sen.db"
n="$(sqlite3 -readonly "$work/data/sen.db" 'SELECT count(*) FROM resources WHERE deleted = 0')"

note "# bench/read1m.sh, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
note ""
note "$(nproc) cores, $(go version | cut -d' ' -f3), wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2); $n resources; $runs wrk runs of $dur per row: median of the runs' medians (min..max)."
note ""

env=()
[ -n "${SEN_GOMEMLIMIT:-}" ] && env=(GOMEMLIMIT="$SEN_GOMEMLIMIT")
env "${env[@]}" "$work/sen" serve --no-auth --data-dir "$work/data" --addr "127.0.0.1:$port" --pprof "127.0.0.1:$pport" \
	--log-format json >"$work/serve.log" 2>&1 &
sen_pid=$!
pids+=("$sen_pid")
for _ in $(seq 1 600); do
	curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
	kill -0 "$sen_pid" 2>/dev/null || { tail -20 "$work/serve.log" >&2; exit 1; }
	sleep 0.2
done
rss() {
	awk '/^VmRSS/ { r = $2 } /^VmHWM/ { h = $2 } END { printf "%.0f MB (peak %.0f MB)", r / 1024, h / 1024 }' "/proc/$1/status"
}
note "sen serve RSS after start: $(rss "$sen_pid")${SEN_GOMEMLIMIT:+, GOMEMLIMIT=$SEN_GOMEMLIMIT}."
note ""

ms() {
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		printf "%.3f", n }'
}
stats() {
	sort -g | awk '{ a[NR] = $1 } END {
		if (NR == 0) { print "n/a"; exit }
		m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
		printf "%s (%s..%s)", f(m), f(a[1]), f(a[NR]) }
	function f(x) { return x >= 100 ? sprintf("%.0f", x) : x >= 1 ? sprintf("%.2f", x) : sprintf("%.3f", x) }'
}
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
bench_wrk() {
	local label="$1" conns="$2" url="$3" threads=$(($2 < 2 ? $2 : 2))
	local l0 rps=() p50=() p99=()
	l0="$(load)"
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
	printf '%s\n' "${p50[@]}" | median >"$work/last-p50"
}

read -r pid_near n_near < <("$work/sqlbase" -db "$work/data/sen.db" -patient-near 1000)
read -r token n_code < <("$work/sqlbase" -db "$work/data/sen.db" -top-code)
base="http://127.0.0.1:$port/fhir"
curl -fsS "$base/Patient/$pid_near" -o "$work/patient.json"
"$work/baseline" -file "$work/patient.json" -addr "127.0.0.1:$bport" &
pids+=("$!")
for _ in $(seq 1 50); do curl -fsS "http://127.0.0.1:$bport/" >/dev/null 2>&1 && break; sleep 0.1; done

note "## Requests (wrk --latency)"
note ""
note "Patient $pid_near (compartment: $n_near resources); code $token ($n_code Observations)."
note ""
note "| request | connections | median latency ms | p99 latency ms | requests/s | load avg at start |"
note "|---|---:|---:|---:|---:|---|"
bench_wrk "static bytes (baseline)" 1 "http://127.0.0.1:$bport/fhir/Patient/$pid_near"
static1="$(cat "$work/last-p50")"
bench_wrk "read Patient" 1 "$base/Patient/$pid_near"
read1="$(cat "$work/last-p50")"
q="code=$(jq -rn --arg t "$token" '$t | @uri')"
bench_wrk "Observation?code=…&_summary=count" 1 "$base/Observation?$q&_summary=count"
count1="$(cat "$work/last-p50")"
bench_wrk "Observation?code=…&patient=…" 1 "$base/Observation?$q&patient=Patient/$pid_near"
bench_wrk "Patient/{id}/\$everything?_count=1000" 1 "$base/Patient/$pid_near/\$everything?_count=1000"
every1="$(cat "$work/last-p50")"
nevery="$(curl -fsS "$base/Patient/$pid_near/\$everything?_count=1000" | jq '.entry | length')"
note ""
sqlms=()
for _ in $(seq 1 "$runs"); do
	sqlms+=("$("$work/sqlbase" -db "$work/data/sen.db" -count-code "$token" -n 50 | sed -E 's/.*median_ms=([0-9.]+).*/\1/')")
done
sqlmed="$(printf '%s\n' "${sqlms[@]}" | median)"
note "Count baseline (bench/sqlbase, the same count in SQL, 50 runs × $runs): median $(printf '%s\n' "${sqlms[@]}" | stats) ms."
note ""
note "Ratios (median latency): read / static = $(awk -v a="$read1" -v b="$static1" 'BEGIN { printf "%.1f", a / b }'); count / SQL count = $(awk -v a="$count1" -v b="$sqlmed" 'BEGIN { printf "%.1f", a / b }'); count search = $(awk -v a="$count1" -v n="$n_code" 'BEGIN { printf "%.0f", n / a * 1000 }') matches/s. \$everything: $nevery entries, median $every1 ms."
note ""
note "sen serve RSS after these requests: $(rss "$sen_pid")."
note ""

note "## Mixed load (bench/load, 16 clients, $ldur, 3 s warm-up)"
note ""
note "| run | req/s | p50 ms | p95 ms | p99 ms | errors | load avg at start |"
note "|---|---:|---:|---:|---:|---:|---|"
for i in $(seq 1 "$lruns"); do
	l0="$(load)"
	if [ "$i" = 1 ]; then
		curl -fsS "http://127.0.0.1:$pport/debug/pprof/profile?seconds=20" -o "$out/serve-cpu.prof" &
		prof=$!
	fi
	"$work/load" -url "$base" -c 16 -duration "$ldur" -seed "$i" -json >"$out/load-$i.json" 2>>"$out/load-errors.txt"
	[ "$i" = 1 ] && wait "$prof"
	jq -r --arg l "$l0" --arg i "$i" '"| \($i) | \(.requestsPerSecond | floor) | \(.overall.P50) | \(.overall.P95) | \(.overall.P99) | \(.errors) | \($l) |"' "$out/load-$i.json" | tee -a "$report"
done
note ""
for f in requestsPerSecond overall.P50 overall.P95 overall.P99 errors; do
	note "median $f: $(for i in $(seq 1 "$lruns"); do jq -r ".$f" "$out/load-$i.json"; done | stats)"
done
note ""
note "Per kind, run 1:"
note ""
jq -r '.byKind[] | "- \(.kind): \(.requests) requests, \(.errors) errors, p50 \(.P50) ms, p99 \(.P99) ms"' "$out/load-1.json" | tee -a "$report"
note ""
note "sen serve RSS after the load runs: $(rss "$sen_pid")."
note ""
go tool pprof -top -cum "$work/sen" "$out/serve-cpu.prof" 2>/dev/null | head -60 >"$out/serve-cpu-cum.txt" || true
go tool pprof -top "$work/sen" "$out/serve-cpu.prof" 2>/dev/null | head -40 >"$out/serve-cpu-flat.txt" || true
bg="$(go tool pprof -top -cum "$work/sen" "$out/serve-cpu.prof" 2>/dev/null | awk '$NF ~ /job\.\(\*Runner\)\.Run$/ { print $5; exit }')"
note "CPU profile of sen serve during load run 1: $out/serve-cpu-*.txt; background jobs (reminder planning, care-alert sweep, queues) took ${bg:-0%} of it."
note ""
note "Background jobs during the runs (sen serve's log):"
note ""
grep -E '"msg":"(care alerts synced|planned reminders)"' "$work/serve.log" | jq -r '"- \(.time[11:19]) \(.msg): \(del(.time, .level, .msg) | tostring)"' | tee -a "$report" || true
note ""
note "raw output in $out"
