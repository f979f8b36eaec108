/*
 * host.c -- one host of one task, on a pool thread.
 *
 * MySQL is the judge of what has been done.  A host is claimed with one
 * conditional UPDATE (pending -> running, agent = us, step = connect), so
 * however often a job is delivered, and however many agents hold it, one
 * agent runs each host.  The step column says how far it got: a host left
 * "running" by an agent that stopped heartbeating is taken over when it was
 * still at "connect" (nothing remote happened yet) and failed as
 * interrupted when it was at "exec" (the command may have run; a power
 * action is never repeated blindly).  The result, the output lines and the
 * host's observed os_status are written in one transaction when the host
 * finishes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "agent.h"
#include "conf.h"
#include "err.h"
#include "queue.h"
#include "redis.h"
#include "secret.h"
#include "ssh.h"
#include "utf8.h"

#define OUT_MAX_LINES	2000		/* kept in task_output per host */
#define OUT_MAX_BYTES	(256 * 1024)
#define AGENT_DEAD_S	5		/* heartbeat silence that means dead */
#define OUTPUT_TTL	"86400"		/* live stream kept a day */

enum claim { CLAIM_RUN, CLAIM_SKIP, CLAIM_INTERRUPTED, CLAIM_UNRECORDED };

/* "YYYY-MM-DD HH:MM:SS.mmm" UTC, as DATETIME(3) takes it. */
static void
now_db(char buf[24])
{
	struct timespec	ts;
	struct tm	tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, 24, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + 19, 5, ".%03u", (unsigned)(ts.tv_nsec / 1000000) % 1000u);
}

/* Output callback: the live stream now, task_output when the host ends. */
static void
on_line(void *arg, int is_stderr, const char *line, size_t len)
{
	struct host	*h = arg;
	struct outline	*o;
	char		 key[64];
	const char	*argv[14];
	redisReply	*rep;

	if (h->h_nout >= OUT_MAX_LINES || h->h_bytes + len > OUT_MAX_BYTES) {
		h->h_dropped++;
		return;
	}
	o = hg_alloc(&h->h_w->w_arena, sizeof(*o));
	o->o_stderr = is_stderr;
	/* utf8mb4 refuses ill-formed UTF-8: the row, and so the result. */
	o->o_text = hg_utf8_repair(&h->h_w->w_arena, line, len, NULL);
	now_db(o->o_time);
	*h->h_tail = o;
	h->h_tail = &o->o_next;
	h->h_nout++;
	h->h_bytes += len;

	snprintf(key, sizeof(key), HG_OUTPUT_PREFIX "%lld", h->h_job->j_task);
	argv[0] = "XADD"; argv[1] = key; argv[2] = "MAXLEN"; argv[3] = "~";
	argv[4] = HG_OUTPUT_MAXLEN; argv[5] = "*";
	argv[6] = "host"; argv[7] = h->h_name;
	argv[8] = "stream"; argv[9] = is_stderr ? "stderr" : "stdout";
	argv[10] = "text"; argv[11] = o->o_text;
	argv[12] = "time"; argv[13] = o->o_time;
	/* Redis down: the line still reaches MySQL with the result. */
	if ((rep = hg_redis_argv(h->h_w->w_redis, 14, argv, NULL)) != NULL)
		freeReplyObject(rep);
	publish_line(h->h_job->j_task, h->h_name, is_stderr, o->o_text,
	    o->o_time);
}

static void
set_step(struct host *h, const char *step)
{
	(void)hg_db_exec(h->h_w->w_db, "UPDATE task_hosts SET step = ? "
	    "WHERE task_id = ? AND host_id = ? AND agent = ?", "siis", step,
	    h->h_job->j_task, h->h_id, agent_name);
}

