#!/bin/sh
# delivery.sh runs the grade delivery benchmark on PostgreSQL and on SQLite
# and prints, for each, scores delivered per second to a healthy local
# platform and the time from submission to receipt. PostgreSQL is the local
# test server (AESOP_TEST_DATABASE_URL overrides it); without one its cases
# are skipped.
#
# COUNT (default 3) runs of BENCHTIME (default 2000x: scores per case) each;
# the summary gives their mean and range. Extra arguments go to go test, e.g.
# -cpuprofile.
set -eu
cd "$(dirname "$0")/.."

count=${COUNT:-3}
benchtime=${BENCHTIME:-2000x}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "go test -run '^\$' -bench '^BenchmarkDelivery\$' -benchtime $benchtime -count $count $*"
go test -run '^$' -bench '^BenchmarkDelivery$' -benchtime "$benchtime" -count "$count" \
	"$@" ./cmd/aesop/ 2>/dev/null | tee "$out" |
	grep -E '^(Benchmark|ok|FAIL|---)|_test\.go:[0-9]+:' || true

awk '
/^BenchmarkDelivery\// && /scores\/s/ {
	name = $1
	sub(/^BenchmarkDelivery\//, "", name)
	sub(/-[0-9]+$/, "", name)
	if (!(name in runs)) order[++n] = name
	runs[name]++
	for (i = 3; i < NF; i++) {
		unit = $(i + 1)
		if (unit == "scores/s" || unit == "submitted/s" || unit == "p50-ms" ||
		    unit == "p99-ms" || unit == "max-ms") {
			v = $i + 0
			key = name SUBSEP unit
			sum[key] += v
			if (!(key in lo) || v < lo[key]) lo[key] = v
			if (!(key in hi) || v > hi[key]) hi[key] = v
		}
	}
}
function cell(name, unit,   key) {
	key = name SUBSEP unit
	if (!(key in sum)) return "-"
	return sprintf("%.0f (%.0f-%.0f)", sum[key] / runs[name], lo[key], hi[key])
}
END {
	if (n == 0) { print "no benchmark results"; exit 1 }
	printf "\n%-17s %-16s %-16s %-14s %-16s %-16s\n", "database/case", "scores/s",
		"submitted/s", "p50 ms", "p99 ms", "max ms"
	for (j = 1; j <= n; j++) {
		name = order[j]
		printf "%-17s %-16s %-16s %-14s %-16s %-16s\n", name, cell(name, "scores/s"),
			cell(name, "submitted/s"), cell(name, "p50-ms"), cell(name, "p99-ms"),
			cell(name, "max-ms")
	}
	print "\nburst: deliveries per second of delivery time, 350 scores at a time."
	print "steady: learners submitting at up to 250 a second with the worker running;"
	print "p50/p99/max: from the score'"'"'s timestamp to its arrival at the platform."
	print "\ntargets: at least 500 scores/s; p99 under 1000 ms"
}' "$out"
