/*
 * test_deploy_release.c -- sub-upgrade and sub-revert tasks of deploy tasks
 * (issue 12), end to end: the API queues them, the stack's hangar-agent
 * fetches the release from a real git server (t/git-server.sh: git daemon
 * on loopback; and git over the sshd test hosts with a key) or FTP server
 * (t/ftp-server.sh, pyftpdlib), and ships it to real OpenSSH sshd hosts
 * (t/sshd-hosts.sh in private mode: one absolute deploy_path is each
 * host's own folder, DIR/hI/srv, which this test reads directly).
 *
 * Hosts 127.0.0.121-128 are live; 127.0.0.129 has no sshd (a host down).
 * Ports: sshd 20000 + HANGAR_TEST_PORT % 10000 (as test_agent's), git
 * daemon 23000 + that, FTP 21000 + that (all below Linux's ephemeral ports,
 * 32768-60999, which an outgoing connection may hold).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "releaselib.h"

#define H_FIRST		121
#define H_LAST		128
#define H_DOWN		129
#define NHOSTS		(H_LAST - H_FIRST + 1)
#define TABLES		"tasks,task_hosts,outbox,deploy_subtasks,deploy_tasks," \
			"app_instances,audit_log"
#define SQLI		"'; DROP TABLE tasks; --"
#define HAN		"\345\274\240\344\270\211"	/* 张三 */

/* ---- the tight-loop reader of `current` ------------------------------- */

struct reader {
	const char	*r_path;
	volatile int	 r_stop;
	long		 r_reads, r_bad;
	char		 r_last_bad[256];
};

static void *
reader_main(void *arg)
{
	struct reader	*rd = arg;
	char		 buf[512], target[1200];
	ssize_t		 n;

	while (!rd->r_stop) {
		n = readlink(rd->r_path, buf, sizeof(buf) - 1);
		rd->r_reads++;
		if (n <= 0) {
			rd->r_bad++;
			snprintf(rd->r_last_bad, sizeof(rd->r_last_bad),
			    "readlink: %s", strerror(errno));
			continue;
		}
		buf[n] = '\0';
		/* no fmt() here: its buffers are the main thread's */
		snprintf(target, sizeof(target), "%.*s/%s",
		    (int)(strrchr(rd->r_path, '/') - rd->r_path), rd->r_path,
		    buf);
		if (strncmp(buf, "releases/", 9) != 0 || !exists(target)) {
			rd->r_bad++;
			snprintf(rd->r_last_bad, sizeof(rd->r_last_bad), "%.200s",
			    buf);
		}
	}
	return NULL;
}

/* ---- the API's refusals ------------------------------------------------- */

