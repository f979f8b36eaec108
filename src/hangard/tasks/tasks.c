/*
 * tasks.c -- queuing tasks from handlers, and GET /tasks/{task_id}/output/:
 * a task's output lines after a cursor.
 *
 * Output lives in two places (see hangar-agent(8)): the agent XADDs every
 * line to the Redis stream hangar:output:<task> as it happens, and writes a
 * host's lines to task_output when that host finishes.  A reader of a
 * running task follows the Redis stream (cursor "r:<entry id>"); a reader
 * of a finished task, or of any task while Redis is down, reads MySQL
 * (cursor "m:<row id>").  The cursor says which, so a client simply passes
 * back what it got.  With nothing new the request waits up to 25 s, when
 * a place to wait is free (output_get).
 *
 * Any authenticated user may ask, but only for a task it may see
 * (taskvis.h, hg_task_readable: every host of a host task visible to it,
 * the application of a deploy sub-task); any other is a 404.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hangard.h"
#include "queue.h"
#include "redis.h"
#include "taskvis.h"

#define OUT_LIMIT	1000	/* lines per answer */
#define OUT_WAIT_S	25	/* long-poll bound */

/*
 * Queue a task (hangard.h).  A failure is recorded on the request, as
 * sql.c's helpers do, so the handler only passes the code on.
 */
int
hg_task_new(struct hg_req *r, const char *kind, const char *opts,
    const long long *host_ids, size_t nhosts, long long *task_id)
{
	int rc;

	if ((rc = hg_task_create(r->r_db, r->r_arena, kind, r->r_user != NULL ?
	    r->r_user->u_username : "system", opts, host_ids, nhosts,
	    task_id)) != 0)
		return hg_fail(r, rc, NULL);
	r->r_outbox = 1;
	return 0;
}

int
hg_task_scope(struct hg_req *r, long long *all, long long *sw)
{
	int rc;

	*all = hg_visible_all(r, "host");
	*sw = 0;
	if ((rc = hg_perm_module(r, "resource", "enable_host_mgmt")) < 0)
		return r->r_err;
	*sw = rc;
	return 0;
}

/*
 * taskvis.h.  A sub-task's hosts are its application's instances: the
 * people who deploy an application see its deploy task and the results
 * of its sub-tasks (GET /application/deploy-tasks/{id}/) without any host
 * permission, so its output follows the application, never the hosts;
 * a host viewer who may not view the application does not see it.  A
 * sub-task without its deploy_subtasks row (never left by the API) is
 * the superuser's only: no fallback to its hosts.
 */
#define READABLE_SQL "SELECT t.status FROM tasks t LEFT JOIN " \
	"deploy_subtasks ds ON ds.task_id = t.id WHERE t.id = ?i AND " \
	"IF(t.kind IN (?s, ?s), ?i = 1 OR (?i = 1 AND ds.app_id IS NOT NULL " \
	"AND " HG_VISIBLE_SQL("application", "view_app", "ds.app_id") "), " \
	HG_TASK_VISIBLE_SQL("t.id") ")"
