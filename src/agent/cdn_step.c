/*
 * cdn_step.c -- one CDN refresh task (kind cdn_refresh, cdn_tasks), run on
 * a pool thread: it has no hosts, so the pool runs it as host 0.
 *
 * The task's URLs (duplicates dropped) are split into the vendor's calls
 * (hg_cdn_split), each part is submitted once (its vendor task id is
 * recorded in cdn_tasks.parts before the next is sent, so a re-delivered
 * or taken-over task never submits a part twice), then every part is
 * queried every cdn_poll_ms until all are done (FINISHED), one failed or
 * the vendor refused a call (FAILED, with the vendor's words), or
 * cdn_timeout seconds passed since the task was created (TIMEOUT).  An
 * answer that says "too many requests" (or no answer at all) is tried
 * again after a pause that doubles each time, from cdn_poll_ms up to a
 * minute, within the deadline.
 *
 * One agent works on a task at a time: cdn_tasks.agent names it, and
 * another agent takes the task over only once that one stops heartbeating
 * (as task hosts are taken over, host.c).  On SIGTERM the step stops
 * between two calls and leaves the task RUNNING for whoever comes next.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <sodium.h>

#include "agent.h"
#include "cdn.h"
#include "conf.h"
#include "secret.h"

#define AGENT_DEAD_S	5	/* as host.c: heartbeat silence that means dead */
#define BACKOFF_MAX_MS	60000
#define CALL_MAX_MS	30000L

struct cdnrun {
	struct worker		*w;
	struct job		*j;
	struct hg_cdn_account	 acct;
	long long		 deadline;	/* ms, CLOCK_MONOTONIC */
	int			 dirs;
	const char		**urls;
	size_t			 n;
	size_t			*starts, ncalls;
	char			**ids;		/* vendor task id per part */
	size_t			 nids;
	char			 msg[1024];
	int			 ended;		/* finish() ran */
	struct timespec		 t0;
};

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sleep ms, in slices, unless the deadline or SIGTERM comes first. */
static int
pause_ms(struct cdnrun *c, long long ms)
{
	long long end = mono_ms() + ms;

	while (mono_ms() < end) {
		if (pool_stopping() || mono_ms() >= c->deadline)
			return -1;
		usleep(50000);
	}
	return 0;
}

/* The call's bound: what is left before the deadline, at most 30 s. */
static long
left_ms(const struct cdnrun *c)
{
	long long left = c->deadline - mono_ms();

	return left > CALL_MAX_MS ? CALL_MAX_MS : left < 1 ? 1 : (long)left;
}

/* The end: status and error (NULL for FINISHED), task row too. */
static void
finish(struct cdnrun *c, const char *status, const char *error)
{
	struct hg_db *db = c->w->w_db;

	c->ended = 1;
	if (hg_db_exec(db, "UPDATE cdn_tasks SET status = ?, error = ?, "
	    "finished_time = UTC_TIMESTAMP() WHERE task_id = ? AND status = "
	    "'RUNNING' AND agent = ?", "ssis", status, error, c->j->j_task,
	    agent_name) != 0 || hg_db_affected(db) != 1) {
		ev(HG_WARN, c->j->j_task, NULL, "cdn", ms_since(&c->t0), "error",
		    "could not record %s (tried again later): %s", status,
		    hg_db_last_error(db));
		return;
	}
	(void)hg_db_exec(db, "UPDATE tasks SET status = ?, finished_time = "
	    "UTC_TIMESTAMP() WHERE id = ? AND status = 'running'", "si",
	    strcmp(status, "FINISHED") == 0 ? "finished" : "failed",
	    c->j->j_task);
	ev(strcmp(status, "FINISHED") == 0 ? HG_INFO : HG_WARN, c->j->j_task,
	    NULL, "cdn", ms_since(&c->t0), status, "%zu URLs in %zu calls%s%s",
	    c->n, c->ncalls, error != NULL ? ": " : "", error != NULL ?
	    error : "");
}

/*
 * Take the task: free, ours already, or held by an agent that stopped
 * heartbeating.  1 taken, 0 not (done, or another agent has it).
 */
static int
take(struct cdnrun *c)
{
	struct hg_rows	*rs;
	struct hg_db	*db = c->w->w_db;

	if (hg_db_exec(db, "UPDATE cdn_tasks SET agent = ? WHERE task_id = ? "
	    "AND status = 'RUNNING' AND (agent IS NULL OR agent = ? OR NOT "
	    "EXISTS (SELECT 1 FROM agents a WHERE a.name = cdn_tasks.agent AND "
	    "a.seen_time >= UTC_TIMESTAMP() - INTERVAL ? SECOND))", "sisi",
	    agent_name, c->j->j_task, agent_name, (long long)AGENT_DEAD_S) != 0 ||
	    hg_db_query(db, &c->w->w_arena, &rs, "SELECT agent FROM cdn_tasks "
	    "WHERE task_id = ? AND status = 'RUNNING'", "i",
	    c->j->j_task) != 0 || rs->nrows == 0)
		return 0;
	return HG_CELL(rs, 0, 0) != NULL &&
	    strcmp(HG_CELL(rs, 0, 0), agent_name) == 0;
}

