/*
 * domains.c -- /dns-services/{id}/domains/: the zones Hangar manages on a
 * DNS server (the seed's DNS服务, API.md sections 4 and 6).
 *
 * Adding a domain makes the server serve it (PowerDNS: the zone is
 * created, or taken over when it exists; BIND: the server must already be
 * authoritative for it and accept our key); deleting one deletes the zone
 * (BIND: the records Hangar manages in it).  A domain that has records
 * cannot be renamed (409); an empty one is renamed by creating the new
 * zone and deleting the old.  Every server call is bounded (dns_timeout):
 * 502 / 504 and nothing saved when it fails.
 */
#include <string.h>

#include "dnsmod.h"

#define DOM_COLS(X) \
	X(DC_ID,	"id",		"d.id",			INT)	\
	X(DC_NAME,	"name",		"d.name",		STR)	\
	X(DC_SERVER,	"server",	"d.server_id",		INT)	\
	X(DC_RECORDS,	"record_count",	"(SELECT COUNT(*) FROM dns_records x " \
	    "WHERE x.domain_id = d.id)",			INT)	\
	X(DC_CREATOR,	"creator",	"d.creator",		STR)	\
	X(DC_CREATED,	"created_time",	"d.created_time",	TIME)
enum { DOM_COLS(HG_COL_ENUM) DC__MAX };
static const struct hg_col dom_cols[] = { DOM_COLS(HG_COL_DECL) };
#define DOM_SELECT "SELECT " DOM_COLS(HG_COL_SQL)

static json_object *
dom_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	json_object	*o = HG_ROW(r, dom_cols, rs, i), *a;
	int		 w = hg_perm_module(r, "dns", "manage_dns_server") == 1;

	a = json_object_new_object();
	json_object_object_add(a, "edit", json_object_new_boolean(w));
	json_object_object_add(a, "delete", json_object_new_boolean(w));
	json_object_object_add(o, "available_actions", a);
	return o;
}

static int
dom_reply(struct hg_req *r, long long sid, long long did, int status)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql(r, &rs, DOM_SELECT HG_NOCOUNT " FROM dns_domains d "
	    "WHERE d.id = ?i AND d.server_id = ?i", did, sid)) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no domain with id %lld on DNS "
		    "server %lld", did, sid);
	return hg_reply(r, status, dom_json(r, rs, 0));
}

static int
server_exists(struct hg_req *r, long long sid)
{
	return hg_sql_get(r, NULL, "DNS server", sid,
	    "SELECT id FROM dns_servers WHERE id = ?i");
}

enum { DQ_NAME, DQ__MAX };
static const struct hg_field list_q[DQ__MAX] = {
	[DQ_NAME] = { "name", HG_V_STR, 0, 0, 253 },
};

enum { DF_NAME, DF__MAX };
static const struct hg_field dom_fields[DF__MAX] = {
	[DF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 254,
	    .f_alias = { "domain", "domian" } },
};

/* GET /dns-services/{id}/domains/?name= */
static int
dom_list(struct hg_req *r)
{
	int rc;

	if ((rc = server_exists(r, r->r_ids[0])) != 0)
		return rc;
	return hg_list(r, dom_json, DOM_SELECT "COUNT(*) OVER () FROM "
	    "dns_domains d WHERE d.server_id = ?i AND d.name LIKE "
	    "COALESCE(?s, '%') ORDER BY d.id DESC LIMIT ?i OFFSET ?i",
	    r->r_ids[0], hg_like(r, &r->r_qv[DQ_NAME]));
}

/* GET /dns-services/{id}/domains/{did}/ */
static int
dom_get(struct hg_req *r)
{
	return dom_reply(r, r->r_ids[0], r->r_ids[1], 200);
}

static int
taken(struct hg_req *r, long long sid, const char *name)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql(r, &rs, "SELECT id FROM dns_domains WHERE "
	    "server_id = ?i AND name = ?s", sid, name)) != 0)
		return rc;
	if (rs->nrows > 0)
		return hg_fail(r, HG_E_CONFLICT, "domain \"%s\" is already on "
		    "this DNS server", name);
	return 0;
}

/* POST /dns-services/{id}/domains/ */
static int
dom_create(struct hg_req *r)
{
	struct hg_dns_server	 sv;
	const char		*sname, *name, *why;
	char			 msg[512];
	long long		 id;
	int			 rc;

	if ((rc = dns_server_load(r, r->r_ids[0], 1, &sv, &sname)) != 0)
		return rc;
	if ((name = dns_zone_name(r, r->r_in[DF_NAME].s, &why)) == NULL)
		return hg_invalid(r, "name", why);
	if ((rc = taken(r, r->r_ids[0], name)) != 0)
		return rc;
	if ((rc = hg_sql_exec(r, "INSERT INTO dns_domains (server_id, name, "
	    "creator) VALUES (?i, ?s, ?s)", r->r_ids[0], name,
	    r->r_user->u_username)) != 0) {
		if (rc == HG_E_CONFLICT)
			return hg_fail(r, rc, "domain \"%s\" is already on "
			    "this DNS server", name);
		return rc;
	}
	id = hg_sql_insert_id(r);
	if ((rc = hg_audit(r, NULL, id, name, "add", hg_printf(r->r_arena,
	    "added domain %s on DNS server \"%s\"", name, sname))) != 0)
		return rc;
	/* the server last: its change is the one thing not rolled back */
	if ((rc = hg_dns_zone_create(&sv, name, msg, sizeof(msg))) != 0)
		return dns_fail(r, rc, msg);
	return dom_reply(r, r->r_ids[0], id, 201);
}

