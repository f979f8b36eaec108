/*
 * queue.c -- the job path's two halves (see queue.h): the transactional
 * outbox in MySQL and the Redis stream with its consumer group.
 *
 * Why an outbox: the request's transaction cannot include Redis, so the
 * task and "this task must be delivered" are written together in MySQL and
 * delivery happens after the commit, as often as needed.  Delivery is at
 * least once; the agent makes it exactly once per host by checking
 * task_hosts before every step.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "log.h"
#include "queue.h"
#include "redis.h"

#define PUSH_BATCH	500

int
hg_task_create(struct hg_db *db, struct hg_arena *a, const char *kind,
    const char *creator, const char *opts, const long long *host_ids,
    size_t nhosts, long long *task_id)
{
	struct hg_rows	*rs;
	size_t		 i;
	long long	 id;
	int		 rc;

	if ((rc = hg_db_exec(db, "INSERT INTO tasks (kind, status, creator, "
	    "opts) VALUES (?, 'running', ?, ?)", "sss", kind, creator,
	    opts != NULL ? opts : "{}")) != 0)
		return rc;
	id = (long long)hg_db_insert_id(db);
	for (i = 0; i < nhosts; i++) {
		/* INSERT IGNORE: a host named twice is one host of the task. */
		if ((rc = hg_db_exec(db, "INSERT IGNORE INTO task_hosts "
		    "(task_id, host_id, hostname, status, message) "
		    "SELECT ?, id, name, 'pending', '' FROM hosts WHERE id = ?",
		    "ii", id, host_ids[i])) != 0)
			return rc;
		if (hg_db_affected(db) == 0) {
			if ((rc = hg_db_query(db, a, &rs, "SELECT 1 FROM task_hosts "
			    "WHERE task_id = ? AND host_id = ?", "ii", id,
			    host_ids[i])) != 0)
				return rc;
			if (rs->nrows == 0)
				return HG_E_NOTFOUND;
		}
	}
	if ((rc = hg_db_exec(db, "INSERT INTO outbox (task_id) VALUES (?)",
	    "i", id)) != 0)
		return rc;
	*task_id = id;
	return 0;
}

/*
 * XADD hangar:jobs * <field> <id>, field "task" or "mail"; 0 or -1 (Redis
 * down or refused).
 */
static int
xadd_job(struct hg_redis *rd, const char *field, const char *id)
{
	const char	*argv[] = { "XADD", HG_JOBS_STREAM, "*", field, id };
	redisReply	*rep;
	int		 ok;

	if ((rep = hg_redis_argv(rd, 5, argv, NULL)) == NULL)
		return -1;
	ok = rep->type == REDIS_REPLY_STRING;
	if (!ok)
		log_warn("XADD %s: %s", HG_JOBS_STREAM,
		    rep->type == REDIS_REPLY_ERROR ? rep->str : "odd reply");
	freeReplyObject(rep);
	return ok ? 0 : -1;
}

int
hg_outbox_push(struct hg_db *db, struct hg_redis *rd, struct hg_arena *a)
{
	struct hg_rows	*rs;
	int		 i, n = 0;

	if (hg_db_query(db, a, &rs, "SELECT id, task_id, mail_id FROM outbox "
	    "WHERE delivered_time IS NULL ORDER BY id LIMIT ?", "i",
	    (long long)PUSH_BATCH) != 0)
		return -1;
	for (i = 0; i < rs->nrows; i++) {
		/* A row names a task or a mail (081_mail_outbox.sql). */
		if ((HG_CELL(rs, i, 1) != NULL ? xadd_job(rd, "task",
		    HG_CELL(rs, i, 1)) : xadd_job(rd, "mail",
		    HG_CELL(rs, i, 2))) != 0)
			return -1;
		/*
		 * Marked after the XADD: a crash in between means one more
		 * delivery, never none.
		 */
		if (hg_db_exec(db, "UPDATE outbox SET delivered_time = "
		    "UTC_TIMESTAMP() WHERE id = ?", "i",
		    hg_atoll(HG_CELL(rs, i, 0))) != 0)
			return -1;
		n++;
	}
	return n;
}

int
hg_queue_group(struct hg_redis *rd)
{
	const char	*argv[] = { "XGROUP", "CREATE", HG_JOBS_STREAM,
			    HG_JOBS_GROUP, "0", "MKSTREAM" };
	redisReply	*rep;
	int		 rc = -1;

	if ((rep = hg_redis_argv(rd, 6, argv, NULL)) == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_STATUS)
		rc = 1;
	else if (rep->type == REDIS_REPLY_ERROR &&
	    strncmp(rep->str, "BUSYGROUP", 9) == 0)
		rc = 0;
	else
		log_warn("XGROUP CREATE: %s", rep->type == REDIS_REPLY_ERROR ?
		    rep->str : "odd reply");
	freeReplyObject(rep);
	return rc;
}

/*
 * Fill jobs from an array of stream entries [[id, [field, value, ...]], ...]
 * (a deleted entry's field list is nil: XAUTOCLAIM in 7.0 may return it).
 */
