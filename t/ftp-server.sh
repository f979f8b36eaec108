#!/usr/bin/env bash
# t/ftp-server.sh -- a throwaway FTP server on loopback for the deploy tests
# (python3-pyftpdlib): one read-only user, USER/PASSWORD, whose root is
# DIR/files, on 127.0.0.1:PORT.
#
#   t/ftp-server.sh start DIR PORT USER PASSWORD
#   t/ftp-server.sh stop DIR          stop it, by its pid file
set -euo pipefail

cmd=${1:?usage: ftp-server.sh start DIR PORT USER PASSWORD | stop DIR}
DIR=${2:?DIR}
mkdir -p "$DIR/files"
DIR=$(cd "$DIR" && pwd)
PID=$DIR/ftp.pid

case $cmd in
start)
	port=${3:?PORT}; user=${4:?USER}; pass=${5:?PASSWORD}
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
	for n in $(seq 1 50); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && exit 0
		sleep 0.1
	done
	echo "ftp-server.sh: pyftpdlib did not listen on $port" >&2
	cat "$DIR/ftp.log" >&2
	exit 1
	;;
stop)
	[ -s "$PID" ] || exit 0
	kill -TERM "$(cat "$PID")" 2>/dev/null || true
	rm -f "$PID"
	;;
*)	echo "ftp-server.sh: unknown command $cmd" >&2; exit 1 ;;
esac
