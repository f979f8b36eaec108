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
say "load before: $(uptime)"
fresh_stack
TOKEN=$(api_token admin "$HANGAR_ADMIN_PASSWORD")

# ---- ingestion through the API -----------------------------------------

say "shipping $LINES lines through the API (batches of 5000, 2 clients) ..."
t0=$(date +%s.%N)
python3 - "$BASE$P" "$TOKEN" "$LINES" <<'PY' || die "ingestion failed"
import http.client, json, random, sys, threading, time, urllib.parse

url, token, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
u = urllib.parse.urlparse(url)
apps = ["billing", "orders", "search", "auth", "cart", "catalog", "mail",
        "report", "gateway", "inventory", "shipping", "profile"]
svcs = ["nginx", "mysql", "redis", "docker", "kubelet", "sshd", "cron",
        "php-fpm", "haproxy", "postfix"]
files = ["error", "access", "app", "debug", "slow", "audit"]
def cmd(r, i):
    if i % 1000 == 500:
        return ("kubectl rollout restart deployment/payments-gateway -n prod-%d"
                % r.randint(1, 9))
    a, s = r.choice(apps), r.choice(svcs)
    k = r.randrange(16)
    if k == 0: return "cd /var/www/%s/releases/2026%04d" % (a, r.randint(101, 1231))
    if k == 1: return "tail -n %d /var/log/%s/%s.log" % (r.randint(10, 5000), a, r.choice(files))
    if k == 2: return "sudo systemctl restart %s" % s
    if k == 3: return "grep -ri timeout /etc/%s/ | grep -v '#'" % s
    if k == 4: return "kubectl get pods -n %s-%d -o wide" % (a, r.randint(1, 40))
    if k == 5: return "docker logs --tail %d %012x" % (r.randint(10, 999), r.getrandbits(48))
    if k == 6: return "vim /etc/%s/conf.d/%s.conf" % (s, a)
    if k == 7: return "ps aux | grep %s | grep -v grep" % s
    if k == 8: return "ssh host-%04d.dc%d.example.com" % (r.randint(1, 5000), r.randint(1, 4))
    if k == 9: return "mysql -u %s_ro -p -h db-%03d -e 'show processlist'" % (a, r.randint(1, 200))
    if k == 10: return "git checkout %07x && git pull origin release/%d.%d" % (r.getrandbits(28), r.randint(1, 9), r.randint(0, 40))
    if k == 11: return "ls -la /data/%s/2026-%02d-%02d" % (a, r.randint(1, 12), r.randint(1, 28))
    if k == 12: return "curl -s http://10.%d.%d.%d:%d/health" % (r.randint(0, 255), r.randint(0, 255), r.randint(1, 254), r.choice([80, 8080, 9090, 3000]))
    if k == 13: return "scp %s-%d.tar.gz host-%04d:/tmp/upload_%d/" % (a, r.randint(1, 999), r.randint(1, 5000), r.getrandbits(40))
    if k == 14: return "df -h; free -m; uptime"
    return "journalctl -u %s --since '%d min ago' | less" % (s, r.randint(1, 120))

BATCH = 5000
lock = threading.Lock()
state = {"next": 0, "err": None}
def worker(seed):
    r = random.Random(seed)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
    hdr = {"Content-Type": "application/json", "Authorization": "Token " + token}
    now = int(time.time()) - total // 100
    while True:
        with lock:
            lo = state["next"]
            if lo >= total or state["err"]:
                return
            state["next"] = lo + BATCH
        hi = min(lo + BATCH, total)
        body = json.dumps([{"id": "b:%d" % i, "user": "ops%d" % r.randrange(40),
            "host": "bastion-%d" % r.randrange(4), "text": cmd(r, i),
            "created_time": now + i // 100} for i in range(lo, hi)])
        for attempt in range(20):
            c.request("POST", u.path, body, hdr)
            resp = c.getresponse()
            data = resp.read()
            if resp.status == 201:
                break
            time.sleep(0.2)   # a deadlock between the two clients: retry
        else:
            state["err"] = "%d %s" % (resp.status, data[:200])
            return
ts = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
for t in ts: t.start()
for t in ts: t.join()
if state["err"]:
    sys.exit("ingestion: " + state["err"])
PY
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