int
hg_task_readable(struct hg_req *r, long long task, const char **status)
{
	struct hg_rows	*rs;
	long long	 all, sw, app_sw, app_all, uid = r->r_user->u_id;
	long long	 super = r->r_user->u_superuser;
	int		 rc;

	if ((rc = hg_task_scope(r, &all, &sw)) != 0)
		return rc;
	if ((rc = hg_perm_module(r, "application", "enable_app_mgmt")) < 0)
		return r->r_err;
	app_sw = rc;
	app_all = hg_visible_all(r, "application");
	if ((rc = hg_sql(r, &rs, READABLE_SQL, task, HG_TASK_UPGRADE,
	    HG_TASK_REVERT, super, app_sw, app_all, uid, uid, all, sw, uid,
	    uid)) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no task with id %lld", task);
	*status = HG_CELL(rs, 0, 0);
	return 0;
}

/* ---- output ---------------------------------------------------------- */

struct cursor {
	char		 c_kind;	/* 'r' Redis, 'm' MySQL, 0 not chosen */
	char		 c_entry[48];	/* Redis entry id */
	long long	 c_row;		/* task_output.id */
};

/* "", "r:<ms>-<seq>" or "m:<n>"; -1 for anything else. */
static int
cursor_parse(const char *s, struct cursor *c)
{
	unsigned long long	 a, b;
	char			 tail;

	memset(c, 0, sizeof(*c));
	if (s == NULL || *s == '\0')
		return 0;
	if (strncmp(s, "m:", 2) == 0 &&
	    sscanf(s + 2, "%llu%c", &a, &tail) == 1 && s[2] >= '0' &&
	    s[2] <= '9') {
		c->c_kind = 'm';
		c->c_row = (long long)a;
		return 0;
	}
	if (strncmp(s, "r:", 2) == 0 && s[2] >= '0' && s[2] <= '9' &&
	    sscanf(s + 2, "%llu-%llu%c", &a, &b, &tail) == 2 &&
	    strchr(s + 2, '-') != NULL) {
		c->c_kind = 'r';
		snprintf(c->c_entry, sizeof(c->c_entry), "%llu-%llu", a, b);
		return 0;
	}
	return -1;
}

/* A line of output: {host, stream, text, time}, from MySQL or Redis. */
#define OUT_COLS(X) \
	X(OC_ID,	"id",		"id",		NONE)	\
	X(OC_HOST,	"host",		"hostname",	STR)	\
	X(OC_STREAM,	"stream",	"stream",	STR)	\
	X(OC_TEXT,	"text",		"text",		STR)	\
	X(OC_TIME,	"time",		"time",		TIME)
enum { OUT_COLS(HG_COL_ENUM) OC__MAX };
static const struct hg_col out_cols[] = { OUT_COLS(HG_COL_DECL) };
#define OUT_SELECT "SELECT " OUT_COLS(HG_COL_SQL)

static json_object *
line_json(struct hg_req *r, const char *host, const char *stream,
    const char *text, const char *time)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "host", hg_jstr(host));
	json_object_object_add(o, "stream", hg_jstr(stream));
	json_object_object_add(o, "text", hg_jstr(text));
	json_object_object_add(o, "time", hg_jtime(r, time));
	return o;
}

/* Lines from task_output after c->c_row, *n of them; advances the cursor. */
static int
read_mysql(struct hg_req *r, long long task, struct cursor *c,
    json_object *lines, int *n)
{
	struct hg_rows	*rs;
	int		 i, rc;

	if ((rc = hg_sql(r, &rs, OUT_SELECT HG_NOCOUNT " FROM task_output "
	    "WHERE task_id = ?i AND id > ?i ORDER BY id LIMIT ?i", task,
	    c->c_row, (long long)OUT_LIMIT)) != 0)
		return rc;
	for (i = 0; i < rs->nrows; i++)
		json_object_array_add(lines, HG_ROW(r, out_cols, rs, i));
	if (rs->nrows > 0)
		c->c_row = hg_atoll(HG_CELL(rs, rs->nrows - 1, OC_ID));
	*n = rs->nrows;
	return 0;
}

/* The value of field name in an entry's flat [k, v, k, v] list. */
static const char *
entry_field(const redisReply *f, const char *name)
{
	size_t i;

	for (i = 0; f->type == REDIS_REPLY_ARRAY && i + 1 < f->elements; i += 2)
		if (f->element[i]->type == REDIS_REPLY_STRING &&
		    strcmp(f->element[i]->str, name) == 0 &&
		    f->element[i + 1]->type == REDIS_REPLY_STRING)
			return f->element[i + 1]->str;
	return NULL;
}

