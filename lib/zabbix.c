/*
 * zabbix.c -- Zabbix 6.0 JSON-RPC over libcurl (see zabbix.h).
 *
 * One request at a time on one curl handle (connection reuse); every reply
 * is checked as a JSON-RPC 2.0 response to the id we sent.  Zabbix answers
 * errors with HTTP 200 and {"error": {"code", "message", "data"}}: those,
 * transport failures and malformed replies are all HG_ZBX_EFAIL, with the
 * reason in z_err.  Missing groups and templates are found by us (an
 * exact-name .get that returns fewer objects than asked), not by parsing
 * Zabbix's wording, which changes between versions.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "conf.h"
#include "httpbody.h"
#include "log.h"
#include "utf8.h"
#include "valid.h"
#include "zabbix.h"

#define MAXREPLY	(8 * 1024 * 1024)

static int
fail(struct hg_zbx *z, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct hg_zbx *z, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(z->z_err, sizeof(z->z_err), fmt, ap);
	va_end(ap);
	hg_utf8_trim(z->z_err);	/* a full buffer must not end mid-character */
	return code;
}

/* POST text to zabbix_url; *reply gets the body (free it), *len its length. */
static int
post(struct hg_zbx *z, const char *text, const char *method, char **reply,
    size_t *len)
{
	struct curl_slist	*hdr = NULL;
	struct hg_body		 b = { .max = MAXREPLY };
	long			 http = 0;
	CURLcode		 cc;
	int			 rc = 0;

	hdr = curl_slist_append(hdr, "Content-Type: application/json-rpc");
	curl_easy_setopt(z->z_curl, CURLOPT_URL, hg_conf.zabbix_url);
	curl_easy_setopt(z->z_curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(z->z_curl, CURLOPT_POSTFIELDS, text);
	curl_easy_setopt(z->z_curl, CURLOPT_WRITEFUNCTION, hg_body_collect);
	curl_easy_setopt(z->z_curl, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(z->z_curl, CURLOPT_TIMEOUT, hg_conf.zabbix_timeout);
	curl_easy_setopt(z->z_curl, CURLOPT_CONNECTTIMEOUT,
	    hg_conf.zabbix_timeout);
	curl_easy_setopt(z->z_curl, CURLOPT_NOSIGNAL, 1L);
	cc = curl_easy_perform(z->z_curl);
	curl_easy_getinfo(z->z_curl, CURLINFO_RESPONSE_CODE, &http);
	curl_slist_free_all(hdr);
	if (cc != CURLE_OK)
		rc = fail(z, HG_ZBX_EFAIL, "Zabbix %s: %s", method,
		    b.over ? "reply too large" : curl_easy_strerror(cc));
	else if (http != 200)
		rc = fail(z, HG_ZBX_EFAIL, "Zabbix %s: HTTP status %ld",
		    method, http);
	else if (b.data == NULL)
		rc = fail(z, HG_ZBX_EFAIL, "Zabbix %s: empty reply", method);
	if (rc != 0)
		free(b.data);
	else {
		*reply = b.data;
		*len = b.len;
	}
	return rc;
}

/*
 * Call method with params (consumed); *result points into a reply owned by
 * the arena.  user.login goes without "auth", everything else with it.
 */
static int
call(struct hg_zbx *z, const char *method, json_object *params,
    json_object **result)
{
	json_object	*req;
	char		*text = NULL;
	size_t		 len = 0;
	long long	 id = z->z_id++;
	int		 rc;

	req = json_object_new_object();
	json_object_object_add(req, "jsonrpc", json_object_new_string("2.0"));
	json_object_object_add(req, "method", json_object_new_string(method));
	json_object_object_add(req, "params", params);
	json_object_object_add(req, "id", json_object_new_int64(id));
	if (z->z_auth != NULL)
		json_object_object_add(req, "auth",
		    json_object_new_string(z->z_auth));
	rc = post(z, json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN),
	    method, &text, &len);
	json_object_put(req);
	if (rc != 0)
		return rc;
	rc = hg_zbx_reply(z, method, id, text, len, result);
	free(text);
	return rc;
}

/* ---- reading replies (pure) ---------------------------------------- */

/* v as one line of text for z_err ("" when absent). */
static const char *
line(struct hg_zbx *z, json_object *v)
{
	const char	*s;

	if (v == NULL)
		return "";
	s = json_object_get_string(v);
	return hg_utf8_line(z->z_arena, s,
	    json_object_is_type(v, json_type_string) ?
	    (size_t)json_object_get_string_len(v) : strlen(s));
}

int
hg_zbx_reply(struct hg_zbx *z, const char *method, long long id,
    const char *body, size_t len, json_object **result)
{
	json_object	*resp, *err, *v;
	int		 rc = 0;

	*result = NULL;
	if ((resp = hg_json_reply(body, len)) != NULL)
		hg_json_own(z->z_arena, resp);
	if (resp == NULL || !json_object_is_type(resp, json_type_object))
		rc = fail(z, HG_ZBX_EFAIL, "Zabbix %s: reply is not JSON-RPC",
		    method);
	else if (!json_object_object_get_ex(resp, "id", &v) ||
	    json_object_get_int64(v) != id)
		rc = fail(z, HG_ZBX_EFAIL, "Zabbix %s: reply to another request",
		    method);
	else if (json_object_object_get_ex(resp, "error", &err)) {
		json_object *m = NULL, *d = NULL, *c = NULL;

		if (json_object_is_type(err, json_type_object)) {
			json_object_object_get_ex(err, "code", &c);
			json_object_object_get_ex(err, "message", &m);
			json_object_object_get_ex(err, "data", &d);
		}
		rc = fail(z, HG_ZBX_EFAIL, "Zabbix %s failed (%d): %s %s", method,
		    json_object_get_int(c), line(z, m), line(z, d));
	} else if (!json_object_object_get_ex(resp, "result", result))
		rc = fail(z, HG_ZBX_EFAIL, "Zabbix %s: reply without result",
		    method);
	return rc;
}

int
hg_zbx_token(struct hg_zbx *z, json_object *result, const char **token)
{
	const char	*s;
	int		 i, n;

	*token = NULL;
	if (!json_object_is_type(result, json_type_string) ||
	    (n = json_object_get_string_len(result)) == 0)
		return fail(z, HG_ZBX_EFAIL, "Zabbix user.login: no token");
	/* Session and API tokens are hex; nothing else goes back in "auth". */
	s = json_object_get_string(result);
	for (i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return fail(z, HG_ZBX_EFAIL,
			    "Zabbix user.login: not a token");
	*token = hg_strdup(z->z_arena, s);
	return 0;
}

/* v as a C string when it is a string without NUL or a number, or NULL. */
static const char *
scalar(json_object *v)
{
	if (json_object_is_type(v, json_type_string))
		return strlen(json_object_get_string(v)) ==
		    (size_t)json_object_get_string_len(v) ?
		    json_object_get_string(v) : NULL;
	if (json_object_is_type(v, json_type_int))
		return json_object_get_string(v);
	return NULL;
}

const char *
hg_zbx_find(json_object *res, const char *key, const char *name,
    const char *idkey)
{
	json_object	*o, *v;
	const char	*s;
	size_t		 i;

	if (!json_object_is_type(res, json_type_array))
		return NULL;
	for (i = 0; i < json_object_array_length(res); i++) {
		o = json_object_array_get_idx(res, i);
		if (json_object_is_type(o, json_type_object) &&
		    json_object_object_get_ex(o, key, &v) &&
		    (s = scalar(v)) != NULL && strcmp(s, name) == 0 &&
		    json_object_object_get_ex(o, idkey, &v) &&
		    (s = scalar(v)) != NULL && *s != '\0')
			return s;
	}
	return NULL;
}

int
hg_zbx_created(struct hg_zbx *z, json_object *result, const char *host,
    const char **hostid)
{
	json_object	*ids;

	*hostid = NULL;
	if (!json_object_is_type(result, json_type_object) ||
	    !json_object_object_get_ex(result, "hostids", &ids) ||
	    !json_object_is_type(ids, json_type_array) ||
	    json_object_array_length(ids) == 0 ||
	    (*hostid = scalar(json_object_array_get_idx(ids, 0))) == NULL ||
	    **hostid == '\0') {
		*hostid = NULL;
		return fail(z, HG_ZBX_EFAIL, "Zabbix created host \"%s\" "
		    "but did not give its hostid", host);
	}
	return 0;
}

/* ---- the client ---------------------------------------------------- */

int
hg_zbx_configured(void)
{
	return hg_conf.zabbix_url != NULL && hg_conf.zabbix_url[0] != '\0';
}

int
hg_zbx_open(struct hg_zbx *z, struct hg_arena *a)
{
	json_object	*p, *res;
	const char	*token;
	int		 rc;

	memset(z, 0, sizeof(*z));
	z->z_arena = a;
	z->z_id = 1;
	if (!hg_zbx_configured())
		return fail(z, HG_ZBX_EFAIL, "Zabbix is not configured "
		    "(zabbix_url in hangar.conf)");
	if ((z->z_curl = curl_easy_init()) == NULL)
		return fail(z, HG_ZBX_EFAIL, "Zabbix: curl_easy_init failed");
	p = json_object_new_object();
	json_object_object_add(p, "username",
	    json_object_new_string(hg_conf.zabbix_user));
	json_object_object_add(p, "password",
	    json_object_new_string(hg_conf.zabbix_password));
	if ((rc = call(z, "user.login", p, &res)) != 0 ||
	    (rc = hg_zbx_token(z, res, &token)) != 0)
		return rc;
	z->z_auth = (char *)token;
	return 0;
}

void
hg_zbx_close(struct hg_zbx *z)
{
	json_object *res;

	if (z->z_auth != NULL &&
	    call(z, "user.logout", json_object_new_array(), &res) != 0)
		log_warn("%s", z->z_err);
	z->z_auth = NULL;
	if (z->z_curl != NULL)
		curl_easy_cleanup(z->z_curl);
	z->z_curl = NULL;
}

/*
 * Resolve names with method (hostgroup.get / template.get): filter on
 * key (and key2, a second lookup for templates' visible names); missing
 * names are code.
 */
static int
resolve(struct hg_zbx *z, const char *method, const char *key,
    const char *key2, const char *idkey, int code, const char *what,
    json_object *names, json_object **refs)
{
	json_object	*p, *f, *out, *res = NULL, *res2 = NULL, *ref;
	const char	*name, *id;
	size_t		 i, n = json_object_array_length(names);
	int		 rc, pass;

	*refs = hg_json_own(z->z_arena, json_object_new_array());
	if (n == 0)
		return 0;
	for (pass = 0; pass < (key2 != NULL ? 2 : 1); pass++) {
		p = json_object_new_object();
		out = json_object_new_array();
		json_object_array_add(out, json_object_new_string(idkey));
		json_object_array_add(out, json_object_new_string(key));
		if (key2 != NULL)
			json_object_array_add(out, json_object_new_string(key2));
		json_object_object_add(p, "output", out);
		f = json_object_new_object();
		json_object_object_add(f, pass == 0 ? key : key2,
		    json_object_get(names));
		json_object_object_add(p, "filter", f);
		if ((rc = call(z, method, p, pass == 0 ? &res : &res2)) != 0)
			return rc;
	}
	for (i = 0; i < n; i++) {
		name = json_object_get_string(json_object_array_get_idx(names, i));
		if ((id = hg_zbx_find(res, key, name, idkey)) == NULL &&
		    res2 != NULL)
			id = hg_zbx_find(res2, key2, name, idkey);
		if (id == NULL)
			return fail(z, code, "Zabbix %s \"%s\" does not exist",
			    what, name);
		ref = json_object_new_object();
		json_object_object_add(ref, idkey, json_object_new_string(id));
		json_object_array_add(*refs, ref);
	}
	return 0;
}

int
hg_zbx_groups(struct hg_zbx *z, json_object *names, json_object **refs)
{
	return resolve(z, "hostgroup.get", "name", NULL, "groupid",
	    HG_ZBX_EGROUP, "host group", names, refs);
}

int
hg_zbx_templates(struct hg_zbx *z, json_object *names, json_object **refs)
{
	return resolve(z, "template.get", "host", "name", "templateid",
	    HG_ZBX_ETEMPLATE, "template", names, refs);
}

int
hg_zbx_host_id(struct hg_zbx *z, const char *host, const char **hostid)
{
	json_object	*p, *f, *names, *out, *res;
	int		 rc;

	*hostid = NULL;
	p = json_object_new_object();
	out = json_object_new_array();
	json_object_array_add(out, json_object_new_string("hostid"));
	json_object_array_add(out, json_object_new_string("host"));
	json_object_object_add(p, "output", out);
	names = json_object_new_array();
	json_object_array_add(names, json_object_new_string(host));
	f = json_object_new_object();
	json_object_object_add(f, "host", names);
	json_object_object_add(p, "filter", f);
	if ((rc = call(z, "host.get", p, &res)) != 0)
		return rc;
	*hostid = hg_zbx_find(res, "host", host, "hostid");
	return 0;
}

static json_object *
interfaces(const char *ip)
{
	json_object *a = json_object_new_array(), *i = json_object_new_object();

	json_object_object_add(i, "type", json_object_new_int(1));
	json_object_object_add(i, "main", json_object_new_int(1));
	json_object_object_add(i, "useip", json_object_new_int(1));
	json_object_object_add(i, "ip", json_object_new_string(ip));
	json_object_object_add(i, "dns", json_object_new_string(""));
	json_object_object_add(i, "port", json_object_new_string("10050"));
	json_object_array_add(a, i);
	return a;
}

/* Does Zabbix have a host with this hostid? */
static int
host_exists(struct hg_zbx *z, const char *hostid, int *found)
{
	json_object	*p, *f, *ids, *out, *res;
	int		 rc;

	*found = 0;
	p = json_object_new_object();
	out = json_object_new_array();
	json_object_array_add(out, json_object_new_string("hostid"));
	json_object_object_add(p, "output", out);
	ids = json_object_new_array();
	json_object_array_add(ids, json_object_new_string(hostid));
	f = json_object_new_object();
	json_object_object_add(f, "hostid", ids);
	json_object_object_add(p, "filter", f);
	if ((rc = call(z, "host.get", p, &res)) != 0)
		return rc;
	*found = hg_zbx_find(res, "hostid", hostid, "hostid") != NULL;
	return 0;
}

int
hg_zbx_host_save(struct hg_zbx *z, const char *hostid, const char *host,
    const char *ip, json_object *groups, json_object *templates,
    const char **saved)
{
	json_object	*g, *t, *p, *res;
	const char	*other;
	int		 rc, found = 0;

	*saved = NULL;
	if (json_object_array_length(groups) == 0)
		return fail(z, HG_ZBX_EGROUP,
		    "a Zabbix host needs at least one host group");
	if ((rc = hg_zbx_groups(z, groups, &g)) != 0 ||
	    (rc = hg_zbx_templates(z, templates, &t)) != 0 ||
	    (hostid != NULL && (rc = host_exists(z, hostid, &found)) != 0))
		return rc;
	p = json_object_new_object();
	if (found)
		json_object_object_add(p, "hostid",
		    json_object_new_string(hostid));
	else {
		/* Never take over a Zabbix host Hangar did not register. */
		if ((rc = hg_zbx_host_id(z, host, &other)) != 0) {
			json_object_put(p);
			return rc;
		}
		if (other != NULL) {
			json_object_put(p);
			return fail(z, HG_ZBX_EFAIL, "Zabbix already has a host "
			    "named \"%s\" that Hangar did not register; "
			    "rename or remove it in Zabbix first", host);
		}
		json_object_object_add(p, "host", json_object_new_string(host));
		if (ip != NULL)
			json_object_object_add(p, "interfaces", interfaces(ip));
	}
	json_object_object_add(p, "groups", json_object_get(g));
	json_object_object_add(p, "templates", json_object_get(t));
	if ((rc = call(z, found ? "host.update" : "host.create", p, &res)) != 0)
		return rc;
	if (found) {
		*saved = hostid;
		return 0;
	}
	return hg_zbx_created(z, res, host, saved);
}

int
hg_zbx_host_delete(struct hg_zbx *z, const char *hostid)
{
	json_object	*p, *res;
	int		 rc, found;

	if (hostid == NULL || (rc = host_exists(z, hostid, &found)) != 0 ||
	    !found)
		return hostid == NULL ? 0 : rc;
	p = json_object_new_array();
	json_object_array_add(p, json_object_new_string(hostid));
	return call(z, "host.delete", p, &res);
}
