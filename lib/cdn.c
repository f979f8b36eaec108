/*
 * cdn.c -- CDN cache refresh adapters (see cdn.h): Aliyun CDN, Tencent
 * Cloud CDN, Wangsu.  Signing reuses the cloud adapters' signers
 * (cloud_sign.c: Aliyun RPC V2, Tencent TC3 with service "cdn"); Wangsu's
 * date-based HMAC-SHA1 password is here.  Vendor text that reaches a
 * message goes through hg_utf8_line; the secret never reaches one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <sodium.h>

#include "cdn.h"
#include "cloud.h"
#include "httpbody.h"
#include "log.h"
#include "secret.h"
#include "sha1.h"
#include "utf8.h"

#define MAX_REPLY	(1024 * 1024)
#define ALI_VERSION	"2018-05-10"
#define TC_VERSION	"2018-06-06"
#define ALI_MAX_HOSTS	10

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

int
hg_cdn_provider_parse(const char *s)
{
	if (strcmp(s, "ALI_CDN") == 0)
		return HG_CDN_ALIYUN;
	if (strcmp(s, "TECENT_CDN") == 0)
		return HG_CDN_TENCENT;
	if (strcmp(s, "WANGSU") == 0)
		return HG_CDN_WANGSU;
	return -1;
}

/* ---- pure: limits, split, Wangsu's password, dates, encoding -------- */

size_t
hg_cdn_limit(enum hg_cdn_provider pv, int dirs)
{
	switch (pv) {
	case HG_CDN_ALIYUN:
		return dirs ? 100 : 1000;	/* RefreshObjectCaches */
	case HG_CDN_TENCENT:
		return dirs ? 500 : 1000;	/* PurgePathCache / PurgeUrlsCache */
	case HG_CDN_WANGSU:
		return 500;			/* urls + dirs per call */
	}
	return 1;
}

/* The host part of an http(s) URL: *len bytes at the returned pointer. */
static const char *
host_of(const char *u, size_t *len)
{
	const char *p = strstr(u, "://");

	p = p != NULL ? p + 3 : u;
	*len = strcspn(p, "/?#");
	return p;
}

size_t
hg_cdn_split(enum hg_cdn_provider pv, int dirs, const char *const *urls,
    size_t n, size_t *starts)
{
	const char	*hosts[ALI_MAX_HOSTS], *h;
	size_t		 hl[ALI_MAX_HOSTS], limit = hg_cdn_limit(pv, dirs);
	size_t		 i, k, len, ncalls = 0, inthis = 0, nh = 0;

	for (i = 0; i < n; i++) {
		h = host_of(urls[i], &len);
		for (k = 0; k < nh; k++)
			if (hl[k] == len && strncasecmp(hosts[k], h, len) == 0)
				break;
		if (inthis == 0 || inthis == limit ||
		    (pv == HG_CDN_ALIYUN && k == nh && nh == ALI_MAX_HOSTS)) {
			starts[ncalls++] = i;
			inthis = 0;
			nh = 0;
			k = 0;
		}
		if (k == nh && nh < ALI_MAX_HOSTS) {
			hosts[nh] = h;
			hl[nh++] = len;
		}
		inthis++;
	}
	return ncalls;
}

static char *
b64(struct hg_arena *a, const unsigned char *bin, size_t len)
{
	size_t	 n = sodium_base64_ENCODED_LEN(len,
	    sodium_base64_VARIANT_ORIGINAL);
	char	*out = hg_alloc(a, n);

	sodium_bin2base64(out, n, bin, len, sodium_base64_VARIANT_ORIGINAL);
	return out;
}

char *
hg_cdn_wangsu_password(struct hg_arena *a, const char *apikey,
    const char *date)
{
	unsigned char mac[HG_SHA1_LEN];

	hg_hmac_sha1(apikey, strlen(apikey), date, strlen(date), mac);
	return b64(a, mac, sizeof(mac));
}

char *
hg_cdn_wangsu_auth(struct hg_arena *a, const char *user, const char *apikey,
    const char *date)
{
	char *up = hg_printf(a, "%s:%s", user,
	    hg_cdn_wangsu_password(a, apikey, date));

	return hg_printf(a, "Basic %s", b64(a, (unsigned char *)up,
	    strlen(up)));
}

