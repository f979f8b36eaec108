# Hangar -- hand-written Makefile; configure (from configure.ac) writes
# config.mk with the libraries' flags.
#
#   make run     install missing packages, build, start the stack in ./run
#   make stop    stop that stack
#   make check   the whole test suite, under ASan/UBSan, on its own stack
#                (the browser tests of the UI among them: test name "ui")
#   make ui      build the browser UI (src/ui) into build/ui when its
#                sources changed
#   make install PREFIX=/usr/local DESTDIR=

PREFIX		?= /usr/local
DESTDIR		?=
PORT		?= 8080
RUNDIR		:= $(CURDIR)/run

# Debian packages the project needs to build, run and test.
PACKAGES	= build-essential autoconf automake pkg-config libfcgi-dev \
		  libjson-c-dev libmariadb-dev mariadb-server mariadb-client \
		  libcurl4-openssl-dev libssh-dev libhiredis-dev check libsodium-dev \
		  libssl-dev \
		  nginx redis-server redis-tools openssh-server openssh-client curl \
		  wrk mandoc procps python3 python3-jinja2 clang libclang-rt-14-dev \
		  libldns-dev bind9 bind9-utils dnsutils \
		  pdns-server pdns-backend-sqlite3 sqlite3 git python3-pyftpdlib \
		  libnginx-mod-nchan python3-websockets chromium fonts-wqy-zenhei \
		  fcgiwrap sudo
# (chromium drives the UI's browser tests; the font gives their
# screenshots Chinese glyphs.  fcgiwrap runs git-http-backend behind the
# deploy tests' HTTPS git server, t/git-server.sh; sudo is how the agent
# runs an application as its run_user, tried by api_deploy_sources.)
# Node.js for the UI's build (src/ui): Debian's nodejs and npm, only when
# no node is installed at all (a newer one, e.g. from nodesource, has its
# own npm and conflicts with Debian's npm package).
NODE_PACKAGES	= $(if $(shell command -v node),,nodejs npm)

# The top-level commands install packages first, then build in a sub-make;
# only that sub-make (or a plain `make`) reads config.mk.
TOPONLY		= run check bench deps stop clean distclean lint-man fuzz ui
ifneq ($(filter-out $(TOPONLY),$(or $(MAKECMDGOALS),all)),)
include config.mk
endif

BUILD		?= build
SAN		?=
CFLAGS_BASE	= -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -g -O2 \
		  -Ilib -Isrc/hangard -DHG_SQLDIR='"$(PREFIX)/share/hangar/sql"' \
		  -DHG_LIBEXECDIR='"$(PREFIX)/libexec/hangar"'
LIBCFLAGS	= $(FCGI_CFLAGS) $(JSONC_CFLAGS) $(MYSQL_CFLAGS) $(CURL_CFLAGS) \
		  $(SSH_CFLAGS) $(HIREDIS_CFLAGS) $(SODIUM_CFLAGS) $(LDNS_CFLAGS) \
		  $(CRYPTO_CFLAGS)
LIBS		= $(FCGI_LIBS) $(JSONC_LIBS) $(MYSQL_LIBS) $(CURL_LIBS) \
		  $(SSH_LIBS) $(HIREDIS_LIBS) $(SODIUM_LIBS) $(LDNS_LIBS) \
		  $(CRYPTO_LIBS)
ALL_CFLAGS	= $(CFLAGS_BASE) $(LIBCFLAGS) $(SAN) $(CFLAGS)

