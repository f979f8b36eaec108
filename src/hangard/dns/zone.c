/*
 * zone.c -- a domain as a whole, beyond the seed (issue 14):
 *
 *   GET /dns-services/{id}/domains/{did}/drift/   Hangar's records against
 *       what the server has (lib/dns.h be_zone_list): "missing" (Hangar
 *       has it, the server does not), "extra" (the server has it, Hangar
 *       does not), "different" (both, with another TTL or disabled flag),
 *       and "in_sync".  A record Hangar keeps disabled counts as in sync
 *       when the server does not serve it (BIND drops disabled records).
 *   GET /dns-services/{id}/domains/{did}/export/  the domain's records as
 *       an RFC 1035 zone file ({"name", "zone_file"}: answers are JSON),
 *       disabled records commented out.  SOA and the apex NS are the
 *       server's and are not part of it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "dnsmod.h"

static int
domain_name(struct hg_req *r, const char **zone)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql(r, &rs, "SELECT name FROM dns_domains WHERE id = ?i "
	    "AND server_id = ?i", r->r_ids[1], r->r_ids[0])) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no domain with id %lld on DNS "
		    "server %lld", r->r_ids[1], r->r_ids[0]);
	*zone = HG_CELL(rs, 0, 0);
	return 0;
}

static json_object *
rec(const char *name, const char *type, const char *value, unsigned ttl,
    int disabled)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "type", json_object_new_string(type));
	json_object_object_add(o, "value", json_object_new_string(value));
	json_object_object_add(o, "ttl", json_object_new_int64(ttl));
	json_object_object_add(o, "disabled", json_object_new_boolean(disabled));
	return o;
}

/* The record (name, type, value) in sets[0..n), or NULL; *ttl its set's. */
static const struct hg_dns_rr *
find(const struct hg_dns_rrset *sets, size_t n, const char *name,
    const char *type, const char *value, unsigned *ttl)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(sets[i].rs_name, name) != 0 ||
		    strcmp(sets[i].rs_type, type) != 0)
			continue;
		for (size_t k = 0; k < sets[i].rs_n; k++)
			if (strcmp(sets[i].rs_rr[k].rr_value, value) == 0) {
				*ttl = sets[i].rs_ttl;
				return &sets[i].rs_rr[k];
			}
	}
	return NULL;
}

/* GET .../drift/ */
static int
drift(struct hg_req *r)
{
	struct hg_dns_server	 sv;
	struct hg_dns_rrset	*ours, *theirs;
	const struct hg_dns_rr	*x;
	size_t			 nours, ntheirs, i, k;
	const char		*zone;
	json_object		*o, *missing, *extra, *diff, *d;
	unsigned		 ttl;
	char			 msg[512];
	int			 rc;

	if ((rc = dns_server_load(r, r->r_ids[0], 0, &sv, NULL)) != 0 ||
	    (rc = domain_name(r, &zone)) != 0 ||
	    (rc = dns_rrsets(r, r->r_ids[1], NULL, NULL, &ours, &nours)) != 0)
		return rc;
	if ((rc = hg_dns_zone_list(&sv, r->r_arena, zone, &theirs, &ntheirs,
	    msg, sizeof(msg))) != 0)
		return dns_fail(r, rc, msg);
	missing = json_object_new_array();
	extra = json_object_new_array();
	diff = json_object_new_array();
	for (i = 0; i < nours; i++)
		for (k = 0; k < ours[i].rs_n; k++) {
			const struct hg_dns_rrset *s = &ours[i];
			const struct hg_dns_rr *rr = &s->rs_rr[k];

			x = find(theirs, ntheirs, s->rs_name, s->rs_type,
			    rr->rr_value, &ttl);
			if (x == NULL) {
				if (!rr->rr_disabled)
					json_object_array_add(missing, rec(
					    s->rs_name, s->rs_type,
					    rr->rr_value, s->rs_ttl, 0));
				continue;
			}
			if (ttl == s->rs_ttl && x->rr_disabled ==
			    rr->rr_disabled)
				continue;
			d = json_object_new_object();
			json_object_object_add(d, "hangar", rec(s->rs_name,
			    s->rs_type, rr->rr_value, s->rs_ttl,
			    rr->rr_disabled));
			json_object_object_add(d, "server", rec(s->rs_name,
			    s->rs_type, rr->rr_value, ttl, x->rr_disabled));
			json_object_array_add(diff, d);
		}
	for (i = 0; i < ntheirs; i++)
		for (k = 0; k < theirs[i].rs_n; k++) {
			const struct hg_dns_rrset *s = &theirs[i];

			/* the apex NS set is the server's own; types Hangar
			   does not manage are not its business */
			if ((strcmp(s->rs_type, "NS") == 0 &&
			    strcmp(s->rs_name, zone) == 0) ||
			    !hg_dns_managed(s->rs_type))
				continue;
			if (find(ours, nours, s->rs_name, s->rs_type,
			    s->rs_rr[k].rr_value, &ttl) == NULL)
				json_object_array_add(extra, rec(s->rs_name,
				    s->rs_type, s->rs_rr[k].rr_value,
				    s->rs_ttl, s->rs_rr[k].rr_disabled));
		}
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(zone));
	json_object_object_add(o, "in_sync", json_object_new_boolean(
	    json_object_array_length(missing) == 0 &&
	    json_object_array_length(extra) == 0 &&
	    json_object_array_length(diff) == 0));
	json_object_object_add(o, "missing", missing);
	json_object_object_add(o, "extra", extra);
	json_object_object_add(o, "different", diff);
	return hg_reply(r, 200, o);
}

