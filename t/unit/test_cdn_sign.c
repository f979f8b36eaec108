/*
 * test_cdn_sign.c -- lib/cdn.c's pure parts: Wangsu's password, the
 * signatures of the CDN requests, the split of URL lists into vendor calls,
 * and the reading of vendor answers.
 *
 * Where the vectors come from (external-apis.md):
 *  - Wangsu: the vendor publishes no worked example.  The password is
 *    Base64(HMAC-SHA1(apiKey, Date)): checked against RFC 2202's HMAC-SHA1
 *    case 2 (key "Jefe") and against a fixed Date computed independently
 *    with `openssl dgst -sha1 -hmac testapikey -binary | base64`.
 *  - Aliyun CDN: no CDN-specific example is published; the signer is the
 *    one pinned to vector A1 (test_cloud_sign.c), and here a
 *    RefreshObjectCaches request with A1's key, nonce and time (POST,
 *    ObjectPath from the RefreshObjectCaches doc) is compared byte for byte
 *    with Python's hmac/urllib following the doc's steps.
 *  - Tencent CDN: the signer is pinned to vector T1 (test_cloud_sign.c);
 *    here the service is "cdn", compared with Python's hmac as above.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "arena.h"
#include "cdn.h"
#include "cloud.h"
#include "unit.h"

START_TEST(wangsu_password_rfc2202)
{
	struct hg_arena a;

	hg_arena_init(&a);
	/* RFC 2202 HMAC-SHA1 test case 2, Base64 of effcdf6a...7c79 */
	ck_assert_str_eq(hg_cdn_wangsu_password(&a, "Jefe",
	    "what do ya want for nothing?"), "7/zfauXrL6LSdBbV8YTfnCWafHk=");
	hg_arena_free(&a);
}
END_TEST

START_TEST(wangsu_password_date)
{
	struct hg_arena a;

	hg_arena_init(&a);
	ck_assert_str_eq(hg_cdn_wangsu_password(&a, "testapikey",
	    "Thu, 17 May 2012 19:37:58 GMT"), "kyEo66pLOk4rpFk7+ikH3lVnJLE=");
	ck_assert_str_eq(hg_cdn_wangsu_auth(&a, "testuser", "testapikey",
	    "Thu, 17 May 2012 19:37:58 GMT"),
	    "Basic dGVzdHVzZXI6a3lFbzY2cExPazRycEZrNytpa0gzbFZuSkxFPQ==");
	hg_arena_free(&a);
}
END_TEST

