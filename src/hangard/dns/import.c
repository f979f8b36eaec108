/*
 * import.c -- POST /dns-services/{id}/domains/{did}/actions/import/: take
 * over a zone's existing records (issue 14, beyond the seed).
 *
 *   {}                      the records the server has now (lib/dns.h
 *                           be_zone_list: PowerDNS's zone API, BIND's
 *                           AXFR signed with our key); nothing is sent
 *                           to the server: it has them already.
 *   {"zone_file": "..."}    an RFC 1035 zone file parsed by ldns
 *                           ($ORIGIN starts as the domain, $TTL as
 *                           dns_default_ttl); the RRsets it adds to are
 *                           sent to the server in one update, as every
 *                           other change is.
 *
 * Records of A AAAA CNAME MX NS TXT become Hangar records; the SOA, the
 * apex NS (the server's own) and other types are listed as skipped.  A
 * record Hangar has already (name, type, value) is left as it is, so a
 * second import adds nothing; an RRset's TTL becomes the imported one.
 * All in the request's one transaction: a zone file with a line that
 * cannot be read, a record outside the domain, a CNAME beside other
 * records, or a server that refuses leaves Hangar (and the server)
 * unchanged.  Bounded: IMPORT_MAX_BYTES of zone file, IMPORT_MAX_RECORDS
 * records from either source.
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "dnsmod.h"

#define IMPORT_MAX_BYTES	1000000	/* characters of zone_file */
#define IMPORT_MAX_RECORDS	20000	/* records of one import */
#define SKIPPED_SHOWN		100	/* skipped records listed in full */

enum { IF_ZONE_FILE, IF__MAX };
static const struct hg_field import_fields[IF__MAX] = {
	[IF_ZONE_FILE] = { "zone_file", HG_V_STR, 0, 1, IMPORT_MAX_BYTES },
};

/* One record offered for import, from either source. */
struct cand {
	const char	*name, *type, *value;
	unsigned	 ttl;
	int		 disabled;
	int		 line;		/* zone file line; 0 from the server */
};

/* ---- a string-keyed table in the request's arena --------------------- */

struct map {
	const char	**key;
	long long	 *val;
	size_t		  cap;
};

static void
map_init(struct hg_req *r, struct map *m, size_t n)
{
	m->cap = 64;
	while (m->cap < 2 * n + 16)
		m->cap *= 2;
	m->key = hg_alloc(r->r_arena, m->cap * sizeof(*m->key));
	m->val = hg_alloc(r->r_arena, m->cap * sizeof(*m->val));
}