/* Record the vendor ids of the parts submitted so far. */
static int
save_parts(struct cdnrun *c)
{
	json_object	*arr = json_object_new_array();
	size_t		 i;
	int		 rc;

	for (i = 0; i < c->nids; i++)
		json_object_array_add(arr, json_object_new_string(c->ids[i]));
	rc = hg_db_exec(c->w->w_db, "UPDATE cdn_tasks SET parts = ? WHERE "
	    "task_id = ? AND agent = ?", "sis", json_object_to_json_string_ext(
	    arr, JSON_C_TO_STRING_PLAIN), c->j->j_task, agent_name);
	json_object_put(arr);
	return rc;
}

/* The next pause after one of d ms: doubled, at most a minute. */
static long long
longer(long long d)
{
	return d * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : d * 2;
}

/* Submit the parts not submitted yet.  0 all sent, -1 stopped. */
static int
submit_all(struct cdnrun *c)
{
	struct hg_arena	 a;
	long long	 back = hg_conf.cdn_poll_ms;
	char		*id;
	size_t		 i, end;
	int		 rc;

	hg_arena_init(&a);
	while (c->nids < c->ncalls) {
		i = c->nids;
		end = i + 1 < c->ncalls ? c->starts[i + 1] : c->n;
		rc = hg_cdn_submit(&a, &c->acct, c->dirs, c->urls + c->starts[i],
		    end - c->starts[i], left_ms(c), &id, c->msg, sizeof(c->msg));
		if (rc == HG_CDN_OK) {
			c->ids[c->nids++] = strdup(id);
			if (c->ids[c->nids - 1] == NULL)
				hg_fatal("out of memory");
			if (save_parts(c) != 0) {
				/* Not recorded: do not send more than we know. */
				hg_arena_free(&a);
				return -1;
			}
			ev(HG_INFO, c->j->j_task, NULL, "cdn", -1, "submitted",
			    "part %zu of %zu: %zu URLs, vendor task %s", i + 1,
			    c->ncalls, end - c->starts[i], id);
			back = hg_conf.cdn_poll_ms;
		} else if (rc == HG_CDN_EVENDOR) {
			hg_arena_free(&a);
			finish(c, "FAILED", c->msg);
			return -1;
		} else {
			ev(HG_INFO, c->j->j_task, NULL, "cdn", -1, rc ==
			    HG_CDN_THROTTLED ? "throttled" : "retry",
			    "part %zu: %s; again in %lld ms", i + 1, c->msg, back);
			if (pause_ms(c, back) != 0) {
				hg_arena_free(&a);
				return -1;
			}
			back = longer(back);
		}
		hg_arena_reset(&a);
	}
	hg_arena_free(&a);
	return 0;
}

/* Query the parts until all are done.  0 finished, -1 ended otherwise. */
static int
poll_all(struct cdnrun *c)
{
	struct hg_arena	 a;
	long long	 wait = hg_conf.cdn_poll_ms;
	size_t		 i, ndone = 0;
	char		*done;
	int		 rc, st, result = -1;

	if ((done = calloc(c->ncalls + 1, 1)) == NULL)
		hg_fatal("out of memory");
	hg_arena_init(&a);
	while (ndone < c->ncalls) {
		if (pause_ms(c, wait) != 0)
			goto out;	/* deadline or SIGTERM */
		wait = hg_conf.cdn_poll_ms;
		for (i = 0; i < c->ncalls; i++) {
			if (done[i])
				continue;
			rc = hg_cdn_query(&a, &c->acct, c->dirs, c->ids[i],
			    left_ms(c), &st, c->msg, sizeof(c->msg));
			hg_arena_reset(&a);
			if (rc == HG_CDN_EVENDOR || (rc == HG_CDN_OK && st < 0)) {
				finish(c, "FAILED", c->msg);
				goto out;
			}
			if (rc != HG_CDN_OK) {
				ev(HG_INFO, c->j->j_task, NULL, "cdn", -1,
				    rc == HG_CDN_THROTTLED ? "throttled" : "retry",
				    "status of part %zu: %s", i + 1, c->msg);
				wait = longer(wait);
				break;
			}
			if (st > 0) {
				done[i] = 1;
				ndone++;
			}
		}
	}
	result = 0;
out:
	hg_arena_free(&a);
	free(done);
	return result;
}

static void
put_json(void *o)
{
	json_object_put(o);
}

