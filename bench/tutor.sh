#!/bin/sh
# tutor.sh runs BenchmarkConcurrentStreams (tutor/bench_test.go): STREAMS
# learners (default 1000) each send the tutor a message, their sends spread
# over RAMP (default 10s), to a fake OpenAI-compatible model in the same
# process that streams each answer for ANSWER (default 10s) at 20 tokens a
# second, so that all the answers stream at once. It prints the delay the
# tool adds before the first token (from the Send call to the first piece of
# the answer, less the fake's own 5 ms) at p50, p90, p95, p99 and worst, and
# the process's resident memory while the answers stream and at its peak.
#
# The database is the local test PostgreSQL (AESOP_TEST_DATABASE_URL
# overrides it), or SQLite with DB=sqlite. COUNT (default 3) rounds follow a
# warm-up round. Targets: p99 under 10 ms, memory under 300 MB.
set -eu
cd "$(dirname "$0")/.."

streams=${STREAMS:-1000}
ramp=${RAMP:-10s}
answer=${ANSWER:-10s}
count=${COUNT:-3}
if [ "${DB:-postgres}" = sqlite ]; then
	export AESOP_BENCH_DB=sqlite
fi

echo "go test -run '^\$' -bench '^BenchmarkConcurrentStreams\$' -benchtime ${count}x" \
	"-tutor.streams $streams -tutor.ramp $ramp -tutor.answer $answer $*"
go test -run '^$' -bench '^BenchmarkConcurrentStreams$' -benchtime "${count}x" \
	-timeout 30m "$@" ./tutor/ -tutor.streams "$streams" -tutor.ramp "$ramp" \
	-tutor.answer "$answer" | grep -E '^(Benchmark|ok|FAIL|---)' | awk '
/^BenchmarkConcurrentStreams/ {
	for (i = 3; i < NF; i++) v[$(i + 1)] = $i
	printf "streams %d, database %s\n", v["streams"], ENVIRON["AESOP_BENCH_DB"] == "sqlite" ? "sqlite" : "postgres"
	printf "added delay to first token (ms): p50 %.1f  p90 %.1f  p95 %.1f  p99 %.1f  max %.1f\n",
		v["p50-added-ms"], v["p90-added-ms"], v["p95-added-ms"], v["p99-added-ms"], v["max-added-ms"]
	printf "resident memory (MB): %.0f while streaming, %.0f at peak\n", v["rss-open-MB"], v["rss-peak-MB"]
	printf "process CPU per answer (tool and fake model): %.2f ms\n", v["proc-cpu-ms/answer"]
	printf "targets: p99 < 10 ms, memory < 300 MB\n"
	next
}
{ print }'
