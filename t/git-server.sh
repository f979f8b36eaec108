#!/usr/bin/env bash
# t/git-server.sh -- a throwaway git server on loopback for the deploy tests:
# `git daemon` serving every bare repository under DIR/repos read-only over
# git://127.0.0.1:PORT/<name>.git.  (Git over SSH needs no server of its
# own: the tests use the sshd test hosts, t/sshd-hosts.sh, with their key.)
#
#   t/git-server.sh start DIR PORT    start it (DIR/git-daemon.pid)
#   t/git-server.sh stop DIR          stop it and the HTTPS server, by pid
#   t/git-server.sh start-https DIR PORT USER PASSWORD
#       the same repositories read-write over smart HTTP, on
#       https://127.0.0.1:PORT/<name>.git: a small nginx of its own (TLS,
#       basic auth for USER/PASSWORD) passing requests to git-http-backend
#       through fcgiwrap.  Its certificate (SAN IP:127.0.0.1) is signed by
#       a CA made here, DIR/https/ca.pem, which a client must be told to
#       trust (hangar.conf's deploy_ca_file for the agent).
#
# Repositories are made by the tests themselves (git init --bare, push).
set -euo pipefail

cmd=${1:?usage: git-server.sh start DIR PORT | start-https DIR PORT USER PASSWORD | stop DIR}
DIR=${2:?DIR}
mkdir -p "$DIR/repos"
DIR=$(cd "$DIR" && pwd)
PID=$DIR/git-daemon.pid

case $cmd in
start)
	port=${3:?PORT}
	git daemon --reuseaddr --listen=127.0.0.1 --port="$port" \
	    --base-path="$DIR/repos" --export-all --detach --pid-file="$PID" \
	    "$DIR/repos"
	for n in $(seq 1 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && exit 0
		sleep 0.1
	done
	echo "git-server.sh: git daemon did not listen on $port" >&2
	exit 1
	;;
start-https)
	port=${3:?PORT}; user=${4:?USER}; pass=${5:?PASSWORD}
	H=$DIR/https
	mkdir -p "$H/tmp"
	cd "$H"
	key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$1" 2>/dev/null; }
	key ca.key
	openssl req -x509 -new -key ca.key -out ca.pem -days 2 \
	    -subj "/O=Hangar Test/CN=Hangar Test Git CA" 2>/dev/null
	key server.key
	openssl req -new -key server.key -subj "/CN=127.0.0.1" -out server.csr \
	    2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' >san.cnf
	openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -days 2 -extfile san.cnf -out server.pem 2>/dev/null
	# The password reaches the file hashed, never on a command line.
	printf '%s:%s\n' "$user" "$(printf '%s' "$pass" |
	    openssl passwd -apr1 -stdin)" >htpasswd
	# The daemons get no descriptor of ours but 0-2: one our caller (a
	# test runner) waits on, or a lock it holds, would outlive it.
	closefds() {
		local fd
		for fd in $(ls "/proc/$BASHPID/fd"); do
			[ "$fd" -gt 2 ] && eval "exec $fd>&-"
		done
		return 0
	}
	# fcgiwrap leads a process group of its own (its workers outlive a
	# signal to it alone): stop kills the group.
	rm -f "$H/fcgiwrap.sock"
	( closefds; exec setsid fcgiwrap -c 4 -s "unix:$H/fcgiwrap.sock" \
	    </dev/null >"$H/fcgiwrap.log" 2>&1 ) &
	echo $! >"$H/fcgiwrap.pid"
	cat >nginx.conf <<CONF
daemon on;
worker_processes 1;
pid $H/nginx.pid;
error_log $H/error.log warn;
user root;
events { worker_connections 256; }
http {
	access_log $H/access.log;
	client_body_temp_path $H/tmp/body;
	fastcgi_temp_path $H/tmp/fastcgi;
	proxy_temp_path $H/tmp/proxy;
	uwsgi_temp_path $H/tmp/uwsgi;
	scgi_temp_path $H/tmp/scgi;
	server {
		listen 127.0.0.1:$port ssl;
		ssl_certificate $H/server.pem;
		ssl_certificate_key $H/server.key;
		client_max_body_size 0;
		location / {
			auth_basic "git";
			auth_basic_user_file $H/htpasswd;
			include /etc/nginx/fastcgi_params;
			fastcgi_param SCRIPT_FILENAME /usr/lib/git-core/git-http-backend;
			fastcgi_param GIT_PROJECT_ROOT $DIR/repos;
			fastcgi_param GIT_HTTP_EXPORT_ALL "";
			fastcgi_param PATH_INFO \$uri;
			fastcgi_param REMOTE_USER \$remote_user;
			fastcgi_pass unix:$H/fcgiwrap.sock;
		}
	}
}
CONF
	( closefds; exec nginx -p "$H" -c "$H/nginx.conf" -e "$H/error.log" \
	    </dev/null ) || { echo "git-server.sh: nginx did not start" >&2; exit 1; }
	for n in $(seq 1 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null &&
		    [ -S "$H/fcgiwrap.sock" ] && exit 0
		sleep 0.1
	done
	echo "git-server.sh: the HTTPS server did not listen on $port" >&2
	exit 1
	;;
stop)
	for p in "$PID" "$DIR/https/nginx.pid"; do
		[ -s "$p" ] || continue
		kill -TERM "$(cat "$p")" 2>/dev/null || true
		rm -f "$p"
	done
	p=$DIR/https/fcgiwrap.pid
	if [ -s "$p" ]; then
		kill -TERM -- "-$(cat "$p")" 2>/dev/null || true
		rm -f "$p"
	fi
	;;
*)	echo "git-server.sh: unknown command $cmd" >&2; exit 1 ;;
esac
