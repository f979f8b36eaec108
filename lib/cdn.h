/*
 * cdn.h -- CDN cache refresh through Aliyun CDN, Tencent Cloud CDN and
 * Wangsu (ChinaNetCenter).  Facts: /work/shared/reference/external-apis.md
 * 1.4, 2.3 and 4.
 *
 * Three layers, as cloud.h: pure functions (the Wangsu password, the split
 * of a URL list into vendor calls, the reading of one vendor answer) that
 * unit tests pin down; then one call each to submit a part or to ask how a
 * part is doing (hg_cdn_submit, hg_cdn_query), which sign with the current
 * time and send with libcurl.  The loop (split, submit, back off, poll,
 * give up at the deadline) is the agent's (src/agent/cdn_step.c), which
 * records each part's vendor task id so that nothing is submitted twice.
 *
 *   provider    submit                          query
 *   ALI_CDN     RefreshObjectCaches (RPC V2,    DescribeRefreshTasks TaskId
 *               POST form, ObjectType File |    Tasks.CDNTask[].Status
 *               Directory, ObjectPath "\n")     Complete|Refreshing|Pending|
 *                                               Failed
 *   TECENT_CDN  PurgeUrlsCache {Urls} |         DescribePurgeTasks {TaskId}
 *               PurgePathCache {Paths,          PurgeLogs[].Status done|
 *               FlushType "flush"} (TC3,        process|fail|invalid
 *               service cdn, no region)
 *   WANGSU      POST /ccm/purge/ItemIdReceiver  POST /ccm/purge/ItemIdQuery
 *               {urls, urlAction "default"} |   {itemId} -> resultList[].
 *               {dirs, dirAction "expire"}      status SUCCESS|FAIL|WAIT|
 *               Date + Basic user:Base64(HMAC-  PROGRESS (Code 1 = ok)
 *               SHA1(apiKey, Date))
 */
#ifndef HG_CDN_H
#define HG_CDN_H

#include <stddef.h>
#include <time.h>

#include "arena.h"

enum hg_cdn_provider {
	HG_CDN_ALIYUN,		/* 'ALI_CDN' */
	HG_CDN_TENCENT,		/* 'TECENT_CDN' */
	HG_CDN_WANGSU,		/* 'WANGSU' */
};

/* A cloud_accounts row of a CDN provider, secret unsealed (borrowed). */
struct hg_cdn_account {
	enum hg_cdn_provider	 cd_provider;
	const char		*cd_endpoint;	/* "https://cdn.aliyuncs.com" */
	const char		*cd_access_key;	/* AccessKeyId/SecretId/user */
	const char		*cd_secret;	/* secret / SecretKey / apiKey */
};

enum hg_cdn_err {
	HG_CDN_OK = 0,
	HG_CDN_THROTTLED,	/* the vendor said "too many requests": retry
				   later (Aliyun Throttling*, Tencent
				   RequestLimitExceeded*, HTTP 429) */
	HG_CDN_EVENDOR,		/* the vendor refused the request or the
				   credentials; msg "<code>: <message>" */
	HG_CDN_ENET,		/* no answer, or not the vendor's format:
				   worth another try until the deadline */
};

/* "ALI_CDN" -> HG_CDN_ALIYUN ...; -1 when unknown. */
int	hg_cdn_provider_parse(const char *);

/* URLs (dirs: directories) one call of the vendor takes. */
size_t	hg_cdn_limit(enum hg_cdn_provider, int dirs);

/*
 * Split urls[0..n) into calls: fills starts[] with the index each call
 * begins at (starts must have room for n entries) and returns how many
 * calls.  A call holds at most hg_cdn_limit() URLs, and for Aliyun at
 * most 10 distinct hosts (its per-task bound).
 */
size_t	hg_cdn_split(enum hg_cdn_provider, int dirs, const char *const *urls,
	    size_t n, size_t *starts);

/* Wangsu's password: Base64(HMAC-SHA1(key = apikey, msg = date)). */
char	*hg_cdn_wangsu_password(struct hg_arena *, const char *apikey,
	    const char *date);
/* "Basic " Base64(user ":" password) for that date. */
char	*hg_cdn_wangsu_auth(struct hg_arena *, const char *user,
	    const char *apikey, const char *date);
/* RFC 1123 date, "Thu, 17 May 2012 19:37:58 GMT", whatever the locale. */
void	hg_cdn_http_date(time_t, char *buf, size_t len);
/* A URL with spaces, controls and bytes >= 0x80 percent-encoded (%XX). */
char	*hg_cdn_url_encode(struct hg_arena *, const char *url);

/*
 * What one vendor answer says: an_task the vendor task id (submit), and
 * for a query an_state: 1 every URL done, 0 some still under way, -1 one
 * failed (msg says which).  Returns an hg_cdn_err; msg (one line of UTF-8,
 * hg_utf8_line) says why for all but OK.  No I/O: tests and fuzzers call
 * it directly.  query: 0 for a submit answer, 1 for a status answer.
 */
struct hg_cdn_answer {
	const char	*an_task;
	int		 an_state;
	const char	*an_code;
};
int	hg_cdn_answer(struct hg_arena *, enum hg_cdn_provider, int query,
	    long status, const char *body, size_t len,
	    struct hg_cdn_answer *an, char *msg, size_t msglen);

/*
 * Submit urls[0..n) (dirs: directories) in one call; *task gets the
 * vendor's task id.  timeout_ms bounds the exchange.
 */
int	hg_cdn_submit(struct hg_arena *, const struct hg_cdn_account *,
	    int dirs, const char *const *urls, size_t n, long timeout_ms,
	    char **task, char *msg, size_t msglen);

/* Ask about vendor task task: *state as hg_cdn_answer's an_state. */
int	hg_cdn_query(struct hg_arena *, const struct hg_cdn_account *,
	    int dirs, const char *task, long timeout_ms, int *state, char *msg,
	    size_t msglen);

#endif
