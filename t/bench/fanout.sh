#!/usr/bin/env bash
# t/bench/fanout.sh BUILDDIR -- the job engine's fan-out benchmark.
#
# 50 OpenSSH sshd test hosts (t/sshd-hosts.sh, 127.0.0.11..60 port 2222)
# run `sleep 0.2` as the restart command.  In the same run it measures:
#   agent    POST /hosts/restart-tasks/ for the 50 hosts until the task is
#            finished (read from MariaDB every 20 ms), hangar-agent with
#            parallel = 64, host keys already pinned by a warm-up task
#   pssh     parallel-ssh -p 50 (Debian's pssh) running `sleep 0.2` on them
#   ansible  ansible all -f 50 -m shell -a 'sleep 0.2' (Debian's ansible)
# each RUNS times (default 5; ansible 3), printing every run and the median,
# then the agent's peak RSS during one 200-host task (the 200 hosts share
# the 50 sshd, four names per address).  Targets: agent no slower than
# pssh, at least 5 times faster than ansible, RSS under 64 MB.  It prints
# figures; it is not a pass/fail test (non-zero only when it could not
# measure).  Until POST /hosts/restart-tasks/ exists, tasks are written to
# MariaDB and pushed to Redis as hangard's post-commit hook does.
#
# Everything runs in t/tmp/fanout on 127.0.0.1:PORT (default 18610) and is
# stopped by pid at exit.  BENCH_PACKAGES are installed when missing.
set -euo pipefail

BENCH_PACKAGES="pssh ansible"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:?usage: fanout.sh BUILDDIR}" && pwd)
PORT=${HANGAR_BENCH_PORT:-18610}
RUNS=${RUNS:-5}
ARUNS=${ANSIBLE_RUNS:-3}
DIR=$SRC/t/tmp/fanout
SSHD=$DIR/sshd
FIRST=11 LAST=60 N=50

say() { printf '%s\n' "$*"; }
die() { printf 'fanout: %s\n' "$*" >&2; exit 1; }

missing=""
for p in $BENCH_PACKAGES; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
	    grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	say "installing:$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $missing >/dev/null || die "apt-get failed"
fi

