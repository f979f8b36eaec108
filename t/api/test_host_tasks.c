/*
 * test_host_tasks.c -- host power actions, their task lists, init tasks
 * and change-status (the seed's 主机 section, API.md sections 4-6).
 *
 * What the API promises at once is checked exactly: the answer, the task
 * row (kind, creator, opts), one task_hosts row per host with its name,
 * the outbox row that carries the task to Redis, the audit record, and
 * that every refusal leaves the tables as they were.  The stack runs a
 * hangar-agent, so a task's status moves on its own: the end-to-end tests
 * wait for it and check the per-host results the agent wrote.  Tasks used
 * to test lists and filters are written with SQL and have no outbox row,
 * so no agent ever touches them.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authlib.h"

#define TABLES	"tasks,task_hosts,outbox,hosts,host_zabbix,audit_log"
#define SQLI	"'; DROP TABLE users; --"
#define NONASCII "\xe5\xbc\xa0\xe4\xb8\x89"	/* 张三 */
/* Host names use another name: test_hosts.c counts the hosts named 张三. */
#define HOSTNA	"\xe6\x9d\x8e\xe5\x9b\x9b"	/* 李四 */

/* The tables this file's refusals must leave as they were. */
#define unchanged(before)	db_unchanged((before), TABLES)

/* A host written with SQL, in the given state. */
static long long
mkhost(const char *name, const char *type, const char *status,
    const char *os)
{
	return db_insert(fmt("INSERT INTO hosts (name, host_type, status, "
	    "os_status) VALUES ('%s', '%s', '%s', '%s')", sqlq(name), type, status,
	    os));
}

static char *
str(const char *sql)
{
	char *s = db_str(sql);

	ck_assert_msg(s != NULL, "no row: %s", sql);
	return s;
}

/*
 * A 10002 whose errors name field exactly (expect_error looks fields up
 * as dotted paths, and these names contain dots and brackets).
 */
#define expect_invalid(r, field) expect_invalid_at(__LINE__, (r), (field))
static void
expect_invalid_at(int line, struct resp *r, const char *field)
{
	json_object *v;

	ck_assert_msg(r->json != NULL && json_object_object_get_ex(jpath(r->json,
	    "errors"), field, &v), "line %d: errors does not name %s: %s", line,
	    field, r->body);
	expect_error(r, 400, 10002, NULL);
}

/* The task row and its outbox row, as the API promised them. */
static void
expect_task_rows(long long task, const char *kind, const char *creator,
    const char *opts, int nhosts)
{
	char *s;

	s = str(fmt("SELECT kind FROM tasks WHERE id = %lld", task));
	ck_assert_str_eq(s, kind);
	free(s);
	s = str(fmt("SELECT creator FROM tasks WHERE id = %lld", task));
	ck_assert_str_eq(s, creator);
	free(s);
	s = str(fmt("SELECT opts FROM tasks WHERE id = %lld", task));
	ck_assert_str_eq(s, opts);
	free(s);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM task_hosts WHERE "
	    "task_id = %lld", task)), nhosts);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM outbox WHERE "
	    "task_id = %lld", task)), 1);
	ck_assert_int_eq(db_int(fmt("SELECT TIMESTAMPDIFF(SECOND, created_time, "
	    "UTC_TIMESTAMP()) < 60 FROM tasks WHERE id = %lld", task)), 1);
}

/*
 * A task's live output URL as the test client (plain http, Host from
 * HANGAR_URL) must be told it: ws://<host>/ws/tasks/<id>.
 */
static void
expect_output_url(json_object *o, long long id)
{
	const char *base = getenv("HANGAR_URL");

	ck_assert_ptr_nonnull(base);
	ck_assert_str_eq(jstr(o, "task_output"), fmt("ws://%s/ws/tasks/%lld",
	    base + strlen("http://"), id));
}

/* The {"task_id": "N", "task_output"} answer of an action; returns N. */
static long long
task_id_of(struct resp *r)
{
	const char	*s;
	long long	 id;

	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_int_eq(jkeys(r->json, NULL), 2);
	s = jstr(r->json, "task_id");
	ck_assert_ptr_nonnull(s);
	ck_assert(json_object_is_type(jpath(r->json, "task_id"),
	    json_type_string));
	id = strtoll(s, NULL, 10);
	ck_assert_int_gt(id, 0);
	expect_output_url(r->json, id);
	resp_free(r);
	return id;
}

/*
 * Every field of a task object: hosts and results name these hosts in id
 * order; status and per-host results are whatever the agent has reached.
 */
static void
expect_task(json_object *o, long long id, const char *creator,
    const long long *hosts, const char *const *names, int n, int init)
{
	static const char *const tstat[] = { "running", "finished", "failed" };
	static const char *const hstat[] = { "pending", "running", "succeeded",
	    "failed" };
	const char	*st;
	int		 i, k, ok;

	ck_assert_int_eq(jkeys(o, NULL), init ? 9 : 8);
	ck_assert(json_object_is_type(jpath(o, "id"), json_type_string));
	ck_assert_int_eq(strtoll(jstr(o, "id"), NULL, 10), id);
	expect_output_url(o, id);
	ck_assert_str_eq(jstr(o, "creator"), creator);
	expect_recent(o, "created_time");
	st = jstr(o, "status");
	for (ok = 0, k = 0; k < 3; k++)
		ok |= strcmp(st, tstat[k]) == 0;
	ck_assert_msg(ok, "task status %s", st);
	ck_assert(strcmp(st, "running") == 0 ? jnull(o, "finished_time") :
	    rfc3339_secs(jstr(o, "finished_time")) > 0);
	ck_assert_int_eq(jlen(o, "hosts"), n);
	ck_assert_int_eq(jlen(o, "results"), n);
	for (i = 0; i < n; i++) {
		ck_assert_int_eq(jkeys(o, fmt("hosts.%d", i)), 2);
		ck_assert_int_eq(jint(o, fmt("hosts.%d.id", i)), hosts[i]);
		ck_assert_str_eq(jstr(o, fmt("hosts.%d.name", i)), names[i]);
		ck_assert_int_eq(jkeys(o, fmt("results.%d", i)), 6);
		ck_assert_int_eq(jint(o, fmt("results.%d.host_id", i)), hosts[i]);
		ck_assert_str_eq(jstr(o, fmt("results.%d.hostname", i)),
		    names[i]);
		st = jstr(o, fmt("results.%d.status", i));
		for (ok = 0, k = 0; k < 4; k++)
			ok |= strcmp(st, hstat[k]) == 0;
		ck_assert_msg(ok, "host status %s", st);
		ck_assert_ptr_nonnull(jstr(o, fmt("results.%d.message", i)));
	}
}

