#!/usr/bin/env bash
# t/bench/authz.sh BUILDDIR -- what authorization costs a list request.
#
# 10,000 applications; a non-superuser holding view_app on 1,000 of them
# through 5 roles (200 each) plus enable_app_mgmt; GET /applications/?page_size=20
# with wrk -t2 -c64 -d10s, as that user and as a superuser, side by side in
# one run.  Target: the user's req/s at least 70% of the superuser's.
# Prints figures; exits non-zero only when it could not measure.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?usage: authz.sh BUILDDIR}" && pwd)
PORT=${HANGAR_BENCH_PORT:-18250}
DIR=$SRC/t/tmp/bench-authz
URL=http://127.0.0.1:$PORT
Q='/applications/?page_size=20'

NAME=bench-authz
. "$SRC/t/bench/lib.bash"
[ -x "$BUILD/hangard" ] || die "$BUILD/hangard is not built"
trap '"$SRC/t/stack.sh" stop "$DIR" >/dev/null 2>&1' EXIT
fresh_stack
sql() { mysql_cli -e "$1"; }

echo "load before: $(uptime)"
echo "seeding 10,000 applications, 5 roles, 1,000 grants"
sql "INSERT INTO applications (name, full_name)
     SELECT CONCAT('app', seq), CONCAT('app', seq) FROM seq_1_to_10000"
admin=$(api_token admin "$HANGAR_ADMIN_PASSWORD")
curl -sf -H "Authorization: Token $admin" -H 'Content-Type: application/json' \
    -d '{"username":"viewer","password":"viewer-password"}' "$URL/users/" >/dev/null
uid=$(sql "SELECT id FROM users WHERE username = 'viewer'")
sql "INSERT INTO roles (name) SELECT CONCAT('bench-role-', seq) FROM seq_1_to_5"
sql "INSERT INTO user_roles (user_id, role_id)
     SELECT $uid, id FROM roles WHERE name LIKE 'bench-role-%'"
sql "INSERT INTO module_grants VALUES ('user', $uid, 'application', 'enable_app_mgmt')"
# 1,000 applications spread over the id range, 200 per role
sql "INSERT INTO resource_grants (subject_type, subject_id, resource_type, resource_id, perm)
     SELECT 'role', r.id, 'application', a.id, 'view_app'
     FROM applications a JOIN roles r
       ON r.name = CONCAT('bench-role-', 1 + (a.id DIV 10) MOD 5)
     WHERE a.id MOD 10 = 0"
echo "grants: $(sql "SELECT COUNT(*) FROM resource_grants")"
viewer=$(api_token viewer viewer-password)
n=$(curl -sf -H "Authorization: Token $viewer" "$URL$Q" | sed -E 's/^\{"count":([0-9]+).*/\1/')
[ "$n" = 1000 ] || die "the viewer sees $n applications, not 1000"

run() {	# run TOKEN -> "req/s p99"
	wrk -t2 -c64 -d10s --latency -H "Authorization: Token $1" "$URL$Q" |
	    awk '/Requests\/sec/ {rps=$2} $1 == "99%" {p99=$2} END {print rps, p99}'
}
read -r su_rps su_p99 <<<"$(run "$admin")"
read -r vw_rps vw_p99 <<<"$(run "$viewer")"
printf '%-28s %10s %10s\n' "GET $Q" "req/s" "p99"
printf '%-28s %10s %10s\n' "superuser" "$su_rps" "$su_p99"
printf '%-28s %10s %10s\n' "user, 1,000 grants/5 roles" "$vw_rps" "$vw_p99"
awk -v a="$vw_rps" -v b="$su_rps" 'BEGIN { printf "ratio: %.0f%% (target >= 70%%)\n", 100 * a / b }'
echo "load after: $(uptime)"
