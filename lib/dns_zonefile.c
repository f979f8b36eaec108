/*
 * dns_zonefile.c -- records in dns.h's canonical form from ldns: the
 * conversions the BIND backend's AXFR shares (dns_ldns.h), and an RFC 1035
 * zone file given as text parsed into records (hg_dns_zone_parse, for
 * POST .../actions/import/).
 *
 * A zone file comes from a user's request body, so it is read as data
 * only: $INCLUDE is refused (it would read a file of this machine), the
 * number of records is bounded by the caller, and every refusal names the
 * line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"
#include "dns_ldns.h"

int
hg_dns_managed(const char *type)
{
	static const char *const t[] = { "A", "AAAA", "CNAME", "MX", "NS",
	    "TXT" };

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strcmp(type, t[i]) == 0)
			return 1;
	return 0;
}

char *
hg_dns_ldns_name(struct hg_arena *a, const ldns_rdf *d)
{
	char	*s = ldns_rdf2str(d), *r;
	size_t	 n, i;

	if (s == NULL)
		return NULL;
	n = strlen(s);
	if (n > 1 && s[n - 1] == '.')
		s[--n] = '\0';
	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] += 'a' - 'A';
	r = hg_strdup(a, s);
	free(s);
	return r;
}

/* Another type's rdata as presentation text, fields joined by spaces. */
static char *
other_value(struct hg_arena *a, const ldns_rr *rr, const char **type)
{
	char	*t = ldns_rr_type2str(ldns_rr_get_type(rr)), *f;
	char	*v = hg_strdup(a, "");
	size_t	 i;

	if (t == NULL)
		return NULL;
	*type = hg_strdup(a, t);
	free(t);
	for (i = 0; i < ldns_rr_rd_count(rr); i++) {
		if ((f = ldns_rdf2str(ldns_rr_rdf(rr, i))) == NULL)
			return NULL;
		v = hg_printf(a, "%s%s%s", v, i > 0 ? " " : "", f);
		free(f);
	}
	return v;
}

char *
hg_dns_ldns_value(struct hg_arena *a, const ldns_rr *rr, const char **type)
{
	ldns_rdf	*f;
	char		*v, *name, buf[64];
	size_t		 i, len;

	switch (ldns_rr_get_type(rr)) {
	case LDNS_RR_TYPE_A:
	case LDNS_RR_TYPE_AAAA:
		*type = ldns_rr_get_type(rr) == LDNS_RR_TYPE_A ? "A" : "AAAA";
		if (ldns_rr_rd_count(rr) != 1 ||
		    (v = ldns_rdf2str(ldns_rr_rdf(rr, 0))) == NULL)
			return NULL;
		name = hg_strdup(a, v);
		free(v);
		return name;
	case LDNS_RR_TYPE_CNAME:
	case LDNS_RR_TYPE_NS:
		*type = ldns_rr_get_type(rr) == LDNS_RR_TYPE_NS ? "NS" :
		    "CNAME";
		if (ldns_rr_rd_count(rr) != 1)
			return NULL;
		return hg_dns_ldns_name(a, ldns_rr_rdf(rr, 0));
	case LDNS_RR_TYPE_MX:
		*type = "MX";
		if (ldns_rr_rd_count(rr) != 2 ||
		    (name = hg_dns_ldns_name(a, ldns_rr_rdf(rr, 1))) == NULL)
			return NULL;
		snprintf(buf, sizeof(buf), "%u",
		    ldns_rdf2native_int16(ldns_rr_rdf(rr, 0)));
		return hg_printf(a, "%s %s", buf, name);
	case LDNS_RR_TYPE_TXT:
		*type = "TXT";
		for (len = 0, i = 0; i < ldns_rr_rd_count(rr); i++) {
			f = ldns_rr_rdf(rr, i);
			if (ldns_rdf_size(f) < 1)
				return NULL;
			len += ldns_rdf_size(f) - 1;
		}
		v = hg_alloc(a, len + 1);
		for (len = 0, i = 0; i < ldns_rr_rd_count(rr); i++) {
			f = ldns_rr_rdf(rr, i);
			memcpy(v + len, ldns_rdf_data(f) + 1,
			    ldns_rdf_size(f) - 1);
			len += ldns_rdf_size(f) - 1;
		}
		v[len] = '\0';
		return v;
	default:
		return other_value(a, rr, type);
	}
}

