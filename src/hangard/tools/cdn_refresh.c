/*
 * cdn_refresh.c -- /common-utils/cdn-refresh-tasks/: the seed's CDN刷新
 * (issue 15).  A task names a CDN provider, a refresh mode and URLs; it is
 * queued here (a tasks row of kind cdn_refresh with its outbox row, and the
 * cdn_tasks row, in the request's transaction) and carried out by
 * hangar-agent (src/agent/cdn_step.c, lib/cdn.c) with a cloud account of
 * that provider.  Nothing here talks to a CDN.
 *
 * The seed's codes: 30001 no URLs, 30002 a URL whose host is not in
 * cdn_domains (hangar.conf; empty: any), 30003 refresh mode, 30004
 * provider (also: no account of that provider to carry it out).  A URL
 * that is not an absolute http(s) URL is 10002 on "urls[i]"; a recursive
 * refresh names directories, so its URLs end in "/".  Enum values are
 * upper case on output and taken in any case (API.md section 6).
 *
 * Needs common_tools' enable_cdn_refresher (gated by enable_common_tools)
 * to read and to create.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "hangard.h"
#include "queue.h"

#define E_NOURLS	30001
#define E_DOMAIN	30002
#define E_MODE		30003
#define E_PROVIDER	30004

#define MAX_URLS	10000	/* per task; the agent splits per vendor call */
#define MAX_URL		2000	/* bytes, Wangsu's bound (the smallest) */

/* The cdn refresh task object (the seed's data type) plus its account. */
#define CDN_COLS(X) \
	X(DC_ID,	"id",			"c.id",		INT)	\
	X(DC_URLS,	"urls",			"c.urls",	JSON)	\
	X(DC_PROVIDER,	"cdn_service_provider",	"c.provider",	STR)	\
	X(DC_MODE,	"refresh_mode",		"c.refresh_mode", STR)	\
	X(DC_CREATOR,	"creator",		"c.creator",	STR)	\
	X(DC_STATUS,	"status",		"c.status",	STR)	\
	X(DC_ERROR,	"error",		"c.error",	STR)	\
	X(DC_ACCOUNT,	"account",		"c.account_id",	INT)	\
	X(DC_TASK,	"task_id",		"CAST(c.task_id AS CHAR)", STR) \
	X(DC_CREATED,	"created_time",		"c.created_time", TIME)	\
	X(DC_FINISHED,	"finished_time",	"c.finished_time", TIME)
enum { CDN_COLS(HG_COL_ENUM) DC__MAX };
static const struct hg_col cdn_cols[] = { CDN_COLS(HG_COL_DECL) };
#define CDN_SELECT "SELECT " CDN_COLS(HG_COL_SQL)

static const char *const providers[] = { "ALI_CDN", "TECENT_CDN", "WANGSU",
    NULL };
static const char *const modes[] = { "RECURSIVE", "SINGLE_FILE", NULL };
static const char *const statuses[] = { "RUNNING", "FINISHED", "FAILED",
    "TIMEOUT", NULL };

static json_object *
cdn_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	return HG_ROW(r, cdn_cols, rs, i);
}

static int
cdn_reply(struct hg_req *r, long long id, int status)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql_get(r, &rs, "CDN refresh task", id, CDN_SELECT
	    HG_NOCOUNT " FROM cdn_tasks c WHERE c.id = ?i")) != 0)
		return rc;
	return hg_reply(r, status, cdn_json(r, rs, 0));
}

enum { DQ_PROVIDER, DQ_CREATOR, DQ_GT, DQ_LT, DQ_STATUS, DQ__MAX };
static const struct hg_field list_q[DQ__MAX] = {
	[DQ_PROVIDER] = { "cdn_service_provider", HG_V_ENUM, HG_V_NOCASE, 0, 0,
	    providers },
	[DQ_CREATOR] = { "creator", HG_V_STR, 0, 0, 64 },
	[DQ_GT] = { "created_time__gt", HG_V_TIME, 0 },
	[DQ_LT] = { "created_time__lt", HG_V_TIME, HG_V_UPPER },
	[DQ_STATUS] = { "status", HG_V_ENUM, HG_V_NOCASE, 0, 0, statuses },
};

