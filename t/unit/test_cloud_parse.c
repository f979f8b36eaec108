/*
 * test_cloud_parse.c -- hg_cloud_answer(): the vendors' documented
 * answers (external-apis.md 1-3) read into their classes and members, and
 * answers a server should not send read without trusting them: vendor
 * text with control characters or invalid UTF-8, a message buffer filled
 * mid-character, a NUL or trailing bytes after the JSON, wrong types.
 */
#include <string.h>

#include <check.h>

#include "arena.h"
#include "cloud.h"
#include "utf8.h"
#include "unit.h"

static struct hg_arena		a;
static struct hg_cloud_answer	an;
static char			msg[1024];

static void
setup(void)
{
	hg_arena_init(&a);
	memset(msg, 0, sizeof(msg));
}

static void
teardown(void)
{
	hg_arena_free(&a);
}

static int
ans(enum hg_cloud_provider pv, const char *action, long status,
    const char *body, size_t len)
{
	return hg_cloud_answer(&a, pv, action, status, body, len, &an, msg,
	    sizeof(msg));
}
#define ANS(pv, act, st, lit)	ans(pv, act, st, lit, sizeof(lit) - 1)

/* s is one line of well-formed UTF-8. */
static int
clean(const char *s)
{
	const char	*p;

	if (!hg_utf8_wellformed(s, strlen(s)))
		return 0;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	return 1;
}

START_TEST(aliyun_documented)
{
	ck_assert_int_eq(ANS(HG_CLOUD_ALIYUN, "DescribeInstances", 200,
	    "{\"RequestId\":\"R1\",\"Instances\":{\"Instance\":[{\"InstanceId\":"
	    "\"i-1\",\"Status\":\"Running\"}]}}"), HG_CLOUD_OK);
	ck_assert(an.an_found);
	ck_assert_str_eq(an.an_state, "Running");
	ck_assert_str_eq(an.an_request, "R1");
	ck_assert_int_eq(ANS(HG_CLOUD_ALIYUN, "DescribeInstances", 200,
	    "{\"Instances\":{\"Instance\":[]}}\n"), HG_CLOUD_OK);
	ck_assert(!an.an_found);
	ck_assert_int_eq(ANS(HG_CLOUD_ALIYUN, "StopInstance", 403,
	    "{\"RequestId\":\"x\",\"HostId\":\"ecs.aliyuncs.com\",\"Code\":"
	    "\"IncorrectInstanceStatus\",\"Message\":\"The current status of "
	    "the resource does not support this operation.\"}"),
	    HG_CLOUD_EUPSTREAM);
	ck_assert_str_eq(msg, "IncorrectInstanceStatus: The current status of "
	    "the resource does not support this operation. (StopInstance, "
	    "HTTP 403)");
	ck_assert_int_eq(ANS(HG_CLOUD_ALIYUN, "StartInstance", 400,
	    "{\"Code\":\"InvalidAccessKeyId.NotFound\",\"Message\":\"m\"}"),
	    HG_CLOUD_ECRED);
	ck_assert_int_eq(ANS(HG_CLOUD_ALIYUN, "StartInstance", 502,
	    "<html>Bad Gateway</html>"), HG_CLOUD_ENET);
	ck_assert_str_eq(msg, "StartInstance: HTTP 502, not an ECS answer");
}
END_TEST

