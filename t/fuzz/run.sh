#!/usr/bin/env bash
# t/fuzz/run.sh BUILDDIR SECONDS [NAME...] -- run each libFuzzer target
# (BUILDDIR/fuzz_NAME) for SECONDS on a copy of its seed corpus
# (t/fuzz/corpus/NAME; what it finds stays in t/tmp/fuzz/NAME), and print
# each one's executions per second and coverage.  Exits non-zero when a
# target crashed, leaked, timed out or ran out of memory; the input that
# did it is kept in t/tmp/fuzz/ (crash-*, leak-*, timeout-*, oom-*).
# A target with a dictionary (t/fuzz/NAME.dict) gets it with -dict=.
set -uo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?usage: run.sh BUILDDIR SECONDS [NAME...]}" && pwd)
SECS=${2:?seconds}
shift 2
WORK=$SRC/t/tmp/fuzz
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in "$SRC"/t/fuzz/fuzz_*.c; do
		n=${f##*/fuzz_}
		names+=("${n%.c}")
	done
fi

bad=0
for n in "${names[@]}"; do
	bin=$BUILD/fuzz_$n
	[ -x "$bin" ] || { echo "fuzz $n: $bin is not built" >&2; bad=1; continue; }
	mkdir -p "$WORK/$n/corpus"
	cp -n "$SRC/t/fuzz/corpus/$n"/* "$WORK/$n/corpus/" 2>/dev/null
	log=$WORK/$n/log
	dict=()
	[ -f "$SRC/t/fuzz/$n.dict" ] && dict=(-dict="$SRC/t/fuzz/$n.dict")
	( cd "$WORK/$n" && ASAN_OPTIONS=detect_leaks=1 \
	    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	    "$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 \
	    -max_len=65536 -print_final_stats=1 "${dict[@]}" corpus \
	    >"$log" 2>&1 )
	rc=$?
	execs=$(awk '/stat::number_of_executed_units/ {print $2}' "$log")
	rate=$(awk '/stat::average_exec_per_sec/ {print $2}' "$log")
	cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -n1)
	if [ $rc -eq 0 ]; then
		printf 'fuzz %-6s ok: %s runs in %s s, %s/s, %s, corpus %s files\n' \
		    "$n" "${execs:-?}" "$SECS" "${rate:-?}" "${cov:-?}" \
		    "$(ls "$WORK/$n/corpus" | wc -l)"
	else
		printf 'fuzz %-6s FAILED (exit %d); see %s\n' "$n" "$rc" "$log"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$log" | head -n 8
		bad=1
	fi
done
exit $bad
