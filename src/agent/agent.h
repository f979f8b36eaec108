/*
 * agent.h -- hangar-agent's internal interface, grouped by file.
 *
 * main.c reads jobs from the Redis consumer group and keeps the ones it
 * holds; pool.c runs their hosts on `parallel` threads, each with its own
 * MySQL and Redis connection; host.c is one host's life (claim it in
 * task_hosts, run the kind's step, record the result); kinds.c is the
 * table of task kinds and their steps; state.c is what every file shares
 * (the agent's name, its event log); mail.c sends queued mail.
 */
#ifndef AGENT_H
#define AGENT_H

#include <stddef.h>
#include <time.h>

#include "arena.h"
#include "db.h"
#include "log.h"

struct hg_redis;
struct hg_ssh;

/* A delivery of a task that this agent holds until every host is done. */
struct job {
	struct job	*j_next;
	char		 j_entry[48];	/* stream entry id */
	long long	 j_task;
	char		 j_kind[33];
	char		*j_opts;	/* the task's JSON options */
	int		 j_left;	/* hosts queued or running (pool lock) */
	void		*j_rel;		/* release.c's state of a deploy job */
	time_t		 j_recheck;	/* 0, or when to look at it again */
	struct timespec	 j_t0;
};

/* One pool thread's connections. */
struct worker {
	int		 w_id;
	struct hg_db	*w_db;
	struct hg_redis	*w_redis;
	struct hg_arena	 w_arena;
};

/* One output line kept for task_output. */
struct outline {
	struct outline	*o_next;
	int		 o_stderr;
	char		*o_text;
	char		 o_time[24];	/* "YYYY-MM-DD HH:MM:SS.mmm" UTC */
};

/* One host of a task, as a kind's step sees it. */
struct host {
	struct worker	*h_w;
	struct job	*h_job;
	long long	 h_id;
	const char	*h_name;
	const char	*h_type;	/* hosts.host_type */
	const char	*h_addr;	/* NULL: the host has no address */
	int		 h_port;
	const char	*h_user;
	long long	 h_cred;	/* credentials.id, 0: none */
	long long	 h_cloud;	/* cloud_accounts.id, 0: none */
	const char	*h_region;
	const char	*h_instance;
	struct hg_ssh	*h_ssh;		/* open session, reused by the steps */
	struct outline	*h_out, **h_tail;
	size_t		 h_nout, h_bytes, h_dropped;
	char		 h_msg[1024];	/* the result's message */
	const char	*h_os_status;	/* os_status to record on success */
	int		 h_inited;	/* success moves status raw -> inited */
	/*
	 * Set by a step: called in the transaction that records the host's
	 * result (ok 1 when it succeeded); 0, or the error that rolls it back.
	 */
	int		(*h_record)(struct host *, int ok);
	void		*h_data;	/* the step's own, for h_record */
};

/*
 * A task kind: its name (tasks.kind), the step run on each host, and what
 * runs after a host of the job is recorded (NULL: the task is finalized).
 * k_end decides itself whether that host was the last, and then finalizes
 * the task itself (returns 1 when it did).
 */
struct kind {
	const char	*k_name;
	int		(*k_run)(struct host *);	/* 0 ok, -1 h_msg says why */
	int		(*k_end)(struct worker *, struct job *);
};

/* state.c: the agent's name and event log, shared by every file */
extern char	agent_name[128];	/* "host:pid"; set before threads start */
void		agent_name_init(void);
/* One logfmt event line; task 0, NULL strings and dur_ms < 0 are left out. */
void		ev(enum hg_level, long long task, const char *host,
		    const char *step, long long dur_ms, const char *result,
		    const char *fmt, ...) __attribute__((format(printf, 7, 8)));
long long	ms_since(const struct timespec *);	/* CLOCK_MONOTONIC */

/* dns_apply.c: the dns_apply task (0 finished, 1 failed, -1 MySQL away) */
int	dns_apply(struct hg_db *, struct hg_arena *, const char *opts,
	    char *msg, size_t msglen);

/* pool.c */
void	pool_start(int nthreads);
void	pool_add(struct job *, long long host_id);
int	pool_queued(void);
int	pool_left(struct job *);
void	pool_quit(void);		/* drop queued hosts, stop threads */
int	pool_busy(void);		/* hosts still running */
int	pool_stopping(void);		/* pool_quit() was called */
void	pool_join(void);

/* host.c */
void	host_run(struct worker *, struct job *, long long host_id);
int	host_exec(struct host *, const char *cmd, const char *input);
int	host_exec_t(struct host *, const char *cmd, const char *input,
	    long timeout_s);
int	host_ssh(struct host *);
void	host_output(struct host *, int is_stderr, const char *, size_t);
int	host_local(struct host *, const char *cmd);
int	task_close(struct hg_db *, long long task);
int	task_finalize(struct hg_db *, long long task);

/* zabbix_step.c: Zabbix registration after init, change-status effects */
int	zabbix_init_step(struct host *);
int	run_change_status(struct host *);

/* mail.c: the mail hangard queued (hg_mail_queue) */
int	mail_deliver(struct hg_db *, struct hg_arena *, long long mail_id);
void	mail_sweep(struct hg_db *, struct hg_arena *);

/* cdn_step.c: a CDN refresh task (no hosts: the pool runs it as host 0) */
void	cdn_run(struct worker *, struct job *);

/* retention.c: the jump log's retention, on a thread of its own */
void	retention_start(void);
void	retention_stop(void);

/*
 * publish.c: live output to nginx's nchan publisher, off the caller's
 * thread (never blocks or fails a task); time is "YYYY-MM-DD HH:MM:SS.mmm"
 * UTC.
 */
void	publish_start(void);
void	publish_stop(void);
void	publish_line(long long task, const char *host, int is_stderr,
	    const char *text, const char *time);
/* The task's end, with the status MySQL holds (after task_finalize). */
void	publish_task_end(struct hg_db *, long long task);

/* release.c: sub-upgrade and sub-revert tasks of deploy tasks */
int	release_upgrade(struct host *);
int	release_revert(struct host *);
int	release_end(struct worker *, struct job *);
void	release_free(struct job *);

/* kinds.c */
const struct kind	*kind_find(const char *);

#endif
