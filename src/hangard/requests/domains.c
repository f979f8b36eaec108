/*
 * domains.c -- /resource-request/domains/: domain requests (the seed's
 * 申请域名, API.md sections 5 and 6, issue 14): list, create, get, PATCH,
 * approve, reject, close, finish.
 *
 * A request asks for DNS records: {name, type, value, ttl}, name also
 * spelled record (the examples').  Names are absolute ("www.example.com",
 * a trailing dot taken and dropped, stored in lower case); types A, AAAA,
 * CNAME, MX, NS, TXT; values checked for their type (an address, a host
 * name, "<priority> <host>" for MX, text of at most 2048 bytes without
 * control characters for TXT, surrounding double quotes dropped); ttl
 * 1 to 2147483647 or absent (the DNS module's default).  A CNAME beside
 * another record of its name, or a record given twice, is 400.
 *
 * Approval leaves the request 'approved' with apply_status 'pending' and,
 * when a record falls in a domain Hangar manages, queues the DNS module's
 * apply job in the same transaction (dns/dnsapply.h): it puts the records
 * on the DNS server of the domain they fall in and finishes the request
 * (sql/092_requests.sql says what it writes).  A request none of whose
 * records Hangar manages waits for an approver: apply (after adding the
 * domain) or finish here, for records put in place by hand.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "hangard.h"
#include "requests/requests.h"
#include "dns/dnsapply.h"

static int	domain_edit(struct hg_req *, long long);
static int	domain_approve(struct hg_req *, long long);
static int	domain_finish(struct hg_req *, long long, const char **);

static const struct rq_kind domain_kind = {
	RQ_K_DOMAIN, "domain", "domain request", "/resource-request/domains/",
	"approve_domain_req", domain_edit, domain_finish, domain_approve
};
static const struct rq_arg domain_args[RQ_A__MAX] = RQ_ARGS(&domain_kind);

/* ---- input ------------------------------------------------------------- */

static const char *const rr_types[] = { "A", "AAAA", "CNAME", "MX", "NS",
    "TXT", NULL };

enum { R_NAME, R_TYPE, R_VALUE, R_TTL, R__MAX };
static const struct hg_field record_fields[R__MAX] = {
	[R_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 254,
	    .f_alias = { "record" } },
	[R_TYPE] = { "type", HG_V_ENUM, HG_V_REQUIRED | HG_V_NOCASE, 0, 0,
	    rr_types },
	[R_VALUE] = { "value", HG_V_STR, HG_V_REQUIRED, 1, 2050 },
	[R_TTL] = { "ttl", HG_V_INT, HG_V_NULLABLE, 1, 2147483647LL },
};

enum { F_RECORDS, F_APPS, F_PURPOSE, F_DAYS, F__MAX };
static const struct hg_field domain_fields[F__MAX] = {
	[F_RECORDS] = { "records", HG_V_ARRAY, HG_V_REQUIRED, 1, 100,
	    HG_SUB(record_fields) },
	[F_APPS] = { "associated_app", HG_V_IDS, HG_V_BAREID, 0, 100,
	    .f_alias = { "associate_app" } },
	[F_PURPOSE] = { "purpose", HG_V_STR, 0, 0, 4096 },
	[F_DAYS] = { "expect_delivery_days", HG_V_STR, HG_V_NUMTEXT, 1, 4,
	    .f_check = rq_check_days },
};

/* ---- records ----------------------------------------------------------- */

struct rec {
	const char	*name, *type, *value;
	long long	 ttl;		/* 0: none */
};

/* A host name value (CNAME, NS, MX's exchange): normalized, or why not. */
static const char *
host_value(struct hg_req *r, const char *in, const char **out)
{
	return rq_dns_name(r, in, 0, out);
}

/*
 * The value of a record of type t: *out normalized, or why it is wrong.
 */