/* The slot of key: where it is, or the empty one where it would go. */
static size_t
map_slot(const struct map *m, const char *key)
{
	unsigned long	h = 14695981039346656037UL;
	size_t		i;

	for (const char *p = key; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211UL;
	for (i = h & (m->cap - 1); m->key[i] != NULL &&
	    strcmp(m->key[i], key) != 0; i = (i + 1) & (m->cap - 1))
		;
	return i;
}

/* Put key with val unless it is there; 1 when it was added. */
static int
map_put(struct map *m, const char *key, long long val)
{
	size_t i = map_slot(m, key);

	if (m->key[i] != NULL)
		return 0;
	m->key[i] = key;
	m->val[i] = val;
	return 1;
}

/* key's value, or -1 when it is not there. */
static long long
map_get(const struct map *m, const char *key)
{
	size_t i = map_slot(m, key);

	return m->key[i] != NULL ? m->val[i] : -1;
}

/* ---- gathering ------------------------------------------------------- */

static const char *
rec_key(struct hg_req *r, const char *name, const char *type,
    const char *value)
{
	/* a tab is in no canonical name or value */
	return hg_printf(r->r_arena, "%s\t%s\t%s", name, type, value);
}

static const char *
set_key(struct hg_req *r, const char *name, const char *type)
{
	return hg_printf(r->r_arena, "%s\t%s", name, type);
}

/* The server's records as candidates. */
static int
from_server(struct hg_req *r, const struct hg_dns_server *sv,
    const char *zone, struct cand **out, size_t *nout)
{
	struct hg_dns_rrset	*sets;
	struct cand		*c;
	size_t			 n, i, k, total = 0;
	char			 msg[512];
	int			 rc;

	if ((rc = hg_dns_zone_list(sv, r->r_arena, zone, &sets, &n, msg,
	    sizeof(msg))) != 0)
		return dns_fail(r, rc, msg);
	for (i = 0; i < n; i++)
		total += sets[i].rs_n;
	if (total > IMPORT_MAX_RECORDS)
		return hg_fail(r, HG_E_INVALID, "the server has %zu records in "
		    "%s, more than the %d one import takes; nothing was "
		    "imported", total, zone, IMPORT_MAX_RECORDS);
	c = hg_alloc(r->r_arena, (total + 1) * sizeof(*c));
	for (total = 0, i = 0; i < n; i++)
		for (k = 0; k < sets[i].rs_n; k++, total++) {
			c[total].name = sets[i].rs_name;
			c[total].type = sets[i].rs_type;
			c[total].value = sets[i].rs_rr[k].rr_value;
			c[total].ttl = sets[i].rs_ttl;
			c[total].disabled = sets[i].rs_rr[k].rr_disabled;
		}
	*out = c;
	*nout = total;
	return 0;
}

/* A zone file's records as candidates; 400 naming the line. */
static int
from_file(struct hg_req *r, const char *zone, const char *text,
    struct cand **out, size_t *nout)
{
	struct hg_dns_zrec	*z;
	struct cand		*c;
	size_t			 n, i;
	char			 msg[512];
	int			 line;

	if (hg_dns_zone_parse(r->r_arena, zone, text, strlen(text),
	    (unsigned)hg_conf.dns_default_ttl, IMPORT_MAX_RECORDS, &z, &n,
	    &line, msg, sizeof(msg)) != 0)
		return hg_invalid(r, "zone_file", hg_printf(r->r_arena,
		    "line %d: %s; nothing was imported", line, msg));
	c = hg_alloc(r->r_arena, (n + 1) * sizeof(*c));
	for (i = 0; i < n; i++) {
		c[i].name = z[i].zr_name;
		c[i].type = z[i].zr_type;
		c[i].value = z[i].zr_value;
		c[i].ttl = z[i].zr_ttl;
		c[i].line = z[i].zr_line;
	}
	*out = c;
	*nout = n;
	return 0;
}

/* ---- checking -------------------------------------------------------- */

/* A record that cannot be imported: from a zone file the whole import is
 * refused (400 naming the line); from the server it is skipped. */
static int
refuse(struct hg_req *r, const struct cand *c, const char *why)
{
	if (c->line > 0)
		return hg_invalid(r, "zone_file", hg_printf(r->r_arena,
		    "line %d: %s %s %s %s; nothing was imported", c->line,
		    c->name, c->type, c->value, why));
	return hg_fail(r, HG_E_INVALID, "%s %s %s on the server %s; nothing "
	    "was imported", c->name, c->type, c->value, why);
}

static void
skip(struct hg_req *r, json_object *list, size_t *n, const struct cand *c,
    const char *why)
{
	json_object *o;

	if ((*n)++ >= SKIPPED_SHOWN)
		return;
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(c->name));
	json_object_object_add(o, "type", json_object_new_string(c->type));
	json_object_object_add(o, "value", json_object_new_string(c->value));
	if (c->line > 0)
		json_object_object_add(o, "line", json_object_new_int(c->line));
	json_object_object_add(o, "reason", json_object_new_string(why));
	json_object_array_add(list, o);
	(void)r;
}

/* An owner name and its record type, for the CNAME rule. */
struct owner {
	const char		*name, *type;
	const struct cand	*c;	/* NULL: a record Hangar has */
};

static int
owner_cmp(const void *pa, const void *pb)
{
	const struct owner *a = pa, *b = pb;

	return strcmp(a->name, b->name);
}

/*
 * A CNAME may not stand beside any other record of its name (RFC 1034
 * 3.6.2), nor twice: checked on what the domain would hold, Hangar's
 * records (which keep the rule already) and the new ones together.
 */
static int
cname_rule(struct hg_req *r, const struct hg_dns_rrset *sets, size_t nsets,
    const struct cand *const *add, size_t nadd)
{
	struct owner	*o;
	size_t		 n = 0, i, j, k, cnames;
	const struct cand *c;

	for (i = 0; i < nsets; i++)
		n += sets[i].rs_n;
	o = hg_alloc(r->r_arena, (n + nadd + 1) * sizeof(*o));
	for (n = 0, i = 0; i < nsets; i++)
		for (k = 0; k < sets[i].rs_n; k++, n++) {
			o[n].name = sets[i].rs_name;
			o[n].type = sets[i].rs_type;
		}
	for (i = 0; i < nadd; i++, n++) {
		o[n].name = add[i]->name;
		o[n].type = add[i]->type;
		o[n].c = add[i];
	}
	qsort(o, n, sizeof(*o), owner_cmp);
	for (i = 0; i < n; i = j) {
		c = NULL;
		cnames = 0;
		for (j = i; j < n && strcmp(o[i].name, o[j].name) == 0; j++) {
			cnames += strcmp(o[j].type, "CNAME") == 0;
			if (c == NULL || (o[j].c != NULL && strcmp(o[j].type,
			    "CNAME") == 0))
				c = o[j].c != NULL ? o[j].c : c;
		}
		if (cnames > 0 && j - i > 1 && c != NULL)
			return refuse(r, c, "would make a CNAME stand beside "
			    "other records of its name");
	}
	return 0;
}

