/*
 * test_jump_retention.c -- jump_log_retention_days (issue 15): an agent
 * started with a retention drops the bastion command log's lines older
 * than it, with their keyword index rows, in small transactions, while
 * searches go on answering; newer lines and their index stay.
 *
 * The stack's own agent (no retention) is stopped meanwhile, so that only
 * this test's agent purges, and started again afterwards.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agentlib.h"

#define PATH	"/common-utils/jump-server-logs/"
#define DAY	86400LL

/* A word of letters and digits only, unique to this run. */
static const char *
word(const char *prefix)
{
	char	*w = strdup(uniq(prefix)), *p;

	for (p = w; *p != '\0'; p++)
		if (*p == '-')
			*p = 'x';
	return w;
}

/* POST n lines "cmd WORD <i>" on host, created at t: all stored. */
static void
ship(const char *host, const char *w, long n, long long t)
{
	size_t		 cap = (size_t)n * 160 + 16, len = 0;
	char		*body = malloc(cap);
	struct resp	*r;
	long		 i;

	ck_assert_ptr_nonnull(body);
	body[len++] = '[';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(body + len, cap - len, "%s{\"user\": "
		    "\"ops\", \"host\": \"%s\", \"text\": \"grep %s /var/log/"
		    "app-%ld.log\", \"created_time\": %lld}", i ? ", " : "",
		    host, w, i, t);
	snprintf(body + len, cap - len, "]");
	r = api("POST", PATH, admin_token(), body);
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	ck_assert_int_eq(jint(r->json, "stored"), n);
	resp_free(r);
	free(body);
}

/*
 * One old line whose words are stored as windows (a word of 150
 * characters), with a word twice and mixed case: its index rows come
 * from its text again when it is purged.  Its id.
 */
static long long
ship_long(const char *host, long long t)
{
	char		 body[1024], w[151];
	struct resp	*r;
	int		 i;

	for (i = 0; i < 150; i++)
		w[i] = "AbCdEfGhIj0123456789_"[i % 21];
	w[150] = '\0';
	snprintf(body, sizeof(body), "[{\"user\": \"ops\", \"host\": \"%s\", "
	    "\"text\": \"tar xzf %s.tgz; TAR tar -C /x\", \"created_time\": "
	    "%lld}]", host, w, t);
	r = api("POST", PATH, admin_token(), body);
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	resp_free(r);
	return db_int(fmt("SELECT MAX(id) FROM jump_logs WHERE host = '%s'",
	    host));
}

/* The count of a keyword search on host, which must answer 200. */
static long long
search(const char *host, const char *w)
{
	struct resp	*r = api("GET", fmt(PATH "?host=%s&keyword=%s", host, w),
			    admin_token(), NULL);
	long long	 n;

	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	n = jint(r->json, "count");
	resp_free(r);
	return n;
}

static long long
lines_of(const char *host)
{
	return db_int(fmt("SELECT COUNT(*) FROM jump_logs WHERE host = '%s'",
	    host));
}

static long long
postings_of(const char *host)
{
	return db_int(fmt("SELECT COUNT(*) FROM jump_log_postings p JOIN "
	    "jump_logs l ON l.id = p.log_id WHERE l.host = '%s'", host));
}

static long long
ms_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

