/*
 * dns_ldns.h -- records as ldns holds them, in dns.h's canonical form;
 * shared by the BIND backend (AXFR answers) and the zone-file parser
 * (dns_zonefile.c).  Internal to lib/: hangard sees only dns.h.
 */
#ifndef HG_DNS_LDNS_H
#define HG_DNS_LDNS_H

#include <ldns/ldns.h>

#include "arena.h"

/* A dname in canonical form: lower case, no trailing dot; NULL if bad. */
char	*hg_dns_ldns_name(struct hg_arena *, const ldns_rdf *);
/*
 * The value of rr: for A AAAA CNAME MX NS TXT in canonical form, *type
 * the type's name; for any other type (SOA included) its rdata in
 * presentation form and *type its mnemonic ("SRV", "TYPE65280").  NULL
 * when the rdata cannot be read.
 */
char	*hg_dns_ldns_value(struct hg_arena *, const ldns_rr *,
	    const char **type);

#endif
