#!/usr/bin/env bash
# t/bench/deploy-tasks.sh BUILDDIR -- the deploy task benchmark (issue 11).
#
# Loads 10,000 applications and 200,000 deploy tasks straight into MariaDB
# (SEQUENCE engine; tasks 1-150,000 spread over the seven states, 150,001-
# 200,000 waiting for review), then measures, with the foundation's ceiling
# responder (t/bench/ceiling.c, a bare libfcgi responder with a body of the
# same size) behind the same nginx in the same run:
#
#   GET /application/deploy-tasks/?page_size=20          -t2 -c64  >= 20% of ceiling, p99 < 30 ms
#   GET ...?application_id=4217&page_size=20             -t2 -c64  >= 20% of ceiling, p99 < 30 ms
#   GET ...?status=approved&page_size=20                 -t2 -c64  >= 20% of ceiling, p99 < 30 ms
#   POST .../{id}/actions/approve/ (a new task each time) -t1 -c1  p99 < 20 ms
#
# It prints figures and whether each target was met; it is not a pass/fail
# test (the exit status is non-zero only when it could not measure).
# Everything runs in t/tmp/bench-deploy on 127.0.0.1:PORT (hangard) and
# PORT+1..3 (ceilings), default 18421; all it starts is stopped by pid.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?usage: deploy-tasks.sh BUILDDIR}" && pwd)
PORT=${HANGAR_BENCH_PORT:-18421}
DIR=$SRC/t/tmp/bench-deploy
APPS=10000 TASKS=200000 WAITING_FROM=150001
DURATION=10s
BASE=http://127.0.0.1:$PORT

NAME="deploy-tasks bench"
. "$SRC/t/bench/lib.bash"

need_ceilings
cleanup() {
	set +e
	stop_ceilings
	"$SRC/t/stack.sh" stop "$DIR" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export HANGAR_EXTRA_CONF="max_requests = 0"
say "load before: $(uptime)"
fresh_stack

# ---- the data ----------------------------------------------------------

t0=$(date +%s)
say "loading $APPS applications and $TASKS deploy tasks ..."
mysql_cli <<SQL || die "seeding failed"
INSERT INTO applications (id, name, full_name, parent_id, depth)
SELECT seq, CONCAT('app', seq), CONCAT('app', seq), NULL, 0
FROM seq_1_to_$APPS;
INSERT INTO deploy_configs (app_id, repo_type, repo_url, deploy_path)
SELECT seq, 'GIT', 'https://git.example.com/app.git', '/srv/app'
FROM seq_1_to_$APPS;
SET @admin = (SELECT id FROM users WHERE username = 'admin');
INSERT INTO deploy_tasks (id, app_id, version, description, level,
    package_source, planned_exec_time, upgrade_checklist, upgrade_steps,
    rollback_steps, status, creator_id, assignee_id, reviewer_id,
    created_time, approved_time)
SELECT seq, 1 + seq % $APPS, CONCAT('v', seq), CONCAT('release ', seq),
       ELT(1 + seq % 5, 'S', 'A', 'B', 'C', 'I'),
       CONCAT('/data/app/', seq, '/root.war'), 1523177609 + seq,
       'check the logs', 'deploy', 'roll back',
       IF(seq >= $WAITING_FROM, 'wait_review', ELT(1 + seq % 7,
           'wait_review', 'approved', 'rejected', 'running', 'finished',
           'failed', 'closed')),
       @admin, @admin, IF(seq % 7 IN (1, 2, 3, 4, 5) AND seq < $WAITING_FROM, @admin, NULL),
       UTC_TIMESTAMP() - INTERVAL ($TASKS - seq) MINUTE,
       IF(seq % 7 IN (1, 3, 4, 5) AND seq < $WAITING_FROM, UTC_TIMESTAMP(), NULL)
FROM seq_1_to_$TASKS;
ANALYZE TABLE deploy_tasks, applications;
SQL
read -r napps ntasks counted <<<"$(mysql_cli -e "SELECT
    (SELECT COUNT(*) FROM applications), (SELECT COUNT(*) FROM deploy_tasks),
    (SELECT n FROM row_counts WHERE tbl = 'deploy_tasks')")"
say "loaded in $(( $(date +%s) - t0 )) s: $napps applications, $ntasks tasks (row_counts: $counted)"
[ "$ntasks" = "$TASKS" ] && [ "$counted" = "$TASKS" ] || die "seeding is short"

TOKEN=$(api_token admin "$HANGAR_ADMIN_PASSWORD")
AUTH="Authorization: Token $TOKEN"

# fetch NAME PATH -- GET it once; 200 required; prints the body size.
fetch() {
	local status
	status=$(curl -s -o "$DIR/$1.json" -w '%{http_code}' -H "$AUTH" "$BASE$2")
	[ "$status" = 200 ] || { say "GET $2: HTTP $status: $(head -c 200 "$DIR/$1.json")" >&2; return 1; }
	wc -c <"$DIR/$1.json"
}

LIST_Q='/application/deploy-tasks/?page_size=20'
APP_Q='/application/deploy-tasks/?application_id=4217&page_size=20'
STATUS_Q='/application/deploy-tasks/?status=approved&page_size=20'
LIST_BODY=$(fetch list "$LIST_Q") || die "GET $LIST_Q failed"
grep -q "\"count\":$TASKS," "$DIR/list.json" || die "unexpected count: $(head -c 100 "$DIR/list.json")"
APP_BODY=$(fetch app "$APP_Q") || die "GET $APP_Q failed"
grep -q '"count":20,' "$DIR/app.json" || die "application 4217 does not have 20 tasks: $(head -c 100 "$DIR/app.json")"
STATUS_BODY=$(fetch status "$STATUS_Q") || die "GET $STATUS_Q failed"
say "bodies: list $LIST_BODY B, by application $APP_BODY B, by status $STATUS_BODY B"

# ---- the ceilings behind the same nginx ---------------------------------

ceilings_up "$LIST_BODY" "$APP_BODY" "$STATUS_BODY"

# ---- wrk ----------------------------------------------------------------

# run_wrk NAME THREADS CONNS URL [SCRIPT] -- sets RPS_ P99_ ERR_<NAME>.
run_wrk() {
	local name=$1 t=$2 c=$3 url=$4 script=${5:-} out
	if [ -z "$script" ]; then
		wrk -t"$t" -c"$c" -d2s -H "$AUTH" "$url" >/dev/null	# warm up
		out=$(wrk -t"$t" -c"$c" -d"$DURATION" --latency -H "$AUTH" "$url")
	else
		out=$(wrk -t"$t" -c"$c" -d"$DURATION" --latency -H "$AUTH" \
		    -s "$script" "$url")
	fi
	printf '%s\n' "$out" >"$DIR/log/wrk-$name.txt"
	printf -v "RPS_$name" '%s' "$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")"
	printf -v "P99_$name" '%s' "$(wrk_p99 <<<"$out")"
	printf -v "ERR_$name" '%s' "$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
	    /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
	    END { print n + 0 }' <<<"$out")"
	local r=RPS_$name
	[ -n "${!r}" ] || die "could not parse wrk's output: $out"
}

