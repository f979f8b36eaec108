#!/usr/bin/env bash
# t/bench/run.sh BUILDDIR -- the foundation benchmark (`make bench`).
#
# With 10,000 users in the database, wrk -t2 -c64 -d10s against
# GET /users/?page_size=20 with token auth, and, behind the same nginx in the
# same run, against t/bench/ceiling.c: a minimal libfcgi responder returning a
# JSON body of the same size.  Prints both req/s, p99 latency and the ratio,
# then drives hangard to 200,000 requests and prints each worker's RSS at
# ~100,000 and ~200,000.  Targets: >= 25% of the ceiling, p99 < 20 ms, a
# worker's RSS < 16 MB and not growing.  It prints figures; it is not a
# pass/fail test (exit status is non-zero only when it could not measure).
# HANGAR_BENCH_RSS=0 skips the 200,000-request RSS part.
#
# Everything runs in t/tmp/bench on 127.0.0.1:PORT (hangard) and PORT+1
# (ceiling), default 18200; everything it starts is stopped by pid at exit.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?usage: run.sh BUILDDIR}" && pwd)
PORT=${HANGAR_BENCH_PORT:-18200}
CPORT=$((PORT + 1))
DIR=$SRC/t/tmp/bench
USERS=10000
THREADS=2 CONNS=64 DURATION=10s
RSS_AT1=100000 RSS_AT2=200000
PATH_Q='/users/?page_size=20'
URL=http://127.0.0.1:$PORT$PATH_Q
CURL=http://127.0.0.1:$CPORT$PATH_Q

NAME=bench
. "$SRC/t/bench/lib.bash"

need_ceilings
command -v getconf >/dev/null || die "getconf is not installed (make deps)"

wrk_pid=

