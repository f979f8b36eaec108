/*
 * servers.c -- /dns-services/: the DNS servers Hangar drives (the seed's
 * DNS服务, API.md sections 4 and 6).  Reading needs enable_dns_mgmt,
 * changing manage_dns_server.
 *
 * A server is 'powerdns' (api_endpoint, api_key: its HTTP API) or 'bind'
 * (dns_address, tsig_key_name, tsig_algorithm, tsig_secret: RFC 2136
 * updates signed with TSIG).  Creating one, or changing how it is reached,
 * first asks the server (lib/dns.h be_check): 502 when it refuses or does
 * not answer, 504 when it is too slow, and nothing is saved.  api_key and
 * tsig_secret are sealed with the server key and write-only ("******").
 * A server that still has domains cannot be deleted or change type (409).
 */
#include <string.h>
#include <strings.h>

#include "dnsmod.h"
#include "conf.h"
#include "secret.h"

#define SV_COLS(X) \
	X(SC_ID,	"id",		"s.id",			INT)	\
	X(SC_NAME,	"name",		"s.name",		STR)	\
	X(SC_TYPE,	"type",		"s.type",		STR)	\
	X(SC_ENDPOINT,	"api_endpoint",	"s.api_endpoint",	STR)	\
	X(SC_KEY,	"api_key",	"IF(s.api_key IS NULL, NULL, '******')", STR) \
	X(SC_ADDR,	"dns_address",	"s.dns_address",	STR)	\
	X(SC_TKNAME,	"tsig_key_name", "s.tsig_key_name",	STR)	\
	X(SC_TALG,	"tsig_algorithm", "s.tsig_algorithm",	STR)	\
	X(SC_TSECRET,	"tsig_secret",	"IF(s.tsig_secret IS NULL, NULL, '******')", STR) \
	X(SC_DESC,	"description",	"s.description",	STR)	\
	X(SC_CREATOR,	"creator",	"s.creator",		STR)	\
	X(SC_CREATED,	"created_time",	"s.created_time",	TIME)	\
	X(SC_RAWKEY,	"",		"s.api_key",		NONE)	\
	X(SC_RAWTSEC,	"",		"s.tsig_secret",	NONE)
enum { SV_COLS(HG_COL_ENUM) SC__MAX };
static const struct hg_col sv_cols[] = { SV_COLS(HG_COL_DECL) };
#define SV_SELECT "SELECT " SV_COLS(HG_COL_SQL)

static const char *const types[] = { "powerdns", "bind", NULL };
/* What ldns can sign with: it has no hmac-sha224 and cannot use hmac-sha384. */
static const char *const algs[] = { "hmac-md5", "hmac-sha1", "hmac-sha256",
    "hmac-sha512", NULL };

static json_object *
sv_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	return HG_ROW(r, sv_cols, rs, i);
}

static int
sv_load(struct hg_req *r, long long id, int lock, struct hg_rows **rs)
{
	return hg_sql_get(r, rs, "DNS server", id, lock ? SV_SELECT
	    HG_NOCOUNT " FROM dns_servers s WHERE s.id = ?i FOR UPDATE" :
	    SV_SELECT HG_NOCOUNT " FROM dns_servers s WHERE s.id = ?i");
}

static int
sv_reply(struct hg_req *r, long long id, int status)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = sv_load(r, id, 0, &rs)) != 0)
		return rc;
	return hg_reply(r, status, sv_json(r, rs, 0));
}

/* "" or an absolute http(s) URL with a host, printable ASCII. */
static const char *
check_endpoint(const char *s)
{
	const char	*p;

	if (*s == '\0')
		return NULL;
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
			return "must be a URL without spaces or non-ASCII "
			    "characters";
	return NULL;
}

/* "" or host:port, [v6]:port, or a host alone: printable ASCII. */
static const char *
check_address(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f ||
		    strchr("/?#@\"'\\", *s) != NULL)
			return "must be host:port (192.0.2.53:53)";
	return NULL;
}

/* printable ASCII, no blank */
static const char *
check_token(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return "may only have printable ASCII characters "
			    "without blanks";
	return NULL;
}