LIB_SRC		= $(wildcard lib/*.c)
HANGARD_SRC	= $(wildcard src/hangard/*.c src/hangard/*/*.c)
CTL_SRC		= $(wildcard src/hangarctl/*.c)
AGENT_SRC	= $(wildcard src/agent/*.c)
AGENT_OBJ	= $(AGENT_SRC:%.c=$(BUILD)/%.o)
LIB_OBJ		= $(LIB_SRC:%.c=$(BUILD)/%.o)
HANGARD_OBJ	= $(HANGARD_SRC:%.c=$(BUILD)/%.o)
CTL_OBJ		= $(CTL_SRC:%.c=$(BUILD)/%.o)
PROGS		= $(BUILD)/hangard $(BUILD)/hangarctl \
		  $(if $(AGENT_SRC),$(BUILD)/hangar-agent)

UNIT_SRC	= $(wildcard t/unit/test_*.c)
UNIT_BIN	= $(UNIT_SRC:t/unit/test_%.c=$(BUILD)/t/unit_%)
API_SRC		= $(wildcard t/api/test_*.c)
API_BIN		= $(API_SRC:t/api/test_%.c=$(BUILD)/t/api_%)
API_COMMON	= $(BUILD)/t/api/client.o
TOOLS		= $(BUILD)/t/smtp-sink $(BUILD)/t/ceiling

SANFLAGS	= -fsanitize=address,undefined -fno-omit-frame-pointer \
		  -fno-sanitize-recover=undefined

# libFuzzer targets (t/fuzz/), built with clang into build-fuzz/: the
# library code they reach is instrumented for coverage too.
FUZZ_CC		= clang
FUZZ_SAN	= -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		  -fno-omit-frame-pointer
FUZZ_SRC	= $(wildcard t/fuzz/fuzz_*.c)
FUZZ_BIN	= $(FUZZ_SRC:t/fuzz/fuzz_%.c=build-fuzz/fuzz_%)
FUZZ_LIBOBJ	= $(LIB_SRC:%.c=build-fuzz/%.o)
FUZZ_SECONDS	?= 60

.PHONY: all deps run stop check check-build unit api install clean distclean \
	bench lint-man fuzz fuzz-build ui ui-node18

all: $(PROGS)

# Install whatever Debian package is missing (as root; needs apt).
deps:
	@missing=""; for p in $(PACKAGES) $(NODE_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
		    grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" != 0 ]; then echo "run as root to install:$$missing" >&2; exit 1; fi; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		    apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

configure: configure.ac
	autoreconf -fi >/dev/null

config.mk: configure config.mk.in
	./configure --prefix=$(PREFIX) >/dev/null

$(BUILD)/%.o: %.c $(wildcard lib/*.h) $(wildcard src/*/*.h src/*/*/*.h) config.mk
	@mkdir -p $(@D)
	@echo "  CC    $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/hangard: $(HANGARD_OBJ) $(LIB_OBJ)
	@echo "  LD    $@"
	@$(CC) $(SAN) -o $@ $^ $(LIBS)

$(BUILD)/hangarctl: $(CTL_OBJ) $(LIB_OBJ)
	@echo "  LD    $@"
	@$(CC) $(SAN) -o $@ $^ $(LIBS)

$(BUILD)/hangar-agent: $(AGENT_OBJ) $(LIB_OBJ)
	@echo "  LD    $@"
	@$(CC) $(SAN) -o $@ $^ $(LIBS)

$(BUILD)/t/unit_%: t/unit/test_%.c $(LIB_OBJ) t/unit/unit.h
	@mkdir -p $(@D)
	@echo "  LD    $@"
	@$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -o $@ $(filter-out %.h,$^) $(LIBS) $(CHECK_LIBS)