/* Wait up to secs for task to leave running; its final GET body. */
static struct resp *
task_wait(const char *kind, long long task, int secs)
{
	struct resp	*r;
	int		 i;

	for (i = 0; i < secs * 10; i++) {
		r = api("GET", fmt("/hosts/%s-tasks/%lld/", kind, task),
		    admin_token(), NULL);
		ck_assert_int_eq(r->status, 200);
		if (strcmp(jstr(r->json, "status"), "running") != 0)
			return r;
		resp_free(r);
		usleep(100000);
	}
	ck_abort_msg("task %lld still running after %d s", task, secs);
	return NULL;
}

/* Is the stack's own hangar-agent running? */
static int
agent_up(void)
{
	char	 path[512], buf[32];
	FILE	*f;
	int	 pid = 0;

	snprintf(path, sizeof(path), "%s/hangar-agent.pid", getenv("HANGAR_DIR"));
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) != NULL)
		pid = atoi(buf);
	fclose(f);
	return pid > 0 && kill(pid, 0) == 0;
}

/* ---- power actions --------------------------------------------------- */

START_TEST(power_one_each_kind)
{
	static const char *const kinds[] = { "start", "stop", "restart" };
	const char	*name = uniq("pw-" HOSTNA);
	long long	 host = mkhost(name, "ALI_ECS", "inited", "stopped"), task;
	struct resp	*r;
	char		*s;
	int		 k;

	for (k = 0; k < 3; k++) {
		task = task_id_of(api("POST", fmt("/hosts/%lld/actions/%s/", host,
		    kinds[k]), admin_token(), k == 0 ? NULL :
		    "{\"force\": true}"));
		expect_task_rows(task, kinds[k], "admin", k == 0 ?
		    "{\"force\":[]}" : fmt("{\"force\":[%lld]}", host), 1);
		s = str(fmt("SELECT hostname FROM task_hosts WHERE task_id = "
		    "%lld AND host_id = %lld", task, host));
		ck_assert_str_eq(s, name);
		free(s);
		s = str(fmt("SELECT op_detail FROM audit_log WHERE kind = 'host' "
		    "AND target_id = %lld AND op_type = '%s' ORDER BY id DESC "
		    "LIMIT 1", host, kinds[k]));
		ck_assert_str_eq(s, fmt("%s%s of host \"%s\" queued as task %lld "
		    "(os_status was stopped)", kinds[k], k == 0 ? "" :
		    " (forced)", name, task));
		free(s);
		r = api("GET", fmt("/hosts/%s-tasks/%lld/", kinds[k], task),
		    admin_token(), NULL);
		ck_assert_int_eq(r->status, 200);
		expect_task(r->json, task, "admin", &host, &name, 1, 0);
		resp_free(r);
		/* A task is found under its own kind only. */
		expect_error(api("GET", fmt("/hosts/%s-tasks/%lld/",
		    kinds[(k + 1) % 3], task), admin_token(), NULL), 404, 10008,
		    NULL);
	}
}
END_TEST

START_TEST(start_running_is_30002)
{
	const char	*name = uniq("run");
	long long	 host = mkhost(name, "ALI_ECS", "inited", "running");
	const char	*tok = admin_token();
	char		*before = db_fingerprint(TABLES);

	expect_error(api("POST", fmt("/hosts/%lld/actions/start/", host), tok,
	    NULL), 409, 30002, NULL);
	expect_error(api_f("POST", "/hosts/start-tasks/", tok,
	    "[{\"host_id\": %lld}]", host), 409, 30002, NULL);
	unchanged(before);
}
END_TEST

/* A PHY_HOST starts out of band; no power_start_cmd: a clear 400. */
START_TEST(start_phy_without_command_400)
{
	long long	 host = mkhost(uniq("phy"), "PHY_HOST", "inited", "stopped");
	long long	 ok = mkhost(uniq("ecs"), "ALI_ECS", "inited", "stopped");
	const char	*tok = admin_token();
	char		*before = db_fingerprint(TABLES);
	struct resp	*r;

	r = api("POST", fmt("/hosts/%lld/actions/start/", host), tok, NULL);
	ck_assert_ptr_nonnull(strstr(r->body, "power_start_cmd"));
	expect_error(r, 400, 10002, "id");
	expect_invalid(api_f("POST", "/hosts/start-tasks/", tok, "[{\"host_id\": "
	    "%lld}, {\"host_id\": %lld}]", ok, host), "[1].host_id");
	unchanged(before);
}
END_TEST