START_TEST(http_date)
{
	char buf[64];

	/* the doc's example date, 2012-05-17 19:37:58 UTC */
	hg_cdn_http_date(1337283478, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Thu, 17 May 2012 19:37:58 GMT");
	hg_cdn_http_date(0, buf, sizeof(buf));
	ck_assert_str_eq(buf, "Thu, 01 Jan 1970 00:00:00 GMT");
}
END_TEST

START_TEST(aliyun_cdn_request)
{
	struct hg_arena		 a;
	struct hg_cloud_param	 p[] = {
		{ "Action", "RefreshObjectCaches" },
		{ "Version", "2018-05-10" },
		{ "Format", "JSON" },
		{ "AccessKeyId", "testid" },
		{ "SignatureMethod", "HMAC-SHA1" },
		{ "SignatureVersion", "1.0" },
		{ "SignatureNonce", "edb2b34af0af9a6d14deaf7c1a5315eb" },
		{ "Timestamp", "2023-03-13T08:34:30Z" },
		{ "ObjectPath", "http://example.com/image/1.png\n"
		    "http://aliyundoc.com/image/2.png" },
		{ "ObjectType", "File" },
	};
	char *sts, *sig;

	hg_arena_init(&a);
	sig = hg_cloud_aliyun_sign(&a, "POST", p, sizeof(p) / sizeof(p[0]),
	    "testsecret", NULL, &sts);
	ck_assert_str_eq(sts, "POST&%2F&AccessKeyId%3Dtestid%26Action%3D"
	    "RefreshObjectCaches%26Format%3DJSON%26ObjectPath%3Dhttp%253A%252F"
	    "%252Fexample.com%252Fimage%252F1.png%250Ahttp%253A%252F%252F"
	    "aliyundoc.com%252Fimage%252F2.png%26ObjectType%3DFile%26"
	    "SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D"
	    "edb2b34af0af9a6d14deaf7c1a5315eb%26SignatureVersion%3D1.0%26"
	    "Timestamp%3D2023-03-13T08%253A34%253A30Z%26Version%3D2018-05-10");
	ck_assert_str_eq(sig, "yojJST/Sh4lzQ5J1+ICfArtqGlk=");
	hg_arena_free(&a);
}
END_TEST

START_TEST(tencent_cdn_request)
{
	struct hg_arena	 a;
	char		*auth;

	hg_arena_init(&a);
	auth = hg_cloud_tc3_sign(&a, "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
	    "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "cdn", "cdn.tencentcloudapi.com",
	    "application/json; charset=utf-8",
	    "{\"Urls\":[\"http://www.example.com/a.png\"]}", 1551113065, NULL,
	    NULL);
	ck_assert_str_eq(auth, "TC3-HMAC-SHA256 Credential="
	    "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cdn/tc3_request, "
	    "SignedHeaders=content-type;host, Signature="
	    "f9def5c70f49ebc16b61078b790ca10b3f0eeac8233915a10aad44a4f377be5c");
	hg_arena_free(&a);
}
END_TEST

START_TEST(url_encode)
{
	struct hg_arena a;

	hg_arena_init(&a);
	ck_assert_str_eq(hg_cdn_url_encode(&a, "http://a.example.com/x?y=1"),
	    "http://a.example.com/x?y=1");
	ck_assert_str_eq(hg_cdn_url_encode(&a, "http://a.example.com/图 1"),
	    "http://a.example.com/%E5%9B%BE%201");
	hg_arena_free(&a);
}
END_TEST

/* n URLs on hosts h0..h(nhosts-1), round robin. */
static const char **
urls(size_t n, size_t nhosts)
{
	const char	**u = calloc(n, sizeof(*u));
	char		 *s;
	size_t		  i;

	for (i = 0; i < n; i++) {
		ck_assert_int_ne(asprintf(&s, "http://h%zu.example.com/f%zu",
		    i % nhosts, i), -1);
		u[i] = s;
	}
	return u;
}

static void
urls_free(const char **u, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free((char *)u[i]);
	free(u);
}

START_TEST(split_by_limits)
{
	const char	**u = urls(2501, 1);
	size_t		 st[2501], n;

	n = hg_cdn_split(HG_CDN_ALIYUN, 0, u, 2501, st);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(st[0], 0);
	ck_assert_uint_eq(st[1], 1000);
	ck_assert_uint_eq(st[2], 2000);
	ck_assert_uint_eq(hg_cdn_split(HG_CDN_ALIYUN, 1, u, 250, st), 3);
	ck_assert_uint_eq(hg_cdn_split(HG_CDN_TENCENT, 0, u, 1000, st), 1);
	ck_assert_uint_eq(hg_cdn_split(HG_CDN_TENCENT, 1, u, 1001, st), 3);
	n = hg_cdn_split(HG_CDN_WANGSU, 0, u, 1001, st);
	ck_assert_uint_eq(n, 3);
	ck_assert_uint_eq(st[1], 500);
	ck_assert_uint_eq(st[2], 1000);
	ck_assert_uint_eq(hg_cdn_split(HG_CDN_WANGSU, 0, u, 1, st), 1);
	ck_assert_uint_eq(hg_cdn_split(HG_CDN_WANGSU, 0, u, 0, st), 0);
	urls_free(u, 2501);
}
END_TEST

/* Aliyun takes at most 10 distinct domains per call. */
START_TEST(split_aliyun_domains)
{
	const char	**u = urls(30, 15);
	size_t		 st[30], n;

	n = hg_cdn_split(HG_CDN_ALIYUN, 0, u, 30, st);
	ck_assert_uint_eq(n, 3);	/* h0..h9 | h10..h14,h0..h4 | h5..h14 */
	ck_assert_uint_eq(st[1], 10);
	ck_assert_uint_eq(st[2], 20);
	/* the others do not care */
	ck_assert_uint_eq(hg_cdn_split(HG_CDN_TENCENT, 0, u, 30, st), 1);
	urls_free(u, 30);
}
END_TEST

static int
ans(enum hg_cdn_provider pv, int query, long status, const char *body,
    struct hg_cdn_answer *an, char *msg)
{
	static struct hg_arena a;

	hg_arena_reset(&a);
	return hg_cdn_answer(&a, pv, query, status, body, strlen(body), an,
	    msg, 256);
}

START_TEST(answers)
{
	struct hg_cdn_answer	an;
	char			msg[256];

	/* the RefreshObjectCaches doc's answer */
	ck_assert_int_eq(ans(HG_CDN_ALIYUN, 0, 200, "{\"RefreshTaskId\":"
	    "\"704222904\",\"RequestId\":\"D61E4801-EAFF-4A63-AAE1-"
	    "FBF6CE1CFD1C\"}", &an, msg), HG_CDN_OK);
	ck_assert_str_eq(an.an_task, "704222904");
	ck_assert_int_eq(ans(HG_CDN_ALIYUN, 0, 400, "{\"Code\":\"Throttling."
	    "User\",\"Message\":\"Request was denied due to user flow "
	    "control.\"}", &an, msg), HG_CDN_THROTTLED);
	ck_assert_int_eq(ans(HG_CDN_ALIYUN, 0, 400, "{\"Code\":\"QuotaExceeded"
	    ".Refresh\",\"Message\":\"bad\\nline\"}", &an, msg),
	    HG_CDN_EVENDOR);
	ck_assert_ptr_nonnull(strstr(msg, "QuotaExceeded.Refresh"));
	ck_assert_ptr_null(strchr(msg, '\n'));	/* one line, cleaned */
	ck_assert_int_eq(ans(HG_CDN_ALIYUN, 1, 200, "{\"Tasks\":{\"CDNTask\":"
	    "[{\"Status\":\"Complete\"},{\"Status\":\"Refreshing\"}]}}", &an,
	    msg), HG_CDN_OK);
	ck_assert_int_eq(an.an_state, 0);
	ck_assert_int_eq(ans(HG_CDN_ALIYUN, 1, 200, "{\"Tasks\":{\"CDNTask\":"
	    "[{\"Status\":\"Complete\"},{\"Status\":\"Complete\"}]}}", &an,
	    msg), HG_CDN_OK);
	ck_assert_int_eq(an.an_state, 1);
	ck_assert_int_eq(ans(HG_CDN_ALIYUN, 1, 200, "{\"Tasks\":{\"CDNTask\":"
	    "[{\"Status\":\"Failed\",\"ObjectPath\":\"http://x/\"}]}}", &an,
	    msg), HG_CDN_OK);
	ck_assert_int_eq(an.an_state, -1);
	ck_assert_ptr_nonnull(strstr(msg, "http://x/"));
	/* Tencent: HTTP 200 with Response.Error */
	ck_assert_int_eq(ans(HG_CDN_TENCENT, 0, 200, "{\"Response\":{\"TaskId\":"
	    "\"15e3a1c1\",\"RequestId\":\"r\"}}", &an, msg), HG_CDN_OK);
	ck_assert_str_eq(an.an_task, "15e3a1c1");
	ck_assert_int_eq(ans(HG_CDN_TENCENT, 0, 200, "{\"Response\":{\"Error\":"
	    "{\"Code\":\"RequestLimitExceeded\",\"Message\":\"m\"}}}", &an, msg),
	    HG_CDN_THROTTLED);
	ck_assert_int_eq(ans(HG_CDN_TENCENT, 0, 200, "{\"Response\":{\"Error\":"
	    "{\"Code\":\"AuthFailure.SignatureFailure\",\"Message\":\"m\"}}}",
	    &an, msg), HG_CDN_EVENDOR);
	ck_assert_int_eq(ans(HG_CDN_TENCENT, 1, 200, "{\"Response\":{"
	    "\"PurgeLogs\":[{\"Status\":\"done\"}]}}", &an, msg), HG_CDN_OK);
	ck_assert_int_eq(an.an_state, 1);
	ck_assert_int_eq(ans(HG_CDN_TENCENT, 1, 200, "{\"Response\":{"
	    "\"PurgeLogs\":[{\"Status\":\"fail\",\"Url\":\"u\"}]}}", &an, msg),
	    HG_CDN_OK);
	ck_assert_int_eq(an.an_state, -1);
	/* Wangsu: Code 1 accepted (number or text), 0 refused, 429 throttled */
	ck_assert_int_eq(ans(HG_CDN_WANGSU, 0, 200, "{\"Code\":1,\"Message\":"
	    "\"handle success\",\"itemId\":\"abc\"}", &an, msg), HG_CDN_OK);
	ck_assert_str_eq(an.an_task, "abc");
	ck_assert_int_eq(ans(HG_CDN_WANGSU, 0, 200, "{\"Code\":0,\"Message\":"
	    "\"username is invalid\"}", &an, msg), HG_CDN_EVENDOR);
	ck_assert_ptr_nonnull(strstr(msg, "username is invalid"));
	ck_assert_int_eq(ans(HG_CDN_WANGSU, 0, 429, "{\"Code\":0}", &an, msg),
	    HG_CDN_THROTTLED);
	ck_assert_int_eq(ans(HG_CDN_WANGSU, 1, 200, "{\"Code\":\"1\","
	    "\"resultList\":[{\"status\":\"SUCCESS\"}]}", &an, msg), HG_CDN_OK);
	ck_assert_int_eq(an.an_state, 1);
	/* not the vendor's format: worth another try */
	ck_assert_int_eq(ans(HG_CDN_WANGSU, 0, 502, "<html>", &an, msg),
	    HG_CDN_ENET);
	ck_assert_int_eq(ans(HG_CDN_TENCENT, 0, 200, "[]", &an, msg),
	    HG_CDN_ENET);
	ck_assert_int_eq(ans(HG_CDN_ALIYUN, 0, 200, "{}", &an, msg),
	    HG_CDN_ENET);
}
END_TEST

START_TEST(provider_names)
{
	ck_assert_int_eq(hg_cdn_provider_parse("ALI_CDN"), HG_CDN_ALIYUN);
	ck_assert_int_eq(hg_cdn_provider_parse("TECENT_CDN"), HG_CDN_TENCENT);
	ck_assert_int_eq(hg_cdn_provider_parse("WANGSU"), HG_CDN_WANGSU);
	ck_assert_int_eq(hg_cdn_provider_parse("ALIYUN"), -1);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("cdn_sign");
	TCase	*tc = tcase_create("vectors");

	if (sodium_init() < 0)
		return 1;
	tcase_add_test(tc, wangsu_password_rfc2202);
	tcase_add_test(tc, wangsu_password_date);
	tcase_add_test(tc, http_date);
	tcase_add_test(tc, aliyun_cdn_request);
	tcase_add_test(tc, tencent_cdn_request);
	tcase_add_test(tc, url_encode);
	tcase_add_test(tc, split_by_limits);
	tcase_add_test(tc, split_aliyun_domains);
	tcase_add_test(tc, answers);
	tcase_add_test(tc, provider_names);
	return unit_run(s, tc);
}
