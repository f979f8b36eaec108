#!/usr/bin/env bash
# t/bench/requests.sh BUILDDIR -- the resource request benchmark (issue 14).
#
# Loads 1,000 requesters and 100,000 resource requests straight into
# MariaDB (SEQUENCE engine): 50,000 host requests (each with two requested
# hosts and a log user), 25,000 domain requests (two records each) and
# 25,000 SSL requests, spread over the five states, ids 90,001-100,000
# waiting for review.  Then measures, with the ceiling responder
# (t/bench/ceiling.c, a bare libfcgi responder with a body of the same
# size) behind the same nginx in the same run:
#
#   GET /resource-request/hosts/?page_size=20 as an approver     -t2 -c64  >= 20% of ceiling
#   GET /resource-request/hosts/?status=approved&page_size=20    -t2 -c64  >= 20% of ceiling
#   GET /resource-request/domains/?page_size=20 as an approver   -t2 -c64  >= 20% of ceiling
#   GET /resource-request/hosts/?page_size=20 as a requester     -t2 -c64  (figure only)
#   POST .../hosts/{id}/actions/approve/ (a new request each time) -t1 -c1  (figure only)
#
# The approver is an ordinary user holding approve_host_req and
# approve_domain_req (not a superuser).  It prints figures and whether the
# issue's target (>= 20% of the same-run ceiling) was met; it is not a
# pass/fail test (the exit status is non-zero only when it could not
# measure).  Everything runs in t/tmp/bench-requests on 127.0.0.1:PORT
# (hangard) and PORT+1..4 (ceilings), default 18461; all it starts is
# stopped by pid.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?usage: requests.sh BUILDDIR}" && pwd)
PORT=${HANGAR_BENCH_PORT:-18461}
DIR=$SRC/t/tmp/bench-requests
USERS=1000 HOSTS=50000 DOMAINS=75000 TOTAL=100000 WAITING_FROM=90001
DURATION=10s
BASE=http://127.0.0.1:$PORT

NAME="requests bench"
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
say "loading $USERS requesters and $TOTAL requests ..."
mysql_cli <<SQL || die "seeding failed"
INSERT INTO users (username, name, password_hash)
SELECT CONCAT('req', seq), CONCAT('Requester ', seq), '!' FROM seq_1_to_$USERS;
SET @first = (SELECT MIN(id) FROM users WHERE username LIKE 'req%');
INSERT INTO resource_requests (id, kind, status, purpose,
    expect_delivery_days, creator_id, reviewer_id, created_time,
    decided_time)
SELECT seq, IF(seq <= $HOSTS, 'host', IF(seq <= $DOMAINS, 'domain', 'ssl')),
       IF(seq >= $WAITING_FROM, 'wait_review', ELT(1 + seq % 5,
           'wait_review', 'approved', 'rejected', 'closed', 'finished')),
       CONCAT('purpose of request ', seq), '7', @first + seq % $USERS,
       IF(seq % 5 IN (1, 2, 4) AND seq < $WAITING_FROM, @first, NULL),
       UTC_TIMESTAMP() - INTERVAL ($TOTAL - seq) MINUTE,
       IF(seq % 5 IN (1, 2, 4) AND seq < $WAITING_FROM, UTC_TIMESTAMP(), NULL)
FROM seq_1_to_$TOTAL;
INSERT INTO host_requests (request_id, expiration_type, expiration_days,
    shipped_packages, requested_hosts)
SELECT id, IF(id % 2, 'FINITE', 'INFINITE'), IF(id % 2, 90, NULL),
       '[{"id": 3}, {"id": 4}]',
       CONCAT('[{"name":"host-', id, '-a","cpu_cores":4,"mem":8192,',
           '"storage":100000,"os":"centos-7.1","type":"TECENT_CVM"},',
           '{"name":"host-', id, '-b","cpu_cores":4,"mem":8192,',
           '"storage":100000,"os":"centos-7.1","type":"TECENT_CVM"}]')
FROM resource_requests WHERE kind = 'host';
INSERT INTO host_request_log_users (request_id, user_id)
SELECT id, @first + (id + 1) % $USERS FROM resource_requests WHERE kind = 'host';
INSERT INTO domain_requests (request_id, apply_status)
SELECT id, IF(status = 'approved', 'pending', 'none') FROM resource_requests
WHERE kind = 'domain';
INSERT INTO domain_request_records (request_id, name, type, value, ttl)
SELECT id, CONCAT('rec', id, '.example.com'), 'A',
       CONCAT('10.', id % 250, '.', id % 200, '.1'), 600
