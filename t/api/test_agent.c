/*
 * test_agent.c -- the job engine end to end: outbox, Redis stream,
 * hangar-agent, SSH to real OpenSSH sshd test hosts (t/sshd-hosts.sh on
 * 127.0.0.11..80), and GET /tasks/{task_id}/output/.
 *
 * The sshd hosts listen on port 20000 + HANGAR_TEST_PORT % 10000, so that
 * test stacks on different ports do not collide on the addresses.
 *
 * The power command the agents run is $HOME/power, a harmless script that
 * appends a line per call to the test host's record file, so "every host
 * restarted exactly once" is read from those files, and results, output
 * and os_status from MySQL.  The stack's own agent is stopped while these
 * tests run (each test starts agents with the configuration it needs) and
 * started again at the end.
 *
 * Tasks are created through POST /hosts/restart-tasks/ when that route
 * exists, else written to MySQL the way lib/queue.c's hg_task_create does
 * (task, task_hosts, outbox) and delivered by the agent's sweeper.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "client.h"

#define FIRST20		11	/* the 20-host task: 127.0.0.11 .. 30 */
#define H_DOWN		71	/* sshd stopped */
#define H_GOOD		72
#define H_HANG		73	/* power script hangs */
#define H_REKEY		74	/* host key changes */
#define H_SLOW		75	/* power script is slow */
#define H_NONE		80	/* no sshd at all */

static char	 dir[512];		/* the stack's folder */
static char	 sshdir[600];		/* the sshd hosts' folder */
static char	 harness[600];		/* t/sshd-hosts.sh */
static int	 sshport;		/* the sshd hosts' port */
static int	 use_api;		/* 1: POST /hosts/restart-tasks/, -1: SQL */

/* ---- helpers --------------------------------------------------------- */

static int
sh(const char *fmt, ...)
{
	char	cmd[4096];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}


/* The SSH key credential every test host accepts. */
static long long
credential(void)
{
	char		 path[700], *key, *sealed, *sql;
	long long	 id;

	snprintf(path, sizeof(path), "%s/client_key", sshdir);
	ck_assert((key = slurp(path)) != NULL);
	sealed = stack_seal(key);
	ck_assert(asprintf(&sql, "INSERT INTO credentials (kind, name, secret) "
	    "VALUES ('ssh_key', '%s', '%s')", uniq("agentkey"), sealed) > 0);
	id = db_insert(sql);
	free(sql);
	free(sealed);
	free(key);
	return id;
}

/* A PHY_HOST at 127.0.0.octet, port sshport, logging in as root with cred. */
static long long
mkhost(int octet, const char *name, long long cred)
{
	char		 sql[1024], q[256], *p = q;
	long long	 id;

	for (; *name != '\0' && p < q + sizeof(q) - 3; name++) {
		if (*name == '\'')
			*p++ = '\'';
		*p++ = *name;
	}
	*p = '\0';
	snprintf(sql, sizeof(sql), "INSERT INTO hosts (name, host_type, "
	    "ssh_port, ssh_user, credential_id) VALUES ('%s', 'PHY_HOST', %d, "
	    "'root', %lld)", q, sshport, cred);
	id = db_insert(sql);
	snprintf(sql, sizeof(sql), "INSERT INTO host_addresses (host_id, "
	    "address) VALUES (%lld, '127.0.0.%d')", id, octet);
	db_exec(sql);
	return id;
}

/* Create a task over the API when it can, else as hg_task_create does. */
static long long
mktask(const char *kind, const long long *ids, int n)
{
	char		 buf[8192], sql[512];
	size_t		 len = 0;
	long long	 id;
	struct resp	*r;
	int		 i;

	if (use_api == 0) {
		/* Is the host task engineer's route there yet? */
		r = api("POST", "/hosts/restart-tasks/", admin_token(), "[]");
		use_api = r->status == 404 && r->body != NULL &&
		    strstr(r->body, "no such route") != NULL ? -1 : 1;
		resp_free(r);
		fprintf(stderr, "test_agent: tasks are created %s\n",
		    use_api == 1 ? "with POST /hosts/restart-tasks/" :
		    "in SQL (no restart-tasks route yet)");
	}
	if (use_api == 1 && strcmp(kind, "restart") == 0) {
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "[");
		for (i = 0; i < n; i++)
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
			    "%s{\"host_id\": %lld}", i ? ", " : "", ids[i]);
		snprintf(buf + len, sizeof(buf) - len, "]");
		r = api("POST", "/hosts/restart-tasks/", admin_token(), buf);
		ck_assert_msg(r->status == 200 || r->status == 201,
		    "restart-tasks: %ld %s", r->status, r->body);
		ck_assert(jstr(r->json, "task_id") != NULL);
		id = strtoll(jstr(r->json, "task_id"), NULL, 10);
		resp_free(r);
		return id;
	}
	snprintf(sql, sizeof(sql), "INSERT INTO tasks (kind, creator, opts) "
	    "VALUES ('%s', 'admin', '{}')", kind);
	id = db_insert(sql);
	for (i = 0; i < n; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO task_hosts (task_id, "
		    "host_id, hostname, message) SELECT %lld, id, name, '' FROM "
		    "hosts WHERE id = %lld", id, ids[i]);
		db_exec(sql);
	}
	snprintf(sql, sizeof(sql), "INSERT INTO outbox (task_id) VALUES (%lld)",
	    id);
	db_exec(sql);
	return id;
}

/* Wait until the task is no longer running; its status. */
static char *
task_wait(long long id, double timeout_s)
{
	char	sql[256], *st = NULL;
	double	end = now_s() + timeout_s;

	snprintf(sql, sizeof(sql), "SELECT status FROM tasks WHERE id = %lld", id);
	while (now_s() < end) {
		free(st);
		st = db_str(sql);
		if (st != NULL && strcmp(st, "running") != 0)
			return st;
		usleep(100000);
	}
	return st;
}

static long long
count(const char *fmt, ...)
{
	char	sql[2048];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return db_int(sql);
}

