/*
 * records.c -- /dns-services/{id}/domains/{did}/records/: a domain's
 * resource records (the seed's 域名记录, API.md sections 4 and 6).
 *
 * Every change is made on the server in the request, after the rows are
 * written and before the commit: the RRsets it touches are read back from
 * the rows (the domain row is locked, so changes of one domain queue up)
 * and sent whole (lib/dns.h be_update, REPLACE or DELETE), so what the
 * API lists is what the server has.  502 / 504 from the server roll the
 * rows back.
 *
 * Types A AAAA CNAME MX NS TXT, values checked and kept in canonical form
 * (dnsmod.h).  Names are relative ("www", "@") or absolute, with or
 * without the trailing dot, and returned absolute without it.  Records of
 * one name and type share a TTL: giving one sets the RRset's.  A CNAME may
 * not stand beside any other record of its name, nor at the apex (400).
 * disable / enable keep the record and stop / start serving it.
 */
#include <string.h>

#include "conf.h"
#include "dnsmod.h"

/* Unqualified: the same list is what a create's INSERT ... RETURNING gives. */
#define REC_COLS(X) \
	X(RC_ID,	"id",		"id",			INT)	\
	X(RC_NAME,	"name",		"name",			STR)	\
	X(RC_TYPE,	"type",		"type",			STR)	\
	X(RC_VALUE,	"value",	"value",		STR)	\
	X(RC_TTL,	"ttl",		"ttl",			INT)	\
	X(RC_DISABLED,	"disabled",	"disabled",		BOOL)	\
	X(RC_DOMAIN,	"domain",	"domain_id",		INT)	\
	X(RC_CREATOR,	"creator",	"creator",		STR)	\
	X(RC_CREATED,	"created_time",	"created_time",		TIME)
enum { REC_COLS(HG_COL_ENUM) RC__MAX };
static const struct hg_col rec_cols[] = { REC_COLS(HG_COL_DECL) };
#define REC_SELECT "SELECT " REC_COLS(HG_COL_SQL)

static json_object *
rec_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	return HG_ROW(r, rec_cols, rs, i);
}

/* Record rid of domain did (404 otherwise). */
static int
rec_load(struct hg_req *r, long long did, long long rid, struct hg_rows **rs)
{
	int rc;

	if ((rc = hg_sql(r, rs, REC_SELECT HG_NOCOUNT " FROM dns_records x "
	    "WHERE x.id = ?i AND x.domain_id = ?i", rid, did)) != 0)
		return rc;
	if ((*rs)->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no record with id %lld in "
		    "domain %lld", rid, did);
	return 0;
}

static int
rec_reply(struct hg_req *r, long long did, long long rid, int status)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = rec_load(r, did, rid, &rs)) != 0)
		return rc;
	return hg_reply(r, status, rec_json(r, rs, 0));
}

enum { RQ_NAME, RQ_VALUE, RQ_TYPE, RQ_DISABLED, RQ__MAX };
static const struct hg_field list_q[RQ__MAX] = {
	[RQ_NAME] = { "name", HG_V_STR, 0, 0, 254 },
	[RQ_VALUE] = { "value", HG_V_STR, 0, 0, 4000 },
	[RQ_TYPE] = { "type", HG_V_ENUM, HG_V_NOCASE, 0, 0, dns_types },
	[RQ_DISABLED] = { "disabled", HG_V_BOOL, 0 },
};

enum { RF_NAME, RF_TYPE, RF_VALUE, RF_TTL, RF__MAX };
static const struct hg_field rec_fields[RF__MAX] = {
	[RF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 0, 254 },
	[RF_TYPE] = { "type", HG_V_ENUM, HG_V_REQUIRED | HG_V_NOCASE, 0, 0,
	    dns_types },
	[RF_VALUE] = { "value", HG_V_STR, HG_V_REQUIRED, 1, 4000 },
	[RF_TTL] = { "ttl", HG_V_INT, 0, 1, 2147483647 },
};