# Stop what this script started: wrk, the ceiling (its process group) and
# its nginx server block, then the stack, all by pid.
cleanup() {
	set +e
	if [ -n "$wrk_pid" ]; then
		kill "$wrk_pid" 2>/dev/null
		wait "$wrk_pid" 2>/dev/null
	fi
	stop_ceilings
	"$SRC/t/stack.sh" stop "$DIR" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the stack ---------------------------------------------------------

export HANGAR_EXTRA_CONF="max_requests = 0"
say "load before: $(uptime)"
say "starting the stack in $DIR (port $PORT)"
fresh_stack

# ---- 10,000 users: one argon2 hash (the admin's), copied by SQL --------

mysql_cli -e "SET @h = (SELECT password_hash FROM users WHERE username = 'admin');
    INSERT INTO users (username, name, email, phone, password_hash)
    SELECT CONCAT('bench', LPAD(seq, 5, '0')), CONCAT('Bench User ', seq),
        CONCAT('bench', seq, '@example.com'), '+86 138 0000 0000', @h
    FROM seq_1_to_$USERS;"
nusers=$(mysql_cli -e "SELECT COUNT(*) FROM users")
[ "$nusers" -ge "$USERS" ] || die "seeding users failed ($nusers rows)"
say "users in the database: $nusers"

# ---- a token, through the API ------------------------------------------

TOKEN=$(api_token admin "$HANGAR_ADMIN_PASSWORD")
AUTH="Authorization: Token $TOKEN"

status=$(curl -s -o "$DIR/users-page.json" -w '%{http_code}' -H "$AUTH" "$URL")
[ "$status" = 200 ] || die "GET $PATH_Q: HTTP $status: $(head -c 300 "$DIR/users-page.json")"
BODY=$(wc -c <"$DIR/users-page.json")
grep -q '"count": *10001' "$DIR/users-page.json" ||
    die "unexpected count in $DIR/users-page.json"
say "hangard's reply to GET $PATH_Q: $BODY bytes"

# ---- the ceiling behind the same nginx ---------------------------------

ceilings_up "$BODY"	# on PORT + 1, CPORT
ceiling_pid=${ceilings[0]}

# ---- wrk ----------------------------------------------------------------

children() { cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' |
    grep -E '^[0-9]+$' | sort -n | tr '\n' ' '; }
ticks() {	# ticks PID... -- their user+system CPU, in clock ticks
	local p n=0
	for p in "$@"; do
		n=$((n + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$n"
}
HZ=$(getconf CLK_TCK)
master=$(head -n1 "$DIR/hangard.pid")
workers=$(children "$master")
[ -n "$workers" ] || die "no hangard workers under pid $master"
nginx_workers=$(children "$(head -n1 "$DIR/nginx.pid")")
ceiling_workers=$(children "$ceiling_pid")
db_pid=$(head -n1 "$DIR/mysql.pid")

# run_wrk NAME URL APP_PIDS -- wrk with latency; sets RPS_ P99_ ERR_ and
# CPU_ (microseconds of CPU per request: app, MariaDB, nginx).
run_wrk() {
	local name=$1 url=$2 app=$3 out rps p99 errs n a0 d0 n0
	wrk -t"$THREADS" -c"$CONNS" -d2s -H "$AUTH" "$url" >/dev/null	# warm up
	a0=$(ticks $app) d0=$(ticks "$db_pid") n0=$(ticks $nginx_workers)
	out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -H "$AUTH" "$url")
	printf '%s\n' "$out" >"$DIR/log/wrk-$name.txt"
	n=$(awk '/ requests in / { print $1 }' <<<"$out")
	rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")
	p99=$(wrk_p99 <<<"$out")
	errs=$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
	    /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
	    END { print n + 0 }' <<<"$out")
	[ -n "$rps" ] && [ -n "$p99" ] && [ "${n:-0}" -gt 0 ] ||
	    die "could not parse wrk's output:
$out"
	printf -v "RPS_$name" '%s' "$rps"
	printf -v "P99_$name" '%s' "$p99"
	printf -v "ERR_$name" '%s' "$errs"
	printf -v "CPU_$name" '%s' "$(awk -v n="$n" -v hz="$HZ" \
	    -v a=$(($(ticks $app) - a0)) -v d=$(($(ticks "$db_pid") - d0)) \
	    -v g=$(($(ticks $nginx_workers) - n0)) \
	    'BEGIN { f = 1e6 / hz / n; printf "%d/%d/%d", a * f, d * f, g * f }')"
}

say "wrk -t$THREADS -c$CONNS -d$DURATION --latency (after a 2 s warm-up each)"
run_wrk hangard "$URL" "$workers"
run_wrk ceiling "$CURL" "$ceiling_workers"

ratio=$(awk -v a="$RPS_hangard" -v b="$RPS_ceiling" 'BEGIN { printf "%.1f", 100 * a / b }')
verdict() { if [ "$1" = 1 ]; then printf 'met'; else printf 'MISSED'; fi; }
say ""
printf '%-30s %8s %8s %7s  %s\n' "GET $PATH_Q" "req/s" "p99 ms" "errors" \
    "CPU us/req app/db/nginx"
printf '%-30s %8s %8s %7s  %s\n' "hangard, token auth" "$RPS_hangard" \
    "$P99_hangard" "$ERR_hangard" "$CPU_hangard"
printf '%-30s %8s %8s %7s  %s\n' "ceiling, $BODY B, 4 workers" "$RPS_ceiling" \
    "$P99_ceiling" "$ERR_ceiling" "$CPU_ceiling"
printf '%-30s %7s%%\n' "hangard / ceiling" "$ratio"
say "target >= 25% of the ceiling: $(verdict "$(awk -v r="$ratio" 'BEGIN { print (r >= 25) }')")"
say "target p99 < 20 ms:           $(verdict "$(awk -v p="$P99_hangard" 'BEGIN { print (p < 20) }')")"
[ "$ERR_hangard" = 0 ] && [ "$ERR_ceiling" = 0 ] ||
    say "WARNING: errors during the runs; see $DIR/log/wrk-*.txt"

# ---- worker RSS over 200,000 requests ----------------------------------

if [ "${HANGAR_BENCH_RSS:-1}" = 0 ]; then
	say "worker RSS: skipped (HANGAR_BENCH_RSS=0)"
	exit 0
fi

served() { wc -l <"$DIR/log/access.log"; }
rss_line() {	# rss_line LABEL -- every worker's VmRSS
	local p out=""
	for p in $workers; do
		out="$out $p=$(awk '/^VmRSS:/ { printf "%.1fMB", $2 / 1024 }' \
		    "/proc/$p/status" 2>/dev/null || printf gone)"
	done
	printf '  %-26s%s\n' "$1" "$out"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo 0; }

say ""
say "worker RSS (max_requests = 0; requests counted in hangard's access log):"
rss_line "after $(served) requests"
wrk -t"$THREADS" -c"$CONNS" -d600s -H "$AUTH" "$URL" >"$DIR/log/wrk-rss.txt" 2>&1 &
wrk_pid=$!
declare -A rss1
for target in $RSS_AT1 $RSS_AT2; do
	while [ "$(served)" -lt "$target" ]; do
		[ -d "/proc/$wrk_pid" ] || die "wrk stopped early; see $DIR/log/wrk-rss.txt"
		sleep 0.2
	done
	rss_line "after $(served) requests"
	if [ "$target" = "$RSS_AT1" ]; then
		for p in $workers; do rss1[$p]=$(rss_kb "$p"); done
	fi
done
kill "$wrk_pid" 2>/dev/null || true
wait "$wrk_pid" 2>/dev/null || true
wrk_pid=
max=0 growth=0
for p in $workers; do
	now=$(rss_kb "$p")
	[ "$now" -gt "$max" ] && max=$now
	d=$((now - ${rss1[$p]}))
	[ "$d" -gt "$growth" ] && growth=$d
done
say "largest worker RSS: $((max / 1024)) MB; largest growth 100k->200k: ${growth} kB"
say "target RSS < 16 MB:           $(verdict $((max < 16384)))"
say "target RSS not growing:       $(verdict $((growth <= 0)))"
say "load after: $(uptime)"