/* ---- the endpoint ---------------------------------------------------- */

/* The RRsets the import touched, as their rows now are, to the server. */
static int
send_touched(struct hg_req *r, const struct hg_dns_server *sv,
    const char *zone, long long did, const struct map *touched,
    size_t ntouched)
{
	struct hg_dns_rrset	*sets;
	struct hg_dns_change	*ch;
	size_t			 n, i, k = 0;
	char			 msg[512];
	int			 rc;

	if (ntouched == 0)
		return 0;
	if ((rc = dns_rrsets(r, did, NULL, NULL, &sets, &n)) != 0)
		return rc;
	ch = hg_alloc(r->r_arena, (ntouched + 1) * sizeof(*ch));
	for (i = 0; i < n && k < ntouched; i++)
		if (map_get(touched, set_key(r, sets[i].rs_name,
		    sets[i].rs_type)) >= 0) {
			ch[k].ch_op = HG_DNS_REPLACE;
			ch[k++].ch_rrset = sets[i];
		}
	if ((rc = hg_dns_update(sv, zone, ch, k, msg, sizeof(msg))) != 0)
		return dns_fail(r, rc, msg);
	return 0;
}

/* POST .../actions/import/ */
static int
import(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	const int		 file = v[IF_ZONE_FILE].present;
	struct hg_dns_server	 sv;
	struct hg_dns_rrset	*sets;
	struct cand		*c = NULL, **add;
	struct map		 have, ttls, newttl, touched;
	const char		*sname, *zone, *name, *value, *why, *src;
	json_object		*skipped, *o;
	long long		 did = r->r_ids[1], id;
	size_t			 n = 0, nsets = 0, i, k, nadd = 0, nskip = 0;
	size_t			 nhave = 0;
	size_t			 ntouched = 0, nttl = 0;
	int			 rc;

	if ((rc = dns_server_load(r, r->r_ids[0], 1, &sv, &sname)) != 0 ||
	    (rc = dns_domain_load(r, r->r_ids[0], did, &zone)) != 0)
		return rc;
	if ((rc = file ? from_file(r, zone, v[IF_ZONE_FILE].s, &c, &n) :
	    from_server(r, &sv, zone, &c, &n)) != 0 ||
	    (rc = dns_rrsets(r, did, NULL, NULL, &sets, &nsets)) != 0)
		return rc;
	src = file ? "a zone file" : "the server";

	/* what Hangar has: records, and each RRset's TTL */
	map_init(r, &have, n + nsets * 4);
	map_init(r, &ttls, n + nsets);
	map_init(r, &newttl, n);
	map_init(r, &touched, n);
	for (i = 0; i < nsets; i++) {
		map_put(&ttls, set_key(r, sets[i].rs_name, sets[i].rs_type),
		    sets[i].rs_ttl);
		for (k = 0; k < sets[i].rs_n; k++)
			map_put(&have, rec_key(r, sets[i].rs_name,
			    sets[i].rs_type, sets[i].rs_rr[k].rr_value), 1);
	}

	/* each candidate: skipped, refused, already there, or new */
	skipped = json_object_new_array();
	add = hg_alloc(r->r_arena, (n + 1) * sizeof(*add));
	for (i = 0; i < n; i++) {
		if (strcmp(c[i].type, "SOA") == 0) {
			skip(r, skipped, &nskip, &c[i], "the SOA is the "
			    "server's");
			continue;
		}
		if (!hg_dns_managed(c[i].type)) {
			skip(r, skipped, &nskip, &c[i], "Hangar does not "
			    "manage this type");
			continue;
		}
		if ((name = dns_owner(r, zone, hg_printf(r->r_arena, "%s.",
		    c[i].name), &why)) == NULL ||
		    (value = dns_value(r, c[i].type, c[i].value, &why)) ==
		    NULL) {
			if (c[i].line > 0) {
				json_object_put(skipped);
				return refuse(r, &c[i], why);
			}
			skip(r, skipped, &nskip, &c[i], why);
			continue;
		}
		c[i].name = name;
		c[i].value = value;
		if (strcmp(c[i].type, "NS") == 0 && strcmp(name, zone) == 0) {
			skip(r, skipped, &nskip, &c[i], "the domain's own NS "
			    "records are the server's");
			continue;
		}
		if (strcmp(c[i].type, "CNAME") == 0 && strcmp(name, zone) ==
		    0) {
			json_object_put(skipped);
			return refuse(r, &c[i], "is a CNAME at the domain's "
			    "apex");
		}
		/* the first TTL given for an RRset is the one it gets */
		if (map_put(&newttl, set_key(r, name, c[i].type), c[i].ttl))
			map_put(&touched, set_key(r, name, c[i].type), 0);
		if (!map_put(&have, rec_key(r, name, c[i].type, value), 1)) {
			nhave++;
			continue;
		}
		add[nadd++] = &c[i];
	}
	if ((rc = cname_rule(r, sets, nsets, (const struct cand *const *)add,
	    nadd)) != 0) {
		json_object_put(skipped);
		return rc;
	}

	/* the rows, each with its audit, then each touched RRset's TTL */
	for (i = 0; i < nadd; i++) {
		const struct cand *a = add[i];

		if ((rc = hg_sql_exec(r, "INSERT INTO dns_records (domain_id, "
		    "name, type, value, ttl, disabled, creator) VALUES (?i, "
		    "?s, ?s, ?s, ?i, ?i, ?s)", did, a->name, a->type, a->value,
		    (long long)a->ttl, (long long)(a->disabled != 0),
		    r->r_user->u_username)) != 0)
			goto fail;
		id = hg_sql_insert_id(r);
		if ((rc = hg_audit(r, NULL, id, a->name, "import",
		    hg_printf(r->r_arena, "imported record %s %s %s (ttl %u%s) "
		    "from %s into domain %s on DNS server \"%s\"", a->name,
		    a->type, a->value, a->ttl, a->disabled ? ", disabled" : "",
		    src, zone, sname))) != 0)
			goto fail;
	}
	for (i = 0; i < touched.cap; i++) {
		const char *key = touched.key[i], *tab;
		long long ttl, was;

		if (key == NULL)
			continue;
		tab = strchr(key, '\t');
		name = hg_strndup(r->r_arena, key, (size_t)(tab - key));
		ttl = map_get(&newttl, key);
		was = map_get(&ttls, key);
		ntouched++;
		if ((rc = hg_sql_exec(r, "UPDATE dns_records SET ttl = ?i "
		    "WHERE domain_id = ?i AND name = ?s AND type = ?s AND "
		    "ttl <> ?i", ttl, did, name, tab + 1, ttl)) != 0)
			goto fail;
		if (was < 0 || was == ttl)
			continue;
		nttl++;
		if ((rc = hg_audit(r, NULL, 0, name, "import",
		    hg_printf(r->r_arena, "imported the TTL of %s %s from %s "
		    "into domain %s on DNS server \"%s\": ttl: \"%lld\" -> "
		    "\"%lld\"", name, tab + 1, src, zone, sname, was, ttl))) != 0)
			goto fail;
	}
	/* a zone file's records go to the server; the server's are there */
	if (file && (nadd > 0 || nttl > 0) &&
	    (rc = send_touched(r, &sv, zone, did, &touched, ntouched)) != 0)
		goto fail;

	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(zone));
	json_object_object_add(o, "source", json_object_new_string(file ?
	    "zone_file" : "server"));
	json_object_object_add(o, "imported", json_object_new_int64(
	    (int64_t)nadd));
	json_object_object_add(o, "existing", json_object_new_int64(
	    (int64_t)nhave));
	json_object_object_add(o, "ttl_changed", json_object_new_int64(
	    (int64_t)nttl));
	json_object_object_add(o, "skipped_count", json_object_new_int64(
	    (int64_t)nskip));
	json_object_object_add(o, "skipped", skipped);
	return hg_reply(r, 200, o);
fail:
	json_object_put(skipped);
	return rc;
}

const struct hg_route hg_routes_dns_import[] = {
	ROUTE("POST", "/dns-services/{id}/domains/{did}/actions/import",
	    import, DNS_WRITE, BODY(import_fields), AUDIT("dns_record")),
	ROUTES_END
};
