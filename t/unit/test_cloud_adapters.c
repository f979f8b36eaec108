/*
 * test_cloud_adapters.c -- hg_cloud_power() against t/cloud-standin.py.
 *
 * main() starts the stand-in on a free loopback port (it writes the port to
 * a file) and stops it by pid at the end.  Each test resets the stand-in,
 * creates the instance it needs through the control API, runs one power
 * action and checks the return class, the message, the state the stand-in
 * ended in and the requests it received.  Covered for Aliyun ECS, Tencent
 * CVM, Tencent CPM (DescribeOperationResult polling) and CloudStack
 * (queryAsyncJobResult polling): success, vendor failure, timeout, bad
 * credential, stale clock; plus the checks made before anything is sent.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <check.h>
#include <curl/curl.h>
#include <json-c/json.h>

#include "cloud.h"
#include "secret.h"

#define AK	"LTAI5tHangarTestKey"
#define SK	"hangar-test-secret/+=&?"
#define AK2	"AKIDotherkey"
#define SK2	"other-secret"
/* The vendors' published example keys (external-apis.md A1, T1, C1). */
#define A1_KEY	"testid:testsecret"
#define T1_KEY	"AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE:" \
	"Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
#define C1_KEY	"plgWJfZK4gyS3mOMTVmjUVg-X-jlWlnfaUJ9GAbBbf9EdM-kAYMmAiLqzzq1" \
	"ElZLYq_u38zCm0bewzGUdP66mg:VDaACYb0LV9eNjTetIOElcVQkvJck_J_QljX_FcHRj" \
	"87ZKiy0z0ty0ZsYBkoXkY9b7eq1EhwJaw7FF3akA3KBQ"

static pid_t	standin;
static int	port;
static char	base[64], csbase[80], logpath[256], portpath[256];
static char	tmpdir[] = "/tmp/hg-standin-XXXXXX";

/* ---- talking to the stand-in's control API ------------------------- */

static size_t
sink(char *p, size_t s, size_t n, void *arg)
{
	FILE	*f = arg;

	return fwrite(p, s, n, f);
}

