#!/usr/bin/env bash
# t/bench/cmdb.sh BUILDDIR [BASEBUILD] -- the CMDB benchmark.
#
# Loads 10,000 applications in a five-level tree, 100,000 hosts with two
# addresses each and 30,000 instances straight into MariaDB (SEQUENCE
# engine), then measures, with the foundation's ceiling responder
# (t/bench/ceiling.c, a bare libfcgi responder with a body of the same size)
# behind the same nginx in the same run:
#
#   GET /hosts/?page_size=20           wrk -t2 -c64 -d10s   >= 20% of ceiling
#     (and as a user granted 1,000 hosts through a role: no target)
#   GET /applications/?page_size=20    wrk -t2 -c64 -d10s   >= 20% of ceiling
#   GET /hosts/?page=4000&page_size=20 wrk -t1 -c1 -d10s    p99 < 50 ms
#   GET /hosts/?name=<sub>&page_size=20 wrk -t1 -c1 -d10s   p99 < 50 ms
#   moving a subtree of 1,000 applications (PATCH parent_app)  < 200 ms
#
# and the substring filters (sql/080_search.sql), each wrk -t1 -c1, against
# the index and against the scan of every row in the same run: the scan is
# BASEBUILD's hangard (a build of main before the index, e.g.
# `git worktree add /tmp/base <commit> && make -C /tmp/base all`) on the
# same database behind the same nginx (PORT+3), and the writes are timed
# by this build with the index's triggers against BASEBUILD's without them
# (dropped, then put back):
#
#   GET /hosts/?name=h04217 (10 matches)              p99 < 5 ms
#   GET /hosts/?name=.sh. (25,000 matches, exact count) p99 < 20 ms
#   GET /hosts/?ip=<substring>, /applications/?name=, ?full_name=,
#   /users/?email= (10,000 users loaded for it)       no target
#   POST /hosts/ and PATCH /hosts/{id}/ (rename), p50 and p99
#                                                      <= 1.2 x without
#
# It prints figures and whether each target was met; it is not a pass/fail
# test (the exit status is non-zero only when it could not measure).
# Everything runs in t/tmp/bench-cmdb on 127.0.0.1:PORT (hangard), PORT+1
# and PORT+2 (ceilings), default 18401; all it starts is stopped by pid.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?usage: cmdb.sh BUILDDIR [BASEBUILD]}" && pwd)
BASEBUILD=${2:-${HANGAR_BENCH_BASE:-}}
[ -z "$BASEBUILD" ] || BASEBUILD=$(cd "$BASEBUILD" && pwd)
PORT=${HANGAR_BENCH_PORT:-18401}
DIR=$SRC/t/tmp/bench-cmdb
HOSTS=100000 INSTANCES=30000
DURATION=10s
BASE=http://127.0.0.1:$PORT

NAME="cmdb bench"
. "$SRC/t/bench/lib.bash"

need_ceilings

