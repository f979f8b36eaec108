/*
 * cloud.c -- hg_cloud_power(): one power action on one cloud instance,
 * then polling until the target state or the deadline (see cloud.h).
 *
 * Each product is a small table of actions plus a poll function that says
 * "done", "not yet" or "failed"; the driver (power()) owns the deadline,
 * the pause between polls and the message.  Every request is signed afresh
 * (current time, new nonce).  Nothing here writes the secret or a signature
 * to msg or the log.  What an answer says is read by hg_cloud_answer()
 * (cloud_parse.c, no I/O, fuzzed by t/fuzz/fuzz_cloud.c).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "cloud.h"
#include "httpbody.h"
#include "log.h"
#include "secret.h"
#include "utf8.h"

#define MAX_REPLY	(1024 * 1024)	/* vendor answers are small */
#define REQ_TIMEOUT_MS	30000L		/* one request, at most */
#define DEFAULT_POLL_MS	2000
#define FIRST_POLL_MS	250

enum product { P_ECS, P_CVM, P_CPM, P_CS };

/* State of one hg_cloud_power() run. */
struct run {
	const struct hg_cloud_account	*acct;
	enum product			 prod;
	enum hg_power			 action;
	const char			*region;
	const char			*instance;
	long long			 deadline_ms;	/* CLOCK_MONOTONIC */
	struct hg_arena			 a;
	char				*msg;
	size_t				 msglen;
	/* polling state */
	const char			*job;		/* CPM TaskId, CS jobid */
	const char			*last;		/* last state seen */
	int				 seen_move;	/* left the start state */
	int				 op_succeeded;	/* CVM: our operation SUCCESS */
	/* Tencent */
	char				*tc_url, *tc_host;
	const char			*tc_service;
	const char			*tc_version;
};

struct reply {
	long		 status;
	char		*body;
	size_t		 len;
};

static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
say(struct run *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
say(struct run *r, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(r->msg, r->msglen, fmt, ap);
	va_end(ap);
	hg_utf8_trim(r->msg);	/* a full buffer must not end mid-character */
}

/* ---- HTTP ------------------------------------------------------------ */

/*
 * One HTTP exchange bounded by the run's deadline.  The reply body lives
 * in the arena (freed with it).  Returns OK, ETIMEOUT (deadline reached)
 * or ENET (anything else that kept an HTTP answer from arriving).
 */
static int
http(struct run *r, const char *what, const char *url,
    struct curl_slist *hdr, const char *body, struct reply *out)
{
	CURL		*c;
	struct hg_body	 rp = { .max = MAX_REPLY };
	long long	 left = r->deadline_ms - now_ms();
	CURLcode	 cc;
	int		 rc = HG_CLOUD_OK;

	memset(out, 0, sizeof(*out));
	if (left <= 0) {
		say(r, "timed out before %s", what);
		return HG_CLOUD_ETIMEOUT;
	}
	if ((c = curl_easy_init()) == NULL) {
		say(r, "%s: cannot start an HTTP request", what);
		return HG_CLOUD_ENET;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
	    left < REQ_TIMEOUT_MS ? (long)left : REQ_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, hg_body_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &rp);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "hangar-agent");
	if (hdr != NULL)
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	}
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
	curl_easy_cleanup(c);
	if (cc != CURLE_OK) {
		if (cc == CURLE_OPERATION_TIMEDOUT && now_ms() >= r->deadline_ms) {
			say(r, "timed out waiting for the answer to %s", what);
			rc = HG_CLOUD_ETIMEOUT;
		} else {
			say(r, "%s: %s", what, rp.over ?
			    "answer larger than 1 MiB" : curl_easy_strerror(cc));
			rc = HG_CLOUD_ENET;
		}
	} else {
		out->body = hg_alloc(&r->a, rp.len + 1);
		if (rp.data != NULL)
			memcpy(out->body, rp.data, rp.len);
		out->len = rp.len;
	}
	free(rp.data);
	return rc;
}

static void
put_json(void *o)
{
	json_object_put(o);
}

/*
 * Read an answer (hg_cloud_answer) and log it; r->msg gets the error.
 */
