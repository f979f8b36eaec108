/*
 * dns_pdns.c -- the PowerDNS backend of dns.h: the Authoritative Server's
 * HTTP API (/api/v1/servers/localhost, X-API-Key) through libcurl.
 * Facts and pitfalls: /work/shared/reference/external-apis.md section 5.
 *
 *   zone create   POST   .../zones {"name": "z.", "kind": "Native"}
 *   zone delete   DELETE .../zones/z.
 *   update        PATCH  .../zones/z. {"rrsets": [changetype REPLACE |
 *                 DELETE ...]}, one PATCH for all changes (atomic)
 *   list          GET    .../zones/z.
 *   check         GET    .../servers/localhost
 *
 * Names get their trailing dot here, targets too (CNAME, NS, MX), and TXT
 * is quoted; on the way back both are undone (dns.h's canonical form).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "arena.h"
#include "dns.h"
#include "httpbody.h"
#include "utf8.h"

#define MAXREPLY	(16 * 1024 * 1024)

static int
fail(char *msg, size_t msglen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
fail(char *msg, size_t msglen, int code, const char *fmt, ...)
{
	va_list ap;

	if (msglen == 0)
		return code;
	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	hg_utf8_trim(msg);
	return code;
}

/* The API's base: the endpoint without a trailing "/" or "/api/v1". */
static char *
base(struct hg_arena *a, const char *ep)
{
	char	*b = hg_strdup(a, ep);
	size_t	 n = strlen(b);

	while (n > 0 && b[n - 1] == '/')
		b[--n] = '\0';
	if (n >= 7 && strcmp(b + n - 7, "/api/v1") == 0)
		b[n -= 7] = '\0';
	while (n > 0 && b[n - 1] == '/')
		b[--n] = '\0';
	return hg_printf(a, "%s/api/v1/servers/localhost", b);
}

/* A zone's id in a URL: the name with its dot, [A-Za-z0-9.-] kept and
 * every other byte as =XX. */
static char *
zone_id(struct hg_arena *a, const char *zone)
{
	char	*o = hg_alloc(a, strlen(zone) * 3 + 2), *p = o;

	for (; *zone != '\0'; zone++) {
		unsigned char c = (unsigned char)*zone;

		if (isalnum(c) || c == '.' || c == '-')
			*p++ = (char)c;
		else
			p += sprintf(p, "=%02X", c);
	}
	*p++ = '.';
	*p = '\0';
	return o;
}