START_TEST(refusals_change_nothing)
{
	static const int octets[] = { H_FIRST, H_FIRST + 1 };
	struct app	 a, other;
	long long	 dt, dt_wait, dt_other, uid_view, uid_dep, t;
	const char	*tok_view, *tok_dep, *tok_none, *up, *rev, *good;
	char		*before, *s;
	struct resp	*r;
	size_t		 i;
	static const char *const bad_versions[] = { "\"../etc\"", "\"a/b\"",
	    "\"-x\"", "\".hidden\"", "\"\"", "\"" SQLI "\"", "\"" HAN "\"",
	    "\"v1 v2\"", "\"$(id)\"", "true", "null", "[]" };
	static const char *const bad_sources[] = { "\"../../etc/passwd\"",
	    "\"/abs/path\"", "\"a//b\"", "\"a/../b\"", "\"x;rm\"", "\"" HAN
	    "\"", "12", "{}" };

	mkapp(&a, "GIT", "git://127.0.0.1:1/none.git", 0, 5, 30, octets, 1);
	mkapp(&other, "GIT", "git://127.0.0.1:1/none.git", 0, 5, 30,
	    octets + 1, 1);
	dt = mkdtask(&a, "v1");
	dt_wait = mkdtask(&a, "v1");
	db_exec(fmt("UPDATE deploy_tasks SET status = 'wait_review' WHERE "
	    "id = %lld", dt_wait));
	up = fmt("/application/deploy-tasks/%lld/sub-upgrade-tasks/", dt);
	rev = fmt("/application/deploy-tasks/%lld/sub-revert-tasks/", dt);
	good = fmt("{\"instances\": [{\"id\": %lld}], \"version\": \"v1\", "
	    "\"update_source\": \"web\"}", a.inst[0]);

	tok_view = user_token(uniq("relview"), 0, &uid_view);
	tok_dep = user_token(uniq("reldep"), 0, &uid_dep);
	tok_none = user_token(uniq("relnone"), 0, NULL);
	db_exec(fmt("INSERT INTO module_grants VALUES ('user', %lld, "
	    "'application', 'enable_app_mgmt'), ('user', %lld, 'application', "
	    "'enable_app_mgmt')", uid_view, uid_dep));
	db_exec(fmt("INSERT INTO resource_grants VALUES ('user', %lld, "
	    "'application', %lld, 'view_app'), ('user', %lld, 'application', "
	    "%lld, 'view_app'), ('user', %lld, 'application', %lld, "
	    "'deploy_app')", uid_view, a.id, uid_dep, a.id, uid_dep, a.id));

	dt_other = mkdtask(&other, "v1");
	/* permission: no module switch 403, view only 403, unknown 404 */
	before = db_fingerprint(TABLES);
	expect_error(api("POST", up, tok_none, good), 403, 10007, NULL);
	expect_error(api("POST", up, tok_view, good), 403, 10007, NULL);
	expect_error(api("POST", rev, tok_view, good), 403, 10007, NULL);
	expect_error(api("POST", "/application/deploy-tasks/999999999/"
	    "sub-upgrade-tasks/", admin_token(), good), 404, 10008, NULL);
	/* a deploy task of an application the caller cannot view: 404 */
	expect_error(api("POST", fmt("/application/deploy-tasks/%lld/"
	    "sub-upgrade-tasks/", dt_other), tok_dep,
	    fmt("{\"instances\": [{\"id\": %lld}], \"version\": \"v1\"}",
	    other.inst[0])), 404, 10008, NULL);
	db_unchanged(before, TABLES);

	before = db_fingerprint(TABLES);
	/* state: 409 naming it */
	r = api("POST", fmt("/application/deploy-tasks/%lld/sub-upgrade-tasks/",
	    dt_wait), tok_dep, good);
	ck_assert_ptr_nonnull(strstr(r->body, "wait_review"));
	expect_error(r, 409, 10015, NULL);
	expect_error(api("POST", fmt("/application/deploy-tasks/%lld/"
	    "sub-revert-tasks/", dt_wait), admin_token(), good), 409, 10015,
	    NULL);
	/* another application's instance, an unknown one */
	expect_error(api_f("POST", up, tok_dep, "{\"instances\": [{\"id\": "
	    "%lld}, {\"id\": %lld}], \"version\": \"v1\"}", a.inst[0],
	    other.inst[0]), 400, 10002, NULL);
	r = api_f("POST", rev, tok_dep, "{\"instances\": [{\"id\": %lld}], "
	    "\"version\": \"v1\"}", other.inst[0]);
	ck_assert_ptr_nonnull(strstr(r->body, "instances[0].id"));
	expect_error(r, 400, 10002, NULL);
	expect_error(api("POST", up, tok_dep, "{\"instances\": [{\"id\": "
	    "999999999}], \"version\": \"v1\"}"), 400, 10002, NULL);
	/* missing and wrong fields, bad JSON */
	expect_error(api("POST", up, tok_dep, "{\"version\": \"v1\"}"), 400,
	    10002, "instances");
	expect_error(api("POST", up, tok_dep, "{\"instances\": [], "
	    "\"version\": \"v1\"}"), 400, 10002, "instances");
	expect_error(api("POST", rev, tok_dep, "{\"version\": \"v1\"}"), 400,
	    10002, "instances");
	expect_error(api_f("POST", up, tok_dep, "{\"instances\": [{\"id\": "
	    "%lld}]}", a.inst[0]), 400, 10002, "version");
	expect_error(api_f("POST", up, tok_dep, "{\"instances\": \"x\", "
	    "\"version\": \"v1\"}"), 400, 10002, "instances");
	expect_error(api_f("POST", up, tok_dep, "{\"instances\": [{\"id\": "
	    "%lld}], \"version\": \"v1\", \"timeout\": 0}", a.inst[0]), 400,
	    10002, "timeout");
	expect_error(api_f("POST", rev, tok_dep, "{\"instances\": [{\"id\": "
	    "%lld}], \"version\": \"v1\", \"timeout\": 86401}", a.inst[0]), 400,
	    10002, "timeout");
	expect_error(api_f("POST", up, tok_dep, "{\"instances\": [{\"id\": "
	    "%lld}], \"version\": \"v1\", \"timeout\": \"9\"}", a.inst[0]), 400,
	    10002, "timeout");
	expect_error(api("POST", up, tok_dep, "{\"instances\": ["), 400, 10001,
	    NULL);
	expect_error(api_raw("POST", up, tok_dep, "text/plain", good,
	    strlen(good), NULL), 415, 10003, NULL);
	for (i = 0; i < sizeof(bad_versions) / sizeof(bad_versions[0]); i++) {
		expect_error(api_f("POST", up, tok_dep, "{\"instances\": "
		    "[{\"id\": %lld}], \"version\": %s}", a.inst[0],
		    bad_versions[i]), 400, 10002, "version");
		expect_error(api_f("POST", rev, tok_dep, "{\"instances\": "
		    "[{\"id\": %lld}], \"version\": %s}", a.inst[0],
		    bad_versions[i]), 400, 10002, "version");
	}
	for (i = 0; i < sizeof(bad_sources) / sizeof(bad_sources[0]); i++)
		expect_error(api_f("POST", up, tok_dep, "{\"instances\": "
		    "[{\"id\": %lld}], \"version\": \"v1\", \"update_source\": "
		    "%s}", a.inst[0], bad_sources[i]), 400, 10002,
		    "update_source");
	/* canary options */
	expect_error(api_f("POST", up, tok_dep, "{\"instances\": [{\"id\": "
	    "%lld}], \"version\": \"v1\", \"batch_size\": 0}", a.inst[0]), 400,
	    10002, "batch_size");
	expect_error(api_f("POST", up, tok_dep, "{\"instances\": [{\"id\": "
	    "%lld}], \"version\": \"v1\", \"pause_seconds\": -1}", a.inst[0]),
	    400, 10002, "pause_seconds");
	expect_error(api_f("POST", up, tok_dep, "{\"instances\": [{\"id\": "
	    "%lld}], \"version\": \"v1\", \"health_check\": {\"http\": "
	    "\"http://x/\", \"command\": \"true\"}}", a.inst[0]), 400, 10002,
	    "health_check");
	expect_error(api_f("POST", up, tok_dep, "{\"instances\": [{\"id\": "
	    "%lld}], \"version\": \"v1\", \"health_check\": {}}", a.inst[0]),
	    400, 10002, "health_check");
	r = api_f("POST", up, tok_dep, "{\"instances\": [{\"id\": %lld}], "
	    "\"version\": \"v1\", \"health_check\": {\"http\": "
	    "\"file:///etc/passwd\"}}", a.inst[0]);
	ck_assert_ptr_nonnull(strstr(r->body, "health_check.http"));
	expect_error(r, 400, 10002, NULL);
	r = api_f("POST", up, tok_dep, "{\"instances\": [{\"id\": %lld}], "
	    "\"version\": \"v1\", \"health_check\": {\"command\": "
	    "\"true\", \"timeout\": 0}}", a.inst[0]);
	ck_assert_ptr_nonnull(strstr(r->body, "health_check.timeout"));
	expect_error(r, 400, 10002, NULL);
	expect_error(api_f("POST", up, tok_dep, "{\"instances\": [{\"id\": "
	    "%lld}], \"version\": \"v1\", \"auto_rollback\": \"yes\"}",
	    a.inst[0]), 400, 10002, "auto_rollback");
	/* retry_of: not a sub-task of this deploy task; both given */
	expect_error(api_f("POST", up, tok_dep, "{\"retry_of\": \"999999\", "
	    "\"version\": \"v1\"}"), 400, 10002, "retry_of");
	expect_error(api_f("POST", up, tok_dep, "{\"retry_of\": \"" SQLI "\", "
	    "\"version\": \"v1\"}"), 400, 10002, "retry_of");
	db_unchanged(before, TABLES);

	/* success as a user with deploy_app: every row the API promises */
	r = api("POST", up, tok_dep, fmt("{\"instances\": [%lld, {\"id\": "
	    "%lld}], \"version\": 20180414, \"update_source\": \"web\", "
	    "\"timeout\": 30}", a.inst[0], a.inst[0]));
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	t = strtoll(jstr(r->json, "task_id"), NULL, 10);
	resp_free(r);
	s = db_str(fmt("SELECT CONCAT(kind, '|', creator) FROM tasks WHERE "
	    "id = %lld", t));
	ck_assert_str_eq(s, fmt("deploy_upgrade|%s", db_str(fmt("SELECT "
	    "username FROM users WHERE id = %lld", uid_dep))));
	free(s);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM task_hosts WHERE "
	    "task_id = %lld AND host_id = %lld", t, a.hosts[0])), 1);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM task_hosts WHERE "
	    "task_id = %lld", t)), 1);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM outbox WHERE "
	    "task_id = %lld", t)), 1);
	s = db_str(fmt("SELECT CONCAT_WS('|', deploy_task_id, app_id, kind, "
	    "version, update_source, timeout) FROM deploy_subtasks WHERE "
	    "task_id = %lld", t));
	ck_assert_str_eq(s, fmt("%lld|%lld|upgrade|20180414|web|30", dt, a.id));
	free(s);
	s = db_str(fmt("SELECT op_type FROM audit_log WHERE kind = 'app' AND "
	    "target_id = %lld ORDER BY id DESC LIMIT 1", a.id));
	ck_assert_str_eq(s, "sub_upgrade_task");
	free(s);
	/* the deploy task lists it (whatever the agent made of it) */
	r = api("GET", fmt("/application/deploy-tasks/%lld/", dt), tok_dep,
	    NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jlen(r->json, "sub_tasks"), 1);
	ck_assert_int_eq(strtoll(jstr(r->json, "sub_tasks.0.task_id"), NULL,
	    10), t);
	ck_assert_str_eq(jstr(r->json, "sub_tasks.0.kind"), "upgrade");
	ck_assert_int_eq(jlen(r->json, "sub_tasks.0.results"), 1);
	ck_assert_int_eq(jint(r->json, "sub_tasks.0.results.0.instance_id"),
	    a.inst[0]);
	resp_free(r);
	free(wait_task(t, 60));
}
END_TEST

