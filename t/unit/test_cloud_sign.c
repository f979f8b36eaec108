/*
 * test_cloud_sign.c -- lib/sha1.c and lib/cloud_sign.c against published
 * vectors: SHA-1 from RFC 3174 (plus padding edges), HMAC-SHA1 from
 * RFC 2202, and the vendors' own signature examples (external-apis.md:
 * Aliyun A1, Tencent T1, CloudStack C1), every intermediate string compared
 * byte for byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <sodium.h>

#include "arena.h"
#include "cloud.h"
#include "sha1.h"
#include "unit.h"

static void
tohex(const unsigned char *b, size_t n, char *out)
{
	size_t	i;

	for (i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

static void
check_sha1(const void *data, size_t len, const char *want)
{
	unsigned char	d[HG_SHA1_LEN];
	char		h[2 * HG_SHA1_LEN + 1];

	hg_sha1(data, len, d);
	tohex(d, sizeof(d), h);
	ck_assert_str_eq(h, want);
}

START_TEST(sha1_rfc3174)
{
	static const char	*t4 = "0123456701234567012345670123456701234567"
	    "012345670123456701234567";
	char			*big;
	struct hg_sha1		 s;
	unsigned char		 d[HG_SHA1_LEN];
	char			 h[2 * HG_SHA1_LEN + 1];
	int			 i;

	check_sha1("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
	check_sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	    56, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	big = malloc(1000000);
	memset(big, 'a', 1000000);
	check_sha1(big, 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	free(big);
	/* TEST4: 10 updates of 64 bytes, as RFC 3174's driver does. */
	hg_sha1_init(&s);
	for (i = 0; i < 10; i++)
		hg_sha1_update(&s, t4, 64);
	hg_sha1_final(&s, d);
	tohex(d, sizeof(d), h);
	ck_assert_str_eq(h, "dea356a2cddd90c7a7ecedc5ebb563934f460452");
	check_sha1("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}
END_TEST

/* Lengths around the padding boundaries, fed one byte at a time too. */
START_TEST(sha1_padding_edges)
{
	static const struct { size_t n; const char *h; } v[] = {
		{ 55, "cef734ba81a024479e09eb5a75b6ddae62e6abf1" },
		{ 56, "901305367c259952f4e7af8323f480d59f81335b" },
		{ 63, "0ddc4e0cccd9a12850deb5abb0853a4425559fec" },
		{ 64, "bb2fa3ee7afb9f54c6dfb5d021f14b1ffe40c163" },
		{ 65, "78c741ddc482e4cdf8c474a0876347a0905b6233" },
		{ 119, "4300320394f7ee239bcdce7d3b8bcee173a0cd5c" },
		{ 120, "ceb2821639c4b6dcb10bce0e522ca2e608ce056d" },
	};
	char		buf[128], h[2 * HG_SHA1_LEN + 1];
	unsigned char	d[HG_SHA1_LEN];
	struct hg_sha1	s;
	size_t		i, j;

	memset(buf, 'x', sizeof(buf));
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		check_sha1(buf, v[i].n, v[i].h);
		hg_sha1_init(&s);
		for (j = 0; j < v[i].n; j++)
			hg_sha1_update(&s, buf + j, 1);
		hg_sha1_final(&s, d);
		tohex(d, sizeof(d), h);
		ck_assert_str_eq(h, v[i].h);
	}
}
END_TEST

static void
check_hmac(const void *key, size_t klen, const void *msg, size_t mlen,
    const char *want)
{
	unsigned char	d[HG_SHA1_LEN];
	char		h[2 * HG_SHA1_LEN + 1];

	hg_hmac_sha1(key, klen, msg, mlen, d);
	tohex(d, sizeof(d), h);
	ck_assert_str_eq(h, want);
}

