#!/usr/bin/env bash
# t/bench/dns.sh BUILDDIR -- the DNS benchmark (issue 14).
#
# A throwaway PowerDNS (t/pdns.sh) and a Hangar stack.  One zone of 10,000
# records: made on PowerDNS in one API call, then taken over by Hangar's
# import (POST .../actions/import/, timed).  Then, one client:
#
#   GET .../records/?page_size=20 (the first page)       wrk -t1 -c1  p99 < 20 ms
#   GET .../records/?name=h99%&page_size=20 (a filter)   wrk -t1 -c1  (figure)
#   1,000 records created one request at a time, alternately
#     straight against PowerDNS's API (PATCH, REPLACE one RRset)
#     through Hangar (POST .../records/, which makes the same PATCH)
#   -> Hangar's overhead per record = the median of the pairs'
#      differences (and the difference of the means)   target < 2 ms
#
# Both sides are one curl process, keeping a connection to each, so the
# client's own cost is the same on both; Hangar's side crosses nginx, as
# every API call does.  PowerDNS's own time is made small, so that its
# jitter does not hide a difference of a millisecond: the zone does not
# rectify after each change (PUT api_rectify false, straight to PowerDNS:
# rectifying lists the whole zone, 40-60 ms a PATCH of a 10,000-record
# zone here, and a zone without DNSSEC has no use for it) and its SQLite
# does not sync (HANGAR_PDNS_SYNC=0, t/pdns.sh).  PDNS_RECTIFY=1 and
# HANGAR_PDNS_SYNC= (empty) put both back.  It prints figures; it is not a pass/fail
# test (the exit status is non-zero only when it could not measure).
# Everything runs in t/tmp/bench-dns on 127.0.0.1:PORT (hangard), PORT+1
# (PowerDNS's API), PORT+2 (its DNS), default 18481; all it starts is
# stopped by pid.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?usage: dns.sh BUILDDIR}" && pwd)
PORT=${HANGAR_BENCH_PORT:-18481}
DIR=$SRC/t/tmp/bench-dns
ZONE=bench.example
RECORDS=10000 CREATES=1000
DURATION=10s
BASE=http://127.0.0.1:$PORT
PDNS=http://127.0.0.1:$((PORT + 1))
PDNS_KEY=bench-$RANDOM-$RANDOM-$$

NAME="dns bench"
. "$SRC/t/bench/lib.bash"

for tool in wrk curl mariadb nginx pdns_server sqlite3 awk; do
	command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
done
[ -x "$BUILD/hangard" ] || die "$BUILD/hangard is not built"

cleanup() {
	set +e
	"$SRC/t/pdns.sh" stop "$DIR/pdns" >/dev/null 2>&1
	"$SRC/t/stack.sh" stop "$DIR" >/dev/null 2>&1
}
trap cleanup EXIT
trap 'exit 130' INT TERM

export HANGAR_EXTRA_CONF="max_requests = 0"
say "load before: $(uptime)"
fresh_stack
export HANGAR_PDNS_SYNC=${HANGAR_PDNS_SYNC-0}
"$SRC/t/pdns.sh" start "$DIR/pdns" $((PORT + 1)) $((PORT + 2)) "$PDNS_KEY" ||
    die "PowerDNS did not start"

TOKEN=$(api_token admin "$HANGAR_ADMIN_PASSWORD")
AUTH="Authorization: Token $TOKEN"

# api METHOD PATH [BODY] -- Hangar; prints the body; 2xx required.
api() {
	local out status
	out=$(curl -s -w '\n%{http_code}' -X "$1" -H "$AUTH" \
	    -H 'Content-Type: application/json' ${3:+--data-binary "$3"} \
	    "$BASE$2")
	status=${out##*$'\n'}
	case $status in 2??) printf '%s\n' "${out%$'\n'*}" ;;
	*) die "$1 $2: HTTP $status: ${out%$'\n'*}" ;; esac
}
idof() { sed -n 's/^{ *"id": *\([0-9]*\).*/\1/p'; }

SID=$(api POST /dns-services/ "{\"name\": \"pdns\", \"type\": \"powerdns\",
    \"api_endpoint\": \"$PDNS\", \"api_key\": \"$PDNS_KEY\"}" | idof)
