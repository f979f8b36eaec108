/*
 * common.c -- what the DNS families share (dnsmod.h): servers and domains
 * loaded for a change, a server's failure as the API's error, and record
 * names and values checked and put in canonical form.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "dnsmod.h"
#include "log.h"
#include "secret.h"

const char *const dns_types[] = { "A", "AAAA", "CNAME", "MX", "NS", "TXT",
    NULL };

int
dns_server_load(struct hg_req *r, long long id, int lock,
    struct hg_dns_server *sv, const char **name)
{
	struct hg_rows	*rs;
	const char	*k;
	int		 rc;

	if ((rc = hg_sql_get(r, &rs, "DNS server", id, lock ?
	    "SELECT name, type, api_endpoint, api_key, dns_address, "
	    "tsig_key_name, tsig_algorithm, tsig_secret FROM dns_servers "
	    "WHERE id = ?i LOCK IN SHARE MODE" :
	    "SELECT name, type, api_endpoint, api_key, dns_address, "
	    "tsig_key_name, tsig_algorithm, tsig_secret FROM dns_servers "
	    "WHERE id = ?i")) != 0)
		return rc;
	memset(sv, 0, sizeof(*sv));
	if (name != NULL)
		*name = HG_CELL(rs, 0, 0);
	sv->sv_type = hg_dns_type_parse(HG_CELL(rs, 0, 1)) == HG_DNS_BIND ?
	    HG_DNS_BIND : HG_DNS_POWERDNS;
	sv->sv_api_endpoint = HG_CELL(rs, 0, 2);
	if ((k = HG_CELL(rs, 0, 3)) != NULL &&
	    (sv->sv_api_key = hg_unseal(r->r_arena, k)) == NULL)
		return hg_fail(r, HG_E_INTERNAL, "the DNS server's api_key "
		    "cannot be opened with this server key");
	sv->sv_dns_address = HG_CELL(rs, 0, 4);
	sv->sv_tsig_key_name = HG_CELL(rs, 0, 5);
	sv->sv_tsig_algorithm = HG_CELL(rs, 0, 6);
	if ((k = HG_CELL(rs, 0, 7)) != NULL &&
	    (sv->sv_tsig_secret = hg_unseal(r->r_arena, k)) == NULL)
		return hg_fail(r, HG_E_INTERNAL, "the DNS server's tsig_secret "
		    "cannot be opened with this server key");
	sv->sv_timeout_ms = hg_conf.dns_timeout;
	return 0;
}

int
dns_domain_load(struct hg_req *r, long long sid, long long did,
    const char **zone)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql(r, &rs, "SELECT name FROM dns_domains WHERE id = ?i "
	    "AND server_id = ?i FOR UPDATE", did, sid)) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no domain with id %lld on DNS "
		    "server %lld", did, sid);
	*zone = HG_CELL(rs, 0, 0);
	return 0;
}

int
dns_fail(struct hg_req *r, int err, const char *msg)
{
	int http = hg_dns_http(err);

	hg_logf(HG_WARN, __func__, "DNS server: %s", msg);
	if (http == 504)
		return hg_fail_http(r, 504, HG_E_DNS_TIMEOUT, "%s; nothing was "
		    "changed", msg);
	if (http == 400)
		return hg_fail_http(r, 400, HG_E_INVALID, "%s; nothing was "
		    "changed", msg);
	return hg_fail_http(r, 502, HG_E_DNS_UPSTREAM, "%s; nothing was "
	    "changed", msg);
}

/* ---- names ---------------------------------------------------------- */

/*
 * Check the labels of a lower-cased name without its trailing dot:
 * 1-63 of [a-z0-9_-] each (wild: the first may be "*"), 253 in all.
 */
