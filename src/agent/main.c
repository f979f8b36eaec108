/*
 * main.c -- hangar-agent: take tasks from the Redis consumer group and run
 * them on their hosts (see hangar-agent(8)).
 *
 * The main thread owns the queue: it heartbeats (agents.seen_time), sweeps
 * the outbox into Redis, reads new jobs, keeps the jobs it holds from
 * looking idle (XCLAIM to itself), takes over jobs other agents left idle
 * for claim_timeout (XAUTOCLAIM), and acknowledges a job once MySQL says
 * none of its hosts is pending or running.  Hosts run on the pool; mail
 * (mail=<id> entries, and mail.c's sweep) is sent from this thread.
 *
 * Signals are only flagged here and acted on by the loop: SIGTERM/SIGINT
 * stop taking work, let the host steps under way finish, and exit;
 * SIGHUP reopens the log file.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "agent.h"
#include "conf.h"
#include "daemon.h"
#include "queue.h"
#include "redis.h"
#include "secret.h"
#include "ssh.h"

#define READ_BLOCK_MS	200
#define SWEEP_S		1
#define RECHECK_S	2

static volatile sig_atomic_t	 got_term, got_hup;
static struct job		*held;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: hangar-agent [-d] [-c file]\n");
	exit(2);
}

static void
job_free(struct job *j)
{
	struct job **pp;

	for (pp = &held; *pp != NULL; pp = &(*pp)->j_next)
		if (*pp == j) {
			*pp = j->j_next;
			break;
		}
	release_free(j);
	free(j->j_opts);
	free(j);
}

/* A CDN refresh task (cdn_step.c): its own row says when it is done. */
static int
is_cdn(const struct job *j)
{
	return strcmp(j->j_kind, HG_TASK_CDN) == 0;
}

/* Queue every host of j that is not done yet. */
static void
enqueue_hosts(struct hg_db *db, struct hg_arena *a, struct job *j)
{
	struct hg_rows	*rs;
	int		 i;

	if (is_cdn(j)) {	/* no hosts: the pool runs it as host 0 */
		pool_add(j, 0);
		return;
	}
	if (hg_db_query(db, a, &rs, "SELECT host_id FROM task_hosts WHERE "
	    "task_id = ? AND status IN ('pending', 'running') ORDER BY host_id",
	    "i", j->j_task) != 0) {
		j->j_recheck = time(NULL) + RECHECK_S;
		return;
	}
	for (i = 0; i < rs->nrows; i++)
		pool_add(j, hg_atoll(HG_CELL(rs, i, 0)));
}

/*
 * A job whose queued hosts are all through: acknowledge it when MySQL says
 * nothing is left, else look again soon (hosts held by another agent that
 * may have died, or a database hiccup).
 */
static void
job_check(struct hg_db *db, struct hg_arena *a, struct hg_redis *rd,
    struct job *j)
{
	struct hg_rows *rs;

	if (j->j_recheck != 0 && time(NULL) < j->j_recheck)
		return;
	if (j->j_recheck != 0) {
		j->j_recheck = 0;
		enqueue_hosts(db, a, j);
		return;
	}
	if (!is_cdn(j) && task_finalize(db, j->j_task))
		ev(HG_INFO, j->j_task, NULL, "task", ms_since(&j->j_t0), "done",
		    "every host is done");
	if (hg_db_query(db, a, &rs, is_cdn(j) ? "SELECT COUNT(*) FROM "
	    "cdn_tasks WHERE task_id = ? AND status = 'RUNNING'" : "SELECT "
	    "COUNT(*) FROM task_hosts WHERE task_id = ? AND status IN "
	    "('pending', 'running')", "i", j->j_task) != 0 ||
	    hg_atoll(HG_CELL(rs, 0, 0)) > 0) {
		j->j_recheck = time(NULL) + RECHECK_S;
		return;
	}
	if (hg_queue_ack(rd, j->j_entry) != 0)
		return;		/* Redis away: try again next round */
	ev(HG_DEBUG, j->j_task, NULL, "ack", ms_since(&j->j_t0), "acked",
	    "job %s acknowledged", j->j_entry);
	job_free(j);
}