START_TEST(tencent_documented)
{
	ck_assert_int_eq(ANS(HG_CLOUD_TENCENT, "DescribeInstances", 200,
	    "{\"Response\":{\"InstanceSet\":[{\"InstanceState\":\"STOPPED\","
	    "\"LatestOperation\":\"StartInstances\",\"LatestOperationState\":"
	    "\"FAILED\",\"LatestOperationRequestId\":\"r-9\"}],\"RequestId\":"
	    "\"r-10\"}}"), HG_CLOUD_OK);
	ck_assert(an.an_found);
	ck_assert_str_eq(an.an_state, "STOPPED");
	ck_assert_str_eq(an.an_op, "StartInstances");
	ck_assert_str_eq(an.an_op_state, "FAILED");
	ck_assert_str_eq(an.an_op_request, "r-9");
	ck_assert_str_eq(an.an_request, "r-10");
	ck_assert_int_eq(ANS(HG_CLOUD_TENCENT, "DescribeOperationResult", 200,
	    "{\"Response\":{\"TaskStatus\":3,\"SubtaskStatusSet\":[{\"TaskStatus"
	    "\":2}]}}"), HG_CLOUD_OK);
	ck_assert_str_eq(an.an_status, "3");
	ck_assert_str_eq(an.an_substatus, "2");
	ck_assert_int_eq(ANS(HG_CLOUD_TENCENT, "StopInstances", 200,
	    "{\"Response\":{\"Error\":{\"Code\":\"AuthFailure.SignatureFailure\","
	    "\"Message\":\"bad\"},\"RequestId\":\"r\"}}"), HG_CLOUD_ECRED);
	ck_assert_str_eq(msg, "AuthFailure.SignatureFailure: bad "
	    "(StopInstances)");
	ck_assert_int_eq(ANS(HG_CLOUD_TENCENT, "StopInstances", 200,
	    "{\"Response\":{\"Error\":{\"Code\":\"AuthFailure.SignatureExpire\","
	    "\"Message\":\"late\"}}}"), HG_CLOUD_EUPSTREAM);
	ck_assert_int_eq(ANS(HG_CLOUD_TENCENT, "StopInstances", 200,
	    "{\"Response\":[]}"), HG_CLOUD_ENET);
}
END_TEST

START_TEST(cloudstack_documented)
{
	ck_assert_int_eq(ANS(HG_CLOUD_CLOUDSTACK, "stopVirtualMachine", 200,
	    "{\"stopvirtualmachineresponse\":{\"jobid\":\"j-1\"}}"), HG_CLOUD_OK);
	ck_assert_str_eq(an.an_job, "j-1");
	ck_assert_int_eq(ANS(HG_CLOUD_CLOUDSTACK, "queryAsyncJobResult", 200,
	    "{\"queryasyncjobresultresponse\":{\"jobstatus\":2,\"jobresultcode\":"
	    "530,\"jobresult\":{\"errortext\":\"no capacity\"}}}"), HG_CLOUD_OK);
	ck_assert_str_eq(an.an_status, "2");
	ck_assert_str_eq(an.an_job_code, "530");
	ck_assert_str_eq(an.an_job_text, "no capacity");
	ck_assert_int_eq(ANS(HG_CLOUD_CLOUDSTACK, "startVirtualMachine", 401,
	    "{\"startvirtualmachineresponse\":{\"errorcode\":401,\"errortext\":"
	    "\"unable to verify user credentials and/or request signature\"}}"),
	    HG_CLOUD_ECRED);
	ck_assert_int_eq(ANS(HG_CLOUD_CLOUDSTACK, "startVirtualMachine", 401,
	    "denied"), HG_CLOUD_ECRED);
	ck_assert_int_eq(ANS(HG_CLOUD_CLOUDSTACK, "rebootVirtualMachine", 431,
	    "{\"rebootvirtualmachineresponse\":{\"errorcode\":431,\"errortext\":"
	    "\"invalid\"}}"), HG_CLOUD_EUPSTREAM);
	ck_assert_str_eq(msg, "431: invalid (rebootVirtualMachine, HTTP 431)");
}
END_TEST

/*
 * Vendor text goes into the task message and the agent's log line: an
 * escape sequence, a newline (a forged log line) or invalid UTF-8 from the
 * vendor used to be copied as sent.
 */
START_TEST(vendor_text_is_one_clean_line)
{
	ck_assert_int_eq(ANS(HG_CLOUD_ALIYUN, "StopInstance", 400,
	    "{\"Code\":\"Bad\\u001b[31m\",\"Message\":\"line\\nlevel=error "
	    "forged=1 \xff\xc0\xaf end\"}"), HG_CLOUD_EUPSTREAM);
	ck_assert(clean(msg));
	ck_assert_str_eq(an.an_code, "Bad [31m");
	ck_assert_ptr_nonnull(strstr(msg, "line level=error forged=1 "
	    HG_UTF8_REPLACEMENT HG_UTF8_REPLACEMENT HG_UTF8_REPLACEMENT " end"));
	/* A NUL inside a string no longer hides the rest of it. */
	ck_assert_int_eq(ANS(HG_CLOUD_TENCENT, "DescribeInstances", 200,
	    "{\"Response\":{\"InstanceSet\":[{\"InstanceState\":\"RUN\\u0000"
	    "NING\"}]}}"), HG_CLOUD_OK);
	ck_assert_str_eq(an.an_state, "RUN NING");
}
END_TEST

