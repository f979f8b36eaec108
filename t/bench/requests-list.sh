#!/usr/bin/env bash
# t/bench/requests-list.sh BUILDDIR [BASEDIR] -- one client's latency of
# the resource request lists, and (with BASEDIR) the same against another
# build of hangard in the same run, on the same data, with byte-identical
# answers required.
#
# Loads N resource requests (HANGAR_BENCH_N, default 20,000: a third each
# host, domain and SSL requests, every one with its JSON columns filled:
# requested hosts, shipped packages, log users, DNS records, a
# certificate's SANs) straight into MariaDB, then for each list
#
#   GET /resource-request/hosts/?page_size=20
#   GET /resource-request/domains/?page_size=20
#   GET /resource-request/ssl-certificates/?page_size=20
#   GET /resource-request/hosts/?page_size=100
#
# as a superuser, with wrk -t1 -c1 --latency: requests per second, p50,
# p99, and hangard's own CPU time per request (its processes' utime +
# stime over the run: the figure that other load on the machine does not
# move).  BASEDIR is a build of hangard to compare with (e.g. one of the
# commit before a change: `git worktree add /tmp/base COMMIT && make -C
# /tmp/base BUILD=build`).  It runs beside BUILDDIR's hangard on the same
# database behind the same nginx (port PORT+1); each list's answer from
# both must be the same bytes, or the bench stops.  Runs alternate
# (base, new, base, new) so that load on the machine falls on both.
#
# Prints figures; not a pass/fail test.  Everything runs in
# t/tmp/bench-requests-list on 127.0.0.1:PORT, PORT+1 (default 18471);
# all it starts is stopped by pid.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?usage: requests-list.sh BUILDDIR [BASEDIR]}" && pwd)
BASE=${2:+$(cd "$2" && pwd)}
PORT=${HANGAR_BENCH_PORT:-18471}
DIR=$SRC/t/tmp/bench-requests-list
N=${HANGAR_BENCH_N:-20000}
DURATION=${HANGAR_BENCH_DURATION:-5s}
URL=http://127.0.0.1:$PORT

NAME="requests-list bench"
. "$SRC/t/bench/lib.bash"

for tool in wrk curl mariadb nginx cmp awk getconf; do
	command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
done
[ -x "$BUILD/hangard" ] || die "$BUILD/hangard is not built"
[ -z "$BASE" ] || [ -x "$BASE/hangard" ] || die "$BASE/hangard is not built"

