#!/bin/sh
# pages.sh runs the page benchmark: 32 learners' sessions fetch a lesson page
# and a quiz page concurrently, on SQLite and on PostgreSQL, and it prints
# pages per second and the 99th percentile latency of each. The HTTP client
# runs in the same process and shares the two cores with the tool, so the
# figures understate what the tool serves alone.
#
# BENCHTIME (default 5s) per case, COUNT (default 3) runs; extra arguments go
# to go test.
set -eu
cd "$(dirname "$0")/.."
go test -run '^$' -bench '^BenchmarkPages$' -benchtime "${BENCHTIME:-5s}" \
	-count "${COUNT:-3}" "$@" ./cmd/aesop/ 2>/dev/null |
	grep -E '^(BenchmarkPages|ok|FAIL)' |
	awk '{ for (i = 3; i < NF; i++) if ($(i+1) == "pages/s" || $(i+1) == "p99-ms")
		printf "%s %s %s  ", (i == 3 ? $1 : ""), $i, $(i+1); print "" }'
