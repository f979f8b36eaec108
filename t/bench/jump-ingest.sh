#!/usr/bin/env bash
# t/bench/jump-ingest.sh BUILDDIR [BASEBUILD] [LINES] -- the bastion command
# log's ingestion rate through the API (issue 15: >= 20,000 lines/s).
# Prints figures; not a pass/fail test (non-zero only when it could not
# measure).
#
# Ships LINES (default 300,000) generated bastion commands (t/bench/jump-
# ship.py: batches of 5,000, CLIENTS (default 2) at once, each line with a
# client id) to POST /common-utils/jump-server-logs/ of a fresh stack and
# prints lines/s, timed from the first request to the last answer (the
# bodies are made before: making them is the bastion's work, not
# Hangar's).  With BASEBUILD (a build of an earlier commit, e.g. `git worktree
# add /tmp/base <commit> && make -C /tmp/base all`), the same lines go to a
# fresh stack of BASEBUILD first, in the same run, and the ratio is printed.
# The machine the benchmarks share may be loaded, which slows both runs
# alike only when the load stays put; so each run also prints the CPU time
# MariaDB, hangard (its workers) and nginx spent (from /proc), per 1,000
# lines: what the rate would be on one otherwise idle core is 1,000 / that.
# PERF=1 records `perf record -g` of MariaDB and hangard during BUILDDIR's
# run into DIR/perf.data and prints the top of its report.
# Everything runs in t/tmp/bench-jumpingest on 127.0.0.1:PORT (default
# 18433); all it starts is stopped by pid.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?usage: jump-ingest.sh BUILDDIR [BASEBUILD] [LINES]}" && pwd)
BASEBUILD=${2:+$(cd "$2" && pwd)}
LINES=${3:-300000}
PORT=${HANGAR_BENCH_PORT:-18433}
DIR=$SRC/t/tmp/bench-jumpingest
P=/common-utils/jump-server-logs/

NAME="jump-ingest bench"
. "$SRC/t/bench/lib.bash"

for tool in curl mariadb nginx python3 awk; do
	command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
done

perf_pid=
cleanup() {
	set +e
	[ -z "$perf_pid" ] || kill -INT "$perf_pid" 2>/dev/null
	"$SRC/t/stack.sh" stop "$DIR" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export HANGAR_EXTRA_CONF="max_requests = 0"

# cpu_ticks -- CPU time (clock ticks) of the stack's MariaDB, hangard with
# its workers, and nginx with its workers: "db hangard nginx".
cpu_ticks() {
	local f pids
	for f in mysql hangard nginx; do
		pids="$(cat "$DIR/$f.pid") $(pgrep -P "$(cat "$DIR/$f.pid")" || true)"
		# shellcheck disable=SC2086
		for p in $pids; do awk '{ print $14 + $15 }' "/proc/$p/stat"; done |
		    awk '{ s += $1 } END { printf "%d ", s }'
	done
}

# ship BUILD LABEL -- a fresh stack of BUILD, LINES shipped; sets RATE.
ship() {
	local t0 t1 stored pids
	BUILD=$1
	[ -x "$BUILD/hangard" ] || die "$BUILD/hangard is not built"
	fresh_stack
	TOKEN=$(api_token admin "$HANGAR_ADMIN_PASSWORD")
	if [ "${PERF:-0}" = 1 ] && [ "$2" = this ]; then
		# the whole machine (MariaDB's connection threads, hangard's
		# workers); the report keeps mariadbd, hangard and nginx
		perf record -q -g -a -o "$DIR/perf.data" >/dev/null 2>&1 &
		perf_pid=$!
	fi
	# the bodies are made first (PREBUILD): the time is the sending's
	c0=$(cpu_ticks)
	sent=$(PREBUILD=1 CLIENTS=${CLIENTS:-2} python3 "$SRC/t/bench/jump-ship.py" \
	    "http://127.0.0.1:$PORT$P" "$TOKEN" "$LINES") || die "ingestion failed"
	c1=$(cpu_ticks)
	t0=0
	t1=$(printf '%s\n' "$sent" | sed -n 's/^sent [0-9]* lines in \([0-9.]*\) seconds$/\1/p')
	[ -n "$t1" ] || die "jump-ship.py said: $sent"
	if [ -n "$perf_pid" ]; then
		kill -INT "$perf_pid"; wait "$perf_pid" || true; perf_pid=
	fi
	stored=$(mysql_cli -e "SELECT COUNT(*) FROM jump_logs")
	[ "$stored" -eq "$LINES" ] || die "$stored lines stored, $LINES sent"
	RATE=$(awk -v n="$LINES" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
	say "$2: $LINES lines in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s = $RATE lines/s (target >= 20000)"
	# CPU: ms of CPU per 1,000 lines, all three together
	CPU=$(awk -v a="$c0" -v b="$c1" -v n="$LINES" -v hz="$(getconf CLK_TCK)" 'BEGIN {
	    split(a, x, " "); split(b, y, " "); t = 0
	    for (i = 1; i <= 3; i++) { c[i] = 1000000 * (y[i] - x[i]) / hz / n; t += c[i] }
	    printf "%.1f %.1f %.1f %.1f", t, c[1], c[2], c[3] }')
	set -- $CPU "$2"
	say "$5: CPU per 1,000 lines: $1 ms (MariaDB $2, hangard $3, nginx $4) = $(awk -v c="$1" 'BEGIN { printf "%.0f", 1000000 / c }') lines per CPU-second"
	CPU=$1
}

say "load before: $(uptime)"
if [ -n "$BASEBUILD" ]; then
	ship "$BASEBUILD" base
	base=$RATE
	basecpu=$CPU
fi
ship "$BUILD" this
if [ -n "$BASEBUILD" ]; then
	awk -v a="$RATE" -v b="$base" -v c="$CPU" -v d="$basecpu" 'BEGIN {
	    printf "ratio: this / base = %.2f (lines/s), %.2f (lines per CPU-second)\n", a / b, d / c }'
fi
say "load after: $(uptime)"
if [ -f "$DIR/perf.data" ]; then
	perf report -i "$DIR/perf.data" --no-children --comms mariadbd,hangard,nginx \
	    --sort comm,dso --stdio -g none 2>/dev/null | grep '%' | head -12
	perf report -i "$DIR/perf.data" --no-children --comms mariadbd,hangard \
	    --sort comm,sym --stdio -g none 2>/dev/null | grep '%' | head -40
fi
