/*
 * ssl.c -- /resource-request/ssl-certificates/: SSL certificate requests
 * (the seed's 申请域名SSL证书, API.md sections 5 and 6, issue 14): list
 * (domain and certificate_type filters besides every kind's), create,
 * get, PATCH, approve, reject, close, and finish with the certificate
 * issued.
 *
 * domain (also spelled domian) is a DNS name, stored in lower case
 * without a trailing dot; certificate_type is the seed's 'wizard' (a
 * wildcard certificate, *.domain; "*.example.com" is taken for
 * example.com) or 'normal'.  finish takes `certificate`, the PEM chain
 * (leaf first), checked by cert.c: it must cover the domain, be in force,
 * and hold no private key.  Its subject, issuer, SANs, not_after and
 * fingerprint are stored and shown as the object's `certificate`; the
 * chain itself is read with GET .../{id}/certificate/ (requests.c).
 */
#include <string.h>

#include "hangard.h"
#include "requests/requests.h"

static int	ssl_edit(struct hg_req *, long long);
static int	ssl_finish(struct hg_req *, long long, const char **);

static const struct rq_kind ssl_kind = {
	RQ_K_SSL, "ssl", "SSL certificate request",
	"/resource-request/ssl-certificates/", "approve_ssl_cert_req",
	ssl_edit, ssl_finish, NULL
};
static const struct rq_arg ssl_args[RQ_A__MAX] = RQ_ARGS(&ssl_kind);

static const char *const ctypes[] = { "wizard", "normal", NULL };

enum { F_DOMAIN, F_CTYPE, F_APPS, F_PURPOSE, F_DAYS, F__MAX };
static const struct hg_field ssl_fields[F__MAX] = {
	[F_DOMAIN] = { "domain", HG_V_STR, HG_V_REQUIRED, 1, 256,
	    .f_alias = { "domian" } },
	[F_CTYPE] = { "certificate_type", HG_V_ENUM, HG_V_REQUIRED |
	    HG_V_NOCASE, 0, 0, ctypes },
	[F_APPS] = { "associate_app", HG_V_IDS, HG_V_BAREID, 0, 100,
	    .f_alias = { "associated_app" } },
	[F_PURPOSE] = { "purpose", HG_V_STR, 0, 0, 4096 },
	[F_DAYS] = { "expect_delivery_days", HG_V_STR, HG_V_NUMTEXT, 1, 4,
	    .f_check = rq_check_days },
};

/* finish: the certificate chain, PEM (64 KiB is ample for any chain) */
enum { FF_CERT, FF__MAX };
static const struct hg_field finish_fields[FF__MAX] = {
	[FF_CERT] = { "certificate", HG_V_STR, HG_V_REQUIRED, 1, 65536 },
};

/*
 * The domain of the body for type (given, or the stored one for a PATCH
 * that gives only one of the two): *out normalized; 10002 on domain.
 */
static int
domain_of(struct hg_req *r, const char *in, const char *type,
    const char **out)
{
	const char *why;

	if (strcmp(type, "wizard") == 0 && strncmp(in, "*.", 2) == 0)
		in += 2;
	if ((why = rq_dns_name(r, in, 0, out)) != NULL)
		return hg_invalid(r, "domain", why);
	return 0;
}

/* POST /resource-request/ssl-certificates/ */
static int
ssl_create(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	const char		*domain;
	long long		 id;
	int			 rc;

	if ((rc = domain_of(r, v[F_DOMAIN].s, v[F_CTYPE].s, &domain)) != 0 ||
	    (rc = rq_insert(r, &ssl_kind, v[F_PURPOSE].present ?
	    v[F_PURPOSE].s : NULL, v[F_DAYS].present ? v[F_DAYS].s : NULL,
	    &id)) != 0 ||
	    (rc = hg_sql_exec(r, "INSERT INTO ssl_requests (request_id, domain, "
	    "certificate_type) VALUES (?i, ?s, ?s)", id, domain,
	    v[F_CTYPE].s)) != 0 ||
	    (rc = rq_apps_set(r, id, "associate_app", &v[F_APPS])) != 0)
		return rc;
	return rq_created(r, &ssl_kind, id);
}