DID=$(api POST "/dns-services/$SID/domains/" "{\"name\": \"$ZONE\"}" | idof)
[ -n "$SID" ] && [ -n "$DID" ] || die "no server or domain"
RECS=/dns-services/$SID/domains/$DID/records/
if [ "${PDNS_RECTIFY:-0}" = 0 ]; then
	status=$(curl -s -o /dev/null -w '%{http_code}' -X PUT \
	    -H "X-API-Key: $PDNS_KEY" -H 'Content-Type: application/json' \
	    -d '{"api_rectify": false}' \
	    "$PDNS/api/v1/servers/localhost/zones/$ZONE.")
	[ "$status" = 204 ] || die "PowerDNS did not take api_rectify: $status"
fi

# ---- 10,000 records: on PowerDNS, then imported ------------------------

t0=$(date +%s%N)
awk -v n="$RECORDS" -v z="$ZONE" 'BEGIN {
	printf "{\"rrsets\": ["
	for (i = 1; i <= n; i++)
		printf "%s{\"name\": \"h%d.%s.\", \"type\": \"A\", \"ttl\": 300, " \
		    "\"changetype\": \"REPLACE\", \"records\": [{\"content\": " \
		    "\"10.%d.%d.%d\", \"disabled\": false}]}", (i > 1 ? ", " : ""),
		    i, z, int(i / 65536), int(i / 256) % 256, i % 256
	printf "]}"
}' >"$DIR/zone.json"
status=$(curl -s -o "$DIR/patch.out" -w '%{http_code}' -X PATCH \
    -H "X-API-Key: $PDNS_KEY" -H 'Content-Type: application/json' \
    --data-binary @"$DIR/zone.json" "$PDNS/api/v1/servers/localhost/zones/$ZONE.")
[ "$status" = 204 ] || die "PowerDNS did not take the zone: $status $(head -c 200 "$DIR/patch.out")"
t1=$(date +%s%N)
imported=$(api POST "/dns-services/$SID/domains/$DID/actions/import/" '{}' |
    sed -n 's/.*"imported": *\([0-9]*\).*/\1/p')
t2=$(date +%s%N)
[ "$imported" = "$RECORDS" ] || die "imported $imported records, not $RECORDS"
say "zone of $RECORDS records: on PowerDNS in $(( (t1 - t0) / 1000000 )) ms, imported by Hangar in $(( (t2 - t1) / 1000000 )) ms"
mysql_cli -e "ANALYZE TABLE dns_records" >/dev/null

# ---- listing, one client ------------------------------------------------

LIST_Q="${RECS}?page_size=20"
FILTER_Q="${RECS}?name=h99%25&page_size=20"
api GET "$LIST_Q" | grep -q "\"count\": *$RECORDS," || die "the list does not count $RECORDS"

# run_wrk NAME URL -- one client; sets RPS_<NAME> P99_<NAME> ERR_<NAME>.
run_wrk() {
	local out
	wrk -t1 -c1 -d2s -H "$AUTH" "$2" >/dev/null	# warm up
	out=$(wrk -t1 -c1 -d"$DURATION" --latency -H "$AUTH" "$2")
	printf '%s\n' "$out" >"$DIR/log/wrk-$1.txt"
	printf -v "RPS_$1" '%s' "$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' <<<"$out")"
	printf -v "P99_$1" '%s' "$(wrk_p99 <<<"$out")"
	printf -v "ERR_$1" '%s' "$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
	    /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
	    END { print n + 0 }' <<<"$out")"
}
say "wrk -t1 -c1 --latency, after a 2 s warm-up, $DURATION"
run_wrk list "$BASE$LIST_Q"
run_wrk filter "$BASE$FILTER_Q"

# ---- 1,000 creations, one at a time -------------------------------------