cleanup() {
	set +e
	[ ! -s "$DIR/hangard-base.pid" ] ||
	    kill -TERM "$(cat "$DIR/hangard-base.pid")" 2>/dev/null
	rm -f "$DIR/nginx-extra-base.conf"
	stop_ceilings
	"$SRC/t/stack.sh" stop "$DIR" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- the stack -------------------------------------------------------

export HANGAR_EXTRA_CONF="max_requests = 0"
say "load before: $(uptime)"
fresh_stack

# ---- the data ----------------------------------------------------------

t0=$(date +%s)
say "loading the data set (t/bench/cmdb-seed.sql) ..."
mysql_cli <"$SRC/t/bench/cmdb-seed.sql" || die "seeding failed"
read -r napps nhosts naddrs ninst <<<"$(mysql_cli -e "SELECT
    (SELECT COUNT(*) FROM applications), (SELECT COUNT(*) FROM hosts),
    (SELECT COUNT(*) FROM host_addresses), (SELECT COUNT(*) FROM app_instances)")"
say "loaded in $(( $(date +%s) - t0 )) s: $napps applications" \
    "(depth 0-$(mysql_cli -e 'SELECT MAX(depth) FROM applications')), $nhosts" \
    "hosts, $naddrs addresses, $ninst instances"
if [ "$nhosts" != "$HOSTS" ] || [ "$ninst" != "$INSTANCES" ]; then
	die "seeding is short"
fi
[ "$(mysql_cli -e "SELECT n FROM row_counts WHERE tbl = 'hosts'")" = "$HOSTS" ] ||
    die "row_counts does not say $HOSTS hosts"

# 10,000 users for the email filter: u00001 .. u10000@corp<n>.example.
mysql_cli -e "INSERT INTO users (username, name, email, password_hash)
    SELECT CONCAT('u', LPAD(seq, 5, '0')), CONCAT('User ', seq),
        CONCAT('u', LPAD(seq, 5, '0'), '@corp', seq % 10, '.example'), 'x'
    FROM seq_1_to_10000" || die "seeding the users failed"

# ---- a token, through the API ------------------------------------------

TOKEN=$(api_token admin "$HANGAR_ADMIN_PASSWORD")
AUTH="Authorization: Token $TOKEN"

# A second token: a user who sees only the 1,000 hosts (every 100th)
# granted view_host to its role, for the same unfiltered host list.
mysql_cli -e "SET @h = (SELECT password_hash FROM users WHERE username = 'admin');
    INSERT INTO users (username, name, password_hash) VALUES ('hostviewer', 'hostviewer', @h);
    SET @u = LAST_INSERT_ID();
    INSERT INTO roles (name) VALUES ('bench-hosts');
    SET @r = LAST_INSERT_ID();
    INSERT INTO user_roles (user_id, role_id) VALUES (@u, @r);
    INSERT INTO module_grants VALUES ('user', @u, 'resource', 'enable_host_mgmt');
    INSERT INTO resource_grants (subject_type, subject_id, resource_type, resource_id, perm)
    SELECT 'role', @r, 'host', seq * 100, 'view_host' FROM seq_1_to_1000;" ||
    die "seeding the host viewer failed"
VTOKEN=$(api_token hostviewer "$HANGAR_ADMIN_PASSWORD")
[ "$(curl -s -H "Authorization: Token $VTOKEN" "$BASE/hosts/?page_size=20" |
    sed -n 's/^{"count":\([0-9]*\),.*/\1/p')" = 1000 ] ||
    die "the host viewer does not see exactly 1,000 hosts"

# fetch NAME PATH -- GET it once; 200 required; prints the body size.
fetch() {
	local status
	status=$(curl -s -o "$DIR/$1.json" -w '%{http_code}' -H "$AUTH" "$BASE$2")
	[ "$status" = 200 ] || { say "GET $2: HTTP $status: $(head -c 200 "$DIR/$1.json")" >&2; return 1; }
	wc -c <"$DIR/$1.json"
}

NAME_SUB=h04217
HOSTS_Q='/hosts/?page_size=20'
DEEP_Q='/hosts/?page=4000&page_size=20'
NAME_Q="/hosts/?name=$NAME_SUB&page_size=20"
WIDE_Q='/hosts/?name=.sh.&page_size=20'
IP_Q='/hosts/?ip=10.1.134.160&page_size=20'
APPS_Q='/applications/?page_size=20'

HOSTS_BODY=$(fetch hosts "$HOSTS_Q") || die "GET $HOSTS_Q failed"
grep -q "\"count\":$HOSTS," "$DIR/hosts.json" || die "unexpected count: $(head -c 100 "$DIR/hosts.json")"
fetch deep "$DEEP_Q" >/dev/null || die "GET $DEEP_Q failed"
grep -qF '"results":[{"id":20020,' "$DIR/deep.json" || die "page 4000 does not start at id 20020"
fetch name "$NAME_Q" >/dev/null || die "GET $NAME_Q failed"
NAME_COUNT=$(sed -n 's/^{"count":\([0-9]*\),.*/\1/p' "$DIR/name.json")
fetch ip "$IP_Q" >/dev/null || die "GET $IP_Q failed"
grep -q '"count":1,' "$DIR/ip.json" || die "the ip filter did not find one host"
APPS_BODY=$(fetch apps "$APPS_Q") || APPS_BODY=
say "GET $HOSTS_Q: $HOSTS_BODY bytes; name=$NAME_SUB matches $NAME_COUNT hosts"

# ---- the ceilings behind the same nginx ---------------------------------

ceilings_up "$HOSTS_BODY" ${APPS_BODY:+"$APPS_BODY"}

# ---- wrk ----------------------------------------------------------------

# run_wrk NAME THREADS CONNS URL [SCRIPT] -- sets RPS_<NAME> P50_<NAME>
# P99_<NAME> ERR_<NAME>.  With a wrk Lua SCRIPT (writes) there is no
# warm-up run.
run_wrk() {
	local name=$1 t=$2 c=$3 url=$4 out
	local -a s=()
	[ -z "${5:-}" ] || s=(-s "$5")
	[ -n "${5:-}" ] ||
	    wrk -t"$t" -c"$c" -d2s -H "$AUTH" "$url" >/dev/null	# warm up
	out=$(wrk -t"$t" -c"$c" -d"$DURATION" --latency -H "$AUTH" "${s[@]}" "$url")
	printf '%s\n' "$out" >"$DIR/log/wrk-$name.txt"
	printf -v "RPS_$name" '%s' "$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")"
	printf -v "P50_$name" '%s' "$(wrk_pct 50 <<<"$out")"
	printf -v "P99_$name" '%s' "$(wrk_p99 <<<"$out")"
	printf -v "ERR_$name" '%s' "$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
	    /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
	    END { print n + 0 }' <<<"$out")"
	local r=RPS_$name
	[ -n "${!r}" ] || die "could not parse wrk's output: $out"
}