/* ---- end to end ------------------------------------------------------- */

/*
 * Version v1 (a tag) to 8 hosts, then r4 (no tag: the branch head)
 * while a reader hammers one
 * host's `current`, then revert to v1; hooks and global hooks see their
 * variables; the deploy task finishes when every instance runs its
 * version.
 */
START_TEST(deploy_upgrade_revert_many)
{
	int		 octets[NHOSTS], i;
	struct app	 a;
	struct reader	 rd;
	pthread_t	 th;
	long long	 dt, dt2, t1, t2, t3;
	char		*s, gpost[800];

	for (i = 0; i < NHOSTS; i++)
		octets[i] = H_FIRST + i;
	mkrepo("many");
	mkapp(&a, "GIT", fmt("git://127.0.0.1:%d/many.git", gitport), 0, 5,
	    30, octets, NHOSTS);
	snprintf(gpost, sizeof(gpost), "%s/gpost-%s", dir, a.name);
	hook(&a, "global_pre_exec", "bash", "echo 'built {{ version }} for "
	    "{{ application }} host={{ host }}' >BUILD_INFO\n");
	hook(&a, "pre_exec", "bash", "echo \"pre {{ application }} {{ version "
	    "}} prev={{ previous_version }} on {{ host }} at {{ release_path }} "
	    "in {{ deploy_path }} task {{ task_id }} by {{ creator }} "
	    "cwd=$(pwd)\" >>\"$HOME/hooks.log\"\n");
	hook(&a, "post_exec", "python", "import os\nopen(os.environ['HOME'] + "
	    "'/hooks.log', 'a').write('post {{ version }} ' + os.getcwd() + "
	    "'\\n')\n");
	hook(&a, "global_post_exec", "bash", fmt("echo 'done {{ version }}' "
	    ">>'%s'\n", gpost));
	for (i = 0; i < NHOSTS; i++)
		(void)unlink(fmt("%s/h%d/home/hooks.log", sshdir, octets[i]));
	dt = mkdtask(&a, "r4");

	t1 = sub(dt, "upgrade", fmt("{\"instances\": %s, \"version\": \"v1\"}",
	    inst_json(&a, 0, NHOSTS)));
	s = wait_task(t1, 120);
	ck_assert_str_eq(s, "finished");
	free(s);
	for (i = 0; i < NHOSTS; i++) {
		expect_host(t1, a.hosts[i], "succeeded: upgraded");
		ck_assert_str_eq(current_of(octets[i], a.name), "releases/v1");
		expect_file(hpath(octets[i], fmt("%s/current/app.txt", a.name)),
		    "release 1\n");
		expect_file(hpath(octets[i], fmt("%s/current/BUILD_INFO",
		    a.name)), fmt("built v1 for %s host=None\n", a.name));
		ck_assert(!exists(hpath(octets[i], fmt("%s/current/.git",
		    a.name))));
		expect_instance(&a, i, "v1", "running");
		expect_file(fmt("%s/h%d/home/hooks.log", sshdir, octets[i]),
		    fmt("pre %s v1 prev=None on %s at %s/%s/releases/v1 in %s/%s "
		    "task %lld by admin cwd=%s/%s/releases/v1\npost v1 %s/%s/"
		    "releases/v1\n", a.name, db_str(fmt("SELECT name FROM hosts "
		    "WHERE id = %lld", a.hosts[i])), priv, a.name, priv, a.name,
		    t1, priv, a.name, priv, a.name));
		expect_file(fmt("%s/h%d/home/%s.log", sshdir, octets[i], a.name),
		    "stop\nstart v1\n");
	}
	expect_file(gpost, "done v1\n");
	/* the release was fetched and packed once (a text tree: gzipped) */
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM task_output WHERE "
	    "task_id = %lld AND host_id = 0 AND text LIKE 'package of version "
	    "v1: tar.gz, %% bytes, sha256 %%'", t1)), 1);
	s = db_str(fmt("SELECT status FROM deploy_tasks WHERE id = %lld", dt));
	ck_assert_str_eq(s, "running");	/* its version is r4 */
	free(s);

	/* r4 (the branch head: no such tag) while `current` is read */
	memset(&rd, 0, sizeof(rd));
	rd.r_path = hpath(octets[0], fmt("%s/current", a.name));
	rd.r_path = strdup(rd.r_path);
	ck_assert_int_eq(pthread_create(&th, NULL, reader_main, &rd), 0);
	t2 = sub(dt, "upgrade", fmt("{\"instances\": %s, \"version\": \"r4\"}",
	    inst_json(&a, 0, NHOSTS)));
	s = wait_task(t2, 120);
	rd.r_stop = 1;
	pthread_join(th, NULL);
	ck_assert_str_eq(s, "finished");
	free(s);
	ck_assert_msg(rd.r_bad == 0, "%ld of %ld reads of current failed "
	    "(last: %s)", rd.r_bad, rd.r_reads, rd.r_last_bad);
	ck_assert_int_gt(rd.r_reads, 100);
	for (i = 0; i < NHOSTS; i++) {
		expect_host(t2, a.hosts[i], "succeeded: upgraded");
		expect_msg_has(t2, a.hosts[i], "replacing v1");
		ck_assert_str_eq(current_of(octets[i], a.name), "releases/r4");
		/* no tag r4: the head of main */
		expect_file(hpath(octets[i], fmt("%s/current/app.txt", a.name)),
		    "release 4\n");
		ck_assert(exists(hpath(octets[i], fmt("%s/releases/v1",
		    a.name))));
		expect_instance(&a, i, "r4", "running");
	}
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM task_output WHERE "
	    "task_id = %lld AND text LIKE 'version r4 names no tag or commit%%'",
	    t2)), 1);
	expect_file(gpost, "done v1\ndone r4\n");
	/* every instance runs r4 after a successful sub-task: finished */
	s = db_str(fmt("SELECT status FROM deploy_tasks WHERE id = %lld", dt));
	ck_assert_str_eq(s, "finished");
	free(s);
	s = db_str(fmt("SELECT operator FROM audit_log WHERE kind = 'app' AND "
	    "target_id = %lld AND op_type = 'finish_deploy_task'", a.id));
	ck_assert_str_eq(s, "hangar-agent");
	free(s);
	/* finished: no more sub-tasks */
	expect_error(api("POST", fmt("/application/deploy-tasks/%lld/"
	    "sub-revert-tasks/", dt), admin_token(), fmt("{\"instances\": %s, "
	    "\"version\": \"v1\"}", inst_json(&a, 0, 1))), 409, 10015, NULL);

	/* revert to v1 under another deploy task, half the hosts */
	dt2 = mkdtask(&a, "v1");
	t3 = sub(dt2, "revert", fmt("{\"instances\": %s, \"version\": \"v1\"}",
	    inst_json(&a, 0, NHOSTS / 2)));
	s = wait_task(t3, 120);
	ck_assert_str_eq(s, "finished");
	free(s);
	for (i = 0; i < NHOSTS; i++) {
		ck_assert_str_eq(current_of(octets[i], a.name), i < NHOSTS / 2 ?
		    "releases/v1" : "releases/r4");
		expect_instance(&a, i, i < NHOSTS / 2 ? "v1" : "r4", "running");
	}
	expect_host(t3, a.hosts[0], "succeeded: reverted");
	/* a revert runs global_post_exec too, once */
	expect_file(gpost, "done v1\ndone r4\ndone v1\n");
	s = db_str(fmt("SELECT status FROM deploy_tasks WHERE id = %lld", dt2));
	ck_assert_str_eq(s, "running");	/* half the instances run r4 */
	free(s);
	free((char *)rd.r_path);
}
END_TEST

