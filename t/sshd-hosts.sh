#!/usr/bin/env bash
# t/sshd-hosts.sh -- throwaway OpenSSH sshd "hosts" for the agent's tests and
# benchmark: host I listens on 127.0.0.I port 2222 (or $HANGAR_SSHD_PORT, so
# that test stacks on different ports can run at once; addresses are distinct
# on loopback with no setup), with its own config, host key, pid file and a
# clean HOME.  Nothing here touches the machine itself: the "power
# commands" tests give the agent are $HOME/power, a harmless script that
# appends one line per call to $HOME/record.
#
#   t/sshd-hosts.sh start DIR FIRST LAST   start hosts FIRST..LAST (e.g. 11 30)
#   t/sshd-hosts.sh stop DIR               stop every host started in DIR
#   t/sshd-hosts.sh stop-one DIR I         stop host I (its sshd goes away)
#   t/sshd-hosts.sh start-one DIR I        start host I again
#   t/sshd-hosts.sh rekey DIR I            give host I a new host key, restart
#
# DIR/client_key is the private key the agent logs in with (ed25519; the
# public half is DIR/authorized_keys).  Host I's files are DIR/hI/; its
# HOME is DIR/hI/home, where the power script records calls:
#   DIR/hI/home/record      one line per call: "ACTION EPOCH PID"
#   DIR/hI/home/hang        if present, the script sleeps 300 s (timeouts)
#   DIR/hI/home/hang.pids   the pids of the hung script and its sleep
#   DIR/hI/home/fail        if present, the script exits 3
#   DIR/hI/home/slow        if present, seconds to sleep between the
#                           script's two output lines
#
# With HANGAR_SSHD_PRIVATE=PATH (an absolute folder, made if missing), every
# session on host I runs in a mount namespace of its own where PATH is
# host I's DIR/hI/srv (a bind mount), so that one absolute deploy_path is a
# different folder on each host, as on real machines (t/api's deploy tests).
# The host's SFTP server then runs in that namespace too.  There,
#   DIR/hI/home/corrupt-uploads  if present, every command first appends a
#                                byte to each uploaded package under PATH
#                                (.hangar-*.tar*): a corrupted upload.
# Processes are stopped by pid file, never by name.
set -euo pipefail

cmd=${1:?usage: sshd-hosts.sh start|stop|stop-one|start-one|rekey DIR ...}
DIR=${2:?DIR}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
PORT=${HANGAR_SSHD_PORT:-2222}
SSHD=/usr/sbin/sshd

die() { printf 'sshd-hosts.sh: %s\n' "$*" >&2; exit 1; }

alive() {	# alive PIDFILE: an sshd that is running (not a zombie)
	local pid state
	[ -s "$1" ] || return 1
	pid=$(head -n1 "$1")
	[ -r "/proc/$pid/stat" ] || return 1
	state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
	[ "$state" != Z ] || return 1
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = sshd ]
}

common() {	# the client key and the power script, made once
	mkdir -p /run/sshd
	if [ ! -s "$DIR/client_key" ]; then
		ssh-keygen -q -t ed25519 -N '' -C hangar-test -f "$DIR/client_key"
		cp "$DIR/client_key.pub" "$DIR/authorized_keys"
	fi
	cat >"$DIR/power" <<'EOF'
#!/bin/sh
# A stand-in power command: records the call, never touches the machine.
echo "${1:-none} $(date +%s.%N) $$" >>"$HOME/record"
echo "power ${1:-none} starting on ${HANGAR_TEST_HOST:-?}"
[ -f "$HOME/slow" ] && sleep "$(cat "$HOME/slow")"
if [ -f "$HOME/hang" ]; then
	sleep 300 &
	echo "$$ $!" >"$HOME/hang.pids"
	wait
fi
if [ -f "$HOME/fail" ]; then
	echo "power ${1:-none}: simulated failure" >&2
	exit 3
fi
echo "power ${1:-none} on ${HANGAR_TEST_HOST:-?}"
EOF
	chmod 755 "$DIR/power"
}