verdict() { if [ "$1" = 1 ]; then printf 'met'; else printf 'MISSED'; fi; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", 100 * a / b }'; }
row() { printf '%-44s %9s %9s %7s  %s\n' "$@"; }

say "wrk --latency, each after a 2 s warm-up, $DURATION"
run_wrk hosts 2 64 "$BASE$HOSTS_Q"
ADMIN_AUTH=$AUTH AUTH="Authorization: Token $VTOKEN"
run_wrk granted 2 64 "$BASE$HOSTS_Q"
AUTH=$ADMIN_AUTH
run_wrk ceil1 2 64 "http://127.0.0.1:$((PORT + 1))/"
run_wrk deep 1 1 "$BASE$DEEP_Q"
run_wrk name 1 1 "$BASE$NAME_Q"
run_wrk wide 1 1 "$BASE$WIDE_Q"
run_wrk ip 1 1 "$BASE$IP_Q"
if [ -n "$APPS_BODY" ]; then
	run_wrk apps 2 64 "$BASE$APPS_Q"
	run_wrk ceil2 2 64 "http://127.0.0.1:$((PORT + 2))/"
fi

# ---- moving a subtree of 1,000 applications ---------------------------

# Application 1 is a root whose subtree holds 1,000 applications; it moves
# under application 2's first child and back, each a PATCH of parent_app.
move() {	# move PARENT -- prints the request's time in ms
	local out
	out=$(curl -s -o "$DIR/move.json" -w '%{http_code} %{time_total}' \
	    -X PATCH -H "$AUTH" -H 'Content-Type: application/json' \
	    -d "{\"parent_app\": $1}" "$BASE/applications/1/")
	[ "${out%% *}" = 200 ] || { say "move: HTTP $out: $(head -c 200 "$DIR/move.json")" >&2; return 1; }
	awk -v t="${out#* }" 'BEGIN { printf "%.1f", t * 1000 }'
}
MOVES=()
subtree=$(mysql_cli -e "SELECT COUNT(*) FROM applications WHERE full_name = 'app1' OR full_name LIKE 'app1.%'")
target=$(mysql_cli -e "SELECT MIN(id) FROM applications WHERE parent_id = 2")
if [ -n "$APPS_BODY" ]; then
	for _ in 1 2 3; do
		MOVES+=("$(move "$target")") || break
		MOVES+=("$(move null)") || break
	done
	moved=$(mysql_cli -e "SELECT COUNT(*) FROM applications WHERE full_name LIKE 'app1.%'")
fi

# ---- report ----------------------------------------------------------------

say ""
row "request" "req/s" "p99 ms" "errors" "target"
row "GET $HOSTS_Q (-t2 -c64)" "$RPS_hosts" "$P99_hosts" "$ERR_hosts" \
    "$(ratio "$RPS_hosts" "$RPS_ceil1")% of ceiling (>= 20%): $(verdict "$(awk -v a="$RPS_hosts" -v b="$RPS_ceil1" 'BEGIN { print (a >= 0.2 * b) }')")"
row "  ceiling, $HOSTS_BODY B (-t2 -c64)" "$RPS_ceil1" "$P99_ceil1" "$ERR_ceil1" ""
row "  the same, user granted 1,000 hosts" "$RPS_granted" "$P99_granted" \
    "$ERR_granted" "$(ratio "$RPS_granted" "$RPS_hosts")% of the superuser's (no target)"
row "GET $DEEP_Q (-t1 -c1)" "$RPS_deep" "$P99_deep" "$ERR_deep" \
    "p99 < 50 ms: $(verdict "$(awk -v p="$P99_deep" 'BEGIN { print (p < 50) }')")"
row "GET $NAME_Q (-t1 -c1)" "$RPS_name" "$P99_name" "$ERR_name" \
    "p99 < 50 ms: $(verdict "$(awk -v p="$P99_name" 'BEGIN { print (p < 50) }')")"
row "GET $WIDE_Q (-t1 -c1)" "$RPS_wide" "$P99_wide" "$ERR_wide" \
    "(25,000 matches; no target)"
row "GET $IP_Q (-t1 -c1)" "$RPS_ip" "$P99_ip" "$ERR_ip" "(no target)"
if [ -n "$APPS_BODY" ]; then
	row "GET $APPS_Q (-t2 -c64)" "$RPS_apps" "$P99_apps" "$ERR_apps" \
	    "$(ratio "$RPS_apps" "$RPS_ceil2")% of ceiling (>= 20%): $(verdict "$(awk -v a="$RPS_apps" -v b="$RPS_ceil2" 'BEGIN { print (a >= 0.2 * b) }')")"
	row "  ceiling, $APPS_BODY B (-t2 -c64)" "$RPS_ceil2" "$P99_ceil2" "$ERR_ceil2" ""
	worst=$(printf '%s\n' "${MOVES[@]}" | sort -n | tail -n1)
	say "moving a subtree of $subtree applications (PATCH parent_app, ms): ${MOVES[*]}" \
	    "($moved descendants back under app1); worst $worst ms < 200 ms: $(verdict "$(awk -v w="${worst:-99999}" 'BEGIN { print (w < 200) }')")"
else
	say "GET $APPS_Q and the subtree move: not measured (no /applications/ route)"
fi
# ---- substring filters: the index against the scan, in this run ----------

# The searches, and the scan's hangard: BASEBUILD's, on this database,
# behind this nginx on PORT+3.
SEARCHES=(
	"sname|/hosts/?name=h04217&page_size=20|p99 < 5 ms|5"
	"swide|/hosts/?name=.sh.&page_size=20|p99 < 20 ms|20"
	"sip|/hosts/?ip=.134.16&page_size=20||"
	"sapp|/applications/?name=app4217&page_size=20||"
	"sfull|/applications/?full_name=app75.app744&page_size=20||"
	"smail|/users/?email=u0421&page_size=20||"
)
SCAN=
if [ -n "$BASEBUILD" ]; then
	[ -x "$BASEBUILD/hangard" ] || die "$BASEBUILD/hangard is not built"
	sed -e "s|^listen = .*|listen = $DIR/hangard-base.sock|" \
	    -e "s|^pid_file = .*|pid_file = $DIR/hangard-base.pid|" \
	    -e "s|^access_log = .*|access_log = $DIR/log/access-base.log|" \
	    -e "s|^log_file = .*|log_file = $DIR/log/hangard-base.log|" \
	    "$DIR/hangar.conf" >"$DIR/hangar-base.conf"
	"$BASEBUILD/hangard" -d -c "$DIR/hangar-base.conf" ||
	    die "the scan's hangard did not start"
	wait_until 20 test -S "$DIR/hangard-base.sock" ||
	    die "the scan's hangard did not start"
	cat >"$DIR/nginx-extra-base.conf" <<CONF
# Written by t/bench/cmdb.sh: the scan's hangard ($BASEBUILD).
server {
    listen 127.0.0.1:$((PORT + 3));
    server_name _;
    location / {
        include $SRC/nginx/fastcgi_params;
        fastcgi_pass unix:$DIR/hangard-base.sock;
    }
}
CONF
	nginx -p "$DIR" -c "$DIR/nginx.conf" -e "$DIR/log/nginx-error.log" \
	    -s reload || die "nginx reload failed"
	SCAN=http://127.0.0.1:$((PORT + 3))
	wait_until 10 curl -sf -o /dev/null -H "$AUTH" "$SCAN/hosts/?page_size=1" ||
	    die "the scan's hangard is not reachable"
fi

# Same rows, order and count from both, then the timings.
for q in "${SEARCHES[@]}"; do
	IFS='|' read -r n url _ _ <<<"$q"
	fetch "$n" "$url" >/dev/null || die "GET $url failed"
	printf -v "COUNT_$n" '%s' "$(sed -n 's/^{"count":\([0-9]*\),.*/\1/p' "$DIR/$n.json")"
	if [ -n "$SCAN" ]; then
		curl -s -o "$DIR/$n-scan.json" -H "$AUTH" "$SCAN$url"
		cmp -s "$DIR/$n.json" "$DIR/$n-scan.json" ||
		    die "GET $url: the index and the scan answer differently"
	fi
	run_wrk "$n" 1 1 "$BASE$url"
	[ -z "$SCAN" ] || run_wrk "${n}_scan" 1 1 "$SCAN$url"
done

# ---- writes: with the index's triggers and without ----------------------

# post.lua / rename.lua TAG FIRSTID -- a new host with two addresses a
# request; a rename of host FIRSTID, FIRSTID+1, ... a request.
cat >"$DIR/post.lua" <<'LUA'
local n, tag = 0, "x"
local function headers()	-- wrk.format keeps only Host of wrk.headers
	local h = { ["Content-Type"] = "application/json" }
	for k, v in pairs(wrk.headers) do h[k] = v end
	return h
end
function init(args) tag = args[1] or "x" end
function request()
	n = n + 1
	return wrk.format("POST", "/hosts/", headers(),
	    string.format('{"name": "w%s-%06d.gz.example", "host_type": "PHY_HOST", ' ..
	    '"ip_address": [{"address": "10.%d.%d.%d"}, {"address": "47.%d.%d.%d", ' ..
	    '"addr_type": "PUBLIC"}]}', tag, n, tag == "i" and 201 or 202,
	    math.floor(n / 256) % 256, n % 256, tag == "i" and 201 or 202,
	    math.floor(n / 256) % 256, n % 256))
end
LUA
cat >"$DIR/rename.lua" <<'LUA'
local n, tag, first = 0, "x", 1
local function headers()
	local h = { ["Content-Type"] = "application/json" }
	for k, v in pairs(wrk.headers) do h[k] = v end
	return h
end
function init(args) tag = args[1] or "x"; first = tonumber(args[2]) or 1 end
function request()
	local id = first + n
	n = n + 1
	return wrk.format("PATCH", "/hosts/" .. id .. "/", headers(),
	    string.format('{"name": "r%s-%06d.gz.example"}', tag, id))
end
LUA
# wrk takes a script's arguments after "--".
run_write() {	# run_write NAME URL SCRIPT ARGS...
	local name=$1 url=$2 script=$3
	shift 3
	wrk -t1 -c1 -d"$DURATION" --latency -H "$AUTH" -s "$script" \
	    "$url/" -- "$@" >"$DIR/log/wrk-$name.txt"
	printf -v "P50_$name" '%s' "$(wrk_pct 50 <"$DIR/log/wrk-$name.txt")"
	printf -v "P99_$name" '%s' "$(wrk_p99 <"$DIR/log/wrk-$name.txt")"
	printf -v "ERR_$name" '%s' "$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
	    END { print n + 0 }' "$DIR/log/wrk-$name.txt")"
}
# The triggers of sql/080_search.sql, to drop and to put back.
TRIGGERS=$(awk 'BEGIN { RS = "" } /^CREATE TRIGGER/ { print $3 }' \
    "$SRC/sql/080_search.sql")
triggers_off() {
	local t
	for t in $TRIGGERS; do mysql_cli -e "DROP TRIGGER $t"; done
}
triggers_on() {
	awk 'BEGIN { RS = ""; print "DELIMITER //" } /^CREATE TRIGGER/ {
	    sub(/;[ \t\n]*$/, ""); print $0 "\n//" } END { print "DELIMITER ;" }' \
	    "$SRC/sql/080_search.sql" | mysql_cli
}
# Without: BASEBUILD's hangard (or this one) with the triggers dropped.
say "writes without the index (${BASEBUILD:-this build}, its triggers dropped), then with it"
triggers_off
run_write post_scan "${SCAN:-$BASE}" "$DIR/post.lua" b
run_write rename_scan "${SCAN:-$BASE}" "$DIR/rename.lua" b 40001
triggers_on
[ "$(mysql_cli -e "SELECT COUNT(*) FROM information_schema.triggers WHERE
    trigger_schema = 'hangar' AND trigger_name LIKE '%search%'")" = \
    "$(wc -w <<<"$TRIGGERS")" ] || die "the triggers did not come back"
