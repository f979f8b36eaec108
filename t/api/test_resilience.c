/*
 * test_resilience.c -- the stack's behaviour when parts of it fail:
 * MariaDB stopped and started again, a worker killed, the master told to
 * reload, Redis stopped.
 *
 * Each scenario is its own test case with an unchecked teardown (run by
 * the parent process, also when the test failed half-way) that starts
 * MariaDB and Redis again and waits for /healthz, so later tests find the
 * stack whole.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "authlib.h"


/* Run t/stack.sh CMD for the test stack. */
static int
stack(const char *cmd)
{
	char line[2048];

	snprintf(line, sizeof(line), "\"%s\" %s \"%s\" >/dev/null 2>&1",
	    getenv("HANGAR_STACK"), cmd, getenv("HANGAR_DIR"));
	return system(line);
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Is /healthz 200 with the database and Redis both "ok"? */
static int
healthy(void)
{
	struct resp	*r = api("GET", "/healthz", NULL, NULL);
	int		 ok;

	ok = r->status == 200 && jstr(r->json, "db") != NULL &&
	    strcmp(jstr(r->json, "db"), "ok") == 0 &&
	    jstr(r->json, "redis") != NULL &&
	    strcmp(jstr(r->json, "redis"), "ok") == 0;
	resp_free(r);
	return ok;
}

static size_t
keep(char *p, size_t size, size_t n, void *arg)
{
	char	*buf = arg;
	size_t	 have = strlen(buf), len = size * n;

	if (have + len < 256)
		memcpy(buf + have, p, len), buf[have + len] = '\0';
	return len;
}

/*
 * n /healthz requests at once, so that they land on different workers
 * (one after the other they would all go to the same idle worker); how
 * many answered 200 with the database and Redis "ok".
 */
static int
healthy_at_once(int n)
{
	CURLM	*m = curl_multi_init();
	CURL	*c[16];
	char	 body[16][256], url[512];
	int	 i, running, ok = 0;
	long	 status;

	ck_assert_int_le(n, 16);
	snprintf(url, sizeof(url), "%s/healthz", getenv("HANGAR_URL"));
	for (i = 0; i < n; i++) {
		body[i][0] = '\0';
		c[i] = curl_easy_init();
		curl_easy_setopt(c[i], CURLOPT_URL, url);
		curl_easy_setopt(c[i], CURLOPT_WRITEFUNCTION, keep);
		curl_easy_setopt(c[i], CURLOPT_WRITEDATA, body[i]);
		curl_easy_setopt(c[i], CURLOPT_TIMEOUT, 30L);
		curl_multi_add_handle(m, c[i]);
	}
	do {
		curl_multi_perform(m, &running);
		if (running)
			curl_multi_wait(m, NULL, 0, 100, NULL);
	} while (running);
	for (i = 0; i < n; i++) {
		curl_easy_getinfo(c[i], CURLINFO_RESPONSE_CODE, &status);
		if (status == 200 && strstr(body[i], "\"db\":\"ok\"") != NULL &&
		    strstr(body[i], "\"redis\":\"ok\"") != NULL)
			ok++;
		else
			fprintf(stderr, "healthz: %ld %s\n", status, body[i]);
		curl_multi_remove_handle(m, c[i]);
		curl_easy_cleanup(c[i]);
	}
	curl_multi_cleanup(m);
	return ok;
}

/* Unchecked teardown: bring back whatever a test stopped. */
static void
restore(void)
{
	int i;

	if (stack("start-db") != 0)
		fprintf(stderr, "resilience: start-db failed\n");
	if (stack("start-redis") != 0)
		fprintf(stderr, "resilience: start-redis failed\n");
	for (i = 0; i < 100; i++) {
		char		 url[512];
		char		 cmd[2048];

		snprintf(url, sizeof(url), "%s/healthz", getenv("HANGAR_URL"));
		snprintf(cmd, sizeof(cmd), "curl -sf -o /dev/null '%s' 2>/dev/null "
		    "&& curl -s '%s' | grep -q '\"redis\": *\"ok\"'", url, url);
		if (system(cmd) == 0)
			return;
		sleep_ms(100);
	}
	fprintf(stderr, "resilience: the stack did not come back healthy\n");
}

/* ---- the database goes away ------------------------------------------ */

/*
 * The count of GET /roles/QUERY.  (Not through db_int(): the test's own
 * database connection does not survive the restarts.)
 */
static long long
role_count(const char *tok, const char *query)
{
	struct resp	*r;
	char		 path[256];
	long long	 n;

	snprintf(path, sizeof(path), "/roles/%s", query);
	r = api("GET", path, tok, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	n = jint(r->json, "count");
	resp_free(r);
	return n;
}

START_TEST(database_outage)
{
	const char	*tok = admin_token();
	struct resp	*r;
	int		 round, i;
	long long	 roles = role_count(tok, "");

	for (round = 0; round < 3; round++) {
		ck_assert_int_eq(stack("stop-db"), 0);
		/* Every kind of request: 503, error 10012, JSON. */
		for (i = 0; i < 6; i++) {
			expect_error(api("GET", "/users/", tok, NULL), 503, 10012,
			    NULL);
			expect_error(api_f("POST", "/roles/", tok,
			    "{\"name\": \"%s\"}", uniq("outage")), 503, 10012,
			    NULL);
		}
		expect_error(api("GET", "/auth/me/", tok, NULL), 503, 10012, NULL);
		expect_error(login("admin", getenv("HANGAR_ADMIN_PASSWORD")), 503,
		    10012, NULL);
		r = api("GET", "/healthz", NULL, NULL);
		ck_assert_int_eq(r->status, 503);
		ck_assert_str_eq(jstr(r->json, "db"), "down");
		ck_assert_str_eq(jstr(r->json, "redis"), "ok");
		resp_free(r);
		ck_assert_int_eq(stack("start-db"), 0);
		/*
		 * The very first requests afterwards succeed, on every
		 * worker, whether it saw the outage or holds a stale
		 * connection: reads, writes, and writes first.
		 */
		for (i = 0; i < 8; i++) {
			if (round == 1) {
				r = api_f("POST", "/roles/", tok,
				    "{\"name\": \"%s\"}", uniq("after"));
				ck_assert_msg(r->status == 201, "round %d "
				    "request %d: %ld %s", round, i, r->status,
				    r->body);
				resp_free(r);
			}
			r = api("GET", "/users/?page_size=1", tok, NULL);
			ck_assert_msg(r->status == 200, "round %d request %d: "
			    "%ld %s", round, i, r->status, r->body);
			resp_free(r);
			r = api_f("POST", "/roles/", tok, "{\"name\": \"%s\"}",
			    uniq("after"));
			ck_assert_msg(r->status == 201, "round %d request %d: "
			    "%ld %s", round, i, r->status, r->body);
			resp_free(r);
		}
		r = api("GET", "/healthz", NULL, NULL);
		ck_assert_int_eq(r->status, 200);
		ck_assert_str_eq(jstr(r->json, "db"), "ok");
		resp_free(r);
	}
	/* Nothing of the refused writes was kept; every accepted one was. */
	ck_assert_int_eq(role_count(tok, ""), roles + 3 * 8 + 8);
	ck_assert_int_eq(role_count(tok, "?name=outage-"), 0);
}
END_TEST

/* ---- workers ------------------------------------------------------------ */

static int
has(const pid_t *kids, int n, pid_t pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (kids[i] == pid)
			return 1;
	return 0;
}

/* n requests that must all succeed. */
static void
requests_succeed(const char *tok, int n)
{
	struct resp	*r;
	int		 i;

	for (i = 0; i < n; i++) {
		r = api("GET", "/auth/me/", tok, NULL);
		ck_assert_msg(r->status == 200, "request %d: %ld %s", i,
		    r->status, r->body);
		resp_free(r);
	}
}

START_TEST(killed_worker_is_replaced)
{
	const char	*tok = admin_token();
	pid_t		 master = hangard_master(), kids[HG_MAXKIDS], now[HG_MAXKIDS];
	pid_t		 victim;
	int		 n, m = 0, i;

	n = hangard_workers(master, kids);
	ck_assert_int_ge(n, 2);
	victim = kids[n - 1];
	ck_assert_int_eq(kill(victim, SIGKILL), 0);
	for (i = 0; i < 100; i++) {
		m = hangard_workers(master, now);
		if (m == n && !has(now, m, victim))
			break;
		sleep_ms(100);
	}
	ck_assert_msg(m == n && !has(now, m, victim), "workers not replaced: "
	    "%d of %d", m, n);
	requests_succeed(tok, 300);
	ck_assert_int_eq(hangard_workers(master, now), n);
}
END_TEST

START_TEST(sighup_replaces_every_worker)
{
	const char	*tok = admin_token();
	pid_t		 master = hangard_master(), old[HG_MAXKIDS], now[HG_MAXKIDS];
	int		 n, m = 0, i, k, stale = 1;

	n = hangard_workers(master, old);
	ck_assert_int_ge(n, 2);
	ck_assert_int_eq(kill(master, SIGHUP), 0);
	/* Requests keep succeeding while the workers are replaced. */
	for (i = 0; i < 200 && stale; i++) {
		requests_succeed(tok, 3);
		ck_assert_int_eq(healthy_at_once(8), 8);
		m = hangard_workers(master, now);
		stale = m != n;
		for (k = 0; k < m; k++)
			stale |= has(old, n, now[k]);
		sleep_ms(20);
	}
	ck_assert_msg(!stale, "workers not all replaced: %d of %d", m, n);
	requests_succeed(tok, 100);
	ck_assert_int_eq(healthy_at_once(16), 16);
	ck_assert_int_eq(hangard_master(), master);
}
END_TEST

/* ---- another transaction holds the row ------------------------------------ */

/*
 * SIGHUP, then wait until no worker of before is left, so that every
 * worker has a new database connection (with the global settings of
 * now).  0, or -1 when they were not all replaced within 5 s.
 */
static int
fresh_workers(void)
{
	pid_t	master = hangard_master(), old[HG_MAXKIDS], now[HG_MAXKIDS];
	int	n = hangard_workers(master, old), m, i, k, stale = 1;

	if (n < 1 || kill(master, SIGHUP) != 0)
		return -1;
	for (i = 0; i < 250 && stale; i++) {
		sleep_ms(20);
		m = hangard_workers(master, now);
		stale = m != n;
		for (k = 0; k < m; k++)
			stale |= has(old, n, now[k]);
	}
	return stale ? -1 : 0;
}

/*
 * A row held by another transaction longer than innodb_lock_wait_timeout
 * (1 s here): the request answers 503, error 10012, and leaves nothing,
 * not even its audit row; the worker's connection is not left inside that
 * transaction: the next requests on every worker succeed.  (A deadlock
 * takes the same way in lib/db.c.)
 */
START_TEST(lock_wait_is_503)
{
	const char	*tok = admin_token(), *name = uniq("held");
	long long	 id = api_create("/roles/", "{\"name\": \"%s\"}", name);
	char		*before, *s;
	struct resp	*r;
	int		 i;

	db_exec("SET GLOBAL innodb_lock_wait_timeout = 1");
	ck_assert_int_eq(fresh_workers(), 0);
	before = db_fingerprint("roles,audit_log,authz_audit");
	db_exec("START TRANSACTION");
	free(db_str(fmt("SELECT name FROM roles WHERE id = %lld FOR UPDATE",
	    id)));
	for (i = 0; i < 2; i++)
		expect_error(api_f("PATCH", path_of("/roles/%lld/", id), tok,
		    "{\"name\": \"%s\"}", uniq("waited")), 503, 10012, NULL);
	db_exec("ROLLBACK");
	db_unchanged(before, "roles,audit_log,authz_audit");
	/* every worker goes on: no transaction left open on its connection */
	for (i = 0; i < 8; i++) {
		r = api_f("PATCH", path_of("/roles/%lld/", id), tok,
		    "{\"name\": \"%s-%d\"}", name, i);
		ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
		resp_free(r);
		ck_assert_int_eq(healthy_at_once(8), 8);
	}
	s = db_str(fmt("SELECT name FROM roles WHERE id = %lld", id));
	ck_assert_str_eq(s, fmt("%s-7", name));
	free(s);
}
END_TEST

/* Unchecked teardown: the server's default lock wait again. */
static void
default_lock_wait(void)
{
	db_exec("SET GLOBAL innodb_lock_wait_timeout = DEFAULT");
	if (fresh_workers() != 0)
		fprintf(stderr, "resilience: the workers were not replaced\n");
}

/* ---- Redis goes away ------------------------------------------------------ */

START_TEST(redis_outage)
{
	struct resp	*r;
	int		 i;

	ck_assert_int_eq(stack("stop-redis"), 0);
	/* Logins still work (unthrottled), failures are still failures. */
	r = login("admin", getenv("HANGAR_ADMIN_PASSWORD"));
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "user.username"), "admin");
	resp_free(r);
	expect_error(login("admin", "not-the-password"), 401, 10006, NULL);
	for (i = 0; i < 4; i++) {
		r = api("GET", "/healthz", NULL, NULL);
		ck_assert_int_eq(r->status, 200);
		ck_assert_str_eq(jstr(r->json, "db"), "ok");
		ck_assert_str_eq(jstr(r->json, "redis"), "down");
		resp_free(r);
	}
	expect_status(api("GET", "/users/", admin_token(), NULL), 200);
	ck_assert_int_eq(stack("start-redis"), 0);
	/*
	 * Workers reconnect on their own: once the second a worker waits
	 * after a failed attempt (redis.h) has passed, every worker answers
	 * "ok" at its first request, also those whose connection went stale
	 * without their noticing.
	 */
	sleep_ms(1100);
	for (i = 0; i < 8; i++)
		ck_assert_msg(healthy(), "request %d after the restart", i);
	clear_login_counters("admin");
}
END_TEST