static int
ssl_edit(struct hg_req *r, long long id)
{
	const struct hg_val	*v = r->r_in;
	struct hg_rows		*rs;
	const char		*domain, *type;
	int			 rc;

	if ((rc = rq_patch_common(r, id, &v[F_PURPOSE], &v[F_DAYS])) != 0 ||
	    (rc = rq_apps_set(r, id, "associate_app", &v[F_APPS])) != 0)
		return rc;
	if (!v[F_DOMAIN].present && !v[F_CTYPE].present)
		return 0;
	if ((rc = hg_sql(r, &rs, "SELECT domain, certificate_type FROM "
	    "ssl_requests WHERE request_id = ?i", id)) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_INTERNAL, "SSL request %lld has no "
		    "ssl_requests row", id);
	domain = v[F_DOMAIN].present ? v[F_DOMAIN].s : HG_CELL(rs, 0, 0);
	type = v[F_CTYPE].present ? v[F_CTYPE].s : HG_CELL(rs, 0, 1);
	if ((rc = domain_of(r, domain, type, &domain)) != 0)
		return rc;
	return hg_sql_exec(r, "UPDATE ssl_requests SET domain = ?s, "
	    "certificate_type = ?s WHERE request_id = ?i", domain, type, id);
}

/* finish: the certificate, checked against the request, is stored. */
static int
ssl_finish(struct hg_req *r, long long id, const char **d)
{
	struct hg_rows	*rs;
	struct rq_cert	 c;
	int		 rc;

	if ((rc = hg_sql(r, &rs, "SELECT domain, certificate_type FROM "
	    "ssl_requests WHERE request_id = ?i", id)) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_INTERNAL, "SSL request %lld has no "
		    "ssl_requests row", id);
	if ((rc = rq_cert_check(r, "certificate", r->r_in[FF_CERT].s,
	    HG_CELL(rs, 0, 0), strcmp(HG_CELL(rs, 0, 1), "wizard") == 0,
	    &c)) != 0)
		return rc;
	*d = hg_printf(r->r_arena, "certificate: subject \"%s\", issuer \"%s\","
	    " not_after %s UTC, sha256 %s", c.c_subject, c.c_issuer,
	    c.c_not_after, c.c_fingerprint);
	return hg_sql_exec(r, "UPDATE ssl_requests SET cert_subject = ?s, "
	    "cert_issuer = ?s, cert_sans = ?s, cert_not_after = ?s, "
	    "cert_fingerprint = ?s, cert_pem = ?s WHERE request_id = ?i",
	    c.c_subject, c.c_issuer, c.c_sans, c.c_not_after, c.c_fingerprint,
	    c.c_pem, id);
}

#define PATH		"/resource-request/ssl-certificates"
#define ACT(name, a)	ROUTE("POST", PATH "/{id}/actions/" name, rq_act, \
	RQ_VIEW, ARG(&ssl_args[a]), AUDIT("request"), SUCCESS)

const struct hg_route hg_routes_ssl_requests[] = {
	ROUTE("GET", PATH, rq_list, RQ_VIEW, ARG(&ssl_kind),
	    QUERY(rq_ssl_list_q), PAGED),
	ROUTE("POST", PATH, ssl_create, RQ_CREATE, BODY(ssl_fields),
	    AUDIT("request")),
	ROUTE("GET", PATH "/{id}", rq_get, RQ_VIEW, ARG(&ssl_kind)),
	ROUTE("GET", PATH "/{id}/certificate", rq_cert_get, RQ_VIEW,
	    ARG(&ssl_kind)),
	ROUTE("PATCH", PATH "/{id}", rq_act, RQ_VIEW, ARG(&ssl_args[RQ_EDIT]),
	    PATCH(ssl_fields), AUDIT("request"), SUCCESS),
	ACT("approve", RQ_APPROVE),
	ACT("reject", RQ_REJECT),
	ACT("close", RQ_CLOSE),
	ROUTE("POST", PATH "/{id}/actions/finish", rq_act, RQ_VIEW,
	    ARG(&ssl_args[RQ_FINISH]), BODY(finish_fields), AUDIT("request"),
	    SUCCESS),
	ROUTES_END
};