/* keep_backups: the newest kept, the live one and the replaced one never
 * pruned; a revert to a pruned version fails that host, changing nothing. */
START_TEST(keep_backups_and_not_kept)
{
	static const int octets[] = { H_FIRST, H_FIRST + 1 };
	struct app	 a;
	long long	 dt, t;
	char		*s;
	int		 v, i;

	mkrepo("keep");
	mkapp(&a, "GIT", fmt("git://127.0.0.1:%d/keep.git", gitport), 0, 2,
	    30, octets, 2);
	dt = mkdtask(&a, "v9");
	for (v = 1; v <= 3; v++) {
		t = sub(dt, "upgrade", fmt("{\"instances\": %s, \"version\": "
		    "\"v%d\"}", inst_json(&a, 0, 2), v));
		s = wait_task(t, 90);
		ck_assert_msg(strcmp(s, "finished") == 0, "v%d: %s: %s", v, s,
		    host_status(t, a.hosts[0]));
		free(s);
		sleep(1);	/* releases are told apart by their mtime */
	}
	for (i = 0; i < 2; i++) {
		ck_assert(exists(hpath(octets[i], fmt("%s/releases/v3", a.name))));
		ck_assert(exists(hpath(octets[i], fmt("%s/releases/v2", a.name))));
		ck_assert(!exists(hpath(octets[i], fmt("%s/releases/v1",
		    a.name))));
	}
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM task_output WHERE "
	    "task_id = %lld AND text = 'pruned release v1'", t)), 2);
	t = sub(dt, "revert", fmt("{\"instances\": %s, \"version\": \"v1\"}",
	    inst_json(&a, 0, 1)));
	s = wait_task(t, 60);
	ck_assert_str_eq(s, "failed");
	free(s);
	expect_host(t, a.hosts[0], "failed: version v1 is not kept on");
	expect_msg_has(t, a.hosts[0], "v2 v3");
	ck_assert_str_eq(current_of(octets[0], a.name), "releases/v3");
	expect_instance(&a, 0, "v3", "running");
	s = db_str(fmt("SELECT status FROM deploy_tasks WHERE id = %lld", dt));
	ck_assert_str_eq(s, "running");	/* a failed sub-task leaves it so */
	free(s);
}
END_TEST