FROM resource_requests WHERE kind = 'domain'
UNION ALL
SELECT id, CONCAT('www', id, '.example.com'), 'CNAME',
       CONCAT('rec', id, '.example.com'), NULL
FROM resource_requests WHERE kind = 'domain';
INSERT INTO ssl_requests (request_id, domain, certificate_type)
SELECT id, CONCAT('site', id, '.example.com'), IF(id % 3, 'normal', 'wizard')
FROM resource_requests WHERE kind = 'ssl';
-- row_counts as the triggers would have kept them
UPDATE row_counts r SET n = (SELECT COUNT(*) FROM resource_requests q WHERE
    r.tbl IN (CONCAT('resource_requests:', q.kind),
              CONCAT('resource_requests:', q.kind, ':', q.status)))
WHERE tbl LIKE 'resource_requests:%';
ANALYZE TABLE resource_requests, host_requests, domain_requests,
    domain_request_records, ssl_requests, host_request_log_users, users;
SQL
read -r nreq nhost counted <<<"$(mysql_cli -e "SELECT
    (SELECT COUNT(*) FROM resource_requests),
    (SELECT COUNT(*) FROM resource_requests WHERE kind = 'host'),
    (SELECT n FROM row_counts WHERE tbl = 'resource_requests:host')")"
say "loaded in $(( $(date +%s) - t0 )) s: $nreq requests, $nhost host requests (row_counts: $counted)"
[ "$nreq" = "$TOTAL" ] && [ "$counted" = "$HOSTS" ] || die "seeding is short"

ADMIN=$(api_token admin "$HANGAR_ADMIN_PASSWORD")
# the approver: an ordinary user with the two approve permissions
APW=approver-$RANDOM-$RANDOM
curl -sf -o /dev/null -H "Authorization: Token $ADMIN" \
    -H 'Content-Type: application/json' \
    -d "{\"username\": \"approver\", \"password\": \"$APW\"}" \
    "$BASE/users/" || die "could not create the approver"
mysql_cli -e "INSERT INTO module_grants SELECT 'user', id, 'resource_request', p
    FROM users, (SELECT 'enable_resource_req' AS p UNION SELECT 'approve_host_req'
    UNION SELECT 'approve_domain_req') ps WHERE username = 'approver'"
mysql_cli -e "UPDATE users SET password_hash = (SELECT password_hash FROM users
    WHERE username = 'approver') WHERE username = 'req7'"
mysql_cli -e "INSERT INTO module_grants SELECT 'user', id, 'resource_request',
    'enable_resource_req' FROM users WHERE username = 'req7'"
TOKEN=$(api_token approver "$APW")
REQTOKEN=$(api_token req7 "$APW")
AUTH="Authorization: Token $TOKEN"

# fetch NAME PATH TOKEN -- GET it once; 200 required; prints the body size.
fetch() {
	local status
	status=$(curl -s -o "$DIR/$1.json" -w '%{http_code}' \
	    -H "Authorization: Token $3" "$BASE$2")
	[ "$status" = 200 ] || { say "GET $2: HTTP $status: $(head -c 200 "$DIR/$1.json")" >&2; return 1; }
	wc -c <"$DIR/$1.json"
}

LIST_Q='/resource-request/hosts/?page_size=20'
STATUS_Q='/resource-request/hosts/?status=approved&page_size=20'
DOM_Q='/resource-request/domains/?page_size=20'
LIST_BODY=$(fetch list "$LIST_Q" "$TOKEN") || die "GET $LIST_Q failed"
grep -q "\"count\":$HOSTS," "$DIR/list.json" || die "unexpected count: $(head -c 100 "$DIR/list.json")"
STATUS_BODY=$(fetch status "$STATUS_Q" "$TOKEN") || die "GET $STATUS_Q failed"
DOM_BODY=$(fetch dom "$DOM_Q" "$TOKEN") || die "GET $DOM_Q failed"
OWN_BODY=$(fetch own "$LIST_Q" "$REQTOKEN") || die "GET $LIST_Q as req7 failed"
grep -q '"count":50,' "$DIR/own.json" || die "req7 does not see 50: $(head -c 100 "$DIR/own.json")"
say "bodies: hosts $LIST_BODY B, by status $STATUS_BODY B, domains $DOM_BODY B, own $OWN_BODY B"

# ---- the ceilings behind the same nginx ---------------------------------

ceilings_up "$LIST_BODY" "$STATUS_BODY" "$DOM_BODY" "$OWN_BODY"

# ---- wrk ----------------------------------------------------------------

