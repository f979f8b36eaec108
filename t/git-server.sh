#!/usr/bin/env bash
# t/git-server.sh -- a throwaway git server on loopback for the deploy tests:
# `git daemon` serving every bare repository under DIR/repos read-only over
# git://127.0.0.1:PORT/<name>.git.  (Git over SSH needs no server of its
# own: the tests use the sshd test hosts, t/sshd-hosts.sh, with their key.)
#
#   t/git-server.sh start DIR PORT    start it (DIR/git-daemon.pid)
#   t/git-server.sh stop DIR          stop it, by its pid file
#
# Repositories are made by the tests themselves (git init --bare, push).
set -euo pipefail

cmd=${1:?usage: git-server.sh start DIR PORT | stop DIR}
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
stop)
	[ -s "$PID" ] || exit 0
	kill -TERM "$(cat "$PID")" 2>/dev/null || true
	rm -f "$PID"
	;;
*)	echo "git-server.sh: unknown command $cmd" >&2; exit 1 ;;
esac
