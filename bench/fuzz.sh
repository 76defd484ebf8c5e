#!/usr/bin/env bash
# Runs every fuzz target of the project for a bounded time each (default 20s).
# Usage: bench/fuzz.sh [DURATION]
set -euo pipefail
cd "$(dirname "$0")/.."
dur="${1:-20s}"
grep -rl --include='*_test.go' '^func Fuzz' internal | xargs -n1 dirname | sort -u | while read -r pkg; do
  for target in $(grep -h '^func Fuzz' "$pkg"/*_test.go | sed -E 's/^func (Fuzz[A-Za-z0-9_]*).*/\1/'); do
    echo "fuzz ./$pkg $target for $dur"
    go test "./$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$dur"
  done
done