START_TEST(hmac_sha1_rfc2202)
{
	unsigned char	k[80], m[50];
	const char	*t6 = "Test Using Larger Than Block-Size Key - Hash Key "
	    "First";
	const char	*t7 = "Test Using Larger Than Block-Size Key and Larger "
	    "Than One Block-Size Data";

	memset(k, 0x0b, 20);
	check_hmac(k, 20, "Hi There", 8,
	    "b617318655057264e28bc0b6fb378c8ef146be00");
	check_hmac("Jefe", 4, "what do ya want for nothing?", 28,
	    "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
	memset(k, 0xaa, 20);
	memset(m, 0xdd, 50);
	check_hmac(k, 20, m, 50, "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
	memset(k, 0xaa, 80);
	check_hmac(k, 80, t6, strlen(t6),
	    "aa4ae5e15272d00e95705637ce8a3b55ed402112");
	check_hmac(k, 80, t7, strlen(t7),
	    "e8e99d0f45237d786d6bbaa7965c7808bbff1a91");
}
END_TEST

START_TEST(aliyun_encoding)
{
	struct hg_arena	a;

	hg_arena_init(&a);
	ck_assert_str_eq(hg_cloud_aliyun_encode(&a, "a b*c~d/e\n+=&:"),
	    "a%20b%2Ac~d%2Fe%0A%2B%3D%26%3A");
	ck_assert_str_eq(hg_cloud_aliyun_encode(&a, "AZaz09-_."), "AZaz09-_.");
	ck_assert_str_eq(hg_cloud_aliyun_encode(&a, "张"), "%E5%BC%A0");
	ck_assert_str_eq(hg_cloud_aliyun_encode(&a, "[\"i-1\"]"),
	    "%5B%22i-1%22%5D");
	hg_arena_free(&a);
}
END_TEST

/* Vector A1: the V2 doc's "Fixed parameter values" example. */
START_TEST(aliyun_vector_a1)
{
	static const struct hg_cloud_param p[] = {
		{ "Action", "DescribeDedicatedHosts" },
		{ "Version", "2014-05-26" },
		{ "Format", "JSON" },
		{ "AccessKeyId", "testid" },
		{ "SignatureNonce", "edb2b34af0af9a6d14deaf7c1a5315eb" },
		{ "Timestamp", "2023-03-13T08:34:30Z" },
		{ "RegionId", "cn-beijing" },
		{ "SignatureMethod", "HMAC-SHA1" },
		{ "SignatureVersion", "1.0" },
	};
	struct hg_arena	 a;
	char		*cqs, *sts, *sig;

	hg_arena_init(&a);
	sig = hg_cloud_aliyun_sign(&a, "GET", p, sizeof(p) / sizeof(p[0]),
	    "testsecret", &cqs, &sts);
	ck_assert_str_eq(cqs, "AccessKeyId=testid&Action=DescribeDedicatedHosts"
	    "&Format=JSON&RegionId=cn-beijing&SignatureMethod=HMAC-SHA1"
	    "&SignatureNonce=edb2b34af0af9a6d14deaf7c1a5315eb"
	    "&SignatureVersion=1.0&Timestamp=2023-03-13T08%3A34%3A30Z"
	    "&Version=2014-05-26");
	ck_assert_str_eq(sts, "GET&%2F&AccessKeyId%3Dtestid%26Action%3D"
	    "DescribeDedicatedHosts%26Format%3DJSON%26RegionId%3Dcn-beijing"
	    "%26SignatureMethod%3DHMAC-SHA1%26SignatureNonce%3D"
	    "edb2b34af0af9a6d14deaf7c1a5315eb%26SignatureVersion%3D1.0"
	    "%26Timestamp%3D2023-03-13T08%253A34%253A30Z%26Version%3D"
	    "2014-05-26");
	ck_assert_str_eq(sig, "9NaGiOspFP5UPcwX8Iwt2YJXXuk=");
	ck_assert_str_eq(hg_cloud_aliyun_encode(&a, sig),
	    "9NaGiOspFP5UPcwX8Iwt2YJXXuk%3D");
	/* The method is signed: POST must differ. */
	ck_assert_str_ne(hg_cloud_aliyun_sign(&a, "POST", p,
	    sizeof(p) / sizeof(p[0]), "testsecret", NULL, NULL), sig);
	hg_arena_free(&a);
}
END_TEST

/* Vector T1: the international "Signature v3" example. */
START_TEST(tencent_vector_t1)
{
	static const char	*payload = "{\"Limit\": 1, \"Filters\": "
	    "[{\"Values\": [\"\\u672a\\u547d\\u540d\"], \"Name\": "
	    "\"instance-name\"}]}";
	struct hg_arena		 a;
	char			*creq, *sts, *auth;

	ck_assert_uint_eq(strlen(payload), 86);
	hg_arena_init(&a);
	auth = hg_cloud_tc3_sign(&a, "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
	    "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "cvm",
	    "cvm.tencentcloudapi.com", "application/json; charset=utf-8",
	    payload, 1551113065, &creq, &sts);
	ck_assert_str_eq(creq, "POST\n/\n\n"
	    "content-type:application/json; charset=utf-8\n"
	    "host:cvm.tencentcloudapi.com\n\n"
	    "content-type;host\n"
	    "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064");
	ck_assert_str_eq(sts, "TC3-HMAC-SHA256\n1551113065\n"
	    "2019-02-25/cvm/tc3_request\n"
	    "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031");
	ck_assert_str_eq(auth, "TC3-HMAC-SHA256 Credential="
	    "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, "
	    "SignedHeaders=content-type;host, Signature="
	    "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168");
	hg_arena_free(&a);
}
END_TEST

/* The date in the scope is the UTC date, whatever TZ says. */
START_TEST(tencent_date_is_utc)
{
	struct hg_arena	 a;
	char		*sts;

	setenv("TZ", "Asia/Shanghai", 1);
	tzset();
	hg_arena_init(&a);
	(void)hg_cloud_tc3_sign(&a, "id", "key", "bm", "bm.tencentcloudapi.com",
	    "application/json; charset=utf-8", "{}", 1551113065, NULL, &sts);
	ck_assert_ptr_nonnull(strstr(sts, "\n2019-02-25/bm/tc3_request\n"));
	hg_arena_free(&a);
	unsetenv("TZ");
	tzset();
}
END_TEST

/* Vector C1: the developer guide's Python walk-through. */
START_TEST(cloudstack_vector_c1)
{
	static const struct hg_cloud_param p[] = {
		{ "command", "listUsers" },
		{ "response", "json" },
		{ "apikey", "plgWJfZK4gyS3mOMTVmjUVg-X-jlWlnfaUJ9GAbBbf9EdM-kAYMm"
		    "AiLqzzq1ElZLYq_u38zCm0bewzGUdP66mg" },
	};
	struct hg_arena	 a;
	char		*str, *sig;

	hg_arena_init(&a);
	sig = hg_cloud_cs_sign(&a, p, 3, "VDaACYb0LV9eNjTetIOElcVQkvJck_J_QljX_"
	    "FcHRj87ZKiy0z0ty0ZsYBkoXkY9b7eq1EhwJaw7FF3akA3KBQ", &str);
	ck_assert_str_eq(str, "apikey=plgwjfzk4gys3momtvmjuvg-x-jlwlnfauj9gabbbf"
	    "9edm-kaymmailqzzq1elzlyq_u38zcm0bewzgudp66mg&command=listusers"
	    "&response=json");
	ck_assert_str_eq(sig, "TTpdDq/7j/J58XCRHomKoQXEQds=");
	ck_assert_str_eq(hg_cloud_aliyun_encode(&a, sig),
	    "TTpdDq%2F7j%2FJ58XCRHomKoQXEQds%3D");
	hg_arena_free(&a);
}
END_TEST

/* Java URLEncoder: '*' kept, '~' and '/' encoded, space -> %20. */
START_TEST(cloudstack_encoding)
{
	struct hg_arena	a;

	hg_arena_init(&a);
	ck_assert_str_eq(hg_cloud_cs_encode(&a, "a b*c~d/e-_.+"),
	    "a%20b*c%7Ed%2Fe-_.%2B");
	hg_arena_free(&a);
}
END_TEST

/* Where CVM and bare metal requests go for each kind of endpoint. */
START_TEST(tencent_endpoints)
{
	static const struct { const char *ep, *svc, *url, *host; } v[] = {
		{ "https://cvm.tencentcloudapi.com", "bm",
		    "https://bm.tencentcloudapi.com/", "bm.tencentcloudapi.com" },
		{ "https://cvm.tencentcloudapi.com/", "cvm",
		    "https://cvm.tencentcloudapi.com/", "cvm.tencentcloudapi.com" },
		{ "https://tencentcloudapi.com", "cvm",
		    "https://cvm.tencentcloudapi.com/", "cvm.tencentcloudapi.com" },
		{ "https://intl.tencentcloudapi.com", "bm",
		    "https://bm.intl.tencentcloudapi.com/",
		    "bm.intl.tencentcloudapi.com" },
		{ "https://bm.intl.tencentcloudapi.com", "cvm",
		    "https://cvm.intl.tencentcloudapi.com/",
		    "cvm.intl.tencentcloudapi.com" },
		{ "http://127.0.0.1:18501", "bm", "http://127.0.0.1:18501/",
		    "127.0.0.1:18501" },
		{ "http://proxy.example:8080/tc/", "cvm",
		    "http://proxy.example:8080/tc/", "proxy.example:8080" },
	};
	struct hg_arena	 a;
	char		*host;
	size_t		 i;

	hg_arena_init(&a);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		ck_assert_str_eq(hg_cloud_tc_endpoint(&a, v[i].ep, v[i].svc,
		    &host), v[i].url);
		ck_assert_str_eq(host, v[i].host);
	}
	hg_arena_free(&a);
}
END_TEST

START_TEST(provider_names)
{
	ck_assert_int_eq(hg_cloud_provider_parse("ALIYUN"), HG_CLOUD_ALIYUN);
	ck_assert_int_eq(hg_cloud_provider_parse("TENCENT"), HG_CLOUD_TENCENT);
	ck_assert_int_eq(hg_cloud_provider_parse("CLOUDSTACK"),
	    HG_CLOUD_CLOUDSTACK);
	ck_assert_int_eq(hg_cloud_provider_parse("aliyun"), -1);
	ck_assert_int_eq(hg_cloud_provider_parse(""), -1);
	ck_assert_str_eq(hg_cloud_provider_name(HG_CLOUD_TENCENT), "TENCENT");
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("cloud_sign");
	TCase	*tc = tcase_create("vectors");

	if (sodium_init() < 0)
		return 1;
	tcase_add_test(tc, sha1_rfc3174);
	tcase_add_test(tc, sha1_padding_edges);
	tcase_add_test(tc, hmac_sha1_rfc2202);
	tcase_add_test(tc, aliyun_encoding);
	tcase_add_test(tc, aliyun_vector_a1);
	tcase_add_test(tc, tencent_vector_t1);
	tcase_add_test(tc, tencent_date_is_utc);
	tcase_add_test(tc, cloudstack_vector_c1);
	tcase_add_test(tc, cloudstack_encoding);
	tcase_add_test(tc, tencent_endpoints);
	tcase_add_test(tc, provider_names);
	return unit_run(s, tc);
}