START_TEST(unknown_hosts)
{
	long long	 ok = mkhost(uniq("unk"), "ALI_ECS", "inited", "stopped");
	const char	*tok = admin_token();
	char		*before = db_fingerprint(TABLES);
	const char	*k[] = { "start", "stop", "restart" };
	int		 i;

	for (i = 0; i < 3; i++) {
		expect_error(api("POST", fmt("/hosts/999999999/actions/%s/", k[i]),
		    tok, NULL), 404, 10008, NULL);
		expect_invalid(api_f("POST", fmt("/hosts/%s-tasks/", k[i]), tok,
		    "[{\"host_id\": %lld}, {\"host_id\": 999999999}]", ok), "[1].host_id");
		expect_error(api("GET", fmt("/hosts/%s-tasks/999999999/", k[i]),
		    tok, NULL), 404, 10008, NULL);
	}
	expect_error(api("POST", "/hosts/999999999/actions/change-status/", tok,
	    "{\"status\": \"offline\"}"), 404, 10008, NULL);
	expect_error(api("GET", "/hosts/init-tasks/999999999/", tok, NULL), 404,
	    10008, NULL);
	unchanged(before);
}
END_TEST

START_TEST(batch_one_task)
{
	const char	*na = uniq("ba"), *nb = uniq("bb' OR '1'='1");
	long long	 a = mkhost(na, "TECENT_CVM", "attached", "running");
	long long	 b = mkhost(nb, "CLOUDSTACK", "inited", "unknown");
	long long	 ids[2] = { a, b }, task;
	const char	*names[2] = { na, nb };
	struct resp	*r;

	r = api_f("POST", "/hosts/stop-tasks/", admin_token(), "[{\"host_id\": "
	    "%lld, \"force\": false}, {\"host_id\": %lld, \"force\": true}]",
	    a, b);
	ck_assert_msg(r->status == 201, "%s", r->body);
	task = strtoll(jstr(r->json, "task_id"), NULL, 10);
	ck_assert_str_eq(jstr(r->json, "task_id"), jstr(r->json, "id"));
	json_object_object_del(r->json, "task_id");
	expect_task(r->json, task, "admin", ids, names, 2, 0);
	resp_free(r);
	expect_task_rows(task, "stop", "admin", fmt("{\"force\":[%lld]}", b), 2);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'host' AND op_type = 'stop' AND op_detail LIKE "
	    "'%%queued as task %lld %%'", task)), 2);
	/* "id" is accepted for "host_id"; a host named twice runs once. */
	r = api_f("POST", "/hosts/restart-tasks/", admin_token(), "[{\"id\": "
	    "%lld}, {\"host_id\": %lld}]", a, a);
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_int_eq(jlen(r->json, "hosts"), 1);
	resp_free(r);
}
END_TEST

START_TEST(batch_bad_input)
{
	long long	 a = mkhost(uniq("bbi"), "ALI_ECS", "inited", "stopped");
	const char	*tok = admin_token();
	char		*before = db_fingerprint(TABLES);
	static const char *const ctype[] = { NULL };

	expect_error(api("POST", "/hosts/start-tasks/", tok, "[]"), 400, 10002,
	    "host_id");
	expect_error(api("POST", "/hosts/start-tasks/", tok, "{\"host_id\": 1}"),
	    400, 10002, NULL);
	expect_error(api("POST", "/hosts/start-tasks/", tok, "[1"), 400, 10001,
	    NULL);
	expect_invalid(api("POST", "/hosts/start-tasks/", tok, "[5]"), "[0]");
	expect_invalid(api("POST", "/hosts/stop-tasks/", tok,
	    "[{\"host_id\": \"1\"}]"), "[0].host_id");
	expect_invalid(api("POST", "/hosts/stop-tasks/", tok,
	    "[{\"force\": true}]"), "[0].host_id");
	expect_invalid(api("POST", "/hosts/stop-tasks/", tok,
	    "[{\"host_id\": 0}]"), "[0].host_id");
	expect_invalid(api_f("POST", "/hosts/restart-tasks/", tok,
	    "[{\"host_id\": %lld, \"force\": \"yes\"}]", a), "[0].force");
	expect_error(api_raw("POST", "/hosts/restart-tasks/", tok, "text/plain",
	    "[]", 2, ctype), 415, 10003, NULL);
	expect_error(api_f("POST", fmt("/hosts/%lld/actions/stop/", a), tok,
	    "{\"force\": 1}"), 400, 10002, "force");
	expect_error(api("POST", fmt("/hosts/%lld/actions/stop/", a), tok,
	    "[true]"), 400, 10002, NULL);
	unchanged(before);
}
END_TEST

/* A task id, a string in every task object. */
static long long
sid(json_object *j, const char *path)
{
	const char *s = jstr(j, path);

	ck_assert_msg(s != NULL, "%s is not a string", path);
	return strtoll(s, NULL, 10);
}

/* Tasks written with SQL (no outbox row: no agent touches them). */
static long long
sqltask(const char *kind, const char *creator, const char *status,
    const char *created, long long host, const char *hostname)
{
	long long id;

	id = db_insert(fmt("INSERT INTO tasks (kind, status, creator, opts, "
	    "created_time, finished_time) VALUES ('%s', '%s', '%s', '{}', '%s', "
	    "%s)", kind, status, sqlq(creator), created, strcmp(status, "running") ?
	    "'2020-06-01 10:00:05'" : "NULL"));
	db_exec(fmt("INSERT INTO task_hosts (task_id, host_id, hostname, status, "
	    "message, started_time, finished_time) VALUES (%lld, %lld, '%s', "
	    "'%s', '%s', %s, %s)", id, host, sqlq(hostname),
	    strcmp(status, "finished") == 0 ? "succeeded" :
	    strcmp(status, "failed") == 0 ? "failed" : "pending",
	    sqlq("done " SQLI), strcmp(status, "running") ? "'2020-06-01 10:00:01'" : "NULL",
	    strcmp(status, "running") ? "'2020-06-01 10:00:05'" : "NULL"));
	return id;
}

