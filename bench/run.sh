#!/usr/bin/env bash
# Runs the package benchmarks that matter for Sen's performance goals, and
# their baselines in bench/baseline, in one run, then summarises them.
#
# Usage: bench/run.sh [quick|full]      (default quick: 8 minutes at load average 10,
#                                        16 minutes at load average 17)
#
#   quick  every benchmark below, -count=5, short -benchtime; the store
#          benchmarks for the default driver and one writer only
#   full   -count=5, Go's default -benchtime, every sub-benchmark, plus
#          internal/ingest BenchmarkLoadSQLite and synth BenchmarkBundles
#
# Output goes to bench/out/run-<UTC stamp>/ (gitignored):
#   raw.txt        go test -bench output, all packages (benchstat input)
#   load.txt       `uptime` before each package: the machine is shared
#   benchstat.txt  benchstat's summary (medians, ±95 % interval)
#   medians.md     median, min and max of every metric (bench/medians.awk)
#   ingest-cpu.txt go tool pprof -top of one bulk-load run (where ingest time goes)
#
# Environment: SEN_BENCH_COUNT (default 5) runs per benchmark;
# SEN_TEST_POSTGRES (default postgres://postgres@127.0.0.1:5432/test) for the
# PostgreSQL store benchmarks, which skip when no server answers.
# benchstat is installed into a temporary GOBIN, never into go.mod.
set -uo pipefail
cd "$(dirname "$0")/.."
mode="${1:-quick}"
case "$mode" in
quick | full) ;;
*)
	echo "usage: bench/run.sh [quick|full] / cách dùng: bench/run.sh [quick|full]" >&2
	exit 2
	;;
esac
count="${SEN_BENCH_COUNT:-5}" # benchstat wants >= 6 for its 95 % intervals
out="bench/out/run-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$out"
raw="$out/raw.txt"
: >"$raw"
{
	echo "# sen bench/run.sh $mode, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
	echo "# $(go version); $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
} | tee "$out/load.txt"

# One line per package: package;-bench regexp;quick -benchtime;full -benchtime.
# Heavy benchmarks (one op = a whole load) run 1x per count.
benches=(
	"./internal/fhirpath;^Benchmark(EvaluatePath|EvaluateSearchExpressions|DecodeAndSearch)$;0.3s;1s"
	"./internal/search;^BenchmarkIndexSynthea$;20000x;70000x"
	"./internal/validate;^BenchmarkValidate(Patient|Observation)$;0.3s;1s"
	"./internal/view;^BenchmarkEval(Simple|ForEach)$;0.3s;1s"
	"./internal/viewrun;^BenchmarkStoreView$;1x;1x"
	"./internal/rest;^Benchmark(Read|Create)$;0.3s;1s"
	"./internal/terminology;^Benchmark(Lookup|MemberOfChronic|ExpandFilter)$;0.3s;1s"
	"./internal/clinical/medication;^BenchmarkPDC10kPatients$;5x;1s"
	"./internal/chat;^BenchmarkParse$;0.3s;1s"
	"./internal/synth;^BenchmarkRun$;1x;1s"
	"./bench/baseline;^Benchmark(Read|Extract)$;0.3s;1s"
	# Ingest/loader here is internal/ingest's BenchmarkLoadSQLite (same data,
	# same Loader) beside its raw-INSERT baseline; full mode runs both.
	"./bench/baseline;^BenchmarkIngest$;1x;3x"
)
if [ "$mode" = quick ]; then
	# The default driver, one writer: the stores' share of a bulk load.
	benches+=(
		"./internal/store/sqlite;^BenchmarkIngest$/^mattn$/^writers=1$;1x;-"
		"./internal/store/sqlite;^BenchmarkRead$/^mattn$;0.3s;-"
		"./internal/store/postgres;^BenchmarkIngest$/^writers=1$;1x;-"
		"./internal/store/postgres;^BenchmarkRead$;0.3s;-"
	)
else
	benches+=(
		"./internal/ingest;^BenchmarkLoadSQLite$;-;1x"
		"./internal/store/sqlite;^BenchmarkIngest$;-;1x"
		"./internal/store/sqlite;^BenchmarkRead$;-;1s"
		"./internal/store/postgres;^BenchmarkIngest$;-;1x"
		"./internal/store/postgres;^BenchmarkRead$;-;1s"
		"./internal/synth;^BenchmarkBundles$;-;1s"
	)
fi

failed=0
for line in "${benches[@]}"; do
	IFS=';' read -r pkg re tq tf <<<"$line"
	bt="$tq"
	[ "$mode" = full ] && bt="$tf"
	echo "## $pkg $re -benchtime $bt -count $count; load: $(uptime | sed 's/.*load average: //')" | tee -a "$out/load.txt"
	if ! go test "$pkg" -run '^$' -bench "$re" -benchtime "$bt" -count "$count" -timeout 30m >>"$raw" 2>&1; then
		echo "   FAILED (see $raw)" | tee -a "$out/load.txt"
		failed=1
	fi
done
echo "## done; load: $(uptime | sed 's/.*load average: //')" | tee -a "$out/load.txt"

# Where bulk-load time goes: one profiled run of the loader.
prof="$out/ingest.cpu.prof"
if go test ./internal/ingest -run '^$' -bench '^BenchmarkLoadSQLite$' -benchtime 1x -count 1 \
	-cpuprofile "$prof" -o "$out/ingest.test" >"$out/ingest-bench.txt" 2>&1; then
	go tool pprof -top -nodecount 30 "$out/ingest.test" "$prof" >"$out/ingest-cpu.txt" 2>/dev/null
	go tool pprof -top -cum -nodecount 40 "$out/ingest.test" "$prof" >"$out/ingest-cpu-cum.txt" 2>/dev/null
else
	echo "ingest profile FAILED (see $out/ingest-bench.txt)" | tee -a "$out/load.txt"
	failed=1
fi

# benchstat, installed once per machine into a temporary GOBIN.
bin="${TMPDIR:-/tmp}/sen-bench-bin"
if [ ! -x "$bin/benchstat" ]; then
	mkdir -p "$bin"
	GOBIN="$bin" GOFLAGS=-mod=mod go install golang.org/x/perf/cmd/benchstat@latest >/dev/null 2>&1 ||
		echo "benchstat could not be installed; medians.md still has the medians" >&2
fi
[ -x "$bin/benchstat" ] && "$bin/benchstat" "$raw" >"$out/benchstat.txt" 2>&1
awk -f bench/medians.awk "$raw" >"$out/medians.md"
cat "$out/medians.md"
echo "results in $out"
exit $failed
