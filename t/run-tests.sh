#!/usr/bin/env bash
# t/run-tests.sh BUILDDIR [NAME...] -- run the test suite: unit tests, then
# the API tests against a throwaway stack of their own (folder t/tmp/, ports
# PORT to PORT+7), then check that no sanitizer fired.  PORT is
# HANGAR_TEST_PORT when given, else the first of 8 consecutive ports from
# 18080 up that are free on 127.0.0.1 and that no other run has claimed.
# NAME limits the run to those tests (e.g. unit_valid api_users).  The name
# "ui" is the browser tests of the UI (src/ui/tests/, Playwright driving
# Debian's chromium) against the same stack, after the API tests.
set -uo pipefail

SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:?usage: run-tests.sh BUILDDIR [NAME...]}
shift
# A name that is no test is an error, not a run of nothing that passes.
for n in "$@"; do
	[ "$n" = ui ] || [ -x "$BUILD/t/$n" ] || {
		echo "run-tests.sh: no test named $n in $BUILD/t" >&2; exit 2; }
done

# Can every port from $1 to $1+7 be bound on 127.0.0.1 (as the servers
# bind them, with SO_REUSEADDR)?  Prints the first busy one when not.
block_free() {
	python3 - "$1" <<'PY'
import socket, sys
first = int(sys.argv[1])
held = []
try:
    for port in range(first, first + 8):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        held.append(s)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", port))
        s.listen(1)
except OSError:
    print(port)
    sys.exit(1)
finally:
    for s in held:
        s.close()
PY
}

# PORT = the first free block from 18080 up.  A block is claimed with a
# lock held by this shell until it exits (fd 9; not in a subshell), so that
# two runs started together do not both take it before either binds.  The
# locks live in one folder for the whole machine, not in this checkout:
# runs from two clones must see each other's claims too.
LOCKDIR=${TMPDIR:-/tmp}/hangar-test-ports
find_ports() {
	local p=18080 busy
	mkdir -p "$LOCKDIR"
	while [ $((p + 7)) -le 65535 ]; do
		if busy=$(block_free "$p"); then
			exec 9>"$LOCKDIR/port-$p.lock"
			flock -n 9 && { PORT=$p; return 0; }
			exec 9>&-
			p=$((p + 8))
		else
			p=$((busy + 1))
		fi
	done
	return 1
}

if [ -n "${HANGAR_TEST_PORT:-}" ]; then
	PORT=$HANGAR_TEST_PORT
else
	find_ports || { echo "run-tests.sh: no 8 free ports" >&2; exit 1; }
	printf 'run-tests.sh: ports %d to %d\n' "$PORT" $((PORT + 7))
fi
SMTP_PORT=$((PORT + 1))
DIR=$SRC/t/tmp/stack-$PORT
export HANGAR_URL=http://127.0.0.1:$PORT HANGAR_DIR=$DIR
export HANGAR_SMTP_DIR=$DIR/mail HANGAR_STACK=$SRC/t/stack.sh
export HANGAR_BIN=$BUILD HANGAR_TEST_PORT=$PORT
export HANGAR_ADMIN_PASSWORD=admin-$RANDOM-$RANDOM-$$
export HANGAR_SMTP_URL=smtp://127.0.0.1:$SMTP_PORT
# Sanitizer reports from the servers go to files we check at the end.
export ASAN_OPTIONS=log_path=$DIR/log/asan:detect_leaks=0:abort_on_error=0
export UBSAN_OPTIONS=log_path=$DIR/log/ubsan:print_stacktrace=1

