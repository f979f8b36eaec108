/*
 * cloud_accounts.c -- /cloud-accounts/: the API keys hangar-agent uses to
 * start, stop and reboot cloud hosts (API.md sections 4 and 6; the adapters
 * are lib/cloud.c).  Superusers only.
 *
 * The secret is write-only: it is sealed with the server key (lib/secret.c)
 * before it reaches the database and every read shows "******".  It never
 * appears in a response, an audit record or a log line; audit records only
 * say that it was replaced.  An account that a host still names
 * (hosts.cloud_account_id) can be neither deleted nor moved to another
 * provider (409).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "hangard.h"

#define CA_COLS "c.id, c.name, c.provider, c.endpoint, c.access_key, " \
	"c.description, c.created_time"

static const char *const providers[] = { "ALIYUN", "TENCENT", "CLOUDSTACK",
    NULL };

static json_object *
ca_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", hg_jint(HG_CELL(rs, i, 0)));
	json_object_object_add(o, "name", hg_jstr(HG_CELL(rs, i, 1)));
	json_object_object_add(o, "provider", hg_jstr(HG_CELL(rs, i, 2)));
	json_object_object_add(o, "endpoint", hg_jstr(HG_CELL(rs, i, 3)));
	json_object_object_add(o, "access_key", hg_jstr(HG_CELL(rs, i, 4)));
	json_object_object_add(o, "secret", json_object_new_string("******"));
	json_object_object_add(o, "description", hg_jstr(HG_CELL(rs, i, 5)));
	json_object_object_add(o, "created_time", hg_jtime(r, HG_CELL(rs, i, 6)));
	return o;
}

/* Load one account (locked for the request's transaction when lock). */
static int
ca_load(struct hg_req *r, long long id, int lock, struct hg_rows **rs)
{
	int	rc;

	if ((rc = hg_db_query(r->r_db, r->r_arena, rs, lock ?
	    "SELECT " CA_COLS " FROM cloud_accounts c WHERE c.id = ? FOR UPDATE" :
	    "SELECT " CA_COLS " FROM cloud_accounts c WHERE c.id = ?", "i",
	    id)) != 0)
		return hg_fail(r, rc, NULL);
	if ((*rs)->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no cloud account with id %lld",
		    id);
	return 0;
}

static int
ca_reply(struct hg_req *r, long long id, int status)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = ca_load(r, id, 0, &rs)) != 0)
		return rc;
	return hg_reply(r, status, ca_json(r, rs, 0));
}

/*
 * An absolute http(s) URL with a host: printable ASCII only, no spaces.
 * The adapters send requests there, so anything else is refused early.
 */
static const char *
check_endpoint(const char *s)
{
	const char	*p;

	if (strncasecmp(s, "http://", 7) == 0)
		p = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		p = s + 8;
	else
		return "must be an http:// or https:// URL";
	if (*p == '\0' || strchr("/?#:@", *p) != NULL)
		return "must name a host";
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return "must be an http:// or https:// URL without "
			    "spaces or non-ASCII characters";
	return NULL;
}