void
hg_cdn_http_date(time_t t, char *buf, size_t len)
{
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    wd[tm.tm_wday], tm.tm_mday, mo[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

char *
hg_cdn_url_encode(struct hg_arena *a, const char *u)
{
	static const char	 hx[] = "0123456789ABCDEF";
	const unsigned char	*p;
	char			*out, *o;

	out = o = hg_alloc(a, strlen(u) * 3 + 1);
	for (p = (const unsigned char *)u; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f) {
			*o++ = '%';
			*o++ = hx[*p >> 4];
			*o++ = hx[*p & 15];
		} else
			*o++ = (char)*p;
	*o = '\0';
	return out;
}

/* ---- answers ---------------------------------------------------------- */

static void
put_json(void *o)
{
	json_object_put(o);
}

static json_object *
jget(json_object *o, const char *k)
{
	json_object *v;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, k, &v))
		return NULL;
	return v;
}

/* A string or number member as one line of text, or NULL. */
static const char *
jtext(struct hg_arena *a, json_object *o, const char *k)
{
	const char *s;

	if ((o = jget(o, k)) == NULL || json_object_is_type(o,
	    json_type_object) || json_object_is_type(o, json_type_array) ||
	    json_object_is_type(o, json_type_null))
		return NULL;
	s = json_object_get_string(o);
	return hg_utf8_line(a, s, strlen(s));
}

/*
 * Fold the statuses of a list of entries (key st in each) into an_state:
 * done when every one is done, failed when one failed (its url/path key
 * uk named in msg), else under way.  An empty list is under way: the
 * vendor shows a task a moment after accepting it.
 */
static int
fold(struct hg_arena *a, json_object *list, const char *st, const char *uk,
    const char *const *done, const char *const *failed,
    struct hg_cdn_answer *an, char *msg, size_t msglen)
{
	json_object	*it;
	const char	*s, *u;
	size_t		 i, k, ndone = 0, n;

	if (list == NULL || !json_object_is_type(list, json_type_array)) {
		say(msg, msglen, "status answer without its list of URLs");
		return HG_CDN_ENET;
	}
	n = json_object_array_length(list);
	for (i = 0; i < n; i++) {
		it = json_object_array_get_idx(list, i);
		if ((s = jtext(a, it, st)) == NULL)
			continue;
		for (k = 0; failed[k] != NULL; k++)
			if (strcasecmp(s, failed[k]) == 0) {
				u = jtext(a, it, uk);
				an->an_state = -1;
				say(msg, msglen, "the CDN failed to refresh %s "
				    "(status %s)", u != NULL ? u : "a URL", s);
				return HG_CDN_OK;
			}
		for (k = 0; done[k] != NULL; k++)
			if (strcasecmp(s, done[k]) == 0)
				ndone++;
	}
	an->an_state = n > 0 && ndone == n ? 1 : 0;
	return HG_CDN_OK;
}

static int
ali_answer(struct hg_arena *a, json_object *o, int query, long status,
    struct hg_cdn_answer *an, char *msg, size_t msglen)
{
	static const char *const done[] = { "Complete", NULL };
	static const char *const failed[] = { "Failed", NULL };
	const char *code = jtext(a, o, "Code"), *m = jtext(a, o, "Message");

	an->an_code = code;
	if (code != NULL || status < 200 || status > 299) {
		say(msg, msglen, "%s: %s (HTTP %ld)", code ? code : "error",
		    m ? m : "no message", status);
		if (status == 429 || (code != NULL &&
		    strncmp(code, "Throttling", 10) == 0))
			return HG_CDN_THROTTLED;
		if (code == NULL)
			return HG_CDN_ENET;
		return HG_CDN_EVENDOR;
	}
	if (!query) {
		if ((an->an_task = jtext(a, o, "RefreshTaskId")) == NULL) {
			say(msg, msglen, "answer without RefreshTaskId");
			return HG_CDN_ENET;
		}
		return HG_CDN_OK;
	}
	return fold(a, jget(jget(o, "Tasks"), "CDNTask"), "Status",
	    "ObjectPath", done, failed, an, msg, msglen);
}

static int
tc_answer(struct hg_arena *a, json_object *o, int query, long status,
    struct hg_cdn_answer *an, char *msg, size_t msglen)
{
	static const char *const done[] = { "done", NULL };
	static const char *const failed[] = { "fail", "invalid", NULL };
	json_object	*rsp = jget(o, "Response"), *err = jget(rsp, "Error");
	const char	*code, *m;