/*
 * Redis restarted while no request came: every worker's connection went
 * stale unnoticed, and still the first request of each finds Redis up.
 */
START_TEST(redis_restart_is_invisible)
{
	int i;

	/* Every worker has talked to Redis. */
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(healthy_at_once(16), 16);
	ck_assert_int_eq(stack("stop-redis"), 0);
	ck_assert_int_eq(stack("start-redis"), 0);
	/* Their connections went stale; the first request of each works. */
	ck_assert_int_eq(healthy_at_once(16), 16);
	ck_assert_int_eq(healthy_at_once(16), 16);
}
END_TEST

static TCase *
tc_db(void)
{
	TCase *tc = tcase_create("database");

	tcase_add_unchecked_fixture(tc, NULL, restore);
	tcase_add_test(tc, database_outage);
	return tc;
}

static TCase *
tc_kill(void)
{
	TCase *tc = tcase_create("kill");

	tcase_add_unchecked_fixture(tc, NULL, restore);
	tcase_add_test(tc, killed_worker_is_replaced);
	return tc;
}

static TCase *
tc_hup(void)
{
	TCase *tc = tcase_create("hup");

	tcase_add_unchecked_fixture(tc, NULL, restore);
	tcase_add_test(tc, sighup_replaces_every_worker);
	return tc;
}

static TCase *
tc_lock(void)
{
	TCase *tc = tcase_create("lock");

	tcase_add_unchecked_fixture(tc, NULL, default_lock_wait);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, lock_wait_is_503);
	return tc;
}

static TCase *
tc_redis(void)
{
	TCase *tc = tcase_create("redis");

	tcase_add_unchecked_fixture(tc, NULL, restore);
	tcase_add_test(tc, redis_outage);
	tcase_add_test(tc, redis_restart_is_invisible);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_db, tc_kill, tc_hup,
	    tc_lock, tc_redis };

	return run_suite("resilience", cases, sizeof(cases) / sizeof(cases[0])) ?
	    1 : 0;
}