/*
 * One host each: a failing hook, a hanging hook (settings' timeout), a
 * corrupted upload, a host down; the others succeed.  Then retry_of runs
 * just the failed ones again.
 */
START_TEST(failures_per_host_and_retry)
{
	int		 octets[] = { H_FIRST, H_FIRST + 1, H_FIRST + 2,
			    H_FIRST + 3, H_DOWN, H_FIRST + 4 };
	struct app	 a;
	long long	 dt, t, t2;
	char		*s;

	mkrepo("fail");
	mkapp(&a, "GIT", fmt("git://127.0.0.1:%d/fail.git", gitport), 0, 5,
	    3, octets, 6);
	hook(&a, "post_exec", "bash", "echo post {{ version }}\n"
	    "if [ -f \"$HOME/fail-post\" ]; then echo 'post failing' >&2; "
	    "exit 7; fi\nif [ -f \"$HOME/hang-post\" ]; then sleep 300; fi\n");
	sh("touch '%s/h%d/home/fail-post' '%s/h%d/home/hang-post' "
	    "'%s/h%d/home/corrupt-uploads'", sshdir, octets[0], sshdir,
	    octets[1], sshdir, octets[2]);
	dt = mkdtask(&a, "v1");
	t = sub(dt, "upgrade", fmt("{\"instances\": %s, \"version\": \"v1\"}",
	    inst_json(&a, 0, 6)));
	s = wait_task(t, 120);
	ck_assert_str_eq(s, "failed");
	free(s);
	expect_host(t, a.hosts[0], "failed: step post_exec failed: command "
	    "failed on");
	expect_msg_has(t, a.hosts[0], "exit status 7");
	expect_msg_has(t, a.hosts[0], "post failing");
	expect_instance(&a, 0, "v1", "running");	/* switched, restarted */
	expect_host(t, a.hosts[1], "failed: step post_exec failed: command "
	    "timed out after 3 s");
	expect_host(t, a.hosts[2], "failed: step verify failed");
	expect_msg_has(t, a.hosts[2], "sha256 mismatch");
	ck_assert_str_eq(current_of(octets[2], a.name), "");
	ck_assert(!exists(hpath(octets[2], fmt("%s/releases/v1", a.name))));
	expect_instance(&a, 2, "", "running");	/* untouched */
	expect_host(t, a.hosts[4], "failed: ");
	expect_host(t, a.hosts[3], "succeeded");
	expect_host(t, a.hosts[5], "succeeded");
	s = db_str(fmt("SELECT status FROM deploy_tasks WHERE id = %lld", dt));
	ck_assert_str_eq(s, "running");
	free(s);

	/* fix them (the host down stays down) and retry only the failed */
	sh("rm -f '%s/h%d/home/fail-post' '%s/h%d/home/hang-post' "
	    "'%s/h%d/home/corrupt-uploads'", sshdir, octets[0], sshdir,
	    octets[1], sshdir, octets[2]);
	t2 = sub(dt, "upgrade", fmt("{\"retry_of\": \"%lld\", \"version\": "
	    "\"v1\"}", t));
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM task_hosts WHERE "
	    "task_id = %lld", t2)), 4);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM task_hosts WHERE "
	    "task_id = %lld AND host_id IN (%lld, %lld)", t2, a.hosts[3],
	    a.hosts[5])), 0);
	s = wait_task(t2, 120);
	ck_assert_str_eq(s, "failed");	/* the host down */
	free(s);
	expect_host(t2, a.hosts[0], "succeeded");
	expect_host(t2, a.hosts[1], "succeeded");
	expect_host(t2, a.hosts[2], "succeeded");
	expect_host(t2, a.hosts[4], "failed");
	ck_assert_str_eq(current_of(octets[2], a.name), "releases/v1");
	s = db_str(fmt("SELECT retry_of FROM deploy_subtasks WHERE task_id = "
	    "%lld", t2));
	ck_assert_int_eq(strtoll(s, NULL, 10), t);
	free(s);
	/* the down host's instance removed: the deploy task finishes */
	db_exec(fmt("DELETE FROM app_instances WHERE id = %lld", a.inst[4]));
	t2 = sub(dt, "upgrade", fmt("{\"instances\": %s, \"version\": \"v1\"}",
	    inst_json(&a, 0, 1)));
	s = wait_task(t2, 60);
	ck_assert_str_eq(s, "finished");
	free(s);
	s = db_str(fmt("SELECT status FROM deploy_tasks WHERE id = %lld", dt));
	ck_assert_str_eq(s, "finished");
	free(s);
}
END_TEST