static const char *
check_value(struct hg_req *r, const char *t, const char *in,
    const char **out)
{
	unsigned char	 buf[sizeof(struct in6_addr)];
	char		 txt[INET6_ADDRSTRLEN];
	const char	*why, *host, *p;
	char		*end;
	long		 prio;
	size_t		 len;

	if (strcmp(t, "A") == 0 || strcmp(t, "AAAA") == 0) {
		int af = t[1] == '\0' ? AF_INET : AF_INET6;

		if (inet_pton(af, in, buf) != 1)
			return af == AF_INET ? "must be an IPv4 address" :
			    "must be an IPv6 address";
		inet_ntop(af, buf, txt, sizeof(txt));
		*out = hg_strdup(r->r_arena, txt);
		return NULL;
	}
	if (strcmp(t, "CNAME") == 0 || strcmp(t, "NS") == 0)
		return host_value(r, in, out);
	if (strcmp(t, "MX") == 0) {
		if (!isdigit((unsigned char)*in))
			return "must be \"<priority> <host>\" (priority 0 to "
			    "65535)";
		prio = strtol(in, &end, 10);
		if (prio < 0 || prio > 65535 || end - in > 5 || *end != ' ')
			return "must be \"<priority> <host>\" (priority 0 to "
			    "65535)";
		while (*end == ' ')
			end++;
		if ((why = host_value(r, end, &host)) != NULL)
			return hg_printf(r->r_arena, "exchange %s", why);
		*out = hg_printf(r->r_arena, "%ld %s", prio, host);
		return NULL;
	}
	/* TXT */
	len = strlen(in);
	if (len >= 2 && in[0] == '"' && in[len - 1] == '"') {
		in = hg_strdup(r->r_arena, in + 1);
		((char *)in)[len - 2] = '\0';
		len -= 2;
	}
	if (len == 0)
		return "must not be empty";
	if (len > 2048)
		return "must be at most 2048 bytes";
	for (p = in; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "must not contain control characters";
	*out = in;
	return NULL;
}

/*
 * The body's records, checked and normalized into *out (n of them);
 * 10002 naming records[i].<field> for the first wrong one.
 */
static int
records_of(struct hg_req *r, const struct hg_val *v, struct rec **out)
{
	struct rec	*rs = hg_alloc(r->r_arena, sizeof(*rs) * v->nitems);
	const char	*why;
	size_t		 i, j;

	for (i = 0; i < v->nitems; i++) {
		const struct hg_val *it = v->items[i];

		if ((why = rq_dns_name(r, it[R_NAME].s, 1, &rs[i].name)) !=
		    NULL)
			return hg_invalid(r, hg_printf(r->r_arena,
			    "records[%zu].name", i), why);
		rs[i].type = it[R_TYPE].s;
		if ((why = check_value(r, rs[i].type, it[R_VALUE].s,
		    &rs[i].value)) != NULL)
			return hg_invalid(r, hg_printf(r->r_arena,
			    "records[%zu].value", i), why);
		rs[i].ttl = it[R_TTL].present && !it[R_TTL].null ?
		    it[R_TTL].i : 0;
		for (j = 0; j < i; j++) {
			if (strcmp(rs[j].name, rs[i].name) != 0)
				continue;
			if (strcmp(rs[j].type, rs[i].type) == 0 &&
			    strcmp(rs[j].value, rs[i].value) == 0)
				return hg_invalid(r, hg_printf(r->r_arena,
				    "records[%zu]", i), hg_printf(r->r_arena,
				    "repeats records[%zu]", j));
			if (strcmp(rs[j].type, "CNAME") == 0 ||
			    strcmp(rs[i].type, "CNAME") == 0)
				return hg_invalid(r, hg_printf(r->r_arena,
				    "records[%zu]", i), hg_printf(r->r_arena,
				    "a CNAME may not stand beside another record "
				    "of its name (records[%zu])", j));
		}
	}
	*out = rs;
	return 0;
}

/* The request's records become the body's. */
static int
records_set(struct hg_req *r, long long id, int new)
{
	const struct hg_val	*v = &r->r_in[F_RECORDS];
	struct rec		*rs = NULL;
	size_t			 i;
	int			 rc;

	if (!v->present)
		return 0;
	if ((rc = records_of(r, v, &rs)) != 0)
		return rc;
	if (!new && (rc = hg_sql_exec(r, "DELETE FROM domain_request_records "
	    "WHERE request_id = ?i", id)) != 0)
		return rc;
	for (i = 0; i < v->nitems; i++)
		if ((rc = hg_sql_exec(r, "INSERT INTO domain_request_records "
		    "(request_id, name, type, value, ttl) VALUES (?i, ?s, ?s, "
		    "?s, ?s)", id, rs[i].name, rs[i].type, rs[i].value,
		    rs[i].ttl ? hg_printf(r->r_arena, "%lld", rs[i].ttl) :
		    NULL)) != 0)
			return rc;
	return 0;
}

/* ---- handlers ---------------------------------------------------------- */

/* POST /resource-request/domains/ */
static int
domain_create(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	long long		 id;
	int			 rc;

	if ((rc = rq_insert(r, &domain_kind, v[F_PURPOSE].present ?
	    v[F_PURPOSE].s : NULL, v[F_DAYS].present ? v[F_DAYS].s : NULL,
	    &id)) != 0 ||
	    (rc = hg_sql_exec(r, "INSERT INTO domain_requests (request_id) "
	    "VALUES (?i)", id)) != 0 ||
	    (rc = records_set(r, id, 1)) != 0 ||
	    (rc = rq_apps_set(r, id, "associated_app", &v[F_APPS])) != 0)
		return rc;
	return rq_created(r, &domain_kind, id);
}

static int
domain_edit(struct hg_req *r, long long id)
{
	const struct hg_val	*v = r->r_in;
	int			 rc;

	if ((rc = rq_patch_common(r, id, &v[F_PURPOSE], &v[F_DAYS])) != 0 ||
	    (rc = records_set(r, id, 0)) != 0)
		return rc;
	return rq_apps_set(r, id, "associated_app", &v[F_APPS]);
}

/*
 * approve: the records go to the DNS module's apply job when Hangar
 * manages a domain one of them falls in (the job's own rule, in
 * src/agent/dns_apply.c); else they wait for an approver.
 */
static int
domain_approve(struct hg_req *r, long long id)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql(r, &rs, "SELECT 1 FROM domain_request_records q "
	    "JOIN dns_domains d ON q.name = d.name OR RIGHT(q.name, "
	    "LENGTH(d.name) + 1) = CONCAT('.', d.name) WHERE q.request_id = ?i "
	    "LIMIT 1", id)) != 0)
		return rc;
	if (rs->nrows > 0)
		return hg_dns_apply_queue(r, id, NULL);
	return hg_sql_exec(r, "UPDATE domain_requests SET apply_status = "
	    "'pending', apply_error = '' WHERE request_id = ?i", id);
}