run_write post "$BASE" "$DIR/post.lua" i
run_write rename "$BASE" "$DIR/rename.lua" i 60001

# ---- the substring filters' report ------------------------------------------

x() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "-" }'; }
say ""
say "substring filters: index (this build) against scan (${BASEBUILD:-no BASEBUILD: not measured}), wrk -t1 -c1 $DURATION"
printf '%-46s %8s %9s %9s %8s  %s\n' "request" "matches" "index p99" "scan p99" "speedup" "target"
for q in "${SEARCHES[@]}"; do
	IFS='|' read -r n url target lim <<<"$q"
	c=COUNT_$n p=P99_$n sp=P99_${n}_scan
	v=
	[ -z "$lim" ] || v="$target: $(verdict "$(awk -v p="${!p}" -v l="$lim" 'BEGIN { print (p < l) }')")"
	printf '%-46s %8s %9s %9s %8s  %s\n' "GET ${url%&page_size=20}" "${!c}" \
	    "${!p}" "${!sp:--}" "$(x "${!p}" "${!sp:-0}")x" "$v"
done
printf '%-46s %9s %9s %9s %9s %7s  %s\n' "write (ms)" "p50" "p50 no ix" "p99" \
    "p99 no ix" "p50 +%" "target (p50 +20% at most)"
for n in post rename; do
	a=P50_$n b=P50_${n}_scan c=P99_$n d=P99_${n}_scan
	printf '%-46s %9s %9s %9s %9s %7s  %s\n' \
	    "$([ $n = post ] && echo "POST /hosts/ (two addresses)" || echo "PATCH /hosts/{id}/ (rename)")" \
	    "${!a}" "${!b}" "${!c}" "${!d}" \
	    "$(awk -v a="${!a}" -v b="${!b}" 'BEGIN { printf "%+.0f", 100 * (a - b) / b }')" \
	    "$(verdict "$(awk -v a="${!a}" -v b="${!b}" 'BEGIN { print (a <= 1.2 * b) }')")"
done
for n in sname swide sip sapp sfull smail post post_scan rename rename_scan; do
	e=ERR_$n
	[ "${!e:-0}" = 0 ] || say "WARNING: errors in the $n run; see $DIR/log/wrk-$n.txt"
done
for n in hosts granted ceil1 deep name wide ip apps ceil2; do
	e=ERR_$n
	[ "${!e:-0}" = 0 ] || say "WARNING: errors in the $n run; see $DIR/log/wrk-$n.txt"
done
say "load after: $(uptime)"