	if (rsp == NULL) {
		say(msg, msglen, "not a Tencent Cloud answer (HTTP %ld)",
		    status);
		return status == 429 ? HG_CDN_THROTTLED : HG_CDN_ENET;
	}
	if (err != NULL) {
		an->an_code = code = jtext(a, err, "Code");
		m = jtext(a, err, "Message");
		say(msg, msglen, "%s: %s", code ? code : "error",
		    m ? m : "no message");
		if (code != NULL && strncmp(code, "RequestLimitExceeded",
		    20) == 0)
			return HG_CDN_THROTTLED;
		return HG_CDN_EVENDOR;
	}
	if (status != 200) {
		say(msg, msglen, "HTTP %ld from Tencent Cloud", status);
		return status == 429 ? HG_CDN_THROTTLED : HG_CDN_ENET;
	}
	if (!query) {
		if ((an->an_task = jtext(a, rsp, "TaskId")) == NULL) {
			say(msg, msglen, "answer without TaskId");
			return HG_CDN_ENET;
		}
		return HG_CDN_OK;
	}
	return fold(a, jget(rsp, "PurgeLogs"), "Status", "Url", done, failed,
	    an, msg, msglen);
}

static int
ws_answer(struct hg_arena *a, json_object *o, int query, long status,
    struct hg_cdn_answer *an, char *msg, size_t msglen)
{
	static const char *const done[] = { "SUCCESS", NULL };
	static const char *const failed[] = { "FAIL", "FAILED", NULL };
	const char *code = jtext(a, o, "Code"), *m = jtext(a, o, "Message");

	an->an_code = code;
	if (status == 429) {
		say(msg, msglen, "HTTP 429: %s", m ? m : "too many requests");
		return HG_CDN_THROTTLED;
	}
	if (code == NULL) {
		say(msg, msglen, "not a Wangsu answer (HTTP %ld)", status);
		return HG_CDN_ENET;
	}
	if (strcmp(code, "1") != 0 || status < 200 || status > 299) {
		say(msg, msglen, "Code %s: %s (HTTP %ld)", code,
		    m ? m : "no message", status);
		return HG_CDN_EVENDOR;
	}
	if (!query) {
		if ((an->an_task = jtext(a, o, "itemId")) == NULL) {
			say(msg, msglen, "answer without itemId");
			return HG_CDN_ENET;
		}
		return HG_CDN_OK;
	}
	return fold(a, jget(o, "resultList"), "status", "url", done, failed,
	    an, msg, msglen);
}

int
hg_cdn_answer(struct hg_arena *a, enum hg_cdn_provider pv, int query,
    long status, const char *body, size_t len, struct hg_cdn_answer *an,
    char *msg, size_t msglen)
{
	struct json_tokener	*tok;
	json_object		*o;

	memset(an, 0, sizeof(*an));
	if (msglen > 0)
		msg[0] = '\0';
	o = NULL;
	if (body != NULL && len > 0 && (tok = json_tokener_new()) != NULL) {
		o = json_tokener_parse_ex(tok, body, (int)(len > MAX_REPLY ?
		    MAX_REPLY : len));
		if (json_tokener_get_error(tok) != json_tokener_success) {
			json_object_put(o);
			o = NULL;
		}
		json_tokener_free(tok);
	}
	if (o != NULL)
		hg_cleanup_add(a, put_json, o);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		say(msg, msglen, "the answer is not a JSON object (HTTP %ld)",
		    status);
		return status == 429 ? HG_CDN_THROTTLED : HG_CDN_ENET;
	}
	switch (pv) {
	case HG_CDN_ALIYUN:
		return ali_answer(a, o, query, status, an, msg, msglen);
	case HG_CDN_TENCENT:
		return tc_answer(a, o, query, status, an, msg, msglen);
	case HG_CDN_WANGSU:
		return ws_answer(a, o, query, status, an, msg, msglen);
	}
	say(msg, msglen, "unknown CDN provider");
	return HG_CDN_EVENDOR;
}

/* ---- HTTP ------------------------------------------------------------ */

/*
 * POST body to url with headers hdr; then read the answer.  ENET when no
 * HTTP answer came.
 */
static int
post(struct hg_arena *a, enum hg_cdn_provider pv, int query, const char *what,
    const char *url, struct curl_slist *hdr, const char *body,
    long timeout_ms, struct hg_cdn_answer *an, char *msg, size_t msglen)
{
	struct hg_body	 rp = { .max = MAX_REPLY };
	CURL		*c;
	CURLcode	 cc;
	long		 status = 0;
	int		 rc;

	memset(an, 0, sizeof(*an));
	if ((c = curl_easy_init()) == NULL) {
		curl_slist_free_all(hdr);
		say(msg, msglen, "%s: cannot start an HTTP request", what);
		return HG_CDN_ENET;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms > 0 ? timeout_ms :
	    1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, hg_body_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &rp);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "hangar-agent");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	curl_slist_free_all(hdr);
	if (cc != CURLE_OK) {
		say(msg, msglen, "%s: %s", what, rp.over ?
		    "answer larger than 1 MiB" : curl_easy_strerror(cc));
		rc = HG_CDN_ENET;
	} else
		rc = hg_cdn_answer(a, pv, query, status, rp.data, rp.len, an,
		    msg, msglen);
	free(rp.data);
	log_debug("cdn action=%s http=%ld code=%s rc=%d", what, status,
	    an->an_code != NULL ? an->an_code : "-", rc);
	return rc;
}

