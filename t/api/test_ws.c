/*
 * test_ws.c -- live task output over WebSocket, end to end: a real
 * hangar-agent runs "start" tasks whose out-of-band command (a local
 * script, no SSH needed) writes lines when the test says so; it publishes
 * them to the stack's nginx, whose nchan module serves
 * ws://.../ws/tasks/<id> to subscribers that hangard let in.  The client
 * is t/ws-client.py (Debian's python3-websockets).
 *
 * A subscriber gets the backlog, then live lines, then the end message,
 * each line the very object GET /tasks/{id}/output/ gives; refused
 * subscribers; the publisher unreachable from the public server; an
 * agent whose publisher is down still finishes its tasks and says so
 * once; 500 subscribers of one task all get every line.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "authlib.h"

static char	dir[600];	/* the stack's folder */
static char	src[600];	/* the source tree (t/ws-client.py) */
static char	base[300];	/* http://127.0.0.1:PORT */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}


/* ---- an agent of our own, and its tasks ------------------------------ */

/*
 * Start an agent whose power_start_cmd runs the plan of the host: the
 * script ws-plans/<host name> (extra: more config lines).
 */
static pid_t
agent_start(const char *name, const char *extra)
{
	char	conf[700], bin[700], *stack;
	FILE	*f;
	pid_t	pid;

	snprintf(conf, sizeof(conf), "%s/agent-ws-%s.conf", dir, name);
	snprintf(bin, sizeof(bin), "%s/hangar.conf", dir);
	ck_assert((stack = slurp(bin)) != NULL);
	ck_assert((f = fopen(conf, "w")) != NULL);
	fprintf(f, "%s\nagent_pid_file = %s/agent-ws-%s.pid\n"
	    "agent_log = %s/log/agent-ws-%s.log\ncommand_timeout = 60\n"
	    "power_start_cmd = sh %s/ws-plans/\"$1\" \"$1\"\n%s\n", stack, dir, name,
	    dir, name, dir, extra != NULL ? extra : "");
	fclose(f);
	free(stack);
	snprintf(bin, sizeof(bin), "%s/hangar-agent", getenv("HANGAR_BIN"));
	if ((pid = fork()) == 0) {
		execl(bin, "hangar-agent", "-c", conf, (char *)NULL);
		_exit(127);
	}
	ck_assert(pid > 0);
	return pid;
}

static void
agent_stop(pid_t pid)
{
	double	end = now_s() + 60;
	int	status;

	kill(pid, SIGTERM);
	while (waitpid(pid, &status, WNOHANG) != pid) {
		ck_assert_msg(now_s() < end, "agent %ld did not stop", (long)pid);
		usleep(50000);
	}
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "agent exit status %d", status);
}

/* A PHY_HOST (started locally: no address needed) with plan as its script. */
static long long
plan_host(const char *name, const char *plan)
{
	char	path[800];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/ws-plans", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/ws-plans/%s", dir, name);
	ck_assert((f = fopen(path, "w")) != NULL);
	fputs(plan, f);
	fclose(f);
	return db_insert(fmt("INSERT INTO hosts (name, host_type) VALUES "
	    "('%s', 'PHY_HOST')", name));
}

/* A start task on hosts, queued as hg_task_create queues it. */
static long long
start_task(const long long *hosts, int n)
{
	long long	id;
	int		i;

	id = db_insert("INSERT INTO tasks (kind, creator, opts) VALUES "
	    "('start', 'admin', '{}')");
	for (i = 0; i < n; i++)
		db_exec(fmt("INSERT INTO task_hosts (task_id, host_id, hostname, "
		    "message) SELECT %lld, id, name, '' FROM hosts WHERE id = "
		    "%lld", id, hosts[i]));
	db_exec(fmt("INSERT INTO outbox (task_id) VALUES (%lld)", id));
	return id;
}

/* A flag file the plans wait for. */
static char *
flag_path(const char *name)
{
	return fmt("%s/ws-plans/%s.go", dir, name);
}

static void
flag_set(const char *name)
{
	FILE *f = fopen(flag_path(name), "w");

	ck_assert(f != NULL);
	fclose(f);
}