# Each request approves the next waiting task (one client: no collisions).
cat >"$DIR/approve.lua" <<LUA
-- Written by t/bench/deploy-tasks.sh: approve tasks $WAITING_FROM, ... in turn.
local id = $WAITING_FROM - 1
wrk.method = "POST"
request = function()
	id = id + 1
	return wrk.format("POST", "/application/deploy-tasks/" .. id ..
	    "/actions/approve/")
end
LUA

verdict() { if [ "$1" = 1 ]; then printf 'met'; else printf 'MISSED'; fi; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", 100 * a / b }'; }
row() { printf '%-58s %8s %8s %6s  %s\n' "$@"; }
list_verdict() {	# RPS CEIL P99
	printf '%s%% of ceiling (>= 20%%), p99 < 30 ms: %s' "$(ratio "$1" "$2")" \
	    "$(verdict "$(awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { print (a >= 0.2 * b && p < 30) }')")"
}

say "wrk --latency, each list after a 2 s warm-up, $DURATION"
run_wrk list 2 64 "$BASE$LIST_Q"
run_wrk ceil1 2 64 "http://127.0.0.1:$((PORT + 1))/"
run_wrk app 2 64 "$BASE$APP_Q"
run_wrk ceil2 2 64 "http://127.0.0.1:$((PORT + 2))/"
run_wrk status 2 64 "$BASE$STATUS_Q"
run_wrk ceil3 2 64 "http://127.0.0.1:$((PORT + 3))/"
run_wrk approve 1 1 "$BASE/" "$DIR/approve.lua"
approved=$(mysql_cli -e "SELECT COUNT(*) FROM deploy_tasks WHERE id >= $WAITING_FROM AND status = 'approved'")
audited=$(mysql_cli -e "SELECT COUNT(*) FROM audit_log WHERE op_type = 'approve_deploy_task'")

say ""
row "request" "req/s" "p99 ms" "errors" "target"
row "GET $LIST_Q (-t2 -c64)" "$RPS_list" "$P99_list" "$ERR_list" \
    "$(list_verdict "$RPS_list" "$RPS_ceil1" "$P99_list")"
row "  ceiling, $LIST_BODY B" "$RPS_ceil1" "$P99_ceil1" "$ERR_ceil1" ""
row "GET $APP_Q (-t2 -c64)" "$RPS_app" "$P99_app" "$ERR_app" \
    "$(list_verdict "$RPS_app" "$RPS_ceil2" "$P99_app")"
row "  ceiling, $APP_BODY B" "$RPS_ceil2" "$P99_ceil2" "$ERR_ceil2" ""
row "GET $STATUS_Q (-t2 -c64)" "$RPS_status" "$P99_status" "$ERR_status" \
    "$(list_verdict "$RPS_status" "$RPS_ceil3" "$P99_status")"
row "  ceiling, $STATUS_BODY B" "$RPS_ceil3" "$P99_ceil3" "$ERR_ceil3" ""
row "POST .../{id}/actions/approve/ (-t1 -c1)" "$RPS_approve" "$P99_approve" \
    "$ERR_approve" "p99 < 20 ms: $(verdict "$(awk -v p="$P99_approve" 'BEGIN { print (p < 20) }')")"
say "approvals: $approved tasks approved, $audited audit rows"
for n in list ceil1 app ceil2 status ceil3 approve; do
	e=ERR_$n
	[ "${!e:-0}" = 0 ] || say "WARNING: errors in the $n run; see $DIR/log/wrk-$n.txt"
done
say "load after: $(uptime)"