/* A message buffer filled in the middle of a character is cut before it. */
START_TEST(full_message_buffer_not_cut_mid_character)
{
	char	small[12];
	size_t	i;

	for (i = 1; i <= sizeof(small); i++) {
		memset(small, 0, sizeof(small));
		(void)hg_cloud_answer(&a, HG_CLOUD_TENCENT, "X", 200,
		    "{\"Response\":{\"Error\":{\"Code\":\"实例不存在\"}}}",
		    strlen("{\"Response\":{\"Error\":{\"Code\":\"实例不存在\"}}}"),
		    &an, small, i);
		ck_assert_msg(hg_utf8_wellformed(small, strlen(small)),
		    "msglen %zu: %s", i, small);
	}
}
END_TEST

/* The answer is the whole body: a NUL or bytes after the JSON refuse it. */
START_TEST(whole_body_is_the_answer)
{
	static const char nul[] = "{\"Code\":\"x\"}\0{\"more\":1}";

	ck_assert_int_eq(ans(HG_CLOUD_ALIYUN, "StopInstance", 200, nul,
	    sizeof(nul) - 1), HG_CLOUD_ENET);
	ck_assert_int_eq(ANS(HG_CLOUD_ALIYUN, "StopInstance", 200,
	    "{\"RequestId\":\"r\"} trailing"), HG_CLOUD_ENET);
	ck_assert_int_eq(ANS(HG_CLOUD_ALIYUN, "StopInstance", 200,
	    "{\"RequestId\":\"r\"}\r\n"), HG_CLOUD_OK);
	ck_assert_int_eq(ans(HG_CLOUD_ALIYUN, "StopInstance", 200, "", 0),
	    HG_CLOUD_ENET);
}
END_TEST

/* Wrong types where a member or a list is expected are "not there". */
START_TEST(wrong_shapes)
{
	ck_assert_int_eq(ANS(HG_CLOUD_ALIYUN, "DescribeInstances", 200,
	    "{\"Instances\":{\"Instance\":{\"Status\":\"Running\"}}}"),
	    HG_CLOUD_OK);
	ck_assert(!an.an_found);
	ck_assert_int_eq(ANS(HG_CLOUD_ALIYUN, "DescribeInstances", 200,
	    "{\"Instances\":{\"Instance\":[null]}}"), HG_CLOUD_OK);
	ck_assert(!an.an_found);
	ck_assert_int_eq(ANS(HG_CLOUD_ALIYUN, "DescribeInstances", 200,
	    "{\"Instances\":{\"Instance\":[\"Running\"]}}"), HG_CLOUD_OK);
	ck_assert(an.an_found);
	ck_assert_ptr_null(an.an_state);
	ck_assert_int_eq(ANS(HG_CLOUD_TENCENT, "DescribeOperationResult", 200,
	    "{\"Response\":{\"TaskStatus\":{\"a\":1},\"SubtaskStatusSet\":7,"
	    "\"Error\":[]}}"), HG_CLOUD_OK);
	ck_assert_ptr_null(an.an_status);
	ck_assert_ptr_null(an.an_substatus);
	ck_assert_int_eq(ANS(HG_CLOUD_CLOUDSTACK, "queryAsyncJobResult", 200,
	    "{\"queryasyncjobresultresponse\":{\"jobstatus\":true,\"jobresult\":"
	    "\"text\"}}"), HG_CLOUD_OK);
	ck_assert_str_eq(an.an_status, "true");
	ck_assert_ptr_null(an.an_vm_state);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("cloud_parse");
	TCase	*tc = tcase_create("cloud_parse");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, aliyun_documented);
	tcase_add_test(tc, tencent_documented);
	tcase_add_test(tc, cloudstack_documented);
	tcase_add_test(tc, vendor_text_is_one_clean_line);
	tcase_add_test(tc, full_message_buffer_not_cut_mid_character);
	tcase_add_test(tc, whole_body_is_the_answer);
	tcase_add_test(tc, wrong_shapes);
	return unit_run(s, tc);
}