static const char *
labels(const char *s, int wild)
{
	const char	*p = s;
	size_t		 n;

	if (*s == '\0')
		return "must not be empty";
	if (strlen(s) > 253)
		return "is longer than 253 characters";
	for (;;) {
		n = strcspn(p, ".");
		if (n == 0)
			return "has an empty label";
		if (n > 63)
			return "has a label longer than 63 characters";
		if (!(wild && p == s && n == 1 && *p == '*')) {
			for (size_t i = 0; i < n; i++) {
				unsigned char c = (unsigned char)p[i];

				if (!(islower(c) || isdigit(c) || c == '-' ||
				    c == '_'))
					return "may only have letters, digits, "
					    "'-' and '_' in its labels (IDNs "
					    "as xn--)";
			}
			if (p[0] == '-' || p[n - 1] == '-')
				return "has a label that begins or ends with "
				    "'-'";
		}
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	return NULL;
}

/* s lower-cased, one trailing dot taken off (*dot set when there was). */
static char *
lowered(struct hg_req *r, const char *s, int *dot)
{
	char	*o = hg_strdup(r->r_arena, s);
	size_t	 n = strlen(o);

	*dot = 0;
	if (n > 0 && o[n - 1] == '.') {
		o[--n] = '\0';
		*dot = 1;
	}
	for (char *p = o; *p != '\0'; p++)
		if ((unsigned char)*p < 0x80)
			*p = (char)tolower((unsigned char)*p);
	return o;
}

const char *
dns_zone_name(struct hg_req *r, const char *s, const char **why)
{
	int	 dot;
	char	*n = lowered(r, s, &dot);

	if ((*why = labels(n, 0)) != NULL)
		return NULL;
	if (strchr(n, '.') == NULL) {
		*why = "must have at least two labels (example.com)";
		return NULL;
	}
	return n;
}

const char *
dns_owner(struct hg_req *r, const char *zone, const char *s,
    const char **why)
{
	int		 dot;
	char		*n = lowered(r, s, &dot);
	size_t		 ln = strlen(n), lz = strlen(zone);
	const char	*abs;

	if (ln == 0 || strcmp(n, "@") == 0)
		abs = zone;
	else if (strcmp(n, zone) == 0 || (ln > lz && n[ln - lz - 1] == '.' &&
	    strcmp(n + ln - lz, zone) == 0))
		abs = n;
	else if (dot) {
		*why = hg_printf(r->r_arena, "is not in the domain %s", zone);
		return NULL;
	} else
		abs = hg_printf(r->r_arena, "%s.%s", n, zone);
	if ((*why = labels(abs, 1)) != NULL)
		return NULL;
	return abs;
}

/* A host name as a value (CNAME, NS, MX target): absolute. */
static const char *
target(struct hg_req *r, const char *s, const char **why)
{
	int	 dot;
	char	*n = lowered(r, s, &dot);

	if ((*why = labels(n, 0)) != NULL)
		return NULL;
	return n;
}

static int
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

const char *
dns_value(struct hg_req *r, const char *type, const char *s,
    const char **why)
{
	unsigned char	 bin[16];
	char		 txt[INET6_ADDRSTRLEN], *end;
	const char	*t;
	long		 pref;

	if (strcmp(type, "A") == 0 || strcmp(type, "AAAA") == 0) {
		int af = type[1] == '\0' ? AF_INET : AF_INET6;

		if (inet_pton(af, s, bin) != 1) {
			*why = af == AF_INET ? "is not an IPv4 address" :
			    "is not an IPv6 address";
			return NULL;
		}
		inet_ntop(af, bin, txt, sizeof(txt));
		return hg_strdup(r->r_arena, txt);
	}
	if (strcmp(type, "CNAME") == 0 || strcmp(type, "NS") == 0) {
		if ((t = target(r, s, why)) == NULL)
			*why = hg_printf(r->r_arena, "is not a host name: %s",
			    *why);
		return t;
	}
	if (strcmp(type, "MX") == 0) {
		if (!isdigit((unsigned char)*s)) {
			*why = "must be \"<preference> <host>\" (10 "
			    "mail.example.com)";
			return NULL;
		}
		pref = strtol(s, &end, 10);
		if (pref < 0 || pref > 65535 || *end != ' ') {
			*why = "must be \"<preference 0-65535> <host>\"";
			return NULL;
		}
		while (*end == ' ')
			end++;
		if ((t = target(r, end, why)) == NULL) {
			*why = hg_printf(r->r_arena, "has a bad host: %s",
			    *why);
			return NULL;
		}
		return hg_printf(r->r_arena, "%ld %s", pref, t);
	}
	if (strcmp(type, "TXT") == 0) {
		if (*s == '\0' || strlen(s) > 4000) {
			*why = "must be 1 to 4000 characters";
			return NULL;
		}
		if (!printable(s)) {
			*why = "may only have printable ASCII characters";
			return NULL;
		}
		return s;
	}
	*why = "has an unknown type";
	return NULL;
}

/* ---- RRsets from the rows ------------------------------------------- */

int
dns_rrsets(struct hg_req *r, long long did, const char *name,
    const char *type, struct hg_dns_rrset **out, size_t *nout)
{
	struct hg_rows		*rs;
	struct hg_dns_rrset	*sets;
	struct hg_dns_rr	*rr;
	size_t			 n = 0;
	int			 rc, i;

	/*
	 * One RRset through its index (name = COALESCE(?, name) would read
	 * every record of the domain: 2 ms a change in a zone of 10,000).
	 */
	if (name != NULL && type != NULL)
		rc = hg_sql(r, &rs, "SELECT name, type, value, ttl, disabled "
		    "FROM dns_records WHERE domain_id = ?i AND name = ?s AND "
		    "type = ?s ORDER BY id", did, name, type);
	else
		rc = hg_sql(r, &rs, "SELECT name, type, value, ttl, disabled "
		    "FROM dns_records WHERE domain_id = ?i ORDER BY name, type, "
		    "id", did);
	if (rc != 0)
		return rc;
	sets = hg_alloc(r->r_arena, (rs->nrows + 1) * sizeof(*sets));
	rr = hg_alloc(r->r_arena, (rs->nrows + 1) * sizeof(*rr));
	for (i = 0; i < rs->nrows; i++) {
		if (n == 0 || strcmp(sets[n - 1].rs_name, HG_CELL(rs, i, 0)) ||
		    strcmp(sets[n - 1].rs_type, HG_CELL(rs, i, 1))) {
			sets[n].rs_name = HG_CELL(rs, i, 0);
			sets[n].rs_type = HG_CELL(rs, i, 1);
			sets[n].rs_ttl = (unsigned)hg_atoll(HG_CELL(rs, i, 3));
			sets[n].rs_rr = &rr[i];
			sets[n].rs_n = 0;
			n++;
		}
		rr[i].rr_value = HG_CELL(rs, i, 2);
		rr[i].rr_disabled = hg_atoll(HG_CELL(rs, i, 4)) != 0;
		sets[n - 1].rs_n++;
	}
	*out = sets;
	*nout = n;
	return 0;
}
