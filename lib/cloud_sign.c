/*
 * cloud_sign.c -- the three vendors' request signatures (see cloud.h).
 *
 * Pure functions: everything that varies (time, nonce) is an argument, so
 * the unit tests reproduce the vendors' published examples byte for byte.
 * Aliyun RPC V2 and CloudStack use HMAC-SHA1 (lib/sha1.c); Tencent TC3 uses
 * SHA-256 and HMAC-SHA256 from libsodium.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "cloud.h"
#include "sha1.h"

static const char	hexup[] = "0123456789ABCDEF";

/*
 * Percent-encode every byte of s except those for which keep() is true;
 * space becomes "%20" either way.
 */
static char *
pct(struct hg_arena *a, const char *s, int (*keep)(int))
{
	const unsigned char	*p;
	char			*out, *q;

	out = q = hg_alloc(a, strlen(s) * 3 + 1);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (keep(*p))
			*q++ = (char)*p;
		else {
			*q++ = '%';
			*q++ = hexup[*p >> 4];
			*q++ = hexup[*p & 15];
		}
	}
	*q = '\0';
	return out;
}

/* RFC 3986 unreserved. */
static int
keep_rfc3986(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '~';
}

/* What java.net.URLEncoder leaves alone. */
static int
keep_java(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' ||
	    c == '*';
}

char *
hg_cloud_aliyun_encode(struct hg_arena *a, const char *s)
{
	return pct(a, s, keep_rfc3986);
}

char *
hg_cloud_cs_encode(struct hg_arena *a, const char *s)
{
	return pct(a, s, keep_java);
}

static int
cmp_param(const void *x, const void *y)
{
	const struct hg_cloud_param	*a = x, *b = y;

	return strcmp(a->p_name, b->p_name);
}

/* A sorted copy of the parameters (byte order of the raw names). */
static struct hg_cloud_param *
sorted(struct hg_arena *a, const struct hg_cloud_param *params, size_t n)
{
	struct hg_cloud_param	*s;

	s = hg_alloc(a, (n + 1) * sizeof(*s));
	if (n > 0)
		memcpy(s, params, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_param);
	return s;
}

/* Join name=enc(value) pairs with "&"; names encoded only when encname. */
static char *
join(struct hg_arena *a, const struct hg_cloud_param *s, size_t n,
    char *(*enc)(struct hg_arena *, const char *), int encname)
{
	char	**parts, *out, *q;
	size_t	 i, len = 1;

	parts = hg_alloc(a, (2 * n + 1) * sizeof(*parts));
	for (i = 0; i < n; i++) {
		parts[2 * i] = encname ? enc(a, s[i].p_name) :
		    (char *)s[i].p_name;
		parts[2 * i + 1] = enc(a, s[i].p_value);
		len += strlen(parts[2 * i]) + strlen(parts[2 * i + 1]) + 2;
	}
	out = q = hg_alloc(a, len);
	for (i = 0; i < n; i++) {
		if (i > 0)
			*q++ = '&';
		q = stpcpy(q, parts[2 * i]);
		*q++ = '=';
		q = stpcpy(q, parts[2 * i + 1]);
	}
	*q = '\0';
	return out;
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

static char *
hex(struct hg_arena *a, const unsigned char *bin, size_t len)
{
	char	*out = hg_alloc(a, len * 2 + 1);

	sodium_bin2hex(out, len * 2 + 1, bin, len);
	return out;
}

/* Aliyun RPC V2, doc steps 1-5. */
char *
hg_cloud_aliyun_sign(struct hg_arena *a, const char *method,
    const struct hg_cloud_param *params, size_t n, const char *secret,
    char **cqsp, char **stsp)
{
	unsigned char	 mac[HG_SHA1_LEN];
	char		*cqs, *sts, *key;

	cqs = join(a, sorted(a, params, n), n, hg_cloud_aliyun_encode, 1);
	sts = hg_printf(a, "%s&%s&%s", method, hg_cloud_aliyun_encode(a, "/"),
	    hg_cloud_aliyun_encode(a, cqs));
	key = hg_printf(a, "%s&", secret);
	hg_hmac_sha1(key, strlen(key), sts, strlen(sts), mac);
	sodium_memzero(key, strlen(key));
	if (cqsp != NULL)
		*cqsp = cqs;
	if (stsp != NULL)
		*stsp = sts;
	return b64(a, mac, sizeof(mac));
}

static void
sha256hex(struct hg_arena *a, const char *s, char **out)
{
	unsigned char	h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	*out = hex(a, h, sizeof(h));
}

static void
hmac256(const unsigned char *key, size_t keylen, const char *msg,
    unsigned char out[crypto_auth_hmacsha256_BYTES])
{
	crypto_auth_hmacsha256_state	st;

	crypto_auth_hmacsha256_init(&st, key, keylen);
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)msg,
	    strlen(msg));
	crypto_auth_hmacsha256_final(&st, out);
}

static char *
lower(struct hg_arena *a, const char *s)
{
	char	*out = hg_strdup(a, s), *p;

	for (p = out; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return out;
}

/* Tencent TC3-HMAC-SHA256 over "content-type;host" (doc's algorithm). */
char *
hg_cloud_tc3_sign(struct hg_arena *a, const char *secret_id,
    const char *secret_key, const char *service, const char *host,
    const char *content_type, const char *payload, time_t timestamp,
    char **creqp, char **stsp)
{
	unsigned char	 k[crypto_auth_hmacsha256_BYTES];
	char		 date[16], *creq, *sts, *h, *key, *scope;
	struct tm	 tm;

	gmtime_r(&timestamp, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	sha256hex(a, payload, &h);
	creq = hg_printf(a, "POST\n/\n\ncontent-type:%s\nhost:%s\n\n"
	    "content-type;host\n%s", lower(a, content_type), lower(a, host), h);
	scope = hg_printf(a, "%s/%s/tc3_request", date, service);
	sha256hex(a, creq, &h);
	sts = hg_printf(a, "TC3-HMAC-SHA256\n%lld\n%s\n%s",
	    (long long)timestamp, scope, h);
	key = hg_printf(a, "TC3%s", secret_key);
	hmac256((unsigned char *)key, strlen(key), date, k);
	sodium_memzero(key, strlen(key));
	hmac256(k, sizeof(k), service, k);
	hmac256(k, sizeof(k), "tc3_request", k);
	hmac256(k, sizeof(k), sts, k);
	h = hex(a, k, sizeof(k));
	sodium_memzero(k, sizeof(k));
	if (creqp != NULL)
		*creqp = creq;
	if (stsp != NULL)
		*stsp = sts;
	return hg_printf(a, "TC3-HMAC-SHA256 Credential=%s/%s, "
	    "SignedHeaders=content-type;host, Signature=%s", secret_id, scope, h);
}

/* CloudStack, as ApiServer.verifyRequest recomputes it. */
char *
hg_cloud_cs_sign(struct hg_arena *a, const struct hg_cloud_param *params,
    size_t n, const char *secret, char **strp)
{
	unsigned char	 mac[HG_SHA1_LEN];
	char		*s;

	s = lower(a, join(a, sorted(a, params, n), n, hg_cloud_cs_encode, 0));
	hg_hmac_sha1(secret, strlen(secret), s, strlen(s), mac);
	if (strp != NULL)
		*strp = s;
	return b64(a, mac, sizeof(mac));
}
