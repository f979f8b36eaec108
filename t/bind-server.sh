#!/usr/bin/env bash
# t/bind-server.sh -- a throwaway BIND 9 named for the DNS tests: listens on
# 127.0.0.1 PORT (UDP and TCP), runs from its own folder, no rndc channel,
# no recursion, and serves dynamic zones that take RFC 2136 updates and
# AXFR signed with one TSIG key (hmac-sha256, made with tsig-keygen).
# Started in the foreground under setsid and stopped by pid file, never by
# name; `named -g` logs to DIR/named.log.
#
#   t/bind-server.sh start DIR [PORT] start it (idempotent; PORT defaults
#                                     to the one DIR was last started on)
#   t/bind-server.sh stop DIR         stop the named started in DIR
#   t/bind-server.sh secret DIR       print the key's base64 secret
#
# Zones (each made at the first start: a minimal SOA + NS + the NS's A
# record, serial 1; a restart keeps their changes):
#   example.test     allow-update and allow-transfer with the key
#   second.test      the same (a second zone, so tests do not step on
#                    each other)
#   static.test      allow-update { none; }: updates are REFUSED
# The key is named hangar-key; DIR/hangar.key is named.conf's include.
set -euo pipefail

cmd=${1:?usage: bind-server.sh start DIR [PORT] | stop DIR | secret DIR}
DIR=${2:?DIR}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
NAMED=/usr/sbin/named
KEYNAME=hangar-key

die() { printf 'bind-server.sh: %s\n' "$*" >&2; exit 1; }

alive() {	# is the named in DIR/named.pid running (not a zombie)?
	local pid state
	[ -s "$DIR/named.pid" ] || return 1
	pid=$(head -n1 "$DIR/named.pid")
	[ -n "$pid" ] && [ -r "/proc/$pid/stat" ] || return 1
	state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
	[ "$state" != Z ] || return 1
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = named ]
}

secret() {
	sed -n 's/.*secret "\([^"]*\)".*/\1/p' "$DIR/hangar.key"
}

zonefile() {	# zonefile NAME
	cat >"$DIR/$1.zone" <<EOF
\$TTL 300
@	IN SOA	ns1.$1. hostmaster.$1. 1 3600 600 86400 300
@	IN NS	ns1.$1.
ns1	IN A	127.0.0.1
EOF
}

write_conf() {
	local port=$1 z
	[ -s "$DIR/hangar.key" ] ||
	    tsig-keygen -a hmac-sha256 "$KEYNAME" >"$DIR/hangar.key"
	for z in example.test second.test static.test; do
		# Made once: a restart (outage tests) keeps what the zone
		# got, in the zone file and its journal.
		[ -s "$DIR/$z.zone" ] || { rm -f "$DIR/$z.zone.jnl"; zonefile "$z"; }
	done
	cat >"$DIR/named.conf" <<EOF
// Written by t/bind-server.sh; a test server, not a template for production.
include "$DIR/hangar.key";
options {
	directory "$DIR";
	pid-file "$DIR/named.pid";
	session-keyfile "$DIR/session.key";
	managed-keys-directory "$DIR";
	listen-on port $port { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	allow-query { 127.0.0.1; };
	dnssec-validation no;
	notify no;
};
controls { };
zone "example.test" {
	type primary;
	file "$DIR/example.test.zone";
	allow-update { key "$KEYNAME"; };
	allow-transfer { key "$KEYNAME"; };
};
zone "second.test" {
	type primary;
	file "$DIR/second.test.zone";
	allow-update { key "$KEYNAME"; };
	allow-transfer { key "$KEYNAME"; };
};
zone "static.test" {
	type primary;
	file "$DIR/static.test.zone";
	allow-update { none; };
	allow-transfer { key "$KEYNAME"; };
};
EOF
}

start() {
	local port=${1:-} n
	[ -n "$port" ] || port=$(cat "$DIR/port" 2>/dev/null) ||
	    die "no PORT given and none remembered in $DIR/port"
	alive && return 0
	rm -f "$DIR/named.pid"
	echo "$port" >"$DIR/port"
	write_conf "$port"
	: >"$DIR/named.log"
	# -g: foreground, log to stderr; setsid so that it outlives the
	# caller's session; -u is not given: it runs as whoever starts it.
	(setsid "$NAMED" -g -c "$DIR/named.conf" -n 1 </dev/null \
	    >>"$DIR/named.log" 2>&1 &)
	for n in $(seq 1 100); do
		if alive && dig +time=1 +tries=1 @127.0.0.1 -p "$port" \
		    example.test SOA +short 2>/dev/null | grep -q ns1; then
			return 0
		fi
		grep -q "exiting (due to fatal error)" "$DIR/named.log" && break
		sleep 0.1
	done
	die "named did not start on 127.0.0.1:$port: $(tail -n 3 "$DIR/named.log" | tr '\n' ' ')"
}

stop() {
	local pid n
	alive || { rm -f "$DIR/named.pid"; return 0; }
	pid=$(head -n1 "$DIR/named.pid")
	kill -TERM "$pid" 2>/dev/null || true
	for n in $(seq 1 100); do
		alive || { rm -f "$DIR/named.pid"; return 0; }
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$DIR/named.pid"
}

case $cmd in
start)	start "${3:-}" ;;
stop)	stop ;;
secret)	secret ;;
*)	die "unknown command $cmd" ;;
esac