/* GET .../records/?name=&value=&type=&disabled= */
static int
rec_list(struct hg_req *r)
{
	const struct hg_val	*q = r->r_qv;
	struct hg_rows		*rs;
	int			 rc;

	if ((rc = hg_sql(r, &rs, "SELECT id FROM dns_domains WHERE id = ?i "
	    "AND server_id = ?i", r->r_ids[1], r->r_ids[0])) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no domain with id %lld on DNS "
		    "server %lld", r->r_ids[1], r->r_ids[0]);
	/*
	 * Unfiltered (the common case, and a zone may have 10,000 records):
	 * the page walks (domain_id, id) backwards and the count is one
	 * index range, instead of COUNT(*) OVER () reading and sorting
	 * every row of the domain.
	 */
	if (!q[RQ_NAME].present && !q[RQ_VALUE].present &&
	    !q[RQ_TYPE].present && !q[RQ_DISABLED].present)
		return hg_list(r, rec_json, REC_SELECT "(SELECT COUNT(*) FROM "
		    "dns_records WHERE domain_id = ?i) FROM dns_records x "
		    "FORCE INDEX (dns_records_domain) WHERE x.domain_id = ?i "
		    "ORDER BY x.id DESC LIMIT ?i OFFSET ?i", r->r_ids[1],
		    r->r_ids[1]);
	return hg_list(r, rec_json, REC_SELECT "COUNT(*) OVER () FROM "
	    "dns_records x WHERE x.domain_id = ?i "
	    "AND x.name LIKE COALESCE(?s, '%') "
	    "AND x.value LIKE COALESCE(?s, '%') "
	    "AND x.type = COALESCE(?s, x.type) "
	    "AND (?i < 0 OR x.disabled = ?i) "
	    "ORDER BY x.id DESC LIMIT ?i OFFSET ?i", r->r_ids[1],
	    hg_like(r, &q[RQ_NAME]), hg_like(r, &q[RQ_VALUE]), q[RQ_TYPE].s,
	    q[RQ_DISABLED].present ? q[RQ_DISABLED].i : -1LL,
	    q[RQ_DISABLED].i);
}

/*
 * May a record (name, type, value) stand in the domain beside the others
 * (record self excluded: 0 for a new one)?  400 for a CNAME beside
 * anything at its name or at the apex, 409 for the same record twice.
 * *ttl: the TTL its RRset (name, type) has now, 0 when it has no other
 * record; *at (unless NULL): the others at name, (type, value, ttl,
 * disabled) in id order (one query for all: every record is one change).
 */
static int
fits(struct hg_req *r, long long did, const char *zone, long long self,
    const char *name, const char *type, const char *value, long long *ttl,
    struct hg_rows **at)
{
	struct hg_rows	*rs;
	int		 rc, i, cname = strcmp(type, "CNAME") == 0;

	*ttl = 0;
	if (cname && strcmp(name, zone) == 0)
		return hg_invalid(r, "type", "a CNAME cannot be at the "
		    "domain's apex");
	if ((rc = hg_sql(r, &rs, "SELECT type, value, ttl, disabled FROM "
	    "dns_records WHERE domain_id = ?i AND name = ?s AND id <> ?i ORDER "
	    "BY id", did, name, self)) != 0)
		return rc;
	if (at != NULL)
		*at = rs;
	for (i = 0; i < rs->nrows; i++) {
		const char *t = HG_CELL(rs, i, 0), *v = HG_CELL(rs, i, 1);

		if (*ttl == 0 && strcmp(t, type) == 0)
			*ttl = hg_atoll(HG_CELL(rs, i, 2));

		if (cname || strcmp(t, "CNAME") == 0)
			return hg_invalid(r, "type", cname ?
			    hg_printf(r->r_arena, "a CNAME cannot stand beside "
			    "the %s record(s) of %s", t, name) :
			    hg_printf(r->r_arena, "%s has a CNAME, which "
			    "cannot stand beside other records", name));
		if (strcmp(t, type) == 0 && strcmp(v, value) == 0)
			return hg_fail(r, HG_E_CONFLICT, "%s already has the %s "
			    "record %s", name, type, value);
	}
	return 0;
}

/* The RRset (name, type) as its rows now are: a REPLACE (or DELETE). */
static int
change_of(struct hg_req *r, long long did, const char *name,
    const char *type, struct hg_dns_change *ch)
{
	struct hg_dns_rrset	*sets;
	size_t			 n;
	int			 rc;

	if ((rc = dns_rrsets(r, did, name, type, &sets, &n)) != 0)
		return rc;
	memset(ch, 0, sizeof(*ch));
	if (n == 0) {
		ch->ch_op = HG_DNS_DELETE;
		ch->ch_rrset.rs_name = name;
		ch->ch_rrset.rs_type = type;
	} else {
		ch->ch_op = HG_DNS_REPLACE;
		ch->ch_rrset = sets[0];
	}
	return 0;
}

/*
 * The RRset (name, type) once a new record (value, enabled) joins it at
 * ttl: fits' rows of that type at name, in id order, then the new one
 * (the highest id).  What change_of would read back after the insert,
 * without the query: a record's create waits on one round trip fewer.
 */