enum { SQ_NAME, SQ_CREATOR, SQ_DESC, SQ_TYPE, SQ__MAX };
static const struct hg_field list_q[SQ__MAX] = {
	[SQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
	[SQ_CREATOR] = { "creator", HG_V_STR, 0, 0, 64 },
	[SQ_DESC] = { "description", HG_V_STR, 0, 0, 1024 },
	[SQ_TYPE] = { "type", HG_V_ENUM, HG_V_NOCASE, 0, 0, types },
};

enum { SF_NAME, SF_TYPE, SF_ENDPOINT, SF_KEY, SF_ADDR, SF_TKNAME, SF_TALG,
    SF_TSECRET, SF_DESC, SF__MAX };
static const struct hg_field sv_fields[SF__MAX] = {
	[SF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = hg_check_noctl, .f_col = "name" },
	[SF_TYPE] = { "type", HG_V_ENUM, HG_V_NOCASE, 0, 0, types,
	    .f_col = "type" },
	[SF_ENDPOINT] = { "api_endpoint", HG_V_STR, 0, 0, 1024,
	    .f_check = check_endpoint, .f_col = "api_endpoint" },
	[SF_KEY] = { "api_key", HG_V_STR, HG_V_SECRET, 1, 1024,
	    .f_check = check_token, .f_col = "api_key" },
	[SF_ADDR] = { "dns_address", HG_V_STR, 0, 0, 300,
	    .f_check = check_address, .f_col = "dns_address" },
	[SF_TKNAME] = { "tsig_key_name", HG_V_STR, 0, 0, 255,
	    .f_check = check_token, .f_col = "tsig_key_name" },
	[SF_TALG] = { "tsig_algorithm", HG_V_ENUM, HG_V_NOCASE, 0, 0, algs,
	    .f_col = "tsig_algorithm" },
	[SF_TSECRET] = { "tsig_secret", HG_V_STR, HG_V_SECRET, 1, 1024,
	    .f_check = check_token, .f_col = "tsig_secret" },
	[SF_DESC] = { "description", HG_V_STR, 0, 0, 1024,
	    .f_check = hg_check_noctl, .f_col = "description" },
};

/* GET /dns-services/?name=&creator=&description=&type= */
static int
sv_list(struct hg_req *r)
{
	const struct hg_val *q = r->r_qv;

	return hg_list(r, sv_json, SV_SELECT "COUNT(*) OVER () FROM "
	    "dns_servers s WHERE s.name LIKE COALESCE(?s, '%') "
	    "AND s.creator LIKE COALESCE(?s, '%') "
	    "AND s.description LIKE COALESCE(?s, '%') "
	    "AND s.type = COALESCE(?s, s.type) "
	    "ORDER BY s.id DESC LIMIT ?i OFFSET ?i",
	    hg_like(r, &q[SQ_NAME]), hg_like(r, &q[SQ_CREATOR]),
	    hg_like(r, &q[SQ_DESC]), q[SQ_TYPE].s);
}

static int
name_taken(struct hg_req *r, int rc)
{
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "DNS server name \"%s\" is taken",
		    r->r_in[SF_NAME].s);
	return rc;
}

/* The body's value of field f, else the old row's column c (or ""). */
static const char *
merged(struct hg_req *r, struct hg_rows *old, int f, int c)
{
	if (r->r_in[f].present && !r->r_in[f].null)
		return r->r_in[f].s;
	if (old != NULL && HG_CELL(old, 0, c) != NULL)
		return HG_CELL(old, 0, c);
	return "";
}

/*
 * The server as it will be (body over old row; secrets of the old row
 * unsealed), checked for what its type needs and asked whether it
 * answers.
 */
