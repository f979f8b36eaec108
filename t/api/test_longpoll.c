/*
 * test_longpoll.c -- GET /tasks/{id}/output/ waits for new lines, but at
 * most half the workers wait at once (the test stack has 4): the others'
 * readers are answered at once with Retry-After, and the rest of the API
 * keeps answering while people watch a running task.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

#define READERS	3

struct reader {
	pthread_t	 t;
	const char	*path;
	long		 status;
	double		 took;
	int		 lines;
	int		 finished;
	int		 retry_after;
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
read_output(void *arg)
{
	struct reader	*rd = arg;
	double		 t0 = now();
	struct resp	*r = api("GET", rd->path, admin_token(), NULL);
	const char	*ra = resp_header(r, "Retry-After");
	json_object	*lines;

	rd->took = now() - t0;
	rd->status = r->status;
	lines = r->json ? jpath(r->json, "lines") : NULL;
	rd->lines = json_object_is_type(lines, json_type_array) ?
	    (int)json_object_array_length(lines) : -1;
	rd->finished = r->json ? json_object_get_boolean(jpath(r->json,
	    "finished")) : -1;
	rd->retry_after = ra != NULL && strcmp(ra, "1") == 0;
	resp_free(r);
	return NULL;
}

START_TEST(half_the_workers_wait_at_most)
{
	struct reader	 rd[READERS];
	long long	 task;
	const char	*path;
	double		 t0;
	int		 i, quick = 0, waited = 0;

	(void)admin_token();
	task = db_insert("INSERT INTO tasks (kind, status, creator, opts) "
	    "VALUES ('restart', 'running', 'admin', '{}')");
	path = fmt("/tasks/%lld/output/", task);
	for (i = 0; i < READERS; i++) {
		memset(&rd[i], 0, sizeof(rd[i]));
		rd[i].path = path;
		ck_assert_int_eq(pthread_create(&rd[i].t, NULL, read_output,
		    &rd[i]), 0);
		usleep(100000);
	}
	/* two wait; the rest of the API still answers at once */
	usleep(1000000);
	t0 = now();
	expect_status(api("GET", "/auth/me/", admin_token(), NULL), 200);
	expect_status(api("GET", "/users/?page_size=1", admin_token(), NULL),
	    200);
	ck_assert_msg(now() - t0 < 1.0, "the API took %.2f s while output was "
	    "watched", now() - t0);
	/* the task ends: the waiting readers return with it */
	db_exec(fmt("UPDATE tasks SET status = 'finished', finished_time = "
	    "UTC_TIMESTAMP() WHERE id = %lld", task));
	for (i = 0; i < READERS; i++) {
		ck_assert_int_eq(pthread_join(rd[i].t, NULL), 0);
		ck_assert_int_eq(rd[i].status, 200);
		ck_assert_int_eq(rd[i].lines, 0);
		if (rd[i].took < 0.5) {
			/* answered at once, told to come back */
			ck_assert(rd[i].retry_after);
			ck_assert_int_eq(rd[i].finished, 0);
			quick++;
		} else {
			ck_assert_msg(rd[i].took > 1.0 && rd[i].took < 10.0,
			    "a reader took %.2f s", rd[i].took);
			ck_assert(!rd[i].retry_after);
			ck_assert_int_eq(rd[i].finished, 1);
			waited++;
		}
	}
	ck_assert_int_eq(waited, 2);
	ck_assert_int_eq(quick, 1);
	/* the places are free again: a reader may wait */
	task = db_insert("INSERT INTO tasks (kind, status, creator, opts) "
	    "VALUES ('restart', 'running', 'admin', '{}')");
	rd[0].path = fmt("/tasks/%lld/output/", task);
	ck_assert_int_eq(pthread_create(&rd[0].t, NULL, read_output, &rd[0]),
	    0);
	usleep(1000000);
	db_exec(fmt("UPDATE tasks SET status = 'finished' WHERE id = %lld",
	    task));
	ck_assert_int_eq(pthread_join(rd[0].t, NULL), 0);
	ck_assert_msg(rd[0].took > 1.0 && !rd[0].retry_after, "took %.2f s",
	    rd[0].took);
}
END_TEST

/* A worker killed while it waits gives its place back (the master). */
START_TEST(a_killed_waiter_frees_its_place)
{
	struct reader	 rd[2], again;
	pid_t		 master = hangard_master(), kids[HG_MAXKIDS];
	long long	 task;
	int		 i, n;

	(void)admin_token();
	task = db_insert("INSERT INTO tasks (kind, status, creator, opts) "
	    "VALUES ('restart', 'running', 'admin', '{}')");
	for (i = 0; i < 2; i++) {
		memset(&rd[i], 0, sizeof(rd[i]));
		rd[i].path = fmt("/tasks/%lld/output/", task);
		ck_assert_int_eq(pthread_create(&rd[i].t, NULL, read_output,
		    &rd[i]), 0);
	}
	usleep(800000);
	/* both places taken; every worker killed, then replaced */
	n = hangard_workers(master, kids);
	ck_assert_int_ge(n, 4);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(kill(kids[i], SIGKILL), 0);
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(pthread_join(rd[i].t, NULL), 0);
		ck_assert_int_ne(rd[i].status, 200);	/* cut off */
	}
	for (i = 0; i < 100 && hangard_workers(master, kids) < n; i++)
		usleep(100000);
	expect_status(api("GET", "/auth/me/", admin_token(), NULL), 200);
	/* a new reader may wait: the dead ones' places are free */
	memset(&again, 0, sizeof(again));
	again.path = fmt("/tasks/%lld/output/", task);
	ck_assert_int_eq(pthread_create(&again.t, NULL, read_output, &again),
	    0);
	usleep(1200000);
	db_exec(fmt("UPDATE tasks SET status = 'finished' WHERE id = %lld",
	    task));
	ck_assert_int_eq(pthread_join(again.t, NULL), 0);
	ck_assert_int_eq(again.status, 200);
	ck_assert_msg(again.took > 1.0 && !again.retry_after, "took %.2f s, "
	    "Retry-After %d", again.took, again.retry_after);
}
END_TEST

static TCase *
tc_longpoll(void)
{
	TCase *tc = tcase_create("longpoll");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, half_the_workers_wait_at_most);
	tcase_add_test(tc, a_killed_waiter_frees_its_place);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_longpoll };

	return run_suite("longpoll", cases, 1) ? 1 : 0;
}