enum { CQ_NAME, CQ_PROVIDER, CQ__MAX };
static const struct hg_field list_q[CQ__MAX] = {
	[CQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
	[CQ_PROVIDER] = { "provider", HG_V_ENUM, HG_V_NOCASE, 0, 0, providers },
};

/* GET /cloud-accounts/?name=&provider= */
static int
ca_list(struct hg_req *r)
{
	struct hg_val	v[CQ__MAX];
	struct hg_page	pg;
	int		rc;

	if ((rc = hg_query(r, list_q, CQ__MAX, v)) != 0 ||
	    (rc = hg_page(r, &pg)) != 0)
		return rc;
	return hg_list_v0(r, &pg, ca_json, "SELECT " CA_COLS ", COUNT(*) OVER () "
	    "FROM cloud_accounts c WHERE c.name LIKE COALESCE(?, '%') "
	    "AND c.provider = COALESCE(?, c.provider) "
	    "ORDER BY c.id DESC LIMIT ? OFFSET ?", "ss",
	    hg_like(r, &v[CQ_NAME]), v[CQ_PROVIDER].s);
}

enum { CF_NAME, CF_PROVIDER, CF_ENDPOINT, CF_KEY, CF_SECRET, CF_DESC,
    CF__MAX };
static const struct hg_field create_fields[CF__MAX] = {
	[CF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = hg_check_noctl },
	[CF_PROVIDER] = { "provider", HG_V_ENUM, HG_V_REQUIRED | HG_V_NOCASE,
	    0, 0, providers },
	[CF_ENDPOINT] = { "endpoint", HG_V_STR, HG_V_REQUIRED, 1, 1024,
	    .f_check = check_endpoint },
	[CF_KEY] = { "access_key", HG_V_STR, HG_V_REQUIRED, 1, 256,
	    .f_check = hg_check_noctl },
	[CF_SECRET] = { "secret", HG_V_STR, HG_V_REQUIRED, 1, 4096,
	    .f_check = hg_check_noctl },
	[CF_DESC] = { "description", HG_V_STR, 0, 0, 1024 },
};
static const struct hg_field patch_fields[CF__MAX] = {
	[CF_NAME] = { "name", HG_V_STR, 0, 1, 128, .f_check = hg_check_noctl },
	[CF_PROVIDER] = { "provider", HG_V_ENUM, HG_V_NOCASE, 0, 0, providers },
	[CF_ENDPOINT] = { "endpoint", HG_V_STR, 0, 1, 1024,
	    .f_check = check_endpoint },
	[CF_KEY] = { "access_key", HG_V_STR, 0, 1, 256,
	    .f_check = hg_check_noctl },
	[CF_SECRET] = { "secret", HG_V_STR, 0, 1, 4096,
	    .f_check = hg_check_noctl },
	[CF_DESC] = { "description", HG_V_STR, 0, 0, 1024 },
};

/* POST /cloud-accounts/ */
static int
ca_create(struct hg_req *r)
{
	struct hg_val	 v[CF__MAX];
	char		*sealed;
	long long	 id;
	int		 rc;

	if ((rc = hg_body(r, create_fields, CF__MAX, v)) != 0 ||
	    (rc = hg_seal_input(r, v[CF_SECRET].s, &sealed)) != 0)
		return rc;
	rc = hg_db_exec(r->r_db, "INSERT INTO cloud_accounts (name, provider, "
	    "endpoint, access_key, secret, description) VALUES (?, ?, ?, ?, ?, ?)",
	    "ssssss", v[CF_NAME].s, v[CF_PROVIDER].s, v[CF_ENDPOINT].s,
	    v[CF_KEY].s, sealed, v[CF_DESC].s != NULL ? v[CF_DESC].s : "");
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "cloud account name \"%s\" is taken",
		    v[CF_NAME].s);
	if (rc != 0)
		return hg_fail(r, rc, NULL);
	id = (long long)hg_db_insert_id(r->r_db);
	if ((rc = hg_audit(r, "cloud_account", id, v[CF_NAME].s, "add",
	    hg_printf(r->r_arena, "created cloud account \"%s\": provider %s, "
	    "endpoint %s, access key %s, secret set", v[CF_NAME].s,
	    v[CF_PROVIDER].s, v[CF_ENDPOINT].s, v[CF_KEY].s))) != 0)
		return rc;
	return ca_reply(r, id, 201);
}

/* GET /cloud-accounts/{id}/ */
static int
ca_get(struct hg_req *r)
{
	return ca_reply(r, r->r_ids[0], 200);
}

/* Hosts that name account id. */
static int
ca_hosts(struct hg_req *r, long long id, long long *n)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT COUNT(*) FROM "
	    "hosts WHERE cloud_account_id = ?", "i", id)) != 0)
		return hg_fail(r, rc, NULL);
	*n = strtoll(HG_CELL(rs, 0, 0), NULL, 10);
	return 0;
}

