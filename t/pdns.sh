#!/usr/bin/env bash
# t/pdns.sh -- a throwaway PowerDNS Authoritative server (pdns-server with
# the gsqlite3 backend, HTTP API on) for the DNS tests, on loopback.
#
#   t/pdns.sh start DIR APIPORT DNSPORT KEY   start it (idempotent)
#   t/pdns.sh stop DIR                        stop it, by its pid file
#
# The API is http://127.0.0.1:APIPORT/ with X-API-Key: KEY; it answers DNS
# on 127.0.0.1:DNSPORT (UDP and TCP).  HANGAR_PDNS_SYNC=0 turns off its
# SQLite's syncs (gsqlite3-pragma-synchronous): the DNS benchmark's, which
# measures Hangar's time on top of PowerDNS's, not this disk's.
set -euo pipefail

cmd=${1:?usage: pdns.sh start DIR APIPORT DNSPORT KEY | stop DIR}
DIR=${2:?DIR}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
SCHEMA=/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql

alive() {
	local pid
	[ -s "$DIR/pdns.pid" ] || return 1
	pid=$(cat "$DIR/pdns.pid")
	[ -r "/proc/$pid/comm" ] || return 1
	case $(cat "/proc/$pid/comm") in pdns_server*) return 0 ;; esac
	return 1
}

case $cmd in
start)
	API=${3:?APIPORT}; DNS=${4:?DNSPORT}; KEY=${5:?KEY}
	alive && exit 0
	command -v pdns_server >/dev/null ||
	    { echo "pdns.sh: pdns-server is not installed (make deps)" >&2; exit 1; }
	[ -f "$DIR/pdns.sqlite3" ] || sqlite3 "$DIR/pdns.sqlite3" <"$SCHEMA"
	cat >"$DIR/pdns.conf" <<CONF
launch=gsqlite3
gsqlite3-database=$DIR/pdns.sqlite3
gsqlite3-dnssec=no
${HANGAR_PDNS_SYNC:+gsqlite3-pragma-synchronous=$HANGAR_PDNS_SYNC}
local-address=127.0.0.1
local-port=$DNS
socket-dir=$DIR
daemon=no
guardian=no
api=yes
api-key=$KEY
webserver=yes
webserver-address=127.0.0.1
webserver-port=$API
webserver-allow-from=127.0.0.1,::1
security-poll-suffix=
loglevel=4
cache-ttl=0
negquery-cache-ttl=0
query-cache-ttl=0
zone-cache-refresh-interval=0
CONF
	(setsid pdns_server --config-dir="$DIR" </dev/null \
	    >"$DIR/pdns.log" 2>&1 & echo $! >"$DIR/pdns.pid")
	for _ in $(seq 1 100); do
		curl -sf -H "X-API-Key: $KEY" \
		    "http://127.0.0.1:$API/api/v1/servers/localhost" \
		    >/dev/null 2>&1 && exit 0
		alive || break
		sleep 0.1
	done
	echo "pdns.sh: PowerDNS did not come up; see $DIR/pdns.log" >&2
	tail -n 20 "$DIR/pdns.log" >&2
	exit 1
	;;
stop)
	alive || { rm -f "$DIR/pdns.pid"; exit 0; }
	pid=$(cat "$DIR/pdns.pid")
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 1 50); do
		alive || { rm -f "$DIR/pdns.pid"; exit 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$DIR/pdns.pid"
	;;
*)	echo "pdns.sh: unknown command $cmd" >&2; exit 1 ;;
esac