/* Lines in host octet's record file that start with action. */
static int
records(int octet, const char *action)
{
	char	path[700], line[256];
	FILE	*f;
	int	n = 0;
	size_t	alen = strlen(action);

	snprintf(path, sizeof(path), "%s/h%d/home/record", sshdir, octet);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, action, alen) == 0 && line[alen] == ' ')
			n++;
	fclose(f);
	return n;
}

/* Create (content not NULL) or remove a flag file in host octet's HOME. */
static void
flag(int octet, const char *name, const char *content)
{
	char	path[700];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/h%d/home/%s", sshdir, octet, name);
	if (content == NULL) {
		unlink(path);
		return;
	}
	ck_assert((f = fopen(path, "w")) != NULL);
	fputs(content, f);
	fclose(f);
}

/*
 * Start an agent named name (its own config, pid file and log) with extra
 * config lines; returns its pid (our child).
 */
static pid_t
agent_start(const char *name, const char *extra)
{
	char	conf[700], bin[700], *base;
	FILE	*f;
	pid_t	pid;

	snprintf(conf, sizeof(conf), "%s/agent-%s.conf", dir, name);
	snprintf(bin, sizeof(bin), "%s/hangar.conf", dir);
	ck_assert((base = slurp(bin)) != NULL);
	ck_assert((f = fopen(conf, "w")) != NULL);
	fprintf(f, "%s\nagent_pid_file = %s/agent-%s.pid\n"
	    "agent_log = %s/log/agent-%s.log\nknown_hosts = %s/known_hosts-test\n"
	    "claim_timeout = 5\nssh_timeout = 5\ncommand_timeout = 20\n"
	    "power_restart_cmd = $HOME/power restart\n"
	    "power_stop_cmd = $HOME/power stop\n%s\n", base, dir, name, dir,
	    name, dir, extra ? extra : "");
	fclose(f);
	free(base);
	snprintf(bin, sizeof(bin), "%s/hangar-agent", getenv("HANGAR_BIN"));
	if ((pid = fork()) == 0) {
		execl(bin, "hangar-agent", "-c", conf, (char *)NULL);
		_exit(127);
	}
	ck_assert(pid > 0);
	return pid;
}

/* Wait for our child agent to exit (within s seconds); its wait status. */
static int
agent_wait(pid_t pid, double s)
{
	double	end = now_s() + s;
	int	status;

	while (now_s() < end) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		usleep(50000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ck_abort_msg("agent %ld did not exit within %.0f s", (long)pid, s);
	return -1;
}

static void
agent_stop(pid_t pid)
{
	int status;

	kill(pid, SIGTERM);
	status = agent_wait(pid, 60);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "agent exit status %d", status);
}

static void
agent_kill9(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

/* A test's fresh hosts at octets first..first+n-1, named prefix-N. */
static void
mkhosts(long long *ids, char names[][64], int first, int n, long long cred)
{
	int i;

	for (i = 0; i < n; i++) {
		snprintf(names[i], 64, "%s", uniq("ag"));
		ids[i] = mkhost(first + i, names[i], cred);
	}
}

static char *
agent_log(const char *name)
{
	char path[700];

	snprintf(path, sizeof(path), "%s/log/agent-%s.log", dir, name);
	return slurp(path);
}

/* ---- tests ----------------------------------------------------------- */

/*
 * 20 hosts restarted once each: results, output lines, os_status, the
 * record files, and one logfmt line per host in the agent's log.
 */
START_TEST(restart_20_hosts)
{
	long long	 ids[20], cred = credential(), task;
	char		 names[20][64], want[2048], *st, *log;
	int		 before[20], i;
	double		 t0;
	pid_t		 a;

	mkhosts(ids, names, FIRST20, 20, cred);
	for (i = 0; i < 20; i++)
		before[i] = records(FIRST20 + i, "restart");
	a = agent_start("r20", "parallel = 64");
	t0 = now_s();
	task = mktask("restart", ids, 20);
	if (use_api == 1)
		ck_assert_int_eq(count("SELECT delivered_time IS NOT NULL FROM "
		    "outbox WHERE task_id = %lld", task), 1);
	st = task_wait(task, 60);
	fprintf(stderr, "restart_20_hosts: task %lld %s in %.2f s\n", task, st,
	    now_s() - t0);
	ck_assert_str_eq(st, "finished");
	free(st);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM tasks WHERE id = %lld AND "
	    "finished_time IS NOT NULL", task), 1);
	for (i = 0; i < 20; i++) {
		ck_assert_int_eq(records(FIRST20 + i, "restart"), before[i] + 1);
		ck_assert_int_eq(count("SELECT COUNT(*) FROM task_hosts WHERE "
		    "task_id = %lld AND host_id = %lld AND status = 'succeeded' "
		    "AND message = 'restart succeeded' AND started_time IS NOT "
		    "NULL AND finished_time >= started_time AND step IS NULL",
		    task, ids[i]), 1);
		ck_assert_int_eq(count("SELECT COUNT(*) FROM hosts WHERE id = %lld "
		    "AND os_status = 'running'", ids[i]), 1);
		ck_assert_int_eq(count("SELECT COUNT(*) FROM task_output WHERE "
		    "task_id = %lld AND host_id = %lld AND hostname = '%s' AND "
		    "stream = 'stdout' AND text = 'power restart on h%d'", task,
		    ids[i], names[i], FIRST20 + i), 1);
		ck_assert_int_eq(count("SELECT COUNT(*) FROM task_output WHERE "
		    "task_id = %lld AND host_id = %lld", task, ids[i]), 2);
	}
	agent_stop(a);
	log = agent_log("r20");
	for (i = 0; i < 20; i++) {
		snprintf(want, sizeof(want), " task=%lld host=%s step=restart "
		    "dur_ms=", task, names[i]);
		ck_assert_msg(strstr(log, want) != NULL, "no log line: %s", want);
	}
	snprintf(want, sizeof(want), " task=%lld step=task dur_ms=", task);
	ck_assert_msg(strstr(log, want) != NULL, "no task line: %s", want);
	ck_assert(strstr(log, "result=succeeded msg=\"restart succeeded\"") != NULL);
	ck_assert(strstr(log, "BEGIN OPENSSH") == NULL);
	free(log);
}
END_TEST