static int
answer(struct run *r, const char *action, const struct reply *rp,
    struct hg_cloud_answer *an)
{
	int	rc;

	rc = hg_cloud_answer(&r->a, r->acct->ca_provider, action, rp->status,
	    rp->body, rp->len, an, r->msg, r->msglen);
	log_debug("cloud action=%s instance=%s http=%ld code=%s", action,
	    r->instance, rp->status, an->an_code != NULL ? an->an_code : "-");
	return rc;
}

static void
utc(time_t t, const char *fmt, char *buf, size_t len)
{
	struct tm	tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, fmt, &tm);
}

/* ---- Aliyun ECS (RPC, signature V2, GET) ---------------------------- */

/*
 * Send one ECS action with its own parameters (name/value pairs, NULL
 * terminated) plus the common ones; *an gets the answer.
 */
static int
ali_call(struct run *r, const char *action, const char **kv,
    struct hg_cloud_answer *an)
{
	struct hg_cloud_param	 p[16];
	struct reply		 rp;
	char			 ts[32], nonce[33], *cqs, *sig, *url;
	const char		*base = r->acct->ca_endpoint;
	size_t			 n = 0, blen;
	int			 rc;

	utc(time(NULL), "%Y-%m-%dT%H:%M:%SZ", ts, sizeof(ts));
	hg_random_hex(nonce, 16);
	p[n++] = (struct hg_cloud_param){ "Action", action };
	p[n++] = (struct hg_cloud_param){ "Version", "2014-05-26" };
	p[n++] = (struct hg_cloud_param){ "Format", "JSON" };
	p[n++] = (struct hg_cloud_param){ "AccessKeyId", r->acct->ca_access_key };
	p[n++] = (struct hg_cloud_param){ "SignatureMethod", "HMAC-SHA1" };
	p[n++] = (struct hg_cloud_param){ "SignatureVersion", "1.0" };
	p[n++] = (struct hg_cloud_param){ "SignatureNonce", nonce };
	p[n++] = (struct hg_cloud_param){ "Timestamp", ts };
	p[n++] = (struct hg_cloud_param){ "RegionId", r->region };
	for (; kv[0] != NULL && n < sizeof(p) / sizeof(p[0]); kv += 2)
		p[n++] = (struct hg_cloud_param){ kv[0], kv[1] };
	sig = hg_cloud_aliyun_sign(&r->a, "GET", p, n, r->acct->ca_secret, &cqs,
	    NULL);
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	url = hg_printf(&r->a, "%.*s/?%s&Signature=%s", (int)blen, base, cqs,
	    hg_cloud_aliyun_encode(&r->a, sig));
	if ((rc = http(r, action, url, NULL, NULL, &rp)) != HG_CLOUD_OK)
		return rc;
	return answer(r, action, &rp, an);
}