$(BUILD)/t/api_%: t/api/test_%.c $(API_COMMON) $(wildcard t/api/*.h)
	@mkdir -p $(@D)
	@echo "  LD    $@"
	@$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -It/api -o $@ $(filter-out %.h,$^) $(LIBS) $(CHECK_LIBS)

$(BUILD)/t/api/client.o: t/api/client.c t/api/client.h config.mk
	@mkdir -p $(@D)
	@echo "  CC    $<"
	@$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -It/api -c -o $@ $<

$(BUILD)/t/smtp-sink: t/smtp-sink.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $<

$(BUILD)/t/ceiling: t/bench/ceiling.c config.mk
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(FCGI_LIBS)

build-fuzz/lib/%.o: lib/%.c $(wildcard lib/*.h) config.mk
	@mkdir -p $(@D)
	@echo "  CC    $< (fuzz)"
	@$(FUZZ_CC) $(CFLAGS_BASE) $(LIBCFLAGS) $(FUZZ_SAN) \
	    -fsanitize=fuzzer-no-link -c -o $@ $<

build-fuzz/fuzz_%: t/fuzz/fuzz_%.c $(FUZZ_LIBOBJ)
	@echo "  LD    $@"
	@$(FUZZ_CC) $(CFLAGS_BASE) $(LIBCFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer \
	    -o $@ $^ $(LIBS)

fuzz-build: $(FUZZ_BIN)
.SECONDARY: $(FUZZ_LIBOBJ)

# ---- the browser UI (src/ui; see src/ui/README) ----------------------

# Its sources: everything under src/ui but its dependencies, its tests and
# its notes.  build/ui/index.html stands for the whole build.
UI_SRC		= $(shell find src/ui -path src/ui/node_modules -prune -o \
		    -path src/ui/tests -prune -o -path src/ui/screenshots -prune -o \
		    -type f ! -name README -print)
UI_OUT		= build/ui

ui: $(UI_OUT)/index.html

# npm ci when package-lock.json is newer than the installed tree (npm
# writes node_modules/.package-lock.json); never a browser download.
src/ui/node_modules/.package-lock.json: src/ui/package-lock.json
	cd src/ui && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
	@touch $@

$(UI_OUT)/index.html: $(UI_SRC) src/ui/node_modules/.package-lock.json
	cd src/ui && HANGAR_UI_OUT=$(CURDIR)/$(UI_OUT) npm run --silent build

# ---- the two commands -------------------------------------------------

run: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory ui
	@t/stack.sh start $(RUNDIR) $(PORT) $(CURDIR)/build
	@echo "Hangar is up: open http://127.0.0.1:$(PORT)/ui/ in a browser (API at the root)"
	@if [ -n "$$HANGAR_ADMIN_PASSWORD" ]; then \
		echo "log in as admin with the password in HANGAR_ADMIN_PASSWORD"; \
	else \
		echo "log in as admin, password: $$(cat $(RUNDIR)/admin-password)" \
		    "(saved in $(RUNDIR)/admin-password)"; \
	fi
	@echo "  curl -s -X POST -H 'Content-Type: application/json' \\"
	@echo "    -d '{\"username\":\"admin\",\"password\":\"...\"}' http://127.0.0.1:$(PORT)/auth/login/"
	@echo "logs: $(RUNDIR)/log/   stop with: make stop"

stop:
	@t/stack.sh stop $(RUNDIR)

check: deps
	@# the plain build too: optimised code warns where -O0/ASan code does not
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check-build BUILD=build-san SAN="$(SANFLAGS)"
	@$(MAKE) --no-print-directory ui
	@# the fuzz targets first, so that the suite's count is the last line
	@$(MAKE) --no-print-directory fuzz-build
	@t/fuzz/run.sh $(CURDIR)/build-fuzz $(FUZZ_SECONDS)
	@t/run-tests.sh $(CURDIR)/build-san $(TESTS)

# Longer fuzzing: make fuzz FUZZ_SECONDS=3600 [FUZZ=name]
fuzz: deps
	@$(MAKE) --no-print-directory fuzz-build
	@t/fuzz/run.sh $(CURDIR)/build-fuzz $(FUZZ_SECONDS) $(FUZZ)

check-build: $(PROGS) $(UNIT_BIN) $(API_BIN) $(TOOLS)

bench: deps
	@$(MAKE) --no-print-directory all $(BUILD)/t/ceiling
	@for b in t/bench/*.sh; do echo "== $$b"; $$b $(CURDIR)/build || exit 1; done

lint-man:
	@for m in man/*.[0-9]; do mandoc -Tlint -Wwarning $$m || exit 1; done

# The UI built with Debian 12's Node 18 and npm 9 must be this build.
ui-node18: ui
	@t/ui-node18.sh

# ---- install ----------------------------------------------------------

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
	    $(DESTDIR)$(PREFIX)/share/hangar/sql $(DESTDIR)$(PREFIX)/share/hangar/nginx \
	    $(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man7 \
	    $(DESTDIR)$(PREFIX)/share/man/man8 $(DESTDIR)$(PREFIX)/lib/systemd/system
	install -m 755 $(BUILD)/hangard $(DESTDIR)$(PREFIX)/sbin/hangard
	install -m 755 $(BUILD)/hangarctl $(DESTDIR)$(PREFIX)/sbin/hangarctl
	install -d $(DESTDIR)$(PREFIX)/libexec/hangar
	install -m 755 src/libexec/hangar-jinja-check \
	    $(DESTDIR)$(PREFIX)/libexec/hangar/hangar-jinja-check
	if [ -x $(BUILD)/hangar-agent ]; then \
		install -m 755 $(BUILD)/hangar-agent $(DESTDIR)$(PREFIX)/sbin/hangar-agent; fi
	$(MAKE) --no-print-directory ui
	install -d $(DESTDIR)$(PREFIX)/share/hangar/ui
	rm -rf $(DESTDIR)$(PREFIX)/share/hangar/ui/assets
	cp -R $(UI_OUT)/. $(DESTDIR)$(PREFIX)/share/hangar/ui/
	install -m 644 sql/*.sql $(DESTDIR)$(PREFIX)/share/hangar/sql/
	sed "s#/usr/local#$(PREFIX)#g" nginx/hangar.conf > \
	    $(DESTDIR)$(PREFIX)/share/hangar/nginx/hangar.conf
	install -m 644 nginx/fastcgi_params nginx/ws_auth_params \
	    $(DESTDIR)$(PREFIX)/share/hangar/nginx/
	sed "s#/usr/local#$(PREFIX)#g" nginx/ui-headers.conf > \
	    $(DESTDIR)$(PREFIX)/share/hangar/nginx/ui-headers.conf
	install -m 644 man/*.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	install -m 644 man/*.7 $(DESTDIR)$(PREFIX)/share/man/man7/
	install -m 644 man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	for u in src/systemd/*.service; do \
		sed "s#@PREFIX@#$(PREFIX)#g" $$u > \
		    $(DESTDIR)$(PREFIX)/lib/systemd/system/$$(basename $$u); \
	done

clean:
	rm -rf build build-san build-fuzz

distclean: clean
	rm -rf config.mk config.log config.status configure autom4te.cache aclocal.m4