want() {	# is test $1 selected?
	[ ${#NAMES[@]} -eq 0 ] && return 0
	local n
	for n in "${NAMES[@]}"; do [ "$n" = "$1" ] && return 0; done
	return 1
}
NAMES=("$@")

passed=0 failed=0 failures=()
# The last lines of each failed binary's output, printed again at the end:
# a CI log may keep only its tail, and a test that could not start its
# servers says why only there.
why=""
failed_tail() {	# failed_tail NAME OUTPUT
	why+=$(printf '\n== why %s failed (its last lines):\n%s' "$1" \
	    "$(printf '%s\n' "$2" | grep -v '^[0-9]*%: Checks:' | tail -n 15)")
}
run_one() {	# run_one BINARY -- run a check binary and add up its counts
	local bin=$1 name out line checks fails errs
	name=$(basename "$bin")
	printf '== %s\n' "$name"
	# Unit tests run with LeakSanitizer on, reporting on their own stderr;
	# the servers' reports go to files (ASAN_OPTIONS above).
	case $name in
	unit_*) out=$(ASAN_OPTIONS=detect_leaks=1 CK_DEFAULT_TIMEOUT=120 "$bin" 2>&1) ;;
	*) out=$(CK_DEFAULT_TIMEOUT=120 "$bin" 2>&1) ;;
	esac
	local rc=$?
	printf '%s\n' "$out"
	line=$(printf '%s\n' "$out" | grep -E 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' | tail -n1)
	if [ -n "$line" ]; then
		checks=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$line")
		fails=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
		errs=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$line")
		passed=$((passed + checks - fails - errs))
		failed=$((failed + fails + errs))
		[ $((fails + errs)) -eq 0 ] || failures+=("$name")
	fi
	if [ -z "$line" ] || { [ $rc -ne 0 ] && [ $((fails + errs)) -eq 0 ]; }; then
		failed=$((failed + 1))
		failures+=("$name (exit $rc)")
	fi
	[ $rc -eq 0 ] || failed_tail "$name" "$out"
}

for bin in "$BUILD"/t/unit_*; do
	[ -x "$bin" ] && want "$(basename "$bin")" && run_one "$bin"
done

api_bins=()
for bin in "$BUILD"/t/api_*; do
	[ -x "$bin" ] && want "$(basename "$bin")" && api_bins+=("$bin")
done

# The browser tests: the UI built (make ui, when its sources changed), then
# Playwright against the stack; the figures and screenshots it makes go to
# t/tmp/ui-artifacts/.  HANGAR_UI_GREP limits them to the tests whose
# titles match (Playwright's --grep).  Counted like a check binary: its "N passed" and
# "N failed" lines.
run_ui() {
	local out rc p f
	printf '== ui\n'
	if ! make -C "$SRC" --no-print-directory ui; then
		failed=$((failed + 1)); failures+=("ui (the build failed)")
		return
	fi
	out=$DIR/log/ui-tests.log
	(cd "$SRC/src/ui" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
	    HANGAR_UI_ARTIFACTS=$SRC/t/tmp/ui-artifacts \
	    npx --no-install playwright test \
	    ${HANGAR_UI_GREP:+--grep "$HANGAR_UI_GREP"}) 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	# the summary's counts, colours taken out
	p=$(sed -E 's/\x1b\[[0-9;]*m//g' "$out" |
	    awk '$2 == "passed" && $1 ~ /^[0-9]+$/ { n = $1 } END { print n + 0 }')
	f=$(sed -E 's/\x1b\[[0-9;]*m//g' "$out" |
	    awk '($2 == "failed" || $2 == "flaky" || $2 == "interrupted") &&
	         $1 ~ /^[0-9]+$/ { n += $1 } END { print n + 0 }')
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	[ "${f:-0}" -eq 0 ] || failures+=("ui")
	if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		failed=$((failed + 1)); failures+=("ui (exit $rc)")
	fi
}
ui_tests=0
want ui && ui_tests=1

if [ ${#api_bins[@]} -gt 0 ] || [ $ui_tests -eq 1 ]; then
	"$SRC/t/stack.sh" stop "$DIR" >/dev/null 2>&1
	rm -rf "$DIR"
	mkdir -p "$DIR/log" "$HANGAR_SMTP_DIR"
	"$BUILD/t/smtp-sink" "$SMTP_PORT" "$HANGAR_SMTP_DIR" \
	    >"$DIR/log/smtp-sink.log" 2>&1 &
	sink=$!
	# The Jinja2 checker is the real one behind a wrapper that can be
	# made to hang (t/jinja-check-hang.sh), with a short bound.
	# A strict Zabbix 6.0 JSON-RPC stand-in (t/zabbix-standin.py) for the
	# host init and Zabbix tests; hangard and agents are pointed at it.
	# A real Zabbix 6.0 (t/zabbix-real.sh, user Admin/zabbix) is used
	# instead when HANGAR_ZABBIX_URL names one.
	zbx=
	if [ -z "${HANGAR_ZABBIX_URL:-}" ]; then
		export HANGAR_ZABBIX_URL=http://127.0.0.1:$((PORT + 7))/api_jsonrpc.php
		python3 "$SRC/t/zabbix-standin.py" --port $((PORT + 7)) \
		    --log "$DIR/log/zabbix-calls.log" \
		    >"$DIR/log/zabbix-standin.log" 2>&1 &
		zbx=$!
	fi
	# A throwaway BIND 9 (t/bind-server.sh: zones example.test and
	# second.test take updates and AXFR signed with the key,
	# static.test refuses updates) for the DNS tests, on 127.0.0.1
	# port 12000 + PORT % 10000 (below the ephemeral ports), in
	# $DIR/bind; `stack.sh stop-bind DIR` and `start-bind DIR` take it
	# down and up again (outage tests).
	export HANGAR_BIND_DIR=$DIR/bind
	export HANGAR_BIND_ADDR=127.0.0.1:$((12000 + PORT % 10000))
	export HANGAR_BIND_KEY_NAME=hangar-key HANGAR_BIND_SECRET=
	if "$SRC/t/bind-server.sh" start "$HANGAR_BIND_DIR" \
	    $((12000 + PORT % 10000)) >"$DIR/log/bind-start.log" 2>&1; then
		HANGAR_BIND_SECRET=$("$SRC/t/bind-server.sh" secret \
		    "$HANGAR_BIND_DIR")
	else
		echo "run-tests.sh: the test BIND did not start" \
		    "(see $DIR/log/bind-start.log); DNS tests that need it fail" >&2
	fi
	export HANGAR_EXTRA_CONF="${HANGAR_EXTRA_CONF:+$HANGAR_EXTRA_CONF
}zabbix_url = $HANGAR_ZABBIX_URL
zabbix_user = Admin
zabbix_password = zabbix
jinja_check = $SRC/t/jinja-check-hang.sh
jinja_check_timeout = 3000"
	# A throwaway PowerDNS (t/pdns.sh) for the DNS tests: API on PORT+4,
	# DNS on PORT+5.
	export HANGAR_PDNS_URL=http://127.0.0.1:$((PORT + 4))
	export HANGAR_PDNS_KEY=pdns-$RANDOM-$RANDOM
	export HANGAR_PDNS_DNS_PORT=$((PORT + 5))
	export HANGAR_PDNS_DIR=$DIR/pdns
	export HANGAR_EXTRA_CONF="$HANGAR_EXTRA_CONF
dns_timeout = 1500"
	cleanup() {
		"$SRC/t/pdns.sh" stop "$HANGAR_PDNS_DIR" >/dev/null 2>&1
		kill "$sink" 2>/dev/null; wait "$sink" 2>/dev/null
		[ -z "$zbx" ] || { kill "$zbx" 2>/dev/null; wait "$zbx" 2>/dev/null; }
		"$SRC/t/bind-server.sh" stop "$HANGAR_BIND_DIR" >/dev/null 2>&1
		"$SRC/t/stack.sh" stop "$DIR" >/dev/null 2>&1
	}
	trap cleanup EXIT
	if ! "$SRC/t/stack.sh" start "$DIR" "$PORT" "$BUILD"; then
		echo "run-tests.sh: the test stack did not start" >&2
		tail -n 30 "$DIR"/log/*.log >&2
		exit 1
	fi
	if ! "$SRC/t/pdns.sh" start "$HANGAR_PDNS_DIR" $((PORT + 4)) \
	    $((PORT + 5)) "$HANGAR_PDNS_KEY"; then
		echo "run-tests.sh: PowerDNS did not start" >&2
		exit 1
	fi
	for bin in "${api_bins[@]}"; do
		run_one "$bin"
	done
	[ $ui_tests -eq 0 ] || run_ui
	cleanup
	trap - EXIT
	if ls "$DIR"/log/asan.* "$DIR"/log/ubsan.* >/dev/null 2>&1; then
		echo "== sanitizer reports from the servers:"
		cat "$DIR"/log/asan.* "$DIR"/log/ubsan.* 2>/dev/null | head -n 100
		failed=$((failed + 1))
		failures+=("sanitizer reports in $DIR/log")
	fi
fi

[ -z "$why" ] || printf '%s\n\n' "$why"
if [ ${#failures[@]} -gt 0 ]; then
	printf 'failed: %s\n' "${failures[@]}"
fi
printf '%d passed, %d failed\n' "$passed" "$failed"
[ "$failed" -eq 0 ]