/* Plan text: before lines, wait for the flag (20 s at most), after lines. */
static char *
plan(const char *name, const char *before, const char *after)
{
	return fmt("%s\ni=0\nwhile [ ! -f '%s' ] && [ $i -lt 200 ]; do "
	    "sleep 0.1; i=$((i+1)); done\n%s\n", before, flag_path(name), after);
}

static char *
task_status(long long task, double secs)
{
	double	 end = now_s() + secs;
	char	*st = NULL;

	while (now_s() < end) {
		free(st);
		st = db_str(fmt("SELECT status FROM tasks WHERE id = %lld",
		    task));
		if (st != NULL && strcmp(st, "running") != 0)
			break;
		usleep(100000);
	}
	return st;
}

/* GET /tasks/{task}/output/ as the admin, from the start, until n lines. */
static json_object *
output_lines(long long task, int n)
{
	double		 end = now_s() + 20;
	struct resp	*r;
	json_object	*lines = NULL;

	while (now_s() < end) {
		r = api("GET", fmt("/tasks/%lld/output/", task), admin_token(),
		    NULL);
		ck_assert_int_eq(r->status, 200);
		lines = json_object_get(jpath(r->json, "lines"));
		resp_free(r);
		if ((int)json_object_array_length(lines) >= n)
			return lines;
		json_object_put(lines);
		usleep(100000);
	}
	ck_abort_msg("task %lld never had %d lines of output", task, n);
	return NULL;
}

/* ---- the WebSocket client -------------------------------------------- */

struct sub {
	FILE	*s_out;
};

/*
 * Start t/ws-client.py on task's channel with header lines ("K: v",
 * NULL-ended; no single quotes in them) and its other options.
 */
static void
sub_open(struct sub *s, long long task, const char *const *hdrs,
    const char *opts)
{
	char	cmd[4096];
	size_t	len;
	int	i;

	len = (size_t)snprintf(cmd, sizeof(cmd), "%s/t/ws-client.py -t 60 %s",
	    src, opts != NULL ? opts : "");
	for (i = 0; hdrs != NULL && hdrs[i] != NULL; i++)
		len += (size_t)snprintf(cmd + len, sizeof(cmd) - len, " -H '%s'",
		    hdrs[i]);
	snprintf(cmd + len, sizeof(cmd) - len, " ws://%s/ws/tasks/%lld",
	    base + strlen("http://"), task);
	ck_assert((s->s_out = popen(cmd, "r")) != NULL);
}

/* Its next line, without the newline (static buffer), or NULL at the end. */
static char *
sub_line(struct sub *s)
{
	static char	line[1 << 16];
	size_t		n;

	if (fgets(line, sizeof(line), s->s_out) == NULL)
		return NULL;
	n = strlen(line);
	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = '\0';
	return line;
}

