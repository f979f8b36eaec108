/*
 * cloud.h -- power actions on cloud instances: Aliyun ECS, Tencent Cloud CVM
 * and bare metal CPM, Apache CloudStack.
 *
 * Two layers.  The signing functions are pure (inputs in, bytes out: no
 * clock, no randomness, no network) so the unit tests can pin them to the
 * vendors' published examples byte for byte.  The adapter, hg_cloud_power(),
 * builds one signed request with the current time and a fresh nonce, sends
 * it with libcurl, then polls until the instance reaches the target state or
 * the deadline passes.  Facts: /work/shared/reference/external-apis.md 1-3.
 */
#ifndef HG_CLOUD_H
#define HG_CLOUD_H

#include <stddef.h>
#include <time.h>

#include "arena.h"

/* ---- the adapter the agent calls ------------------------------------ */

enum hg_cloud_provider {
	HG_CLOUD_ALIYUN,	/* cloud_accounts.provider 'ALIYUN' */
	HG_CLOUD_TENCENT,	/* 'TENCENT': CVM and CPM */
	HG_CLOUD_CLOUDSTACK,	/* 'CLOUDSTACK' */
};

enum hg_power {
	HG_POWER_START,		/* target state: running */
	HG_POWER_STOP,		/* target state: stopped */
	HG_POWER_REBOOT,	/* target state: running again after a restart */
};

/*
 * A cloud_accounts row with its secret already unsealed (hg_unseal).  The
 * struct only borrows the strings; nothing here keeps or logs the secret.
 *
 * ca_endpoint is the account's URL, used as given except for TENCENT (see
 * hg_cloud_power).  ca_poll_ms is the pause between status polls; 0 means
 * the default (2000 ms).  Tests set it low.
 */
struct hg_cloud_account {
	enum hg_cloud_provider	 ca_provider;
	const char		*ca_endpoint;	/* "https://ecs.aliyuncs.com" */
	const char		*ca_access_key;	/* AccessKeyId / SecretId / apikey */
	const char		*ca_secret;	/* plaintext secret */
	int			 ca_poll_ms;
};

/* What hg_cloud_power returns; the caller maps it to HTTP / task status. */
enum hg_cloud_err {
	HG_CLOUD_OK = 0,
	HG_CLOUD_EUPSTREAM,	/* 502: the vendor refused or the job failed;
				   msg = "<vendor code>: <vendor message>" */
	HG_CLOUD_ETIMEOUT,	/* 504: target state not reached in timeout_s */
	HG_CLOUD_ECRED,		/* bad credentials / signature rejected
				   (Aliyun SignatureDoesNotMatch,
				   InvalidAccessKeyId.*, Tencent AuthFailure.*,
				   CloudStack 401); msg carries the vendor code */
	HG_CLOUD_ENET,		/* 502: endpoint unreachable or the answer was
				   not the vendor's format; msg says which */
	HG_CLOUD_EINVAL,	/* bad input, nothing was sent: host type does
				   not belong to the provider, empty instance id,
				   missing region for ALIYUN/TENCENT, bad URL */
};