/* ---- zone files ------------------------------------------------------ */

static int
zfail(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	return HG_DNS_EINVAL;
}

/* Where the line count stands: newlines in text[0..pos). */
struct lines {
	const char	*text;
	long		 pos;
	int		 nl;
};

/*
 * The line (1-based) of what ldns has just read, which ended before end:
 * ldns's own count runs ahead after a SOA and stays behind on a last line
 * without a newline, so the line is counted here, back from end over the
 * blanks ldns read past.  Counted on from the previous call (ldns only
 * moves forward), so a whole file costs one pass.
 */
static int
line_at(struct lines *l, long end)
{
	while (end > 0 && strchr(" \t\r\n", l->text[end - 1]) != NULL)
		end--;
	for (; l->pos < end; l->pos++)
		l->nl += l->text[l->pos] == '\n';
	for (; l->pos > end; l->pos--)
		l->nl -= l->text[l->pos - 1] == '\n';
	return l->nl + 1;
}

int
hg_dns_zone_parse(struct hg_arena *a, const char *zone, const char *text,
    size_t len, unsigned default_ttl, size_t max, struct hg_dns_zrec **out,
    size_t *nout, int *line, char *msg, size_t msglen)
{
	FILE			*f;
	ldns_rr			*rr = NULL;
	ldns_rdf		*origin, *prev = NULL;
	ldns_status		 st;
	struct hg_dns_zrec	*v = NULL, *z;
	size_t			 n = 0, cap = 0;
	uint32_t		 ttl = default_ttl;
	struct lines		 lc = { text, 0, 0 };
	int			 ln = 0, rc = HG_DNS_OK;

	*out = NULL;
	*nout = 0;
	*line = 0;
	if (len == 0)
		return zfail(msg, msglen, "the zone file is empty");
	if ((origin = ldns_dname_new_frm_str(hg_printf(a, "%s.", zone))) ==
	    NULL)
		return zfail(msg, msglen, "bad zone name %s", zone);
	if ((f = fmemopen((void *)text, len, "r")) == NULL) {
		ldns_rdf_deep_free(origin);
		return zfail(msg, msglen, "out of memory");
	}
	for (;;) {
		st = ldns_rr_new_frm_fp_l(&rr, f, &ttl, &origin, &prev, &ln);
		*line = line_at(&lc, ftell(f));
		if (st == LDNS_STATUS_SYNTAX_EMPTY ||
		    st == LDNS_STATUS_SYNTAX_TTL ||
		    st == LDNS_STATUS_SYNTAX_ORIGIN) {
			if (feof(f))
				break;
			continue;
		}
		if (st == LDNS_STATUS_SYNTAX_INCLUDE) {
			rc = zfail(msg, msglen, "$INCLUDE is not accepted");
			break;
		}
		if (st != LDNS_STATUS_OK) {
			if (feof(f) && st == LDNS_STATUS_SYNTAX_ERR)
				break;	/* trailing blank text */
			rc = zfail(msg, msglen, "%s",
			    ldns_get_errorstr_by_id(st));
			break;
		}
		if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN) {
			rc = zfail(msg, msglen, "only class IN is accepted");
			break;
		}
		if (n == max) {
			rc = zfail(msg, msglen, "more than %zu records", max);
			break;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			z = hg_alloc(a, cap * sizeof(*z));
			if (n > 0)
				memcpy(z, v, n * sizeof(*z));
			v = z;
		}
		z = &v[n];
		z->zr_line = *line;
		z->zr_ttl = ldns_rr_ttl(rr);
		if ((z->zr_name = hg_dns_ldns_name(a, ldns_rr_owner(rr))) ==
		    NULL || (z->zr_value = hg_dns_ldns_value(a, rr,
		    &z->zr_type)) == NULL) {
			rc = zfail(msg, msglen, "the record cannot be read");
			break;
		}
		n++;
		ldns_rr_free(rr);
		rr = NULL;
		if (feof(f))
			break;
	}
	ldns_rr_free(rr);
	ldns_rdf_deep_free(origin);
	ldns_rdf_deep_free(prev);
	fclose(f);
	if (rc == HG_DNS_OK) {
		*line = 0;
		*out = v;
		*nout = n;
	}
	return rc;
}
