# t/bench/lib.bash -- what the benchmarks share; sourced, not run.
#
# The sourcing script sets SRC, BUILD, DIR and PORT first, and NAME (the
# word its messages start with).

say() { printf '%s\n' "$*"; }
die() { printf '%s: %s\n' "$NAME" "$*" >&2; exit 1; }

# mysql_cli ARGS... -- the bench stack's database, tab-separated, no header.
mysql_cli() { mariadb --no-defaults -S "$DIR/mysql.sock" -uroot -N -B hangar "$@"; }

# wait_until SECONDS COMMAND... -- poll every 0.1 s.
wait_until() {
	local i n=$(($1 * 10))
	shift
	for i in $(seq 1 "$n"); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# fresh_stack -- a new stack in DIR on PORT with BUILD's programs, its
# admin password in HANGAR_ADMIN_PASSWORD (HANGAR_EXTRA_CONF is kept).
fresh_stack() {
	"$SRC/t/stack.sh" stop "$DIR" >/dev/null 2>&1 || true
	rm -rf "$DIR"
	mkdir -p "$DIR/log"
	export HANGAR_ADMIN_PASSWORD=bench-$RANDOM-$RANDOM-$$
	"$SRC/t/stack.sh" start "$DIR" "$PORT" "$BUILD" >/dev/null ||
	    die "the stack did not start; see $DIR/log/"
}

# api_token USER PASSWORD -- log in, create an API token through the API,
# print its value.
api_token() {
	local jar=$DIR/cookies-$1 login csrf value
	login=$(curl -sf -c "$jar" -H 'Content-Type: application/json' \
	    -d "{\"username\": \"$1\", \"password\": \"$2\"}" \
	    "http://127.0.0.1:$PORT/auth/login/") || die "$1 could not log in"
	csrf=$(printf '%s' "$login" | sed -n 's/.*"csrf_token": *"\([0-9a-f]*\)".*/\1/p')
	value=$(curl -sf -b "$jar" -H 'Content-Type: application/json' \
	    -H "X-CSRF-Token: $csrf" -d '{"name": "bench"}' \
	    "http://127.0.0.1:$PORT/auth-tokens/" |
	    sed -n 's/.*"value": *"\([0-9a-f]\{40\}\)".*/\1/p')
	[ -n "$value" ] || die "no API token for $1"
	printf '%s\n' "$value"
}

# wrk_pct PCT -- wrk --latency's output on stdin: its PCT (50, 75, 90 or
# 99) percentile in milliseconds.
wrk_pct() {
	awk -v p="$1%" '$1 == p { v = $2; u = v; sub(/[0-9.]+/, "", u);
	    sub(/[a-z]+$/, "", v);
	    f = (u == "us") ? 0.001 : (u == "s") ? 1000 : (u == "m") ? 60000 : 1;
	    printf "%.2f", v * f }'
}

# wrk_p99 -- wrk --latency's output on stdin: its p99 in milliseconds.
wrk_p99() { wrk_pct 99; }

# ---- ceilings: a list's upper bound in the same run ----------------------
# A ceiling is t/ceiling, a FastCGI responder (4 workers) answering a body
# of BODYBYTES bytes without any work, behind the stack's nginx on PORT+N:
# the most any FastCGI program could serve on this machine in that run.

ceilings=()

# need_ceilings -- the tools and programs a benchmark with ceilings runs.
need_ceilings() {
	local tool
	for tool in wrk curl mariadb nginx setsid awk; do
		command -v "$tool" >/dev/null || die "$tool is not installed (make deps)"
	done
	[ -x "$BUILD/hangard" ] || die "$BUILD/hangard is not built"
	[ -x "$BUILD/t/ceiling" ] || die "$BUILD/t/ceiling is not built"
}

# ceiling_ok N BODYBYTES -- ceiling N answers 200 with that many bytes.
ceiling_ok() {
	[ "$(curl -s -o /dev/null -w '%{http_code} %{size_download}' \
	    "http://127.0.0.1:$((PORT + $1))/")" = "200 $2" ]
}

# ceilings_up BODYBYTES... -- ceiling 1 answering the first size on PORT+1,
# ceiling 2 the second on PORT+2, and so on; back once each answers.
ceilings_up() {
	local n=0 size
	for size in "$@"; do
		n=$((n + 1))
		setsid "$BUILD/t/ceiling" "$DIR/ceiling$n.sock" 4 "$size" \
		    >"$DIR/log/ceiling$n.log" 2>&1 </dev/null &
		ceilings+=($!)
		wait_until 10 test -S "$DIR/ceiling$n.sock" ||
		    die "ceiling $n did not start"
		cat >"$DIR/nginx-extra-ceiling$n.conf" <<CONF
# Written by t/bench/lib.bash: a ceiling behind the same nginx as hangard.
server {
    listen 127.0.0.1:$((PORT + n));
    server_name _;
    location / {
        include $SRC/nginx/fastcgi_params;
        fastcgi_pass unix:$DIR/ceiling$n.sock;
    }
}
CONF
	done
	nginx -p "$DIR" -c "$DIR/nginx.conf" -e "$DIR/log/nginx-error.log" \
	    -s reload || die "nginx reload failed"
	n=0
	for size in "$@"; do
		n=$((n + 1))
		wait_until 10 ceiling_ok "$n" "$size" ||
		    die "ceiling $n is not reachable"
	done
}

# stop_ceilings -- for the benchmark's cleanup: every ceiling by its pid
# (and process group) and its nginx server block.
stop_ceilings() {
	local p
	for p in "${ceilings[@]}"; do
		kill -TERM -- "-$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rm -f "$DIR"/nginx-extra-ceiling*.conf
}
