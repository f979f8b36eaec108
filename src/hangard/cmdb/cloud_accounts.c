/*
 * cloud_accounts.c -- /cloud-accounts/: the API keys hangar-agent uses to
 * start, stop and reboot cloud hosts (API.md sections 4 and 6; the adapters
 * are lib/cloud.c) and to refresh CDN caches (providers ALI_CDN, TECENT_CDN,
 * WANGSU: tools/cdn_refresh.c, lib/cdn.c).  Superusers only.
 *
 * The secret is write-only: it is sealed with the server key (lib/secret.c)
 * before it reaches the database and every read shows "******".  It never
 * appears in a response, an audit record or a log line; audit records only
 * say that it was replaced.  An account that a host still names
 * (hosts.cloud_account_id) can be neither deleted nor moved to another
 * provider (409).
 */
#include <string.h>
#include <strings.h>

#include "hangard.h"

/*
 * The CloudAccount object.  The secret is never selected: every read
 * shows "******" in its place.
 */
#define CA_COLS(X) \
	X(CC_ID,	"id",		"c.id",			INT)	\
	X(CC_NAME,	"name",		"c.name",		STR)	\
	X(CC_PROVIDER,	"provider",	"c.provider",		STR)	\
	X(CC_ENDPOINT,	"endpoint",	"c.endpoint",		STR)	\
	X(CC_KEY,	"access_key",	"c.access_key",		STR)	\
	X(CC_SECRET,	"secret",	"'******'",		STR)	\
	X(CC_DESC,	"description",	"c.description",	STR)	\
	X(CC_CREATED,	"created_time",	"c.created_time",	TIME)
enum { CA_COLS(HG_COL_ENUM) CC__MAX };
static const struct hg_col ca_cols[] = { CA_COLS(HG_COL_DECL) };
#define CA_SELECT "SELECT " CA_COLS(HG_COL_SQL)

/* Host power (ALIYUN...) and CDN refresh (ALI_CDN...) providers. */
static const char *const providers[] = { "ALIYUN", "TENCENT", "CLOUDSTACK",
    "ALI_CDN", "TECENT_CDN", "WANGSU", NULL };

static json_object *
ca_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	return HG_ROW(r, ca_cols, rs, i);
}

/* Load one account (locked for the request's transaction when lock). */
static int
ca_load(struct hg_req *r, long long id, int lock, struct hg_rows **rs)
{
	return hg_sql_get(r, rs, "cloud account", id, lock ? CA_SELECT
	    HG_NOCOUNT " FROM cloud_accounts c WHERE c.id = ?i FOR UPDATE" :
	    CA_SELECT HG_NOCOUNT " FROM cloud_accounts c WHERE c.id = ?i");
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

/* POST's body; PATCH takes the same fields, each optional. */
enum { CF_NAME, CF_PROVIDER, CF_ENDPOINT, CF_KEY, CF_SECRET, CF_DESC,
    CF__MAX };
static const struct hg_field ca_fields[CF__MAX] = {
	[CF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = hg_check_noctl, .f_col = "name" },
	[CF_PROVIDER] = { "provider", HG_V_ENUM, HG_V_REQUIRED | HG_V_NOCASE,
	    0, 0, providers, .f_col = "provider" },
	[CF_ENDPOINT] = { "endpoint", HG_V_STR, HG_V_REQUIRED, 1, 1024,
	    .f_check = check_endpoint, .f_col = "endpoint" },
	[CF_KEY] = { "access_key", HG_V_STR, HG_V_REQUIRED, 1, 256,
	    .f_check = hg_check_noctl, .f_col = "access_key" },
	[CF_SECRET] = { "secret", HG_V_STR, HG_V_REQUIRED | HG_V_SECRET, 1,
	    4096, .f_check = hg_check_noctl, .f_col = "secret" },
	[CF_DESC] = { "description", HG_V_STR, 0, 0, 1024,
	    .f_col = "description" },
};

/* GET /cloud-accounts/?name=&provider= */
static int
ca_list(struct hg_req *r)
{
	return hg_list(r, ca_json, CA_SELECT "COUNT(*) OVER () FROM "
	    "cloud_accounts c WHERE c.name LIKE COALESCE(?s, '%') "
	    "AND c.provider = COALESCE(?s, c.provider) "
	    "ORDER BY c.id DESC LIMIT ?i OFFSET ?i",
	    hg_like(r, &r->r_qv[CQ_NAME]), r->r_qv[CQ_PROVIDER].s);
}

static int
name_taken(struct hg_req *r, int rc)
{
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "cloud account name \"%s\" is taken",
		    r->r_in[CF_NAME].s);
	return rc;
}

/*
 * Seal the body's secret in place, so that what is written (and audited:
 * only as replaced) is never the plain text.
 */
static int
seal_secret(struct hg_req *r)
{
	char	*sealed;
	int	 rc;

	if (!r->r_in[CF_SECRET].present)
		return 0;
	if ((rc = hg_seal_input(r, r->r_in[CF_SECRET].s, &sealed)) != 0)
		return rc;
	r->r_in[CF_SECRET].s = sealed;
	return 0;
}

