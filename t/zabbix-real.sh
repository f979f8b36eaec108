#!/usr/bin/env bash
# t/zabbix-real.sh -- a throwaway real Zabbix 6.0 JSON-RPC API from Debian
# 12's packages (zabbix-frontend-php, zabbix-server-mysql for the schema,
# php-fpm, php-mysql), to check lib/zabbix.c and t/zabbix-standin.py
# against the real thing.  Not part of `make check` (the packages are large
# and the schema load takes a while); the API tests use the stand-in.
#
#   t/zabbix-real.sh start DIR PORT   MariaDB + php-fpm + nginx on
#                                     127.0.0.1:PORT; the API is
#                                     http://127.0.0.1:PORT/api_jsonrpc.php,
#                                     user Admin, password zabbix
#   t/zabbix-real.sh stop DIR         stop what start started (pid files)
#
# The frontend is copied into DIR (its conf/zabbix.conf.php is per copy);
# nothing outside DIR is written.  The zabbix_server daemon is not needed
# by the API and is not started.
set -euo pipefail

cmd=${1:?usage: zabbix-real.sh start DIR PORT | stop DIR}
DIR=${2:?DIR}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
PORT=${3:-18708}
FPM=$(ls /usr/sbin/php-fpm* 2>/dev/null | head -n1)

die() { printf 'zabbix-real.sh: %s\n' "$*" >&2; exit 1; }
sql() { mariadb --no-defaults -S "$DIR/mysql.sock" -uroot "$@"; }

stop_pid() {	# stop_pid PIDFILE
	local pid i
	[ -s "$1" ] || return 0
	pid=$(head -n1 "$1")
	kill -TERM "$pid" 2>/dev/null || true
	for i in $(seq 1 100); do
		[ -r "/proc/$pid/stat" ] || break
		[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ] || break
		sleep 0.1
	done
	rm -f "$1"
}

case $cmd in
start)
	[ -n "$FPM" ] && [ -d /usr/share/zabbix ] &&
	    [ -d /usr/share/zabbix-server-mysql ] ||
	    die "install zabbix-frontend-php zabbix-server-mysql php-fpm php-mysql"
	mkdir -p "$DIR/log" "$DIR/tmp"
	if [ ! -d "$DIR/mysql/mysql" ]; then
		mariadb-install-db --no-defaults --datadir="$DIR/mysql" \
		    --user=root --auth-root-authentication-method=normal \
		    --skip-test-db >"$DIR/log/install.log" 2>&1 ||
		    die "mariadb-install-db failed"
	fi
	(setsid mariadbd --no-defaults --datadir="$DIR/mysql" --user=root \
	    --socket="$DIR/mysql.sock" --skip-networking \
	    --pid-file="$DIR/mysql.pid" --log-error="$DIR/log/mysql.err" \
	    --innodb-flush-log-at-trx-commit=2 </dev/null >/dev/null 2>&1 &)
	for i in $(seq 1 100); do sql -e 'SELECT 1' >/dev/null 2>&1 && break
		sleep 0.1; done
	if ! sql -e 'SELECT 1 FROM zabbix.users LIMIT 1' >/dev/null 2>&1; then
		sql -e "CREATE DATABASE zabbix CHARACTER SET utf8mb4 \
		    COLLATE utf8mb4_bin"
		for f in schema images data; do
			zcat "/usr/share/zabbix-server-mysql/$f.sql.gz" |
			    sql zabbix
		done
	fi
	[ -d "$DIR/ui" ] || cp -R /usr/share/zabbix "$DIR/ui"
	# Debian points the frontend at /etc/zabbix/zabbix.conf.php: use ours.
	sed -i "s#'/etc/zabbix/zabbix.conf.php'#'$DIR/ui/conf/zabbix.conf.php'#" \
	    "$DIR/ui/include/classes/core/CConfigFile.php"
	cat >"$DIR/ui/conf/zabbix.conf.php" <<PHP
<?php
\$DB['TYPE'] = 'MYSQL';
\$DB['SERVER'] = 'localhost';
\$DB['PORT'] = '0';
\$DB['DATABASE'] = 'zabbix';
\$DB['USER'] = 'root';
\$DB['PASSWORD'] = '';
\$DB['SCHEMA'] = '';
\$DB['ENCRYPTION'] = false;
\$DB['KEY_FILE'] = '';
\$DB['CERT_FILE'] = '';
\$DB['CA_FILE'] = '';
\$DB['VERIFY_HOST'] = false;
\$DB['CIPHER_LIST'] = '';
\$DB['VAULT_URL'] = '';
\$DB['VAULT_DB_PATH'] = '';
\$DB['VAULT_TOKEN'] = '';
\$DB['DOUBLE_IEEE754'] = true;
\$ZBX_SERVER_NAME = 'hangar-test';
\$IMAGE_FORMAT_DEFAULT = IMAGE_FORMAT_PNG;
PHP
	cat >"$DIR/php-fpm.conf" <<FPM
[global]
pid = $DIR/php-fpm.pid
error_log = $DIR/log/php-fpm.log
daemonize = yes
[zabbix]
user = root
group = root
listen = $DIR/php-fpm.sock
pm = static
pm.max_children = 4
php_value[mysqli.default_socket] = $DIR/mysql.sock
php_value[date.timezone] = UTC
php_value[max_execution_time] = 300
php_value[memory_limit] = 256M
php_value[post_max_size] = 16M
FPM
	[ -s "$DIR/php-fpm.pid" ] || "$FPM" -R -y "$DIR/php-fpm.conf" ||
	    die "php-fpm did not start; see $DIR/log/php-fpm.log"
	cat >"$DIR/nginx.conf" <<NGX
pid $DIR/nginx.pid;
error_log $DIR/log/nginx-error.log;
worker_processes 1;
user root;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $DIR/tmp/body;
	proxy_temp_path $DIR/tmp/proxy;
	fastcgi_temp_path $DIR/tmp/fastcgi;
	uwsgi_temp_path $DIR/tmp/uwsgi;
	scgi_temp_path $DIR/tmp/scgi;
	server {
		listen 127.0.0.1:$PORT;
		root $DIR/ui;
		location ~ \.php\$ {
			include /etc/nginx/fastcgi_params;
			fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
			fastcgi_pass unix:$DIR/php-fpm.sock;
		}
	}
}
NGX
	[ -s "$DIR/nginx.pid" ] || nginx -p "$DIR" -c "$DIR/nginx.conf" \
	    -e "$DIR/log/nginx-error.log" || die "nginx did not start"
	for i in $(seq 1 100); do
		curl -sf -H 'Content-Type: application/json-rpc' -d \
		    '{"jsonrpc":"2.0","method":"apiinfo.version","params":[],"id":1}' \
		    "http://127.0.0.1:$PORT/api_jsonrpc.php" >/dev/null && exit 0
		sleep 0.2
	done
	die "the Zabbix API did not answer; see $DIR/log/"
	;;
stop)
	stop_pid "$DIR/nginx.pid"
	stop_pid "$DIR/php-fpm.pid"
	stop_pid "$DIR/mysql.pid"
	;;
*)	die "unknown command $cmd" ;;
esac