/* Its exit status. */
static int
sub_close(struct sub *s)
{
	int st = pclose(s->s_out);

	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Subscribe with hdrs and expect to be refused with status. */
static void
expect_refused(long long task, const char *const *hdrs, int status)
{
	struct sub	 s;
	char		*l;

	sub_open(&s, task, hdrs, NULL);
	l = sub_line(&s);
	ck_assert_ptr_nonnull(l);
	ck_assert_str_eq(l, fmt("refused %d", status));
	ck_assert_int_eq(sub_close(&s), 2);
}

/* A message is exactly the output line (the same four fields). */
static void
expect_same_line(const char *msg, json_object *line)
{
	json_object	*m = json_tokener_parse(msg);
	static const char *const keys[] = { "host", "stream", "text", "time" };
	size_t		 i;

	ck_assert_msg(m != NULL, "not JSON: %s", msg);
	ck_assert_int_eq(jkeys(m, NULL), 4);
	for (i = 0; i < 4; i++)
		ck_assert_str_eq(jstr(m, keys[i]), jstr(line, keys[i]));
	json_object_put(m);
}

static void
expect_end(const char *msg, const char *status)
{
	json_object *m = json_tokener_parse(msg);

	ck_assert_msg(m != NULL, "not JSON: %s", msg);
	ck_assert_int_eq(jkeys(m, NULL), 3);
	ck_assert(json_object_get_boolean(jpath(m, "finished")));
	ck_assert_str_eq(jstr(m, "status"), status);
	ck_assert_int_gt(rfc3339_secs(jstr(m, "time")), 0);
	json_object_put(m);
}

static const char *
token_hdr(const char *tok)
{
	return fmt("Authorization: Token %s", tok);
}

/* ---- tests ----------------------------------------------------------- */

/*
 * Two lines written before anyone watches, two after: the subscriber gets
 * the first two at once, the others as they come, then the end; a
 * subscriber after the end (a cookie session from our own origin) gets
 * it all again.  Messages are GET /tasks/{id}/output/'s lines, exactly.
 */
START_TEST(backlog_then_live_then_end)
{
	const char	*name = uniq("wsb");
	const char	*hdrs[3] = { token_hdr(admin_token()), NULL, NULL };
	long long	 host, task;
	struct session	 sess;
	struct sub	 s;
	json_object	*lines;
	char		*l, *st;
	int		 i;
	pid_t		 a;

	host = plan_host(name, plan(name, "echo \"early out $1\"\n"
	    "echo 'early err 张三' >&2", "echo 'late one'\n"
	    "echo '\"quoted\" \\\\ late two'"));
	a = agent_start("b", NULL);
	task = start_task(&host, 1);
	lines = output_lines(task, 2);

	sub_open(&s, task, hdrs, NULL);
	ck_assert_str_eq(sub_line(&s), "open");
	for (i = 0; i < 2; i++) {
		ck_assert_ptr_nonnull(l = sub_line(&s));
		expect_same_line(l, json_object_array_get_idx(lines, (size_t)i));
	}
	json_object_put(lines);
	ck_assert_str_eq(jstr(json_object_array_get_idx(output_lines(task, 2),
	    0), "text"), fmt("early out %s", name));
	flag_set(name);
	st = task_status(task, 20);
	ck_assert_str_eq(st, "finished");
	free(st);
	lines = output_lines(task, 4);
	ck_assert_int_eq(json_object_array_length(lines), 4);
	for (i = 2; i < 4; i++) {
		ck_assert_ptr_nonnull(l = sub_line(&s));
		expect_same_line(l, json_object_array_get_idx(lines, (size_t)i));
	}
	ck_assert_ptr_nonnull(l = sub_line(&s));
	expect_end(l, "finished");
	ck_assert_ptr_null(sub_line(&s));
	ck_assert_int_eq(sub_close(&s), 0);

	/* Late, by cookie, from our own origin: the whole of it. */
	clear_login_counters("admin");
	login_session("admin", getenv("HANGAR_ADMIN_PASSWORD"), &sess);
	hdrs[0] = sess.cookie;
	hdrs[1] = fmt("Origin: %s", base);
	sub_open(&s, task, hdrs, NULL);
	ck_assert_str_eq(sub_line(&s), "open");
	for (i = 0; i < 4; i++) {
		ck_assert_ptr_nonnull(l = sub_line(&s));
		expect_same_line(l, json_object_array_get_idx(lines, (size_t)i));
	}
	ck_assert_ptr_nonnull(l = sub_line(&s));
	expect_end(l, "finished");
	ck_assert_int_eq(sub_close(&s), 0);
	json_object_put(lines);
	agent_stop(a);
}
END_TEST

/*
 * A failed host: the end says failed.  EventSource on the same URL gets
 * the same messages.
 */
START_TEST(failed_task_and_eventsource)
{
	const char	*name = uniq("wsf");
	long long	 host, task;
	char		*st, *out, cmd[2048];
	FILE		*p;
	pid_t		 a;

	host = plan_host(name, "echo 'about to fail'\nexit 3\n");
	a = agent_start("f", NULL);
	task = start_task(&host, 1);
	st = task_status(task, 20);
	ck_assert_str_eq(st, "failed");
	free(st);
	agent_stop(a);
	/* curl reads the stream until -m ends it */
	snprintf(cmd, sizeof(cmd), "curl -s -N -m 2 -H 'Accept: "
	    "text/event-stream' -H '%s' %s/ws/tasks/%lld", token_hdr(
	    admin_token()), base, task);
	ck_assert((p = popen(cmd, "r")) != NULL);
	out = calloc(1, 65536);
	ck_assert_ptr_nonnull(out);
	(void)fread(out, 1, 65535, p);
	pclose(p);
	ck_assert_msg(strstr(out, "data: {\"host\":\"") != NULL &&
	    strstr(out, "\"text\":\"about to fail\"") != NULL, "%s", out);
	ck_assert_msg(strstr(out, "data: {\"finished\":true,\"status\":"
	    "\"failed\",") != NULL, "%s", out);
	free(out);
}
END_TEST

/*
 * Only callers who may view the task: no credentials 401, a user who
 * does not see every host of it 404 (as GET /tasks/{id}/output/), then
 * the same user once it may; a cookie session from another origin 403;
 * an unknown task or a path that is no task id 404.
 */
START_TEST(only_who_may_view)
{
	const char	*name = uniq("wsp"), *tok;
	const char	*hdrs[3] = { NULL, NULL, NULL };
	long long	 host, task, uid;
	struct session	 sess;
	struct sub	 s;
	char		*st, *user;
	pid_t		 a;

	host = plan_host(name, "echo 'secret output'\n");
	a = agent_start("p", NULL);
	task = start_task(&host, 1);
	st = task_status(task, 20);
	ck_assert_str_eq(st, "finished");
	free(st);
	agent_stop(a);

	expect_refused(task, hdrs, 401);
	hdrs[0] = "Authorization: Token 0123456789abcdef0123456789abcdef01234567";
	expect_refused(task, hdrs, 401);
	user = strdup(uniq("wsuser"));
	tok = user_token(user, 0, &uid);
	hdrs[0] = token_hdr(tok);
	expect_refused(task, hdrs, 404);
	expect_status(api("POST", fmt("/users/%lld/system/perms/", uid),
	    admin_token(), "{\"module_name\": \"resource\", \"permissions\": "
	    "{\"enable_host_mgmt\": true}}"), 200);
	expect_refused(task, hdrs, 404);
	db_exec(fmt("INSERT INTO resource_grants VALUES ('user', %lld, 'host', "
	    "%lld, 'view_host')", uid, host));
	sub_open(&s, task, hdrs, NULL);
	ck_assert_str_eq(sub_line(&s), "open");
	ck_assert_ptr_nonnull(strstr(sub_line(&s), "secret output"));
	ck_assert_ptr_nonnull(strstr(sub_line(&s), "\"finished\":true"));
	ck_assert_int_eq(sub_close(&s), 0);

	/* A browser elsewhere holding the user's cookie. */
	login_session(user, fmt("password-%s", user), &sess);
	hdrs[0] = sess.cookie;
	hdrs[1] = "Origin: http://evil.example";
	expect_refused(task, hdrs, 403);
	hdrs[1] = fmt("Origin: %s0", base);	/* another port */
	expect_refused(task, hdrs, 403);
	hdrs[1] = "Origin: null";
	expect_refused(task, hdrs, 403);
	hdrs[1] = fmt("Origin: %s", base);
	sub_open(&s, task, hdrs, NULL);
	ck_assert_str_eq(sub_line(&s), "open");
	ck_assert_ptr_nonnull(strstr(sub_line(&s), "secret output"));
	ck_assert_ptr_nonnull(strstr(sub_line(&s), "\"finished\":true"));
	ck_assert_int_eq(sub_close(&s), 0);

	hdrs[0] = token_hdr(admin_token());
	hdrs[1] = NULL;
	expect_refused(999999999, hdrs, 404);
	/* the check itself, as nginx asks it */
	expect_error(api("GET", "/tasks/999999999/subscribe-check/",
	    admin_token(), NULL), 404, 10008, NULL);
	expect_status(api("GET", fmt("/tasks/%lld/subscribe-check/", task),
	    tok, NULL), 200);
	expect_error(api("GET", fmt("/tasks/%lld/subscribe-check/", task),
	    NULL, NULL), 401, 10005, NULL);
	expect_error(api("GET", "/tasks/abc/subscribe-check/", admin_token(),
	    NULL), 404, 10008, NULL);
	expect_error(api("GET", "/tasks/1%27%20OR%201=1/subscribe-check/",
	    admin_token(), NULL), 404, 10008, NULL);
	expect_error(api("GET", "/tasks/%E5%BC%A0/subscribe-check/",
	    admin_token(), NULL), 404, 10008, NULL);
	expect_error(api("POST", fmt("/tasks/%lld/subscribe-check/", task),
	    admin_token(), "{}"), 405, 10009, NULL);
	free(user);
}
END_TEST

/*
 * The publisher is not on the public server: publishing there is refused
 * whatever the method or path, and a subscriber afterwards gets only
 * what the agent wrote.
 */
START_TEST(publisher_not_public)
{
	const char	*name = uniq("wsn");
	const char	*hdrs[2] = { NULL, NULL };
	static const char *const methods[] = { "POST", "PUT", "DELETE" };
	static const char forged[] = "{\"host\": \"x\", \"stream\": "
	    "\"stdout\", \"text\": \"forged\", \"time\": \"x\"}";
	long long	 host, task;
	struct resp	*r;
	const char	*paths[4];
	struct sub	 s;
	char		*st, *l;
	size_t		 i, k;
	pid_t		 a;

	host = plan_host(name, "echo 'real line'\n");
	a = agent_start("n", NULL);
	task = start_task(&host, 1);
	st = task_status(task, 20);
	ck_assert_str_eq(st, "finished");
	free(st);
	agent_stop(a);
	paths[0] = fmt("/ws/tasks/%lld", task);
	paths[1] = fmt("/tasks/%lld", task);
	paths[2] = fmt("/_hangar/ws-auth/%lld", task);
	paths[3] = fmt("/ws/tasks/%lld?id=%lld", task, task);
	for (i = 0; i < 4; i++)
		for (k = 0; k < 3; k++) {
			r = api_raw(methods[k], paths[i], admin_token(),
			    "application/json", forged, strlen(forged), NULL);
			ck_assert_msg(r->status >= 400, "%s %s: %ld", methods[k],
			    paths[i], r->status);
			resp_free(r);
		}
	hdrs[0] = token_hdr(admin_token());
	sub_open(&s, task, hdrs, NULL);
	ck_assert_str_eq(sub_line(&s), "open");
	ck_assert_ptr_nonnull(l = sub_line(&s));
	ck_assert_ptr_nonnull(strstr(l, "\"text\":\"real line\""));
	ck_assert_ptr_nonnull(l = sub_line(&s));
	expect_end(l, "finished");
	ck_assert_int_eq(sub_close(&s), 0);
}
END_TEST

/* Lines of an agent's log that contain needle. */
static int
log_count(const char *agent, const char *needle)
{
	char	*log = slurp(fmt("%s/log/agent-ws-%s.log", dir, agent)), *p;
	int	 n = 0;

	ck_assert_ptr_nonnull(log);
	for (p = log; (p = strstr(p, needle)) != NULL; p++)
		n++;
	free(log);
	return n;
}

/*
 * The publisher away (a socket nobody listens on): 300 lines, the task
 * finishes as ever with all of them in its record, and the agent says
 * once that publishing failed, not once a line.
 */
START_TEST(publisher_down_never_fails_a_task)
{
	const char	*name = uniq("wsd");
	long long	 host, task;
	json_object	*lines;
	char		*st;
	pid_t		 a;

	host = plan_host(name, "i=0; while [ $i -lt 300 ]; do echo \"line $i\"; "
	    "i=$((i+1)); done\n");
	a = agent_start("d", fmt("ws_publish_socket = %s/no-such.sock", dir));
	task = start_task(&host, 1);
	st = task_status(task, 30);
	ck_assert_str_eq(st, "finished");
	free(st);
	lines = output_lines(task, 300);
	ck_assert_int_eq(json_object_array_length(lines), 300);
	json_object_put(lines);
	agent_stop(a);
	ck_assert_int_eq(log_count("d", "publishing live output"), 1);
	ck_assert_int_eq(log_count("d", "result=succeeded"), 1);
}
END_TEST

/* The HTTP status of a POST to the publisher's socket, with header h. */
static int
publish_status(long long task, const char *h)
{
	char	cmd[2048], out[16] = "";
	FILE	*p;

	snprintf(cmd, sizeof(cmd), "curl -s -o /dev/null -w '%%{http_code}' "
	    "-m 5 --unix-socket %s/publish.sock -H 'Content-Type: "
	    "application/json' %s%s%s -d '{\"host\": \"x\", \"stream\": "
	    "\"stdout\", \"text\": \"forged\", \"time\": \"x\"}' "
	    "http://localhost/tasks/%lld", dir, h != NULL ? "-H '" : "",
	    h != NULL ? h : "", h != NULL ? "'" : "", task);
	ck_assert((p = popen(cmd, "r")) != NULL);
	(void)fread(out, 1, sizeof(out) - 1, p);
	pclose(p);
	return atoi(out);
}

/*
 * A local user who reaches the publisher's socket still cannot publish:
 * without the stack's ws_publish_secret, or with another, nginx answers
 * 403 (and with it 2xx, so the check is what refused); an agent with a
 * wrong secret finishes its task and says once that publishing failed.
 */
START_TEST(publisher_needs_the_secret)
{
	const char	*name = uniq("wss");
	char		*secret, *st;
	long long	 host, task;
	int		 code;
	pid_t		 a;

	ck_assert_ptr_nonnull(secret = slurp(fmt("%s/publish-secret", dir)));
	ck_assert_int_eq(publish_status(999999001, NULL), 403);
	ck_assert_int_eq(publish_status(999999001,
	    "X-Hangar-Publish-Secret: 0123456789abcdef0123"), 403);
	ck_assert_int_eq(publish_status(999999001,
	    "X-Hangar-Publish-Secret: "), 403);
	code = publish_status(999999001,
	    fmt("X-Hangar-Publish-Secret: %s", secret));
	ck_assert_msg(code >= 200 && code <= 299, "with the secret: %d", code);

	host = plan_host(name, "echo one\necho two\n");
	a = agent_start("s", "ws_publish_secret = not-the-stack-secret-0001");
	task = start_task(&host, 1);
	st = task_status(task, 30);
	ck_assert_str_eq(st, "finished");
	free(st);
	agent_stop(a);
	ck_assert_int_eq(log_count("s", "publishing live output"), 1);
	ck_assert_int_eq(log_count("s", "HTTP status 403"), 1);
	/* the secret itself is never written to the log */
	ck_assert_int_eq(log_count("s", "not-the-stack-secret"), 0);
	free(secret);
}
END_TEST

/*
 * 500 subscribers of one task, all in before the task writes: each gets
 * every line (200 of them, from two hosts) and the end, the same bytes in
 * the same order.
 */
START_TEST(five_hundred_subscribers)
{
	const char	*names[2] = { strdup(uniq("ws5")), strdup(uniq("ws5")) };
	const char	*hdrs[2] = { token_hdr(admin_token()), NULL };
	const char	*after = "i=0; while [ $i -lt 100 ]; do echo \"n $i\"; "
	    "i=$((i+1)); done";
	long long	 hosts[2], task;
	struct sub	 s;
	json_object	*o;
	char		*l, *st, digest[80] = "";
	int		 i, n = 0;
	pid_t		 a;

	for (i = 0; i < 2; i++)
		hosts[i] = plan_host(names[i], plan(names[i], ":", after));
	a = agent_start("5", NULL);
	task = start_task(hosts, 2);
	sub_open(&s, task, hdrs, "-n 500 -t 120");	/* not a speed test */
	ck_assert_str_eq(sub_line(&s), "open 500");
	for (i = 0; i < 2; i++)
		flag_set(names[i]);
	while ((l = sub_line(&s)) != NULL) {
		o = json_tokener_parse(l);
		ck_assert_msg(o != NULL, "subscriber %d said: %s", n, l);
		ck_assert_int_eq(jint(o, "count"), 201);
		if (n++ == 0)
			snprintf(digest, sizeof(digest), "%s", jstr(o, "sha256"));
		ck_assert_str_eq(jstr(o, "sha256"), digest);
		json_object_put(o);
	}
	ck_assert_int_eq(sub_close(&s), 0);
	ck_assert_int_eq(n, 500);
	st = task_status(task, 20);
	ck_assert_str_eq(st, "finished");
	free(st);
	agent_stop(a);
	free((char *)names[0]);
	free((char *)names[1]);
}
END_TEST

/*
 * The URL in answers follows the request: wss behind TLS (a trusted
 * proxy's X-Forwarded-Proto), the host the client used.
 */
START_TEST(task_output_url)
{
	const char	*name = uniq("wsu");
	const char	*https[] = { "X-Forwarded-Proto: https", NULL };
	const char	*other[] = { "Host: hangar.example.com:8443", NULL };
	long long	 host, task;
	struct resp	*r;

	host = plan_host(name, ":\n");
	task = start_task(&host, 1);
	r = api("GET", fmt("/hosts/start-tasks/%lld/", task), admin_token(),
	    NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "task_output"), fmt("ws://%s/ws/tasks/"
	    "%lld", base + strlen("http://"), task));
	resp_free(r);
	r = api_raw("GET", fmt("/hosts/start-tasks/%lld/", task),
	    admin_token(), NULL, NULL, 0, https);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "task_output"), fmt("wss://%s/ws/tasks/"
	    "%lld", base + strlen("http://"), task));
	resp_free(r);
	r = api_raw("GET", fmt("/hosts/start-tasks/%lld/", task),
	    admin_token(), NULL, NULL, 0, other);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "task_output"), fmt(
	    "ws://hangar.example.com:8443/ws/tasks/%lld", task));
	resp_free(r);
	db_exec(fmt("DELETE FROM outbox WHERE task_id = %lld", task));
	db_exec(fmt("UPDATE tasks SET status = 'failed' WHERE id = %lld", task));
}
END_TEST