/* Load the private key, connect, pin, authenticate. */
static int
host_connect(struct host *h)
{
	struct hg_ssh_target	 t;
	struct hg_rows		*rs;
	char			*key;
	int			 rc;

	if (h->h_addr == NULL) {
		snprintf(h->h_msg, sizeof(h->h_msg), "host %s has no address",
		    h->h_name);
		return -1;
	}
	if (h->h_cred == 0) {
		snprintf(h->h_msg, sizeof(h->h_msg), "host %s has no SSH "
		    "credential", h->h_name);
		return -1;
	}
	if (hg_db_query(h->h_w->w_db, &h->h_w->w_arena, &rs, "SELECT secret "
	    "FROM credentials WHERE id = ? AND kind = 'ssh_key'", "i",
	    h->h_cred) != 0 || rs->nrows == 0 ||
	    (key = hg_unseal(&h->h_w->w_arena, HG_CELL(rs, 0, 0))) == NULL) {
		snprintf(h->h_msg, sizeof(h->h_msg), "the SSH credential of %s "
		    "is missing or cannot be decrypted", h->h_name);
		return -1;
	}
	t.t_name = h->h_name;
	t.t_addr = h->h_addr;
	t.t_port = h->h_port;
	t.t_user = h->h_user;
	t.t_key = key;
	h->h_ssh = hg_ssh_open(&t, (int)hg_conf.ssh_timeout, hg_conf.known_hosts,
	    h->h_msg, sizeof(h->h_msg));
	rc = h->h_ssh != NULL ? 0 : -1;
	sodium_memzero(key, strlen(key));
	return rc;
}

/* The host's session, opened when there is none yet: 0, or -1 (h_msg). */
int
host_ssh(struct host *h)
{
	return h->h_ssh != NULL || host_connect(h) == 0 ? 0 : -1;
}

/*
 * An output line of h's that no remote command wrote (the agent's own
 * words about a step), kept and streamed as the command's lines are.
 */
void
host_output(struct host *h, int is_stderr, const char *line, size_t len)
{
	on_line(h, is_stderr, line, len);
}

int
host_exec(struct host *h, const char *cmd, const char *input)
{
	return host_exec_t(h, cmd, input, hg_conf.command_timeout);
}

int
host_exec_t(struct host *h, const char *cmd, const char *input, long timeout)
{
	enum hg_ssh_rc	rc;
	int		status;

	if (h->h_ssh == NULL && host_connect(h) != 0)
		return -1;
	set_step(h, "exec");
	rc = hg_ssh_run(h->h_ssh, cmd, input, (int)timeout,
	    on_line, h, &status, h->h_msg, sizeof(h->h_msg));
	if (rc != HG_SSH_OK) {
		hg_ssh_close(h->h_ssh);
		h->h_ssh = NULL;
		return -1;
	}
	if (status != 0) {
		snprintf(h->h_msg, sizeof(h->h_msg), "command failed on %s with "
		    "exit status %d", h->h_name, status);
		return -1;
	}
	return 0;
}