/*
 * kill -9 in the middle of a 20-host task, then another agent (restarted,
 * or already running beside it) completes it: no host runs twice.  Hosts
 * whose command was under way when the agent died are failed as
 * interrupted, never repeated; every other host succeeds exactly once.
 */
static void
kill9_case(int second_running)
{
	long long	 ids[20], cred = credential(), task;
	char		 names[20][64], *st;
	int		 before[20], i, n, done_at_kill, succeeded, interrupted;
	double		 end;
	pid_t		 a, b = 0;

	mkhosts(ids, names, FIRST20, 20, cred);
	for (i = 0; i < 20; i++) {
		before[i] = records(FIRST20 + i, "restart");
		flag(FIRST20 + i, "slow", "0.3");
	}
	a = agent_start("k9a", "parallel = 3");
	if (second_running)
		b = agent_start("k9b", "parallel = 3");
	task = mktask("restart", ids, 20);
	/* Let a good part of it happen, then kill whoever holds it. */
	end = now_s() + 60;
	while ((n = (int)count("SELECT COUNT(*) FROM task_hosts WHERE task_id = "
	    "%lld AND status = 'succeeded'", task)) < 5 && now_s() < end)
		usleep(20000);
	ck_assert_int_ge(n, 5);
	if (second_running && count("SELECT COUNT(*) FROM task_hosts WHERE "
	    "task_id = %lld AND agent LIKE '%%:%ld'", task, (long)b) > 0) {
		pid_t t = a;	/* b took the job: kill b, a must finish */

		a = b;
		b = t;
	}
	agent_kill9(a);
	done_at_kill = (int)count("SELECT COUNT(*) FROM task_hosts WHERE "
	    "task_id = %lld AND status = 'succeeded'", task);
	ck_assert_int_lt(done_at_kill, 20);
	if (!second_running)
		b = agent_start("k9b", "parallel = 3");
	st = task_wait(task, 90);
	ck_assert_msg(st != NULL && strcmp(st, "running") != 0, "task still %s",
	    st);
	free(st);
	succeeded = interrupted = 0;
	for (i = 0; i < 20; i++) {
		flag(FIRST20 + i, "slow", NULL);
		n = records(FIRST20 + i, "restart") - before[i];
		ck_assert_msg(n <= 1, "host h%d restarted %d times", FIRST20 + i, n);
		if (count("SELECT COUNT(*) FROM task_hosts WHERE task_id = %lld "
		    "AND host_id = %lld AND status = 'succeeded'", task, ids[i])) {
			ck_assert_int_eq(n, 1);
			succeeded++;
		} else {
			ck_assert_int_eq(count("SELECT COUNT(*) FROM task_hosts "
			    "WHERE task_id = %lld AND host_id = %lld AND status = "
			    "'failed' AND message LIKE 'interrupted: agent %% "
			    "stopped while the command may have been running; not "
			    "repeated'", task, ids[i]), 1);
			interrupted++;
		}
	}
	ck_assert_int_eq(succeeded + interrupted, 20);
	ck_assert_int_le(interrupted, 3);	/* at most parallel were under way */
	ck_assert_int_gt(succeeded, done_at_kill);	/* the rest was done after */
	ck_assert_int_eq(count("SELECT COUNT(*) FROM tasks WHERE id = %lld AND "
	    "status = '%s'", task, interrupted ? "failed" : "finished"), 1);
	agent_stop(b);
}

START_TEST(kill9_then_restarted_agent)
{
	kill9_case(0);
}
END_TEST

START_TEST(kill9_then_second_agent)
{
	kill9_case(1);
}
END_TEST

/* Tasks created while Redis is down run once it is back. */
START_TEST(redis_down_while_creating)
{
	long long	 ids[2], cred = credential(), t1, t2;
	char		 names[2][64], *st;
	int		 b0 = records(H_GOOD, "restart"), b1 = records(H_SLOW, "restart");
	pid_t		 a;

	snprintf(names[0], 64, "%s", uniq("rd"));
	snprintf(names[1], 64, "%s", uniq("rd"));
	ids[0] = mkhost(H_GOOD, names[0], cred);
	ids[1] = mkhost(H_SLOW, names[1], cred);
	a = agent_start("rd", "parallel = 8");
	ck_assert_int_eq(sh("%s stop-redis %s >/dev/null 2>&1",
	    getenv("HANGAR_STACK"), dir), 0);
	t1 = mktask("restart", &ids[0], 1);
	t2 = mktask("restart", &ids[1], 1);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM outbox WHERE task_id IN "
	    "(%lld, %lld) AND delivered_time IS NULL", t1, t2), 2);
	sleep(4);	/* a sweep or more happen meanwhile: nothing can run */
	ck_assert_int_eq(count("SELECT COUNT(*) FROM task_hosts WHERE task_id "
	    "IN (%lld, %lld) AND status = 'pending'", t1, t2), 2);
	ck_assert_int_eq(sh("%s start-redis %s >/dev/null 2>&1",
	    getenv("HANGAR_STACK"), dir), 0);
	st = task_wait(t1, 60);
	ck_assert_str_eq(st, "finished");
	free(st);
	st = task_wait(t2, 60);
	ck_assert_str_eq(st, "finished");
	free(st);
	ck_assert_int_eq(records(H_GOOD, "restart"), b0 + 1);
	ck_assert_int_eq(records(H_SLOW, "restart"), b1 + 1);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM outbox WHERE task_id IN "
	    "(%lld, %lld) AND delivered_time IS NULL", t1, t2), 0);
	agent_stop(a);
}
END_TEST