/* Lines from the live stream after c->c_entry; -1 when Redis is down. */
static int
read_redis(struct hg_req *r, long long task, struct cursor *c,
    json_object *lines)
{
	char		 key[64], from[64], count[16];
	const char	*argv[] = { "XRANGE", key, from, "+", "COUNT", count };
	redisReply	*rep, *e;
	size_t		 i;
	int		 n = 0;

	snprintf(key, sizeof(key), HG_OUTPUT_PREFIX "%lld", task);
	snprintf(from, sizeof(from), "(%s", c->c_entry);
	snprintf(count, sizeof(count), "%d", OUT_LIMIT);
	if ((rep = hg_redis_argv(r->r_redis, 6, argv, NULL)) == NULL)
		return -1;
	if (rep->type != REDIS_REPLY_ARRAY) {
		freeReplyObject(rep);
		return -1;
	}
	for (i = 0; i < rep->elements; i++) {
		e = rep->element[i];
		if (e->type != REDIS_REPLY_ARRAY || e->elements < 2)
			continue;
		json_object_array_add(lines, line_json(r,
		    entry_field(e->element[1], "host"),
		    entry_field(e->element[1], "stream"),
		    entry_field(e->element[1], "text"),
		    entry_field(e->element[1], "time")));
		snprintf(c->c_entry, sizeof(c->c_entry), "%s",
		    e->element[0]->str);
		n++;
	}
	freeReplyObject(rep);
	return n;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

enum { OQ_CURSOR, OQ__MAX };
static const struct hg_field output_q[OQ__MAX] = {
	[OQ_CURSOR] = { "cursor", HG_V_STR, 0, 0, 64 },
};

/*
 * Read a task's output after the request's cursor; with nothing new and
 * the task running, wait for a line if waits, else answer at once with a
 * Retry-After of a second.
 */
static int
output_read(struct hg_req *r, int waits)
{
	const struct hg_val	*v = r->r_qv;
	struct cursor		 c;
	json_object		*o, *lines;
	const char		*status;
	long long		 task = r->r_ids[0];
	double			 deadline = now_s() + (waits ? OUT_WAIT_S : 0);
	int			 rc, n, running;

	if (cursor_parse(v[OQ_CURSOR].present ? v[OQ_CURSOR].s : NULL, &c) != 0)
		return hg_invalid(r, "cursor", "not a cursor this endpoint returned");
	lines = hg_own(r, json_object_new_array());
	for (;;) {
		if ((rc = hg_task_readable(r, task, &status)) != 0)
			return rc;
		running = strcmp(status, "running") == 0;
		if (c.c_kind == 0)
			c.c_kind = running && hg_redis_up(r->r_redis) ? 'r' : 'm';
		if (c.c_kind == 'r' && c.c_entry[0] == '\0')
			strcpy(c.c_entry, "0-0");
		if (c.c_kind == 'm') {
			if ((rc = read_mysql(r, task, &c, lines, &n)) != 0)
				return rc;
		} else if ((n = read_redis(r, task, &c, lines)) < 0)
			return hg_fail(r, HG_E_UNAVAIL, "live output "
			    "unavailable (Redis is down); read again without a "
			    "cursor");
		if (n > 0 || !running || now_s() >= deadline)
			break;
		usleep(c.c_kind == 'r' ? 100000 : 250000);
	}
	o = json_object_new_object();
	json_object_object_add(o, "task_id", json_object_new_string(
	    hg_printf(r->r_arena, "%lld", task)));
	json_object_object_add(o, "lines", json_object_get(lines));
	json_object_object_add(o, "cursor", json_object_new_string(c.c_kind ==
	    'm' ? hg_printf(r->r_arena, "m:%lld", c.c_row) :
	    hg_printf(r->r_arena, "r:%s", c.c_entry)));
	json_object_object_add(o, "finished",
	    json_object_new_boolean(!running && n < OUT_LIMIT));
	if (!waits && running && n == 0)
		hg_header(r, "Retry-After: 1");
	return hg_reply(r, 200, o);
}

/*
 * GET /tasks/{task_id}/output/: of a task the caller may see.  At most
 * half the workers wait in this long poll at once (shared.c); the others'
 * readers get an answer at once and ask again.
 */
static int
output_get(struct hg_req *r)
{
	int waits = hg_wait_begin(), rc;

	rc = output_read(r, waits);
	if (waits)
		hg_wait_end();
	return rc;
}

const struct hg_route hg_routes_tasks[] = {
	ROUTE("GET", "/tasks/{id}/output", output_get, PERM_LOGIN,
	    QUERY(output_q)),
	ROUTES_END,
};