/*
 * hg_cloud_power -- start, stop or reboot one instance and wait for it.
 *
 *   acct         the account (provider, endpoint, key, unsealed secret)
 *   host_type    hosts.host_type: ALI_ECS (ALIYUN), TECENT_CVM or
 *                TECENT_CPM (TENCENT: picks CVM or bare metal CPM),
 *                CLOUDSTACK or CLOUDSTACK_OFFICE (CLOUDSTACK)
 *   region       hosts.cloud_region: Aliyun RegionId, Tencent X-TC-Region
 *                (required for both); ignored by CloudStack
 *   instance_id  hosts.cloud_instance_id (i-..., ins-..., cpm-..., a UUID)
 *   action       HG_POWER_START | HG_POWER_STOP | HG_POWER_REBOOT
 *   timeout_s    overall deadline in seconds, requests and polls included
 *   msg, msglen  always filled with one line for the task's message:
 *                "started", "already stopped", or the error (the vendor's
 *                code and message, never the secret or a signature)
 *
 * Returns HG_CLOUD_OK when the instance reached the target state.
 *
 * What "target state" means per product:
 *   ECS   DescribeInstances Status Running / Stopped (reboot: Running after
 *         a Stopping/Starting state was seen).  START/STOP first check the
 *         status and return OK ("already running") without sending.
 *   CVM   DescribeInstances InstanceState RUNNING / STOPPED (reboot:
 *         RUNNING after REBOOTING/STOPPING/STARTING was seen), same
 *         pre-check as ECS; LatestOperationState FAILED for our request
 *         (LatestOperationRequestId) = HG_CLOUD_EUPSTREAM.
 *   CPM   StartDevices / ShutdownDevices / RebootDevices return a TaskId;
 *         DescribeOperationResult TaskStatus 1 = OK, 4/5 = keep polling,
 *         any other = HG_CLOUD_EUPSTREAM.
 *   CS    start/stop/rebootVirtualMachine return a jobid;
 *         queryAsyncJobResult jobstatus 1 = OK (and the VM's state must be
 *         Running / Stopped when the result carries it), 0 = keep polling,
 *         2 = HG_CLOUD_EUPSTREAM with jobresultcode and errortext.
 *
 * Endpoints: ALIYUN and CLOUDSTACK use ca_endpoint as given (Aliyun:
 * "https://ecs.<region>.aliyuncs.com"; CloudStack: the full API URL,
 * "http://cs:8080/client/api").  TENCENT: the service is cvm or bm; an
 * endpoint whose host is tencentcloudapi.com or intl.tencentcloudapi.com
 * gets "<service>." in front, one whose host starts with "cvm." or "bm."
 * gets that label replaced by the service, any other (a proxy, a test
 * stand-in) is used as given.
 *
 * Blocking; thread-safe provided curl_global_init() ran once before any
 * thread calls it.  Logs one line per request at debug level (action,
 * instance, HTTP status, vendor code), never the secret or signature.
 */
int	hg_cloud_power(const struct hg_cloud_account *acct,
	    const char *host_type, const char *region, const char *instance_id,
	    enum hg_power action, int timeout_s, char *msg, size_t msglen);

/* "ALIYUN" -> HG_CLOUD_ALIYUN ...; -1 when unknown. */
int		 hg_cloud_provider_parse(const char *);
const char	*hg_cloud_provider_name(enum hg_cloud_provider);
const char	*hg_cloud_strerror(enum hg_cloud_err);

/* ---- answers: one vendor reply parsed, no I/O (cloud_parse.c) ------- */

/*
 * What one vendor answer says.  Every member is NULL when the answer does
 * not have it; the strings are in the arena, well-formed UTF-8 without
 * control characters (vendor text goes into task messages and the log).
 * Numbers are given as json-c prints them ("1", not 1).
 */
struct hg_cloud_answer {
	const char	*an_code;	/* vendor error code: ECS Code, Tencent
					   Error.Code, CloudStack errorcode */
	const char	*an_request;	/* RequestId (ECS, Tencent) */
	int		 an_found;	/* the instance list has a first item */
	const char	*an_state;	/* ECS Instances.Instance[0].Status,
					   CVM InstanceSet[0].InstanceState */
	const char	*an_op;		/* CVM InstanceSet[0].LatestOperation */
	const char	*an_op_state;	/* ... LatestOperationState */
	const char	*an_op_request;	/* ... LatestOperationRequestId */
	const char	*an_job;	/* CPM TaskId, CloudStack jobid */
	const char	*an_status;	/* CPM TaskStatus, CloudStack jobstatus */
	const char	*an_substatus;	/* CPM SubtaskStatusSet[0].TaskStatus */
	const char	*an_vm_state;	/* CS jobresult.virtualmachine.state */
	const char	*an_job_code;	/* CS jobresultcode */
	const char	*an_job_text;	/* CS jobresult.errortext */
};

