#!/usr/bin/env bash
# t/bench/jump-logs.sh BUILDDIR [LINES] -- the bastion command log benchmark
# (issue 15).  Prints figures; it is not a pass/fail test (the exit status
# is non-zero only when it could not measure).
#
# Ships LINES (default 10,000,000) generated bastion commands (one in
# about six carries a token of its own -- a container id, a commit hash, an
# upload folder -- so the dictionary of words grows as a real one does)
# through
# POST /common-utils/jump-server-logs/ (batches of 5,000, two clients at
# once) and prints the ingestion rate; every 1,000th line is a
# `kubectl rollout restart deployment/payments-gateway ...` (the word
# "payments" is in 0.1% of the lines and nowhere else).  Then, single
# client (wrk -t1 -c1), page 1, newest first:
#
#   keyword=payments         a word in 0.1% of the lines   target p99 < 50 ms
#   keyword=zqxjv-nomatch    matches nothing               target p99 < 100 ms
#   keyword=%7C%20grep       a keyword across words, common
#   keyword=-                no word: the newest-lines scan
#   user=ops7                a user filter, no keyword
#
# and, for the ratio, the same 0.1% search without the index (the plain
# LIKE scan newest first, page and capped count, straight in MariaDB), and
# the database's size per million lines (data and indexes of jump_logs,
# jump_log_words, jump_log_suffixes and jump_log_postings).
# Everything runs in t/tmp/bench-jumplog on 127.0.0.1:PORT (default 18431);
# all it starts is stopped by pid.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?usage: jump-logs.sh BUILDDIR [LINES]}" && pwd)
LINES=${2:-10000000}
PORT=${HANGAR_BENCH_PORT:-18431}
DIR=$SRC/t/tmp/bench-jumplog
DURATION=${HANGAR_BENCH_DURATION:-10s}
BASE=http://127.0.0.1:$PORT
P=/common-utils/jump-server-logs/

NAME="jump-logs bench"
. "$SRC/t/bench/lib.bash"

for tool in wrk curl mariadb nginx python3 awk; do
	command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
done
[ -x "$BUILD/hangard" ] || die "$BUILD/hangard is not built"

cleanup() {
	set +e
	"$SRC/t/stack.sh" stop "$DIR" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export HANGAR_EXTRA_CONF="max_requests = 0"
# MariaDB sized for its data, as a server holding this log would be: the
# 10-million-line log's indexes (5.5 GB) fit in an 8 GB buffer pool, and a
# 2 GB redo log spares the pages' flushing.  With the test stacks' 256 MB
# pool, ingestion was bound by disk reads (5,331 lines/s here); with 8 GB
# and MariaDB's 96 MB redo log, by its flushing (16,490 lines/s).
export HANGAR_DB_POOL=${HANGAR_DB_POOL:-8G} HANGAR_DB_REDO=${HANGAR_DB_REDO:-2G}
say "load before: $(uptime)"
say "MariaDB: buffer pool $HANGAR_DB_POOL, redo log $HANGAR_DB_REDO"
fresh_stack
TOKEN=$(api_token admin "$HANGAR_ADMIN_PASSWORD")

# ---- ingestion through the API -----------------------------------------

say "shipping $LINES lines through the API (batches of 5000, 2 clients) ..."
t0=$(date +%s.%N)
python3 "$SRC/t/bench/jump-ship.py" "$BASE$P" "$TOKEN" "$LINES" \
    || die "ingestion failed"
t1=$(date +%s.%N)
stored=$(mysql_cli -e "SELECT COUNT(*) FROM jump_logs")
[ "$stored" -eq "$LINES" ] || die "$stored lines stored, $LINES sent"
rate=$(awk -v n="$LINES" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
say "ingestion: $LINES lines in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s = $rate lines/s (target >= 20000)"
mysql_cli -e "ANALYZE TABLE jump_logs, jump_log_words, jump_log_suffixes, \
    jump_log_postings" >/dev/null

# ---- searches ------------------------------------------------------------

# measure LABEL QUERY TARGET_MS
measure() {
	local out p99 rps count
	count=$(curl -sf -H "Authorization: Token $TOKEN" "$BASE$P?$2" |
	    sed -n 's/.*"count": *\([0-9]*\).*/\1/p' | head -1)
	out=$(wrk -t1 -c1 -d"$DURATION" --latency \
	    -H "Authorization: Token $TOKEN" "$BASE$P?$2")
	p99=$(printf '%s\n' "$out" | wrk_p99)
	rps=$(printf '%s\n' "$out" | awk '/Requests\/sec/ { print $2 }')
	printf '%-22s count %-7s p99 %8s ms  %8s req/s  %s\n' "$1" "$count" \
	    "$p99" "$rps" "${3:+target < $3 ms: $(awk -v p="$p99" -v t="$3" \
	    'BEGIN { print (p < t) ? "met" : "NOT met" }')}"
	eval "P99_$4=$p99"
}
say "searches, single client, page 1 ($DURATION each):"
measure "keyword 0.1%" "keyword=payments" 50 hit
measure "keyword no match" "keyword=zqxjv-nomatch" 100 miss
measure "keyword common" "keyword=%7C%20grep" "" common
measure "keyword no word" "keyword=-" "" scan
measure "user filter" "user=ops7" "" user
measure "no filter" "" "" none

# The same 0.1% search without the index, straight in MariaDB, 3 runs.
noindex_ms() {
	local a b
	a=$(date +%s%N)
	mysql_cli -e "SELECT id, user, host, text, created_time FROM jump_logs \
	    WHERE text LIKE '%payments%' ORDER BY id DESC LIMIT 10; \
	    SELECT COUNT(*) FROM (SELECT 1 FROM jump_logs WHERE text LIKE \
	    '%payments%' LIMIT 10001) x" >/dev/null
	b=$(date +%s%N)
	echo $(((b - a) / 1000000))
}
best=999999
for i in 1 2 3; do
	ms=$(noindex_ms)
	[ "$ms" -lt "$best" ] && best=$ms
done
say "without the index (LIKE scan, page + capped count, best of 3): $best ms;" \
    "indexed p99 $P99_hit ms: $(awk -v a="$best" -v b="$P99_hit" \
    'BEGIN { printf "%.0fx", a / b }') faster"

# ---- size ------------------------------------------------------------------

mysql_cli -e "SELECT table_name, table_rows, ROUND((data_length + \
    index_length) / 1048576, 1) FROM information_schema.tables WHERE \
    table_schema = 'hangar' AND table_name LIKE 'jump_log%'" |
while read -r t rows mb; do
	say "$(printf '%-18s ~%10s rows  %8s MB' "$t" "$rows" "$mb")"
done
mb=$(mysql_cli -e "SELECT SUM(data_length + index_length) / 1048576 FROM \
    information_schema.tables WHERE table_schema = 'hangar' AND \
    table_name LIKE 'jump_log%'")
say "database size: $(awk -v m="$mb" -v n="$LINES" \
    'BEGIN { printf "%.0f MB per million lines (%.0f MB in all)", m / (n / 1e6), m }')"
say "load after: $(uptime)"
