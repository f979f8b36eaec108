/*
 * test_subtask_output.c -- who may read a deploy sub-task's output
 * (GET /tasks/{id}/output/) and watch it live (GET /tasks/{id}/subscribe-
 * check/, which nginx asks before it lets a WebSocket subscriber in).
 *
 * A sub-task (kind deploy_upgrade or deploy_revert) follows its
 * application, as GET of its deploy task does: the application module's
 * switch and view_app on it, no host permission needed; a host task
 * still follows its hosts.  The tasks here are written to the database
 * as the API and the agent would leave them (finished, with output
 * rows): who may read them is all that is tested, not how they ran.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "authlib.h"

#define TABLES	"tasks,task_hosts,task_output,deploy_subtasks,resource_grants"

static char	src[600];	/* the source tree (t/ws-client.py) */
static char	base[300];	/* http://127.0.0.1:PORT */

struct fixture {
	long long	 app, other_app, host, dtask;
	long long	 up, rev, hosttask;	/* tasks */
};

static long long
mkhost(void)
{
	return db_insert(fmt("INSERT INTO hosts (name, host_type) VALUES "
	    "('%s', 'PHY_HOST')", uniq("soh")));
}

/* A finished task of kind on host, with one output line; its id. */
static long long
mktask(const char *kind, long long host, const char *text)
{
	long long id = db_insert(fmt("INSERT INTO tasks (kind, status, "
	    "creator, opts, finished_time) VALUES ('%s', 'finished', 'admin', "
	    "'{}', UTC_TIMESTAMP())", kind));

	db_exec(fmt("INSERT INTO task_hosts (task_id, host_id, hostname, "
	    "status, message) SELECT %lld, id, name, 'succeeded', 'ok' FROM "
	    "hosts WHERE id = %lld", id, host));
	db_exec(fmt("INSERT INTO task_output (task_id, host_id, hostname, "
	    "stream, text, time) SELECT %lld, id, name, 'stdout', '%s', "
	    "UTC_TIMESTAMP(3) FROM hosts WHERE id = %lld", id, text, host));
	return id;
}

static void
fixture(struct fixture *f)
{
	long long inst;

	f->app = api_create("/applications/", "{\"name\": \"%s\"}",
	    uniq("soapp"));
	f->other_app = api_create("/applications/", "{\"name\": \"%s\"}",
	    uniq("soother"));
	f->host = mkhost();
	inst = db_insert(fmt("INSERT INTO app_instances (app_id, host_id, "
	    "status) VALUES (%lld, %lld, 'running')", f->app, f->host));
	(void)inst;
	f->dtask = db_insert(fmt("INSERT INTO deploy_tasks (app_id, version, "
	    "description, level, package_source, planned_exec_time, status, "
	    "started_time) VALUES (%lld, 'v2', 'd', 'A', 'src', 1, 'running', "
	    "UTC_TIMESTAMP())", f->app));
	f->up = mktask("deploy_upgrade", f->host, "upgrade line");
	db_exec(fmt("INSERT INTO deploy_subtasks (task_id, deploy_task_id, "
	    "app_id, kind, version) VALUES (%lld, %lld, %lld, 'upgrade', 'v2')",
	    f->up, f->dtask, f->app));
	f->rev = mktask("deploy_revert", f->host, "revert line");
	db_exec(fmt("INSERT INTO deploy_subtasks (task_id, deploy_task_id, "
	    "app_id, kind, version) VALUES (%lld, %lld, %lld, 'revert', 'v1')",
	    f->rev, f->dtask, f->app));
	f->hosttask = mktask("start", f->host, "host line");
}

/* A user with the application module's switch and perms on app. */
static const char *
app_user(const char *prefix, long long app, const char *perms,
    long long *uid)
{
	const char	*tok = user_token(uniq(prefix), 0, uid);
	char		 buf[200], *p, *save;

	db_exec(fmt("INSERT IGNORE INTO module_grants VALUES ('user', %lld, "
	    "'application', 'enable_app_mgmt')", *uid));
	snprintf(buf, sizeof(buf), "%s", perms);
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save))
		db_exec(fmt("INSERT INTO resource_grants VALUES ('user', %lld, "
		    "'application', %lld, '%s')", *uid, app, p));
	return tok;
}