/* A host whose sshd is down fails alone, with a readable message. */
START_TEST(one_sshd_down)
{
	long long	 ids[2], cred = credential(), task;
	char		 names[2][64], *st, want[512];
	int		 b = records(H_GOOD, "restart");
	pid_t		 a;

	snprintf(names[0], 64, "%s", uniq("down"));
	snprintf(names[1], 64, "%s", uniq("up"));
	ids[0] = mkhost(H_DOWN, names[0], cred);
	ids[1] = mkhost(H_GOOD, names[1], cred);
	ck_assert_int_eq(sh("%s stop-one %s %d", harness, sshdir, H_DOWN), 0);
	a = agent_start("down", NULL);
	task = mktask("restart", ids, 2);
	st = task_wait(task, 60);
	ck_assert_str_eq(st, "failed");
	free(st);
	snprintf(want, sizeof(want), "cannot connect to %s (127.0.0.%d port "
	    "%d): %%Connection refused%%", names[0], H_DOWN, sshport);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM task_hosts WHERE task_id = "
	    "%lld AND host_id = %lld AND status = 'failed' AND message LIKE "
	    "'%s'", task, ids[0], want), 1);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM task_hosts WHERE task_id = "
	    "%lld AND host_id = %lld AND status = 'succeeded'", task, ids[1]), 1);
	ck_assert_int_eq(records(H_GOOD, "restart"), b + 1);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM hosts WHERE id = %lld AND "
	    "os_status = 'unknown'", ids[0]), 1);
	agent_stop(a);
}
END_TEST

static int
pid_running(long pid)
{
	char	path[64], *stat;
	char	*p;
	int	alive;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((stat = slurp(path)) == NULL)
		return 0;
	p = strrchr(stat, ')');
	alive = p != NULL && p[1] == ' ' && p[2] != 'Z';
	free(stat);
	return alive;
}

/*
 * A command that hangs is killed at command_timeout (the script and its
 * child are gone), the host fails with a clear message, and a long-poll on
 * the output of the running task waits, then returns when it ends.
 */
START_TEST(hanging_command_times_out)
{
	long long	 id, cred = credential(), task;
	char		 name[64], path[700], *st, *pids, want[256], *cur;
	long		 p1 = 0, p2 = 0;
	double		 t0;
	struct resp	*r;
	pid_t		 a;

	snprintf(name, sizeof(name), "%s", uniq("hang"));
	id = mkhost(H_HANG, name, cred);
	flag(H_HANG, "hang", "");
	snprintf(path, sizeof(path), "%s/h%d/home/hang.pids", sshdir, H_HANG);
	unlink(path);
	a = agent_start("hang", "command_timeout = 4");
	task = mktask("restart", &id, 1);
	/* First answer: the script's first line, live from Redis. */
	snprintf(want, sizeof(want), "/tasks/%lld/output/", task);
	t0 = now_s();
	r = api("GET", want, admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "lines")), 1);
	ck_assert_str_eq(jstr(r->json, "lines.0.text"), "power restart starting "
	    "on h73");
	ck_assert_str_eq(jstr(r->json, "lines.0.host"), name);
	ck_assert_str_eq(jstr(r->json, "lines.0.stream"), "stdout");
	ck_assert(jstr(r->json, "lines.0.time") != NULL);
	ck_assert(!json_object_get_boolean(jpath(r->json, "finished")));
	ck_assert(strncmp(jstr(r->json, "cursor"), "r:", 2) == 0);
	cur = strdup(jstr(r->json, "cursor"));
	resp_free(r);
	/* Second: nothing more until the kill; then finished. */
	snprintf(want, sizeof(want), "/tasks/%lld/output/?cursor=%s", task, cur);
	r = api("GET", want, admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "lines")), 0);
	ck_assert(json_object_get_boolean(jpath(r->json, "finished")));
	ck_assert_str_eq(jstr(r->json, "cursor"), cur);
	ck_assert(now_s() - t0 > 3.0 && now_s() - t0 < 15.0);
	resp_free(r);
	free(cur);
	st = task_wait(task, 30);
	ck_assert_str_eq(st, "failed");
	free(st);
	snprintf(want, sizeof(want), "command timed out after 4 s on %s and was "
	    "killed", name);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM task_hosts WHERE task_id = "
	    "%lld AND message = '%s'", task, want), 1);
	ck_assert((pids = slurp(path)) != NULL);
	ck_assert_int_eq(sscanf(pids, "%ld %ld", &p1, &p2), 2);
	free(pids);
	for (t0 = now_s(); now_s() - t0 < 5 && (pid_running(p1) ||
	    pid_running(p2)); )
		usleep(100000);
	ck_assert_msg(!pid_running(p1), "the hung script %ld still runs", p1);
	ck_assert_msg(!pid_running(p2), "its sleep %ld still runs", p2);
	flag(H_HANG, "hang", NULL);
	agent_stop(a);
}
END_TEST

static void
fingerprint(int octet, char *out, size_t len)
{
	char	cmd[800];
	FILE	*p;

	snprintf(cmd, sizeof(cmd), "ssh-keygen -lf %s/h%d/ssh_host_ed25519_key"
	    ".pub | awk '{print $2}'", sshdir, octet);
	ck_assert((p = popen(cmd, "r")) != NULL);
	ck_assert(fgets(out, (int)len, p) != NULL);
	out[strcspn(out, "\n")] = '\0';
	pclose(p);
	ck_assert(strncmp(out, "SHA256:", 7) == 0);
}