/*
 * Canary: batches of 2; the first host of batch 2 fails its health check
 * and is rolled back; batch 3 is never touched.
 */
START_TEST(canary_batches_health_rollback)
{
	int		 octets[6], i;
	struct app	 a;
	long long	 dt, t;
	char		*s;

	for (i = 0; i < 6; i++)
		octets[i] = H_FIRST + i;
	mkrepo("canary");
	mkapp(&a, "GIT", fmt("git://127.0.0.1:%d/canary.git", gitport), 0, 5,
	    30, octets, 6);
	dt = mkdtask(&a, "v2");
	t = sub(dt, "upgrade", fmt("{\"instances\": %s, \"version\": \"v1\"}",
	    inst_json(&a, 0, 6)));
	s = wait_task(t, 90);
	ck_assert_str_eq(s, "finished");
	free(s);
	sh("touch '%s/h%d/home/unhealthy-%s'", sshdir, octets[2], a.name);
	t = sub(dt, "upgrade", fmt("{\"instances\": %s, \"version\": \"v2\", "
	    "\"batch_size\": 2, \"pause_seconds\": 1, \"health_check\": "
	    "{\"command\": \"test ! -f \\\"$HOME/unhealthy-%s\\\"\", "
	    "\"timeout\": 3, \"retries\": 1}, \"auto_rollback\": true}",
	    inst_json(&a, 0, 6), a.name));
	s = wait_task(t, 120);
	sh("rm -f '%s/h%d/home/unhealthy-%s'", sshdir, octets[2], a.name);
	ck_assert_str_eq(s, "failed");
	free(s);
	for (i = 0; i < 2; i++) {
		expect_host(t, a.hosts[i], "succeeded");
		ck_assert_str_eq(current_of(octets[i], a.name), "releases/v2");
		expect_instance(&a, i, "v2", "running");
	}
	expect_host(t, a.hosts[2], "failed: health check failed after 2 tries");
	expect_msg_has(t, a.hosts[2], "rolled back to v1; the rollout stops");
	ck_assert_str_eq(current_of(octets[2], a.name), "releases/v1");
	expect_instance(&a, 2, "v1", "running");
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM task_output WHERE "
	    "task_id = %lld AND host_id = %lld AND text = 'rolled back to v1; "
	    "the rollout stops'", t, a.hosts[2])), 1);
	for (i = 4; i < 6; i++) {
		expect_host(t, a.hosts[i], "failed: not run: the rollout stopped");
		ck_assert_str_eq(current_of(octets[i], a.name), "releases/v1");
		ck_assert(!exists(hpath(octets[i], fmt("%s/releases/v2",
		    a.name))));
		expect_instance(&a, i, "v1", "running");
	}
	/*
	 * batch 2 touched its hosts only after batch 1 ended (its hosts are
	 * claimed at once, then wait: their first remote step is the mark)
	 */
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM task_output WHERE "
	    "task_id = %lld AND host_id IN (%lld, %lld) AND text = 'waiting for "
	    "batch 2''s turn'", t, a.hosts[2], a.hosts[3])), 2);
	ck_assert_int_eq(db_int(fmt("SELECT (SELECT MIN(time) FROM task_output "
	    "WHERE task_id = %lld AND host_id IN (%lld, %lld) AND text = "
	    "'[prepare]') >= "
	    "(SELECT MAX(finished_time) FROM task_hosts WHERE task_id = %lld "
	    "AND host_id IN (%lld, %lld))", t, a.hosts[2], a.hosts[3], t,
	    a.hosts[0], a.hosts[1])), 1);
	s = db_str(fmt("SELECT status FROM deploy_tasks WHERE id = %lld", dt));
	ck_assert_str_eq(s, "running");
	free(s);
}
END_TEST