START_TEST(list_filters)
{
	const char	*who = uniq("lf" NONASCII), *hn = uniq("lfh");
	long long	 h = mkhost(hn, "PHY_HOST", "inited", "running");
	long long	 a, b, c, d;
	struct resp	*r;
	char		 base[256];

	a = sqltask("stop", who, "finished", "2020-06-01 10:00:00", h, hn);
	b = sqltask("stop", who, "failed", "2020-06-02 10:00:00", h, hn);
	c = sqltask("stop", who, "running", "2020-06-03 23:59:59", h, hn);
	d = sqltask("restart", who, "finished", "2020-06-02 10:00:00", h, hn);
	snprintf(base, sizeof(base), "/hosts/stop-tasks/?creator=%s", who);
	r = api("GET", base, admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert_int_eq(sid(r->json, "results.0.id"), c);
	ck_assert_str_eq(jstr(r->json, "results.2.id"), fmt("%lld", a));
	/* a finished task's results, times in RFC 3339 */
	ck_assert_str_eq(jstr(r->json, "results.2.status"), "finished");
	ck_assert_str_eq(jstr(r->json, "results.2.results.0.status"),
	    "succeeded");
	ck_assert_str_eq(jstr(r->json, "results.2.results.0.message"),
	    "done " SQLI);
	ck_assert_int_eq(rfc3339_secs(jstr(r->json,
	    "results.2.results.0.started_time")), 1591005601);
	ck_assert_int_eq(rfc3339_secs(jstr(r->json,
	    "results.2.results.0.finished_time")), 1591005605);
	ck_assert_int_eq(rfc3339_secs(jstr(r->json, "results.2.created_time")),
	    1591005600);
	ck_assert(jnull(r->json, "results.0.finished_time"));
	ck_assert(jnull(r->json, "results.0.results.0.started_time"));
	ck_assert_str_eq(jstr(r->json, "results.0.results.0.status"), "pending");
	resp_free(r);
	r = api("GET", fmt("%s&status=failed", base), admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(sid(r->json, "results.0.id"), b);
	resp_free(r);
	/* both bounds inclusive; a bare date in __lt is the whole day (UTC
	 * here: the stack's timezone is the system's) */
	r = api("GET", fmt("%s&time__gt=2020-06-02T10:00:00Z&time__lt="
	    "2020-06-03", base), admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(sid(r->json, "results.0.id"), c);
	ck_assert_int_eq(sid(r->json, "results.1.id"), b);
	resp_free(r);
	r = api("GET", fmt("%s&time__lt=1591005600", base), admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	resp_free(r);
	r = api("GET", fmt("%s&hostname=%s&page_size=1", base, hn),
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert_int_eq(jlen(r->json, "results"), 1);
	ck_assert_ptr_nonnull(jstr(r->json, "next"));
	resp_free(r);
	r = api("GET", fmt("/hosts/restart-tasks/?creator=%s", who),
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(sid(r->json, "results.0.id"), d);
	resp_free(r);
	r = api("GET", "/hosts/stop-tasks/?creator=%25%5F", admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	r = api("GET", "/hosts/stop-tasks/?creator=%27%3B%20DROP%20TABLE%20users"
	    "%3B%20--", admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	expect_error(api("GET", "/hosts/stop-tasks/?status=done", admin_token(),
	    NULL), 400, 10002, "status");
	expect_error(api("GET", "/hosts/start-tasks/?time__gt=yesterday",
	    admin_token(), NULL), 400, 10002, "time__gt");
}
END_TEST

/* ---- init tasks ------------------------------------------------------ */

START_TEST(init_create_and_list)
{
	const char	*na = uniq("in" HOSTNA), *nb = uniq("in");
	long long	 a = mkhost(na, "PHY_HOST", "raw", "unknown");
	long long	 b = mkhost(nb, "ALI_ECS", "inited", "running");
	long long	 ids[2] = { a, b }, task;
	const char	*names[2] = { na, nb };
	struct resp	*r;
	char		*s;

	r = api_f("POST", "/hosts/init-tasks/", admin_token(), "{\"hosts\": "
	    "[{\"id\": %lld}, {\"id\": %lld}], \"opts\": {}}", b, a);
	ck_assert_msg(r->status == 201, "%s", r->body);
	task = strtoll(jstr(r->json, "task_id"), NULL, 10);
	json_object_object_del(r->json, "task_id");
	expect_task(r->json, task, "admin", ids, names, 2, 1);
	ck_assert_int_eq(jkeys(r->json, "opts"), 2);
	ck_assert_int_eq(jlen(r->json, "opts.zabbix_groups"), 0);
	ck_assert_int_eq(jlen(r->json, "opts.zabbix_templates"), 0);
	resp_free(r);
	expect_task_rows(task, "init", "admin",
	    "{\"zabbix_groups\":[],\"zabbix_templates\":[]}", 2);
	s = str(fmt("SELECT op_detail FROM audit_log WHERE kind = 'host' AND "
	    "target_id = %lld AND op_type = 'init' ORDER BY id DESC LIMIT 1", a));
	ck_assert_str_eq(s, fmt("init of host \"%s\" queued as task %lld "
	    "(status raw; Zabbix groups (none), templates (none))", na, task));
	free(s);
	r = api("GET", fmt("/hosts/init-tasks/?hostname=%s&creator=ADMIN", na),
	    admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	expect_task(jpath(r->json, "results.0"), task, "admin", ids, names, 2, 1);
	resp_free(r);
	r = api("GET", fmt("/hosts/init-tasks/%lld/", task), admin_token(), NULL);
	expect_task(r->json, task, "admin", ids, names, 2, 1);
	resp_free(r);
}
END_TEST

START_TEST(init_refusals)
{
	long long	 ok = mkhost(uniq("ir"), "ALI_ECS", "raw", "unknown");
	long long	 off = mkhost(uniq("iro"), "ALI_ECS", "offline", "stopped");
	const char	*tok = admin_token();
	char		*before = db_fingerprint(TABLES);

	expect_error(api_f("POST", "/hosts/init-tasks/", tok, "{\"hosts\": "
	    "[{\"id\": %lld}], \"opts\": {}}", off), 409, 10015, NULL);
	expect_invalid(api_f("POST", "/hosts/init-tasks/", tok, "{\"hosts\": "
	    "[{\"id\": %lld}, {\"id\": 999999999}], \"opts\": {}}", ok), "hosts[1].id");
	expect_error(api("POST", "/hosts/init-tasks/", tok, "{\"hosts\": [], "
	    "\"opts\": {}}"), 400, 10002, "hosts");
	expect_invalid(api("POST", "/hosts/init-tasks/", tok, "{\"hosts\": "
	    "[{\"id\": \"1\"}], \"opts\": {}}"), "hosts[0].id");
	expect_invalid(api("POST", "/hosts/init-tasks/", tok, "{\"hosts\": "
	    "[3], \"opts\": {}}"), "hosts[0].id");
	expect_invalid(api_f("POST", "/hosts/init-tasks/", tok, "{\"hosts\": "
	    "[{\"id\": %lld}], \"opts\": {\"zabbix_groups\": \"g\"}}", ok), "opts.zabbix_groups");
	expect_invalid(api_f("POST", "/hosts/init-tasks/", tok, "{\"hosts\": "
	    "[{\"id\": %lld}], \"opts\": {\"zabbix_groups\": [1]}}", ok), "opts.zabbix_groups");
	expect_invalid(api_f("POST", "/hosts/init-tasks/", tok, "{\"hosts\": "
	    "[{\"id\": %lld}], \"opts\": {\"zabbix_templates\": [\"t\"]}}", ok), "opts.zabbix_groups");
	unchanged(before);
}
END_TEST

START_TEST(init_bad_input)
{
	static const struct field_spec f[] = {
		{ "hosts", 1, "array", 0, NULL },
		{ "opts", 1, "object", 0, NULL },
	};
	long long ok = mkhost(uniq("ibi"), "ALI_ECS", "raw", "unknown");

	bad_input_battery("POST", "/hosts/init-tasks/", admin_token(),
	    fmt("{\"hosts\": [{\"id\": %lld}], \"opts\": {}}", ok), f, 2,
	    TABLES);
}
END_TEST

/* ---- change-status --------------------------------------------------- */

START_TEST(change_status_transitions)
{
	static const char *const path[][2] = {
		{ "raw", "inited" }, { "inited", "attached" },
		{ "attached", "inited" }, { "inited", "offline" },
		{ "offline", "raw" }, { "raw", "offline" },
	};
	const char	*name = uniq("cs" HOSTNA);
	long long	 host = mkhost(name, "PHY_HOST", "raw", "running"), task;
	char		*s;
	size_t		 i;

	for (i = 0; i < sizeof(path) / sizeof(path[0]); i++) {
		task = task_id_of(api_f("POST", fmt("/hosts/%lld/actions/"
		    "change-status/", host), admin_token(), "{\"status\": \"%s\"}",
		    path[i][1]));
		s = str(fmt("SELECT status FROM hosts WHERE id = %lld", host));
		ck_assert_str_eq(s, path[i][1]);
		free(s);
		expect_task_rows(task, "change_status", "admin",
		    fmt("{\"from\":\"%s\",\"status\":\"%s\"}", path[i][0],
		    path[i][1]), 1);
		s = str(fmt("SELECT op_detail FROM audit_log WHERE kind = 'host' "
		    "AND target_id = %lld AND op_type = 'change_status' ORDER BY "
		    "id DESC LIMIT 1", host));
		ck_assert_str_eq(s, fmt("changed host \"%s\" (side effects "
		    "queued as task %lld): status: \"%s\" -> \"%s\"", name,
		    task, path[i][0], path[i][1]));
		free(s);
	}
}
END_TEST

START_TEST(change_status_refusals)
{
	static const char *const bad[][2] = {
		{ "raw", "attached" }, { "raw", "raw" }, { "inited", "raw" },
		{ "attached", "raw" }, { "offline", "inited" },
		{ "offline", "attached" }, { "offline", "offline" },
		{ "inited", "inited" },
	};
	const char	*tok = admin_token();
	long long	 hosts[8];
	char		*before;
	size_t		 i;

	for (i = 0; i < 8; i++)
		hosts[i] = mkhost(uniq("csr"), "ALI_ECS", bad[i][0], "running");
	before = db_fingerprint(TABLES);
	for (i = 0; i < 8; i++)
		expect_error(api_f("POST", fmt("/hosts/%lld/actions/change-status/",
		    hosts[i]), tok, "{\"status\": \"%s\"}", bad[i][1]), 400, 10002,
		    "status");
	expect_error(api_f("POST", fmt("/hosts/%lld/actions/change-status/",
	    hosts[0]), tok, "{\"status\": \"deleted\"}"), 400, 10002, "status");
	expect_error(api_f("POST", fmt("/hosts/%lld/actions/change-status/",
	    hosts[0]), tok, "{}"), 400, 10002, "status");
	unchanged(before);
}
END_TEST

START_TEST(change_status_bad_input)
{
	static const struct field_spec f[] = {
		{ "status", 1, "string", 0, "deleted" },
	};
	long long host = mkhost(uniq("csb"), "ALI_ECS", "raw", "running");

	bad_input_battery("POST", fmt("/hosts/%lld/actions/change-status/",
	    host), admin_token(), "{\"status\": \"inited\"}", f, 1, TABLES);
}
END_TEST

/* ---- who may ---------------------------------------------------------- */

START_TEST(anonymous_401_and_user_403)
{
	long long	 uid, host = mkhost(uniq("perm"), "ALI_ECS", "raw",
	    "stopped");
	const char	*tok = user_token(uniq("htu"), 0, &uid);
	const char	*tokens[2] = { NULL, tok };
	char		*before;
	int		 i, t;
	const char	*routes[][3] = {
		{ "GET", "/hosts/init-tasks/", NULL },
		{ "POST", "/hosts/init-tasks/", "{\"hosts\": [{\"id\": 1}], "
		    "\"opts\": {}}" },
		{ "GET", "/hosts/init-tasks/1/", NULL },
		{ "GET", "/hosts/start-tasks/", NULL },
		{ "POST", "/hosts/start-tasks/", "[{\"host_id\": 1}]" },
		{ "GET", "/hosts/start-tasks/1/", NULL },
		{ "GET", "/hosts/stop-tasks/", NULL },
		{ "POST", "/hosts/stop-tasks/", "[{\"host_id\": 1}]" },
		{ "GET", "/hosts/restart-tasks/", NULL },
		{ "POST", "/hosts/restart-tasks/", "[{\"host_id\": 1}]" },
		{ "POST", fmt("/hosts/%lld/actions/start/", host), NULL },
		{ "POST", fmt("/hosts/%lld/actions/stop/", host), NULL },
		{ "POST", fmt("/hosts/%lld/actions/restart/", host), NULL },
		{ "POST", fmt("/hosts/%lld/actions/change-status/", host),
		    "{\"status\": \"offline\"}" },
		{ "POST", fmt("/hosts/%lld/actions/change-zabbix-opts/", host),
		    "{\"zabbix_groups\": [\"Linux servers\"]}" },
	};

	(void)admin_token();
	before = db_fingerprint(TABLES);
	for (i = 0; i < (int)(sizeof(routes) / sizeof(routes[0])); i++)
		for (t = 0; t < 2; t++)
			expect_error(api(routes[i][0], routes[i][1], tokens[t],
			    routes[i][2]), t == 0 ? 401 : 403,
			    t == 0 ? 10005 : 10007, NULL);
	unchanged(before);
}
END_TEST

/*
 * A batch names hosts twice, forced in one item and not in another: each
 * host gets one audit row, and it says forced exactly when the host is in
 * the task's force list.
 */
START_TEST(batch_audits_force_per_host)
{
	const char	*na = uniq("bf" HOSTNA), *nb = uniq("bf" SQLI);
	long long	 a = mkhost(na, "ALI_ECS", "inited", "stopped");
	long long	 b = mkhost(nb, "ALI_ECS", "inited", "running");
	long long	 task;
	struct resp	*r;
	char		*s;

	r = api_f("POST", "/hosts/stop-tasks/", admin_token(), "[{\"host_id\": "
	    "%lld, \"force\": false}, {\"host_id\": %lld, \"force\": true}, "
	    "{\"host_id\": %lld, \"force\": false}, {\"host_id\": %lld}]", a, b,
	    b, a);
	ck_assert_msg(r->status == 201, "%s", r->body);
	task = strtoll(jstr(r->json, "task_id"), NULL, 10);
	resp_free(r);
	expect_task_rows(task, "stop", "admin", fmt("{\"force\":[%lld]}", b), 2);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'host' AND op_type = 'stop' AND op_detail LIKE "
	    "'%%queued as task %lld %%'", task)), 2);
	s = str(fmt("SELECT op_detail FROM audit_log WHERE kind = 'host' AND "
	    "target_id = %lld AND op_type = 'stop' ORDER BY id DESC LIMIT 1", a));
	ck_assert_str_eq(s, fmt("stop of host \"%s\" queued as task %lld "
	    "(os_status was stopped)", na, task));
	free(s);
	s = str(fmt("SELECT op_detail FROM audit_log WHERE kind = 'host' AND "
	    "target_id = %lld AND op_type = 'stop' ORDER BY id DESC LIMIT 1", b));
	ck_assert_str_eq(s, fmt("stop (forced) of host \"%s\" queued as task "
	    "%lld (os_status was running)", nb, task));
	free(s);
	/* forced by its second item only: still forced, and listed once */
	r = api_f("POST", "/hosts/restart-tasks/", admin_token(), "[{\"host_id\": "
	    "%lld}, {\"host_id\": %lld, \"force\": true}, {\"host_id\": %lld, "
	    "\"force\": true}]", a, a, a);
	ck_assert_msg(r->status == 201, "%s", r->body);
	task = strtoll(jstr(r->json, "task_id"), NULL, 10);
	resp_free(r);
	expect_task_rows(task, "restart", "admin", fmt("{\"force\":[%lld]}", a),
	    1);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'host' AND target_id = %lld AND op_type = 'restart' AND "
	    "op_detail LIKE '%%queued as task %lld %%'", a, task)), 1);
	s = str(fmt("SELECT op_detail FROM audit_log WHERE kind = 'host' AND "
	    "target_id = %lld AND op_type = 'restart' ORDER BY id DESC LIMIT 1",
	    a));
	ck_assert_str_eq(s, fmt("restart (forced) of host \"%s\" queued as task "
	    "%lld (os_status was stopped)", na, task));
	free(s);
}
END_TEST

/* ---- who sees which task ----------------------------------------------- */

/* Module permissions through the API (hangard caches them until a commit). */
static void
module_grant(long long uid, const char *perm)
{
	expect_status(api_f("POST", fmt("/users/%lld/system/perms/", uid),
	    admin_token(), "{\"module_name\": \"resource\", \"permissions\": "
	    "{\"%s\": true}}", perm), 200);
}

static void
host_grant(long long uid, long long host, const char *perm)
{
	db_exec(fmt("INSERT INTO resource_grants VALUES ('user', %lld, 'host', "
	    "%lld, '%s')", uid, host, perm));
}

/* A finished restart task on n hosts, written with SQL, and its output. */
static long long
vistask(const char *creator, const long long *hosts, const char *const *names,
    int n)
{
	long long	id;
	int		i;

	id = db_insert(fmt("INSERT INTO tasks (kind, status, creator, opts, "
	    "finished_time) VALUES ('restart', 'finished', '%s', '{}', "
	    "UTC_TIMESTAMP())", sqlq(creator)));
	for (i = 0; i < n; i++) {
		db_exec(fmt("INSERT INTO task_hosts (task_id, host_id, hostname, "
		    "status, message) VALUES (%lld, %lld, '%s', 'succeeded', '')",
		    id, hosts[i], sqlq(names[i])));
		db_exec(fmt("INSERT INTO task_output (task_id, host_id, hostname, "
		    "stream, text, time) VALUES (%lld, %lld, '%s', 'stdout', "
		    "'%s', '2020-06-01 10:00:00')", id, hosts[i], sqlq(names[i]),
		    sqlq("out " SQLI NONASCII)));
	}
	return id;
}

/* The ids (as numbers) of list's tasks whose creator is who, in order. */
static void
expect_tasks(const char *token, const char *who, const long long *want,
    int n)
{
	struct resp	*r;
	int		 i;

	r = api("GET", fmt("/hosts/restart-tasks/?creator=%s", who), token,
	    NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "count"), n);
	ck_assert_int_eq(jlen(r->json, "results"), n);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(sid(r->json, fmt("results.%d.id", i)), want[i]);
	resp_free(r);
}

START_TEST(tasks_shown_only_with_every_host)
{
	const char	*who = uniq("vis"), *nv = uniq("vis-v" HOSTNA);
	const char	*nh = uniq("vis-h");
	long long	 hv = mkhost(nv, "ALI_ECS", "inited", "running");
	long long	 hh = mkhost(nh, "ALI_ECS", "inited", "running");
	long long	 both[2] = { hv, hh }, uid, plain, wide, t1, t2, t3, t0;
	const char	*bothn[2] = { nv, nh };
	const char	*tok = user_token(uniq("vis-u"), 0, &uid);
	const char	*ptok = user_token(uniq("vis-p"), 0, &plain);
	const char	*wtok = user_token(uniq("vis-w"), 0, &wide);
	struct resp	*r, *m;
	char		*before;

	t1 = vistask(who, &hv, &nv, 1);
	t2 = vistask(who, both, bothn, 2);
	t3 = vistask(who, &hh, &nh, 1);
	t0 = vistask(who, NULL, NULL, 0);
	module_grant(uid, "enable_host_mgmt");
	host_grant(uid, hv, "view_host");
	module_grant(wide, "enable_host_mgmt");
	module_grant(wide, "manage_host");
	before = db_fingerprint(TABLES);
	/* lists: only tasks whose every host it may view, counted right */
	expect_tasks(tok, who, (long long[]){ t0, t1 }, 2);
	expect_tasks(wtok, who, (long long[]){ t0, t3, t2, t1 }, 4);
	expect_tasks(admin_token(), who, (long long[]){ t0, t3, t2, t1 }, 4);
	r = api("GET", fmt("/hosts/restart-tasks/?creator=%s&page_size=1", who),
	    tok, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(sid(r->json, "results.0.id"), t0);
	ck_assert_ptr_nonnull(jstr(r->json, "next"));
	resp_free(r);
	/* one task: the others do not exist for it */
	r = api("GET", fmt("/hosts/restart-tasks/%lld/", t1), tok, NULL);
	ck_assert_int_eq(r->status, 200);
	expect_task(r->json, t1, who, &hv, &nv, 1, 0);
	resp_free(r);
	expect_error(api("GET", fmt("/hosts/restart-tasks/%lld/", t2), tok,
	    NULL), 404, 10008, NULL);
	expect_error(api("GET", fmt("/hosts/restart-tasks/%lld/", t3), tok,
	    NULL), 404, 10008, NULL);
	r = api("GET", fmt("/hosts/restart-tasks/%lld/", t2), wtok, NULL);
	ck_assert_int_eq(r->status, 200);
	expect_task(r->json, t2, who, both, bothn, 2, 0);
	resp_free(r);
	/* output: a task it may not see is exactly a missing one */
	r = api("GET", fmt("/tasks/%lld/output/", t1), tok, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "task_id"), fmt("%lld", t1));
	ck_assert_int_eq(jlen(r->json, "lines"), 1);
	ck_assert_str_eq(jstr(r->json, "lines.0.host"), nv);
	ck_assert_str_eq(jstr(r->json, "lines.0.stream"), "stdout");
	ck_assert_str_eq(jstr(r->json, "lines.0.text"), "out " SQLI NONASCII);
	ck_assert_int_eq(rfc3339_secs(jstr(r->json, "lines.0.time")), 1591005600);
	ck_assert(jbool(r->json, "finished"));
	resp_free(r);
	r = api("GET", fmt("/tasks/%lld/output/", t2), tok, NULL);
	ck_assert_str_eq(jstr(r->json, "message"), fmt("no task with id %lld",
	    t2));
	expect_error(r, 404, 10008, NULL);
	expect_error(api("GET", fmt("/tasks/%lld/output/", t3), tok, NULL), 404,
	    10008, NULL);
	m = api("GET", "/tasks/999999999/output/", tok, NULL);
	ck_assert_str_eq(jstr(m->json, "message"), "no task with id 999999999");
	expect_error(m, 404, 10008, NULL);
	r = api("GET", fmt("/tasks/%lld/output/", t2), wtok, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jlen(r->json, "lines"), 2);
	resp_free(r);
	/* without the host module's switch no host is visible */
	expect_error(api("GET", fmt("/tasks/%lld/output/", t1), ptok, NULL), 404,
	    10008, NULL);
	host_grant(plain, hv, "view_host");
	expect_error(api("GET", fmt("/tasks/%lld/output/", t1), ptok, NULL), 404,
	    10008, NULL);
	/* a task without hosts shows no host: anyone logged in may read it */
	r = api("GET", fmt("/tasks/%lld/output/", t0), ptok, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jlen(r->json, "lines"), 0);
	resp_free(r);
	unchanged(before);
}
END_TEST

/*
 * A batch or init naming a host the caller may not view is refused
 * exactly like one naming a host that does not exist; one it may view but
 * not act on is a 403.
 */
START_TEST(body_hosts_hidden_like_missing)
{
	long long	 uid, hv = mkhost(uniq("bh-v"), "ALI_ECS", "inited",
	    "stopped");
	long long	 hr = mkhost(uniq("bh-r"), "ALI_ECS", "inited", "stopped");
	long long	 hh = mkhost(uniq("bh-h"), "ALI_ECS", "inited", "stopped");
	long long	 hm = db_int("SELECT MAX(id) + 100000 FROM hosts");
	const char	*tok = user_token(uniq("bh-u"), 0, &uid);
	struct resp	*r, *m;
	char		*before;
	const char	*k[] = { "start", "stop", "restart" };
	int		 i;

	module_grant(uid, "enable_host_mgmt");
	host_grant(uid, hv, "view_host");
	host_grant(uid, hv, "restart_host");
	host_grant(uid, hv, "init_host");
	host_grant(uid, hr, "view_host");
	before = db_fingerprint(TABLES);
	for (i = 0; i < 3; i++) {
		r = api_f("POST", fmt("/hosts/%s-tasks/", k[i]), tok,
		    "[{\"host_id\": %lld}, {\"host_id\": %lld}]", hv, hh);
		m = api_f("POST", fmt("/hosts/%s-tasks/", k[i]), tok,
		    "[{\"host_id\": %lld}, {\"host_id\": %lld}]", hv, hm);
		ck_assert_str_eq(jstr(r->json, "message"), fmt("validation "
		    "failed: [1].host_id no host with id %lld", hh));
		ck_assert_str_eq(jstr(m->json, "message"), fmt("validation "
		    "failed: [1].host_id no host with id %lld", hm));
		expect_invalid(r, "[1].host_id");
		expect_invalid(m, "[1].host_id");
		expect_error(api_f("POST", fmt("/hosts/%s-tasks/", k[i]), tok,
		    "[{\"host_id\": %lld}]", hr), 403, 10007, NULL);
	}
	r = api_f("POST", "/hosts/init-tasks/", tok, "{\"hosts\": [{\"id\": "
	    "%lld}], \"opts\": {}}", hh);
	ck_assert_str_eq(jstr(r->json, "message"), fmt("validation failed: "
	    "hosts[0].id no host with id %lld", hh));
	expect_invalid(r, "hosts[0].id");
	expect_error(api_f("POST", "/hosts/init-tasks/", tok, "{\"hosts\": "
	    "[{\"id\": %lld}], \"opts\": {}}", hr), 403, 10007, NULL);
	unchanged(before);
	r = api_f("POST", "/hosts/restart-tasks/", tok, "[{\"host_id\": %lld}]",
	    hv);
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "hosts.0.id"), hv);
	resp_free(r);
}
END_TEST

