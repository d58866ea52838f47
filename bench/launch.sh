#!/bin/sh
# launch.sh runs the full-launch benchmark (login initiation, launch, first
# page) on SQLite and on PostgreSQL and prints, for each, launches per second
# and the CPU the tool spends per launch. PostgreSQL is the local test server
# (AESOP_TEST_DATABASE_URL overrides it); without one its cases are skipped.
#
# COUNT (default 3) runs of BENCHTIME (default 3s) each; the summary gives
# their mean and range. Extra arguments go to go test, e.g. -cpuprofile.
set -eu
cd "$(dirname "$0")/.."

count=${COUNT:-3}
benchtime=${BENCHTIME:-3s}
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "go test -run '^\$' -bench '^BenchmarkLaunch\$' -benchtime $benchtime -count $count $*"
go test -run '^$' -bench '^BenchmarkLaunch$' -benchtime "$benchtime" -count "$count" \
	"$@" ./cmd/aesop/ | tee "$out" | grep -E '^(Benchmark|ok|FAIL|---)' || true

awk '
/^BenchmarkLaunch\// {
	name = $1
	sub(/^BenchmarkLaunch\//, "", name)
	sub(/-[0-9]+$/, "", name)
	if (!(name in runs)) order[++n] = name
	runs[name]++
	for (i = 3; i < NF; i++) {
		unit = $(i + 1)
		if (unit == "launches/s" || unit == "tool-cpu-µs/launch" ||
		    unit == "proc-cpu-µs/launch" || unit == "gc-bg-cpu-µs/launch") {
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
	return sprintf("%6.0f (%.0f-%.0f)", sum[key] / runs[name], lo[key], hi[key])
}
END {
	if (n == 0) { print "no benchmark results"; exit 1 }
	printf "\n%-18s %-18s %-18s %-18s %-18s\n", "database/mode", "launches/s",
		"tool CPU µs", "process CPU µs", "GC background µs"
	for (j = 1; j <= n; j++) {
		name = order[j]
		printf "%-18s %-18s %-18s %-18s %-18s\n", name, cell(name, "launches/s"),
			cell(name, "tool-cpu-µs/launch"), cell(name, "proc-cpu-µs/launch"),
			cell(name, "gc-bg-cpu-µs/launch")
	}
	print "\nCPU figures are per launch: mean (lowest-highest) of the runs. Tool CPU is"
	print "the tool handler threads only; process CPU adds the LMS emulator and the"
	print "browsers; GC background is the whole process'"'"'s, of which the tool causes"
	print "about half (its share of allocations)."
	print "\ntarget: at most 1000 µs of tool CPU per full launch"
}' "$out"
