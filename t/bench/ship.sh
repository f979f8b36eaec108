#!/usr/bin/env bash
# t/bench/ship.sh BUILDDIR -- the release shipping benchmark (issue 12).
#
# N sshd test hosts (t/sshd-hosts.sh in private mode, 127.0.0.11.., N from
# HOSTS, default 20) and one package of SIZE_MB (default 100) MB of random
# bytes served by the test FTP server (t/ftp-server.sh).  In one run:
#   hangar   a sub-upgrade task of an application with an instance on every
#            host: fetch, pack, then on each host upload (SFTP), sha256
#            check, unpack, switch, restart (no-op commands), prune; the
#            time from the package being ready to the task's end is the
#            ship time, and each phase's median across hosts is printed
#   pscp     parallel-scp -p N (Debian's pssh) of the same package (the
#            .tar.gz the agent made) to every host: copy only
# Target (issue 12): hangar's ship time at or under parallel-scp's.  It
# prints figures; it is not a pass/fail test (non-zero only when it could
# not measure).  Everything runs in t/tmp/ship on 127.0.0.1:PORT (default
# 18640) and is stopped by pid at exit.  pssh is installed when missing.
set -euo pipefail

SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?usage: ship.sh BUILDDIR}" && pwd)
PORT=${HANGAR_BENCH_PORT:-18640}
N=${HOSTS:-20}
SIZE_MB=${SIZE_MB:-100}
DIR=$SRC/t/tmp/ship
SSHD=$DIR/sshd
FTP=$DIR/ftp
FIRST=11 LAST=$((11 + N - 1))
SSHPORT=$((20000 + PORT % 10000))
FTPPORT=$((50000 + PORT % 10000))
PRIV=/tmp/hangar-ship-$SSHPORT

NAME=ship
. "$SRC/t/bench/lib.bash"

dpkg-query -W -f='${Status}' pssh 2>/dev/null | grep -q "install ok installed" ||
    { say "installing: pssh"; DEBIAN_FRONTEND=noninteractive apt-get install \
    -y -qq --no-install-recommends pssh >/dev/null || die "apt-get failed"; }
[ -x "$BUILD/hangar-agent" ] || die "$BUILD/hangar-agent is not built"