static int
sv_verify(struct hg_req *r, struct hg_rows *old)
{
	struct hg_dns_server	 sv;
	const char		*type, *k;
	char			 msg[512];
	int			 rc;

	memset(&sv, 0, sizeof(sv));
	type = merged(r, old, SF_TYPE, SC_TYPE);
	sv.sv_type = strcmp(type, "powerdns") == 0 ? HG_DNS_POWERDNS :
	    HG_DNS_BIND;
	sv.sv_api_endpoint = merged(r, old, SF_ENDPOINT, SC_ENDPOINT);
	sv.sv_dns_address = merged(r, old, SF_ADDR, SC_ADDR);
	sv.sv_tsig_key_name = merged(r, old, SF_TKNAME, SC_TKNAME);
	sv.sv_tsig_algorithm = merged(r, old, SF_TALG, SC_TALG);
	sv.sv_api_key = r->r_in[SF_KEY].present ? r->r_in[SF_KEY].s : NULL;
	if (sv.sv_api_key == NULL && old != NULL &&
	    (k = HG_CELL(old, 0, SC_RAWKEY)) != NULL)
		sv.sv_api_key = hg_unseal(r->r_arena, k);
	sv.sv_tsig_secret = r->r_in[SF_TSECRET].present ?
	    r->r_in[SF_TSECRET].s : NULL;
	if (sv.sv_tsig_secret == NULL && old != NULL &&
	    (k = HG_CELL(old, 0, SC_RAWTSEC)) != NULL)
		sv.sv_tsig_secret = hg_unseal(r->r_arena, k);
	sv.sv_timeout_ms = hg_conf.dns_timeout;
	if (sv.sv_type == HG_DNS_POWERDNS) {
		if (*sv.sv_api_endpoint == '\0')
			return hg_invalid(r, "api_endpoint", "is required for "
			    "a powerdns server");
		if (sv.sv_api_key == NULL)
			return hg_invalid(r, "api_key", "is required for a "
			    "powerdns server");
	} else {
		if (*sv.sv_dns_address == '\0')
			return hg_invalid(r, "dns_address", "is required for "
			    "a bind server");
		if (*sv.sv_tsig_key_name == '\0')
			return hg_invalid(r, "tsig_key_name", "is required "
			    "for a bind server");
		if (*sv.sv_tsig_algorithm == '\0')
			return hg_invalid(r, "tsig_algorithm", "is required "
			    "for a bind server");
		if (sv.sv_tsig_secret == NULL)
			return hg_invalid(r, "tsig_secret", "is required for "
			    "a bind server");
	}
	if ((rc = hg_dns_check(&sv, msg, sizeof(msg))) != 0)
		return dns_fail(r, rc, msg);
	return 0;
}

/* Seal field f of the body in place (audited only as replaced). */
static int
seal(struct hg_req *r, int f)
{
	char	*sealed;
	int	 rc;

	if (!r->r_in[f].present || r->r_in[f].null)
		return 0;
	if ((rc = hg_seal_input(r, r->r_in[f].s, &sealed)) != 0)
		return rc;
	r->r_in[f].s = sealed;
	return 0;
}

/* POST /dns-services/ */
static int
sv_create(struct hg_req *r)
{
	struct hg_val	*v = r->r_in;
	const char	*d = "", *type;
	long long	 id;
	int		 rc;

	type = v[SF_TYPE].present ? v[SF_TYPE].s : "bind";
	if (!v[SF_TYPE].present) {
		v[SF_TYPE].present = 1;
		v[SF_TYPE].s = type;
	}
	if ((rc = sv_verify(r, NULL)) != 0 ||
	    (rc = seal(r, SF_KEY)) != 0 || (rc = seal(r, SF_TSECRET)) != 0)
		return rc;
	if ((rc = name_taken(r, hg_sql_exec(r, "INSERT INTO dns_servers "
	    "(name, type, api_endpoint, api_key, dns_address, tsig_key_name, "
	    "tsig_algorithm, tsig_secret, description, creator) VALUES "
	    "(?s, ?s, ?s, ?s, ?s, ?s, ?s, ?s, ?s, ?s)", v[SF_NAME].s, type,
	    v[SF_ENDPOINT].s != NULL ? v[SF_ENDPOINT].s : "",
	    v[SF_KEY].present ? v[SF_KEY].s : NULL,
	    v[SF_ADDR].s != NULL ? v[SF_ADDR].s : "",
	    v[SF_TKNAME].s != NULL ? v[SF_TKNAME].s : "",
	    v[SF_TALG].s != NULL ? v[SF_TALG].s : "",
	    v[SF_TSECRET].present ? v[SF_TSECRET].s : NULL,
	    v[SF_DESC].s != NULL ? v[SF_DESC].s : "",
	    r->r_user->u_username))) != 0)
		return rc;
	id = hg_sql_insert_id(r);
	hg_audit_fields(r, &d, sv_cols, SC__MAX, NULL, 0);
	if ((rc = hg_audit(r, NULL, id, v[SF_NAME].s, "add",
	    hg_printf(r->r_arena, "added DNS server \"%s\": %s", v[SF_NAME].s,
	    d))) != 0)
		return rc;
	return sv_reply(r, id, 201);
}

