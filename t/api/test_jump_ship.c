/*
 * test_jump_ship.c -- hangarctl jump-log ship against the test stack
 * (issue 15): a log written line by line, rotated by rename and create and
 * by copy and truncate, the forwarder killed (SIGKILL) and started again,
 * its state rolled back as if an acknowledgement had been lost, the
 * database down for a while: every line arrives, exactly once.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "authlib.h"
#include "deploylib.h"

static char	 dir[512], logpath[600], statef[640], host[64];
static int	 written;		/* lines written so far: cmd-0 .. */

/* Append n lines to the log (a fresh open each time, as a logger does). */
static void
put(int n)
{
	FILE	*f = fopen(logpath, "a");
	int	 i;

	ck_assert_ptr_nonnull(f);
	for (i = 0; i < n; i++, written++)
		fprintf(f, "%lld ops%d %s sudo -u app cmd-%d --flag=\xe4\xbd\xa0 "
		    "\x1b[0m done\n", (long long)time(NULL), written % 3, host,
		    written);
	fclose(f);
}

static pid_t
ship_start(const char *url)
{
	pid_t	 pid;

	if ((pid = fork()) == 0) {
		char	 bin[512], out[700];
		FILE	*f;

		snprintf(bin, sizeof(bin), "%s/hangarctl", getenv("HANGAR_BIN"));
		snprintf(out, sizeof(out), "%s/ship.err", dir);
		if ((f = freopen(out, "a", stderr)) == NULL)
			_exit(127);
		setenv("HANGAR_URL", url, 1);
		setenv("HANGAR_TOKEN", admin_token(), 1);
		setenv("HANGAR_SHIP_ID", host, 1);
		execl(bin, "hangarctl", "jump-log", "ship", "--batch", "7",
		    "--interval", "50", logpath, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_gt(pid, 0);
	return pid;
}

static void
ship_kill(pid_t pid)
{
	int st;

	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
}

/*
 * The log's lines as the API lists them (the test's own database
 * connection does not outlive the database's restart below).
 */
static struct resp *
listed(void)
{
	struct resp *r = api("GET", fmt("/common-utils/jump-server-logs/?host="
	    "%s&page_size=1000", host), admin_token(), NULL);

	ck_assert_msg(r->status == 200 || r->status == 503, "%ld %s",
	    r->status, r->body);
	return r;
}

static long long
stored(void)
{
	struct resp	*r = listed();
	long long	 n = r->status == 200 ? jint(r->json, "count") : -1;

	resp_free(r);
	return n;
}

/* Wait until the log's lines are all stored (at most 60 s). */
static void
wait_all(const char *when)
{
	long long	n = 0;
	int		i;

	for (i = 0; i < 1200 && (n = stored()) < written; i++)
		usleep(50000);
	ck_assert_msg(n == written, "%s: %lld of %d lines stored", when, n,
	    written);
}

/* Exactly cmd-0 .. cmd-(written-1), once each, parsed and cleaned. */
static void
exactly_once(void)
{
	struct resp	*r = listed();
	char		*seen = calloc((size_t)written, 1), want[128];
	int		 i, k, n;

	ck_assert_int_eq(r->status, 200);
	n = (int)jlen(r->json, "results");
	ck_assert_int_eq(n, written);
	for (i = 0; i < n; i++) {
		const char *t = jstr(r->json, fmt("results.%d.text", i));

		ck_assert_msg(sscanf(t, "sudo -u app cmd-%d ", &k) == 1 &&
		    k >= 0 && k < written && !seen[k], "line %d: %s", i, t);
		seen[k] = 1;
		snprintf(want, sizeof(want), "sudo -u app cmd-%d --flag=\xe4\xbd"
		    "\xa0 \\x1b[0m done", k);
		ck_assert_str_eq(t, want);
		ck_assert_str_eq(jstr(r->json, fmt("results.%d.user", i)),
		    fmt("ops%d", k % 3));
	}
	free(seen);
	resp_free(r);
}

static void
sh(const char *cmd)
{
	ck_assert_msg(system(cmd) == 0, "%s", cmd);
}

START_TEST(ship_rotate_restart)
{
	const char	*url = getenv("HANGAR_URL");
	char		 saved[700];
	pid_t		 pid;
	struct resp	*r;

	snprintf(host, sizeof(host), "%s", uniq("bastion"));
	snprintf(dir, sizeof(dir), "%s/ship-%s", getenv("HANGAR_DIR"), host);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	snprintf(logpath, sizeof(logpath), "%s/commands.log", dir);
	snprintf(statef, sizeof(statef), "%s.ship-state", logpath);
	snprintf(saved, sizeof(saved), "%s/state.saved", dir);
	put(3);
	pid = ship_start(url);
	put(20);
	wait_all("follow");
	/* Renamed and created again while running. */
	put(5);
	sh(fmt("mv %s %s.1", logpath, logpath));
	put(6);
	wait_all("rename rotation");
	/* Copied and truncated while running, lines just before the copy. */
	put(9);
	sh(fmt("cp %s %s.2 && : > %s", logpath, logpath, logpath));
	put(4);
	wait_all("copytruncate");
	/* Killed; lines and a rename rotation while it is down; restarted. */
	ship_kill(pid);
	put(8);
	sh(fmt("mv %s %s.3", logpath, logpath));
	put(3);
	pid = ship_start(url);
	wait_all("restart after a rename");
	/* Killed; a copytruncate while it is down. */
	ship_kill(pid);
	put(4);
	sh(fmt("cp %s %s.4 && : > %s", logpath, logpath, logpath));
	put(2);
	pid = ship_start(url);
	wait_all("restart after a copytruncate");
	/* An acknowledgement lost: the state rolled back, the lines sent again. */
	sh(fmt("cp %s %s", statef, saved));
	put(30);
	wait_all("before the rollback");
	ship_kill(pid);
	sh(fmt("cp %s %s", saved, statef));
	pid = ship_start(url);
	put(1);
	wait_all("after the rollback");
	/* The database down for a while: retried until it is back. */
	sh(fmt("%s stop-db %s >/dev/null 2>&1", getenv("HANGAR_STACK"),
	    getenv("HANGAR_DIR")));
	put(12);
	sleep(2);
	sh(fmt("%s start-db %s >/dev/null 2>&1", getenv("HANGAR_STACK"),
	    getenv("HANGAR_DIR")));
	wait_all("database back");
	/* Everything once, and nothing more after a while. */
	usleep(500000);
	ship_kill(pid);
	exactly_once();
	r = api("GET", fmt("/common-utils/jump-server-logs/?host=%s&keyword="
	    "CMD-7%%20", host), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_str_eq(jstr(r->json, "results.0.user"), "ops1");
	expect_recent(jpath(r->json, "results.0"), "created_time");
	resp_free(r);
}
END_TEST

START_TEST(ship_refuses_without_config)
{
	char	cmd[1024];

	snprintf(cmd, sizeof(cmd), "env -u HANGAR_TOKEN -u HANGAR_TOKEN_FILE "
	    "%s/hangarctl jump-log ship /nonexistent 2>/dev/null",
	    getenv("HANGAR_BIN"));
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 2);
	snprintf(cmd, sizeof(cmd), "%s/hangarctl jump-log ship 2>/dev/null",
	    getenv("HANGAR_BIN"));
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 2);
	/* --once on a file that is not there: 1. */
	snprintf(cmd, sizeof(cmd), "HANGAR_TOKEN=wrong %s/hangarctl jump-log "
	    "ship --once /nonexistent 2>/dev/null", getenv("HANGAR_BIN"));
	ck_assert_int_eq(WEXITSTATUS(system(cmd)), 1);
}
END_TEST

static TCase *
tc_ship(void)
{
	TCase *tc = tcase_create("jump_ship");

	tcase_set_timeout(tc, 240);
	tcase_add_test(tc, ship_rotate_restart);
	tcase_add_test(tc, ship_refuses_without_config);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_ship };

	return run_suite("jump_ship", cases, 1) ? 1 : 0;
}
