// Package read holds the read-path benchmarks of docs/benchmarks.md §3 at
// scale: Patient $everything, a code search counted and downloaded, and
// code+patient, each beside the bare SQL the same answer needs, in the
// same process and run.
// They open an existing data directory (SEN_BENCH_DATA, built by
// bench/data1m.sh) read-only in spirit: nothing is written.
//
//	SEN_BENCH_DATA=/tmp/sen-1m go test ./bench/read -run '^$' -bench . -count 5
//
// Without SEN_BENCH_DATA every benchmark skips.
package read