/* "[...]" of strings: the distinct ones, in order, into c->urls. */
static int
load_urls(struct cdnrun *c, const char *text)
{
	json_object	*arr = json_tokener_parse(text), *it;
	size_t		 i, k, n;
	const char	*u;

	if (arr == NULL || !json_object_is_type(arr, json_type_array)) {
		json_object_put(arr);
		return -1;
	}
	hg_cleanup_add(&c->w->w_arena, put_json, arr);
	n = json_object_array_length(arr);
	c->urls = hg_alloc(&c->w->w_arena, (n + 1) * sizeof(*c->urls));
	for (i = 0; i < n; i++) {
		it = json_object_array_get_idx(arr, i);
		if (!json_object_is_type(it, json_type_string))
			return -1;
		u = json_object_get_string(it);
		for (k = 0; k < c->n && strcmp(c->urls[k], u) != 0; k++)
			continue;
		if (k == c->n)
			c->urls[c->n++] = u;
	}
	return c->n > 0 ? 0 : -1;
}

/* The parts already submitted (a re-delivered task). */
static void
load_parts(struct cdnrun *c, const char *text)
{
	json_object	*arr;
	size_t		 i, n;

	if (text == NULL || (arr = json_tokener_parse(text)) == NULL)
		return;
	if (json_object_is_type(arr, json_type_array)) {
		n = json_object_array_length(arr);
		for (i = 0; i < n && c->nids < c->ncalls; i++)
			if ((c->ids[c->nids++] = strdup(json_object_get_string(
			    json_object_array_get_idx(arr, i)))) == NULL)
				hg_fatal("out of memory");
	}
	json_object_put(arr);
}

void
cdn_run(struct worker *w, struct job *j)
{
	struct cdnrun	 c;
	struct hg_rows	*rs;
	char		*secret = NULL;
	long long	 age;
	size_t		 i;
	int		 pv;

	memset(&c, 0, sizeof(c));
	c.w = w;
	c.j = j;
	clock_gettime(CLOCK_MONOTONIC, &c.t0);
	if (!take(&c))
		return;
	if (hg_db_query(w->w_db, &w->w_arena, &rs, "SELECT c.provider, "
	    "c.refresh_mode, c.urls, c.parts, TIMESTAMPDIFF(SECOND, "
	    "c.created_time, UTC_TIMESTAMP()), a.provider, a.endpoint, "
	    "a.access_key, a.secret FROM cdn_tasks c LEFT JOIN cloud_accounts a "
	    "ON a.id = c.account_id WHERE c.task_id = ?", "i", j->j_task) != 0 ||
	    rs->nrows == 0)
		return;		/* looked at again by job_check */
	age = hg_atoll(HG_CELL(rs, 0, 4));
	c.deadline = mono_ms() + (hg_conf.cdn_timeout - age) * 1000;
	c.dirs = strcmp(HG_CELL(rs, 0, 1), "RECURSIVE") == 0;
	if (HG_CELL(rs, 0, 5) == NULL ||
	    strcmp(HG_CELL(rs, 0, 5), HG_CELL(rs, 0, 0)) != 0) {
		finish(&c, "FAILED", "the task's cloud account is gone or is no "
		    "longer an account of its CDN provider");
		return;
	}
	if (load_urls(&c, HG_CELL(rs, 0, 2)) != 0) {
		finish(&c, "FAILED", "the task's URL list cannot be read");
		return;
	}
	if ((secret = hg_unseal(&w->w_arena, HG_CELL(rs, 0, 8))) == NULL) {
		finish(&c, "FAILED", "the cloud account's secret cannot be "
		    "decrypted (server key)");
		return;
	}
	pv = hg_cdn_provider_parse(HG_CELL(rs, 0, 0));
	c.acct.cd_provider = (enum hg_cdn_provider)pv;
	c.acct.cd_endpoint = HG_CELL(rs, 0, 6);
	c.acct.cd_access_key = HG_CELL(rs, 0, 7);
	c.acct.cd_secret = secret;
	c.starts = hg_alloc(&w->w_arena, c.n * sizeof(*c.starts));
	c.ncalls = hg_cdn_split(c.acct.cd_provider, c.dirs, c.urls, c.n,
	    c.starts);
	if ((c.ids = calloc(c.ncalls + 1, sizeof(*c.ids))) == NULL)
		hg_fatal("out of memory");
	load_parts(&c, HG_CELL(rs, 0, 3));
	ev(HG_INFO, j->j_task, NULL, "cdn", -1, "start", "%s %s: %zu URLs in "
	    "%zu calls, %zu already submitted, %lld s left", HG_CELL(rs, 0, 0),
	    HG_CELL(rs, 0, 1), c.n, c.ncalls, c.nids, hg_conf.cdn_timeout - age);
	if (mono_ms() < c.deadline && submit_all(&c) == 0 &&
	    poll_all(&c) == 0)
		finish(&c, "FINISHED", NULL);
	else if (!c.ended && !pool_stopping() && mono_ms() >= c.deadline) {
		snprintf(c.msg, sizeof(c.msg), "not finished within cdn_timeout "
		    "(%ld s): %zu of %zu calls submitted", hg_conf.cdn_timeout,
		    c.nids, c.ncalls);
		finish(&c, "TIMEOUT", c.msg);
	}
	sodium_memzero(secret, strlen(secret));
	for (i = 0; i < c.nids; i++)
		free(c.ids[i]);
	free(c.ids);
}