/* First contact pins the key; a changed key fails the host, loudly. */
START_TEST(changed_host_key)
{
	long long	 id, cred = credential(), task;
	char		 name[64], was[128], now[128], want[1024], *st;
	int		 b = records(H_REKEY, "restart");
	pid_t		 a;

	snprintf(name, sizeof(name), "%s", uniq("rekey"));
	id = mkhost(H_REKEY, name, cred);
	/* An earlier run's pin goes, as an operator would remove it. */
	ck_assert_int_eq(sh("sed -i '/^\\[127.0.0.%d\\]:%d /d' "
	    "%s/known_hosts-test 2>/dev/null; true", H_REKEY, sshport, dir), 0);
	a = agent_start("rekey", NULL);
	task = mktask("restart", &id, 1);
	st = task_wait(task, 30);
	ck_assert_str_eq(st, "finished");
	free(st);
	ck_assert_int_eq(records(H_REKEY, "restart"), b + 1);
	fingerprint(H_REKEY, was, sizeof(was));
	ck_assert_int_eq(sh("%s rekey %s %d", harness, sshdir, H_REKEY), 0);
	fingerprint(H_REKEY, now, sizeof(now));
	ck_assert_str_ne(was, now);
	task = mktask("restart", &id, 1);
	st = task_wait(task, 30);
	ck_assert_str_eq(st, "failed");
	free(st);
	snprintf(want, sizeof(want), "host key for %s changed (was %s, now %s); "
	    "not connecting: if the change is expected, remove the line "
	    "\"[127.0.0.%d]:%d ...\" from %s/known_hosts-test", name, was,
	    now, H_REKEY, sshport, dir);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM task_hosts WHERE task_id = "
	    "%lld AND status = 'failed' AND message = '%s'", task, want), 1);
	ck_assert_int_eq(records(H_REKEY, "restart"), b + 1);	/* not run */
	agent_stop(a);
}
END_TEST

/*
 * SIGTERM lets the host step under way finish and leaves the rest pending
 * for another agent; SIGHUP reopens the log.
 */
START_TEST(sigterm_finishes_steps_sighup_reopens)
{
	long long	 ids[2], cred = credential(), task;
	char		 names[2][64], path[700], moved[720], *st, *log;
	double		 end;
	pid_t		 a;
	int		 status, i;

	snprintf(names[0], 64, "%s", uniq("term"));
	snprintf(names[1], 64, "%s", uniq("term"));
	ids[0] = mkhost(H_SLOW, names[0], cred);
	ids[1] = mkhost(H_GOOD, names[1], cred);
	flag(H_SLOW, "slow", "2");
	a = agent_start("term", "parallel = 1");
	/* SIGHUP: the log is reopened under its name. */
	snprintf(path, sizeof(path), "%s/log/agent-term.log", dir);
	snprintf(moved, sizeof(moved), "%s.1", path);
	unlink(path);
	/* Signal handlers are in place once it logs result=started. */
	for (end = now_s() + 10; now_s() < end; usleep(50000)) {
		log = slurp(path);
		i = log != NULL && strstr(log, "result=started") != NULL;
		free(log);
		if (i)
			break;
	}
	ck_assert_int_eq(rename(path, moved), 0);
	kill(a, SIGHUP);
	for (end = now_s() + 10; access(path, F_OK) != 0 && now_s() < end; )
		usleep(50000);
	ck_assert_int_eq(access(path, F_OK), 0);
	task = mktask("restart", ids, 2);
	end = now_s() + 30;
	while (count("SELECT COUNT(*) FROM task_hosts WHERE task_id = %lld AND "
	    "host_id = %lld AND step = 'exec'", task, ids[0]) == 0 &&
	    now_s() < end)
		usleep(20000);
	kill(a, SIGTERM);
	status = agent_wait(a, 30);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM task_hosts WHERE task_id = "
	    "%lld AND host_id = %lld AND status = 'succeeded'", task, ids[0]), 1);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM task_hosts WHERE task_id = "
	    "%lld AND host_id = %lld AND status = 'pending'", task, ids[1]), 1);
	log = slurp(path);
	ck_assert(strstr(log, "result=reopened") != NULL);
	ck_assert(strstr(log, "result=stopping") != NULL);
	ck_assert(strstr(log, "result=stopped") != NULL);
	free(log);
	flag(H_SLOW, "slow", NULL);
	a = agent_start("term2", NULL);
	st = task_wait(task, 60);
	ck_assert_str_eq(st, "finished");
	free(st);
	agent_stop(a);
}
END_TEST

/*
 * GET /tasks/{id}/output/ on a finished task: every line from MySQL,
 * the cursor, finished; the host name round-trips (SQL metacharacters,
 * non-ASCII); refusals.
 */
