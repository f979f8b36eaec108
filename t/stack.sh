#!/usr/bin/env bash
# t/stack.sh -- start and stop a self-contained Hangar stack in one folder:
# MariaDB and Redis on unix sockets, hangard, nginx on 127.0.0.1:PORT.
# `make run` uses ./run; `make check` uses its own folder and port, so both
# can be up at once.  Everything is stopped by pid file, never by name.
#
#   t/stack.sh start DIR PORT BINDIR   start what is not running; idempotent
#   t/stack.sh stop DIR                stop everything started in DIR
#   t/stack.sh stop-db DIR | start-db DIR    (outage tests)
#   t/stack.sh stop-redis DIR | start-redis DIR
#   t/stack.sh stop-agent DIR | start-agent DIR PORT BINDIR
#   t/stack.sh stop-bind DIR | start-bind DIR   the test BIND in DIR/bind,
#                                    if run-tests.sh started one there
#
# HANGAR_DB_POOL: MariaDB's innodb_buffer_pool_size (default 256M);
# HANGAR_DB_REDO: its innodb_log_file_size (default MariaDB's).  The
# 10-million-line benchmark, t/bench/jump-logs.sh, gives them 8G and 2G.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:?usage: stack.sh start|stop|stop-db|start-db|stop-redis|start-redis DIR [PORT BINDIR]}
DIR=${2:?DIR}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
PORT=${3:-8080}
BIN=${4:-$SRC/build}

say() { printf '%s\n' "$*"; }
die() { printf 'stack.sh: %s\n' "$*" >&2; exit 1; }

# Is the process in pid file $1 alive and named $2?  Zombies count as dead.
alive() {
	local pid state comm
	[ -s "$1" ] || return 1
	pid=$(head -n1 "$1" 2>/dev/null) || return 1
	[ -n "$pid" ] || return 1
	[ -r "/proc/$pid/stat" ] || return 1
	state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
	[ "$state" != Z ] || return 1
	comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
	case "$comm" in $2*) return 0 ;; esac
	return 1
}

# Stop the process in pid file $1 (named $2): TERM, wait, then KILL.
stop_pid() {
	local i pid
	alive "$1" "$2" || { rm -f "$1"; return 0; }
	pid=$(head -n1 "$1" 2>/dev/null) || return 0	# it just exited
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 300); do
		alive "$1" "$2" || { rm -f "$1"; return 0; }
		sleep 0.1
	done
	say "stack.sh: $2 ($pid) did not stop in 30s; killing it" >&2
	kill -KILL "$pid" 2>/dev/null || true
	rm -f "$1"
}