/* Take a delivered job: look the task up and queue its hosts. */
static void
job_start(struct hg_db *db, struct hg_arena *a, struct hg_redis *rd,
    const struct hg_job *hj, const char *how)
{
	struct hg_rows	*rs;
	struct job	*j;

	if (hj->j_mail > 0) {
		/* A mail: sent (or rescheduled) now; MySQL away: claimed later. */
		if (mail_deliver(db, a, hj->j_mail) == 0)
			(void)hg_queue_ack(rd, hj->j_entry);
		return;
	}
	for (j = held; j != NULL; j = j->j_next)
		if (j->j_task == hj->j_task && strcmp(j->j_entry,
		    hj->j_entry) != 0) {
			/* A duplicate delivery: the job we hold covers it. */
			(void)hg_queue_ack(rd, hj->j_entry);
			return;
		} else if (strcmp(j->j_entry, hj->j_entry) == 0)
			return;
	if (hj->j_task <= 0) {
		(void)hg_queue_ack(rd, hj->j_entry);
		return;
	}
	if (hg_db_query(db, a, &rs, "SELECT kind, status, opts FROM tasks "
	    "WHERE id = ?", "i", hj->j_task) != 0)
		return;		/* MySQL away: the claim brings it back */
	if (rs->nrows == 0 || strcmp(HG_CELL(rs, 0, 1), "running") != 0) {
		(void)hg_queue_ack(rd, hj->j_entry);
		return;
	}
	if (strcmp(HG_CELL(rs, 0, 0), "dns_apply") == 0) {
		/* no hosts: the request's records, here and now (dns_apply.c) */
		char	msg[512];
		int	rc = dns_apply(db, a, HG_CELL(rs, 0, 2), msg, sizeof(msg));

		if (rc < 0)
			return;		/* MySQL away: the claim brings it back */
		if (hg_db_exec(db, "UPDATE tasks SET status = ?, finished_time = "
		    "UTC_TIMESTAMP() WHERE id = ? AND status = 'running'", "si",
		    rc == 0 ? "finished" : "failed", hj->j_task) != 0)
			return;
		ev(rc == 0 ? HG_INFO : HG_WARN, hj->j_task, NULL, "dns_apply",
		    -1, rc == 0 ? "done" : "failed", "%s", msg);
		(void)hg_queue_ack(rd, hj->j_entry);
		return;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->j_opts = strdup(HG_CELL(rs, 0, 2))) == NULL)
		hg_fatal("out of memory");
	snprintf(j->j_entry, sizeof(j->j_entry), "%s", hj->j_entry);
	snprintf(j->j_kind, sizeof(j->j_kind), "%s", HG_CELL(rs, 0, 0));
	j->j_task = hj->j_task;
	clock_gettime(CLOCK_MONOTONIC, &j->j_t0);
	j->j_next = held;
	held = j;
	ev(HG_INFO, j->j_task, NULL, "job", -1, how, "%s task, entry %s",
	    j->j_kind, j->j_entry);
	enqueue_hosts(db, a, j);
}

/*
 * The stream and its group were just created: if Redis lost its data
 * (restarted without persistence), jobs it had are gone, so every running
 * task is delivered again.  Duplicates cost nothing.
 */
static void
replay(struct hg_db *db)
{
	if (hg_db_exec(db, "UPDATE outbox o JOIN tasks t ON t.id = o.task_id "
	    "SET o.delivered_time = NULL WHERE t.status = 'running' AND "
	    "o.delivered_time IS NOT NULL", "") == 0 && hg_db_affected(db) > 0)
		ev(HG_WARN, 0, NULL, "queue", -1, "replayed", "the job stream was "
		    "empty: %llu running tasks delivered again",
		    (unsigned long long)hg_db_affected(db));
	if (hg_db_exec(db, "UPDATE outbox o JOIN mails m ON m.id = o.mail_id "
	    "SET o.delivered_time = NULL WHERE m.status = 'queued' AND "
	    "o.delivered_time IS NOT NULL", "") == 0 && hg_db_affected(db) > 0)
		ev(HG_WARN, 0, NULL, "queue", -1, "replayed", "the job stream was "
		    "empty: %llu queued mails delivered again",
		    (unsigned long long)hg_db_affected(db));
}

/* "This agent is alive": others take over its hosts when this stops. */
static void
heartbeat(struct hg_db *db)
{
	(void)hg_db_exec(db, "INSERT INTO agents (name) VALUES (?) ON DUPLICATE "
	    "KEY UPDATE seen_time = UTC_TIMESTAMP()", "s", agent_name);
}