/* GET /common-utils/cdn-refresh-tasks/ */
static int
cdn_list(struct hg_req *r)
{
	const struct hg_val *q = r->r_qv;

	return hg_list(r, cdn_json, CDN_SELECT "COUNT(*) OVER () FROM "
	    "cdn_tasks c WHERE c.provider = COALESCE(?s, c.provider) "
	    "AND c.creator LIKE COALESCE(?s, '%') "
	    "AND c.created_time >= COALESCE(?s, c.created_time) "
	    "AND c.created_time <= COALESCE(?s, c.created_time) "
	    "AND c.status = COALESCE(?s, c.status) "
	    "ORDER BY c.id DESC LIMIT ?i OFFSET ?i", q[DQ_PROVIDER].s,
	    hg_like(r, &q[DQ_CREATOR]), hg_qtime(r, &q[DQ_GT]),
	    hg_qtime(r, &q[DQ_LT]), q[DQ_STATUS].s);
}

/* GET /common-utils/cdn-refresh-tasks/{id}/ */
static int
cdn_get(struct hg_req *r)
{
	return cdn_reply(r, r->r_ids[0], 200);
}

enum { DF_PROVIDER, DF_MODE, DF_URLS, DF_ACCOUNT, DF__MAX };
static const struct hg_field cdn_fields[DF__MAX] = {
	[DF_PROVIDER] = { "cdn_service_provider", HG_V_ENUM,
	    HG_V_REQUIRED | HG_V_NOCASE, 0, 0, providers,
	    .f_code = E_PROVIDER },
	[DF_MODE] = { "refresh_mode", HG_V_ENUM, HG_V_REQUIRED | HG_V_NOCASE,
	    0, 0, modes, .f_code = E_MODE },
	/* absent or empty is the seed's 30001, said by the handler */
	[DF_URLS] = { "urls", HG_V_ARRAY, HG_V_NULLABLE, 0, MAX_URLS,
	    .f_alias = { "url" } },
	[DF_ACCOUNT] = { "account", HG_V_INT, 0, 1, 1LL << 62,
	    .f_alias = { "cloud_account" } },
};

/*
 * The host of an absolute http(s) URL, lower-cased and without its port,
 * or NULL with *why set.  No user info, no spaces or control characters;
 * the path may hold UTF-8 (the agent percent-encodes it).
 */
static char *
url_host(struct hg_req *r, const char *u, const char **why)
{
	const char	*p, *e;
	char		*h;
	size_t		 i, n;

	*why = "must be an absolute http:// or https:// URL";
	if (strncasecmp(u, "http://", 7) == 0)
		p = u + 7;
	else if (strncasecmp(u, "https://", 8) == 0)
		p = u + 8;
	else
		return NULL;
	for (i = 0; u[i] != '\0'; i++)
		if ((unsigned char)u[i] <= 0x20 || u[i] == 0x7f) {
			*why = "must not contain spaces or control characters";
			return NULL;
		}
	if (strlen(u) > MAX_URL) {
		*why = "must be at most 2000 bytes";
		return NULL;
	}
	n = strcspn(p, "/?#");
	if (memchr(p, '@', n) != NULL) {
		*why = "must not carry user information";
		return NULL;
	}
	for (e = p; e < p + n && *e != ':'; e++)
		if (!isalnum((unsigned char)*e) && *e != '-' && *e != '.') {
			*why = "must name a host of letters, digits, '-' and '.'";
			return NULL;
		}
	if (e == p) {
		*why = "must name a host";
		return NULL;
	}
	if (e < p + n && (p + n - e < 2 || p + n - e > 6 ||
	    strspn(e + 1, "0123456789") != (size_t)(p + n - e - 1))) {
		*why = "must have a numeric port after ':'";
		return NULL;
	}
	h = hg_alloc(r->r_arena, (size_t)(e - p) + 1);
	for (i = 0; p + i < e; i++)
		h[i] = (char)tolower((unsigned char)p[i]);
	return h;
}

/*
 * Is host one of cdn_domains?  "example.com" names that host only;
 * "*.example.com" and ".example.com" name every host under it.
 */
static int
domain_ok(const char *host)
{
	const char	*d = hg_conf.cdn_domains, *suf;
	size_t		 n, hl = strlen(host), sl;
	int		 any = 0;

	while (*d != '\0') {
		d += strspn(d, ", \t");
		n = strcspn(d, ", \t");
		if (n == 0)
			break;
		any = 1;
		suf = d;
		sl = n;
		if (sl > 2 && suf[0] == '*' && suf[1] == '.') {
			suf++;
			sl--;
		}
		if (suf[0] == '.') {
			if (hl > sl && strncasecmp(host + hl - sl, suf, sl) == 0)
				return 1;
		} else if (hl == sl && strncasecmp(host, suf, sl) == 0)
			return 1;
		d += n;
	}
	return !any;
}