# run_wrk NAME THREADS CONNS URL TOKEN [SCRIPT] -- sets RPS_ P99_ ERR_<NAME>.
run_wrk() {
	local name=$1 t=$2 c=$3 url=$4 tok=$5 script=${6:-} out
	if [ -z "$script" ]; then
		wrk -t"$t" -c"$c" -d2s -H "Authorization: Token $tok" "$url" \
		    >/dev/null	# warm up
		out=$(wrk -t"$t" -c"$c" -d"$DURATION" --latency \
		    -H "Authorization: Token $tok" "$url")
	else
		out=$(wrk -t"$t" -c"$c" -d"$DURATION" --latency \
		    -H "Authorization: Token $tok" -s "$script" "$url")
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

# Each request approves the next waiting host request (one client): ids
# 5, 10, ... 50,000 wait for review (10,000 of them).
cat >"$DIR/approve.lua" <<LUA
-- Written by t/bench/requests.sh: approve host requests in turn.
local id = 0
wrk.method = "POST"
request = function()
	id = id + 5
	return wrk.format("POST", "/resource-request/hosts/" .. id ..
	    "/actions/approve/")
end
LUA

verdict() { if [ "$1" = 1 ]; then printf 'met'; else printf 'MISSED'; fi; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", 100 * a / b }'; }
row() { printf '%-62s %8s %8s %6s  %s\n' "$@"; }
list_verdict() {	# RPS CEIL
	printf '%s%% of ceiling (>= 20%%): %s' "$(ratio "$1" "$2")" \
	    "$(verdict "$(awk -v a="$1" -v b="$2" 'BEGIN { print (a >= 0.2 * b) }')")"
}

say "wrk --latency, each list after a 2 s warm-up, $DURATION"
run_wrk list 2 64 "$BASE$LIST_Q" "$TOKEN"
run_wrk ceil1 2 64 "http://127.0.0.1:$((PORT + 1))/" "$TOKEN"
run_wrk status 2 64 "$BASE$STATUS_Q" "$TOKEN"
run_wrk ceil2 2 64 "http://127.0.0.1:$((PORT + 2))/" "$TOKEN"
run_wrk dom 2 64 "$BASE$DOM_Q" "$TOKEN"
run_wrk ceil3 2 64 "http://127.0.0.1:$((PORT + 3))/" "$TOKEN"
run_wrk own 2 64 "$BASE$LIST_Q" "$REQTOKEN"
run_wrk ceil4 2 64 "http://127.0.0.1:$((PORT + 4))/" "$TOKEN"
run_wrk approve 1 1 "$BASE/" "$TOKEN" "$DIR/approve.lua"
audited=$(mysql_cli -e "SELECT COUNT(*) FROM audit_log WHERE op_type = 'approve_request'")

say ""
row "request" "req/s" "p99 ms" "errors" "target"
row "GET $LIST_Q (approver, -t2 -c64)" "$RPS_list" "$P99_list" "$ERR_list" \
    "$(list_verdict "$RPS_list" "$RPS_ceil1")"
row "  ceiling, $LIST_BODY B" "$RPS_ceil1" "$P99_ceil1" "$ERR_ceil1" ""
row "GET $STATUS_Q (approver)" "$RPS_status" "$P99_status" "$ERR_status" \
    "$(list_verdict "$RPS_status" "$RPS_ceil2")"
row "  ceiling, $STATUS_BODY B" "$RPS_ceil2" "$P99_ceil2" "$ERR_ceil2" ""
row "GET $DOM_Q (approver)" "$RPS_dom" "$P99_dom" "$ERR_dom" \
    "$(list_verdict "$RPS_dom" "$RPS_ceil3")"
row "  ceiling, $DOM_BODY B" "$RPS_ceil3" "$P99_ceil3" "$ERR_ceil3" ""
row "GET $LIST_Q (requester: own 50)" "$RPS_own" "$P99_own" "$ERR_own" \
    "$(ratio "$RPS_own" "$RPS_ceil4")% of ceiling"
row "  ceiling, $OWN_BODY B" "$RPS_ceil4" "$P99_ceil4" "$ERR_ceil4" ""
row "POST .../hosts/{id}/actions/approve/ (-t1 -c1)" "$RPS_approve" \
    "$P99_approve" "$ERR_approve" "(figure only)"
say "approvals audited: $audited"
for n in list ceil1 status ceil2 dom ceil3 own ceil4 approve; do
	e=ERR_$n
	[ "${!e:-0}" = 0 ] || say "WARNING: errors in the $n run; see $DIR/log/wrk-$n.txt"
done
say "load after: $(uptime)"
