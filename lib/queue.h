/*
 * queue.h -- the job path: MySQL outbox -> Redis stream -> hangar-agent.
 *
 * A task is born in MySQL.  The request that creates it calls
 * hg_task_create() inside its own transaction: the tasks row, one
 * task_hosts row per host (status pending) and an outbox row are written
 * together, so the task exists exactly when the request's changes do.
 * After the commit, hg_outbox_push() XADDs every undelivered outbox row to
 * the stream "hangar:jobs" (one field: task=<id>, or mail=<id> for a mail
 * queued by hangard's hg_mail_queue) and marks it delivered.
 * When Redis is down the push fails quietly and the rows stay undelivered;
 * the sweeper (hg_outbox_push again: hangar-agent runs it every few
 * seconds, hangard after each task-creating commit) delivers them later.
 * A duplicate push is harmless: the agent checks MySQL before every host
 * step and never repeats a host that is done.
 *
 * In hangard, handlers do not call these directly: they call
 * hg_task_new() (hangard.h, src/hangard/tasks.c), which fills in the
 * creator and asks the dispatcher to push after commit.
 *
 * Agents read the stream through the consumer group "agents"
 * (hg_queue_read), keep the jobs they hold alive while they work
 * (hg_queue_touch), take over jobs whose holder fell silent for
 * claim_timeout seconds (hg_queue_claim) and acknowledge finished ones
 * (hg_queue_ack).  Debian 12 ships Redis 7.0 and hiredis 0.14: commands go
 * through redisCommandArgv (hg_redis_argv).
 */
#ifndef HG_QUEUE_H
#define HG_QUEUE_H

#include <stddef.h>

#include "arena.h"
#include "db.h"

struct hg_redis;

#define HG_JOBS_STREAM	"hangar:jobs"
#define HG_JOBS_GROUP	"agents"
/* Live output of task N: stream "hangar:output:N", fields host stream text time. */
#define HG_OUTPUT_PREFIX	"hangar:output:"
#define HG_OUTPUT_MAXLEN	"100000"	/* XADD MAXLEN ~ for one task */

/*
 * Task kinds the agent knows (src/agent/kinds.c holds the table that maps
 * each to its per-host step).  opts is the task's JSON options, stored as
 * given ("{}" when NULL) and readable by the step.
 */
#define HG_TASK_RESTART	"restart"	/* power: reboot the host */
#define HG_TASK_STOP	"stop"		/* power: shut the host down */
#define HG_TASK_START	"start"		/* power: boot it (out of band / cloud) */
#define HG_TASK_INIT	"init"		/* run init_script over SSH */
#define HG_TASK_STATUS	"change_status"	/* effects of a status change (Zabbix) */
#define HG_TASK_CDN	"cdn_refresh"	/* a CDN cache refresh (no hosts; cdn_tasks) */
#define HG_TASK_UPGRADE	"deploy_upgrade"	/* a sub-upgrade task (deploy_subtasks) */
#define HG_TASK_REVERT	"deploy_revert"	/* a sub-revert task (deploy_subtasks) */

/*
 * hg_task_create -- write a task, its hosts and its outbox row.
 *
 *   db, a     the caller's connection (a transaction must be open) and arena
 *   kind      one of HG_TASK_* (at most 32 ASCII characters)
 *   creator   username shown as the task's creator
 *   opts      JSON object text with the task's options, or NULL for "{}"
 *   host_ids  the hosts, nhosts of them (0 allowed: the task finishes
 *             as soon as an agent sees it); duplicates are ignored
 *   task_id   gets the new task's id
 *
 * hostname is copied from hosts.name at creation, so results keep the name
 * the host had.  Returns 0, HG_E_NOTFOUND when a host id does not exist
 * (nothing useful was written: the caller rolls back), or a db.h error
 * (HG_E_UNAVAIL, HG_E_INTERNAL).  Nothing reaches Redis until
 * hg_outbox_push() runs after the commit.
 */
int	hg_task_create(struct hg_db *db, struct hg_arena *a, const char *kind,
	    const char *creator, const char *opts, const long long *host_ids,
	    size_t nhosts, long long *task_id);

/*
 * hg_outbox_push -- the sweeper: XADD every undelivered outbox row (oldest
 * first, at most 500 a call) to HG_JOBS_STREAM and mark each delivered.
 * Call it outside any transaction.  Returns how many rows it delivered, or
 * -1 when Redis or MySQL is unavailable (rows stay for the next sweep).
 */
int	hg_outbox_push(struct hg_db *db, struct hg_redis *rd, struct hg_arena *a);

/* One delivery of a job read from the stream. */
struct hg_job {
	char		 j_entry[48];	/* stream entry id, for touch/ack */
	long long	 j_task;	/* task id, or 0 */
	long long	 j_mail;	/* mail id, or 0 (both 0: malformed, ack it) */
};

/*
 * Create the consumer group (and the stream) unless it exists: 1 created,
 * 0 already there, -1 Redis down.  "Created" after a Redis restart means
 * the queue's contents were lost: the caller replays running tasks.
 */
int	hg_queue_group(struct hg_redis *rd);
/*
 * XREADGROUP new entries for consumer, waiting up to block_ms.  Fills at
 * most max jobs; returns the count (0: nothing new) or -1 (Redis down).
 * Keep block_ms below redis_timeout_ms, or the read times out as "down".
 * A missing group (Redis restarted) also answers -1: call hg_queue_group.
 */
int	hg_queue_read(struct hg_redis *rd, const char *consumer, int block_ms,
	    struct hg_job *jobs, int max);
/* XAUTOCLAIM entries idle for min_idle_ms from other consumers; as above. */
int	hg_queue_claim(struct hg_redis *rd, const char *consumer,
	    long long min_idle_ms, struct hg_job *jobs, int max);
/* Reset the idle time of a job we hold (heartbeat while it runs). */
int	hg_queue_touch(struct hg_redis *rd, const char *consumer,
	    const char *entry);
/* Acknowledge and delete a finished job's entry. */
int	hg_queue_ack(struct hg_redis *rd, const char *entry);

#endif