static void
joined(struct hg_req *r, const struct hg_rows *at, const char *name,
    const char *type, const char *value, long long ttl,
    struct hg_dns_change *ch)
{
	struct hg_dns_rr	*rr;
	size_t			 n = 0;
	int			 i;

	rr = hg_alloc(r->r_arena, ((size_t)at->nrows + 1) * sizeof(*rr));
	for (i = 0; i < at->nrows; i++)
		if (strcmp(HG_CELL(at, i, 0), type) == 0) {
			rr[n].rr_value = HG_CELL(at, i, 1);
			rr[n++].rr_disabled = hg_atoll(HG_CELL(at, i, 3)) != 0;
		}
	rr[n].rr_value = value;
	rr[n++].rr_disabled = 0;
	memset(ch, 0, sizeof(*ch));
	ch->ch_op = HG_DNS_REPLACE;
	ch->ch_rrset.rs_name = name;
	ch->ch_rrset.rs_type = type;
	ch->ch_rrset.rs_ttl = (unsigned)ttl;
	ch->ch_rrset.rs_n = n;
	ch->ch_rrset.rs_rr = rr;
}

static int
send_changes(struct hg_req *r, const struct hg_dns_server *sv,
    const char *zone, const struct hg_dns_change *ch, size_t n)
{
	char	msg[512];
	int	rc;

	if ((rc = hg_dns_update(sv, zone, ch, n, msg, sizeof(msg))) != 0)
		return dns_fail(r, rc, msg);
	return 0;
}

static const char *
describe(struct hg_req *r, const char *name, const char *type,
    const char *value)
{
	return hg_printf(r->r_arena, "%s %s %s", name, type, value);
}

/* POST .../records/ */
static int
rec_create(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct hg_dns_server	 sv;
	struct hg_dns_change	 ch;
	struct hg_rows		*row, *at;
	const char		*sname, *zone, *name, *value, *why;
	long long		 did = r->r_ids[1], id, ttl, had;
	int			 rc;

	if ((rc = dns_server_load(r, r->r_ids[0], 1, &sv, &sname)) != 0 ||
	    (rc = dns_domain_load(r, r->r_ids[0], did, &zone)) != 0)
		return rc;
	if ((name = dns_owner(r, zone, v[RF_NAME].s, &why)) == NULL)
		return hg_invalid(r, "name", why);
	if ((value = dns_value(r, v[RF_TYPE].s, v[RF_VALUE].s, &why)) == NULL)
		return hg_invalid(r, "value", why);
	if ((rc = fits(r, did, zone, 0, name, v[RF_TYPE].s, value, &had,
	    &at)) != 0)
		return rc;
	ttl = v[RF_TTL].present ? v[RF_TTL].i : had != 0 ? had :
	    hg_conf.dns_default_ttl;
	/* the reply is the stored row, as the INSERT gives it back */
	if ((rc = hg_sql(r, &row, "INSERT INTO dns_records (domain_id, name, "
	    "type, value, ttl, creator) VALUES (?i, ?s, ?s, ?s, ?i, ?s) "
	    "RETURNING " REC_COLS(HG_COL_SQL) HG_NOCOUNT, did, name,
	    v[RF_TYPE].s, value, ttl, r->r_user->u_username)) != 0)
		return rc;
	id = hg_atoll(HG_CELL(row, 0, RC_ID));
	/* an RRset has one TTL: the others take the new record's */
	if ((had != 0 && had != ttl && (rc = hg_sql_exec(r, "UPDATE "
	    "dns_records SET ttl = ?i WHERE domain_id = ?i AND name = ?s AND "
	    "type = ?s", ttl, did, name, v[RF_TYPE].s)) != 0) ||
	    (rc = hg_audit(r, NULL, id, name, "add", hg_printf(r->r_arena,
	    "added record %s (ttl %lld) to domain %s on DNS server \"%s\"",
	    describe(r, name, v[RF_TYPE].s, value), ttl, zone, sname))) != 0)
		return rc;
	joined(r, at, name, v[RF_TYPE].s, value, ttl, &ch);
	if ((rc = send_changes(r, &sv, zone, &ch, 1)) != 0)
		return rc;
	return hg_reply(r, 201, rec_json(r, row, 0));
}