/* Read a child's pipes into lines until both close or the deadline. */
static int
local_wait(struct host *h, pid_t pid, int fds[2], const char *cmd)
{
	struct pollfd	 p[2];
	char		 buf[4096], part[2][4096];
	size_t		 plen[2] = { 0, 0 };
	time_t		 deadline = time(NULL) + hg_conf.command_timeout;
	ssize_t		 n;
	int		 i, k, open = 2, status = 0, timedout = 0;

	while (open > 0) {
		for (i = 0; i < 2; i++) {
			p[i].fd = fds[i];
			p[i].events = POLLIN;
		}
		if (time(NULL) >= deadline) {
			timedout = 1;
			kill(-pid, SIGKILL);
			break;
		}
		if (poll(p, 2, 500) < 0 && errno != EINTR)
			break;
		for (i = 0; i < 2; i++) {
			if (fds[i] < 0 || !(p[i].revents & (POLLIN | POLLHUP)))
				continue;
			if ((n = read(fds[i], buf, sizeof(buf))) <= 0) {
				close(fds[i]);
				fds[i] = -1;
				open--;
				continue;
			}
			for (k = 0; k < n; k++) {
				if (buf[k] == '\n' || plen[i] == sizeof(part[i])) {
					on_line(h, i, part[i], plen[i]);
					plen[i] = 0;
					if (buf[k] == '\n')
						continue;
				}
				part[i][plen[i]++] = buf[k];
			}
		}
	}
	for (i = 0; i < 2; i++) {
		if (plen[i] > 0)
			on_line(h, i, part[i], plen[i]);
		if (fds[i] >= 0)
			close(fds[i]);
	}
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	if (timedout)
		snprintf(h->h_msg, sizeof(h->h_msg), "local command for %s timed "
		    "out after %ld s and was killed", h->h_name,
		    hg_conf.command_timeout);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		snprintf(h->h_msg, sizeof(h->h_msg), "local command \"%s\" for %s "
		    "failed (status %d)", cmd, h->h_name, WIFEXITED(status) ?
		    WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return timedout || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ?
	    -1 : 0;
}

/*
 * Run cmd on this machine with sh, the host's name and address as $1 and
 * $2, a minimal environment (no secret of ours reaches it), in its own
 * process group so that a timeout kills all of it.
 */
int
host_local(struct host *h, const char *cmd)
{
	posix_spawn_file_actions_t	 fa;
	posix_spawnattr_t		 sa;
	int				 out[2], errp[2], fds[2], rc;
	pid_t				 pid;
	char				*argv[] = { "sh", "-c", (char *)cmd,
					    "hangar-power", (char *)h->h_name,
					    (char *)(h->h_addr ? h->h_addr : ""),
					    NULL };
	char				*envp[] = {
					    "PATH=/usr/local/sbin:/usr/local/bin:"
					    "/usr/sbin:/usr/bin:/sbin:/bin", NULL };

	if (pipe2(out, O_CLOEXEC) != 0)
		goto fail;
	if (pipe2(errp, O_CLOEXEC) != 0) {
		close(out[0]);
		close(out[1]);
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	posix_spawnattr_init(&sa);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&sa, 0);
	rc = posix_spawn(&pid, "/bin/sh", &fa, &sa, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&sa);
	close(out[1]);
	close(errp[1]);
	if (rc != 0) {
		close(out[0]);
		close(errp[0]);
		errno = rc;
		goto fail;
	}
	fds[0] = out[0];
	fds[1] = errp[0];
	return local_wait(h, pid, fds, cmd);
fail:
	snprintf(h->h_msg, sizeof(h->h_msg), "cannot run the local command for "
	    "%s: %s", h->h_name, strerror(errno));
	return -1;
}

/*
 * Mark the task finished or failed once no host is pending or running.
 * Returns 1 when this call closed the task.  Inside a caller's
 * transaction (release.c), which tells the live viewers after commit.
 */
int
task_close(struct hg_db *db, long long task)
{
	return hg_db_exec(db, "UPDATE tasks SET status = IF(EXISTS (SELECT 1 "
	    "FROM task_hosts WHERE task_id = ? AND status = 'failed'), "
	    "'failed', 'finished'), finished_time = UTC_TIMESTAMP() WHERE id = "
	    "? AND status = 'running' AND NOT EXISTS (SELECT 1 FROM task_hosts "
	    "WHERE task_id = ? AND status IN ('pending', 'running'))", "iii",
	    task, task, task) == 0 && hg_db_affected(db) == 1;
}

/*
 * task_close, then tell the task's live viewers how it ended (after its
 * lines: one queue, in order).
 */
int
task_finalize(struct hg_db *db, long long task)
{
	if (!task_close(db, task))
		return 0;
	publish_task_end(db, task);
	return 1;
}

static enum claim
claim(struct host *h, char *prev, size_t prevlen)
{
	struct hg_db	*db = h->h_w->w_db;
	struct hg_rows	*rs;
	long long	 task = h->h_job->j_task;

	if (hg_db_exec(db, "UPDATE task_hosts SET status = 'running', agent = ?, "
	    "step = 'connect', started_time = UTC_TIMESTAMP() WHERE task_id = ? "
	    "AND host_id = ? AND status = 'pending'", "sii", agent_name, task,
	    h->h_id) != 0)
		return CLAIM_SKIP;
	if (hg_db_affected(db) == 1)
		return CLAIM_RUN;
	/*
	 * Running under another agent: is that agent still heartbeating?
	 * Running under this one: no thread of ours runs it (a job's hosts
	 * are queued again only once all of them are through), so its end
	 * could not be recorded (record()).
	 */
	if (hg_db_query(db, &h->h_w->w_arena, &rs, "SELECT th.agent, th.step "
	    "FROM task_hosts th LEFT JOIN agents a ON a.name = th.agent "
	    "WHERE th.task_id = ? AND th.host_id = ? AND th.status = 'running' "
	    "AND (th.agent = ? OR a.name IS NULL OR a.seen_time < "
	    "UTC_TIMESTAMP() - INTERVAL ? SECOND)", "iisi", task, h->h_id,
	    agent_name, (long long)AGENT_DEAD_S) != 0 || rs->nrows == 0)
		return CLAIM_SKIP;
	snprintf(prev, prevlen, "%s", HG_CELL(rs, 0, 0));
	if (strcmp(prev, agent_name) == 0)
		return CLAIM_UNRECORDED;
	if (HG_CELL(rs, 0, 1) == NULL || strcmp(HG_CELL(rs, 0, 1), "connect") != 0)
		return CLAIM_INTERRUPTED;
	if (hg_db_exec(db, "UPDATE task_hosts SET agent = ?, started_time = "
	    "UTC_TIMESTAMP() WHERE task_id = ? AND host_id = ? AND status = "
	    "'running' AND agent = ? AND step = 'connect'", "siis", agent_name,
	    task, h->h_id, prev) != 0 || hg_db_affected(db) != 1)
		return CLAIM_SKIP;
	ev(HG_INFO, task, NULL, "claim", -1, "retaken", "host %lld was left "
	    "before any remote step by agent %s, which stopped", h->h_id, prev);
	snprintf(prev, prevlen, "%s", agent_name);
	return CLAIM_RUN;
}

/* The host's row and its best address (the host's own, private first). */
static int
load_host(struct host *h)
{
	struct hg_rows	*rs;

	if (hg_db_query(h->h_w->w_db, &h->h_w->w_arena, &rs, "SELECT h.name, "
	    "h.host_type, h.ssh_port, h.ssh_user, h.credential_id, "
	    "h.cloud_account_id, h.cloud_region, h.cloud_instance_id, "
	    "(SELECT address FROM host_addresses a WHERE a.host_id = h.id "
	    "ORDER BY a.owner = 'HOST' DESC, a.addr_type = 'PRIVATE' DESC, "
	    "a.is_virtual, a.id LIMIT 1) FROM hosts h WHERE h.id = ?", "i",
	    h->h_id) != 0 || rs->nrows == 0) {
		snprintf(h->h_msg, sizeof(h->h_msg), "host %lld no longer exists",
		    h->h_id);
		return -1;
	}
	h->h_name = HG_CELL(rs, 0, 0);
	h->h_type = HG_CELL(rs, 0, 1);
	h->h_port = (int)hg_atoll(HG_CELL(rs, 0, 2));
	h->h_user = HG_CELL(rs, 0, 3);
	h->h_cred = hg_atoll(HG_CELL(rs, 0, 4));
	h->h_cloud = hg_atoll(HG_CELL(rs, 0, 5));
	h->h_region = HG_CELL(rs, 0, 6);
	h->h_instance = HG_CELL(rs, 0, 7);
	h->h_addr = HG_CELL(rs, 0, 8);
	return 0;
}

/*
 * Result, output and os_status in one transaction (output 0: the result
 * alone, nothing else).  0, 1 when someone else recorded the host, or the
 * error (HG_E_UNAVAIL: MySQL away).
 */
static int
write_result(struct host *h, const char *status, const char *msg,
    const char *prev_agent, int output)
{
	struct hg_db	*db = h->h_w->w_db;
	struct outline	*o;
	long long	 task = h->h_job->j_task;
	char		 note[128], t[24];
	int		 rc;

	hg_db_begin(db);
	for (o = output ? h->h_out : NULL; o != NULL; o = o->o_next)
		if ((rc = hg_db_exec(db, "INSERT INTO task_output (task_id, "
		    "host_id, hostname, stream, text, time) VALUES "
		    "(?, ?, ?, ?, ?, ?)", "iissss", task, h->h_id,
		    h->h_name, o->o_stderr ? "stderr" : "stdout",
		    o->o_text, o->o_time)) != 0)
			goto fail;
	if (output && h->h_dropped > 0) {
		snprintf(note, sizeof(note), "[hangar-agent: %zu more "
		    "lines not kept]", h->h_dropped);
		now_db(t);
		if ((rc = hg_db_exec(db, "INSERT INTO task_output (task_id, "
		    "host_id, hostname, stream, text, time) VALUES "
		    "(?, ?, ?, 'stderr', ?, ?)", "iisss", task, h->h_id,
		    h->h_name, note, t)) != 0)
			goto fail;
	}
	if ((rc = hg_db_exec(db, "UPDATE task_hosts SET status = ?, message = ?, "
	    "finished_time = UTC_TIMESTAMP(), step = NULL, agent = ? "
	    "WHERE task_id = ? AND host_id = ? AND status = 'running' "
	    "AND agent = ?", "sssiis", status, msg, agent_name, task,
	    h->h_id, prev_agent)) != 0)
		goto fail;
	if (hg_db_affected(db) != 1) {
		hg_db_rollback(db);
		return 1;
	}
	if (output && strcmp(status, "succeeded") == 0 &&
	    h->h_os_status != NULL && (rc = hg_db_exec(db, "UPDATE hosts SET "
	    "os_status = ? WHERE id = ?", "si", h->h_os_status, h->h_id)) != 0)
		goto fail;
	if (output && strcmp(status, "succeeded") == 0 && h->h_inited &&
	    (rc = hg_db_exec(db, "UPDATE hosts SET status = 'inited' WHERE "
	    "id = ? AND status = 'raw'", "i", h->h_id)) != 0)
		goto fail;
	/* what the kind's step keeps beside the result (release.c) */
	if (output && h->h_record != NULL && (rc = h->h_record(h,
	    strcmp(status, "succeeded") == 0)) != 0)
		goto fail;
	return hg_db_commit(db);
fail:
	hg_db_rollback(db);
	return rc;
}

/* write_result, tried again for a few seconds while MySQL is away. */
static int
write_retried(struct host *h, const char *status, const char *msg,
    const char *prev_agent, int output)
{
	int attempt, rc = HG_E_UNAVAIL;

	for (attempt = 0; attempt < 5 && rc == HG_E_UNAVAIL; attempt++) {
		if (attempt > 0)
			sleep(1);
		rc = write_result(h, status, msg, prev_agent, output);
	}
	return rc;
}

/*
 * Record the host's end: 0, 1 when someone else recorded it, or an error.
 * A write MySQL refuses (whatever in the output or message it will not
 * take) must not leave the host running: the host is then recorded failed
 * without its output, saying so (*status and h_msg say what was recorded).
 * What cannot be written at all (MySQL away for longer than the retries)
 * stays running under this agent, and claim() ends it the next time the
 * job is looked at.
 */
static int
record(struct host *h, const char **status, const char *prev_agent)
{
	struct hg_arena	*a = &h->h_w->w_arena;
	const char	*msg;
	int		 rc;

	msg = hg_utf8_repair(a, h->h_msg, strlen(h->h_msg), NULL);
	if ((rc = write_retried(h, *status, msg, prev_agent, 1)) == 0 ||
	    rc == 1 || rc == HG_E_UNAVAIL)
		return rc;
	ev(HG_ERROR, h->h_job->j_task, h->h_name, "record", -1, "refused",
	    "MySQL refused the output or result (%s): recorded as failed "
	    "without the output", hg_db_last_error(h->h_w->w_db));
	msg = hg_printf(a, "output not stored: the database refused this "
	    "host's output or result (see hangar-agent's log); the host had "
	    "%s: %s", *status, msg);
	if ((rc = write_retried(h, "failed", msg, prev_agent, 0)) != 0 &&
	    rc != 1 && rc != HG_E_UNAVAIL) {
		/* Even the message was refused: say only what happened. */
		msg = "output not stored: the database refused this host's "
		    "output and result (see hangar-agent's log)";
		rc = write_retried(h, "failed", msg, prev_agent, 0);
	}
	if (rc == 0) {
		*status = "failed";
		snprintf(h->h_msg, sizeof(h->h_msg), "%s", msg);
	}
	return rc;
}

static void
expire_output(struct host *h)
{
	char		 key[64];
	const char	*argv[] = { "EXPIRE", key, OUTPUT_TTL };
	redisReply	*rep;

	snprintf(key, sizeof(key), HG_OUTPUT_PREFIX "%lld", h->h_job->j_task);
	if ((rep = hg_redis_argv(h->h_w->w_redis, 3, argv, NULL)) != NULL)
		freeReplyObject(rep);
}

void
host_run(struct worker *w, struct job *j, long long host_id)
{
	struct host		 h;
	const struct kind	*k;
	struct timespec		 t0;
	char			 prev[128];
	const char		*result;
	int			 ok = -1, rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&h, 0, sizeof(h));
	h.h_w = w;
	h.h_job = j;
	h.h_id = host_id;
	h.h_tail = &h.h_out;
	snprintf(prev, sizeof(prev), "%s", agent_name);
	switch (claim(&h, prev, sizeof(prev))) {
	case CLAIM_SKIP:
		return;
	case CLAIM_INTERRUPTED:
		(void)load_host(&h);
		snprintf(h.h_msg, sizeof(h.h_msg), "interrupted: agent %s stopped "
		    "while the command may have been running; not repeated",
		    prev);
		break;
	case CLAIM_UNRECORDED:
		(void)load_host(&h);
		snprintf(h.h_msg, sizeof(h.h_msg), "result not stored: the "
		    "database refused it or could not be reached when this "
		    "host ended (see hangar-agent's log); the command may have "
		    "run; not repeated");
		break;
	case CLAIM_RUN:
		if (load_host(&h) != 0)
			break;
		if ((k = kind_find(j->j_kind)) == NULL)
			snprintf(h.h_msg, sizeof(h.h_msg), "unknown task kind "
			    "\"%s\"", j->j_kind);
		else
			ok = k->k_run(&h);
		if (ok == 0 && h.h_msg[0] == '\0')
			snprintf(h.h_msg, sizeof(h.h_msg), "%s succeeded",
			    j->j_kind);
		break;
	}
	if (h.h_ssh != NULL)
		hg_ssh_close(h.h_ssh);
	if (h.h_name == NULL)
		h.h_name = hg_printf(&w->w_arena, "%lld", host_id);
	result = ok == 0 ? "succeeded" : "failed";
	if ((rc = record(&h, &result, prev)) == 1)
		return;		/* someone else recorded it */
	if (rc != 0) {
		ev(HG_ERROR, j->j_task, h.h_name, j->j_kind, ms_since(&t0),
		    "error", "could not record the result (tried again when "
		    "the task is next looked at): %s", hg_db_last_error(w->w_db));
		return;
	}
	expire_output(&h);
	ev(strcmp(result, "succeeded") == 0 ? HG_INFO : HG_WARN, j->j_task,
	    h.h_name, j->j_kind, ms_since(&t0), result, "%s", h.h_msg);
	/*
	 * A kind with an end of its own finalizes the task there, after it
	 * (else another host's thread could end the task while that end
	 * still runs); main.c's job_check ends it if no thread did.
	 */
	if ((k = kind_find(j->j_kind)) != NULL && k->k_end != NULL) {
		if (k->k_end(w, j))
			ev(HG_INFO, j->j_task, NULL, "task", ms_since(&j->j_t0),
			    "done", "every host is done");
	} else if (task_finalize(w->w_db, j->j_task))
		ev(HG_INFO, j->j_task, NULL, "task", ms_since(&j->j_t0),
		    "done", "every host is done");
}