cleanup() {
	set +e
	if [ -s "$DIR/hangard-base.pid" ]; then
		kill -TERM "$(cat "$DIR/hangard-base.pid")" 2>/dev/null
		sleep 1
	fi
	rm -f "$DIR"/nginx-extra-*.conf
	"$SRC/t/stack.sh" stop "$DIR" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export HANGAR_EXTRA_CONF="max_requests = 0"
export HANGAR_WORKERS=2
say "load before: $(uptime)"
fresh_stack

# ---- the data ----------------------------------------------------------

H=$((N / 3)) D=$((2 * N / 3))
t0=$(date +%s)
say "loading $N requests ..."
mysql_cli <<SQL || die "seeding failed"
INSERT INTO users (username, name, password_hash)
SELECT CONCAT('lreq', seq), CONCAT('Requester ', seq), '!' FROM seq_1_to_100;
SET @first = (SELECT MIN(id) FROM users WHERE username LIKE 'lreq%');
INSERT INTO resource_requests (id, kind, status, purpose,
    expect_delivery_days, creator_id, reviewer_id, created_time)
SELECT seq, IF(seq <= $H, 'host', IF(seq <= $D, 'domain', 'ssl')),
       ELT(1 + seq % 5, 'wait_review', 'approved', 'rejected', 'closed',
           'finished'),
       CONCAT('purpose of request ', seq, ': a/b "quoted" 测试'), '7',
       @first + seq % 100, IF(seq % 2, @first, NULL),
       UTC_TIMESTAMP() - INTERVAL ($N - seq) MINUTE
FROM seq_1_to_$N;
INSERT INTO host_requests (request_id, expiration_type, expiration_days,
    shipped_packages, requested_hosts)
SELECT id, 'FINITE', 90, '[{"id":3,"name":"nginx/1.24"},{"id":4,"name":"redis"}]',
       CONCAT('[{"name":"host-', id, '-a","cpu_cores":4,"mem":8192,',
           '"storage":100000,"os":"centos-7.1","type":"TECENT_CVM"},',
           '{"name":"host-', id, '-b","cpu_cores":4,"mem":8192,',
           '"storage":100000,"os":"centos-7.1","type":"TECENT_CVM"}]')
FROM resource_requests WHERE kind = 'host';
INSERT INTO host_request_log_users (request_id, user_id)
SELECT id, @first + (id + 1) % 100 FROM resource_requests WHERE kind = 'host'
UNION ALL
SELECT id, @first + (id + 2) % 100 FROM resource_requests WHERE kind = 'host';
INSERT INTO domain_requests (request_id, apply_status)
SELECT id, 'none' FROM resource_requests WHERE kind = 'domain';
INSERT INTO domain_request_records (request_id, name, type, value, ttl)
SELECT id, CONCAT('rec', id, '.example.com'), 'A',
       CONCAT('10.', id % 250, '.', id % 200, '.1'), 600
FROM resource_requests WHERE kind = 'domain'
UNION ALL
SELECT id, CONCAT('txt', id, '.example.com'), 'TXT',
       CONCAT('"v=spf1 include:_spf.example.com ~all" "a\\\\b"'), NULL
FROM resource_requests WHERE kind = 'domain';
INSERT INTO ssl_requests (request_id, domain, certificate_type, cert_subject,
    cert_issuer, cert_sans, cert_not_after, cert_fingerprint)
SELECT id, CONCAT('site', id, '.example.com'), 'normal',
       CONCAT('CN=site', id, '.example.com'), 'CN=Bench CA,O=Hangar',
       CONCAT('["site', id, '.example.com", "www.site', id, '.example.com"]'),
       UTC_TIMESTAMP() + INTERVAL 90 DAY, SHA2(id, 256)
FROM resource_requests WHERE kind = 'ssl';
UPDATE row_counts r SET n = (SELECT COUNT(*) FROM resource_requests q WHERE
    r.tbl IN (CONCAT('resource_requests:', q.kind),
              CONCAT('resource_requests:', q.kind, ':', q.status)))
WHERE tbl LIKE 'resource_requests:%';
ANALYZE TABLE resource_requests, host_requests, domain_requests,
    domain_request_records, ssl_requests, host_request_log_users, users;
SQL
say "loaded in $(( $(date +%s) - t0 )) s: $(mysql_cli -e \
    'SELECT COUNT(*) FROM resource_requests') requests"
TOKEN=$(api_token admin "$HANGAR_ADMIN_PASSWORD")

# ---- the base build beside it ------------------------------------------

if [ -n "$BASE" ]; then
	sed -e "s|^listen = .*|listen = $DIR/hangard-base.sock|" \
	    -e "s|^pid_file = .*|pid_file = $DIR/hangard-base.pid|" \
	    -e "s|^log_file = .*|log_file = $DIR/log/hangard-base.log|" \
	    -e "s|^access_log = .*|access_log = $DIR/log/access-base.log|" \
	    "$DIR/hangar.conf" >"$DIR/hangar-base.conf"
	"$BASE/hangard" -d -c "$DIR/hangar-base.conf" ||
	    die "the base hangard did not start; see $DIR/log/hangard-base.log"
	wait_until 20 test -S "$DIR/hangard-base.sock" ||
	    die "the base hangard has no socket"
	cat >"$DIR/nginx-extra-base.conf" <<CONF
# Written by t/bench/requests-list.sh: the base build behind the same nginx.
server {
    listen 127.0.0.1:$((PORT + 1));
    server_name _;
    location / {
        include $SRC/nginx/fastcgi_params;
        fastcgi_pass unix:$DIR/hangard-base.sock;
    }
}
CONF
	nginx -p "$DIR" -c "$DIR/nginx.conf" -e "$DIR/log/nginx-error.log" \
	    -s reload || die "nginx reload failed"
	wait_until 10 curl -sf -o /dev/null -H "Authorization: Token $TOKEN" \
	    "http://127.0.0.1:$((PORT + 1))/auth/me/" ||
	    die "the base build is not reachable"
fi

# ---- measure -----------------------------------------------------------

LISTS=(/resource-request/hosts/?page_size=20
    /resource-request/domains/?page_size=20
    /resource-request/ssl-certificates/?page_size=20
    /resource-request/hosts/?page_size=100)

# body WHERE PATH -- GET it (200 required) into $DIR/WHERE-<n>.json.
get() {
	local status
	status=$(curl -s -o "$1" -w '%{http_code}' \
	    -H "Authorization: Token $TOKEN" "$2")
	[ "$status" = 200 ] || die "GET $2: HTTP $status: $(head -c 200 "$1")"
}

# cpu_ticks PIDFILE -- user + system clock ticks of a hangard's master
# and workers so far.
cpu_ticks() {
	local master p n=0
	master=$(cat "$1")
	for p in "$master" $(cat /proc/"$master"/task/*/children 2>/dev/null); do
		n=$((n + $(awk '{ print $14 + $15 }' /proc/"$p"/stat 2>/dev/null || echo 0)))
	done
	printf '%s\n' "$n"
}

# run_wrk URL PIDFILE -- prints "rps p50 p99 cpu": cpu is the hangard's CPU
# time per request in ms (its own work, whatever else loads the machine).
run_wrk() {
	local out t0 t1 n
	wrk -t1 -c1 -d1s -H "Authorization: Token $TOKEN" "$1" >/dev/null
	t0=$(cpu_ticks "$2")
	out=$(wrk -t1 -c1 -d"$DURATION" --latency \
	    -H "Authorization: Token $TOKEN" "$1")
	t1=$(cpu_ticks "$2")
	grep -q 'Non-2xx' <<<"$out" && die "errors from $1: $out"
	n=$(awk '/requests in/ { print $1 }' <<<"$out")
	printf '%s %s %s %s\n' \
	    "$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")" \
	    "$(wrk_pct 50 <<<"$out")" "$(wrk_pct 99 <<<"$out")" \
	    "$(awk -v t=$((t1 - t0)) -v n="$n" -v hz="$(getconf CLK_TCK)" \
	        'BEGIN { printf "%.3f", 1000 * t / hz / n }')"
}

printf '\n%-48s %7s %7s %8s %9s\n' "GET (superuser, wrk -t1 -c1 $DURATION)" \
    "req/s" "p50 ms" "p99 ms" "CPU ms/rq"
NEWPID=$DIR/hangard.pid BASEPID=$DIR/hangard-base.pid
i=0
for q in "${LISTS[@]}"; do
	i=$((i + 1))
	get "$DIR/new-$i.json" "$URL$q"
	size=$(wc -c <"$DIR/new-$i.json")
	if [ -n "$BASE" ]; then
		get "$DIR/base-$i.json" "http://127.0.0.1:$((PORT + 1))$q"
		cmp -s "$DIR/new-$i.json" "$DIR/base-$i.json" ||
		    die "$q: the answers differ (see $DIR/new-$i.json, base-$i.json)"
		read -r b1 b50 b99 bc1 <<<"$(run_wrk "http://127.0.0.1:$((PORT + 1))$q" "$BASEPID")"
		read -r n1 n50 n99 nc1 <<<"$(run_wrk "$URL$q" "$NEWPID")"
		read -r b2 c50 c99 bc2 <<<"$(run_wrk "http://127.0.0.1:$((PORT + 1))$q" "$BASEPID")"
		read -r n2 m50 m99 nc2 <<<"$(run_wrk "$URL$q" "$NEWPID")"
		# each side's better run of two
		awk -v q="$q ($size B, identical)" -v b1="$b1" -v b2="$b2" \
		    -v n1="$n1" -v n2="$n2" -v b50="$b50" -v c50="$c50" \
		    -v n50="$n50" -v m50="$m50" -v b99="$b99" -v c99="$c99" \
		    -v n99="$n99" -v m99="$m99" -v bc1="$bc1" -v bc2="$bc2" \
		    -v nc1="$nc1" -v nc2="$nc2" 'BEGIN {
			br = b1 > b2 ? b1 : b2; nr = n1 > n2 ? n1 : n2
			bp = b50 < c50 ? b50 : c50; np = n50 < m50 ? n50 : m50
			bq = b99 < c99 ? b99 : c99; nq = n99 < m99 ? n99 : m99
			bc = bc1 < bc2 ? bc1 : bc2; nc = nc1 < nc2 ? nc1 : nc2
			printf "%s\n", q
			printf "  %-46s %7d %7.2f %8.2f %9.3f\n", "base", br, bp, bq, bc
			printf "  %-46s %7d %7.2f %8.2f %9.3f\n", "this build", nr, np, nq, nc
			printf "  %-46s %6.2fx %6.2fx %7.2fx %8.2fx\n",
			    "ratio (base/this for ms)", nr / br, bp / np, bq / nq,
			    (nc > 0 ? bc / nc : 0) }'
	else
		read -r n1 n50 n99 nc1 <<<"$(run_wrk "$URL$q" "$NEWPID")"
		printf '%-48s %7s %7s %8s %9s\n' "$q ($size B)" "$n1" "$n50" "$n99" "$nc1"
	fi
done
say ""
say "load after: $(uptime)"