/* POST body (or GET when body is NULL) to path; returns the parsed answer. */
static json_object *
ctl(const char *path, const char *body)
{
	CURL			*c = curl_easy_init();
	struct curl_slist	*h = NULL;
	char			 url[256], *buf = NULL;
	size_t			 len = 0;
	FILE			*f = open_memstream(&buf, &len);
	json_object		*o;

	snprintf(url, sizeof(url), "%s%s", base, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	if (body != NULL) {
		h = curl_slist_append(h, "Content-Type: application/json");
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	}
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	fclose(f);
	o = json_tokener_parse(buf);
	free(buf);
	ck_assert_ptr_nonnull(o);
	return o;
}

static void
reset(void)
{
	json_object_put(ctl("/_standin/reset", "{}"));
}

/* One instance: vendor aliyun|cvm|cpm|cs, region r1, 0.4 s transitions. */
static void
instance(const char *id, const char *vendor, const char *state,
    const char *extra)
{
	char	body[512];

	snprintf(body, sizeof(body), "{\"id\":\"%s\",\"vendor\":\"%s\","
	    "\"state\":\"%s\",\"region\":\"r1\",\"delay\":0.4%s%s}", id, vendor,
	    state, extra != NULL ? "," : "", extra != NULL ? extra : "");
	json_object_put(ctl("/_standin/instance", body));
}

static void
expect_state(const char *id, const char *want)
{
	char		 path[128];
	json_object	*o, *s;

	snprintf(path, sizeof(path), "/_standin/instance?id=%s", id);
	o = ctl(path, NULL);
	ck_assert(json_object_object_get_ex(o, "state", &s));
	ck_assert_str_eq(json_object_get_string(s), want);
	json_object_put(o);
}

/* How many requests the stand-in logged for action (code NULL: accepted). */
static int
count(const char *action, const char *code)
{
	json_object	*o = ctl("/_standin/log", NULL), *e, *a, *c;
	size_t		 i;
	int		 n = 0;

	for (i = 0; i < json_object_array_length(o); i++) {
		e = json_object_array_get_idx(o, i);
		json_object_object_get_ex(e, "action", &a);
		json_object_object_get_ex(e, "code", &c);
		if (strcmp(json_object_get_string(a), action) != 0)
			continue;
		if (code == NULL ? json_object_is_type(c, json_type_null) :
		    (c != NULL && json_object_is_type(c, json_type_string) &&
		    strcmp(json_object_get_string(c), code) == 0))
			n++;
	}
	json_object_put(o);
	return n;
}

static int
total(void)
{
	json_object	*o = ctl("/_standin/log", NULL);
	int		 n = (int)json_object_array_length(o);

	json_object_put(o);
	return n;
}

static void
skew(int s)
{
	char	body[64];

	snprintf(body, sizeof(body), "{\"skew\":%d}", s);
	json_object_put(ctl("/_standin/config", body));
}

/* ---- running the adapter ---------------------------------------------- */

static struct hg_cloud_account
account(enum hg_cloud_provider p, const char *ak, const char *sk)
{
	struct hg_cloud_account	a;

	memset(&a, 0, sizeof(a));
	a.ca_provider = p;
	a.ca_endpoint = p == HG_CLOUD_CLOUDSTACK ? csbase : base;
	a.ca_access_key = ak;
	a.ca_secret = sk;
	a.ca_poll_ms = 100;
	return a;
}

static char	msg[512];

static int
run(enum hg_cloud_provider p, const char *sk, const char *type,
    const char *id, enum hg_power act, int timeout)
{
	struct hg_cloud_account	a = account(p, AK, sk);
	int			rc;

	memset(msg, 'x', sizeof(msg));
	rc = hg_cloud_power(&a, type, "r1", id, act, timeout, msg, sizeof(msg));
	/* Never the secret in the message. */
	ck_assert_ptr_null(strstr(msg, SK));
	ck_assert_ptr_null(strstr(msg, "hangar-test-secret"));
	return rc;
}

static int
begins(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- Aliyun ECS -------------------------------------------------------- */

START_TEST(ecs_start_stop_reboot)
{
	reset();
	instance("i-1", "aliyun", "stopped", NULL);
	ck_assert_int_eq(run(HG_CLOUD_ALIYUN, SK, "ALI_ECS", "i-1",
	    HG_POWER_START, 10), HG_CLOUD_OK);
	ck_assert_str_eq(msg, "started");
	expect_state("i-1", "running");
	ck_assert_int_eq(count("StartInstance", NULL), 1);
	/* The pre-check, then at least one poll that saw Starting. */
	ck_assert_int_ge(count("DescribeInstances", NULL), 3);
	ck_assert_int_eq(run(HG_CLOUD_ALIYUN, SK, "ALI_ECS", "i-1",
	    HG_POWER_REBOOT, 10), HG_CLOUD_OK);
	ck_assert_str_eq(msg, "rebooted");
	expect_state("i-1", "running");
	ck_assert_int_eq(count("RebootInstance", NULL), 1);
	ck_assert_int_eq(run(HG_CLOUD_ALIYUN, SK, "ALI_ECS", "i-1",
	    HG_POWER_STOP, 10), HG_CLOUD_OK);
	ck_assert_str_eq(msg, "stopped");
	expect_state("i-1", "stopped");
	ck_assert_int_eq(count("StopInstance", NULL), 1);
}
END_TEST

/* Already in the target state: nothing but the status query is sent. */
START_TEST(ecs_already_there)
{
	reset();
	instance("i-2", "aliyun", "running", NULL);
	ck_assert_int_eq(run(HG_CLOUD_ALIYUN, SK, "ALI_ECS", "i-2",
	    HG_POWER_START, 10), HG_CLOUD_OK);
	ck_assert_str_eq(msg, "already running");
	ck_assert_int_eq(total(), 1);
	ck_assert_int_eq(count("DescribeInstances", NULL), 1);
}
END_TEST

START_TEST(ecs_vendor_refuses)
{
	reset();
	instance("i-3", "aliyun", "stopped",
	    "\"fail\":\"sync\",\"code\":\"OperationDenied.NoStock\"");
	ck_assert_int_eq(run(HG_CLOUD_ALIYUN, SK, "ALI_ECS", "i-3",
	    HG_POWER_START, 10), HG_CLOUD_EUPSTREAM);
	ck_assert_msg(begins(msg, "OperationDenied.NoStock: The current status "
	    "of the resource does not support this operation. (StartInstance, "
	    "HTTP 403)"), "%s", msg);
	expect_state("i-3", "stopped");
}
END_TEST

/* The action is accepted but the instance falls back to Stopped. */
START_TEST(ecs_start_falls_back)
{
	reset();
	instance("i-4", "aliyun", "stopped", "\"fail\":\"async\"");
	ck_assert_int_eq(run(HG_CLOUD_ALIYUN, SK, "ALI_ECS", "i-4",
	    HG_POWER_START, 10), HG_CLOUD_EUPSTREAM);
	ck_assert_str_eq(msg, "start failed: i-4 went back to Stopped");
}
END_TEST

START_TEST(ecs_timeout)
{
	time_t	t0 = time(NULL);

	reset();
	instance("i-5", "aliyun", "running", "\"hang\":true");
	ck_assert_int_eq(run(HG_CLOUD_ALIYUN, SK, "ALI_ECS", "i-5",
	    HG_POWER_STOP, 2), HG_CLOUD_ETIMEOUT);
	ck_assert_str_eq(msg, "timed out waiting for i-5 to be Stopped; last "
	    "seen: Stopping");
	ck_assert_int_ge(time(NULL) - t0, 1);
	ck_assert_int_le(time(NULL) - t0, 4);
	expect_state("i-5", "stopping");
}
END_TEST

START_TEST(ecs_bad_credentials)
{
	struct hg_cloud_account	a = account(HG_CLOUD_ALIYUN, "nosuchkey", SK);

	reset();
	instance("i-6", "aliyun", "stopped", NULL);
	ck_assert_int_eq(run(HG_CLOUD_ALIYUN, "wrong-secret", "ALI_ECS", "i-6",
	    HG_POWER_START, 10), HG_CLOUD_ECRED);
	ck_assert_msg(begins(msg, "SignatureDoesNotMatch: Specified signature "
	    "is not matched with our calculation."), "%s", msg);
	ck_assert_int_eq(count("DescribeInstances", "SignatureDoesNotMatch"), 1);
	ck_assert_int_eq(total(), 1);
	ck_assert_int_eq(hg_cloud_power(&a, "ALI_ECS", "r1", "i-6",
	    HG_POWER_START, 10, msg, sizeof(msg)), HG_CLOUD_ECRED);
	ck_assert_str_eq(msg, "InvalidAccessKeyId.NotFound: Specified access "
	    "key is not found. (DescribeInstances, HTTP 404)");
	expect_state("i-6", "stopped");
}
END_TEST

START_TEST(ecs_stale_clock)
{
	reset();
	instance("i-7", "aliyun", "stopped", NULL);
	skew(3600);
	ck_assert_int_eq(run(HG_CLOUD_ALIYUN, SK, "ALI_ECS", "i-7",
	    HG_POWER_START, 10), HG_CLOUD_EUPSTREAM);
	ck_assert_str_eq(msg, "InvalidTimeStamp.Expired: Specified time stamp "
	    "or date value is expired. (DescribeInstances, HTTP 400)");
	skew(-1800);
	ck_assert_int_eq(run(HG_CLOUD_ALIYUN, SK, "ALI_ECS", "i-7",
	    HG_POWER_START, 10), HG_CLOUD_OK);
}
END_TEST

START_TEST(ecs_wrong_region)
{
	struct hg_cloud_account	a = account(HG_CLOUD_ALIYUN, AK, SK);

	reset();
	instance("i-8", "aliyun", "stopped", NULL);
	ck_assert_int_eq(hg_cloud_power(&a, "ALI_ECS", "r2", "i-8",
	    HG_POWER_START, 10, msg, sizeof(msg)), HG_CLOUD_EUPSTREAM);
	ck_assert_str_eq(msg, "InvalidInstanceId.NotFound: instance i-8 not "
	    "found in region r2");
}
END_TEST

/* ---- Tencent CVM ------------------------------------------------------- */

START_TEST(cvm_start_stop_reboot)
{
	reset();
	instance("ins-1", "cvm", "stopped", NULL);
	ck_assert_int_eq(run(HG_CLOUD_TENCENT, SK, "TECENT_CVM", "ins-1",
	    HG_POWER_START, 10), HG_CLOUD_OK);
	ck_assert_str_eq(msg, "started");
	expect_state("ins-1", "running");
	ck_assert_int_eq(count("StartInstances", NULL), 1);
	ck_assert_int_eq(run(HG_CLOUD_TENCENT, SK, "TECENT_CVM", "ins-1",
	    HG_POWER_REBOOT, 10), HG_CLOUD_OK);
	ck_assert_str_eq(msg, "rebooted");
	ck_assert_int_eq(count("RebootInstances", NULL), 1);
	ck_assert_int_eq(run(HG_CLOUD_TENCENT, SK, "TECENT_CVM", "ins-1",
	    HG_POWER_STOP, 10), HG_CLOUD_OK);
	ck_assert_str_eq(msg, "stopped");
	expect_state("ins-1", "stopped");
	ck_assert_int_eq(count("StopInstances", NULL), 1);
	ck_assert_int_eq(run(HG_CLOUD_TENCENT, SK, "TECENT_CVM", "ins-1",
	    HG_POWER_STOP, 10), HG_CLOUD_OK);
	ck_assert_str_eq(msg, "already stopped");
	ck_assert_int_eq(count("StopInstances", NULL), 1);
}
END_TEST

/* LatestOperationState FAILED is the CVM way of saying the job failed. */
START_TEST(cvm_job_fails)
{
	reset();
	instance("ins-2", "cvm", "running", "\"fail\":\"async\"");
	ck_assert_int_eq(run(HG_CLOUD_TENCENT, SK, "TECENT_CVM", "ins-2",
	    HG_POWER_STOP, 10), HG_CLOUD_EUPSTREAM);
	ck_assert_str_eq(msg, "LatestOperationState FAILED: StopInstances on "
	    "ins-2 failed, instance is RUNNING");
	expect_state("ins-2", "running");
}
END_TEST

START_TEST(cvm_vendor_refuses)
{
	reset();
	instance("ins-3", "cvm", "stopped",
	    "\"fail\":\"sync\",\"code\":\"ResourceInsufficient.ZoneSoldOut\"");
	ck_assert_int_eq(run(HG_CLOUD_TENCENT, SK, "TECENT_CVM", "ins-3",
	    HG_POWER_START, 10), HG_CLOUD_EUPSTREAM);
	ck_assert_str_eq(msg, "ResourceInsufficient.ZoneSoldOut: The operation "
	    "failed on `ins-3`. (StartInstances)");
}
END_TEST

START_TEST(cvm_timeout)
{
	reset();
	instance("ins-4", "cvm", "running", "\"hang\":true");
	ck_assert_int_eq(run(HG_CLOUD_TENCENT, SK, "TECENT_CVM", "ins-4",
	    HG_POWER_REBOOT, 2), HG_CLOUD_ETIMEOUT);
	ck_assert_str_eq(msg, "timed out waiting for ins-4 to be Running; last "
	    "seen: REBOOTING");
}
END_TEST

START_TEST(cvm_bad_credentials)
{
	struct hg_cloud_account	a = account(HG_CLOUD_TENCENT, "AKIDnosuch", SK);

	reset();
	instance("ins-5", "cvm", "stopped", NULL);
	ck_assert_int_eq(run(HG_CLOUD_TENCENT, "bad", "TECENT_CVM", "ins-5",
	    HG_POWER_START, 10), HG_CLOUD_ECRED);
	ck_assert_str_eq(msg, "AuthFailure.SignatureFailure: The provided "
	    "credentials could not be validated. Please check your signature "
	    "is correct. (DescribeInstances)");
	ck_assert_int_eq(hg_cloud_power(&a, "TECENT_CVM", "r1", "ins-5",
	    HG_POWER_START, 10, msg, sizeof(msg)), HG_CLOUD_ECRED);
	ck_assert_msg(begins(msg, "AuthFailure.SecretIdNotFound: "), "%s", msg);
	skew(400);
	ck_assert_int_eq(run(HG_CLOUD_TENCENT, SK, "TECENT_CVM", "ins-5",
	    HG_POWER_START, 10), HG_CLOUD_EUPSTREAM);
	ck_assert_msg(begins(msg, "AuthFailure.SignatureExpire: "), "%s", msg);
	ck_assert_int_eq(count("StartInstances", NULL), 0);
	expect_state("ins-5", "stopped");
}
END_TEST

/* ---- Tencent CPM -------------------------------------------------------- */

START_TEST(cpm_start_stop_reboot)
{
	reset();
	instance("cpm-1", "cpm", "stopped", NULL);
	ck_assert_int_eq(run(HG_CLOUD_TENCENT, SK, "TECENT_CPM", "cpm-1",
	    HG_POWER_START, 10), HG_CLOUD_OK);
	ck_assert_str_eq(msg, "started");
	expect_state("cpm-1", "running");
	ck_assert_int_eq(count("StartDevices", NULL), 1);
	/* 0.4 s of work polled every 0.1 s: unfinished at least twice. */
	ck_assert_int_ge(count("DescribeOperationResult", NULL), 3);
	ck_assert_int_eq(run(HG_CLOUD_TENCENT, SK, "TECENT_CPM", "cpm-1",
	    HG_POWER_REBOOT, 10), HG_CLOUD_OK);
	ck_assert_str_eq(msg, "rebooted");
	ck_assert_int_eq(count("RebootDevices", NULL), 1);
	ck_assert_int_eq(run(HG_CLOUD_TENCENT, SK, "TECENT_CPM", "cpm-1",
	    HG_POWER_STOP, 10), HG_CLOUD_OK);
	ck_assert_str_eq(msg, "stopped");
	expect_state("cpm-1", "stopped");
	ck_assert_int_eq(count("ShutdownDevices", NULL), 1);
}
END_TEST

START_TEST(cpm_task_fails)
{
	reset();
	instance("cpm-2", "cpm", "running", "\"fail\":\"async\"");
	ck_assert_int_eq(run(HG_CLOUD_TENCENT, SK, "TECENT_CPM", "cpm-2",
	    HG_POWER_STOP, 10), HG_CLOUD_EUPSTREAM);
	ck_assert_msg(begins(msg, "TaskStatus 2: task ") &&
	    strstr(msg, " on cpm-2 failed, subtask status 2") != NULL, "%s", msg);
	expect_state("cpm-2", "running");
}
END_TEST

START_TEST(cpm_timeout)
{
	reset();
	instance("cpm-3", "cpm", "stopped", "\"hang\":true");
	ck_assert_int_eq(run(HG_CLOUD_TENCENT, SK, "TECENT_CPM", "cpm-3",
	    HG_POWER_START, 1), HG_CLOUD_ETIMEOUT);
	ck_assert_str_eq(msg, "timed out waiting for cpm-3 to be Running; last "
	    "seen: TaskStatus 4");
}
END_TEST

START_TEST(cpm_bad_credentials)
{
	reset();
	instance("cpm-4", "cpm", "stopped", NULL);
	ck_assert_int_eq(run(HG_CLOUD_TENCENT, "bad", "TECENT_CPM", "cpm-4",
	    HG_POWER_START, 10), HG_CLOUD_ECRED);
	ck_assert_str_eq(msg, "AuthFailure.SignatureFailure: The provided "
	    "credentials could not be validated. Please check your signature "
	    "is correct. (StartDevices)");
	expect_state("cpm-4", "stopped");
}
END_TEST

/* ---- CloudStack --------------------------------------------------------- */

START_TEST(cs_start_stop_reboot)
{
	reset();
	instance("5a7b6c2e-0000-4000-8000-000000000001", "cs", "stopped", NULL);
	ck_assert_int_eq(run(HG_CLOUD_CLOUDSTACK, SK, "CLOUDSTACK",
	    "5a7b6c2e-0000-4000-8000-000000000001", HG_POWER_START, 10),
	    HG_CLOUD_OK);
	ck_assert_str_eq(msg, "started");
	expect_state("5a7b6c2e-0000-4000-8000-000000000001", "running");
	ck_assert_int_eq(count("startVirtualMachine", NULL), 1);
	ck_assert_int_ge(count("queryAsyncJobResult", NULL), 3);
	ck_assert_int_eq(run(HG_CLOUD_CLOUDSTACK, SK, "CLOUDSTACK_OFFICE",
	    "5a7b6c2e-0000-4000-8000-000000000001", HG_POWER_REBOOT, 10),
	    HG_CLOUD_OK);
	ck_assert_str_eq(msg, "rebooted");
	ck_assert_int_eq(run(HG_CLOUD_CLOUDSTACK, SK, "CLOUDSTACK",
	    "5a7b6c2e-0000-4000-8000-000000000001", HG_POWER_STOP, 10),
	    HG_CLOUD_OK);
	ck_assert_str_eq(msg, "stopped");
	expect_state("5a7b6c2e-0000-4000-8000-000000000001", "stopped");
}
END_TEST

START_TEST(cs_job_fails)
{
	reset();
	instance("vm-2", "cs", "stopped", "\"fail\":\"async\",\"code\":"
	    "\"Unable to start VM vm-2 due to not enough capacity\"");
	ck_assert_int_eq(run(HG_CLOUD_CLOUDSTACK, SK, "CLOUDSTACK", "vm-2",
	    HG_POWER_START, 10), HG_CLOUD_EUPSTREAM);
	ck_assert_msg(begins(msg, "530: Unable to start VM vm-2 due to not "
	    "enough capacity (job "), "%s", msg);
	ck_assert_msg(strstr(msg, ", jobstatus 2)") != NULL, "%s", msg);
}
END_TEST

START_TEST(cs_vendor_refuses)
{
	reset();
	ck_assert_int_eq(run(HG_CLOUD_CLOUDSTACK, SK, "CLOUDSTACK", "no-such-vm",
	    HG_POWER_STOP, 10), HG_CLOUD_EUPSTREAM);
	ck_assert_msg(begins(msg, "431: Unable to execute API command "
	    "stopvirtualmachine due to invalid value."), "%s", msg);
	ck_assert_msg(strstr(msg, "(stopVirtualMachine, HTTP 431)") != NULL,
	    "%s", msg);
}
END_TEST

START_TEST(cs_timeout)
{
	reset();
	instance("vm-3", "cs", "running", "\"hang\":true");
	ck_assert_int_eq(run(HG_CLOUD_CLOUDSTACK, SK, "CLOUDSTACK", "vm-3",
	    HG_POWER_STOP, 1), HG_CLOUD_ETIMEOUT);
	ck_assert_str_eq(msg, "timed out waiting for vm-3 to be Stopped; last "
	    "seen: jobstatus 0");
}
END_TEST

START_TEST(cs_bad_credentials)
{
	reset();
	instance("vm-4", "cs", "stopped", NULL);
	ck_assert_int_eq(run(HG_CLOUD_CLOUDSTACK, "bad", "CLOUDSTACK", "vm-4",
	    HG_POWER_START, 10), HG_CLOUD_ECRED);
	ck_assert_str_eq(msg, "401: unable to verify user credentials and/or "
	    "request signature (startVirtualMachine, HTTP 401)");
	/* expires (signatureVersion 3) is checked: a clock 20 min ahead. */
	skew(1200);
	ck_assert_int_eq(run(HG_CLOUD_CLOUDSTACK, SK, "CLOUDSTACK", "vm-4",
	    HG_POWER_START, 10), HG_CLOUD_ECRED);
	ck_assert_int_eq(count("startVirtualMachine", "401"), 2);
	expect_state("vm-4", "stopped");
}
END_TEST

/* ---- refused before anything is sent ----------------------------------- */

START_TEST(invalid_requests)
{
	struct hg_cloud_account	a = account(HG_CLOUD_ALIYUN, AK, SK);
	struct hg_cloud_account	bad = account(HG_CLOUD_ALIYUN, AK, SK);

	reset();
	ck_assert_int_eq(hg_cloud_power(&a, "TECENT_CVM", "r1", "i-1",
	    HG_POWER_START, 5, msg, sizeof(msg)), HG_CLOUD_EINVAL);
	ck_assert_str_eq(msg, "host type TECENT_CVM does not belong to "
	    "provider ALIYUN");
	ck_assert_int_eq(hg_cloud_power(&a, "PHY_HOST", "r1", "i-1",
	    HG_POWER_START, 5, msg, sizeof(msg)), HG_CLOUD_EINVAL);
	ck_assert_int_eq(hg_cloud_power(&a, "ALI_ECS", "r1", "",
	    HG_POWER_START, 5, msg, sizeof(msg)), HG_CLOUD_EINVAL);
	ck_assert_str_eq(msg, "the host has no cloud instance id");
	ck_assert_int_eq(hg_cloud_power(&a, "ALI_ECS", "", "i-1",
	    HG_POWER_START, 5, msg, sizeof(msg)), HG_CLOUD_EINVAL);
	ck_assert_str_eq(msg, "the host has no cloud region");
	bad.ca_endpoint = "ftp://127.0.0.1/";
	ck_assert_int_eq(hg_cloud_power(&bad, "ALI_ECS", "r1", "i-1",
	    HG_POWER_START, 5, msg, sizeof(msg)), HG_CLOUD_EINVAL);
	ck_assert_int_eq(total(), 0);
}
END_TEST

/* A closed port is ENET; a server that never answers is ETIMEOUT. */
START_TEST(unreachable)
{
	struct hg_cloud_account	a = account(HG_CLOUD_CLOUDSTACK, AK, SK);

	a.ca_endpoint = "http://127.0.0.1:1/client/api";
	ck_assert_int_eq(hg_cloud_power(&a, "CLOUDSTACK", NULL, "vm-1",
	    HG_POWER_START, 5, msg, sizeof(msg)), HG_CLOUD_ENET);
	ck_assert_msg(begins(msg, "startVirtualMachine: "), "%s", msg);
}
END_TEST

/* The stand-in's own log never saw the secret either. */
START_TEST(secret_not_in_standin_log)
{
	FILE	*f;
	char	 line[4096];

	reset();
	instance("i-9", "aliyun", "stopped", NULL);
	ck_assert_int_eq(run(HG_CLOUD_ALIYUN, SK, "ALI_ECS", "i-9",
	    HG_POWER_START, 10), HG_CLOUD_OK);
	ck_assert_ptr_nonnull(f = fopen(logpath, "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		ck_assert_ptr_null(strstr(line, "hangar-test-secret"));
	fclose(f);
}
END_TEST

/* ---- the stand-in checks signatures exactly as the vendors do -------- */

/* One raw request; returns the HTTP status, *body gets the answer. */
static long
raw(const char *method, const char *path, const char *const *hdrs,
    const char *body, char **out)
{
	CURL			*c = curl_easy_init();
	struct curl_slist	*h = NULL;
	char			 url[1024];
	size_t			 len = 0;
	FILE			*f = open_memstream(out, &len);
	long			 status = 0;

	snprintf(url, sizeof(url), "%s%s", base, path);
	for (; hdrs != NULL && *hdrs != NULL; hdrs++)
		h = curl_slist_append(h, *hdrs);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	if (body != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	fclose(f);
	return status;
}

/* Move the stand-in's clock to unix time t. */
static void
clock_at(long long t)
{
	skew((int)(t - (long long)time(NULL)));
}

/*
 * Vector A1's published URL, sent as is with the stand-in's clock at its
 * Timestamp: the signature passes (the unknown action is refused after
 * it); one changed character fails it.
 */
START_TEST(standin_checks_aliyun_a1)
{
	static const char	*q = "/?AccessKeyId=testid&Action="
	    "DescribeDedicatedHosts&Format=JSON&Signature=%s&SignatureMethod="
	    "HMAC-SHA1&SignatureNonce=%s&SignatureVersion=1.0&Timestamp="
	    "2023-03-13T08%%3A34%%3A30Z&Version=2014-05-26&RegionId=cn-beijing";
	char			 path[512], *out;

	reset();
	clock_at(1678696470);	/* 2023-03-13T08:34:30Z */
	snprintf(path, sizeof(path), q, "9NaGiOspFP5UPcwX8Iwt2YJXXuk%3D",
	    "edb2b34af0af9a6d14deaf7c1a5315eb");
	ck_assert_int_eq(raw("GET", path, NULL, NULL, &out), 400);
	ck_assert_msg(strstr(out, "\"InvalidAction.NotFound\"") != NULL, "%s",
	    out);
	free(out);
	/* The same nonce again is a replay. */
	ck_assert_int_eq(raw("GET", path, NULL, NULL, &out), 400);
	ck_assert_msg(strstr(out, "\"SignatureNonceUsed\"") != NULL, "%s", out);
	free(out);
	snprintf(path, sizeof(path), q, "9NaGiOspFP5UPcwX8Iwt2YJXXuj%3D",
	    "edb2b34af0af9a6d14deaf7c1a5315ec");
	ck_assert_int_eq(raw("GET", path, NULL, NULL, &out), 400);
	ck_assert_msg(strstr(out, "\"SignatureDoesNotMatch\"") != NULL, "%s",
	    out);
	free(out);
	skew(0);
	ck_assert_int_eq(raw("GET", path, NULL, NULL, &out), 400);
	ck_assert_msg(strstr(out, "\"InvalidTimeStamp.Expired\"") != NULL, "%s",
	    out);
	free(out);
}
END_TEST

/* Vector T1's request (payload, headers, Authorization) at its time. */
START_TEST(standin_checks_tencent_t1)
{
	static const char	*payload = "{\"Limit\": 1, \"Filters\": "
	    "[{\"Values\": [\"\\u672a\\u547d\\u540d\"], \"Name\": "
	    "\"instance-name\"}]}";
	const char		*h[] = { "Content-Type: application/json; "
	    "charset=utf-8", "Host: cvm.tencentcloudapi.com",
	    "X-TC-Action: DescribeInstances", "X-TC-Version: 2017-03-12",
	    "X-TC-Timestamp: 1551113065", "X-TC-Region: ap-guangzhou",
	    "Authorization: TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFk"
	    "mLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-"
	    "type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8"
	    "da2f66e2c5a96525168", NULL };
	char			*out;

	reset();
	clock_at(1551113065);
	ck_assert_int_eq(raw("POST", "/", h, payload, &out), 200);
	ck_assert_msg(strstr(out, "\"InstanceSet\": []") != NULL &&
	    strstr(out, "Error") == NULL, "%s", out);
	free(out);
	/* One byte more in the body breaks it. */
	ck_assert_int_eq(raw("POST", "/", h, "{\"Limit\": 2, \"Filters\": "
	    "[{\"Values\": [\"\\u672a\\u547d\\u540d\"], \"Name\": "
	    "\"instance-name\"}]}", &out), 200);
	ck_assert_msg(strstr(out, "\"AuthFailure.SignatureFailure\"") != NULL,
	    "%s", out);
	free(out);
	clock_at(1551113065 + 301);
	ck_assert_int_eq(raw("POST", "/", h, payload, &out), 200);
	ck_assert_msg(strstr(out, "\"AuthFailure.SignatureExpire\"") != NULL,
	    "%s", out);
	free(out);
}
END_TEST

/* Vector C1's published URL: signature good, listUsers unknown here. */
START_TEST(standin_checks_cloudstack_c1)
{
	char	*out;

	reset();
	ck_assert_int_eq(raw("GET", "/client/api?apikey=plgWJfZK4gyS3mOMTVmjUVg"
	    "-X-jlWlnfaUJ9GAbBbf9EdM-kAYMmAiLqzzq1ElZLYq_u38zCm0bewzGUdP66mg&"
	    "command=listUsers&response=json&signature=TTpdDq%2F7j%2FJ58XCRHomK"
	    "oQXEQds%3D", NULL, NULL, &out), 432);
	ck_assert_msg(strstr(out, "\"listusersresponse\"") != NULL, "%s", out);
	free(out);
	ck_assert_int_eq(raw("GET", "/client/api?apikey=plgWJfZK4gyS3mOMTVmjUVg"
	    "-X-jlWlnfaUJ9GAbBbf9EdM-kAYMmAiLqzzq1ElZLYq_u38zCm0bewzGUdP66mg&"
	    "command=listUsers&response=json&signature=TTpdDq%2F7j%2FJ58XCRHomK"
	    "oQXEQdt%3D", NULL, NULL, &out), 401);
	ck_assert_msg(strstr(out, "unable to verify user credentials and/or "
	    "request signature") != NULL, "%s", out);
	free(out);
}
END_TEST

/* ---- starting and stopping the stand-in ---------------------------------- */

static int
start_standin(void)
{
	const char	*stack = getenv("HANGAR_STACK");
	char		 script[512];
	char		 k1[128], k2[128];
	FILE		*f;
	int		 i;

	if (stack != NULL && strlen(stack) > 8)
		snprintf(script, sizeof(script), "%.*scloud-standin.py",
		    (int)(strlen(stack) - 8), stack);	/* .../t/stack.sh */
	else
		snprintf(script, sizeof(script), "t/cloud-standin.py");
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	snprintf(portpath, sizeof(portpath), "%s/port", tmpdir);
	snprintf(logpath, sizeof(logpath), "%s/requests.log", tmpdir);
	snprintf(k1, sizeof(k1), "%s:%s", AK, SK);
	snprintf(k2, sizeof(k2), "%s:%s", AK2, SK2);
	if ((standin = fork()) == -1)
		return -1;
	if (standin == 0) {
		execl("/usr/bin/python3", "python3", script, "--port", "0",
		    "--port-file", portpath, "--log", logpath, "--key", k1,
		    "--key", k2, "--key", A1_KEY, "--key", T1_KEY, "--key",
		    C1_KEY, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100; i++) {
		if ((f = fopen(portpath, "r")) != NULL) {
			if (fscanf(f, "%d", &port) != 1)
				port = 0;
			fclose(f);
			break;
		}
		usleep(100000);
	}
	if (port <= 0)
		return -1;
	snprintf(base, sizeof(base), "http://127.0.0.1:%d", port);
	snprintf(csbase, sizeof(csbase), "http://127.0.0.1:%d/client/api", port);
	return 0;
}

int
main(void)
{
	Suite	*s = suite_create("cloud_adapters");
	TCase	*tc = tcase_create("standin");
	SRunner	*sr;
	int	 failed = 1;

	if (hg_secret_init() != 0 || curl_global_init(CURL_GLOBAL_ALL) != 0)
		return 1;
	if (start_standin() != 0) {
		fprintf(stderr, "cloud-standin.py did not start\n");
		goto out;
	}
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, ecs_start_stop_reboot);
	tcase_add_test(tc, ecs_already_there);
	tcase_add_test(tc, ecs_vendor_refuses);
	tcase_add_test(tc, ecs_start_falls_back);
	tcase_add_test(tc, ecs_timeout);
	tcase_add_test(tc, ecs_bad_credentials);
	tcase_add_test(tc, ecs_stale_clock);
	tcase_add_test(tc, ecs_wrong_region);
	tcase_add_test(tc, cvm_start_stop_reboot);
	tcase_add_test(tc, cvm_job_fails);
	tcase_add_test(tc, cvm_vendor_refuses);
	tcase_add_test(tc, cvm_timeout);
	tcase_add_test(tc, cvm_bad_credentials);
	tcase_add_test(tc, cpm_start_stop_reboot);
	tcase_add_test(tc, cpm_task_fails);
	tcase_add_test(tc, cpm_timeout);
	tcase_add_test(tc, cpm_bad_credentials);
	tcase_add_test(tc, cs_start_stop_reboot);
	tcase_add_test(tc, cs_job_fails);
	tcase_add_test(tc, cs_vendor_refuses);
	tcase_add_test(tc, cs_timeout);
	tcase_add_test(tc, cs_bad_credentials);
	tcase_add_test(tc, invalid_requests);
	tcase_add_test(tc, unreachable);
	tcase_add_test(tc, secret_not_in_standin_log);
	tcase_add_test(tc, standin_checks_aliyun_a1);
	tcase_add_test(tc, standin_checks_tencent_t1);
	tcase_add_test(tc, standin_checks_cloudstack_c1);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	/* One stand-in shared by every test: run them one after another. */
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
out:
	if (standin > 0) {
		kill(standin, SIGTERM);
		waitpid(standin, NULL, 0);
	}
	unlink(portpath);
	unlink(logpath);
	rmdir(tmpdir);
	return failed == 0 ? 0 : 1;
}
