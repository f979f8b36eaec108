#!/usr/bin/env bash
# t/ftp-server.sh -- throwaway FTP servers on loopback for the deploy tests.
#
#   t/ftp-server.sh start DIR PORT USER PASSWORD
#       python3-pyftpdlib: one read-only user, USER/PASSWORD, whose root is
#       DIR/files, on 127.0.0.1:PORT (plain FTP).
#   t/ftp-server.sh start-tls DIR PORT implicit|explicit CADIR
#       vsftpd with TLS: anonymous and read-only, root DIR/files, on
#       127.0.0.1:PORT, one passive data port, PORT+1; its
#       certificate (for 127.0.0.1) is signed by CADIR/ca.pem with
#       CADIR/ca.key (e.g. t/git-server.sh's), or self-signed when CADIR
#       is "-".  implicit: TLS from the first byte (curl's ftps://);
#       explicit: AUTH TLS, and a login or a transfer without TLS is
#       refused (curl's ftp:// with --ssl-reqd).  Needs root (vsftpd
#       drops to the users daemon and nobody).
#   t/ftp-server.sh stop DIR          stop it, by its pid file
#
# vsftpd comes from Debian's package, unpacked under t/tmp/vsftpd and
# never installed: installing it would start a system FTP server on port
# 21.  pyftpdlib offers only explicit TLS, and its TLS data channel closed
# at once against Debian's curl, hence vsftpd.
set -euo pipefail

cmd=${1:?usage: ftp-server.sh start DIR PORT USER PASSWORD | start-tls DIR PORT implicit|explicit CADIR | stop DIR}
DIR=${2:?DIR}
mkdir -p "$DIR/files"
DIR=$(cd "$DIR" && pwd)
PID=$DIR/ftp.pid

# Wait until PORT takes connections (up to 20 s: python3 on a loaded
# machine); else show NAME's log and fail.
listening() {
	for n in $(seq 1 200); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && exit 0
		sleep 0.1
	done
	echo "ftp-server.sh: $2 did not listen on $1" >&2
	cat "$DIR/ftp.log" "$DIR/vsftpd.out" 2>/dev/null >&2
	exit 1
}

# Fail when something already takes connections on port $1: the wait
# below would take it for our server.
free_port() {
	if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
		echo "ftp-server.sh: port $1 is taken by another program:" >&2
		ss -ltnp "sport = :$1" >&2 2>/dev/null || true
		exit 1
	fi
}

# vsftpd's binary, unpacked from Debian's package once (under a lock:
# tests run at once).
vsftpd_bin() {
	local top
	top=$(cd "$(dirname "$0")" && pwd)/tmp/vsftpd
	mkdir -p "$top"
	(
		flock 9
		[ -x "$top/root/usr/sbin/vsftpd" ] && exit 0
		cd "$top"
		rm -f ./*.deb
		apt-get download vsftpd >/dev/null 2>&1 ||
		    { apt-get update -qq && apt-get download vsftpd >/dev/null 2>&1; } ||
		    { echo "ftp-server.sh: apt-get download vsftpd failed" >&2; exit 1; }
		rm -rf root && dpkg-deb -x ./vsftpd_*.deb root
	) 9>"$top.lock" || exit 1
	echo "$top/root/usr/sbin/vsftpd"
}

case $cmd in
start)
	port=${3:?PORT}; user=${4:?USER}; pass=${5:?PASSWORD}
	free_port "$port"
	# The password reaches the server by its environment, not its argv.
	cat >"$DIR/ftpd.py" <<'PY'
import os
from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

auth = DummyAuthorizer()
auth.add_user(os.environ["FTP_USER"], os.environ["FTP_PASS"],
              os.environ["FTP_ROOT"], perm="elr")
FTPHandler.authorizer = auth
FTPServer(("127.0.0.1", int(os.environ["FTP_PORT"])),
          FTPHandler).serve_forever()
PY
	FTP_USER=$user FTP_PASS=$pass FTP_ROOT=$DIR/files FTP_PORT=$port \
	    setsid /usr/bin/python3 "$DIR/ftpd.py" >"$DIR/ftp.log" 2>&1 </dev/null &
	echo $! >"$PID"
	listening "$port" pyftpdlib
	;;
start-tls)
	port=${3:?PORT}; mode=${4:?implicit|explicit}; ca=${5:?CADIR or -}
	free_port "$port"
	case $mode in implicit) imp=YES ;; explicit) imp=NO ;;
	*) echo "ftp-server.sh: mode is implicit or explicit" >&2; exit 1 ;; esac
	bin=$(vsftpd_bin)
	T=$DIR/tls
	mkdir -p "$T/empty"
	# vsftpd refuses an anonymous root its user could write to
	chmod 755 "$DIR/files" "$T/empty"
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out "$T/server.key" 2>/dev/null
	printf 'subjectAltName=IP:127.0.0.1\n' >"$T/san.cnf"
	if [ "$ca" = - ]; then
		openssl req -x509 -new -key "$T/server.key" -subj /CN=127.0.0.1 \
		    -days 2 -addext subjectAltName=IP:127.0.0.1 \
		    -out "$T/server.pem" 2>/dev/null
	else
		openssl req -new -key "$T/server.key" -subj /CN=127.0.0.1 \
		    -out "$T/server.csr" 2>/dev/null
		openssl x509 -req -in "$T/server.csr" -CA "$ca/ca.pem" \
		    -CAkey "$ca/ca.key" -CAserial "$T/ca.srl" -CAcreateserial \
		    -days 2 -extfile "$T/san.cnf" -out "$T/server.pem" 2>/dev/null
	fi
	cat >"$T/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
listen_port=$port
background=NO
anonymous_enable=YES
local_enable=NO
write_enable=NO
anon_root=$DIR/files
# vsftpd changes to its user's home before the anonymous root: nobody's
# (/nonexistent) would fail the login, daemon's is /usr/sbin.
ftp_username=daemon
nopriv_user=nobody
secure_chroot_dir=$T/empty
ssl_enable=YES
implicit_ssl=$imp
allow_anon_ssl=YES
force_anon_logins_ssl=YES
force_anon_data_ssl=YES
require_ssl_reuse=NO
ssl_ciphers=HIGH
rsa_cert_file=$T/server.pem
rsa_private_key_file=$T/server.key
pasv_enable=YES
pasv_address=127.0.0.1
pasv_min_port=$((port + 1))
pasv_max_port=$((port + 1))
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
xferlog_enable=YES
vsftpd_log_file=$DIR/ftp.log
EOF
	setsid "$bin" "$T/vsftpd.conf" >"$DIR/vsftpd.out" 2>&1 </dev/null &
	echo $! >"$PID"
	listening "$port" vsftpd
	;;

stop)
	[ -s "$PID" ] || exit 0
	kill -TERM "$(cat "$PID")" 2>/dev/null || true
	rm -f "$PID"
	;;
*)	echo "ftp-server.sh: unknown command $cmd" >&2; exit 1 ;;
esac
