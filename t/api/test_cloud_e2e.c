/*
 * test_cloud_e2e.c -- power actions on cloud hosts from end to end: a
 * cloud account and hosts made through the API, a start/stop/restart task
 * posted to hangard, queued, carried out by the test stack's hangar-agent
 * through the cloud adapters, against t/cloud-standin.py (which checks each
 * request's signature as the vendor would and keeps each instance's state).
 * One host per provider product (Aliyun ECS, Tencent CVM, CloudStack).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

#define AK	"AKIDe2eTestKey0001"
#define SK	"e2e-secret-not-in-any-log"

static struct standin sd;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* t/cloud-standin.py beside t/stack.sh, on a free port. */
static void
start_standin(void)
{
	standin_start(&sd, "cloud-standin.py", AK ":" SK);
}

static void
stop_standin(void)
{
	standin_stop(&sd);
}

/* The stand-in's state of instance id ("running", "stopped", ...). */
static char *
standin_state(const char *id)
{
	char	 cmd[512], buf[1024], *p, *q;
	FILE	*f;
	size_t	 n;

	snprintf(cmd, sizeof(cmd), "curl -sf 'http://127.0.0.1:%d/_standin/"
	    "instance?id=%s'", sd.port, id);
	ck_assert_ptr_nonnull(f = popen(cmd, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	pclose(f);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(p = strstr(buf, "\"state\": \""));
	p += strlen("\"state\": \"");
	ck_assert_ptr_nonnull(q = strchr(p, '"'));
	return strndup(p, (size_t)(q - p));
}

/* A cloud account of provider, made through the API; its id. */
static long long
account(const char *provider, const char *path)
{
	struct resp	*r;
	long long	 id;

	r = api_f("POST", "/cloud-accounts/", admin_token(), "{\"name\": "
	    "\"%s\", \"provider\": \"%s\", \"endpoint\": "
	    "\"http://127.0.0.1:%d%s\", \"access_key\": \"%s\", \"secret\": "
	    "\"%s\"}", uniq("e2e"), provider, sd.port, path, AK, SK);
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	id = jint(r->json, "id");
	resp_free(r);
	return id;
}

/* A host of type on account acct for instance inst, through the API. */
static long long
host(const char *type, long long acct, const char *inst)
{
	struct resp	*r;
	long long	 id;

	r = api_f("POST", "/hosts/", admin_token(), "{\"name\": \"%s\", "
	    "\"host_type\": \"%s\", \"cloud\": {\"account\": %lld, \"region\": "
	    "\"ap-guangzhou\", \"instance_id\": \"%s\"}}", uniq("e2e-host"), type,
	    acct, inst);
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	id = jint(r->json, "id");
	resp_free(r);
	return id;
}

/*
 * POST /hosts/<kind>-tasks/ for ids, wait for the task through the API;
 * returns its final object (caller frees).
 */
static struct resp *
run_task(const char *kind, const long long *ids, int n)
{
	char		 body[512], path[128];
	size_t		 len = 0;
	struct resp	*r;
	long long	 task;
	double		 end = now_s() + 60;
	int		 i;

	len += (size_t)snprintf(body, sizeof(body), "[");
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(body + len, sizeof(body) - len,
		    "%s{\"host_id\": %lld}", i ? ", " : "", ids[i]);
	snprintf(body + len, sizeof(body) - len, "]");
	snprintf(path, sizeof(path), "/hosts/%s-tasks/", kind);
	r = api("POST", path, admin_token(), body);
	ck_assert_msg(r->status == 201, "%s: %ld %s", path, r->status, r->body);
	task = strtoll(jstr(r->json, "task_id"), NULL, 10);
	resp_free(r);
	snprintf(path, sizeof(path), "/hosts/%s-tasks/%lld/", kind, task);
	for (;;) {
		r = api("GET", path, admin_token(), NULL);
		ck_assert_int_eq(r->status, 200);
		if (strcmp(jstr(r->json, "status"), "running") != 0)
			return r;
		ck_assert_msg(now_s() < end, "task %lld still running", task);
		resp_free(r);
		usleep(200000);
	}
}

/* Result i of task object r: its status and message. */
static void
expect_result(struct resp *r, int i, long long host, const char *status,
    const char *msg_part)
{
	char key[64];

	snprintf(key, sizeof(key), "results.%d.host_id", i);
	ck_assert_int_eq(jint(r->json, key), host);
	snprintf(key, sizeof(key), "results.%d.status", i);
	ck_assert_str_eq(jstr(r->json, key), status);
	snprintf(key, sizeof(key), "results.%d.message", i);
	ck_assert_msg(strstr(jstr(r->json, key), msg_part) != NULL,
	    "result %d: \"%s\" does not say \"%s\"", i, jstr(r->json, key),
	    msg_part);
}

/*
 * A kind-task on the three hosts: finished, each host succeeded saying
 * word, and each instance (inst0..2) in state at the stand-in.
 */
static void
power_all(const char *kind, const long long *ids, const char *inst0,
    const char *inst1, const char *inst2, const char *word, const char *state)
{
	const char	*inst[3] = { inst0, inst1, inst2 };
	struct resp	*r = run_task(kind, ids, 3);
	char		*st;
	int		 i;

	ck_assert_str_eq(jstr(r->json, "status"), "finished");
	for (i = 0; i < 3; i++) {
		expect_result(r, i, ids[i], "succeeded", word);
		st = standin_state(inst[i]);
		ck_assert_str_eq(st, state);
		free(st);
	}
	resp_free(r);
}

START_TEST(power_actions_reach_the_clouds)
{
	static const struct {
		const char	*type, *provider, *path, *vendor, *inst;
	} p[3] = {
		{ "ALI_ECS", "ALIYUN", "/", "aliyun", "i-e2e1" },
		{ "TECENT_CVM", "TENCENT", "/", "cvm", "ins-e2e2" },
		{ "CLOUDSTACK", "CLOUDSTACK", "/client/api", "cs",
		    "9f0c3e2a-0000-4e2e-8e2e-00000000e2e3" },
	};
	long long	 ids[3];
	struct resp	*r;
	char		 body[256];
	int		 i;

	for (i = 0; i < 3; i++) {
		snprintf(body, sizeof(body), "{\"id\": \"%s\", \"vendor\": "
		    "\"%s\", \"state\": \"running\", \"region\": "
		    "\"ap-guangzhou\", \"delay\": 1}", p[i].inst, p[i].vendor);
		standin_post(&sd, "/_standin/instance", body);
		ids[i] = host(p[i].type, account(p[i].provider, p[i].path),
		    p[i].inst);
	}
	/* one task each: every host through its own provider */
	power_all("stop", ids, p[0].inst, p[1].inst, p[2].inst, "stopped",
	    "stopped");
	power_all("start", ids, p[0].inst, p[1].inst, p[2].inst, "started",
	    "running");
	power_all("restart", ids, p[0].inst, p[1].inst, p[2].inst, "rebooted",
	    "running");
	/* a vendor that fails the job: that host fails, with its reason */
	snprintf(body, sizeof(body), "{\"id\": \"%s\", \"vendor\": \"aliyun\", "
	    "\"state\": \"running\", \"region\": \"ap-guangzhou\", "
	    "\"fail\": \"async\"}", p[0].inst);
	standin_post(&sd, "/_standin/instance", body);
	r = run_task("stop", ids, 1);
	ck_assert_str_eq(jstr(r->json, "status"), "failed");
	ck_assert_str_eq(jstr(r->json, "results.0.status"), "failed");
	ck_assert(strlen(jstr(r->json, "results.0.message")) > 0);
	ck_assert_ptr_null(strstr(r->body, SK));	/* never the secret */
	resp_free(r);
}
END_TEST

static TCase *
tc_cloud(void)
{
	TCase *tc = tcase_create("cloud");

	tcase_set_timeout(tc, 120);
	/* Run by the runner itself: the stand-in is stopped even on failure. */
	tcase_add_unchecked_fixture(tc, start_standin, stop_standin);
	tcase_add_test(tc, power_actions_reach_the_clouds);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_cloud };

	return run_suite("cloud_e2e", cases, 1) ? 1 : 0;
}