/* PATCH /cloud-accounts/{id}/ */
static int
ca_patch(struct hg_req *r)
{
	struct hg_val	 v[CF__MAX];
	struct hg_rows	*old;
	char		*sealed = NULL;
	const char	*d = "";
	long long	 nhosts;
	int		 rc;

	if ((rc = ca_load(r, r->r_ids[0], 1, &old)) != 0 ||
	    (rc = hg_body(r, patch_fields, CF__MAX, v)) != 0)
		return rc;
	if (v[CF_PROVIDER].present &&
	    strcmp(v[CF_PROVIDER].s, HG_CELL(old, 0, 2)) != 0) {
		if ((rc = ca_hosts(r, r->r_ids[0], &nhosts)) != 0)
			return rc;
		if (nhosts > 0)
			return hg_fail(r, HG_E_CONFLICT, "cloud account \"%s\" is "
			    "used by %lld host(s); its provider cannot change",
			    HG_CELL(old, 0, 1), nhosts);
	}
	if (v[CF_SECRET].present &&
	    (rc = hg_seal_input(r, v[CF_SECRET].s, &sealed)) != 0)
		return rc;
	hg_audit_changed(r, &d, "name", HG_CELL(old, 0, 1), &v[CF_NAME]);
	hg_audit_changed(r, &d, "provider", HG_CELL(old, 0, 2),
	    &v[CF_PROVIDER]);
	hg_audit_changed(r, &d, "endpoint", HG_CELL(old, 0, 3),
	    &v[CF_ENDPOINT]);
	hg_audit_changed(r, &d, "access_key", HG_CELL(old, 0, 4), &v[CF_KEY]);
	hg_audit_changed(r, &d, "description", HG_CELL(old, 0, 5), &v[CF_DESC]);
	if (sealed != NULL)
		d = hg_printf(r->r_arena, "%s%ssecret replaced", d,
		    *d != '\0' ? "; " : "");
	rc = hg_db_exec(r->r_db, "UPDATE cloud_accounts SET "
	    "name = COALESCE(?, name), provider = COALESCE(?, provider), "
	    "endpoint = COALESCE(?, endpoint), "
	    "access_key = COALESCE(?, access_key), "
	    "secret = COALESCE(?, secret), "
	    "description = COALESCE(?, description) WHERE id = ?", "ssssssi",
	    v[CF_NAME].s, v[CF_PROVIDER].s, v[CF_ENDPOINT].s, v[CF_KEY].s, sealed,
	    v[CF_DESC].s, r->r_ids[0]);
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "cloud account name \"%s\" is taken",
		    v[CF_NAME].s);
	if (rc != 0)
		return hg_fail(r, rc, NULL);
	if ((rc = hg_audit(r, "cloud_account", r->r_ids[0],
	    v[CF_NAME].present ? v[CF_NAME].s : HG_CELL(old, 0, 1), "update",
	    hg_printf(r->r_arena, "updated cloud account \"%s\": %s",
	    HG_CELL(old, 0, 1), *d != '\0' ? d : "no change"))) != 0)
		return rc;
	return ca_reply(r, r->r_ids[0], 200);
}

/* DELETE /cloud-accounts/{id}/ */
static int
ca_delete(struct hg_req *r)
{
	struct hg_rows	*old;
	long long	 nhosts;
	int		 rc;

	if ((rc = ca_load(r, r->r_ids[0], 1, &old)) != 0 ||
	    (rc = ca_hosts(r, r->r_ids[0], &nhosts)) != 0)
		return rc;
	if (nhosts > 0)
		return hg_fail(r, HG_E_CONFLICT, "cloud account \"%s\" is used by "
		    "%lld host(s)", HG_CELL(old, 0, 1), nhosts);
	if ((rc = hg_db_exec(r->r_db, "DELETE FROM cloud_accounts WHERE id = ?",
	    "i", r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	if ((rc = hg_audit(r, "cloud_account", r->r_ids[0], HG_CELL(old, 0, 1),
	    "delete", hg_printf(r->r_arena, "deleted cloud account \"%s\" "
	    "(provider %s, endpoint %s, access key %s)", HG_CELL(old, 0, 1),
	    HG_CELL(old, 0, 2), HG_CELL(old, 0, 3), HG_CELL(old, 0, 4)))) != 0)
		return rc;
	return hg_reply_ok(r);
}

const struct hg_route hg_routes_cloud_accounts[] = {
	ROUTE("GET", "/cloud-accounts", ca_list, PERM_SUPER),
	ROUTE("POST", "/cloud-accounts", ca_create, PERM_SUPER, AUDIT("cloud_account")),
	ROUTE("GET", "/cloud-accounts/{id}", ca_get, PERM_SUPER),
	ROUTE("PATCH", "/cloud-accounts/{id}", ca_patch, PERM_SUPER, AUDIT("cloud_account")),
	ROUTE("DELETE", "/cloud-accounts/{id}", ca_delete, PERM_SUPER, AUDIT("cloud_account")),
	ROUTES_END
};