/* The account that carries the task out: the one named, or the first. */
static int
pick_account(struct hg_req *r, const char *provider, long long *id)
{
	struct hg_rows	*rs;
	int		 rc;

	if (r->r_in[DF_ACCOUNT].present && !r->r_in[DF_ACCOUNT].null) {
		*id = r->r_in[DF_ACCOUNT].i;
		if ((rc = hg_sql(r, &rs, "SELECT provider FROM cloud_accounts "
		    "WHERE id = ?i", *id)) != 0)
			return rc;
		if (rs->nrows == 0)
			return hg_invalid(r, "account", hg_printf(r->r_arena,
			    "no cloud account with id %lld", *id));
		if (strcmp(HG_CELL(rs, 0, 0), provider) != 0)
			return hg_invalid(r, "account", hg_printf(r->r_arena,
			    "cloud account %lld is a %s account, not %s", *id,
			    HG_CELL(rs, 0, 0), provider));
		return 0;
	}
	if ((rc = hg_sql(r, &rs, "SELECT id FROM cloud_accounts WHERE "
	    "provider = ?s ORDER BY id LIMIT 1", provider)) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_fail_http(r, 400, E_PROVIDER, "CDN provider %s is not "
		    "supported here: no cloud account of that provider "
		    "(POST /cloud-accounts/ with provider %s)", provider,
		    provider);
	*id = hg_atoll(HG_CELL(rs, 0, 0));
	return 0;
}

/* POST /common-utils/cdn-refresh-tasks/ -> 201 with the task */
static int
cdn_create(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	const char		*provider = v[DF_PROVIDER].s;
	const char		*mode = v[DF_MODE].s, *u, *why, *host;
	json_object		*urls = v[DF_URLS].j, *it, *out;
	const char		*detail;
	long long		 acct = 0, task, id;
	size_t			 i, n;
	int			 rc;

	n = v[DF_URLS].present && !v[DF_URLS].null && urls != NULL ?
	    json_object_array_length(urls) : 0;
	if (n == 0)
		return hg_fail_http(r, 400, E_NOURLS, "urls must name at least "
		    "one URL");
	out = hg_own(r, json_object_new_array());
	for (i = 0; i < n; i++) {
		it = json_object_array_get_idx(urls, i);
		if (!json_object_is_type(it, json_type_string)) {
			why = "must be a string";
			goto bad;
		}
		u = json_object_get_string(it);
		if ((size_t)json_object_get_string_len(it) != strlen(u)) {
			why = "must not contain spaces or control characters";
			goto bad;
		}
		if ((host = url_host(r, u, &why)) == NULL)
			goto bad;
		if (strcmp(mode, "RECURSIVE") == 0 && u[strlen(u) - 1] != '/') {
			why = "must be a directory (end in \"/\") for a recursive "
			    "refresh";
			goto bad;
		}
		if (!domain_ok(host))
			return hg_fail_http(r, 400, E_DOMAIN, "urls[%zu]: host "
			    "\"%s\" is not one of the CDN domains (cdn_domains)",
			    i, host);
		json_object_array_add(out, json_object_new_string(u));
		continue;
bad:
		return hg_invalid(r, hg_printf(r->r_arena, "urls[%zu]", i), why);
	}
	if ((rc = pick_account(r, provider, &acct)) != 0 ||
	    (rc = hg_task_new(r, HG_TASK_CDN, NULL, NULL, 0, &task)) != 0 ||
	    (rc = hg_sql_exec(r, "INSERT INTO cdn_tasks (task_id, provider, "
	    "account_id, refresh_mode, urls, creator) VALUES (?i, ?s, ?i, ?s, "
	    "?s, ?s)", task, provider, acct, mode,
	    json_object_to_json_string_ext(out, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE), r->r_user->u_username)) != 0)
		return rc;
	id = hg_sql_insert_id(r);
	detail = hg_printf(r->r_arena, "queued CDN refresh task %lld "
	    "(task %lld): cdn_service_provider: \"%s\"; refresh_mode: \"%s\"; "
	    "account: %lld; urls: %zu, first \"%s\"", id, task, provider, mode,
	    acct, n, json_object_get_string(json_object_array_get_idx(out,
	    0)));
	if ((rc = hg_audit(r, NULL, id, provider, "add", detail)) != 0)
		return rc;
	return cdn_reply(r, id, 201);
}

#define CDN	PERM_MODULE("common_tools", "enable_cdn_refresher")

const struct hg_route hg_routes_cdn_refresh[] = {
	ROUTE("GET", "/common-utils/cdn-refresh-tasks", cdn_list, CDN,
	    QUERY(list_q), PAGED),
	ROUTE("POST", "/common-utils/cdn-refresh-tasks", cdn_create, CDN,
	    BODY(cdn_fields), AUDIT("cdn")),
	ROUTE("GET", "/common-utils/cdn-refresh-tasks/{id}", cdn_get, CDN),
	ROUTES_END
};