wait_for() {	# wait_for SECONDS DESCRIPTION COMMAND...
	local n=$(( $1 * 10 )) what=$2 i
	shift 2
	for i in $(seq 1 "$n"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "$what did not come up; see $DIR/log/"
}

mysql_cli() { mariadb --no-defaults -S "$DIR/mysql.sock" -uroot "$@"; }

start_db() {
	alive "$DIR/mysql.pid" mariadbd && return 0
	if [ ! -d "$DIR/mysql/mysql" ]; then
		mariadb-install-db --no-defaults --datadir="$DIR/mysql" --user=root \
		    --auth-root-authentication-method=normal --skip-test-db \
		    >"$DIR/log/mysql-install.log" 2>&1 ||
		    die "mariadb-install-db failed; see $DIR/log/mysql-install.log"
	fi
	# Its own tmpdir: temporary tables' files in a shared /tmp were
	# deleted under it by other runs on the machine (500s, a failed setup).
	mkdir -p "$DIR/mysql-tmp"
	(setsid mariadbd --no-defaults --datadir="$DIR/mysql" --user=root \
	    --tmpdir="$DIR/mysql-tmp" --socket="$DIR/mysql.sock" \
	    --skip-networking --skip-name-resolve \
	    --pid-file="$DIR/mysql.pid" --log-error="$DIR/log/mysql.err" \
	    --innodb-buffer-pool-size="${HANGAR_DB_POOL:-256M}" \
	    ${HANGAR_DB_REDO:+--innodb-log-file-size="$HANGAR_DB_REDO"} \
	    --innodb-flush-log-at-trx-commit=2 \
	    --max-connections=500 --character-set-server=utf8mb4 \
	    --collation-server=utf8mb4_unicode_ci </dev/null >/dev/null 2>&1 &)
	wait_for 60 MariaDB mysql_cli -e 'SELECT 1'
	mysql_cli -e "CREATE DATABASE IF NOT EXISTS hangar CHARACTER SET utf8mb4 \
	    COLLATE utf8mb4_unicode_ci"
}

start_redis() {
	alive "$DIR/redis.pid" redis-server && return 0
	redis-server --port 0 --unixsocket "$DIR/redis.sock" --unixsocketperm 700 \
	    --dir "$DIR" --daemonize yes --pidfile "$DIR/redis.pid" \
	    --logfile "$DIR/log/redis.log" --save '' --appendonly no \
	    >/dev/null || die "redis-server failed; see $DIR/log/redis.log"
	wait_for 10 Redis redis-cli -s "$DIR/redis.sock" ping
}

write_conf() {
	[ -f "$DIR/hangar.conf" ] && return 0
	cat >"$DIR/hangar.conf" <<CONF
# Written by t/stack.sh for the stack in $DIR; see hangar.conf(5).
listen = $DIR/hangard.sock
workers = ${HANGAR_WORKERS:-4}
pid_file = $DIR/hangard.pid
access_log = $DIR/log/access.log
log_file = $DIR/log/hangard.log
db_socket = $DIR/mysql.sock
db_user = root
db_name = hangar
redis_socket = $DIR/redis.sock
secret_key_file = $DIR/secret.key
smtp_url = ${HANGAR_SMTP_URL:-smtp://127.0.0.1:25}
# Mail retries (t/api/test_mail.c) come a second apart, not a minute.
mail_retry_delay = 1
public_url = http://127.0.0.1:$PORT
agent_log = $DIR/log/agent.log
agent_pid_file = $DIR/hangar-agent.pid
known_hosts = $DIR/known_hosts
deploy_cache_dir = $DIR/deploy-cache
jinja_check = $SRC/src/libexec/hangar-jinja-check
# nginx.conf trusts 127.0.0.1 as a TLS-terminating proxy (X-Forwarded-*).
trust_proxy = 1
# CDN refresh (t/api/test_cdn.c): a short TIMEOUT bound, quick polls, and
# the domains a URL may name (anything else is 30002).
cdn_timeout = 8
cdn_poll_ms = 100
cdn_domains = example.com, *.example.com, .example.net
# Live output: the agent publishes to nginx's nchan publisher on this
# stack's own unix socket (nginx/run.conf.in).
ws_publish_socket = $DIR/publish.sock
ws_publish_url = http://localhost/tasks/
ws_publish_secret = $(publish_secret)
CONF
	if [ -n "${HANGAR_EXTRA_CONF:-}" ]; then
		printf '%s\n' "$HANGAR_EXTRA_CONF" >>"$DIR/hangar.conf"
	fi
}

# The stack's publisher secret (nginx.conf and hangar.conf), kept in the
# stack's folder like the admin password.
publish_secret() {
	[ -s "$DIR/publish-secret" ] ||
	    ( umask 077; head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' \
	    >"$DIR/publish-secret" )
	cat "$DIR/publish-secret"
}

admin_password() {
	if [ -n "${HANGAR_ADMIN_PASSWORD:-}" ]; then
		printf '%s' "$HANGAR_ADMIN_PASSWORD"
	elif [ -s "$DIR/admin-password" ]; then
		cat "$DIR/admin-password"
	else
		( umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=\n' \
		    >"$DIR/admin-password" )
		cat "$DIR/admin-password"
	fi
}

start_hangard() {
	alive "$DIR/hangard.pid" hangard && return 0
	"$BIN/hangard" -d -c "$DIR/hangar.conf" ||
	    die "hangard failed to start; see $DIR/log/hangard.log"
	wait_for 20 hangard test -S "$DIR/hangard.sock"
}

start_agent() {	# only once it is built (src/agent/)
	[ -x "$BIN/hangar-agent" ] || return 0
	alive "$DIR/hangar-agent.pid" hangar-agent && return 0
	rm -f "$DIR/hangar-agent.pid"
	"$BIN/hangar-agent" -d -c "$DIR/hangar.conf" ||
	    die "hangar-agent failed to start; see $DIR/log/agent.log"
	wait_for 10 hangar-agent test -s "$DIR/hangar-agent.pid"
}

start_nginx() {
	alive "$DIR/nginx.pid" nginx && return 0
	local mods
	mkdir -p "$DIR/nginx-tmp"
	# Where this nginx keeps its dynamic modules (nchan: live output).
	mods=$(nginx -V 2>&1 | sed -n 's/.*--modules-path=\([^ ]*\).*/\1/p')
	[ -n "$mods" ] || mods=/usr/lib/nginx/modules
	[ -f "$mods/ngx_nchan_module.so" ] ||
	    die "nginx's nchan module is missing: apt-get install libnginx-mod-nchan"
	sed -e "s#@DIR@#$DIR#g" -e "s#@PORT@#$PORT#g" -e "s#@SRC@#$SRC#g" \
	    -e "s#@NGINX_MODULES@#$mods#g" \
	    -e "s#@PUBLISH_SECRET@#$(publish_secret)#g" \
	    "$SRC/nginx/run.conf.in" >"$DIR/nginx.conf"
	nginx -p "$DIR" -c "$DIR/nginx.conf" -e "$DIR/log/nginx-error.log" ||
	    die "nginx failed to start; see $DIR/log/nginx-error.log"
}

case $cmd in
start)
	mkdir -p "$DIR/log"
	[ -x "$BIN/hangard" ] || die "$BIN/hangard is not built"
	start_db
	start_redis
	write_conf
	"$BIN/hangarctl" -c "$DIR/hangar.conf" keygen >/dev/null
	"$BIN/hangarctl" -c "$DIR/hangar.conf" -s "$SRC/sql" migrate \
	    >>"$DIR/log/migrate.log"
	pw=$(admin_password)
	rc=0
	HANGAR_PASSWORD=$pw "$BIN/hangarctl" -c "$DIR/hangar.conf" \
	    user add --superuser admin >/dev/null 2>&1 </dev/null || rc=$?
	[ $rc -eq 0 ] || [ $rc -eq 3 ] || die "could not create the admin user"
	start_hangard
	start_agent
	start_nginx
	wait_for 30 "GET /healthz" curl -sf "http://127.0.0.1:$PORT/healthz"
	;;
stop)
	stop_pid "$DIR/nginx.pid" nginx
	stop_pid "$DIR/hangar-agent.pid" hangar-agent
	stop_pid "$DIR/hangard.pid" hangard
	stop_pid "$DIR/redis.pid" redis-server
	stop_pid "$DIR/mysql.pid" mariadbd
	[ ! -d "$DIR/bind" ] || "$SRC/t/bind-server.sh" stop "$DIR/bind"
	;;
stop-db)	stop_pid "$DIR/mysql.pid" mariadbd ;;
start-db)	mkdir -p "$DIR/log"; start_db ;;
stop-redis)	stop_pid "$DIR/redis.pid" redis-server ;;
stop-agent)	stop_pid "$DIR/hangar-agent.pid" hangar-agent ;;
start-agent)	start_agent ;;
start-redis)	mkdir -p "$DIR/log"; start_redis ;;
stop-bind)	"$SRC/t/bind-server.sh" stop "$DIR/bind" ;;
start-bind)	"$SRC/t/bind-server.sh" start "$DIR/bind" ;;
*)	die "unknown command $cmd" ;;
esac
