/*
 * dns.c -- the DNS backends' dispatch and the shared little helpers
 * (dns.h).  The backends live in dns_pdns.c (PowerDNS) and dns_bind.c
 * (BIND); a type whose backend is not linked answers HG_DNS_EINVAL.
 */
#include <stdio.h>
#include <string.h>

#include "dns.h"

/*
 * dns_bind.c may be absent from a build (it needs ldns); the reference is
 * weak so that the program still links, and a BIND server then answers
 * "not built in" instead of crashing.
 */
#pragma weak hg_dns_bind

static int
none_fail(char *msg, size_t msglen)
{
	if (msglen > 0)
		snprintf(msg, msglen, "BIND support is not built into this "
		    "Hangar");
	return HG_DNS_EINVAL;
}

static int
none_check(const struct hg_dns_server *sv, char *msg, size_t msglen)
{
	(void)sv;
	return none_fail(msg, msglen);
}

static int
none_zone_create(const struct hg_dns_server *sv, const char *zone,
    char *msg, size_t msglen)
{
	(void)sv; (void)zone;
	return none_fail(msg, msglen);
}

static int
none_zone_delete(const struct hg_dns_server *sv, const char *zone,
    const struct hg_dns_rrset *known, size_t nknown, char *msg, size_t msglen)
{
	(void)sv; (void)zone; (void)known; (void)nknown;
	return none_fail(msg, msglen);
}

static int
none_update(const struct hg_dns_server *sv, const char *zone,
    const struct hg_dns_change *ch, size_t n, char *msg, size_t msglen)
{
	(void)sv; (void)zone; (void)ch; (void)n;
	return none_fail(msg, msglen);
}

static int
none_zone_list(const struct hg_dns_server *sv, struct hg_arena *a,
    const char *zone, struct hg_dns_rrset **out, size_t *nout, char *msg,
    size_t msglen)
{
	(void)sv; (void)a; (void)zone;
	*out = NULL;
	*nout = 0;
	return none_fail(msg, msglen);
}

static const struct hg_dns_backend none = {
	"none", none_check, none_zone_create, none_zone_delete, none_update,
	none_zone_list,
};

const struct hg_dns_backend *
hg_dns_backend(enum hg_dns_type t)
{
	switch (t) {
	case HG_DNS_POWERDNS:
		return &hg_dns_powerdns;
	case HG_DNS_BIND:
		return &hg_dns_bind != NULL ? &hg_dns_bind : &none;
	}
	return &none;
}

int
hg_dns_check(const struct hg_dns_server *sv, char *msg, size_t msglen)
{
	return hg_dns_backend(sv->sv_type)->be_check(sv, msg, msglen);
}

int
hg_dns_zone_create(const struct hg_dns_server *sv, const char *zone,
    char *msg, size_t msglen)
{
	return hg_dns_backend(sv->sv_type)->be_zone_create(sv, zone, msg,
	    msglen);
}

int
hg_dns_zone_delete(const struct hg_dns_server *sv, const char *zone,
    const struct hg_dns_rrset *known, size_t nknown, char *msg, size_t msglen)
{
	return hg_dns_backend(sv->sv_type)->be_zone_delete(sv, zone, known,
	    nknown, msg, msglen);
}

int
hg_dns_update(const struct hg_dns_server *sv, const char *zone,
    const struct hg_dns_change *ch, size_t n, char *msg, size_t msglen)
{
	return hg_dns_backend(sv->sv_type)->be_update(sv, zone, ch, n, msg,
	    msglen);
}

int
hg_dns_zone_list(const struct hg_dns_server *sv, struct hg_arena *a,
    const char *zone, struct hg_dns_rrset **out, size_t *nout, char *msg,
    size_t msglen)
{
	return hg_dns_backend(sv->sv_type)->be_zone_list(sv, a, zone, out,
	    nout, msg, msglen);
}

int
hg_dns_type_parse(const char *s)
{
	if (s == NULL)
		return -1;
	if (strcmp(s, "powerdns") == 0)
		return HG_DNS_POWERDNS;
	if (strcmp(s, "bind") == 0)
		return HG_DNS_BIND;
	return -1;
}

const char *
hg_dns_type_name(enum hg_dns_type t)
{
	return t == HG_DNS_BIND ? "bind" : "powerdns";
}

int
hg_dns_http(int err)
{
	switch (err) {
	case HG_DNS_OK:		return 200;
	case HG_DNS_ETIMEOUT:	return 504;
	case HG_DNS_EINVAL:	return 400;
	default:		return 502;
	}
}

const char *
hg_dns_strerror(int err)
{
	switch (err) {
	case HG_DNS_OK:		return "ok";
	case HG_DNS_EREFUSED:	return "the DNS server refused the change";
	case HG_DNS_EUNREACH:	return "the DNS server is unreachable";
	case HG_DNS_ETIMEOUT:	return "the DNS server did not answer in time";
	case HG_DNS_EINVAL:	return "the DNS server cannot be used as "
				    "configured";
	}
	return "unknown DNS error";
}

long
hg_dns_timeout_ms(const struct hg_dns_server *sv)
{
	return sv->sv_timeout_ms > 0 ? sv->sv_timeout_ms : 5000;
}