START_TEST(output_endpoint)
{
	long long	 ids[2], cred = credential(), task, uid;
	char		 names[2][128], path[256], tid[32], *st, *cur;
	struct resp	*r;
	json_object	*lines, *l;
	const char	*host, *tok;
	pid_t		 a;
	int		 i, which, seen[2] = { 0, 0 };

	snprintf(names[0], sizeof(names[0]), "'; DROP TABLE users; -- %s",
	    uniq("o"));
	snprintf(names[1], sizeof(names[1]), "张三 %s", uniq("o"));
	ids[0] = mkhost(H_GOOD, names[0], cred);
	ids[1] = mkhost(H_SLOW, names[1], cred);
	a = agent_start("out", NULL);
	task = mktask("restart", ids, 2);
	st = task_wait(task, 30);
	ck_assert_str_eq(st, "finished");
	free(st);
	agent_stop(a);

	snprintf(path, sizeof(path), "/tasks/%lld/output/", task);
	snprintf(tid, sizeof(tid), "%lld", task);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "task_id"), tid);
	lines = jpath(r->json, "lines");
	ck_assert_int_eq(json_object_array_length(lines), 4);
	ck_assert(json_object_get_boolean(jpath(r->json, "finished")));
	for (i = 0; i < 4; i++) {
		l = json_object_array_get_idx(lines, (size_t)i);
		host = jstr(l, "host");
		which = strcmp(host, names[0]) == 0 ? 0 : 1;
		ck_assert_str_eq(host, names[which]);
		ck_assert_str_eq(jstr(l, "stream"), "stdout");
		ck_assert_str_eq(jstr(l, "text"), seen[which]++ == 0 ?
		    (which ? "power restart starting on h75" :
		    "power restart starting on h72") :
		    (which ? "power restart on h75" : "power restart on h72"));
		ck_assert_int_ge(strlen(jstr(l, "time")), 20);
	}
	ck_assert_int_eq(seen[0], 2);
	ck_assert_int_eq(seen[1], 2);
	ck_assert(strncmp(jstr(r->json, "cursor"), "m:", 2) == 0);
	cur = strdup(jstr(r->json, "cursor"));
	resp_free(r);
	snprintf(path, sizeof(path), "/tasks/%lld/output/?cursor=%s", task, cur);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "lines")), 0);
	ck_assert(json_object_get_boolean(jpath(r->json, "finished")));
	ck_assert_str_eq(jstr(r->json, "cursor"), cur);
	resp_free(r);
	free(cur);

	snprintf(path, sizeof(path), "/tasks/%lld/output/", task);
	expect_error(api("GET", path, NULL, NULL), 401, 10005, NULL);
	expect_error(api("GET", "/tasks/999999999/output/", admin_token(), NULL),
	    404, 10008, NULL);
	expect_error(api("GET", "/tasks/abc/output/", admin_token(), NULL),
	    404, 10008, NULL);
	snprintf(path, sizeof(path), "/tasks/%lld/output/?cursor=x", task);
	expect_error(api("GET", path, admin_token(), NULL), 400, 10002, "cursor");
	snprintf(path, sizeof(path), "/tasks/%lld/output/?cursor=m:-1", task);
	expect_error(api("GET", path, admin_token(), NULL), 400, 10002, "cursor");
	snprintf(path, sizeof(path), "/tasks/%lld/output/?cursor=r:1-x", task);
	expect_error(api("GET", path, admin_token(), NULL), 400, 10002, "cursor");
	snprintf(path, sizeof(path), "/tasks/%lld/output/?cursor=%%27%%3B%%20"
	    "DROP%%20TABLE%%20users%%3B%%20--", task);
	expect_error(api("GET", path, admin_token(), NULL), 400, 10002, "cursor");
	ck_assert_int_gt(count("SELECT COUNT(*) FROM users"), 0);
	/* A logged-in user reads it only when it may view every host. */
	tok = user_token(uniq("outuser"), 0, &uid);
	snprintf(path, sizeof(path), "/users/%lld/system/perms/", uid);
	expect_status(api("POST", path, admin_token(), "{\"module_name\": "
	    "\"resource\", \"permissions\": {\"enable_host_mgmt\": true}}"), 200);
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "/tasks/%lld/output/", task);
		expect_error(api("GET", path, tok, NULL), 404, 10008, NULL);
		snprintf(path, sizeof(path), "INSERT INTO resource_grants VALUES "
		    "('user', %lld, 'host', %lld, 'view_host')", uid, ids[i]);
		db_exec(path);
	}
	snprintf(path, sizeof(path), "/tasks/%lld/output/", task);
	expect_status(api("GET", path, tok, NULL), 200);
}
END_TEST

/*
 * The other kinds: stop over SSH (os_status stopped), start with the
 * local out-of-band command (running), init with the init script fed to
 * sh on the host (stdout and stderr lines, status raw -> inited), and a
 * kind the agent does not know.
 */
START_TEST(stop_start_init_and_unknown_kinds)
{
	long long	 id, cred = credential(), task;
	char		 name[64], extra[2048], path[700], want[256], *st, *log;
	int		 b = records(H_GOOD, "stop");
	FILE		*f;
	pid_t		 a;

	snprintf(name, sizeof(name), "%s", uniq("kinds"));
	id = mkhost(H_GOOD, name, cred);
	snprintf(path, sizeof(path), "%s/init-test.sh", dir);
	ck_assert((f = fopen(path, "w")) != NULL);
	fputs("echo \"init ran on $HANGAR_TEST_HOST\"\necho warning >&2\n", f);
	fclose(f);
	snprintf(extra, sizeof(extra), "power_start_cmd = echo \"started $1 $2\" "
	    ">>%s/started.log; echo powered on\ninit_script = %s\n", dir, path);
	a = agent_start("kinds", extra);

	task = mktask("stop", &id, 1);
	st = task_wait(task, 30);
	ck_assert_str_eq(st, "finished");
	free(st);
	ck_assert_int_eq(records(H_GOOD, "stop"), b + 1);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM hosts WHERE id = %lld AND "
	    "os_status = 'stopped'", id), 1);

	task = mktask("start", &id, 1);
	st = task_wait(task, 30);
	ck_assert_str_eq(st, "finished");
	free(st);
	snprintf(path, sizeof(path), "%s/started.log", dir);
	ck_assert((log = slurp(path)) != NULL);
	snprintf(want, sizeof(want), "started %s 127.0.0.%d\n", name, H_GOOD);
	ck_assert_str_eq(log, want);
	free(log);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM hosts WHERE id = %lld AND "
	    "os_status = 'running'", id), 1);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM task_output WHERE task_id = "
	    "%lld AND stream = 'stdout' AND text = 'powered on'", task), 1);

	ck_assert_int_eq(count("SELECT COUNT(*) FROM hosts WHERE id = %lld AND "
	    "status = 'raw'", id), 1);
	task = mktask("init", &id, 1);
	st = task_wait(task, 30);
	ck_assert_str_eq(st, "finished");
	free(st);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM hosts WHERE id = %lld AND "
	    "status = 'inited'", id), 1);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM task_output WHERE task_id = "
	    "%lld AND stream = 'stdout' AND text = 'init ran on h%d'", task,
	    H_GOOD), 1);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM task_output WHERE task_id = "
	    "%lld AND stream = 'stderr' AND text = 'warning'", task), 1);

	task = mktask("bogus", &id, 1);
	st = task_wait(task, 30);
	ck_assert_str_eq(st, "failed");
	free(st);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM task_hosts WHERE task_id = "
	    "%lld AND message = 'unknown task kind \"bogus\"'", task), 1);
	agent_stop(a);
}
END_TEST

/* Upper-case hex of s, as MySQL's HEX() gives it. */
static const char *
hexof(const char *s)
{
	static char	buf[1024];
	size_t		i;

	for (i = 0; s[i] != '\0' && 2 * i + 2 < sizeof(buf); i++)
		snprintf(buf + 2 * i, 3, "%02X", (unsigned char)s[i]);
	buf[2 * i] = '\0';
	return buf;
}

