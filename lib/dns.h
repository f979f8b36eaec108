/*
 * dns.h -- the DNS servers Hangar drives: one interface, one backend per
 * server type (PowerDNS's HTTP API in dns_pdns.c, BIND's RFC 2136 dynamic
 * updates signed with TSIG in dns_bind.c).
 *
 * hangard calls these synchronously inside a request, and the agent calls
 * them from its jobs (applying approved domain requests), so every call is
 * bounded: it returns within sv_timeout_ms (connect, send, answer and any
 * retry included) and then says HG_DNS_ETIMEOUT.  A call either makes its
 * whole change on the server or, when it returns an error, is to be taken
 * as having changed nothing (PowerDNS PATCHes and RFC 2136 updates are
 * atomic; a timed-out call may still land later, which the next change of
 * the same RRset overwrites, since every change replaces whole RRsets).
 *
 * Names and values cross this interface in Hangar's canonical form, the
 * form the database keeps (sql/093_dns.sql):
 *
 *   zone, owner names  absolute, lower case ASCII, no trailing dot:
 *                      "example.com", "www.example.com"; the apex is the
 *                      zone's own name.  The backend adds the dot.
 *   A                  "192.0.2.1"            (inet_ntop form)
 *   AAAA               "2001:db8::1"          (inet_ntop form)
 *   CNAME, NS          "target.example.net"   (absolute, no trailing dot)
 *   MX                 "10 mail.example.net"  (preference 0-65535, target)
 *   TXT                the text itself, unquoted, 1-4000 bytes of
 *                      printable ASCII; the backend quotes it (\" and \\)
 *                      and splits it into 255-byte character-strings
 *
 * Callers validate before calling (hangard's record validation); a backend
 * may still refuse what its server refuses (HG_DNS_EREFUSED with the
 * server's words).  Backends only borrow the strings they are given.
 *
 * Errors.  Every function returns 0 (HG_DNS_OK) or an enum hg_dns_err and
 * then fills msg with one line for the API's error message and the log:
 * what failed and the server's own words ("PowerDNS refused: 422 RRset
 * www.example.com. IN CNAME: Conflicts with pre-existing RRset"), never a
 * key, a secret or a signature.  hg_dns_http() maps the error to the HTTP
 * status the API answers with (502 refused/unreachable, 504 too slow).
 *
 * Thread safety: none of these keeps state between calls; curl_global_init
 * must have run before the first call (hangard and the agent do it at
 * start).  Nothing here logs a secret.
 */
#ifndef HG_DNS_H
#define HG_DNS_H

#include <stddef.h>

#include "arena.h"

enum hg_dns_type {
	HG_DNS_POWERDNS,	/* dns_servers.type 'powerdns' */
	HG_DNS_BIND,		/* dns_servers.type 'bind' */
};

enum hg_dns_err {
	HG_DNS_OK = 0,
	HG_DNS_EREFUSED,	/* 502: the server answered no: bad key or
				   TSIG (401, NOTAUTH/BADSIG/BADKEY), REFUSED,
				   422 and other 4xx/5xx, NOTZONE, SERVFAIL */
	HG_DNS_EUNREACH,	/* 502: no answer at all: connection refused,
				   name not resolved, reset, or an answer that
				   is not the protocol's (not JSON, not DNS) */
	HG_DNS_ETIMEOUT,	/* 504: no complete answer within
				   sv_timeout_ms */
	HG_DNS_EINVAL,		/* 400: nothing was sent: the server row or
				   the arguments cannot work (no endpoint, bad
				   URL or address, missing key, unknown TSIG
				   algorithm, BIND support not built) */
};

/*
 * A dns_servers row with its secrets already unsealed (hg_unseal).  Only
 * the members of its type are read; the others may be NULL.
 */