/* Current Status of the instance into r->last. */
static int
ali_status(struct run *r)
{
	const char		*kv[] = { "InstanceIds", NULL, NULL, NULL };
	struct hg_cloud_answer	 an;
	json_object		*ids = json_object_new_array();
	int		 rc;

	json_object_array_add(ids, json_object_new_string(r->instance));
	kv[1] = hg_strdup(&r->a, json_object_to_json_string_ext(ids,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(ids);
	if ((rc = ali_call(r, "DescribeInstances", kv, &an)) != HG_CLOUD_OK)
		return rc;
	if (!an.an_found) {
		say(r, "InvalidInstanceId.NotFound: instance %s not found in "
		    "region %s", r->instance, r->region);
		return HG_CLOUD_EUPSTREAM;
	}
	if ((r->last = an.an_state) == NULL) {
		say(r, "DescribeInstances: no Status for %s", r->instance);
		return HG_CLOUD_ENET;
	}
	return HG_CLOUD_OK;
}

static int
ali_act(struct run *r)
{
	static const char	*names[] = { "StartInstance", "StopInstance",
	    "RebootInstance" };
	const char		*kv[] = { "InstanceId", r->instance, NULL };
	struct hg_cloud_answer	 an;

	return ali_call(r, names[r->action], kv, &an);
}

/* ---- Tencent Cloud API 3.0 (TC3-HMAC-SHA256, POST JSON) ------------- */

/*
 * The endpoint rule of cloud.h: bare tencentcloudapi.com hosts get the
 * service label, "cvm."/"bm." hosts get it replaced, others stay.
 */
char *
hg_cloud_tc_endpoint(struct hg_arena *a, const char *ep, const char *service,
    char **hostp)
{
	const char	*hs, *he, *rest, *dot;
	char		*host, *scheme;

	if ((hs = strstr(ep, "://")) == NULL)
		hs = ep;
	else
		hs += 3;
	scheme = hg_strndup(a, ep, (size_t)(hs - ep));
	he = hs + strcspn(hs, "/?#");
	rest = *he == '/' ? he : "/";
	host = hg_strndup(a, hs, (size_t)(he - hs));
	if (strcmp(host, "tencentcloudapi.com") == 0 ||
	    strcmp(host, "intl.tencentcloudapi.com") == 0)
		host = hg_printf(a, "%s.%s", service, host);
	else if ((strncmp(host, "cvm.", 4) == 0 || strncmp(host, "bm.", 3) == 0) &&
	    (dot = strchr(host, '.')) != NULL)
		host = hg_printf(a, "%s%s", service, dot);
	*hostp = host;
	return hg_printf(a, "%s%s%s", scheme, host, rest);
}

/* One action with a JSON body (consumed); *an gets the answer. */
static int
tc_call(struct run *r, const char *action, json_object *body,
    struct hg_cloud_answer *an)
{
	static const char	 ct[] = "application/json; charset=utf-8";
	struct curl_slist	*h = NULL;
	struct reply		 rp;
	const char		*payload;
	char			*auth;
	time_t			 now = time(NULL);
	int			 rc;

	hg_cleanup_add(&r->a, put_json, body);
	payload = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
	auth = hg_cloud_tc3_sign(&r->a, r->acct->ca_access_key,
	    r->acct->ca_secret, r->tc_service, r->tc_host, ct, payload, now,
	    NULL, NULL);
	h = curl_slist_append(h, hg_printf(&r->a, "Content-Type: %s", ct));
	h = curl_slist_append(h, hg_printf(&r->a, "Host: %s", r->tc_host));
	h = curl_slist_append(h, hg_printf(&r->a, "X-TC-Action: %s", action));
	h = curl_slist_append(h, hg_printf(&r->a, "X-TC-Version: %s",
	    r->tc_version));
	h = curl_slist_append(h, hg_printf(&r->a, "X-TC-Timestamp: %lld",
	    (long long)now));
	h = curl_slist_append(h, hg_printf(&r->a, "X-TC-Region: %s", r->region));
	h = curl_slist_append(h, hg_printf(&r->a, "Authorization: %s", auth));
	h = curl_slist_append(h, "Expect:");
	rc = http(r, action, r->tc_url, h, payload, &rp);
	curl_slist_free_all(h);
	if (rc != HG_CLOUD_OK)
		return rc;
	return answer(r, action, &rp, an);
}

/* {"InstanceIds": ["<instance>"]} plus one optional string member. */
static json_object *
tc_ids(struct run *r, const char *k, const char *v)
{
	json_object	*o = json_object_new_object();
	json_object	*ids = json_object_new_array();

	json_object_array_add(ids, json_object_new_string(r->instance));
	json_object_object_add(o, "InstanceIds", ids);
	if (k != NULL)
		json_object_object_add(o, k, json_object_new_string(v));
	return o;
}

/* CVM InstanceState into r->last; an async failure is EUPSTREAM. */
static int
cvm_status(struct run *r)
{
	static const char	*ops[] = { "StartInstances", "StopInstances",
	    "RebootInstances" };
	struct hg_cloud_answer	 an;
	const char		*op, *st, *rid;
	int			 rc;

	if ((rc = tc_call(r, "DescribeInstances", tc_ids(r, NULL, NULL),
	    &an)) != HG_CLOUD_OK)
		return rc;
	if (!an.an_found) {
		say(r, "InvalidInstanceId.NotFound: instance %s not found in "
		    "region %s", r->instance, r->region);
		return HG_CLOUD_EUPSTREAM;
	}
	if ((r->last = an.an_state) == NULL) {
		say(r, "DescribeInstances: no InstanceState for %s",
		    r->instance);
		return HG_CLOUD_ENET;
	}
	/* Only our own operation's failure counts (matched by RequestId). */
	op = an.an_op;
	st = an.an_op_state;
	rid = an.an_op_request;
	/* ... and its success confirms a restart however quick it was. */
	r->op_succeeded = r->job != NULL && op != NULL && st != NULL &&
	    rid != NULL && strcmp(op, ops[r->action]) == 0 &&
	    strcmp(st, "SUCCESS") == 0 && strcmp(rid, r->job) == 0;
	if (r->job != NULL && op != NULL && st != NULL &&
	    strcmp(op, ops[r->action]) == 0 && strcmp(st, "FAILED") == 0 &&
	    (rid == NULL || strcmp(rid, r->job) == 0)) {
		say(r, "LatestOperationState FAILED: %s on %s failed, instance "
		    "is %s", op, r->instance, r->last);
		return HG_CLOUD_EUPSTREAM;
	}
	return HG_CLOUD_OK;
}

static int
cvm_act(struct run *r)
{
	static const char	*names[] = { "StartInstances", "StopInstances",
	    "RebootInstances" };
	struct hg_cloud_answer	 an;
	int			 rc;

	rc = tc_call(r, names[r->action], r->action == HG_POWER_START ?
	    tc_ids(r, NULL, NULL) : tc_ids(r, "StopType", "SOFT_FIRST"), &an);
	/* The RequestId names our operation in LatestOperationRequestId. */
	if (rc == HG_CLOUD_OK)
		r->job = an.an_request != NULL ? an.an_request : "";
	return rc;
}

/* CPM: the action answers a TaskId, polled below. */
static int
cpm_act(struct run *r)
{
	static const char	*names[] = { "StartDevices", "ShutdownDevices",
	    "RebootDevices" };
	struct hg_cloud_answer	 an;
	int			 rc;

	if ((rc = tc_call(r, names[r->action], tc_ids(r, NULL, NULL), &an)) !=
	    HG_CLOUD_OK)
		return rc;
	if ((r->job = an.an_job) == NULL) {
		say(r, "%s: no TaskId in the answer", names[r->action]);
		return HG_CLOUD_ENET;
	}
	return HG_CLOUD_OK;
}

/* DescribeOperationResult: *done on TaskStatus 1; 4 and 5 keep waiting. */
static int
cpm_poll(struct run *r, int *done)
{
	struct hg_cloud_answer	 an;
	json_object		*body = json_object_new_object();
	const char		*st, *sst;
	int			 rc;

	json_object_object_add(body, "TaskId",
	    json_object_new_int64(strtoll(r->job, NULL, 10)));
	if ((rc = tc_call(r, "DescribeOperationResult", body, &an)) !=
	    HG_CLOUD_OK)
		return rc;
	if ((st = an.an_status) == NULL) {
		say(r, "DescribeOperationResult: no TaskStatus");
		return HG_CLOUD_ENET;
	}
	r->last = hg_printf(&r->a, "TaskStatus %s", st);
	*done = strcmp(st, "1") == 0;
	if (*done || strcmp(st, "4") == 0 || strcmp(st, "5") == 0)
		return HG_CLOUD_OK;
	sst = an.an_substatus;
	say(r, "TaskStatus %s: task %s on %s failed%s%s", st, r->job,
	    r->instance, sst != NULL ? ", subtask status " : "",
	    sst != NULL ? sst : "");
	return HG_CLOUD_EUPSTREAM;
}

/* ---- CloudStack (HMAC-SHA1 over the sorted, lowercased query) ------- */

static int
cs_call(struct run *r, const char *command, const char *idname,
    const char *id, struct hg_cloud_answer *an)
{
	struct hg_cloud_param	 p[6];
	struct reply		 rp;
	char			 exp[32], *sig, *url, *q;
	size_t			 n = 0, i;
	int			 rc;

	utc(time(NULL) + 600, "%Y-%m-%dT%H:%M:%S+0000", exp, sizeof(exp));
	p[n++] = (struct hg_cloud_param){ "apikey", r->acct->ca_access_key };
	p[n++] = (struct hg_cloud_param){ "command", command };
	p[n++] = (struct hg_cloud_param){ idname, id };
	p[n++] = (struct hg_cloud_param){ "response", "json" };
	p[n++] = (struct hg_cloud_param){ "signatureversion", "3" };
	p[n++] = (struct hg_cloud_param){ "expires", exp };
	sig = hg_cloud_cs_sign(&r->a, p, n, r->acct->ca_secret, NULL);
	q = "";
	for (i = 0; i < n; i++)
		q = hg_printf(&r->a, "%s%s=%s&", q, p[i].p_name,
		    hg_cloud_cs_encode(&r->a, p[i].p_value));
	url = hg_printf(&r->a, "%s%s%ssignature=%s", r->acct->ca_endpoint,
	    strchr(r->acct->ca_endpoint, '?') != NULL ? "&" : "?", q,
	    hg_cloud_aliyun_encode(&r->a, sig));
	if ((rc = http(r, command, url, NULL, NULL, &rp)) != HG_CLOUD_OK)
		return rc;
	return answer(r, command, &rp, an);
}

static int
cs_act(struct run *r)
{
	static const char	*names[] = { "startVirtualMachine",
	    "stopVirtualMachine", "rebootVirtualMachine" };
	struct hg_cloud_answer	 an;
	int			 rc;

	if ((rc = cs_call(r, names[r->action], "id", r->instance, &an)) !=
	    HG_CLOUD_OK)
		return rc;
	if ((r->job = an.an_job) == NULL) {
		say(r, "%s: no jobid in the answer", names[r->action]);
		return HG_CLOUD_ENET;
	}
	return HG_CLOUD_OK;
}

/* queryAsyncJobResult: 0 keep polling, 1 done (VM state checked), 2 failed. */
static int
cs_poll(struct run *r, int *done)
{
	struct hg_cloud_answer	 an;
	const char		*st, *vm, *want, *code, *text;
	int			 rc;

	if ((rc = cs_call(r, "queryAsyncJobResult", "jobid", r->job, &an)) !=
	    HG_CLOUD_OK)
		return rc;
	if ((st = an.an_status) == NULL) {
		say(r, "queryAsyncJobResult: no jobstatus");
		return HG_CLOUD_ENET;
	}
	r->last = hg_printf(&r->a, "jobstatus %s", st);
	*done = 0;
	if (strcmp(st, "0") == 0)
		return HG_CLOUD_OK;
	if (strcmp(st, "1") == 0) {
		want = r->action == HG_POWER_STOP ? "Stopped" : "Running";
		vm = an.an_vm_state;
		if (vm != NULL && strcmp(vm, want) != 0) {
			say(r, "job %s finished but VM %s is %s, not %s", r->job,
			    r->instance, vm, want);
			return HG_CLOUD_EUPSTREAM;
		}
		*done = 1;
		return HG_CLOUD_OK;
	}
	code = an.an_job_code;
	text = an.an_job_text;
	say(r, "%s: %s (job %s, jobstatus %s)", code != NULL ? code : "error",
	    text != NULL ? text : "no message", r->job, st);
	return HG_CLOUD_EUPSTREAM;
}

/* ---- state-polled products (ECS, CVM) ------------------------------- */

/*
 * Target and transitional states.  ECS says Running/Stopped, CVM
 * RUNNING/STOPPED; compare without case.
 */
static int
is(const char *st, const char *want)
{
	return st != NULL && strcasecmp(st, want) == 0;
}

static int
state_poll(struct run *r, int *done)
{
	int	rc;

	rc = r->prod == P_ECS ? ali_status(r) : cvm_status(r);
	if (rc != HG_CLOUD_OK)
		return rc;
	*done = 0;
	switch (r->action) {
	case HG_POWER_START:
		*done = is(r->last, "Running");
		if (is(r->last, "Stopped") && r->seen_move) {
			say(r, "start failed: %s went back to %s", r->instance,
			    r->last);
			return HG_CLOUD_EUPSTREAM;
		}
		r->seen_move |= !is(r->last, "Stopped");
		break;
	case HG_POWER_STOP:
		*done = is(r->last, "Stopped");
		if (is(r->last, "Running") && r->seen_move) {
			say(r, "stop failed: %s went back to %s", r->instance,
			    r->last);
			return HG_CLOUD_EUPSTREAM;
		}
		r->seen_move |= !is(r->last, "Running");
		break;
	case HG_POWER_REBOOT:
		/*
		 * Done once it has been seen leaving Running and is back, or
		 * (CVM) is Running with our RebootInstances reported SUCCESS.
		 */
		*done = is(r->last, "Running") && (r->seen_move ||
		    r->op_succeeded);
		r->seen_move |= !is(r->last, "Running");
		break;
	}
	return HG_CLOUD_OK;
}

/* ---- the driver ------------------------------------------------------ */

static int
product(enum hg_cloud_provider pv, const char *host_type, enum product *p)
{
	if (host_type == NULL)
		return -1;
	if (pv == HG_CLOUD_ALIYUN && strcmp(host_type, "ALI_ECS") == 0)
		*p = P_ECS;
	else if (pv == HG_CLOUD_TENCENT && strcmp(host_type, "TECENT_CVM") == 0)
		*p = P_CVM;
	else if (pv == HG_CLOUD_TENCENT && strcmp(host_type, "TECENT_CPM") == 0)
		*p = P_CPM;
	else if (pv == HG_CLOUD_CLOUDSTACK && (strcmp(host_type,
	    "CLOUDSTACK") == 0 || strcmp(host_type, "CLOUDSTACK_OFFICE") == 0))
		*p = P_CS;
	else
		return -1;
	return 0;
}

static void
pause_ms(long long ms)
{
	struct timespec	ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/*
 * Pre-check (ECS, CVM), act, then poll until done or the deadline.  The
 * pauses start at a quarter second and double up to the poll interval: a
 * restart is recognised by seeing the instance leave Running and come
 * back, and a quick one must not slip between two polls (it would then
 * wait for the deadline); a slow action costs the usual interval.
 */
static int
power(struct run *r)
{
	static const char	*done_words[] = { "started", "stopped",
	    "rebooted" };
	static const char	*targets[] = { "Running", "Stopped", "Running" };
	long long		 poll = r->acct->ca_poll_ms > 0 ?
	    r->acct->ca_poll_ms : DEFAULT_POLL_MS, left, pause = FIRST_POLL_MS;
	int			 rc, done = 0, polled = r->prod == P_ECS ||
	    r->prod == P_CVM;

	if (polled && r->action != HG_POWER_REBOOT) {
		if ((rc = state_poll(r, &done)) != HG_CLOUD_OK)
			return rc;
		if (done) {
			say(r, "already %s", r->action == HG_POWER_START ?
			    "running" : "stopped");
			return HG_CLOUD_OK;
		}
		r->seen_move = 0;
	}
	if ((rc = r->prod == P_ECS ? ali_act(r) : r->prod == P_CVM ?
	    cvm_act(r) : r->prod == P_CPM ? cpm_act(r) : cs_act(r)) !=
	    HG_CLOUD_OK)
		return rc;
	for (;;) {
		left = r->deadline_ms - now_ms();
		if (left <= 0)
			break;
		if (pause > poll)
			pause = poll;
		pause_ms(left < pause ? left : pause);
		pause *= 2;
		rc = polled ? state_poll(r, &done) : r->prod == P_CPM ?
		    cpm_poll(r, &done) : cs_poll(r, &done);
		if (rc == HG_CLOUD_ETIMEOUT)
			break;		/* the poll itself ran out of time */
		if (rc != HG_CLOUD_OK)
			return rc;
		if (done) {
			say(r, "%s", done_words[r->action]);
			return HG_CLOUD_OK;
		}
	}
	say(r, "timed out waiting for %s to be %s; last seen: %s", r->instance,
	    targets[r->action], r->last != NULL ? r->last : "nothing");
	return HG_CLOUD_ETIMEOUT;
}

int
hg_cloud_power(const struct hg_cloud_account *acct, const char *host_type,
    const char *region, const char *instance_id, enum hg_power action,
    int timeout_s, char *msg, size_t msglen)
{
	static const char *const verbs[] = { "start", "stop", "reboot" };
	struct run	 r;
	char		 scratch[1];
	int		 rc;

	memset(&r, 0, sizeof(r));
	r.acct = acct;
	r.action = action;
	r.region = region != NULL ? region : "";
	r.instance = instance_id;
	r.msg = msglen > 0 ? msg : scratch;
	r.msglen = msglen > 0 ? msglen : sizeof(scratch);
	r.deadline_ms = now_ms() + (long long)(timeout_s > 0 ? timeout_s : 0) *
	    1000;
	hg_arena_init(&r.a);
	if (product(acct->ca_provider, host_type, &r.prod) != 0) {
		say(&r, "host type %s does not belong to provider %s",
		    host_type != NULL ? host_type : "(none)",
		    hg_cloud_provider_name(acct->ca_provider));
		rc = HG_CLOUD_EINVAL;
	} else if (instance_id == NULL || *instance_id == '\0') {
		say(&r, "the host has no cloud instance id");
		rc = HG_CLOUD_EINVAL;
	} else if (r.prod != P_CS && *r.region == '\0') {
		say(&r, "the host has no cloud region");
		rc = HG_CLOUD_EINVAL;
	} else if (acct->ca_endpoint == NULL ||
	    (strncmp(acct->ca_endpoint, "http://", 7) != 0 &&
	    strncmp(acct->ca_endpoint, "https://", 8) != 0)) {
		say(&r, "the account's endpoint is not an http(s) URL");
		rc = HG_CLOUD_EINVAL;
	} else if ((unsigned)action > HG_POWER_REBOOT) {
		say(&r, "unknown power action");
		rc = HG_CLOUD_EINVAL;
	} else {
		if (r.prod == P_CVM || r.prod == P_CPM) {
			r.tc_service = r.prod == P_CVM ? "cvm" : "bm";
			r.tc_version = r.prod == P_CVM ? "2017-03-12" :
			    "2018-04-23";
			r.tc_url = hg_cloud_tc_endpoint(&r.a,
			    acct->ca_endpoint, r.tc_service, &r.tc_host);
		}
		rc = power(&r);
	}
	log_info("cloud power action=%s instance=%s rc=%s msg=\"%s\"",
	    (unsigned)action <= HG_POWER_REBOOT ? verbs[action] : "?",
	    instance_id != NULL ? instance_id : "-", hg_cloud_strerror(rc),
	    r.msg);
	hg_arena_free(&r.a);
	return rc;
}

int
hg_cloud_provider_parse(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "ALIYUN") == 0)
		return HG_CLOUD_ALIYUN;
	if (strcmp(s, "TENCENT") == 0)
		return HG_CLOUD_TENCENT;
	if (strcmp(s, "CLOUDSTACK") == 0)
		return HG_CLOUD_CLOUDSTACK;
	return -1;
}

const char *
hg_cloud_provider_name(enum hg_cloud_provider p)
{
	switch (p) {
	case HG_CLOUD_ALIYUN:
		return "ALIYUN";
	case HG_CLOUD_TENCENT:
		return "TENCENT";
	case HG_CLOUD_CLOUDSTACK:
		return "CLOUDSTACK";
	}
	return "?";
}

const char *
hg_cloud_strerror(enum hg_cloud_err e)
{
	switch (e) {
	case HG_CLOUD_OK:
		return "ok";
	case HG_CLOUD_EUPSTREAM:
		return "upstream error";
	case HG_CLOUD_ETIMEOUT:
		return "timeout";
	case HG_CLOUD_ECRED:
		return "credentials rejected";
	case HG_CLOUD_ENET:
		return "upstream unreachable";
	case HG_CLOUD_EINVAL:
		return "invalid request";
	}
	return "?";
}