cleanup() {
	"$SRC/t/stack.sh" stop "$DIR" >/dev/null 2>&1 || true
	"$SRC/t/sshd-hosts.sh" stop "$SSHD" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
rm -rf "$DIR"
mkdir -p "$DIR"

export HANGAR_ADMIN_PASSWORD=bench-$RANDOM-$RANDOM
export HANGAR_EXTRA_CONF="power_restart_cmd = sleep 0.2
parallel = 64"
"$SRC/t/stack.sh" start "$DIR" "$PORT" "$BUILD" >/dev/null
"$SRC/t/sshd-hosts.sh" start "$SSHD" "$FIRST" "$LAST" >/dev/null
URL=http://127.0.0.1:$PORT
sql() { mariadb --no-defaults -S "$DIR/mysql.sock" -uroot hangar -N -B -e "$1"; }
now() { date +%s.%N; }

# An admin session (cookie + CSRF token) for the API calls.
JAR=$DIR/cookies
csrf=$(curl -sf -c "$JAR" -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$HANGAR_ADMIN_PASSWORD\"}" \
    "$URL/auth/login/" | sed -E 's/.*"csrf_token": *"([^"]+)".*/\1/')
post() {	# post PATH JSON -> body
	curl -s -b "$JAR" -H 'Content-Type: application/json' \
	    -H "X-CSRF-Token: $csrf" -d "$2" "$URL$1"
}

# The SSH key credential, through the API (sealed by hangard).
key=$(sed ':a;N;$!ba;s/\n/\\n/g' "$SSHD/client_key")
cred=$(post /application/repository-credentials/ssh-key/ \
    "{\"name\":\"bench-key\",\"private_key\":\"$key\"}" |
    sed -nE 's/.*"id": *([0-9]+).*/\1/p')
if [ -z "$cred" ]; then
	# No credentials route in this build: seal it as lib/secret.c does.
	cat >"$DIR/seal.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
int
main(int argc, char **argv)
{
	unsigned char	 key[crypto_secretbox_KEYBYTES], in[65536], *box;
	char		*out;
	size_t		 n, blen, olen;
	FILE		*f;

	if (argc != 2 || sodium_init() < 0 || (f = fopen(argv[1], "rb")) == NULL ||
	    fread(key, 1, sizeof(key), f) != sizeof(key))
		return 1;
	fclose(f);
	n = fread(in, 1, sizeof(in), stdin);
	blen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	box = malloc(blen);
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, in, n, box, key);
	olen = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
	out = malloc(olen);
	sodium_bin2base64(out, olen, box, blen, sodium_base64_VARIANT_ORIGINAL);
	puts(out);
	return 0;
}
EOF
	cc -o "$DIR/seal" "$DIR/seal.c" -lsodium || die "cannot build the sealer"
	sealed=$("$DIR/seal" "$DIR/secret.key" <"$SSHD/client_key")
	cred=$(sql "INSERT INTO credentials (kind, name, secret) VALUES
	    ('ssh_key', 'bench-key', '$sealed'); SELECT LAST_INSERT_ID()")
fi
[ -n "$cred" ] || die "could not create the SSH key credential"

# Hosts: bench-I at 127.0.0.I for the 50; big-I-K (K=1..4) for the 200.
mkhosts() {	# mkhosts PREFIX COPIES
	local i k name
	for i in $(seq $FIRST $LAST); do
		for k in $(seq 1 "$2"); do
			name=$1-$i-$k
			printf "INSERT INTO hosts (name, host_type, ssh_port, ssh_user, credential_id) VALUES ('%s', 'PHY_HOST', 2222, 'root', %s);\n" "$name" "$cred"
			printf "INSERT INTO host_addresses (host_id, address) VALUES (LAST_INSERT_ID(), '127.0.0.%s');\n" "$i"
		done
	done | mariadb --no-defaults -S "$DIR/mysql.sock" -uroot hangar
}
mkhosts bench 1
mkhosts big 4
ids50=$(sql "SELECT GROUP_CONCAT(id ORDER BY id) FROM hosts WHERE name LIKE 'bench-%'")
ids200=$(sql "SELECT GROUP_CONCAT(id ORDER BY id) FROM hosts WHERE name LIKE 'big-%'")

api_route=1
probe=$(post /hosts/restart-tasks/ '[]')
case $probe in *"no such route"*) api_route=0 ;; esac