/*
 * kill -9 of the agent in the middle of an 8-host deploy, then another
 * agent completes it: no host is deployed twice (its pre_exec hook counts
 * runs), none is lost (each succeeded, or failed as interrupted).
 */
START_TEST(agent_killed_mid_deploy)
{
	int		 octets[NHOSTS], i, n, ok = 0, interrupted = 0;
	struct app	 a;
	long long	 dt, t;
	char		*s, *log;
	pid_t		 ka, kb;
	double		 end;

	for (i = 0; i < NHOSTS; i++)
		octets[i] = H_FIRST + i;
	mkrepo("kill9");
	mkapp(&a, "GIT", fmt("git://127.0.0.1:%d/kill9.git", gitport), 0, 5,
	    30, octets, NHOSTS);
	hook(&a, "pre_exec", "bash", "echo \"pre {{ task_id }}\" >>\"$HOME/"
	    "runs.log\"; sleep 1\n");
	for (i = 0; i < NHOSTS; i++)
		(void)unlink(fmt("%s/h%d/home/runs.log", sshdir, octets[i]));
	ck_assert_int_eq(sh("%s/stack.sh stop-agent '%s' >/dev/null", tdir,
	    getenv("HANGAR_DIR")), 0);
	ka = agent_start("k9a", "parallel = 2");
	dt = mkdtask(&a, "v1");
	t = sub(dt, "upgrade", fmt("{\"instances\": %s, \"version\": \"v1\"}",
	    inst_json(&a, 0, NHOSTS)));
	end = time(NULL) + 90;
	while (db_int(fmt("SELECT COUNT(*) FROM task_hosts WHERE task_id = %lld "
	    "AND status = 'succeeded'", t)) < 2 && time(NULL) < end)
		usleep(50000);
	kill(ka, SIGKILL);
	waitpid(ka, NULL, 0);
	n = (int)db_int(fmt("SELECT COUNT(*) FROM task_hosts WHERE task_id = "
	    "%lld AND status = 'succeeded'", t));
	ck_assert_int_ge(n, 2);
	ck_assert_int_lt(n, NHOSTS);
	kb = agent_start("k9b", "parallel = 4");
	s = wait_task(t, 120);
	kill(kb, SIGTERM);
	waitpid(kb, NULL, 0);
	ck_assert_int_eq(sh("%s/stack.sh start-agent '%s' %s '%s' >/dev/null",
	    tdir, getenv("HANGAR_DIR"), getenv("HANGAR_TEST_PORT"),
	    getenv("HANGAR_BIN")), 0);
	free(s);
	for (i = 0; i < NHOSTS; i++) {
		log = slurp(fmt("%s/h%d/home/runs.log", sshdir, octets[i]));
		n = 0;
		for (s = log; s != NULL && (s = strstr(s, "pre ")) != NULL; s++)
			n++;
		free(log);
		ck_assert_msg(n <= 1, "host %d deployed %d times", octets[i], n);
		if (db_int(fmt("SELECT COUNT(*) FROM task_hosts WHERE task_id = "
		    "%lld AND host_id = %lld AND status = 'succeeded'", t,
		    a.hosts[i]))) {
			ck_assert_int_eq(n, 1);
			ck_assert_str_eq(current_of(octets[i], a.name),
			    "releases/v1");
			ok++;
		} else {
			expect_host(t, a.hosts[i], "failed: interrupted: agent ");
			interrupted++;
		}
	}
	ck_assert_int_eq(ok + interrupted, NHOSTS);
	ck_assert_int_le(interrupted, 2);	/* at most parallel under way */
}
END_TEST