/* PATCH .../records/{rid}/ */
static int
rec_patch(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct hg_dns_server	 sv;
	struct hg_dns_change	 ch[2];
	struct hg_rows		*old;
	const char		*sname, *zone, *name, *type, *value, *why;
	const char		*oname, *otype, *ovalue, *d = "";
	long long		 did = r->r_ids[1], rid = r->r_ids[2], ttl, ottl;
	size_t			 n = 1;
	int			 rc;

	if ((rc = dns_server_load(r, r->r_ids[0], 1, &sv, &sname)) != 0 ||
	    (rc = dns_domain_load(r, r->r_ids[0], did, &zone)) != 0 ||
	    (rc = rec_load(r, did, rid, &old)) != 0)
		return rc;
	oname = HG_CELL(old, 0, RC_NAME);
	otype = HG_CELL(old, 0, RC_TYPE);
	ovalue = HG_CELL(old, 0, RC_VALUE);
	ottl = hg_atoll(HG_CELL(old, 0, RC_TTL));
	name = oname;
	if (v[RF_NAME].present &&
	    (name = dns_owner(r, zone, v[RF_NAME].s, &why)) == NULL)
		return hg_invalid(r, "name", why);
	type = v[RF_TYPE].present ? v[RF_TYPE].s : otype;
	if ((value = dns_value(r, type, v[RF_VALUE].present ? v[RF_VALUE].s :
	    ovalue, &why)) == NULL)
		return hg_invalid(r, "value", why);
	if ((rc = fits(r, did, zone, rid, name, type, value, &ttl, NULL)) != 0)
		return rc;
	if (v[RF_TTL].present)
		ttl = v[RF_TTL].i;
	else if ((strcmp(name, oname) == 0 && strcmp(type, otype) == 0) ||
	    ttl == 0)
		ttl = ottl;
	if ((rc = hg_sql_exec(r, "UPDATE dns_records SET name = ?s, type = "
	    "?s, value = ?s, ttl = ?i WHERE id = ?i", name, type, value, ttl,
	    rid)) != 0 ||
	    (rc = hg_sql_exec(r, "UPDATE dns_records SET ttl = ?i WHERE "
	    "domain_id = ?i AND name = ?s AND type = ?s", ttl, did, name,
	    type)) != 0)
		return rc;
	hg_audit_change(r, &d, "name", oname, name);
	hg_audit_change(r, &d, "type", otype, type);
	hg_audit_change(r, &d, "value", ovalue, value);
	hg_audit_change(r, &d, "ttl", HG_CELL(old, 0, RC_TTL),
	    hg_printf(r->r_arena, "%lld", ttl));
	if ((rc = hg_audit(r, NULL, rid, name, "update", hg_printf(r->r_arena,
	    "updated record %s in domain %s on DNS server \"%s\": %s",
	    describe(r, oname, otype, ovalue), zone, sname, *d != '\0' ? d :
	    "no change"))) != 0)
		return rc;
	if ((rc = change_of(r, did, name, type, &ch[0])) != 0)
		return rc;
	if (strcmp(name, oname) != 0 || strcmp(type, otype) != 0) {
		if ((rc = change_of(r, did, oname, otype, &ch[1])) != 0)
			return rc;
		n = 2;
	}
	if ((rc = send_changes(r, &sv, zone, ch, n)) != 0)
		return rc;
	return rec_reply(r, did, rid, 200);
}

/* DELETE .../records/{rid}/ */
static int
rec_delete(struct hg_req *r)
{
	struct hg_dns_server	 sv;
	struct hg_dns_change	 ch;
	struct hg_rows		*old;
	const char		*sname, *zone, *name, *type;
	long long		 did = r->r_ids[1], rid = r->r_ids[2];
	int			 rc;

	if ((rc = dns_server_load(r, r->r_ids[0], 1, &sv, &sname)) != 0 ||
	    (rc = dns_domain_load(r, r->r_ids[0], did, &zone)) != 0 ||
	    (rc = rec_load(r, did, rid, &old)) != 0)
		return rc;
	name = HG_CELL(old, 0, RC_NAME);
	type = HG_CELL(old, 0, RC_TYPE);
	if ((rc = hg_sql_exec(r, "DELETE FROM dns_records WHERE id = ?i",
	    rid)) != 0 ||
	    (rc = hg_audit(r, NULL, rid, name, "delete", hg_printf(r->r_arena,
	    "deleted record %s (ttl %s%s) from domain %s on DNS server \"%s\"",
	    describe(r, name, type, HG_CELL(old, 0, RC_VALUE)),
	    HG_CELL(old, 0, RC_TTL), strcmp(HG_CELL(old, 0, RC_DISABLED),
	    "1") == 0 ? ", disabled" : "", zone, sname))) != 0 ||
	    (rc = change_of(r, did, name, type, &ch)) != 0 ||
	    (rc = send_changes(r, &sv, zone, &ch, 1)) != 0)
		return rc;
	return hg_reply_ok(r);
}