# Create a restart task for the comma list $1; print its id.
mktask() {
	local body id
	if [ $api_route = 1 ]; then
		body=$(printf '%s' "$1" | sed -E 's/([0-9]+)/{"host_id":\1}/g')
		post /hosts/restart-tasks/ "[$body]" |
		    sed -nE 's/.*"task_id": *"([0-9]+)".*/\1/p'
		return
	fi
	id=$(sql "INSERT INTO tasks (kind, creator, opts) VALUES ('restart', 'admin', '{}');
	    INSERT INTO task_hosts (task_id, host_id, hostname, message)
	        SELECT LAST_INSERT_ID(), id, name, '' FROM hosts WHERE FIND_IN_SET(id, '$1');
	    INSERT INTO outbox (task_id) SELECT MAX(id) FROM tasks;
	    SELECT MAX(id) FROM tasks;")
	redis-cli -s "$DIR/redis.sock" XADD hangar:jobs '*' task "$id" >/dev/null
	sql "UPDATE outbox SET delivered_time = UTC_TIMESTAMP() WHERE task_id = $id"
	printf '%s\n' "$id"
}

# Run one task over $1 and print the seconds until it is no longer running.
agent_run() {
	local t0 id st
	t0=$(now)
	id=$(mktask "$1")
	[ -n "$id" ] || die "could not create a task"
	while :; do
		st=$(sql "SELECT status FROM tasks WHERE id = $id")
		[ "$st" != running ] && break
		sleep 0.02
	done
	[ "$st" = finished ] || die "task $id $st: $(sql "SELECT message FROM task_hosts WHERE task_id = $id AND status = 'failed' LIMIT 1")"
	echo "$(now) - $t0" | bc -l
}

median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.3f", m}'; }

# pssh and ansible: the same hosts, key and command.
for i in $(seq $FIRST $LAST); do echo "127.0.0.$i:2222"; done >"$DIR/pssh-hosts"
{
	echo "[bench]"
	for i in $(seq $FIRST $LAST); do
		echo "h$i ansible_host=127.0.0.$i ansible_port=2222"
	done
	echo "[bench:vars]"
	echo "ansible_user=root"
	echo "ansible_ssh_private_key_file=$SSHD/client_key"
	echo "ansible_python_interpreter=/usr/bin/python3"
} >"$DIR/inventory"
SSHOPTS="-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -i $SSHD/client_key"
pssh_run() {
	local t0
	t0=$(now)
	parallel-ssh -p 50 -t 60 -h "$DIR/pssh-hosts" -l root -x "$SSHOPTS" \
	    'sleep 0.2' >"$DIR/pssh.out" || die "parallel-ssh failed: $(tail -3 "$DIR/pssh.out")"
	echo "$(now) - $t0" | bc -l
}
ansible_run() {
	local t0
	t0=$(now)
	ANSIBLE_HOST_KEY_CHECKING=False ANSIBLE_LOCAL_TEMP=$DIR/ansible-tmp \
	    ANSIBLE_SSH_CONTROL_PATH_DIR=$DIR/ansible-cp HOME=$DIR \
	    ansible all -i "$DIR/inventory" -f 50 -m shell -a 'sleep 0.2' \
	    >"$DIR/ansible.out" 2>&1 || die "ansible failed: $(tail -5 "$DIR/ansible.out")"
	echo "$(now) - $t0" | bc -l
}

say "warm-up: pinning 50 host keys"
agent_run "$ids50" >/dev/null
say "fan-out to $N sshd hosts, restart command 'sleep 0.2' (seconds)"
agent=() pssh=() ansible=()
for r in $(seq 1 "$RUNS"); do
	agent+=("$(agent_run "$ids50")")
	pssh+=("$(pssh_run)")
done
for r in $(seq 1 "$ARUNS"); do ansible+=("$(ansible_run)"); done
am=$(printf '%s\n' "${agent[@]}" | median)
pm=$(printf '%s\n' "${pssh[@]}" | median)
xm=$(printf '%s\n' "${ansible[@]}" | median)
printf '  hangar-agent      %s   median %s\n' "$(printf '%.3f ' "${agent[@]}")" "$am"
printf '  parallel-ssh -p50 %s   median %s\n' "$(printf '%.3f ' "${pssh[@]}")" "$pm"
printf '  ansible -f 50     %s   median %s\n' "$(printf '%.3f ' "${ansible[@]}")" "$xm"
printf '  agent/pssh = %.2f (target <= 1)   ansible/agent = %.1f (target >= 5)\n' \
    "$(echo "$am / $pm" | bc -l)" "$(echo "$xm / $am" | bc -l)"

# RSS of the agent during a 200-host task.
apid=$(cat "$DIR/hangar-agent.pid")
agent_run "$ids50" >/dev/null	# the 200 share these addresses' pins
peak=0
( while kill -0 "$apid" 2>/dev/null; do
	awk '/^VmRSS/ {print $2}' "/proc/$apid/status"
	sleep 0.05
  done >"$DIR/rss" ) &
sampler=$!
t=$(agent_run "$ids200")
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
peak=$(sort -n "$DIR/rss" | tail -1)
printf '200-host task: %.3f s; agent peak RSS %d KB = %.1f MB (target < 64 MB)\n' \
    "$t" "$peak" "$(echo "$peak / 1024" | bc -l)"