struct hg_dns_server {
	enum hg_dns_type	 sv_type;
	/* PowerDNS */
	const char		*sv_api_endpoint; /* "http://127.0.0.1:8081";
					   a trailing "/" or "/api/v1" is
					   accepted */
	const char		*sv_api_key;	/* X-API-Key, plaintext */
	/* BIND */
	const char		*sv_dns_address; /* "192.0.2.53:53", "[::1]:53",
					   "ns1.example.net:5353"; port 53
					   when absent */
	const char		*sv_tsig_key_name;	/* "ddns-key" */
	const char		*sv_tsig_algorithm;	/* "hmac-sha256" ... */
	const char		*sv_tsig_secret;	/* base64, plaintext */
	/* both */
	long			 sv_timeout_ms;	/* bound of one call; 0 means
					   the default, 5000 */
};

/* One record of an RRset: its value (canonical form) and whether it is
 * disabled (kept but not served). */
struct hg_dns_rr {
	const char	*rr_value;
	int		 rr_disabled;
};

/* An RRset: every record of one owner name and type, with one TTL. */
struct hg_dns_rrset {
	const char		*rs_name;	/* absolute, no trailing dot */
	const char		*rs_type;	/* "A" "AAAA" "CNAME" "MX" "NS"
						   "TXT" (list: any type) */
	unsigned		 rs_ttl;
	size_t			 rs_n;
	const struct hg_dns_rr	*rs_rr;
};

/* One change of an update: replace the RRset with rs_rr[0..rs_n) (an
 * RRset whose records are all disabled, or none, is removed from what
 * the server serves), or delete the RRset (name and type; ttl and
 * records are ignored). */
enum hg_dns_op {
	HG_DNS_REPLACE,
	HG_DNS_DELETE,
};

struct hg_dns_change {
	enum hg_dns_op		ch_op;
	struct hg_dns_rrset	ch_rrset;
};

/*
 * A backend: one per server type.  Every function takes the server, and
 * returns HG_DNS_OK or an hg_dns_err with msg (msglen > 0) filled.
 */
struct hg_dns_backend {
	const char	*be_name;		/* "powerdns", "bind" */

	/*
	 * be_check -- does the server answer us?  Used when a server is
	 * created or its connection fields change.  PowerDNS: GET
	 * /api/v1/servers/localhost with the key (401 = EREFUSED).  BIND:
	 * a TSIG-signed query the server answers (a bad key = EREFUSED).
	 */
	int	(*be_check)(const struct hg_dns_server *, char *msg,
		    size_t msglen);

	/*
	 * be_zone_create -- make sure the server serves zone and lets us
	 * change it.  PowerDNS: creates it (kind Native, no nameservers);
	 * a zone that already exists is taken over as it is (OK).  BIND:
	 * zones are configured in named.conf, so this verifies instead:
	 * the server answers the zone's SOA authoritatively (AA bit) and
	 * accepts an update signed with our key (else EREFUSED, msg says
	 * which).
	 */
	int	(*be_zone_create)(const struct hg_dns_server *,
		    const char *zone, char *msg, size_t msglen);

	/*
	 * be_zone_delete -- stop managing zone.  PowerDNS: deletes the zone
	 * (a zone already gone is OK).  BIND cannot delete zones over the
	 * protocol: it deletes the RRsets given in known[0..nknown) (the
	 * records Hangar manages in it) and leaves the zone; PowerDNS
	 * ignores known.
	 */
	int	(*be_zone_delete)(const struct hg_dns_server *,
		    const char *zone, const struct hg_dns_rrset *known,
		    size_t nknown, char *msg, size_t msglen);

	/*
	 * be_update -- apply ch[0..n) to zone at once (one PATCH, one
	 * UPDATE message): all or nothing.  REPLACE sets the RRset to the
	 * records given with their disabled flags and rs_ttl (PowerDNS:
	 * changetype REPLACE with "disabled"; BIND: delete the RRset, then
	 * add its enabled records, in the same message).  DELETE removes
	 * the RRset; deleting one that is not there is OK.  n >= 1; no two
	 * changes name the same RRset.
	 */
	int	(*be_update)(const struct hg_dns_server *, const char *zone,
		    const struct hg_dns_change *ch, size_t n, char *msg,
		    size_t msglen);

