/*
 * cloud_parse.c -- hg_cloud_answer(): one vendor answer read, with no
 * I/O, so that what a remote server sends can be tested and fuzzed alone
 * (see cloud.h).  cloud.c sends the requests and decides, from the
 * members filled here, what the instance is doing.
 *
 * Nothing is assumed of an answer's shape: every member is looked up with
 * its type checked, and text that reaches a message is made one line of
 * well-formed UTF-8 (hg_utf8_line) whatever the vendor sent.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "cloud.h"
#include "utf8.h"
#include "valid.h"

static void
put_json(void *o)
{
	json_object_put(o);
}

static void
say(char *msg, size_t msglen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list	ap;

	if (msglen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	hg_utf8_trim(msg);
}

/* o.k1.k2... (objects only on the way), or NULL. */
static json_object *
jpath(json_object *o, const char *path)
{
	char		 key[64];
	const char	*dot;
	size_t		 n;

	while (o != NULL && *path != '\0') {
		dot = strchr(path, '.');
		n = dot != NULL ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (!json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (dot != NULL);
	}
	return o;
}

/*
 * o.k1.k2... as one line of text (numbers and booleans as json-c prints
 * them), NULL when absent, null, an object or an array.
 */
static const char *
jget(struct hg_arena *a, json_object *o, const char *path)
{
	if ((o = jpath(o, path)) == NULL ||
	    json_object_is_type(o, json_type_object) ||
	    json_object_is_type(o, json_type_array))
		return NULL;
	if (json_object_is_type(o, json_type_string))
		return hg_utf8_line(a, json_object_get_string(o),
		    (size_t)json_object_get_string_len(o));
	return hg_utf8_line(a, json_object_get_string(o),
	    strlen(json_object_get_string(o)));
}

/* The first element of the array o.path (any type but null), or NULL. */
static json_object *
jfirst(json_object *o, const char *path)
{
	if ((o = jpath(o, path)) == NULL ||
	    !json_object_is_type(o, json_type_array) ||
	    json_object_array_length(o) == 0)
		return NULL;
	return json_object_array_get_idx(o, 0);
}

static int
ali_credential_code(const char *code)
{
	return strcmp(code, "SignatureDoesNotMatch") == 0 ||
	    strcmp(code, "IncompleteSignature") == 0 ||
	    strncmp(code, "InvalidAccessKeyId", 18) == 0 ||
	    strcmp(code, "Forbidden.AccessKeyDisabled") == 0;
}

/* ECS: the answer is the object; errors carry Code and Message. */
static int
aliyun(struct hg_arena *a, json_object *o, const char *action, long status,
    struct hg_cloud_answer *an, char *msg, size_t msglen)
{
	json_object	*inst;
	const char	*m;

	if (o == NULL) {
		say(msg, msglen, "%s: HTTP %ld, not an ECS answer", action,
		    status);
		return HG_CLOUD_ENET;
	}
	an->an_code = jget(a, o, "Code");
	an->an_request = jget(a, o, "RequestId");
	if ((inst = jfirst(o, "Instances.Instance")) != NULL) {
		an->an_found = 1;
		an->an_state = jget(a, inst, "Status");
	}
	if (status >= 200 && status < 300 && an->an_code == NULL)
		return HG_CLOUD_OK;
	m = jget(a, o, "Message");
	say(msg, msglen, "%s: %s (%s, HTTP %ld)", an->an_code != NULL ?
	    an->an_code : "error", m != NULL ? m : "no message", action,
	    status);
	return an->an_code != NULL && ali_credential_code(an->an_code) ?
	    HG_CLOUD_ECRED : HG_CLOUD_EUPSTREAM;
}

/* Tencent: everything is in Response; errors in Response.Error. */
static int
tencent(struct hg_arena *a, json_object *o, const char *action, long status,
    struct hg_cloud_answer *an, char *msg, size_t msglen)
{
	json_object	*resp, *inst, *sub;
	const char	*m, *code;

	if ((resp = jpath(o, "Response")) == NULL ||
	    !json_object_is_type(resp, json_type_object)) {
		say(msg, msglen, "%s: HTTP %ld, not a Tencent Cloud answer",
		    action, status);
		return HG_CLOUD_ENET;
	}
	code = an->an_code = jget(a, resp, "Error.Code");
	an->an_request = jget(a, resp, "RequestId");
	if ((inst = jfirst(resp, "InstanceSet")) != NULL) {
		an->an_found = 1;
		an->an_state = jget(a, inst, "InstanceState");
		an->an_op = jget(a, inst, "LatestOperation");
		an->an_op_state = jget(a, inst, "LatestOperationState");
		an->an_op_request = jget(a, inst, "LatestOperationRequestId");
	}
	an->an_job = jget(a, resp, "TaskId");
	an->an_status = jget(a, resp, "TaskStatus");
	if ((sub = jfirst(resp, "SubtaskStatusSet")) != NULL)
		an->an_substatus = jget(a, sub, "TaskStatus");
	if (code == NULL && status == 200)
		return HG_CLOUD_OK;
	m = jget(a, resp, "Error.Message");
	say(msg, msglen, "%s: %s (%s)", code != NULL ? code : "error",
	    m != NULL ? m : "no message", action);
	return code != NULL && strncmp(code, "AuthFailure.", 12) == 0 &&
	    strcmp(code, "AuthFailure.SignatureExpire") != 0 ?
	    HG_CLOUD_ECRED : HG_CLOUD_EUPSTREAM;
}

/* CloudStack: everything is in "<command in lower case>response". */
static int
cloudstack(struct hg_arena *a, json_object *o, const char *action,
    long status, struct hg_cloud_answer *an, char *msg, size_t msglen)
{
	json_object	*resp = NULL;
	const char	*m;
	char		*key, *p;

	key = hg_printf(a, "%sresponse", action);
	for (p = key; *p != '\0'; p++)
		*p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	if (o == NULL || !json_object_object_get_ex(o, key, &resp) ||
	    !json_object_is_type(resp, json_type_object)) {
		say(msg, msglen, "%s: HTTP %ld, not a CloudStack answer", action,
		    status);
		return status == 401 ? HG_CLOUD_ECRED : HG_CLOUD_ENET;
	}
	an->an_code = jget(a, resp, "errorcode");
	an->an_job = jget(a, resp, "jobid");
	an->an_status = jget(a, resp, "jobstatus");
	an->an_vm_state = jget(a, resp, "jobresult.virtualmachine.state");
	an->an_job_code = jget(a, resp, "jobresultcode");
	an->an_job_text = jget(a, resp, "jobresult.errortext");
	if (status == 200 && an->an_code == NULL)
		return HG_CLOUD_OK;
	m = jget(a, resp, "errortext");
	say(msg, msglen, "%s: %s (%s, HTTP %ld)", an->an_code != NULL ?
	    an->an_code : "error", m != NULL ? m : "no message", action,
	    status);
	return status == 401 ? HG_CLOUD_ECRED : HG_CLOUD_EUPSTREAM;
}

int
hg_cloud_answer(struct hg_arena *a, enum hg_cloud_provider pv,
    const char *action, long status, const char *body, size_t len,
    struct hg_cloud_answer *an, char *msg, size_t msglen)
{
	json_object	*o;

	memset(an, 0, sizeof(*an));
	if ((o = hg_json_reply(body, len)) != NULL) {
		hg_cleanup_add(a, put_json, o);
		if (!json_object_is_type(o, json_type_object))
			o = NULL;
	}
	switch (pv) {
	case HG_CLOUD_ALIYUN:
		return aliyun(a, o, action, status, an, msg, msglen);
	case HG_CLOUD_TENCENT:
		return tencent(a, o, action, status, an, msg, msglen);
	case HG_CLOUD_CLOUDSTACK:
		return cloudstack(a, o, action, status, an, msg, msglen);
	}
	say(msg, msglen, "%s: unknown provider", action);
	return HG_CLOUD_EINVAL;
}