/*
 * POST .../records/actions/disable/ and .../enable/ [{"id": N}, ...]: the
 * route's argument is the flag.  Every id must be a record of the domain
 * (10002 naming the first that is not); the RRsets they touch go to the
 * server in one update.
 */
static int
rec_able(struct hg_req *r)
{
	const int		 on = *ARGOF(r, int);
	struct hg_dns_server	 sv;
	struct hg_dns_change	*ch;
	struct hg_rows		*rs;
	const char		*sname, *zone, *name, *type;
	long long		 did = r->r_ids[1];
	size_t			 i, k, n = 0;
	int			 rc;

	if ((rc = dns_server_load(r, r->r_ids[0], 1, &sv, &sname)) != 0 ||
	    (rc = dns_domain_load(r, r->r_ids[0], did, &zone)) != 0)
		return rc;
	if (r->r_nidv == 0)
		return hg_invalid(r, "ids", "must name at least one record");
	ch = hg_alloc(r->r_arena, r->r_nidv * sizeof(*ch));
	for (i = 0; i < r->r_nidv; i++) {
		if ((rc = hg_sql(r, &rs, "SELECT name, type, value, disabled "
		    "FROM dns_records WHERE id = ?i AND domain_id = ?i",
		    r->r_idv[i], did)) != 0)
			return rc;
		if (rs->nrows == 0)
			return hg_invalid(r, hg_printf(r->r_arena, "[%zu].id",
			    i), hg_printf(r->r_arena, "no record with id %lld "
			    "in this domain", r->r_idv[i]));
		name = HG_CELL(rs, 0, 0);
		type = HG_CELL(rs, 0, 1);
		if ((hg_atoll(HG_CELL(rs, 0, 3)) != 0) == (on == 0))
			continue;	/* already so: nothing to say */
		if ((rc = hg_sql_exec(r, "UPDATE dns_records SET disabled = ?i "
		    "WHERE id = ?i", on ? 0LL : 1LL, r->r_idv[i])) != 0 ||
		    (rc = hg_audit(r, NULL, r->r_idv[i], name, on ? "enable" :
		    "disable", hg_printf(r->r_arena, "%s record %s in domain "
		    "%s on DNS server \"%s\": disabled: %s -> %s", on ?
		    "enabled" : "disabled", describe(r, name, type,
		    HG_CELL(rs, 0, 2)), zone, sname, on ? "true" : "false",
		    on ? "false" : "true"))) != 0)
			return rc;
		for (k = 0; k < n; k++)
			if (strcmp(ch[k].ch_rrset.rs_name, name) == 0 &&
			    strcmp(ch[k].ch_rrset.rs_type, type) == 0)
				break;
		if (k == n) {
			ch[n].ch_rrset.rs_name = name;
			ch[n].ch_rrset.rs_type = type;
			n++;
		}
	}
	for (k = 0; k < n; k++)
		if ((rc = change_of(r, did, ch[k].ch_rrset.rs_name,
		    ch[k].ch_rrset.rs_type, &ch[k])) != 0)
			return rc;
	if (n > 0 && (rc = send_changes(r, &sv, zone, ch, n)) != 0)
		return rc;
	return hg_reply_ok(r);
}

static const int enable = 1, disable = 0;

#define RECS	"/dns-services/{id}/domains/{did}/records"
const struct hg_route hg_routes_dns_records[] = {
	ROUTE("GET", RECS, rec_list, DNS_READ, QUERY(list_q), PAGED),
	ROUTE("POST", RECS, rec_create, DNS_WRITE, BODY(rec_fields),
	    AUDIT("dns_record")),
	ROUTE("PATCH", RECS "/{rid}", rec_patch, DNS_WRITE,
	    PATCH(rec_fields), AUDIT("dns_record"), SUCCESS),
	ROUTE("DELETE", RECS "/{rid}", rec_delete, DNS_WRITE,
	    AUDIT("dns_record")),
	ROUTE("POST", RECS "/actions/disable", rec_able, DNS_WRITE,
	    ARG(&disable), IDS, AUDIT("dns_record")),
	ROUTE("POST", RECS "/actions/enable", rec_able, DNS_WRITE,
	    ARG(&enable), IDS, AUDIT("dns_record")),
	ROUTES_END
};