/* finish by hand: the records were put in place outside Hangar. */
static int
domain_finish(struct hg_req *r, long long id, const char **d)
{
	*d = "records put in place by hand";
	return hg_sql_exec(r, "UPDATE domain_requests SET apply_status = "
	    "'applied', apply_error = '', applied_time = UTC_TIMESTAMP() WHERE "
	    "request_id = ?i", id);
}

#define PATH		"/resource-request/domains"
#define ACT(name, a)	ROUTE("POST", PATH "/{id}/actions/" name, rq_act, \
	RQ_VIEW, ARG(&domain_args[a]), AUDIT("request"), SUCCESS)

const struct hg_route hg_routes_domain_requests[] = {
	ROUTE("GET", PATH, rq_list, RQ_VIEW, ARG(&domain_kind),
	    QUERY(rq_list_q), PAGED),
	ROUTE("POST", PATH, domain_create, RQ_CREATE, BODY(domain_fields),
	    AUDIT("request")),
	ROUTE("GET", PATH "/{id}", rq_get, RQ_VIEW, ARG(&domain_kind)),
	ROUTE("PATCH", PATH "/{id}", rq_act, RQ_VIEW,
	    ARG(&domain_args[RQ_EDIT]), PATCH(domain_fields), AUDIT("request"),
	    SUCCESS),
	ACT("approve", RQ_APPROVE),
	ACT("reject", RQ_REJECT),
	ACT("close", RQ_CLOSE),
	ACT("finish", RQ_FINISH),
	ROUTES_END
};