/* A value as zone file text. */
static const char *
rdata(struct hg_req *r, const char *type, const char *v)
{
	const char	*p;
	char		*o, *q;
	size_t		 run = 0;

	if (strcmp(type, "CNAME") == 0 || strcmp(type, "NS") == 0 ||
	    strcmp(type, "MX") == 0)
		return hg_printf(r->r_arena, "%s.", v);
	if (strcmp(type, "TXT") != 0)
		return v;
	o = q = hg_alloc(r->r_arena, strlen(v) * 2 + strlen(v) / 255 * 3 + 4);
	*q++ = '"';
	for (p = v; *p != '\0'; p++) {
		if (run == 255) {
			memcpy(q, "\" \"", 3);
			q += 3;
			run = 0;
		}
		if (*p == '"' || *p == '\\')
			*q++ = '\\';
		*q++ = *p;
		run++;
	}
	*q++ = '"';
	*q = '\0';
	return o;
}

/* GET .../export/ */
static int
export(struct hg_req *r)
{
	struct hg_dns_rrset	*sets;
	size_t			 n, i, k, len = 0;
	const char		*zone;
	char			*text = NULL;
	FILE			*f;
	json_object		*o;
	int			 rc;

	if ((rc = domain_name(r, &zone)) != 0 ||
	    (rc = dns_rrsets(r, r->r_ids[1], NULL, NULL, &sets, &n)) != 0)
		return rc;
	/* one pass into a growing buffer: a zone may have 10,000 records */
	if ((f = open_memstream(&text, &len)) == NULL)
		return hg_fail(r, HG_E_INTERNAL, "out of memory");
	fprintf(f, "; %s, exported by Hangar\n$ORIGIN %s.\n$TTL %ld\n",
	    zone, zone, hg_conf.dns_default_ttl);
	for (i = 0; i < n; i++)
		for (k = 0; k < sets[i].rs_n; k++)
			fprintf(f, "%s%s. %u IN %s %s\n",
			    sets[i].rs_rr[k].rr_disabled ? "; disabled: " : "",
			    sets[i].rs_name, sets[i].rs_ttl, sets[i].rs_type,
			    rdata(r, sets[i].rs_type,
			    sets[i].rs_rr[k].rr_value));
	fclose(f);
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(zone));
	json_object_object_add(o, "zone_file", json_object_new_string(text));
	free(text);
	return hg_reply(r, 200, o);
}

const struct hg_route hg_routes_dns_zone[] = {
	ROUTE("GET", "/dns-services/{id}/domains/{did}/drift", drift,
	    DNS_READ),
	ROUTE("GET", "/dns-services/{id}/domains/{did}/export", export,
	    DNS_READ),
	ROUTES_END
};
