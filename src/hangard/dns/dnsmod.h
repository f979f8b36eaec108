/*
 * dnsmod.h -- what the DNS module's families share (common.c): the server
 * row as lib/dns.h wants it, a server's failure as the API's error, and
 * the names and values of records in canonical form (lib/dns.h, the
 * database's form).
 */
#ifndef HG_DNSMOD_H
#define HG_DNSMOD_H

#include "dns.h"
#include "hangard.h"

#define DNS_READ	PERM_MODULE("dns", "enable_dns_mgmt")
#define DNS_WRITE	PERM_MODULE("dns", "manage_dns_server")

/* The module's error codes: the server failed (502), too slow (504). */
#define HG_E_DNS_UPSTREAM	30001
#define HG_E_DNS_TIMEOUT	30002

/*
 * Load server id (404 when there is none; locked FOR SHARE when lock, so
 * it cannot be changed or deleted under the request) into *sv with its
 * secrets unsealed and sv_timeout_ms = dns_timeout; *name gets its name.
 */
int	dns_server_load(struct hg_req *, long long id, int lock,
	    struct hg_dns_server *sv, const char **name);
/*
 * Load domain did of server sid, locked FOR UPDATE (every record change
 * of a domain is serialised on it: an RRset is computed from the rows and
 * sent whole); 404 for a domain of another server.  *zone gets its name.
 */
int	dns_domain_load(struct hg_req *, long long sid, long long did,
	    const char **zone);
/* A backend error (not 0) as the API's: 502 / 504 / 400 with msg. */
int	dns_fail(struct hg_req *, int err, const char *msg);

/*
 * Canonical forms.  Each returns NULL and sets *why when s is not valid.
 * dns_zone_name: a domain name ("Example.COM." -> "example.com").
 * dns_owner: a record's name, relative to zone or absolute, "@" or ""
 * for the apex -> absolute ("www" -> "www.example.com").
 * dns_value: a value of type -> canonical (dns.h).
 */
const char	*dns_zone_name(struct hg_req *, const char *s, const char **why);
const char	*dns_owner(struct hg_req *, const char *zone, const char *s,
		    const char **why);
const char	*dns_value(struct hg_req *, const char *type, const char *s,
		    const char **why);

/*
 * The RRsets of domain did as its rows say (name and type: that one
 * RRset; both NULL: all), in the request's arena; records in id order,
 * the ttl of the first.
 */
int	dns_rrsets(struct hg_req *, long long did, const char *name,
	    const char *type, struct hg_dns_rrset **out, size_t *nout);

extern const char *const dns_types[];	/* A AAAA CNAME MX NS TXT */

#endif