cleanup() {
	set +e
	"$SRC/t/stack.sh" stop "$DIR" >/dev/null 2>&1
	"$SRC/t/sshd-hosts.sh" stop "$SSHD" >/dev/null 2>&1
	"$SRC/t/ftp-server.sh" stop "$FTP" >/dev/null 2>&1
	rm -rf "$PRIV"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "load before: $(uptime)"
export HANGAR_EXTRA_CONF="parallel = 64"
fresh_stack
export HANGAR_SSHD_PORT=$SSHPORT HANGAR_SSHD_PRIVATE=$PRIV
"$SRC/t/sshd-hosts.sh" start "$SSHD" "$FIRST" "$LAST" >/dev/null ||
    die "the sshd hosts did not start"
mkdir -p "$FTP/files"
head -c $((SIZE_MB * 1024 * 1024)) /dev/urandom >"$FTP/files/package.bin"
"$SRC/t/ftp-server.sh" start "$FTP" "$FTPPORT" bench bench-pw >/dev/null ||
    die "the FTP server did not start"
now() { date +%s.%N; }
sql() { mysql_cli -e "$1"; }

# The key and FTP password credentials, sealed with the stack's key.
TOKEN=$(api_token admin "$HANGAR_ADMIN_PASSWORD")
post() {
	curl -s -H "Authorization: Token $TOKEN" -H 'Content-Type: application/json' \
	    -d "$2" "http://127.0.0.1:$PORT$1"
}
key=$(sed ':a;N;$!ba;s/\n/\\n/g' "$SSHD/client_key")
kcred=$(post /application/repository-credentials/ssh-key/ \
    "{\"name\": \"ship-key\", \"private_key\": \"$key\"}" |
    sed -nE 's/.*"id": *([0-9]+).*/\1/p')
pcred=$(post /application/repository-credentials/password/ \
    "{\"name\": \"ship-ftp\", \"username\": \"bench\", \"password\": \"bench-pw\"}" |
    sed -nE 's/.*"id": *([0-9]+).*/\1/p')
[ -n "$kcred" ] && [ -n "$pcred" ] || die "could not create the credentials"

app=$(post /applications/ '{"name": "shipapp"}' | sed -nE 's/.*"id": *([0-9]+).*/\1/p')
[ -n "$app" ] || die "could not create the application"
sql "UPDATE applications SET startup_cmd = 'true', stop_cmd = 'true' WHERE id = $app;
    INSERT INTO deploy_configs (app_id, repo_type, repo_url, credential_id,
        deploy_path, timeout, keep_backups)
    VALUES ($app, 'FTP', 'ftp://127.0.0.1:$FTPPORT/', $pcred, '$PRIV/app', 600, 2)"
for i in $(seq "$FIRST" "$LAST"); do
	printf "INSERT INTO hosts (name, host_type, status, ssh_port, ssh_user, credential_id) VALUES ('ship-%s', 'PHY_HOST', 'attached', %s, 'root', %s);\n" "$i" "$SSHPORT" "$kcred"
	printf "INSERT INTO host_addresses (host_id, address) VALUES (LAST_INSERT_ID(), '127.0.0.%s');\n" "$i"
	printf "INSERT INTO app_instances (app_id, host_id) VALUES (%s, LAST_INSERT_ID());\n" "$app"
done | mysql_cli
insts=$(sql "SELECT GROUP_CONCAT(CONCAT('{\"id\": ', id, '}')) FROM app_instances WHERE app_id = $app")
dtask=$(sql "INSERT INTO deploy_tasks (app_id, version, description, level,
    package_source, planned_exec_time, status) VALUES ($app, 'b2', 'bench',
    'A', 'package.bin', 1, 'running'); SELECT LAST_INSERT_ID()")

# One sub-upgrade; prints the task id once it ended (finished required).
upgrade() {
	local body id st
	body="{\"instances\": [$insts], \"version\": \"$1\", \"update_source\": \"package.bin\", \"timeout\": 600}"
	id=$(post "/application/deploy-tasks/$dtask/sub-upgrade-tasks/" "$body" |
	    sed -nE 's/.*"task_id": *"([0-9]+)".*/\1/p')
	[ -n "$id" ] || die "the sub-upgrade was refused"
	while st=$(sql "SELECT status FROM tasks WHERE id = $id"); [ "$st" = running ]; do
		sleep 0.05
	done
	[ "$st" = finished ] || die "task $id $st: $(sql "SELECT message FROM task_hosts WHERE task_id = $id AND status = 'failed' LIMIT 1")"
	printf '%s\n' "$id"
}

say "warm-up (host keys pinned): a first release to $N hosts"
upgrade b1 >/dev/null
say "hangar: shipping ${SIZE_MB} MB to $N hosts"
t0=$(now)
task=$(upgrade b2)
t1=$(now)
# Phase times from the output lines' stamps (ms), median across hosts.
phase() {	# phase FROM-MARK TO-MARK
	sql "SELECT a.host_id, TIMESTAMPDIFF(MICROSECOND, a.time, b.time) / 1e6
	    FROM task_output a JOIN task_output b ON b.task_id = a.task_id AND
	    b.host_id = a.host_id AND b.text = '$2' WHERE a.task_id = $task AND
	    a.text = '$1'" | awk '{print $2}' | sort -n |
	    awk '{v[NR]=$1} END {printf "%.3f", NR ? v[int((NR+1)/2)] : -1}'
}
ship=$(sql "SELECT TIMESTAMPDIFF(MICROSECOND, (SELECT time FROM task_output
    WHERE task_id = $task AND host_id = 0 AND text LIKE 'package of version%'),
    (SELECT MAX(time) FROM task_output WHERE task_id = $task AND text = '[prune]'))
    / 1e6")
prep=$(sql "SELECT TIMESTAMPDIFF(MICROSECOND, MIN(time), (SELECT time FROM
    task_output WHERE task_id = $task AND host_id = 0 AND text LIKE
    'package of version%')) / 1e6 FROM task_output WHERE task_id = $task
    AND host_id = 0")
total=$(echo "$t1 - $t0" | bc -l)
printf 'hangar   end to end %.3f s: fetch+pack %.3f s, ship (upload, verify, unpack, switch, restart) %.3f s\n' \
    "$total" "$prep" "$ship"
printf '         per host, median: upload %s s, verify %s s, unpack %s s, switch+restart %s s\n' \
    "$(phase '[upload]' '[verify]')" "$(phase '[verify]' '[unpack]')" \
    "$(phase '[unpack]' '[switch]')" "$(phase '[switch]' '[prune]')"

# parallel-scp of the very package the agent shipped.
pkg=$FTP/files/bench.tar.gz
tar -czf "$pkg" -C "$FTP/files" package.bin
for i in $(seq "$FIRST" "$LAST"); do echo "127.0.0.$i:$SSHPORT"; done >"$DIR/pssh-hosts"
SSHOPTS="-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -i $SSHD/client_key"
say "parallel-scp: the same ${SIZE_MB} MB package to $N hosts"
t0=$(now)
parallel-scp -p "$N" -t 600 -h "$DIR/pssh-hosts" -l root -x "$SSHOPTS" \
    "$pkg" "$PRIV/pscp.tar.gz" >"$DIR/pscp.out" ||
    die "parallel-scp failed: $(tail -3 "$DIR/pscp.out")"
t1=$(now)
pscp=$(echo "$t1 - $t0" | bc -l)
printf 'pscp     copy only %.3f s\n' "$pscp"
printf 'ratio    hangar ship / parallel-scp = %.2f (target <= 1.00: %s)\n' \
    "$(echo "$ship / $pscp" | bc -l)" \
    "$(echo "$ship <= $pscp" | bc -l | sed 's/1/met/;s/0/not met/')"
say "load after: $(uptime)"
