# Summarises `go test -bench` output (several -count runs) as a Markdown
# table: the median, min and max of every metric of every benchmark, in
# the order they first appear. benchstat gives confidence intervals; the
# project reports medians with their spread, which this prints.
#
# Usage: awk -f bench/medians.awk raw.txt
/^pkg: / { pkg = $2; sub(/^github.com\/sen-emr\/sen\//, "", pkg) }
/^Benchmark/ && NF >= 4 {
	name = $1
	sub(/-[0-9]+$/, "", name) # the GOMAXPROCS suffix
	for (i = 3; i + 1 <= NF; i += 2) {
		if ($(i + 1) == "B/op") continue # benchstat shows memory; keep the table short
		key = pkg SUBSEP name SUBSEP $(i + 1)
		if (!(key in n)) {
			order[++keys] = key
		}
		vals[key, ++n[key]] = $i + 0
	}
}
END {
	print "| package | benchmark | unit | median | min | max | runs |"
	print "|---|---|---|---:|---:|---:|---:|"
	for (k = 1; k <= keys; k++) {
		key = order[k]
		split(key, f, SUBSEP)
		delete a
		for (j = 1; j <= n[key]; j++) {
			a[j] = vals[key, j]
		}
		m = asort(a)
		med = (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
		printf "| %s | %s | %s | %s | %s | %s | %d |\n", f[1], f[2], f[3], fmt(med), fmt(a[1]), fmt(a[m]), m
	}
}
function fmt(x) {
	if (x >= 100) return sprintf("%.0f", x)
	if (x >= 1) return sprintf("%.2f", x)
	return sprintf("%.4g", x)
}