/* An init task on one fresh host at H_GOOD whose init script is script. */
static long long
init_with(const char *agent, const char *script, long long *id, pid_t *a)
{
	char	path[700], extra[1024];
	FILE	*f;

	*id = mkhost(H_GOOD, uniq(agent), credential());
	snprintf(path, sizeof(path), "%s/init-%s.sh", dir, agent);
	ck_assert((f = fopen(path, "w")) != NULL);
	fputs(script, f);
	fclose(f);
	snprintf(extra, sizeof(extra), "init_script = %s\n", path);
	*a = agent_start(agent, extra);
	return mktask("init", id, 1);
}

/*
 * A host that prints ill-formed UTF-8 (overlong forms, surrogates, code
 * points above U+10FFFF, a cut sequence, bytes no UTF-8 has): MySQL's
 * utf8mb4 would refuse the lines, so each ill-formed piece is stored as
 * U+FFFD and the task finishes; well-formed text is kept as it was.
 */
START_TEST(output_with_invalid_utf8)
{
	static const char *want[][2] = {
	    { "stdout", "overlong \xef\xbf\xbd\xef\xbf\xbd "
		"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd end" },
	    { "stdout", "surrogate \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd beyond "
		"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd" },
	    { "stdout", "cut \xef\xbf\xbd" },
	    { "stdout", "fine 张三 😀" },
	    { "stderr", "bytes \xef\xbf\xbd\xef\xbf\xbd end" },
	};
	long long	 id, task;
	char		 path[128], *st;
	struct resp	*r;
	json_object	*lines, *l;
	size_t		 i, j, seen = 0;
	pid_t		 a;

	task = init_with("utf8",
	    "printf 'overlong \\300\\257 \\340\\200\\257 end\\n'\n"
	    "printf 'surrogate \\355\\240\\200 beyond \\364\\220\\200\\200 "
	    "\\365\\n'\n"
	    "printf 'cut \\342\\202\\n'\n"
	    "printf 'fine 张三 \\360\\237\\230\\200\\n'\n"
	    "printf 'bytes \\376\\377 end\\n' >&2\n", &id, &a);
	st = task_wait(task, 30);
	ck_assert_str_eq(st, "finished");
	free(st);
	agent_stop(a);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM task_output WHERE task_id = "
	    "%lld", task), 5);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		ck_assert_msg(count("SELECT COUNT(*) FROM task_output WHERE "
		    "task_id = %lld AND stream = '%s' AND HEX(text) = '%s'", task,
		    want[i][0], hexof(want[i][1])) == 1, "no line %s", want[i][1]);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM hosts WHERE id = %lld AND "
	    "status = 'inited'", id), 1);
	/* And the API gives the same text back. */
	snprintf(path, sizeof(path), "/tasks/%lld/output/", task);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	lines = jpath(r->json, "lines");
	ck_assert_int_eq(json_object_array_length(lines), 5);
	for (i = 0; i < 5; i++) {
		l = json_object_array_get_idx(lines, i);
		for (j = 0; j < 5; j++)
			if (strcmp(jstr(l, "text"), want[j][1]) == 0 &&
			    strcmp(jstr(l, "stream"), want[j][0]) == 0)
				seen |= 1u << j;
	}
	ck_assert_uint_eq(seen, 0x1f);
	resp_free(r);
}
END_TEST

/*
 * Output MySQL refuses (here a trigger refuses one line; before, an
 * ill-formed line did the same) does not leave the task running: the host
 * is recorded failed, without its output, saying why and what it had; the
 * host is not marked inited.
 */
START_TEST(refused_output_fails_the_host)
{
	long long	 id, task;
	char		*st, *log;
	pid_t		 a;

	db_exec("DROP TRIGGER IF EXISTS test_refuse_output");
	db_exec("CREATE TRIGGER test_refuse_output BEFORE INSERT ON task_output "
	    "FOR EACH ROW IF NEW.text LIKE '%hangar-refuse-this%' THEN SIGNAL "
	    "SQLSTATE '45000' SET MESSAGE_TEXT = 'refused by the test'; END IF");
	task = init_with("refuse", "echo before\necho hangar-refuse-this\n",
	    &id, &a);
	st = task_wait(task, 30);
	db_exec("DROP TRIGGER test_refuse_output");
	ck_assert_str_eq(st, "failed");
	free(st);
	agent_stop(a);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM task_hosts WHERE task_id = "
	    "%lld AND status = 'failed' AND message LIKE 'output not stored: the "
	    "database refused this host''s output or result (see "
	    "hangar-agent''s log); the host had succeeded: init script "
	    "succeeded%%'",
	    task), 1);
	ck_assert((log = agent_log("refuse")) != NULL);
	ck_assert_ptr_nonnull(strstr(log, " result=failed msg=\"output not "
	    "stored: "));
	free(log);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM task_output WHERE task_id = "
	    "%lld", task), 0);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM hosts WHERE id = %lld AND "
	    "status = 'raw'", id), 1);
}
END_TEST

/*
 * A host whose end cannot be written at all (every write refused; the
 * same path as MySQL away for longer than the retries) stays running
 * while that lasts, and is recorded failed as soon as it can be: the task
 * ends, and the command is not run again.
 */