static const char *
trimmed(struct hg_arena *a, const char *ep)
{
	size_t n = strlen(ep);

	while (n > 0 && ep[n - 1] == '/')
		n--;
	return hg_printf(a, "%.*s", (int)n, ep);
}

/* ---- Aliyun: RPC V2 POST form ---------------------------------------- */

static int
ali_call(struct hg_arena *a, const struct hg_cdn_account *ac,
    const char *action, const char *k1, const char *v1, const char *k2,
    const char *v2, int query, long timeout_ms, struct hg_cdn_answer *an,
    char *msg, size_t msglen)
{
	struct hg_cloud_param	 p[12];
	struct tm		 tm;
	time_t			 now = time(NULL);
	char			 ts[32], nonce[33], *cqs, *sig;
	size_t			 n = 0;

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	hg_random_hex(nonce, 16);
	p[n++] = (struct hg_cloud_param){ "Action", action };
	p[n++] = (struct hg_cloud_param){ "Version", ALI_VERSION };
	p[n++] = (struct hg_cloud_param){ "Format", "JSON" };
	p[n++] = (struct hg_cloud_param){ "AccessKeyId", ac->cd_access_key };
	p[n++] = (struct hg_cloud_param){ "SignatureMethod", "HMAC-SHA1" };
	p[n++] = (struct hg_cloud_param){ "SignatureVersion", "1.0" };
	p[n++] = (struct hg_cloud_param){ "SignatureNonce", nonce };
	p[n++] = (struct hg_cloud_param){ "Timestamp", ts };
	p[n++] = (struct hg_cloud_param){ k1, v1 };
	if (k2 != NULL)
		p[n++] = (struct hg_cloud_param){ k2, v2 };
	sig = hg_cloud_aliyun_sign(a, "POST", p, n, ac->cd_secret, &cqs, NULL);
	return post(a, HG_CDN_ALIYUN, query, action, hg_printf(a, "%s/",
	    trimmed(a, ac->cd_endpoint)), curl_slist_append(NULL,
	    "Content-Type: application/x-www-form-urlencoded"),
	    hg_printf(a, "%s&Signature=%s", cqs, hg_cloud_aliyun_encode(a,
	    sig)), timeout_ms, an, msg, msglen);
}

/* ---- Tencent: TC3, service cdn --------------------------------------- */

#define TC_CTYPE	"application/json; charset=utf-8"

static int
tc_call(struct hg_arena *a, const struct hg_cdn_account *ac,
    const char *action, const char *payload, int query, long timeout_ms,
    struct hg_cdn_answer *an, char *msg, size_t msglen)
{
	struct curl_slist	*h = NULL;
	time_t			 now = time(NULL);
	char			*host, *url, *auth;

	url = hg_cloud_tc_endpoint(a, ac->cd_endpoint, "cdn", &host);
	auth = hg_cloud_tc3_sign(a, ac->cd_access_key, ac->cd_secret, "cdn",
	    host, TC_CTYPE, payload, now, NULL, NULL);
	h = curl_slist_append(h, "Content-Type: " TC_CTYPE);
	h = curl_slist_append(h, hg_printf(a, "Host: %s", host));
	h = curl_slist_append(h, hg_printf(a, "X-TC-Action: %s", action));
	h = curl_slist_append(h, "X-TC-Version: " TC_VERSION);
	h = curl_slist_append(h, hg_printf(a, "X-TC-Timestamp: %lld",
	    (long long)now));
	h = curl_slist_append(h, hg_printf(a, "Authorization: %s", auth));
	return post(a, HG_CDN_TENCENT, query, action, url, h, payload,
	    timeout_ms, an, msg, msglen);
}

/* ---- Wangsu: Date + Basic ------------------------------------------- */

static int
ws_call(struct hg_arena *a, const struct hg_cdn_account *ac,
    const char *path, const char *payload, int query, long timeout_ms,
    struct hg_cdn_answer *an, char *msg, size_t msglen)
{
	struct curl_slist	*h = NULL;
	char			 date[64];