/* POST /cloud-accounts/ */
static int
ca_create(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	const char		*d = "";
	long long		 id;
	int			 rc;

	if ((rc = seal_secret(r)) != 0 ||
	    (rc = name_taken(r, hg_sql_exec(r, "INSERT INTO cloud_accounts "
	    "(name, provider, endpoint, access_key, secret, description) "
	    "VALUES (?s, ?s, ?s, ?s, ?s, ?s)", v[CF_NAME].s, v[CF_PROVIDER].s,
	    v[CF_ENDPOINT].s, v[CF_KEY].s, v[CF_SECRET].s,
	    v[CF_DESC].s != NULL ? v[CF_DESC].s : ""))) != 0)
		return rc;
	id = hg_sql_insert_id(r);
	hg_audit_fields(r, &d, ca_cols, CC__MAX, NULL, 0);
	if ((rc = hg_audit(r, NULL, id, v[CF_NAME].s, "add",
	    hg_printf(r->r_arena, "created cloud account \"%s\": %s",
	    v[CF_NAME].s, d))) != 0)
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
#define ca_hosts(r, id, n) hg_sql_count((r), (n), "SELECT COUNT(*) FROM " \
	"hosts WHERE cloud_account_id = ?i", (long long)(id))

/* PATCH /cloud-accounts/{id}/: 409 moving an account hosts use. */
static int
ca_patch(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct hg_rows		*old;
	const char		*d = "";
	long long		 nhosts;
	int			 rc;

	if ((rc = ca_load(r, r->r_ids[0], 1, &old)) != 0)
		return rc;
	if (v[CF_PROVIDER].present &&
	    strcmp(v[CF_PROVIDER].s, HG_CELL(old, 0, CC_PROVIDER)) != 0) {
		if ((rc = ca_hosts(r, r->r_ids[0], &nhosts)) != 0)
			return rc;
		if (nhosts > 0)
			return hg_fail(r, HG_E_CONFLICT, "cloud account \"%s\" is "
			    "used by %lld host(s); its provider cannot change",
			    HG_CELL(old, 0, CC_NAME), nhosts);
	}
	if ((rc = seal_secret(r)) != 0 ||
	    (rc = name_taken(r, hg_sql_patch(r, "cloud_accounts",
	    r->r_ids[0]))) != 0)
		return rc;
	hg_audit_fields(r, &d, ca_cols, CC__MAX, old, 0);
	if ((rc = hg_audit(r, NULL, r->r_ids[0], v[CF_NAME].present ?
	    v[CF_NAME].s : HG_CELL(old, 0, CC_NAME), "update",
	    hg_printf(r->r_arena, "updated cloud account \"%s\": %s",
	    HG_CELL(old, 0, CC_NAME), *d != '\0' ? d : "no change"))) != 0)
		return rc;
	return ca_reply(r, r->r_ids[0], 200);
}

/* DELETE /cloud-accounts/{id}/: 409 while a host names it. */
static int
ca_delete(struct hg_req *r)
{
	struct hg_rows	*old;
	const char	*d = "";
	long long	 nhosts;
	int		 rc, c;

	if ((rc = ca_load(r, r->r_ids[0], 1, &old)) != 0 ||
	    (rc = ca_hosts(r, r->r_ids[0], &nhosts)) != 0)
		return rc;
	if (nhosts > 0)
		return hg_fail(r, HG_E_CONFLICT, "cloud account \"%s\" is used by "
		    "%lld host(s)", HG_CELL(old, 0, CC_NAME), nhosts);
	if ((rc = hg_sql_exec(r, "DELETE FROM cloud_accounts WHERE id = ?i",
	    r->r_ids[0])) != 0)
		return rc;
	/* What it was: each field (not the secret) to nothing. */
	for (c = CC_NAME; c < CC_CREATED; c++)
		if (c != CC_SECRET)
			hg_audit_change(r, &d, ca_cols[c].c_name,
			    HG_CELL(old, 0, c), NULL);
	if ((rc = hg_audit(r, NULL, r->r_ids[0], HG_CELL(old, 0, CC_NAME),
	    "delete", hg_printf(r->r_arena, "deleted cloud account \"%s\": %s",
	    HG_CELL(old, 0, CC_NAME), d))) != 0)
		return rc;
	return hg_reply_ok(r);
}

const struct hg_route hg_routes_cloud_accounts[] = {
	ROUTE("GET", "/cloud-accounts", ca_list, PERM_SUPER, QUERY(list_q),
	    PAGED),
	ROUTE("POST", "/cloud-accounts", ca_create, PERM_SUPER,
	    BODY(ca_fields), AUDIT("cloud_account")),
	ROUTE("GET", "/cloud-accounts/{id}", ca_get, PERM_SUPER),
	ROUTE("PATCH", "/cloud-accounts/{id}", ca_patch, PERM_SUPER,
	    PATCH(ca_fields), AUDIT("cloud_account")),
	ROUTE("DELETE", "/cloud-accounts/{id}", ca_delete, PERM_SUPER,
	    AUDIT("cloud_account")),
	ROUTES_END
};