/* GET /dns-services/{id}/ */
static int
sv_get(struct hg_req *r)
{
	return sv_reply(r, r->r_ids[0], 200);
}

/* Domains of server id. */
#define sv_domains(r, id, n) hg_sql_count((r), (n), "SELECT COUNT(*) FROM " \
	"dns_domains WHERE server_id = ?i", (long long)(id))

/* PATCH /dns-services/{id}/ */
static int
sv_patch(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct hg_rows		*old;
	const char		*d = "";
	long long		 n;
	int			 rc;

	if ((rc = sv_load(r, r->r_ids[0], 1, &old)) != 0)
		return rc;
	if (v[SF_TYPE].present &&
	    strcmp(v[SF_TYPE].s, HG_CELL(old, 0, SC_TYPE)) != 0) {
		if ((rc = sv_domains(r, r->r_ids[0], &n)) != 0)
			return rc;
		if (n > 0)
			return hg_fail(r, HG_E_CONFLICT, "DNS server \"%s\" has "
			    "%lld domain(s); its type cannot change",
			    HG_CELL(old, 0, SC_NAME), n);
	}
	/* how it is reached changes: ask it again */
	if (v[SF_TYPE].present || v[SF_ENDPOINT].present ||
	    v[SF_KEY].present || v[SF_ADDR].present || v[SF_TKNAME].present ||
	    v[SF_TALG].present || v[SF_TSECRET].present)
		if ((rc = sv_verify(r, old)) != 0)
			return rc;
	if ((rc = seal(r, SF_KEY)) != 0 || (rc = seal(r, SF_TSECRET)) != 0 ||
	    (rc = name_taken(r, hg_sql_patch(r, "dns_servers",
	    r->r_ids[0]))) != 0)
		return rc;
	hg_audit_fields(r, &d, sv_cols, SC__MAX, old, 0);
	if ((rc = hg_audit(r, NULL, r->r_ids[0], v[SF_NAME].present ?
	    v[SF_NAME].s : HG_CELL(old, 0, SC_NAME), "update",
	    hg_printf(r->r_arena, "updated DNS server \"%s\": %s",
	    HG_CELL(old, 0, SC_NAME), *d != '\0' ? d : "no change"))) != 0)
		return rc;
	return sv_reply(r, r->r_ids[0], 200);
}

/* DELETE /dns-services/{id}/: 409 while it has domains. */
static int
sv_delete(struct hg_req *r)
{
	struct hg_rows	*old;
	const char	*d = "";
	long long	 n;
	int		 rc, c;

	if ((rc = sv_load(r, r->r_ids[0], 1, &old)) != 0 ||
	    (rc = sv_domains(r, r->r_ids[0], &n)) != 0)
		return rc;
	if (n > 0)
		return hg_fail(r, HG_E_CONFLICT, "DNS server \"%s\" still has "
		    "%lld domain(s)", HG_CELL(old, 0, SC_NAME), n);
	if ((rc = hg_sql_exec(r, "DELETE FROM dns_servers WHERE id = ?i",
	    r->r_ids[0])) != 0)
		return rc;
	for (c = SC_NAME; c <= SC_DESC; c++)
		if (c != SC_KEY && c != SC_TSECRET)
			hg_audit_change(r, &d, sv_cols[c].c_name,
			    HG_CELL(old, 0, c), NULL);
	if ((rc = hg_audit(r, NULL, r->r_ids[0], HG_CELL(old, 0, SC_NAME),
	    "delete", hg_printf(r->r_arena, "deleted DNS server \"%s\": %s",
	    HG_CELL(old, 0, SC_NAME), d))) != 0)
		return rc;
	return hg_reply_ok(r);
}

const struct hg_route hg_routes_dns_servers[] = {
	ROUTE("GET", "/dns-services", sv_list, DNS_READ, QUERY(list_q),
	    PAGED),
	ROUTE("POST", "/dns-services", sv_create, DNS_WRITE, BODY(sv_fields),
	    AUDIT("dns_server")),
	ROUTE("GET", "/dns-services/{id}", sv_get, DNS_READ),
	ROUTE("PATCH", "/dns-services/{id}", sv_patch, DNS_WRITE,
	    PATCH(sv_fields), AUDIT("dns_server"), SUCCESS),
	ROUTE("DELETE", "/dns-services/{id}", sv_delete, DNS_WRITE,
	    AUDIT("dns_server")),
	ROUTES_END
};