private_wrapper() {	# host I's ForceCommand in private mode
	local h=$DIR/h$1 p=${HANGAR_SSHD_PRIVATE:-}
	[ -n "$p" ] || return 0
	case $p in /*) ;; *) die "HANGAR_SSHD_PRIVATE must be absolute" ;; esac
	mkdir -p "$p" "$h/srv"
	cat >"$h/private" <<EOF
#!/bin/sh
# Host h$1's sessions: $p is $h/srv here (t/sshd-hosts.sh).
exec unshare -m --propagation private sh -c '
mount --bind "\$1" "\$2" || exit 125
if [ -f "\$HOME/corrupt-uploads" ]; then
	for f in "\$2"/*/releases/.hangar-*.tar*; do
		[ -f "\$f" ] && printf x >>"\$f"
	done
fi
exec sh -c "\$SSH_ORIGINAL_COMMAND"' private "$h/srv" "$p"
EOF
	chmod 755 "$h/private"
}

start_one() {
	local i=$1 h=$DIR/h$1 n
	mkdir -p "$h/home"
	[ -s "$h/ssh_host_ed25519_key" ] ||
	    ssh-keygen -q -t ed25519 -N '' -C "h$i" -f "$h/ssh_host_ed25519_key"
	ln -sf "$DIR/power" "$h/home/power"
	private_wrapper "$i"
	cat >"$h/sshd_config" <<EOF
ListenAddress 127.0.0.$i:$PORT
HostKey $h/ssh_host_ed25519_key
PidFile $h/sshd.pid
AuthorizedKeysFile $DIR/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
PrintLastLog no
MaxStartups 500
MaxSessions 100
LogLevel ERROR
SetEnv HOME=$h/home HANGAR_TEST_HOST=h$i
EOF
	if [ -n "${HANGAR_SSHD_PRIVATE:-}" ]; then
		cat >>"$h/sshd_config" <<EOF
ForceCommand $h/private
Subsystem sftp /usr/lib/openssh/sftp-server
EOF
	else
		echo "Subsystem sftp internal-sftp" >>"$h/sshd_config"
	fi
	alive "$h/sshd.pid" && return 0
	: >"$h/sshd.log"
	"$SSHD" -f "$h/sshd_config" -E "$h/sshd.log" ||
	    die "sshd for 127.0.0.$i did not start; see $h/sshd.log"
	# sshd detaches before it binds: see that it is there and listening.
	for n in $(seq 1 50); do
		alive "$h/sshd.pid" && [ ! -s "$h/sshd.log" ] && return 0
		grep -q "Cannot bind" "$h/sshd.log" && break
		sleep 0.05
	done
	die "sshd for 127.0.0.$i did not start: $(tail -n 2 "$h/sshd.log" | tr '\n' ' ')"
}

stop_one() {
	local h=$DIR/h$1 pid n
	alive "$h/sshd.pid" || { rm -f "$h/sshd.pid"; return 0; }
	pid=$(head -n1 "$h/sshd.pid")
	kill -TERM "$pid" 2>/dev/null || true
	for n in $(seq 1 50); do
		alive "$h/sshd.pid" || break
		sleep 0.1
	done
	rm -f "$h/sshd.pid"
}

wait_up() {	# wait until every host in FIRST..LAST accepts TCP
	local i n
	for i in $(seq "$1" "$2"); do
		for n in $(seq 1 50); do
			(exec 3<>"/dev/tcp/127.0.0.$i/$PORT") 2>/dev/null && break
			sleep 0.1
		done
	done
}

case $cmd in
start)
	first=${3:?FIRST}; last=${4:?LAST}
	common
	for i in $(seq "$first" "$last"); do start_one "$i"; done
	wait_up "$first" "$last"
	;;
stop)
	for f in "$DIR"/h*/sshd.pid; do
		[ -e "$f" ] || continue
		i=$(basename "$(dirname "$f")"); stop_one "${i#h}"
	done
	;;
stop-one)	stop_one "${3:?I}" ;;
start-one)	common; start_one "${3:?I}"; wait_up "$3" "$3" ;;
rekey)
	i=${3:?I}
	stop_one "$i"
	rm -f "$DIR/h$i/ssh_host_ed25519_key" "$DIR/h$i/ssh_host_ed25519_key.pub"
	start_one "$i"
	wait_up "$i" "$i"
	;;
*)	die "unknown command $cmd" ;;
esac