static TCase *
tc_ws(void)
{
	TCase *tc = tcase_create("ws");

	tcase_add_test(tc, task_output_url);
	tcase_add_test(tc, backlog_then_live_then_end);
	tcase_add_test(tc, failed_task_and_eventsource);
	tcase_add_test(tc, only_who_may_view);
	tcase_add_test(tc, publisher_not_public);
	tcase_add_test(tc, publisher_down_never_fails_a_task);
	tcase_add_test(tc, publisher_needs_the_secret);
	tcase_add_test(tc, five_hundred_subscribers);
	return tc;
}

/* Stop the agent in pid file path (ours or the stack's), if running. */
static void
stop_pidfile(const char *path)
{
	char	*s = slurp(path);
	long	 pid = s != NULL ? strtol(s, NULL, 10) : 0;
	int	 i;

	free(s);
	if (pid <= 0 || kill((pid_t)pid, 0) != 0)
		return;
	kill((pid_t)pid, SIGTERM);
	for (i = 0; i < 300 && kill((pid_t)pid, 0) == 0; i++)
		usleep(100000);
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_ws };
	static const char *const agents[] = { "b", "f", "p", "n", "d", "5",
	    NULL };
	const char	*stack = getenv("HANGAR_STACK");
	char		 path[800];
	int		 failed, i;

	if (getenv("HANGAR_DIR") == NULL || stack == NULL ||
	    getenv("HANGAR_BIN") == NULL || getenv("HANGAR_URL") == NULL)
		return 1;
	snprintf(dir, sizeof(dir), "%s", getenv("HANGAR_DIR"));
	snprintf(base, sizeof(base), "%s", getenv("HANGAR_URL"));
	/* HANGAR_STACK is SRC/t/stack.sh */
	snprintf(src, sizeof(src), "%.*s", (int)(strrchr(stack, '/') - stack -
	    2), stack);
	/* The tests run their own agents (their power_start_cmd). */
	snprintf(path, sizeof(path), "%s/hangar-agent.pid", dir);
	stop_pidfile(path);
	failed = run_suite("ws", cases, 1);
	for (i = 0; agents[i] != NULL; i++) {
		snprintf(path, sizeof(path), "%s/agent-ws-%s.pid", dir,
		    agents[i]);
		stop_pidfile(path);
	}
	snprintf(path, sizeof(path), "%s/hangar-agent -d -c %s/hangar.conf",
	    getenv("HANGAR_BIN"), dir);
	(void)system(path);
	return failed ? 1 : 0;
}