static void
loop(struct hg_db *db, struct hg_redis *rd)
{
	struct hg_arena	 arena;
	struct hg_job	 got[8];
	struct job	*j, *next;
	time_t		 now, beat = 0, sweep = 0, touch = 0, claim = 0;
	int		 n, i, group = 0, gc;

	hg_arena_init(&arena);
	while (!got_term) {
		now = time(NULL);
		if (got_hup) {
			got_hup = 0;
			hg_log_reopen();
			ev(HG_INFO, 0, NULL, "signal", -1, "reopened",
			    "log file reopened on SIGHUP");
		}
		if (now != beat) {
			beat = now;
			heartbeat(db);
		}
		if (!group && (gc = hg_queue_group(rd)) >= 0) {
			group = 1;
			if (gc == 1)
				replay(db);
		}
		if (now - sweep >= SWEEP_S) {
			sweep = now;
			if ((n = hg_outbox_push(db, rd, &arena)) > 0)
				ev(HG_INFO, 0, NULL, "sweep", -1, "pushed",
				    "%d undelivered tasks or mails pushed to the "
				    "queue", n);
			mail_sweep(db, &arena);
		}
		if (now - touch >= hg_conf.claim_timeout / 3) {
			touch = now;
			for (j = held; j != NULL; j = j->j_next)
				(void)hg_queue_touch(rd, agent_name, j->j_entry);
		}
		for (j = held; j != NULL; j = next) {
			next = j->j_next;
			if (pool_left(j) == 0)
				job_check(db, &arena, rd, j);
		}
		if (group && pool_queued() < hg_conf.parallel &&
		    now - claim >= hg_conf.claim_timeout / 2) {
			claim = now;
			n = hg_queue_claim(rd, agent_name,
			    hg_conf.claim_timeout * 1000LL, got, 8);
			for (i = 0; i < n; i++)
				job_start(db, &arena, rd, &got[i], "claimed");
		}
		if (group && pool_queued() < hg_conf.parallel) {
			/* Block less than the Redis timeout, or reads "fail". */
			n = hg_queue_read(rd, agent_name, (int)(READ_BLOCK_MS <
			    hg_conf.redis_timeout_ms / 2 ? READ_BLOCK_MS :
			    hg_conf.redis_timeout_ms / 2), got, 1);
			if (n < 0) {
				group = 0;
				usleep(READ_BLOCK_MS * 1000);
			}
			for (i = 0; i < n; i++)
				job_start(db, &arena, rd, &got[i], "received");
		} else
			usleep(READ_BLOCK_MS * 1000);
		hg_arena_reset(&arena);
	}
	ev(HG_INFO, 0, NULL, "signal", -1, "stopping",
	    "SIGTERM: finishing the host steps under way");
	pool_quit();
	/* Stay visibly alive while they finish, or others take them over. */
	while (pool_busy() > 0) {
		if ((now = time(NULL)) != beat) {
			beat = now;
			heartbeat(db);
			for (j = held; j != NULL; j = j->j_next)
				(void)hg_queue_touch(rd, agent_name, j->j_entry);
		}
		usleep(100000);
	}
	pool_join();
	for (j = held; j != NULL; j = next) {
		next = j->j_next;
		j->j_recheck = 0;
		job_check(db, &arena, rd, j);
	}
	while (held != NULL)	/* left for another agent to claim */
		job_free(held);
	publish_stop();
	hg_arena_free(&arena);
}

int
main(int argc, char *argv[])
{
	struct sigaction	 sa;
	sigset_t		 mask;
	struct hg_db		*db;
	struct hg_redis		*rd;
	const char		*conf = NULL;
	char			 err[512];
	int			 ch, detach = 0;

	while ((ch = getopt(argc, argv, "c:d")) != -1)
		switch (ch) {
		case 'c':
			conf = optarg;
			break;
		case 'd':
			detach = 1;
			break;
		default:
			usage();
		}
	if (argc != optind)
		usage();
	if (hg_conf_load(conf, err, sizeof(err)) != 0) {
		fprintf(stderr, "hangar-agent: %s\n", err);
		return 1;
	}
	if (hg_secret_init() != 0 || hg_ssh_init() != 0 ||
	    curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "hangar-agent: library initialisation failed\n");
		return 1;
	}
	if (hg_log_open("hangar-agent", hg_conf.agent_log, HG_INFO) != 0) {
		fprintf(stderr, "hangar-agent: %s: %s\n", hg_conf.agent_log,
		    strerror(errno));
		return 1;
	}
	if (hg_key_load(hg_conf.secret_key_file, 0, err, sizeof(err)) != 0)
		ev(HG_WARN, 0, NULL, "start", -1, "nokey", "%s: stored "
		    "credentials cannot be decrypted", err);
	if (detach)
		hg_daemonize();
	hg_write_pid(hg_conf.agent_pid_file);
	agent_name_init();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	/* MySQL's library initialises in the first connect: before threads. */
	db = hg_db_new();
	(void)hg_db_ping(db);
	rd = hg_redis_new();
	/* Signals are the main thread's: SSH waits on the pool run unbroken. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	publish_start();
	pool_start((int)hg_conf.parallel);
	retention_start();
	pthread_sigmask(SIG_UNBLOCK, &mask, NULL);
	ev(HG_INFO, 0, NULL, "start", -1, "started", "parallel=%ld "
	    "claim_timeout=%ld ssh_timeout=%ld command_timeout=%ld",
	    hg_conf.parallel, hg_conf.claim_timeout, hg_conf.ssh_timeout,
	    hg_conf.command_timeout);
	loop(db, rd);
	retention_stop();
	(void)hg_db_exec(db, "DELETE FROM agents WHERE name = ?", "s",
	    agent_name);
	ev(HG_INFO, 0, NULL, "stop", -1, "stopped", "bye");
	hg_db_close(db);
	hg_redis_free(rd);
	curl_global_cleanup();
	hg_remove_pid(hg_conf.agent_pid_file);
	return 0;
}