/* Records of domain did. */
#define nrecords(r, did, n) hg_sql_count((r), (n), "SELECT COUNT(*) FROM " \
	"dns_records WHERE domain_id = ?i", (long long)(did))

/* PATCH /dns-services/{id}/domains/{did}/: rename an empty domain. */
static int
dom_patch(struct hg_req *r)
{
	struct hg_dns_server	 sv;
	const char		*sname, *zone, *name, *why;
	char			 msg[512], msg2[512];
	long long		 n;
	int			 rc;

	if ((rc = dns_server_load(r, r->r_ids[0], 1, &sv, &sname)) != 0 ||
	    (rc = dns_domain_load(r, r->r_ids[0], r->r_ids[1], &zone)) != 0)
		return rc;
	if (!r->r_in[DF_NAME].present)
		return dom_reply(r, r->r_ids[0], r->r_ids[1], 200);
	if ((name = dns_zone_name(r, r->r_in[DF_NAME].s, &why)) == NULL)
		return hg_invalid(r, "name", why);
	if (strcmp(name, zone) == 0)
		return dom_reply(r, r->r_ids[0], r->r_ids[1], 200);
	if ((rc = nrecords(r, r->r_ids[1], &n)) != 0)
		return rc;
	if (n > 0)
		return hg_fail(r, HG_E_CONFLICT, "domain %s has %lld record(s); "
		    "it cannot be renamed", zone, n);
	if ((rc = taken(r, r->r_ids[0], name)) != 0 ||
	    (rc = hg_sql_exec(r, "UPDATE dns_domains SET name = ?s WHERE "
	    "id = ?i", name, r->r_ids[1])) != 0 ||
	    (rc = hg_audit(r, NULL, r->r_ids[1], name, "update",
	    hg_printf(r->r_arena, "updated domain %s on DNS server \"%s\": "
	    "name: \"%s\" -> \"%s\"", zone, sname, zone, name))) != 0)
		return rc;
	if ((rc = hg_dns_zone_create(&sv, name, msg, sizeof(msg))) != 0)
		return dns_fail(r, rc, msg);
	if ((rc = hg_dns_zone_delete(&sv, zone, NULL, 0, msg,
	    sizeof(msg))) != 0) {
		/* put the server back as it was, as far as it lets us */
		(void)hg_dns_zone_delete(&sv, name, NULL, 0, msg2,
		    sizeof(msg2));
		return dns_fail(r, rc, msg);
	}
	return dom_reply(r, r->r_ids[0], r->r_ids[1], 200);
}

/* DELETE /dns-services/{id}/domains/{did}/ */
static int
dom_delete(struct hg_req *r)
{
	struct hg_dns_server	 sv;
	struct hg_dns_rrset	*sets;
	size_t			 nsets;
	const char		*sname, *zone;
	char			 msg[512];
	int			 rc;

	if ((rc = dns_server_load(r, r->r_ids[0], 1, &sv, &sname)) != 0 ||
	    (rc = dns_domain_load(r, r->r_ids[0], r->r_ids[1], &zone)) != 0 ||
	    (rc = dns_rrsets(r, r->r_ids[1], NULL, NULL, &sets,
	    &nsets)) != 0)
		return rc;
	if ((rc = hg_sql_exec(r, "DELETE FROM dns_domains WHERE id = ?i",
	    r->r_ids[1])) != 0 ||
	    (rc = hg_audit(r, NULL, r->r_ids[1], zone, "delete",
	    hg_printf(r->r_arena, "deleted domain %s from DNS server \"%s\" "
	    "with its %zu record set(s)", zone, sname, nsets))) != 0)
		return rc;
	if ((rc = hg_dns_zone_delete(&sv, zone, sets, nsets, msg,
	    sizeof(msg))) != 0)
		return dns_fail(r, rc, msg);
	return hg_reply_ok(r);
}

const struct hg_route hg_routes_dns_domains[] = {
	ROUTE("GET", "/dns-services/{id}/domains", dom_list, DNS_READ,
	    QUERY(list_q), PAGED),
	ROUTE("POST", "/dns-services/{id}/domains", dom_create, DNS_WRITE,
	    BODY(dom_fields), AUDIT("dns_domain")),
	ROUTE("GET", "/dns-services/{id}/domains/{did}", dom_get, DNS_READ),
	ROUTE("PATCH", "/dns-services/{id}/domains/{did}", dom_patch,
	    DNS_WRITE, PATCH(dom_fields), AUDIT("dns_domain"), SUCCESS),
	ROUTE("DELETE", "/dns-services/{id}/domains/{did}", dom_delete,
	    DNS_WRITE, AUDIT("dns_domain")),
	ROUTES_END
};
