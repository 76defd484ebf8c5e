#!/usr/bin/env bash
# Runs every fuzz target of the project for a bounded time each (default 20s).
# Usage: bench/fuzz.sh [DURATION]
#
# A target fails on a real finding: a failing input written to
# testdata/fuzz, a panic, or any error other than the one below. Go 1.26's
# fuzz coordinator can end a clean run with a bare "context deadline
# exceeded" when -fuzztime expires while a worker is mid-call
# (go.dev/issue/75804, fixed in Go 1.27); such a run wrote no input, so the
# target's corpus is replayed deterministically instead and must pass.
set -euo pipefail
cd "$(dirname "$0")/.."
dur="${1:-20s}"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
grep -rl --include='*_test.go' '^func Fuzz' internal | xargs -n1 dirname | sort -u | while read -r pkg; do
  for target in $(grep -h '^func Fuzz' "$pkg"/*_test.go | sed -E 's/^func (Fuzz[A-Za-z0-9_]*).*/\1/'); do
    echo "fuzz ./$pkg $target for $dur"
    if go test "./$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$dur" >"$log" 2>&1; then
      tail -n 2 "$log"
      continue
    fi
    cat "$log"
    if grep -q 'context deadline exceeded' "$log" && ! grep -qE 'Failing input written|panic:' "$log" \
      && [ "$(grep -c '^    ' "$log")" -le 1 ]; then
      echo "fuzz ./$pkg $target: the coordinator's end-of-run deadline race (go.dev/issue/75804), no input written; replaying the corpus"
      go test "./$pkg" -run "^${target}\$" -count=1
      continue
    fi
    exit 1
  done
done