	hg_cdn_http_date(time(NULL), date, sizeof(date));
	h = curl_slist_append(h, hg_printf(a, "Date: %s", date));
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, "Accept: application/json");
	h = curl_slist_append(h, hg_printf(a, "Authorization: %s",
	    hg_cdn_wangsu_auth(a, ac->cd_access_key, ac->cd_secret, date)));
	return post(a, HG_CDN_WANGSU, query, path, hg_printf(a, "%s%s",
	    trimmed(a, ac->cd_endpoint), path), h, payload, timeout_ms, an,
	    msg, msglen);
}

/* ---- the two calls ---------------------------------------------------- */

static json_object *
jarray(struct hg_arena *a, const char *const *urls, size_t n)
{
	json_object	*arr = json_object_new_array();
	size_t		 i;

	hg_cleanup_add(a, put_json, arr);
	for (i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(
		    hg_cdn_url_encode(a, urls[i])));
	return arr;
}

static const char *
jtextof(struct hg_arena *a, json_object *o)
{
	return hg_strdup(a, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
}

int
hg_cdn_submit(struct hg_arena *a, const struct hg_cdn_account *ac, int dirs,
    const char *const *urls, size_t n, long timeout_ms, char **task,
    char *msg, size_t msglen)
{
	struct hg_cdn_answer	 an;
	json_object		*o;
	char			*paths;
	size_t			 i, len = 0;
	int			 rc = HG_CDN_EVENDOR;

	*task = NULL;
	switch (ac->cd_provider) {
	case HG_CDN_ALIYUN:
		for (i = 0; i < n; i++)
			len += strlen(urls[i]) * 3 + 1;
		paths = hg_alloc(a, len + 1);
		for (i = 0; i < n; i++) {
			if (i > 0)
				strcat(paths, "\n");
			strcat(paths, hg_cdn_url_encode(a, urls[i]));
		}
		rc = ali_call(a, ac, "RefreshObjectCaches", "ObjectPath", paths,
		    "ObjectType", dirs ? "Directory" : "File", 0, timeout_ms,
		    &an, msg, msglen);
		break;
	case HG_CDN_TENCENT:
		o = json_object_new_object();
		hg_cleanup_add(a, put_json, o);
		json_object_object_add(o, dirs ? "Paths" : "Urls",
		    json_object_get(jarray(a, urls, n)));
		if (dirs)
			json_object_object_add(o, "FlushType",
			    json_object_new_string("flush"));
		rc = tc_call(a, ac, dirs ? "PurgePathCache" : "PurgeUrlsCache",
		    jtextof(a, o), 0, timeout_ms, &an, msg, msglen);
		break;
	case HG_CDN_WANGSU:
		o = json_object_new_object();
		hg_cleanup_add(a, put_json, o);
		json_object_object_add(o, dirs ? "dirs" : "urls",
		    json_object_get(jarray(a, urls, n)));
		json_object_object_add(o, dirs ? "dirAction" : "urlAction",
		    json_object_new_string(dirs ? "expire" : "default"));
		rc = ws_call(a, ac, "/ccm/purge/ItemIdReceiver", jtextof(a, o),
		    0, timeout_ms, &an, msg, msglen);
		break;
	}
	if (rc == HG_CDN_OK)
		*task = hg_strdup(a, an.an_task);
	return rc;
}

int
hg_cdn_query(struct hg_arena *a, const struct hg_cdn_account *ac, int dirs,
    const char *task, long timeout_ms, int *state, char *msg, size_t msglen)
{
	struct hg_cdn_answer	 an;
	json_object		*o;
	int			 rc = HG_CDN_EVENDOR;

	(void)dirs;
	*state = 0;
	switch (ac->cd_provider) {
	case HG_CDN_ALIYUN:
		rc = ali_call(a, ac, "DescribeRefreshTasks", "TaskId", task,
		    NULL, NULL, 1, timeout_ms, &an, msg, msglen);
		break;
	case HG_CDN_TENCENT:
		o = json_object_new_object();
		hg_cleanup_add(a, put_json, o);
		json_object_object_add(o, "TaskId",
		    json_object_new_string(task));
		rc = tc_call(a, ac, "DescribePurgeTasks", jtextof(a, o), 1,
		    timeout_ms, &an, msg, msglen);
		break;
	case HG_CDN_WANGSU:
		o = json_object_new_object();
		hg_cleanup_add(a, put_json, o);
		json_object_object_add(o, "itemId",
		    json_object_new_string(task));
		rc = ws_call(a, ac, "/ccm/purge/ItemIdQuery", jtextof(a, o), 1,
		    timeout_ms, &an, msg, msglen);
		break;
	}
	if (rc == HG_CDN_OK)
		*state = an.an_state;
	return rc;
}