/*
 * hg_cloud_answer -- read the answer to one request: action is the
 * vendor's name of it (ECS "StopInstance", Tencent "DescribeInstances",
 * CloudStack "queryAsyncJobResult", ...), status the HTTP status and
 * body[0..len) what came back (any bytes).  Fills *an and returns
 *
 *   HG_CLOUD_OK        the vendor said yes (no error code, HTTP 2xx for
 *                      ECS, 200 for Tencent and CloudStack)
 *   HG_CLOUD_ECRED     it refused the credentials or the signature
 *   HG_CLOUD_EUPSTREAM it refused the request
 *   HG_CLOUD_ENET      the body is not the vendor's format (CloudStack:
 *                      HTTP 401 is ECRED whatever the body)
 *   HG_CLOUD_EINVAL    pv is not a provider
 *
 * and, for all but OK, one line in msg: "<code>: <message> (<action>...)".
 */
int	hg_cloud_answer(struct hg_arena *, enum hg_cloud_provider,
	    const char *action, long status, const char *body, size_t len,
	    struct hg_cloud_answer *an, char *msg, size_t msglen);

/* ---- signing: pure functions, results allocated from the arena ------- */

/* One request parameter (name and value are raw, not encoded). */
struct hg_cloud_param {
	const char	*p_name;
	const char	*p_value;
};

/* RFC 3986 percent-encoding as Aliyun wants it (A-Za-z0-9-_.~ kept). */
char	*hg_cloud_aliyun_encode(struct hg_arena *, const char *);

/*
 * Aliyun RPC signature V2 (HMAC-SHA1).  params must already hold every
 * parameter including the common ones (AccessKeyId, SignatureMethod,
 * SignatureNonce, SignatureVersion, Timestamp, ...), in any order, without
 * Signature.  Returns the base64 signature (not URL-encoded); when sts is
 * not NULL it gets the StringToSign and when cqs is not NULL the
 * canonicalized query string (for tests and the stand-in's comparisons).
 */
char	*hg_cloud_aliyun_sign(struct hg_arena *, const char *method,
	    const struct hg_cloud_param *params, size_t n, const char *secret,
	    char **cqs, char **sts);

/*
 * Tencent TC3-HMAC-SHA256.  Signs a POST with the headers content-type and
 * host only (SignedHeaders "content-type;host", as the published example),
 * so X-TC-* headers are sent but not signed.  Returns the full
 * Authorization header value; creq/sts (when not NULL) get the canonical
 * request and the string to sign.
 */
char	*hg_cloud_tc3_sign(struct hg_arena *, const char *secret_id,
	    const char *secret_key, const char *service, const char *host,
	    const char *content_type, const char *payload, time_t timestamp,
	    char **creq, char **sts);

/*
 * CloudStack: sort params by raw name, name=URLEncoder(value) with "+"
 * as "%20", join with "&", lowercase, HMAC-SHA1 with the secret, base64.
 * Returns the base64 signature (not URL-encoded); str (when not NULL) gets
 * the lowercased string that was signed.
 */
char	*hg_cloud_cs_sign(struct hg_arena *, const struct hg_cloud_param *params,
	    size_t n, const char *secret, char **str);

/*
 * The URL a Tencent request for service ("cvm", "bm") goes to, by the
 * endpoint rule of hg_cloud_power; *host gets its host[:port], which is
 * both sent as Host and signed.
 */
char	*hg_cloud_tc_endpoint(struct hg_arena *, const char *endpoint,
	    const char *service, char **host);

/* Java URLEncoder.encode(v, "UTF-8") then "+" -> "%20" (A-Za-z0-9.-*_ kept). */
char	*hg_cloud_cs_encode(struct hg_arena *, const char *);

#endif