# One curl config of 2 x CREATES transfers, alternating straight to
# PowerDNS and through Hangar (one kept connection to each), each printing
# which it was, its status and its time: both sides see the same moment of
# PowerDNS's disk (its SQLite syncs every change), so the difference is
# Hangar's own, not the drift between two runs.
creates() {
	local i
	for i in $(seq 1 "$CREATES"); do
		printf 'url = "%s/api/v1/servers/localhost/zones/%s."\n' "$PDNS" "$ZONE"
		printf 'request = "PATCH"\nheader = "X-API-Key: %s"\n' "$PDNS_KEY"
		printf 'data = "{\\"rrsets\\": [{\\"name\\": \\"p%d.%s.\\", \\"type\\": \\"A\\", \\"ttl\\": 300, \\"changetype\\": \\"REPLACE\\", \\"records\\": [{\\"content\\": \\"192.0.2.%d\\", \\"disabled\\": false}]}]}"\n' "$i" "$ZONE" $((i % 250 + 1))
		printf 'header = "Content-Type: application/json"\n'
		printf 'output = "/dev/null"\nwrite-out = "pdns %%{http_code} %%{time_total}\\n"\nnext\n'
		printf 'url = "%s%s"\n' "$BASE" "$RECS"
		printf 'header = "%s"\n' "$AUTH"
		printf 'data = "{\\"name\\": \\"c%d\\", \\"type\\": \\"A\\", \\"value\\": \\"192.0.2.%d\\", \\"ttl\\": 300}"\n' "$i" $((i % 250 + 1))
		printf 'header = "Content-Type: application/json"\n'
		printf 'output = "/dev/null"\nwrite-out = "hangar %%{http_code} %%{time_total}\\n"\n'
		[ "$i" = "$CREATES" ] || printf 'next\n'
	done
}
# stats NAME -- sets MEAN_ P50_ P99_ BAD_<NAME> (ms) from its lines.
stats() {
	read -r "MEAN_$1" "P50_$1" "P99_$1" "BAD_$1" <<<"$(awk -v k="$1" '
	    $1 == k { n++; t[n] = $3 * 1000; s += t[n]; if ($2 !~ /^2/) bad++ }
	    END { asort(t); printf "%.2f %.2f %.2f %d", s / n, t[int(n / 2)],
	        t[int(n * 0.99)], bad }' "$DIR/log/creates.txt")"
}
say "creating $CREATES records one request at a time, one client, alternating"
say "  straight to PowerDNS and through Hangar ..."
creates >"$DIR/creates.curl"
curl -s -K "$DIR/creates.curl" >"$DIR/log/creates.txt"
stats pdns
stats hangar
# the median of the pairs' differences: robust to PowerDNS's slow syncs
PAIRED=$(awk '$1 == "pdns" { p = $3 } $1 == "hangar" { n++; d[n] = ($3 - p) * 1000 }
    END { asort(d); printf "%.2f", d[int(n / 2)] }' "$DIR/log/creates.txt")
made=$(mysql_cli -e "SELECT COUNT(*) FROM dns_records WHERE name LIKE 'c%'")
served=$(curl -s -H "X-API-Key: $PDNS_KEY" "$PDNS/api/v1/servers/localhost/zones/$ZONE." |
    grep -o '"name": *"c[0-9]*\.' | wc -l)

row() { printf '%-52s %9s %9s %9s  %s\n' "$@"; }
say ""
row "one client" "req/s" "p99 ms" "errors" "target"
row "GET records, first page ($RECORDS in the zone)" "$RPS_list" "$P99_list" \
    "$ERR_list" "p99 < 20 ms: $(awk -v p="$P99_list" 'BEGIN { print (p < 20) ? "met" : "MISSED" }')"
row "GET records, ?name=h99% (LIKE)" "$RPS_filter" "$P99_filter" "$ERR_filter" "(figure)"
say ""
row "create one record" "mean ms" "p50 ms" "p99 ms" "non-2xx"
row "  straight to PowerDNS (PATCH)" "$MEAN_pdns" "$P50_pdns" "$P99_pdns" "$BAD_pdns"
row "  through Hangar (POST .../records/)" "$MEAN_hangar" "$P50_hangar" "$P99_hangar" "$BAD_hangar"
over=$(awk -v h="$MEAN_hangar" -v p="$MEAN_pdns" 'BEGIN { printf "%.2f", h - p }')
say "Hangar's overhead per record: mean $over ms, median of the pairs $PAIRED ms over"
say "  PowerDNS's own (target < 2 ms): $(awk -v o="$PAIRED" 'BEGIN { print (o < 2) ? "met" : "MISSED" }')"
say "records made through Hangar: $made in its table, $served on PowerDNS"
say "load after: $(uptime)"
