#!/usr/bin/env bash
# t/bench/jump-purge.sh BUILDDIR [OLD [NEW]] -- the bastion command log's
# retention under load (issue 15).  Prints figures; not a pass/fail test.
#
# Ships OLD (default 1,000,000) generated lines created 100 days ago and
# NEW (default 100,000) of today through the API (jump-ship.py), then
# starts hangar-agent with jump_log_retention_days = 30 and, while it
# purges, searches without pause from one client (keyword=payments on the
# new lines, and user=ops7, in turn).  Prints the purge's duration (the
# agent's own figure), lines a second, and the searches' count, p50, p99
# and worst latency during it, next to the same searches before the purge.
# Everything runs in t/tmp/bench-jumppurge on 127.0.0.1:PORT (default
# 18441); all it starts is stopped by pid.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?usage: jump-purge.sh BUILDDIR [OLD [NEW]]}" && pwd)
OLD=${2:-1000000}
NEW=${3:-100000}
PORT=${HANGAR_BENCH_PORT:-18441}
DIR=$SRC/t/tmp/bench-jumppurge
BASE=http://127.0.0.1:$PORT
P=/common-utils/jump-server-logs/

NAME="jump-purge bench"
. "$SRC/t/bench/lib.bash"

for tool in curl mariadb nginx python3 awk; do
	command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
done
[ -x "$BUILD/hangar-agent" ] || die "$BUILD/hangar-agent is not built"

cleanup() {
	set +e
	[ -n "${SEARCH_PID:-}" ] && kill "$SEARCH_PID" 2>/dev/null
	"$SRC/t/stack.sh" stop "$DIR" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export HANGAR_EXTRA_CONF="max_requests = 0"
say "load before: $(uptime)"
fresh_stack
TOKEN=$(api_token admin "$HANGAR_ADMIN_PASSWORD")
now=$(date +%s)

say "shipping $OLD lines of 100 days ago and $NEW of today ..."
python3 "$SRC/t/bench/jump-ship.py" "$BASE$P" "$TOKEN" "$OLD" \
    $((now - 100 * 86400)) old || die "ingestion failed"
python3 "$SRC/t/bench/jump-ship.py" "$BASE$P" "$TOKEN" "$NEW" \
    $((now - NEW / 100)) new || die "ingestion failed"
mysql_cli -e "ANALYZE TABLE jump_logs, jump_log_postings" >/dev/null
[ "$(mysql_cli -e "SELECT COUNT(*) FROM jump_logs")" -eq $((OLD + NEW)) ] ||
    die "not every line was stored"

# search SECONDS|until-FILE -- searches in turn, one client; prints
# "n p50 p99 max" in ms when SECONDS have passed or FILE exists.
search() {
	python3 - "$BASE$P" "$TOKEN" "$1" <<'PY'
import http.client, os, sys, time, urllib.parse
url, token, until = sys.argv[1], sys.argv[2], sys.argv[3]
u = urllib.parse.urlparse(url)
c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
hdr = {"Authorization": "Token " + token}
qs = ["keyword=payments", "user=ops7"]
lat, t0 = [], time.time()
def done():
    if until.isdigit():
        return time.time() - t0 >= int(until)
    return os.path.exists(until)
while not done():
    a = time.time()
    c.request("GET", u.path + "?" + qs[len(lat) % 2], headers=hdr)
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit("search answered %d" % r.status)
    lat.append((time.time() - a) * 1000)
lat.sort()
pick = lambda p: lat[min(len(lat) - 1, int(len(lat) * p))]
print("%d %.1f %.1f %.1f" % (len(lat), pick(0.5), pick(0.99), lat[-1]))
PY
}

read -r n p50 p99 max < <(search 10)
say "before the purge: $n searches in 10 s, p50 $p50 ms, p99 $p99 ms, worst $max ms"

rm -f "$DIR/purged"
printf 'jump_log_retention_days = 30\n' >>"$DIR/hangar.conf"
"$SRC/t/stack.sh" stop-agent "$DIR" >/dev/null
: >"$DIR/log/agent.log"
search "$DIR/purged" >"$DIR/search.out" &
SEARCH_PID=$!
"$SRC/t/stack.sh" start-agent "$DIR" "$PORT" "$BUILD" >/dev/null
wait_until 3600 grep -q 'result=purged' "$DIR/log/agent.log" ||
    die "no purge within an hour; see $DIR/log/agent.log"
touch "$DIR/purged"
wait "$SEARCH_PID" || die "a search failed during the purge"
SEARCH_PID=
read -r n p50 p99 max <"$DIR/search.out"
line=$(grep 'result=purged' "$DIR/log/agent.log" | tail -1)
ms=$(printf '%s\n' "$line" | sed -n 's/.*dur_ms=\([0-9]*\).*/\1/p')
left=$(mysql_cli -e "SELECT COUNT(*) FROM jump_logs WHERE created_time < \
    UTC_TIMESTAMP() - INTERVAL 30 DAY")
orphans=$(mysql_cli -e "SELECT COUNT(*) FROM jump_log_postings p LEFT JOIN \
    jump_logs l ON l.id = p.log_id WHERE l.id IS NULL")
say "purge: $OLD lines in $(awk -v m="$ms" 'BEGIN { printf "%.1f", m / 1000 }') s" \
    "= $(awk -v n="$OLD" -v m="$ms" 'BEGIN { printf "%.0f", n / (m / 1000) }') lines/s" \
    "($left old lines and $orphans postings without a line left)"
say "during the purge: $n searches, p50 $p50 ms, p99 $p99 ms, worst $max ms"
say "left: $(mysql_cli -e "SELECT COUNT(*) FROM jump_logs") lines"
say "load after: $(uptime)"