/* The server's words from an error body: {"error": "..."} or the text. */
static const char *
words(struct hg_arena *a, const struct hg_body *b)
{
	json_object	*j, *e;
	const char	*s = NULL;
	char		*o;

	if (b->data == NULL || b->len == 0)
		return "";
	if ((j = json_tokener_parse(b->data)) != NULL) {
		if (json_object_object_get_ex(j, "error", &e))
			s = hg_strdup(a, json_object_get_string(e));
		json_object_put(j);
	}
	if (s == NULL)
		s = hg_strndup(a, b->data, b->len > 200 ? 200 : b->len);
	/* one line, printable: it goes into a message and the log */
	o = hg_strdup(a, s);
	for (char *p = o; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	if (strlen(o) > 300)
		o[300] = '\0';
	return o;
}

/*
 * One curl handle per thread, kept between calls: a server that keeps
 * connections alive is not dialled again for every change.  PowerDNS 4.7
 * (Debian 12's) answers every API call with "Connection: close", so there
 * each call is a new TCP connection all the same, as it is for any other
 * client of that API.  A hangard worker has one thread; each of the
 * agent's threads has its own handle.  curl_easy_reset clears the options,
 * never the open connections.
 */
static _Thread_local CURL *kept;

/*
 * One API call.  path follows the base; body may be NULL.  On 2xx *out (if
 * not NULL) gets the parsed JSON body (NULL when empty; the caller puts
 * it).  Any other answer is an error with msg filled.
 */
static int
call(const struct hg_dns_server *sv, struct hg_arena *a, const char *method,
    const char *path, const char *body, json_object **out, long *status,
    char *msg, size_t msglen)
{
	CURL			*c;
	struct curl_slist	*hdr = NULL;
	struct hg_body		 b = { .max = MAXREPLY };
	long			 http = 0, ms = hg_dns_timeout_ms(sv);
	CURLcode		 cc;
	int			 rc = HG_DNS_OK;
	char			*url, *key;

	if (out != NULL)
		*out = NULL;
	if (sv->sv_api_endpoint == NULL || sv->sv_api_endpoint[0] == '\0')
		return fail(msg, msglen, HG_DNS_EINVAL,
		    "the PowerDNS server has no api_endpoint");
	if (strncmp(sv->sv_api_endpoint, "http://", 7) != 0 &&
	    strncmp(sv->sv_api_endpoint, "https://", 8) != 0)
		return fail(msg, msglen, HG_DNS_EINVAL,
		    "api_endpoint must be an http:// or https:// URL");
	if (sv->sv_api_key == NULL || sv->sv_api_key[0] == '\0')
		return fail(msg, msglen, HG_DNS_EINVAL,
		    "the PowerDNS server has no api_key");
	if (kept == NULL && (kept = curl_easy_init()) == NULL)
		return fail(msg, msglen, HG_DNS_EUNREACH, "PowerDNS: "
		    "out of memory");
	c = kept;
	url = hg_printf(a, "%s%s", base(a, sv->sv_api_endpoint), path);
	key = hg_printf(a, "X-API-Key: %s", sv->sv_api_key);
	hdr = curl_slist_append(hdr, key);
	hdr = curl_slist_append(hdr, "Accept: application/json");
	if (body != NULL)
		hdr = curl_slist_append(hdr, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	if (body != NULL)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, hg_body_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &http);
	curl_easy_reset(c);	/* forget the headers and body freed below */
	curl_slist_free_all(hdr);
	/* the key is in the arena until reset; wipe our copy now */
	memset(key, 0, strlen(key));
	if (status != NULL)
		*status = http;
	if (cc == CURLE_OPERATION_TIMEDOUT)
		rc = fail(msg, msglen, HG_DNS_ETIMEOUT, "PowerDNS did not "
		    "answer %s %s within %ld ms", method, path, ms);
	else if (cc != CURLE_OK)
		rc = fail(msg, msglen, HG_DNS_EUNREACH, "PowerDNS is "
		    "unreachable: %s", b.over ? "answer too large" :
		    curl_easy_strerror(cc));
	else if (http == 401 || http == 403)
		rc = fail(msg, msglen, HG_DNS_EREFUSED, "PowerDNS refused "
		    "the API key (HTTP %ld)", http);
	else if (http < 200 || http > 299)
		rc = fail(msg, msglen, HG_DNS_EREFUSED, "PowerDNS refused "
		    "%s %s: HTTP %ld %s", method, path, http, words(a, &b));
	else if (out != NULL && b.len > 0) {
		if ((*out = json_tokener_parse(b.data)) == NULL)
			rc = fail(msg, msglen, HG_DNS_EUNREACH, "PowerDNS "
			    "answered %s %s with something that is not JSON",
			    method, path);
	}
	free(b.data);
	return rc;
}

/* ---- values: canonical form <-> PowerDNS content ------------------ */

static char *
txt_quote(struct hg_arena *a, const char *v)
{
	size_t	 n = strlen(v), i, run = 0;
	char	*o = hg_alloc(a, n * 2 + (n / 255 + 1) * 3 + 3), *p = o;

	*p++ = '"';
	for (i = 0; i < n; i++) {
		if (run == 255) {	/* next character-string */
			*p++ = '"';
			*p++ = ' ';
			*p++ = '"';
			run = 0;
		}
		if (v[i] == '"' || v[i] == '\\')
			*p++ = '\\';
		*p++ = v[i];
		run++;
	}
	*p++ = '"';
	*p = '\0';
	return o;
}

/* "\"a\" \"b\"" -> "ab", with \" \\ and \DDD undone. */
static char *
txt_unquote(struct hg_arena *a, const char *c)
{
	char	*o = hg_alloc(a, strlen(c) + 1), *p = o;
	int	 in = 0;

	for (; *c != '\0'; c++) {
		if (*c == '"') {
			in = !in;
			continue;
		}
		if (!in)
			continue;
		if (*c == '\\' && isdigit((unsigned char)c[1]) &&
		    isdigit((unsigned char)c[2]) &&
		    isdigit((unsigned char)c[3])) {
			*p++ = (char)((c[1] - '0') * 100 + (c[2] - '0') * 10 +
			    (c[3] - '0'));
			c += 3;
		} else if (*c == '\\' && c[1] != '\0')
			*p++ = *++c;
		else
			*p++ = *c;
	}
	*p = '\0';
	return o;
}

static char *
content(struct hg_arena *a, const char *type, const char *v)
{
	if (strcmp(type, "CNAME") == 0 || strcmp(type, "NS") == 0)
		return hg_printf(a, "%s.", v);
	if (strcmp(type, "MX") == 0)
		return hg_printf(a, "%s.", v);	/* "10 mail.x" -> "10 mail.x." */
	if (strcmp(type, "TXT") == 0)
		return txt_quote(a, v);
	return hg_strdup(a, v);
}

static char *
lower_nodot(struct hg_arena *a, const char *s)
{
	char	*o = hg_strdup(a, s);
	size_t	 n = strlen(o);

	if (n > 1 && o[n - 1] == '.')
		o[n - 1] = '\0';
	for (char *p = o; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return o;
}

static char *
value(struct hg_arena *a, const char *type, const char *c)
{
	if (strcmp(type, "TXT") == 0)
		return txt_unquote(a, c);
	if (strcmp(type, "CNAME") == 0 || strcmp(type, "NS") == 0 ||
	    strcmp(type, "MX") == 0)
		return lower_nodot(a, c);
	if (strcmp(type, "AAAA") == 0)
		return lower_nodot(a, c);
	return hg_strdup(a, c);
}

/* ---- the backend ---------------------------------------------------- */

static int
pdns_check(const struct hg_dns_server *sv, char *msg, size_t msglen)
{
	struct hg_arena	 a;
	json_object	*j = NULL, *t;
	int		 rc;

	hg_arena_init(&a);
	rc = call(sv, &a, "GET", "", NULL, &j, NULL, msg, msglen);
	if (rc == HG_DNS_OK && (j == NULL ||
	    !json_object_object_get_ex(j, "daemon_type", &t)))
		rc = fail(msg, msglen, HG_DNS_EUNREACH, "the endpoint "
		    "answered, but not as a PowerDNS server");
	json_object_put(j);
	hg_arena_free(&a);
	return rc;
}

static int
pdns_zone_create(const struct hg_dns_server *sv, const char *zone,
    char *msg, size_t msglen)
{
	struct hg_arena	 a;
	json_object	*req, *j = NULL;
	long		 st = 0;
	int		 rc;

	hg_arena_init(&a);
	/* exists already?  Then it is taken over as it is. */
	rc = call(sv, &a, "GET", hg_printf(&a, "/zones?zone=%s.", zone),
	    NULL, &j, NULL, msg, msglen);
	if (rc == HG_DNS_OK && json_object_is_type(j, json_type_array) &&
	    json_object_array_length(j) > 0)
		goto out;
	if (rc != HG_DNS_OK)
		goto out;
	req = json_object_new_object();
	json_object_object_add(req, "name",
	    json_object_new_string(hg_printf(&a, "%s.", zone)));
	json_object_object_add(req, "kind", json_object_new_string("Native"));
	json_object_object_add(req, "nameservers", json_object_new_array());
	rc = call(sv, &a, "POST", "/zones?rrsets=false",
	    json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN), NULL,
	    &st, msg, msglen);
	json_object_put(req);
	if (rc == HG_DNS_EREFUSED && st == 409)
		rc = HG_DNS_OK;	/* created meanwhile: take it over */
out:
	json_object_put(j);
	hg_arena_free(&a);
	return rc;
}

static int
pdns_zone_delete(const struct hg_dns_server *sv, const char *zone,
    const struct hg_dns_rrset *known, size_t nknown, char *msg, size_t msglen)
{
	struct hg_arena	 a;
	long		 st = 0;
	int		 rc;

	(void)known;
	(void)nknown;
	hg_arena_init(&a);
	rc = call(sv, &a, "DELETE", hg_printf(&a, "/zones/%s",
	    zone_id(&a, zone)), NULL, NULL, &st, msg, msglen);
	if (rc == HG_DNS_EREFUSED && st == 404)
		rc = HG_DNS_OK;	/* already gone */
	hg_arena_free(&a);
	return rc;
}

static int
pdns_update(const struct hg_dns_server *sv, const char *zone,
    const struct hg_dns_change *ch, size_t n, char *msg, size_t msglen)
{
	struct hg_arena	 a;
	json_object	*req, *sets, *s, *recs, *r;
	size_t		 i, k;
	int		 rc;

	hg_arena_init(&a);
	req = json_object_new_object();
	sets = json_object_new_array();
	for (i = 0; i < n; i++) {
		const struct hg_dns_rrset *rs = &ch[i].ch_rrset;

		s = json_object_new_object();
		json_object_object_add(s, "name", json_object_new_string(
		    hg_printf(&a, "%s.", rs->rs_name)));
		json_object_object_add(s, "type",
		    json_object_new_string(rs->rs_type));
		if (ch[i].ch_op == HG_DNS_DELETE || rs->rs_n == 0) {
			json_object_object_add(s, "changetype",
			    json_object_new_string("DELETE"));
		} else {
			json_object_object_add(s, "changetype",
			    json_object_new_string("REPLACE"));
			json_object_object_add(s, "ttl",
			    json_object_new_int64(rs->rs_ttl));
			recs = json_object_new_array();
			for (k = 0; k < rs->rs_n; k++) {
				r = json_object_new_object();
				json_object_object_add(r, "content",
				    json_object_new_string(content(&a,
				    rs->rs_type, rs->rs_rr[k].rr_value)));
				json_object_object_add(r, "disabled",
				    json_object_new_boolean(
				    rs->rs_rr[k].rr_disabled != 0));
				json_object_array_add(recs, r);
			}
			json_object_object_add(s, "records", recs);
		}
		json_object_array_add(sets, s);
	}
	json_object_object_add(req, "rrsets", sets);
	rc = call(sv, &a, "PATCH", hg_printf(&a, "/zones/%s",
	    zone_id(&a, zone)), json_object_to_json_string_ext(req,
	    JSON_C_TO_STRING_PLAIN), NULL, NULL, msg, msglen);
	json_object_put(req);
	hg_arena_free(&a);
	return rc;
}

static int
pdns_zone_list(const struct hg_dns_server *sv, struct hg_arena *out_a,
    const char *zone, struct hg_dns_rrset **out, size_t *nout, char *msg,
    size_t msglen)
{
	struct hg_arena		 a;
	json_object		*j = NULL, *sets, *s, *v, *recs, *r;
	struct hg_dns_rrset	*rs;
	struct hg_dns_rr	*rr;
	size_t			 i, k, n, m;
	int			 rc;

	*out = NULL;
	*nout = 0;
	hg_arena_init(&a);
	rc = call(sv, &a, "GET", hg_printf(&a, "/zones/%s", zone_id(&a,
	    zone)), NULL, &j, NULL, msg, msglen);
	if (rc != HG_DNS_OK)
		goto out;
	if (j == NULL || !json_object_object_get_ex(j, "rrsets", &sets) ||
	    !json_object_is_type(sets, json_type_array)) {
		rc = fail(msg, msglen, HG_DNS_EUNREACH, "PowerDNS answered "
		    "the zone without rrsets");
		goto out;
	}
	n = json_object_array_length(sets);
	rs = hg_alloc(out_a, (n + 1) * sizeof(*rs));
	for (i = 0; i < n; i++) {
		const char *type, *name;

		s = json_object_array_get_idx(sets, i);
		if (!json_object_object_get_ex(s, "type", &v))
			continue;
		type = json_object_get_string(v);
		/* the SOA is the server's; other types go to import's
		   report of what it skipped */
		if (strcmp(type, "SOA") == 0 ||
		    !json_object_object_get_ex(s, "name", &v))
			continue;
		name = json_object_get_string(v);
		rs[*nout].rs_name = lower_nodot(out_a, name);
		rs[*nout].rs_type = hg_strdup(out_a, type);
		rs[*nout].rs_ttl = json_object_object_get_ex(s, "ttl", &v) ?
		    (unsigned)json_object_get_int64(v) : 0;
		if (!json_object_object_get_ex(s, "records", &recs) ||
		    !json_object_is_type(recs, json_type_array))
			continue;
		m = json_object_array_length(recs);
		rr = hg_alloc(out_a, (m + 1) * sizeof(*rr));
		for (k = 0; k < m; k++) {
			r = json_object_array_get_idx(recs, k);
			rr[k].rr_value = json_object_object_get_ex(r,
			    "content", &v) ? value(out_a, type,
			    json_object_get_string(v)) : "";
			rr[k].rr_disabled = json_object_object_get_ex(r,
			    "disabled", &v) && json_object_get_boolean(v);
		}
		rs[*nout].rs_n = m;
		rs[*nout].rs_rr = rr;
		(*nout)++;
	}
	*out = *nout > 0 ? rs : NULL;
out:
	json_object_put(j);
	hg_arena_free(&a);
	return rc;
}

const struct hg_dns_backend hg_dns_powerdns = {
	"powerdns", pdns_check, pdns_zone_create, pdns_zone_delete,
	pdns_update, pdns_zone_list,
};