/* GET /tasks/{task}/output/ as tok: 200 with exactly the line text. */
static void
expect_output(long long task, const char *tok, const char *text)
{
	struct resp *r = api("GET", fmt("/tasks/%lld/output/", task), tok,
	    NULL);

	ck_assert_msg(r->status == 200, "output of %lld: %ld %s", task,
	    r->status, r->body);
	ck_assert_int_eq(jlen(r->json, "lines"), 1);
	ck_assert_str_eq(jstr(r->json, "lines.0.text"), text);
	ck_assert(jbool(r->json, "finished"));
	resp_free(r);
	r = api("GET", fmt("/tasks/%lld/subscribe-check/", task), tok, NULL);
	ck_assert_msg(r->status == 200, "subscribe-check of %lld: %ld %s",
	    task, r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "status"), "finished");
	ck_assert_str_eq(jstr(r->json, "task_id"), fmt("%lld", task));
	resp_free(r);
}

/* Both readings of task are 404 for tok, saying nothing of it. */
static void
expect_hidden(long long task, const char *tok)
{
	expect_error(api("GET", fmt("/tasks/%lld/output/", task), tok, NULL),
	    404, 10008, NULL);
	expect_error(api("GET", fmt("/tasks/%lld/subscribe-check/", task), tok,
	    NULL), 404, 10008, NULL);
}

/*
 * A WebSocket subscription through nginx as tok: its first line, "open"
 * or "refused STATUS" (t/ws-client.py).  The fixture's tasks published
 * nothing, so an admitted subscriber just waits: the client gives up
 * after a second.
 */
static char *
ws_first(long long task, const char *tok)
{
	static char	 line[256];
	char		 cmd[2048];
	FILE		*p;
	size_t		 n;

	snprintf(cmd, sizeof(cmd), "%s/t/ws-client.py -t 1 -H "
	    "'Authorization: Token %s' ws://%s/ws/tasks/%lld 2>/dev/null", src,
	    tok, base + strlen("http://"), task);
	ck_assert((p = popen(cmd, "r")) != NULL);
	if (fgets(line, sizeof(line), p) == NULL)
		line[0] = '\0';
	(void)pclose(p);
	n = strlen(line);
	if (n > 0 && line[n - 1] == '\n')
		line[n - 1] = '\0';
	return line;
}

/*
 * deploy_app and view_app on the application, no host permission at all:
 * the sub-tasks' output and their live channel; not the host task's.
 */
START_TEST(deployer_reads_subtasks)
{
	struct fixture	 f;
	const char	*tok;
	long long	 uid;
	char		*before;

	fixture(&f);
	tok = app_user("sodep", f.app, "view_app,deploy_app", &uid);
	before = db_fingerprint(TABLES);
	/* as GET of the deploy task: the same user sees it */
	expect_status(api("GET", fmt("/application/deploy-tasks/%lld/",
	    f.dtask), tok, NULL), 200);
	expect_output(f.up, tok, "upgrade line");
	expect_output(f.rev, tok, "revert line");
	ck_assert_str_eq(ws_first(f.up, tok), "open");
	ck_assert_str_eq(ws_first(f.rev, tok), "open");
	/* the host task is still the hosts' */
	expect_hidden(f.hosttask, tok);
	ck_assert_str_eq(ws_first(f.hosttask, tok), "refused 404");
	/* reading changes nothing */
	db_unchanged(before, TABLES);
}
END_TEST

/*
 * Without the application a sub-task does not exist for the caller:
 * view_app on another application; view_app without the module's
 * switch; every host permission but no application.  The host viewer
 * still reads the host task, as before.
 */