START_TEST(unrecorded_result_ends_failed)
{
	long long	 id, cred = credential(), task;
	char		 name[64], *st, *log;
	int		 b = records(H_GOOD, "restart"), i;
	pid_t		 a;

	snprintf(name, sizeof(name), "%s", uniq("unrec"));
	id = mkhost(H_GOOD, name, cred);
	db_exec("DROP TRIGGER IF EXISTS test_refuse_end");
	db_exec("CREATE TRIGGER test_refuse_end BEFORE UPDATE ON task_hosts "
	    "FOR EACH ROW IF NEW.status <> 'running' AND NEW.hostname LIKE "
	    "'unrec-%' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = "
	    "'refused by the test'; END IF");
	a = agent_start("unrec", NULL);
	task = mktask("restart", &id, 1);
	for (i = 0; i < 300; i++) {	/* until it has tried twice */
		log = agent_log("unrec");
		if (log != NULL && strstr(log, "could not record") != NULL &&
		    strstr(strstr(log, "could not record") + 1,
		    "could not record") != NULL) {
			free(log);
			break;
		}
		free(log);
		usleep(100000);
	}
	ck_assert_int_lt(i, 300);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM tasks WHERE id = %lld AND "
	    "status = 'running'", task), 1);
	db_exec("DROP TRIGGER test_refuse_end");
	st = task_wait(task, 30);
	ck_assert_str_eq(st, "failed");
	free(st);
	agent_stop(a);
	ck_assert_int_eq(count("SELECT COUNT(*) FROM task_hosts WHERE task_id = "
	    "%lld AND status = 'failed' AND message LIKE 'result not stored: %%'",
	    task), 1);
	ck_assert_int_eq(records(H_GOOD, "restart"), b + 1);
}
END_TEST

/*
 * With nothing happening (no agent runs), a read of a running task's
 * output waits the full 25 s and says so: no lines, not finished.
 */
START_TEST(output_long_poll_bound)
{
	long long	 id, task;
	char		 path[128];
	double		 t0, took;
	struct resp	*r;

	id = mkhost(H_NONE, uniq("idle"), credential());
	task = mktask("restart", &id, 1);
	snprintf(path, sizeof(path), "/tasks/%lld/output/", task);
	t0 = now_s();
	r = api("GET", path, admin_token(), NULL);
	took = now_s() - t0;
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "lines")), 0);
	ck_assert(!json_object_get_boolean(jpath(r->json, "finished")));
	ck_assert_str_eq(jstr(r->json, "cursor"), "r:0-0");
	ck_assert_msg(took >= 25.0 && took < 27.5, "long poll took %.1f s", took);
	resp_free(r);
	/* Close it so that no later agent runs it. */
	snprintf(path, sizeof(path), "UPDATE task_hosts SET status = 'failed', "
	    "message = 'closed by the test' WHERE task_id = %lld", task);
	db_exec(path);
	snprintf(path, sizeof(path), "UPDATE tasks SET status = 'failed' WHERE "
	    "id = %lld", task);
	db_exec(path);
}
END_TEST

static TCase *
tc_agent(void)
{
	TCase *tc = tcase_create("agent");

	tcase_add_test(tc, restart_20_hosts);
	tcase_add_test(tc, one_sshd_down);
	tcase_add_test(tc, hanging_command_times_out);
	tcase_add_test(tc, changed_host_key);
	tcase_add_test(tc, output_endpoint);
	tcase_add_test(tc, output_long_poll_bound);
	tcase_add_test(tc, stop_start_init_and_unknown_kinds);
	tcase_add_test(tc, output_with_invalid_utf8);
	tcase_add_test(tc, refused_output_fails_the_host);
	tcase_add_test(tc, unrecorded_result_ends_failed);
	tcase_add_test(tc, redis_down_while_creating);
	tcase_add_test(tc, sigterm_finishes_steps_sighup_reopens);
	tcase_add_test(tc, kill9_then_restarted_agent);
	tcase_add_test(tc, kill9_then_second_agent);
	return tc;
}

/* Stop (SIGTERM, then wait) the agent whose pid file is path, if alive. */
static void
stop_pidfile(const char *path)
{
	char	*s = slurp(path);
	long	 pid = s ? strtol(s, NULL, 10) : 0;
	int	 i;

	free(s);
	if (pid <= 0 || !pid_running(pid))
		return;
	kill((pid_t)pid, SIGTERM);
	for (i = 0; i < 300 && pid_running(pid); i++)
		usleep(100000);
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_agent };
	static const char *agents[] = { "r20", "k9a", "k9b", "rd", "down",
	    "hang", "rekey", "term", "term2", "out", "kinds", "utf8", "refuse",
	    "unrec", NULL };
	const char	*stack = getenv("HANGAR_STACK");
	char		 path[700];
	int		 failed, i;

	if (getenv("HANGAR_DIR") == NULL || stack == NULL ||
	    getenv("HANGAR_BIN") == NULL || sodium_init() < 0)
		return 1;
	snprintf(dir, sizeof(dir), "%s", getenv("HANGAR_DIR"));
	snprintf(sshdir, sizeof(sshdir), "%s/sshd", dir);
	/* Stacks on other ports may run these tests at the same time. */
	sshport = 20000 + (getenv("HANGAR_TEST_PORT") ?
	    atoi(getenv("HANGAR_TEST_PORT")) : 18080) % 10000;
	snprintf(path, sizeof(path), "%d", sshport);
	setenv("HANGAR_SSHD_PORT", path, 1);
	snprintf(harness, sizeof(harness), "%.*s/sshd-hosts.sh",
	    (int)(strrchr(stack, '/') - stack), stack);
	/* The tests run their own agents. */
	snprintf(path, sizeof(path), "%s/hangar-agent.pid", dir);
	stop_pidfile(path);
	if (sh("%s start %s %d %d >/dev/null && %s start %s %d %d >/dev/null",
	    harness, sshdir, FIRST20, FIRST20 + 19, harness, sshdir, H_DOWN,
	    H_SLOW) != 0) {
		fprintf(stderr, "test_agent: sshd test hosts did not start\n");
		return 1;
	}
	failed = run_suite("agent", cases, 1);
	/* Agents a failed test left behind (ours, by pid file), then sshd. */
	for (i = 0; agents[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/agent-%s.pid", dir, agents[i]);
		stop_pidfile(path);
	}
	(void)sh("%s stop %s", harness, sshdir);
	(void)sh("%s/hangar-agent -d -c %s/hangar.conf", getenv("HANGAR_BIN"),
	    dir);
	return failed ? 1 : 0;
}
