#!/bin/sh
# tutor.sh measures the tutor with STREAMS (default 1000) conversations
# streaming at once: the delay the tool adds before a learner sees the first
# token, at p50, p90, p95, p99 and worst, and the tool's resident memory.
#
# By default it runs BenchmarkChatStreams (cmd/aesop/chat_bench_test.go):
# the real binary, `aesop serve`, in its own process, the learners'
# browsers in the benchmark's process, and a fake OpenAI-compatible model
# in a third (the test binary run again as TestPacedModelProcess), so that
# neither's garbage collection pauses the other.
# Each learner launches from the LMS emulator, opens a lab and posts a
# message to the chat's event stream, the posts spread over RAMP (default
# 10s); the model starts each answer 5 ms after the request and streams it
# for ANSWER (default 10s) at 20 tokens a second, so that all the answers
# stream at once. The added delay is from the POST to the first delta
# event, less the model's own time to its first token as the model measured
# it. COUNT (default 3) rounds follow a warm-up round.
#
# LEVEL=service runs BenchmarkConcurrentStreams (tutor/bench_test.go)
# instead: tutor.Service.Send called directly, without HTTP, sessions or
# the web layer, in one process with the fake model.
#
# The database is the local test PostgreSQL (AESOP_TEST_DATABASE_URL
# overrides it), or SQLite with DB=sqlite. Targets: p99 under 10 ms, memory
# under 300 MB.
set -eu
cd "$(dirname "$0")/.."

streams=${STREAMS:-1000}
ramp=${RAMP:-10s}
answer=${ANSWER:-10s}
count=${COUNT:-3}
if [ "${DB:-postgres}" = sqlite ]; then
	export AESOP_BENCH_DB=sqlite
fi
if [ "${LEVEL:-http}" = service ]; then
	bench=BenchmarkConcurrentStreams pkg=./tutor/ flags=tutor
else
	bench=BenchmarkChatStreams pkg=./cmd/aesop/ flags=chat
fi

echo "go test -run '^\$' -bench '^$bench\$' -benchtime ${count}x $pkg" \
	"-$flags.streams $streams -$flags.ramp $ramp -$flags.answer $answer $*"
go test -run '^$' -bench "^$bench\$" -benchtime "${count}x" -timeout 30m "$@" "$pkg" \
	"-$flags.streams" "$streams" "-$flags.ramp" "$ramp" "-$flags.answer" "$answer" |
	grep -E 'ns/op|^(ok|FAIL|---)' | awk '
# A long run can print a log line between the benchmark name and its
# figures, so the figures are found by their unit, not by the name.
/ns\/op/ {
	for (i = 1; i < NF; i++) v[$(i + 1)] = $i
	rss = v["tool-rss-open-MB"] != "" ? v["tool-rss-open-MB"] : v["rss-open-MB"]
	peak = v["tool-rss-peak-MB"] != "" ? v["tool-rss-peak-MB"] : v["rss-peak-MB"]
	db = ENVIRON["AESOP_BENCH_DB"] == "sqlite" ? "sqlite" : "postgres"
	printf "streams %d, database %s\n", v["streams"], db
	printf "added delay to first token (ms): p50 %.1f  p90 %.1f  p95 %.1f  p99 %.1f  max %.1f\n",
		v["p50-added-ms"], v["p90-added-ms"], v["p95-added-ms"], v["p99-added-ms"], v["max-added-ms"]
	printf "resident memory (MB): %.0f while streaming, %.0f at peak\n", rss, peak
	if (v["tool-cpu-ms/answer"] != "")
		printf "tool CPU per answer: %.2f ms\n", v["tool-cpu-ms/answer"]
	else
		printf "process CPU per answer (tool and fake model): %.2f ms\n", v["proc-cpu-ms/answer"]
	printf "targets: p99 < 10 ms, memory < 300 MB\n"
	next
}
{ print }'