/* FTP with a password, and GIT over SSH with a key. */
START_TEST(ftp_and_git_over_ssh)
{
	static const int octets[] = { H_FIRST + 5, H_FIRST + 6 };
	struct app	 a, b;
	long long	 cred, dt, t;
	char		*s;

	ck_assert_int_eq(sh("mkdir -p '%s/files/builds' && printf 'war "
	    "bytes' >'%s/files/builds/root.war'", ftpdir, ftpdir), 0);
	cred = db_insert(fmt("INSERT INTO credentials (kind, name, username, "
	    "secret) VALUES ('password', '%s', 'deployer', '%s')",
	    uniq("ftpcred"), stack_seal("ftp-secret-pw")));
	mkapp(&a, "FTP", fmt("ftp://127.0.0.1:%d/", ftpport), cred, 5, 30,
	    octets, 2);
	dt = mkdtask(&a, "20180414-121540");
	/* FTP needs update_source */
	expect_error(api("POST", fmt("/application/deploy-tasks/%lld/"
	    "sub-upgrade-tasks/", dt), admin_token(), fmt("{\"instances\": %s, "
	    "\"version\": \"20180414-121540\"}", inst_json(&a, 0, 2))), 400,
	    10002, "update_source");
	t = sub(dt, "upgrade", fmt("{\"instances\": %s, \"version\": "
	    "\"20180414-121540\", \"update_source\": \"builds/root.war\"}",
	    inst_json(&a, 0, 2)));
	s = wait_task(t, 90);
	ck_assert_msg(strcmp(s, "finished") == 0, "%s: %s", s,
	    host_status(t, a.hosts[0]));
	free(s);
	expect_file(hpath(octets[1], fmt("%s/current/root.war", a.name)),
	    "war bytes");
	s = db_str(fmt("SELECT status FROM deploy_tasks WHERE id = %lld", dt));
	ck_assert_str_eq(s, "finished");
	free(s);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM task_output WHERE "
	    "task_id = %lld AND text LIKE '%%ftp-secret-pw%%'", t)), 0);

	mkrepo("overssh");
	mkapp(&b, "GIT", fmt("ssh://root@127.0.0.%d:%d%s/repos/overssh.git",
	    H_FIRST, sshport, gitdir), credential(), 5, 30, octets, 1);
	dt = mkdtask(&b, "v3");
	t = sub(dt, "upgrade", fmt("{\"instances\": %s, \"version\": \"v3\", "
	    "\"update_source\": \"web\"}", inst_json(&b, 0, 1)));
	s = wait_task(t, 90);
	ck_assert_msg(strcmp(s, "finished") == 0, "%s: %s", s,
	    host_status(t, b.hosts[0]));
	free(s);
	/* update_source "web": that folder's content is the release */
	expect_file(hpath(octets[0], fmt("%s/current/index.html", b.name)),
	    "page 3\n");
	ck_assert(!exists(hpath(octets[0], fmt("%s/current/app.txt",
	    b.name))));
}
END_TEST

static TCase *
tc_release(void)
{
	TCase *tc = tcase_create("deploy_release");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, refusals_change_nothing);
	tcase_add_test(tc, deploy_upgrade_revert_many);
	tcase_add_test(tc, keep_backups_and_not_kept);
	tcase_add_test(tc, failures_per_host_and_retry);
	tcase_add_test(tc, canary_batches_health_rollback);
	tcase_add_test(tc, ftp_and_git_over_ssh);
	tcase_add_test(tc, agent_killed_mid_deploy);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_release };
	const char	*stack = getenv("HANGAR_STACK");
	char		 port[16];
	int		 failed, base;

	if (getenv("HANGAR_DIR") == NULL || stack == NULL)
		return 1;
	base = (getenv("HANGAR_TEST_PORT") ? atoi(getenv("HANGAR_TEST_PORT")) :
	    18080) % 10000;
	sshport = 20000 + base;
	gitport = 23000 + base;	/* below the ephemeral ports (32768-) */
	ftpport = 21000 + base;
	snprintf(dir, sizeof(dir), "%s/release", getenv("HANGAR_DIR"));
	snprintf(sshdir, sizeof(sshdir), "%s/sshd", dir);
	snprintf(gitdir, sizeof(gitdir), "%s/git", dir);
	snprintf(ftpdir, sizeof(ftpdir), "%s/ftp", dir);
	snprintf(priv, sizeof(priv), "/tmp/hangar-deploy-%d", sshport);
	snprintf(tdir, sizeof(tdir), "%.*s", (int)(strrchr(stack, '/') - stack),
	    stack);
	snprintf(port, sizeof(port), "%d", sshport);
	setenv("HANGAR_SSHD_PORT", port, 1);
	setenv("HANGAR_SSHD_PRIVATE", priv, 1);
	if (sh("mkdir -p '%s' && %s/sshd-hosts.sh start '%s' %d %d >/dev/null",
	    dir, tdir, sshdir, H_FIRST, H_LAST) != 0 ||
	    sh("%s/git-server.sh start '%s' %d", tdir, gitdir, gitport) != 0 ||
	    sh("%s/ftp-server.sh start '%s' %d deployer ftp-secret-pw", tdir,
	    ftpdir, ftpport) != 0) {
		fprintf(stderr, "test_deploy_release: a test server did not "
		    "start\n");
		failed = 1;	/* and stop those that did */
	} else
		failed = run_suite("deploy_release", cases, 1);
	(void)sh("%s/sshd-hosts.sh stop '%s'", tdir, sshdir);
	(void)sh("%s/git-server.sh stop '%s'", tdir, gitdir);
	(void)sh("%s/ftp-server.sh stop '%s'", tdir, ftpdir);
	(void)rmdir(priv);	/* the hosts' empty mount point */
	return failed ? 1 : 0;
}