START_TEST(others_get_404)
{
	struct fixture	 f;
	const char	*tok;
	long long	 uid;

	fixture(&f);
	tok = app_user("sooth", f.other_app, "view_app,deploy_app", &uid);
	expect_hidden(f.up, tok);
	expect_hidden(f.rev, tok);
	ck_assert_str_eq(ws_first(f.up, tok), "refused 404");

	/* view_app on the right one, but the module switched off */
	tok = user_token(uniq("sonosw"), 0, &uid);
	db_exec(fmt("INSERT INTO resource_grants VALUES ('user', %lld, "
	    "'application', %lld, 'view_app')", uid, f.app));
	expect_hidden(f.up, tok);

	/* a host viewer: the host task, never the sub-tasks */
	tok = user_token(uniq("sohost"), 0, &uid);
	db_exec(fmt("INSERT INTO module_grants VALUES ('user', %lld, "
	    "'resource', 'enable_host_mgmt')", uid));
	db_exec(fmt("INSERT INTO resource_grants VALUES ('user', %lld, 'host', "
	    "%lld, 'view_host')", uid, f.host));
	expect_output(f.hosttask, tok, "host line");
	expect_hidden(f.up, tok);
	expect_hidden(f.rev, tok);
	ck_assert_str_eq(ws_first(f.up, tok), "refused 404");
	ck_assert_str_eq(ws_first(f.hosttask, tok), "open");

	/* the same host viewer once it may view the application */
	db_exec(fmt("INSERT INTO module_grants VALUES ('user', %lld, "
	    "'application', 'enable_app_mgmt')", uid));
	db_exec(fmt("INSERT INTO resource_grants VALUES ('user', %lld, "
	    "'application', %lld, 'view_app')", uid, f.app));
	expect_output(f.up, tok, "upgrade line");

	/* the superuser sees all */
	expect_output(f.up, admin_token(), "upgrade line");
	expect_output(f.hosttask, admin_token(), "host line");
}
END_TEST

/*
 * A sub-task row whose deploy_subtasks row is missing (never written by
 * the API; a torn record) is nobody's but the superuser's: no fallback
 * to its hosts.  Bad ids and cursors as for every task.
 */
START_TEST(torn_and_bad_input)
{
	struct fixture	 f;
	const char	*tok;
	long long	 uid, torn;

	fixture(&f);
	torn = mktask("deploy_upgrade", f.host, "torn line");
	tok = app_user("sotorn", f.app, "view_app", &uid);
	db_exec(fmt("INSERT INTO module_grants VALUES ('user', %lld, "
	    "'resource', 'enable_host_mgmt')", uid));
	db_exec(fmt("INSERT INTO resource_grants VALUES ('user', %lld, 'host', "
	    "%lld, 'view_host')", uid, f.host));
	expect_hidden(torn, tok);
	expect_output(torn, admin_token(), "torn line");

	expect_error(api("GET", "/tasks/999999999/output/", tok, NULL), 404,
	    10008, NULL);
	expect_error(api("GET", "/tasks/1%27%20OR%201=1/output/", tok, NULL),
	    404, 10008, NULL);
	expect_error(api("GET", "/tasks/%E5%BC%A0/subscribe-check/", tok,
	    NULL), 404, 10008, NULL);
	expect_error(api("GET", fmt("/tasks/%lld/output/?cursor=%%27%%3B%%20"
	    "DROP", f.up), tok, NULL), 400, 10002, "cursor");
	expect_error(api("GET", fmt("/tasks/%lld/output/", f.up), NULL, NULL),
	    401, 10005, NULL);
	expect_error(api("GET", fmt("/tasks/%lld/subscribe-check/", f.up),
	    NULL, NULL), 401, 10005, NULL);
}
END_TEST

static TCase *
tc_subtask_output(void)
{
	TCase *tc = tcase_create("subtask_output");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, deployer_reads_subtasks);
	tcase_add_test(tc, others_get_404);
	tcase_add_test(tc, torn_and_bad_input);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_subtask_output };
	const char *stack = getenv("HANGAR_STACK");

	if (getenv("HANGAR_DIR") == NULL || stack == NULL ||
	    getenv("HANGAR_URL") == NULL)
		return 1;
	snprintf(base, sizeof(base), "%s", getenv("HANGAR_URL"));
	/* HANGAR_STACK is SRC/t/stack.sh */
	snprintf(src, sizeof(src), "%.*s", (int)(strrchr(stack, '/') - stack -
	    2), stack);
	return run_suite("subtask_output", cases, 1) ? 1 : 0;
}