static int
parse_entries(const redisReply *arr, struct hg_job *jobs, int max)
{
	const redisReply	*e, *f;
	size_t			 i, k;
	int			 n = 0;

	if (arr == NULL || arr->type != REDIS_REPLY_ARRAY)
		return 0;
	for (i = 0; i < arr->elements && n < max; i++) {
		e = arr->element[i];
		if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 ||
		    e->element[0]->type != REDIS_REPLY_STRING)
			continue;
		snprintf(jobs[n].j_entry, sizeof(jobs[n].j_entry), "%s",
		    e->element[0]->str);
		jobs[n].j_task = jobs[n].j_mail = 0;
		f = e->element[1];
		for (k = 0; f->type == REDIS_REPLY_ARRAY && k + 1 < f->elements;
		    k += 2) {
			if (f->element[k]->type != REDIS_REPLY_STRING ||
			    f->element[k + 1]->type != REDIS_REPLY_STRING)
				continue;
			if (strcmp(f->element[k]->str, "task") == 0)
				jobs[n].j_task = strtoll(f->element[k + 1]->str,
				    NULL, 10);
			else if (strcmp(f->element[k]->str, "mail") == 0)
				jobs[n].j_mail = strtoll(f->element[k + 1]->str,
				    NULL, 10);
		}
		n++;
	}
	return n;
}

/* Reply of XREADGROUP: [[stream, [entries]]] or nil on timeout. */
int
hg_queue_read(struct hg_redis *rd, const char *consumer, int block_ms,
    struct hg_job *jobs, int max)
{
	char		 count[16], block[16];
	const char	*argv[] = { "XREADGROUP", "GROUP", HG_JOBS_GROUP,
			    consumer, "COUNT", count, "BLOCK", block, "STREAMS",
			    HG_JOBS_STREAM, ">" };
	redisReply	*rep;
	int		 n = -1;

	snprintf(count, sizeof(count), "%d", max);
	snprintf(block, sizeof(block), "%d", block_ms);
	if ((rep = hg_redis_argv(rd, 11, argv, NULL)) == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_NIL)
		n = 0;
	else if (rep->type == REDIS_REPLY_ARRAY && rep->elements > 0 &&
	    rep->element[0]->type == REDIS_REPLY_ARRAY &&
	    rep->element[0]->elements == 2)
		n = parse_entries(rep->element[0]->element[1], jobs, max);
	else if (rep->type == REDIS_REPLY_ERROR)
		log_warn("XREADGROUP: %s", rep->str);
	freeReplyObject(rep);
	return n;
}

/* Reply of XAUTOCLAIM (7.0): [next-id, [entries], [deleted ids]]. */
int
hg_queue_claim(struct hg_redis *rd, const char *consumer,
    long long min_idle_ms, struct hg_job *jobs, int max)
{
	char		 idle[24], count[16];
	const char	*argv[] = { "XAUTOCLAIM", HG_JOBS_STREAM, HG_JOBS_GROUP,
			    consumer, idle, "0-0", "COUNT", count };
	redisReply	*rep;
	int		 n = -1;

	snprintf(idle, sizeof(idle), "%lld", min_idle_ms);
	snprintf(count, sizeof(count), "%d", max);
	if ((rep = hg_redis_argv(rd, 8, argv, NULL)) == NULL)
		return -1;
	if (rep->type == REDIS_REPLY_ARRAY && rep->elements >= 2)
		n = parse_entries(rep->element[1], jobs, max);
	else if (rep->type == REDIS_REPLY_ERROR)
		log_warn("XAUTOCLAIM: %s", rep->str);
	freeReplyObject(rep);
	return n;
}

int
hg_queue_touch(struct hg_redis *rd, const char *consumer, const char *entry)
{
	const char	*argv[] = { "XCLAIM", HG_JOBS_STREAM, HG_JOBS_GROUP,
			    consumer, "0", entry, "JUSTID" };
	redisReply	*rep;
	int		 ok;

	if ((rep = hg_redis_argv(rd, 7, argv, NULL)) == NULL)
		return -1;
	ok = rep->type == REDIS_REPLY_ARRAY;
	freeReplyObject(rep);
	return ok ? 0 : -1;
}

int
hg_queue_ack(struct hg_redis *rd, const char *entry)
{
	const char	*ack[] = { "XACK", HG_JOBS_STREAM, HG_JOBS_GROUP, entry };
	const char	*del[] = { "XDEL", HG_JOBS_STREAM, entry };
	redisReply	*rep;
	int		 ok;

	if ((rep = hg_redis_argv(rd, 4, ack, NULL)) == NULL)
		return -1;
	ok = rep->type == REDIS_REPLY_INTEGER;
	freeReplyObject(rep);
	if (ok && (rep = hg_redis_argv(rd, 3, del, NULL)) != NULL)
		freeReplyObject(rep);
	return ok ? 0 : -1;
}
