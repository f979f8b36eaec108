#!/usr/bin/env bash
# t/bench/ws.sh BUILDDIR -- live task output over WebSocket (nchan).
#
# A "start" task's out-of-band command (a local Python script: no SSH in
# the way) waits until every subscriber is in, then writes lines, each
# "t=<unix time> i", which hangar-agent reads and publishes to the stack's
# nginx; t/ws-client.py subscribers (python3-websockets) take them.  In
# one run:
#   burst   LINES lines written flat out, to 1 and to SUBS subscribers:
#           lines/s reaching each subscriber and deliveries/s in all
#           (first to last receipt), and the ratio of the two rates
#   paced   RATE lines/s for SECONDS, to SUBS subscribers: the delay from
#           the script's write to each subscriber's receipt (p50, p99,
#           max over every delivery); target p99 < 100 ms
# The subscribers run in one Python process on the same 2 cores as nginx,
# the agent and hangard: the figures are the whole path's, client
# included.  It prints figures; it is not a pass/fail test.
#
# Everything runs in t/tmp/ws on 127.0.0.1:PORT (default 18471) and is
# stopped by pid at exit.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?usage: ws.sh BUILDDIR}" && pwd)
PORT=${HANGAR_BENCH_PORT:-18471}
SUBS=${SUBS:-500}
LINES=${LINES:-400}
RATE=${RATE:-20}
SECONDS_PACED=${SECONDS_PACED:-6}
DIR=$SRC/t/tmp/ws
NAME=ws
. "$SRC/t/bench/lib.bash"

cleanup() { "$SRC/t/stack.sh" stop "$DIR" >/dev/null 2>&1 || true; }
trap cleanup EXIT

export HANGAR_EXTRA_CONF="power_start_cmd = /usr/bin/python3 $DIR/emit.py \"\$1\""
fresh_stack
cat >"$DIR/emit.py" <<'PY'
# emit.py NAME: wait for DIR/go-NAME, then write what DIR/plan-NAME says
# ("count rate": rate 0 is flat out).
import os, sys, time
d = os.path.dirname(os.path.abspath(__file__))
name = sys.argv[1]
count, rate = (float(x) for x in open(os.path.join(d, "plan-" + name)).read().split())
end = time.time() + 60
while not os.path.exists(os.path.join(d, "go-" + name)) and time.time() < end:
    time.sleep(0.02)
t0 = time.time()
for i in range(int(count)):
    if rate > 0:
        time.sleep(max(0.0, t0 + i / rate - time.time()))
    sys.stdout.write("t=%.6f %d\n" % (time.time(), i))
    sys.stdout.flush()
PY
tok=$(api_token admin "$HANGAR_ADMIN_PASSWORD")

# run NAME COUNT RATE SUBS -- one task on a new host; prints the client's
# JSON summary lines.
run() {
	local name=$1 host task out
	cat >"$DIR/plan-$name" <<<"$2 $3"
	host=$(mysql_cli -e "INSERT INTO hosts (name, host_type) VALUES \
	    ('$name', 'PHY_HOST'); SELECT LAST_INSERT_ID()")
	task=$(curl -sf -H "Authorization: Token $tok" \
	    -H 'Content-Type: application/json' -d "[{\"host_id\": $host}]" \
	    "http://127.0.0.1:$PORT/hosts/start-tasks/" |
	    sed -n 's/.*"task_id": *"\([0-9]*\)".*/\1/p')
	[ -n "$task" ] || die "no task"
	out=$DIR/client-$name.out
	/usr/bin/python3 "$SRC/t/ws-client.py" -t 300 -n "$4" --delays \
	    -H "Authorization: Token $tok" \
	    "ws://127.0.0.1:$PORT/ws/tasks/$task" >"$out" &
	local pid=$!
	wait_until 120 grep -q '^open' "$out" || die "subscribers not in"
	touch "$DIR/go-$name"
	wait "$pid" || die "client failed; see $out"
	# every subscriber got every line and the end
	awk -v want=$(( $2 + 1 )) -F'"count": ' '/"count"/ { split($2, a, ","); \
	    if (a[1] != want) bad++ } END { exit bad > 0 }' "$out" ||
	    die "a subscriber missed messages; see $out"
	tail -n 1 "$out"
}

# field JSON KEY
field() { /usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }

say "ws: $LINES lines flat out, then $RATE lines/s for ${SECONDS_PACED}s; $SUBS subscribers"
one=$(run burst1 "$LINES" 0 1)
many=$(run burstmany "$LINES" 0 "$SUBS")
paced=$(run paced "$((RATE * SECONDS_PACED))" "$RATE" "$SUBS")

/usr/bin/python3 - "$LINES" "$SUBS" "$one" "$many" "$paced" <<'PY'
import json, sys
lines, subs = int(sys.argv[1]), int(sys.argv[2])
one, many, paced = (json.loads(a) for a in sys.argv[3:6])
def rate(r):
    return lines / max(r["last"] - r["first"], 1e-6)
r1, rn = rate(one), rate(many)
print("burst, 1 subscriber:    %8.0f lines/s   delay p50 %6.1f ms  p99 %6.1f ms"
      % (r1, one["p50_ms"], one["p99_ms"]))
print("burst, %d subscribers: %8.0f lines/s each, %9.0f deliveries/s in all"
      % (subs, rn, rn * subs))
print("ratio %d subscribers / 1: %.2f of the per-subscriber rate, %.0fx the deliveries"
      % (subs, rn / r1, rn * subs / r1))
print("paced, %d subscribers:  %d deliveries  delay p50 %6.1f ms  p99 %6.1f ms  max %6.1f ms  (target p99 < 100 ms: %s)"
      % (subs, paced["delays"], paced["p50_ms"], paced["p99_ms"], paced["max_ms"],
         "met" if paced["p99_ms"] < 100 else "NOT met"))
PY