	/*
	 * be_zone_list -- what the server has in zone, for drift and
	 * import: every RRset but the SOA, allocated from the arena.  The
	 * types A AAAA CNAME MX NS TXT have their values in canonical form
	 * (the backend strips trailing dots and quotes, joins a TXT's
	 * character-strings, lowers names); any other type (SRV, CAA, ...)
	 * comes with its mnemonic and its value as the server presents it,
	 * for import to report as skipped (drift ignores them: see
	 * hg_dns_managed).  PowerDNS lists disabled records with
	 * rr_disabled set; BIND (AXFR signed with our key) cannot see them.
	 * *out is NULL and *nout 0 for an empty zone.
	 */
	int	(*be_zone_list)(const struct hg_dns_server *, struct hg_arena *,
		    const char *zone, struct hg_dns_rrset **out, size_t *nout,
		    char *msg, size_t msglen);
};

extern const struct hg_dns_backend hg_dns_powerdns;	/* dns_pdns.c */
extern const struct hg_dns_backend hg_dns_bind;		/* dns_bind.c */

/* The backend of a type; a type without a linked backend gets one whose
 * functions all return HG_DNS_EINVAL ("BIND support is not built in"). */
const struct hg_dns_backend *hg_dns_backend(enum hg_dns_type);

/* Shorthands: hg_dns_backend(sv->sv_type)->be_xxx(sv, ...). */
int	hg_dns_check(const struct hg_dns_server *, char *, size_t);
int	hg_dns_zone_create(const struct hg_dns_server *, const char *zone,
	    char *, size_t);
int	hg_dns_zone_delete(const struct hg_dns_server *, const char *zone,
	    const struct hg_dns_rrset *known, size_t nknown, char *, size_t);
int	hg_dns_update(const struct hg_dns_server *, const char *zone,
	    const struct hg_dns_change *, size_t, char *, size_t);
int	hg_dns_zone_list(const struct hg_dns_server *, struct hg_arena *,
	    const char *zone, struct hg_dns_rrset **, size_t *, char *, size_t);

/* Is type one Hangar manages: A AAAA CNAME MX NS TXT? */
int	hg_dns_managed(const char *type);

/*
 * One record of a zone file (hg_dns_zone_parse): owner and value as
 * be_zone_list gives them (canonical for the managed types, presentation
 * form for the others, SOA included), its TTL and the line it is on.
 */
struct hg_dns_zrec {
	const char	*zr_name;
	const char	*zr_type;
	const char	*zr_value;
	unsigned	 zr_ttl;
	int		 zr_line;
};

/*
 * Parse an RFC 1035 zone file (text[0..len), not NUL-terminated) with
 * ldns: $ORIGIN starts as zone, $TTL as default_ttl; class IN only;
 * $INCLUDE refused; at most max records.  Records come out in file order
 * in the arena.  HG_DNS_EINVAL with msg and *line (1-based) on the first
 * line that cannot be read.  Names outside the zone are the caller's to
 * refuse.
 */
int	hg_dns_zone_parse(struct hg_arena *, const char *zone,
	    const char *text, size_t len, unsigned default_ttl, size_t max,
	    struct hg_dns_zrec **out, size_t *nout, int *line, char *msg,
	    size_t msglen);

/* "powerdns" -> HG_DNS_POWERDNS, "bind" -> HG_DNS_BIND; -1 when unknown. */
int		 hg_dns_type_parse(const char *);
const char	*hg_dns_type_name(enum hg_dns_type);
/* 200 for OK, 502 EREFUSED/EUNREACH, 504 ETIMEOUT, 400 EINVAL. */
int		 hg_dns_http(int err);
const char	*hg_dns_strerror(int err);

/* The effective bound of one call: sv_timeout_ms, or 5000 when 0. */
long		 hg_dns_timeout_ms(const struct hg_dns_server *);

#endif