/* ---- end to end (the stack's hangar-agent) --------------------------- */

/*
 * A restart of a PHY_HOST while the stack's agent has no
 * power_restart_cmd: the agent records the failure per host and the task
 * fails, with the agent's reason as the message.
 */
START_TEST(agent_records_results)
{
	const char	*name = uniq("e2e");
	long long	 host = mkhost(name, "PHY_HOST", "inited", "running"), task;
	struct resp	*r;

	if (!agent_up()) {
		fprintf(stderr, "agent_records_results: no hangar-agent in the "
		    "stack; skipped\n");
		return;
	}
	task = task_id_of(api("POST", fmt("/hosts/%lld/actions/restart/", host),
	    admin_token(), NULL));
	r = task_wait("restart", task, 30);
	expect_task(r->json, task, "admin", &host, &name, 1, 0);
	ck_assert_str_eq(jstr(r->json, "status"), "failed");
	ck_assert_str_eq(jstr(r->json, "results.0.status"), "failed");
	ck_assert_str_eq(jstr(r->json, "results.0.message"), fmt(
	    "power_restart_cmd is not set in hangar.conf; refusing to restart "
	    "%s", name));
	ck_assert(rfc3339_secs(jstr(r->json, "results.0.finished_time")) > 0);
	resp_free(r);
}
END_TEST

static TCase *
tc_host_tasks(void)
{
	TCase *tc = tcase_create("host_tasks");

	tcase_add_test(tc, power_one_each_kind);
	tcase_add_test(tc, start_running_is_30002);
	tcase_add_test(tc, start_phy_without_command_400);
	tcase_add_test(tc, unknown_hosts);
	tcase_add_test(tc, batch_one_task);
	tcase_add_test(tc, batch_bad_input);
	tcase_add_test(tc, list_filters);
	tcase_add_test(tc, init_create_and_list);
	tcase_add_test(tc, init_refusals);
	tcase_add_test(tc, init_bad_input);
	tcase_add_test(tc, change_status_transitions);
	tcase_add_test(tc, change_status_refusals);
	tcase_add_test(tc, change_status_bad_input);
	tcase_add_test(tc, anonymous_401_and_user_403);
	tcase_add_test(tc, agent_records_results);
	tcase_add_test(tc, tasks_shown_only_with_every_host);
	tcase_add_test(tc, body_hosts_hidden_like_missing);
	tcase_add_test(tc, batch_audits_force_per_host);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_host_tasks };

	return run_suite("host_tasks", cases, 1) ? 1 : 0;
}