START_TEST(old_lines_go_with_their_index)
{
	const char	*old = uniq("rt-old"), *keep = uniq("rt-keep");
	const char	*lng = uniq("rt-long");
	const char	*wold = word("zqold"), *wkeep = word("zqkeep");
	long long	 now = (long long)time(NULL), lo, hi, keep_posts, lid;
	long long	 t0, worst = 0, left, n, during = 0, prev = 1200;
	pid_t		 pid;

	stack_cmd("stop-agent");
	/* 1,200 lines 31 days old (past 30), 300 of 29 days and of now. */
	ship(old, wold, 600, now - 31 * DAY);
	ship(old, wold, 600, now - 400 * DAY);
	ship(keep, wkeep, 150, now - 29 * DAY);
	ship(keep, wkeep, 150, now);
	lid = ship_long(lng, now - 31 * DAY);
	/* tar, xzf, tgz, the windows of the long word (4 of them) */
	ck_assert_int_ge(db_int(fmt("SELECT COUNT(*) FROM jump_log_postings "
	    "WHERE log_id = %lld", lid)), 7);
	lo = db_int(fmt("SELECT MIN(id) FROM jump_logs WHERE host = '%s'", old));
	hi = db_int(fmt("SELECT MAX(id) FROM jump_logs WHERE host = '%s'", old));
	ck_assert_int_eq(lines_of(old), 1200);
	/* grep, the word, var, log, app, the number (two digits or more) */
	ck_assert_int_ge(postings_of(old), 1200 * 5);
	keep_posts = postings_of(keep);
	ck_assert_int_ge(keep_posts, 300 * 5);
	ck_assert_int_eq(search(old, wold), 1200);
	ck_assert_int_eq(search(keep, wkeep), 300);

	/* Ten lines a transaction: 120 of them, searched all along. */
	pid = agent_spawn("retention", "jump_log_retention_days = 30\n"
	    "jump_log_purge_batch = 10\n");
	t0 = ms_now();
	do {
		long long a = ms_now();

		ck_assert_int_eq(search(keep, wkeep), 300);
		n = search(old, wold);
		if (ms_now() - a > worst)
			worst = ms_now() - a;
		left = lines_of(old);
		if (left > 0 && left < 1200)
			during++;
		/* old lines only ever go */
		ck_assert_int_le(n, prev);
		prev = n;
	} while (left > 0 && ms_now() - t0 < 60000);
	ck_assert_int_eq(left, 0);
	ck_assert_msg(during > 0, "no search ran while the purge did");
	fprintf(stderr, "retention: 1200 lines in 120 batches, %lld searches "
	    "during it, slowest pair %lld ms\n", during, worst);
	agent_reap(pid);

	/* Old lines gone with every index row; newer ones whole. */
	ck_assert_int_eq(search(old, wold), 0);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM jump_log_postings "
	    "WHERE log_id BETWEEN %lld AND %lld", lo, hi)), 0);
	ck_assert_int_eq(lines_of(lng), 0);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM jump_log_postings "
	    "WHERE log_id = %lld", lid)), 0);
	ck_assert_int_eq(lines_of(keep), 300);
	ck_assert_int_eq(postings_of(keep), keep_posts);
	ck_assert_int_eq(search(keep, wkeep), 300);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM jump_logs WHERE host "
	    "= '%s' AND created_time < UTC_TIMESTAMP() - INTERVAL 30 DAY",
	    keep)), 0);
	/* The agent said so in its log. */
	ck_assert_int_eq(system(fmt("grep -q 'step=retention.*result=purged' "
	    "\"%s/log/agent-retention.log\"", getenv("HANGAR_DIR"))), 0);
}
END_TEST

/* Retention 0 (the stack's default): nothing is dropped, however old. */
START_TEST(zero_keeps_everything)
{
	const char	*h = uniq("rt-zero"), *w = word("zqzero");
	pid_t		 pid;

	stack_cmd("stop-agent");
	ship(h, w, 20, 86400);		/* 1970-01-02 */
	pid = agent_spawn("noretention", "jump_log_retention_days = 0\n"
	    "jump_log_purge_batch = 1\n");
	sleep(2);
	agent_reap(pid);
	ck_assert_int_eq(lines_of(h), 20);
	ck_assert_int_eq(search(h, w), 20);
}
END_TEST

static void
agent_up(void)
{
	stack_cmd("start-agent");
}

static TCase *
tc_retention(void)
{
	TCase *tc = tcase_create("jump_retention");

	tcase_set_timeout(tc, 180);
	tcase_add_checked_fixture(tc, NULL, agent_up);
	tcase_add_test(tc, zero_keeps_everything);
	tcase_add_test(tc, old_lines_go_with_their_index);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_retention };

	return run_suite("jump_retention", cases, 1) ? 1 : 0;
}
