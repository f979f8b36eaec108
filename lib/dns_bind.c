/*
 * dns_bind.c -- the BIND backend of dns.h: RFC 2136 dynamic updates and
 * AXFR, signed with TSIG (RFC 8945), built, signed and parsed with ldns.
 *
 * Every exchange is one TCP connection to dns_address (host:port) carrying
 * one signed message and its signed answer(s); the whole exchange --
 * resolving, connecting, writing, reading every message of a transfer --
 * lives within the caller's time bound, enforced here with poll() on a
 * monotonic deadline (ldns's own resolver retries and counts its timeout
 * per try, so it is not used for I/O).  TCP rather than UDP because a
 * refused connection says "down" at once where a UDP query to a dead port
 * only times out, and because an AXFR needs TCP anyway.
 *
 * Every answer must carry a TSIG that verifies with our key against our
 * request's MAC (each further AXFR message against the previous one,
 * "timers only"; BIND signs every message of a transfer, though RFC 8945
 * lets a server leave up to 99 in a row unsigned, which this refuses); an
 * answer that does not is the server not accepting our key.  What BIND cannot do over DNS is documented in hangar-api(7): zones
 * are created and deleted in named.conf, not over the wire.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <ldns/ldns.h>
#include <sodium.h>

#include "dns.h"
#include "dns_ldns.h"

#define TSIG_FUDGE	300		/* seconds of clock skew allowed */
#define MAX_MESSAGES	100000		/* an AXFR longer than this is bogus */
#define DEFAULT_TIMEOUT_MS 5000	/* sv_timeout_ms 0 (dns.h) */

/* One exchange's settings and state. */
struct srv {
	char		 host[256];
	char		 port[8];
	char		 keyname[256];	/* absolute, with the trailing dot */
	const char	*alg;		/* ldns's name of the algorithm */
	const char	*secret;	/* base64, as configured */
	long long	 deadline;	/* CLOCK_MONOTONIC, ms */
	const char	*zone;		/* the zone asked about, for messages */
	int		 any_rcode;	/* a signed answer is enough */
	char		*err;
	size_t		 errlen;
};

/* ---- small helpers --------------------------------------------------- */

static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int
fail(struct srv *s, int rc, const char *fmt, ...)
{
	va_list	ap;

	if (s->err != NULL && s->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(s->err, s->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* ms left before the deadline, for poll(); 0 when it has passed. */
static int
left(const struct srv *s)
{
	long long	l = s->deadline - now_ms();

	return l > 0 ? (int)(l > INT_MAX ? INT_MAX : l) : 0;
}

/*
 * The configured algorithm as ldns names it: "hmac-sha256", any case, with
 * or without the trailing dot.  hmac-sha224 and hmac-sha384 are refused:
 * ldns 1.8.3 cannot sign with them (it has no hmac-sha224 and misspells
 * hmac-sha384 "hmac-shac384").  NULL when not supported.
 */
static const char *
tsig_alg(const char *name)
{
	static const struct { const char *name, *ldns; } algs[] = {
		{ "hmac-sha256", "hmac-sha256." },
		{ "hmac-sha512", "hmac-sha512." },
		{ "hmac-sha1", "hmac-sha1." },
		{ "hmac-md5", "hmac-md5.sig-alg.reg.int." },
		{ "hmac-md5.sig-alg.reg.int", "hmac-md5.sig-alg.reg.int." },
	};
	size_t	i, n;

	if (name == NULL || *name == '\0')
		return algs[0].ldns;		/* the default: hmac-sha256 */
	n = strlen(name);
	if (name[n - 1] == '.')
		n--;
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strlen(algs[i].name) == n &&
		    strncasecmp(algs[i].name, name, n) == 0)
			return algs[i].ldns;
	return NULL;
}

/* Is the secret base64 that decodes to at least one byte? */
static int
secret_ok(const char *b64)
{
	unsigned char	 buf[768];
	size_t		 n, len = 0;
	const char	*end = NULL;

	if (b64 == NULL || (n = strlen(b64)) == 0 || n > 1024)
		return 0;
	return sodium_base642bin(buf, sizeof(buf), b64, n, NULL, &len, &end,
	    sodium_base64_VARIANT_ORIGINAL) == 0 && end == b64 + n && len > 0;
}

/*
 * Fill s from a server's settings: address "host:port" ("[v6]:port"; the
 * port defaults to 53), key name, algorithm, secret, time bound.  Settings
 * that cannot work are HG_DNS_EINVAL with the reason: nothing is sent.
 */
static int
srv_init(struct srv *s, const struct hg_dns_server *cf, char *err,
    size_t errlen)
{
	const char	*a = cf->sv_dns_address, *colon;
	size_t		 hl, kl;

	memset(s, 0, sizeof(*s));
	s->err = err;
	s->errlen = errlen;
	s->deadline = now_ms() + (cf->sv_timeout_ms > 0 ?
	    cf->sv_timeout_ms : DEFAULT_TIMEOUT_MS);
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (a == NULL || *a == '\0')
		return fail(s, HG_DNS_EINVAL, "no dns_address configured");
	if (a[0] == '[') {
		if ((colon = strchr(a, ']')) == NULL)
			return fail(s, HG_DNS_EINVAL, "bad dns_address");
		hl = colon - a - 1;
		a++;
		colon = colon[1] == ':' ? colon + 1 : NULL;
	} else {
		colon = strrchr(a, ':');
		hl = colon != NULL ? (size_t)(colon - a) : strlen(a);
	}
	if (hl == 0 || hl >= sizeof(s->host))
		return fail(s, HG_DNS_EINVAL, "bad dns_address");
	memcpy(s->host, a, hl);
	s->host[hl] = '\0';
	if (colon != NULL) {
		char	*end;
		long	 p = strtol(colon + 1, &end, 10);

		if (*end != '\0' || p < 1 || p > 65535)
			return fail(s, HG_DNS_EINVAL,
			    "bad port in dns_address");
		snprintf(s->port, sizeof(s->port), "%ld", p);
	} else
		snprintf(s->port, sizeof(s->port), "53");

	if (cf->sv_tsig_key_name == NULL ||
	    (kl = strlen(cf->sv_tsig_key_name)) == 0 ||
	    kl + 2 > sizeof(s->keyname))
		return fail(s, HG_DNS_EINVAL, "no tsig_key_name configured");
	snprintf(s->keyname, sizeof(s->keyname), "%s%s", cf->sv_tsig_key_name,
	    cf->sv_tsig_key_name[kl - 1] == '.' ? "" : ".");
	if ((s->alg = tsig_alg(cf->sv_tsig_algorithm)) == NULL)
		return fail(s, HG_DNS_EINVAL, "TSIG algorithm %s is not "
		    "supported (use hmac-sha256)", cf->sv_tsig_algorithm);
	if (!secret_ok(cf->sv_tsig_secret))
		return fail(s, HG_DNS_EINVAL,
		    "tsig_secret is not a base64 key");
	s->secret = cf->sv_tsig_secret;
	return 0;
}

/* ---- TCP within the deadline ---------------------------------------- */

/* Connect to the server; a socket or -1 with the error set in *rc. */
static int
tcp_connect(struct srv *s, int *rc)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	struct pollfd	 pfd;
	socklen_t	 sl;
	int		 fd = -1, e, soerr, refused = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	/* Resolving a name is the one step poll() cannot bound (the
	 * resolver has its own timeouts); a deadline it used up is still
	 * "too slow".  Give dns_address as an address to avoid it. */
	if ((e = getaddrinfo(s->host, s->port, &hints, &res)) != 0) {
		*rc = fail(s, HG_DNS_EUNREACH, "cannot resolve %s: %s",
		    s->host, gai_strerror(e));
		return -1;
	}
	if (left(s) == 0) {
		freeaddrinfo(res);
		*rc = fail(s, HG_DNS_ETIMEOUT, "resolving %s took too long",
		    s->host);
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		if (errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			do
				e = poll(&pfd, 1, left(s));
			while (e == -1 && errno == EINTR);
			if (e == 0) {
				close(fd);
				freeaddrinfo(res);
				*rc = fail(s, HG_DNS_ETIMEOUT, "%s:%s did not "
				    "accept a connection in time", s->host,
				    s->port);
				return -1;
			}
			sl = sizeof(soerr);
			if (e > 0 && getsockopt(fd, SOL_SOCKET, SO_ERROR,
			    &soerr, &sl) == 0 && soerr == 0)
				break;
			errno = e > 0 ? soerr : errno;
		}
		if (errno == ECONNREFUSED)
			refused = 1;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		*rc = fail(s, HG_DNS_EUNREACH, "cannot connect to %s:%s%s",
		    s->host, s->port, refused ? ": connection refused" : "");
	return fd;
}

/* Write all of buf; 0, or an error code. */
static int
tcp_write(struct srv *s, int fd, const uint8_t *buf, size_t len)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLOUT };
	ssize_t		n;
	int		e;

	while (len > 0) {
		n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n > 0) {
			buf += n;
			len -= n;
			continue;
		}
		if (n == -1 && errno != EAGAIN && errno != EINTR)
			return fail(s, HG_DNS_EUNREACH, "sending to %s:%s: "
			    "%s", s->host, s->port, strerror(errno));
		do
			e = poll(&pfd, 1, left(s));
		while (e == -1 && errno == EINTR);
		if (e == 0)
			return fail(s, HG_DNS_ETIMEOUT, "%s:%s was too slow "
			    "to take the request", s->host, s->port);
	}
	return 0;
}

/* Read exactly len bytes; 0, or an error code. */
static int
tcp_read(struct srv *s, int fd, uint8_t *buf, size_t len)
{
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	ssize_t		n;
	int		e;

	while (len > 0) {
		n = recv(fd, buf, len, 0);
		if (n > 0) {
			buf += n;
			len -= n;
			continue;
		}
		if (n == 0)
			return fail(s, HG_DNS_EUNREACH, "%s:%s closed the "
			    "connection without an answer", s->host, s->port);
		if (errno != EAGAIN && errno != EINTR)
			return fail(s, HG_DNS_EUNREACH, "reading from "
			    "%s:%s: %s", s->host, s->port, strerror(errno));
		do
			e = poll(&pfd, 1, left(s));
		while (e == -1 && errno == EINTR);
		if (e == 0)
			return fail(s, HG_DNS_ETIMEOUT, "%s:%s did not answer "
			    "in time", s->host, s->port);
	}
	return 0;
}

/* ---- one signed exchange -------------------------------------------- */

/*
 * Called with each verified answer message; returns 0 when it wants the
 * next message (AXFR), 1 when the exchange is complete, or an error code.
 */
typedef int (*answer_fn)(struct srv *, ldns_pkt *, void *);

/* The rcode of an answer as an error (0 for NOERROR). */
static int
rcode_error(struct srv *s, ldns_pkt *p)
{
	ldns_pkt_rcode	 rc = ldns_pkt_get_rcode(p);
	ldns_lookup_table *lt;
	const char	*name;

	if (rc == LDNS_RCODE_NOERROR)
		return 0;
	lt = ldns_lookup_by_id(ldns_rcodes, (int)rc);
	name = lt != NULL ? lt->name : "an error";
	switch (rc) {
	case LDNS_RCODE_NOTAUTH:
		return fail(s, HG_DNS_EREFUSED, "%s:%s answered NOTAUTH%s%s: "
		    "it does not accept our TSIG key (or is not authoritative)",
		    s->host, s->port, s->zone ? " for " : "", s->zone ?
		    s->zone : "");
	case LDNS_RCODE_REFUSED:
		return fail(s, HG_DNS_EREFUSED, "%s:%s answered REFUSED%s%s: "
		    "it does not serve that zone, or its allow-update or "
		    "allow-transfer does not name our key, or the change breaks "
		    "its checks (an MX or NS target in the zone without an "
		    "address)", s->host, s->port, s->zone ? " for " : "",
		    s->zone ? s->zone : "");
	default:
		return fail(s, HG_DNS_EREFUSED, "%s:%s answered %s%s%s",
		    s->host, s->port, name, s->zone ? " for " : "", s->zone ?
		    s->zone : "");
	}
}

/* The TSIG error of an answer (RFC 8945 5.3), as an error; 0 if none. */
static int
tsig_error(struct srv *s, ldns_pkt *p)
{
	ldns_rr		*t = ldns_pkt_tsig(p);
	unsigned	 e;
	const char	*why;

	if (t == NULL || ldns_rr_rd_count(t) < 6 ||
	    (e = ldns_rdf2native_int16(ldns_rr_rdf(t, 5))) == 0)
		return 0;
	switch (e) {
	case 16:
		why = "BADSIG: the secret is not the server's";
		break;
	case 17:
		why = "BADKEY: the server has no key of that name and "
		    "algorithm";
		break;
	case 18:
		why = "BADTIME: our clock and the server's differ by more "
		    "than 5 minutes";
		break;
	default:
		why = "TSIG error";
		break;
	}
	return fail(s, HG_DNS_EREFUSED, "%s:%s rejected our TSIG key %s: %s "
	    "(%u)", s->host, s->port, s->keyname, why, e);
}

/*
 * Sign q with our key, send it, and feed every answer message, once its
 * TSIG is verified, to fn.  q stays the caller's.
 */
static int
exchange(struct srv *s, ldns_pkt *q, answer_fn fn, void *arg)
{
	uint8_t		*wire = NULL, *req = NULL, *ans = NULL, hdr[2];
	size_t		 wlen = 0, alen;
	ldns_pkt	*a = NULL;
	ldns_rdf	*mac = NULL;	/* the MAC the next answer chains to */
	ldns_rr		*t;
	int		 fd = -1, rc, n, first = 1;

	ldns_pkt_set_random_id(q);
	if (ldns_pkt_tsig_sign(q, s->keyname, s->secret, TSIG_FUDGE, s->alg,
	    NULL) != LDNS_STATUS_OK || (t = ldns_pkt_tsig(q)) == NULL) {
		rc = fail(s, HG_DNS_EINVAL, "cannot sign with TSIG key %s",
		    s->keyname);
		goto out;
	}
	mac = ldns_rdf_clone(ldns_rr_rdf(t, 3));
	if (ldns_pkt2wire(&wire, q, &wlen) != LDNS_STATUS_OK ||
	    wlen > 65535) {
		rc = fail(s, HG_DNS_EINVAL, "the update is too large for "
		    "one DNS message");
		goto out;
	}
	/* The message with its 2-byte length in front, in one write. */
	if ((req = malloc(wlen + 2)) == NULL) {
		rc = fail(s, HG_DNS_EUNREACH, "out of memory");
		goto out;
	}
	req[0] = wlen >> 8;
	req[1] = wlen & 0xff;
	memcpy(req + 2, wire, wlen);
	if ((fd = tcp_connect(s, &rc)) == -1 ||
	    (rc = tcp_write(s, fd, req, wlen + 2)) != 0)
		goto out;
	for (n = 0; n < MAX_MESSAGES; n++) {
		if ((rc = tcp_read(s, fd, hdr, 2)) != 0)
			goto out;
		alen = (size_t)hdr[0] << 8 | hdr[1];
		if (alen < 12) {
			rc = fail(s, HG_DNS_EUNREACH, "%s:%s sent a short "
			    "message", s->host, s->port);
			goto out;
		}
		if ((ans = malloc(alen)) == NULL) {
			rc = fail(s, HG_DNS_EUNREACH, "out of memory");
			goto out;
		}
		if ((rc = tcp_read(s, fd, ans, alen)) != 0)
			goto out;
		if (ldns_wire2pkt(&a, ans, alen) != LDNS_STATUS_OK) {
			rc = fail(s, HG_DNS_EUNREACH, "%s:%s sent a message "
			    "ldns cannot parse", s->host, s->port);
			goto out;
		}
		if (ldns_pkt_id(a) != ldns_pkt_id(q) || !ldns_pkt_qr(a)) {
			rc = fail(s, HG_DNS_EUNREACH, "%s:%s answered another "
			    "question", s->host, s->port);
			goto out;
		}
		/*
		 * A key the server does not know or a bad signature comes
		 * back NOTAUTH, unsigned, with the TSIG error (BADKEY,
		 * BADSIG, BADTIME) or without a TSIG at all: say so before
		 * looking for a signature.
		 */
		if ((rc = tsig_error(s, a)) != 0)
			goto out;
		if (ldns_pkt_tsig(a) == NULL &&
		    ldns_pkt_get_rcode(a) != LDNS_RCODE_NOERROR) {
			rc = rcode_error(s, a);
			goto out;
		}
		if (first ? !ldns_pkt_tsig_verify(a, ans, alen, s->keyname,
		    s->secret, mac) : !ldns_pkt_tsig_verify_next(a, ans, alen,
		    s->keyname, s->secret, mac, 1)) {
			rc = fail(s, HG_DNS_EREFUSED, "%s:%s's answer is not "
			    "signed with our TSIG key %s", s->host, s->port,
			    s->keyname);
			goto out;
		}
		first = 0;
		ldns_rdf_deep_free(mac);
		mac = ldns_rdf_clone(ldns_rr_rdf(ldns_pkt_tsig(a), 3));
		if (!s->any_rcode && (rc = rcode_error(s, a)) != 0)
			goto out;
		if ((rc = fn(s, a, arg)) != 0) {
			rc = rc == 1 ? 0 : rc;
			goto out;
		}
		ldns_pkt_free(a);
		a = NULL;
		free(ans);
		ans = NULL;
	}
	rc = fail(s, HG_DNS_EREFUSED, "%s:%s sent too many messages", s->host,
	    s->port);
out:
	if (fd != -1)
		close(fd);
	ldns_pkt_free(a);
	ldns_rdf_deep_free(mac);
	free(ans);
	free(req);
	free(wire);
	return rc;
}

/* ---- building records ------------------------------------------------ */

/* "www.example.com" -> the dname "www.example.com."; NULL if not a name. */
static ldns_rdf *
dname(const char *name)
{
	char		 buf[300];
	ldns_rdf	*d = NULL;
	size_t		 n = strlen(name);

	if (n == 0 || n > 253)
		return NULL;
	snprintf(buf, sizeof(buf), "%s%s", name, name[n - 1] == '.' ? "" :
	    ".");
	if (ldns_str2rdf_dname(&d, buf) != LDNS_STATUS_OK)
		return NULL;
	return d;
}

/* Is name the zone or inside it (canonical forms: case-insensitive, no
 * trailing dot)? */
static int
in_zone(const char *name, const char *zone)
{
	size_t	n = strlen(name), z = strlen(zone);

	if (n == z)
		return strcasecmp(name, zone) == 0;
	return n > z + 1 && name[n - z - 1] == '.' &&
	    strcasecmp(name + n - z, zone) == 0;
}

/* The rdata of one value (dns.h's canonical form) pushed onto rr. */
static int
push_rdata(ldns_rr *rr, ldns_rr_type t, const char *v)
{
	ldns_rdf	*f = NULL;
	uint8_t		 cs[256];
	size_t		 n, k;
	char		*end;
	unsigned long	 pref;

	switch (t) {
	case LDNS_RR_TYPE_A:
		f = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_A, v);
		break;
	case LDNS_RR_TYPE_AAAA:
		f = ldns_rdf_new_frm_str(LDNS_RDF_TYPE_AAAA, v);
		break;
	case LDNS_RR_TYPE_CNAME:
	case LDNS_RR_TYPE_NS:
		f = dname(v);
		break;
	case LDNS_RR_TYPE_MX:
		pref = strtoul(v, &end, 10);
		if (end == v || *end != ' ' || pref > 65535)
			return -1;
		if ((f = ldns_native2rdf_int16(LDNS_RDF_TYPE_INT16,
		    (uint16_t)pref)) == NULL)
			return -1;
		ldns_rr_push_rdf(rr, f);
		f = dname(end + 1);
		break;
	case LDNS_RR_TYPE_TXT:
		/* The text as character-strings of at most 255 bytes; the
		 * bytes go in as they are, so no quoting can go wrong. */
		n = strlen(v);
		if (n == 0 || n > 4000)
			return -1;
		for (; n > 0; v += k, n -= k) {
			k = n > 255 ? 255 : n;
			cs[0] = (uint8_t)k;
			memcpy(cs + 1, v, k);
			if ((f = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_STR,
			    k + 1, cs)) == NULL)
				return -1;
			ldns_rr_push_rdf(rr, f);
		}
		return 0;
	default:
		return -1;
	}
	if (f == NULL)
		return -1;
	ldns_rr_push_rdf(rr, f);
	return 0;
}

/* The types Hangar manages; 0 for any other. */
static ldns_rr_type
rr_type(const char *name)
{
	static const struct { const char *n; ldns_rr_type t; } types[] = {
		{ "A", LDNS_RR_TYPE_A }, { "AAAA", LDNS_RR_TYPE_AAAA },
		{ "CNAME", LDNS_RR_TYPE_CNAME }, { "MX", LDNS_RR_TYPE_MX },
		{ "NS", LDNS_RR_TYPE_NS }, { "TXT", LDNS_RR_TYPE_TXT },
	};
	size_t	i;

	for (i = 0; name != NULL && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcasecmp(types[i].n, name) == 0)
			return types[i].t;
	return 0;
}

/*
 * An update-section RR: owner name, type, class, ttl, no rdata.  Class ANY
 * with ttl 0 deletes the RRset (RFC 2136 2.5.2); class IN is an add, whose
 * rdata the caller pushes.
 */
static ldns_rr *
bare_rr(const char *name, ldns_rr_type t, ldns_rr_class c, uint32_t ttl)
{
	ldns_rr		*rr;
	ldns_rdf	*owner;

	if ((owner = dname(name)) == NULL)
		return NULL;
	if ((rr = ldns_rr_new()) == NULL) {
		ldns_rdf_deep_free(owner);
		return NULL;
	}
	ldns_rr_set_owner(rr, owner);
	ldns_rr_set_type(rr, t);
	ldns_rr_set_class(rr, c);
	ldns_rr_set_ttl(rr, ttl);
	return rr;
}

/* Is ch a change of the zone's own NS RRset? */
static int
apex_ns(const char *zone, const struct hg_dns_change *ch)
{
	return ch->ch_rrset.rs_name != NULL &&
	    strcasecmp(ch->ch_rrset.rs_name, zone) == 0 &&
	    rr_type(ch->ch_rrset.rs_type) == LDNS_RR_TYPE_NS;
}

/*
 * Append to up the RRs of one change: delete the RRset, then (REPLACE) add
 * its enabled records.  HG_DNS_EINVAL for what cannot be sent.
 *
 * The zone's own NS RRset is the exception: BIND ignores a request to
 * delete all of it (RFC 2136 3.4.2.4), so "delete, then add" would leave
 * the old servers beside the new ones.  There the new records are added
 * first and then each record of cur (the RRset the server has now) that
 * is not among them is deleted on its own; an apex NS RRset cannot be
 * emptied at all.
 */
static int
push_change(struct srv *s, ldns_rr_list *up, const char *zone,
    const struct hg_dns_change *ch, const ldns_rr_list *cur)
{
	const struct hg_dns_rrset *rs = &ch->ch_rrset;
	ldns_rr_list	*add;
	ldns_rr_type	 t;
	ldns_rr		*rr, *old;
	size_t		 i, j, nadd;
	int		 keep;

	if (rs->rs_name == NULL || !in_zone(rs->rs_name, zone))
		return fail(s, HG_DNS_EINVAL, "%s is not in zone %s",
		    rs->rs_name != NULL ? rs->rs_name : "(no name)", zone);
	if ((t = rr_type(rs->rs_type)) == 0)
		return fail(s, HG_DNS_EINVAL, "record type %s is not "
		    "supported", rs->rs_type != NULL ? rs->rs_type : "(none)");
	if (cur == NULL) {
		if ((rr = bare_rr(rs->rs_name, t, LDNS_RR_CLASS_ANY, 0)) ==
		    NULL)
			return fail(s, HG_DNS_EINVAL, "bad name %s",
			    rs->rs_name);
		ldns_rr_list_push_rr(up, rr);
		if (ch->ch_op != HG_DNS_REPLACE)
			return 0;
	}
	add = ldns_rr_list_new();
	for (i = 0; ch->ch_op == HG_DNS_REPLACE && i < rs->rs_n; i++) {
		if (rs->rs_rr[i].rr_disabled)
			continue;
		rr = bare_rr(rs->rs_name, t, LDNS_RR_CLASS_IN, rs->rs_ttl);
		if (rr == NULL) {
			ldns_rr_list_deep_free(add);
			return fail(s, HG_DNS_EINVAL, "bad name %s",
			    rs->rs_name);
		}
		ldns_rr_list_push_rr(add, rr);
		if (rs->rs_rr[i].rr_value == NULL ||
		    push_rdata(rr, t, rs->rs_rr[i].rr_value) != 0) {
			ldns_rr_list_deep_free(add);
			return fail(s, HG_DNS_EINVAL, "bad %s value for %s: %s",
			    rs->rs_type, rs->rs_name, rs->rs_rr[i].rr_value ?
			    rs->rs_rr[i].rr_value : "(none)");
		}
	}
	nadd = ldns_rr_list_rr_count(add);
	if (cur != NULL && nadd == 0) {
		ldns_rr_list_deep_free(add);
		return fail(s, HG_DNS_EINVAL, "BIND cannot remove every NS "
		    "record of the zone %s itself: replace them instead", zone);
	}
	for (i = 0; i < nadd; i++)
		ldns_rr_list_push_rr(up, ldns_rr_list_rr(add, i));
	for (i = 0; cur != NULL && i < ldns_rr_list_rr_count(cur); i++) {
		old = ldns_rr_list_rr(cur, i);
		for (keep = 0, j = 0; j < nadd && !keep; j++)
			keep = ldns_dname_compare(ldns_rr_rdf(old, 0),
			    ldns_rr_rdf(ldns_rr_list_rr(add, j), 0)) == 0;
		if (keep)
			continue;
		rr = ldns_rr_clone(old);
		ldns_rr_set_class(rr, LDNS_RR_CLASS_NONE);
		ldns_rr_set_ttl(rr, 0);
		ldns_rr_list_push_rr(up, rr);
	}
	/* The records now belong to up. */
	ldns_rr_list_free(add);
	return 0;
}

/* ---- the operations -------------------------------------------------- */

static int
answer_done(struct srv *s, ldns_pkt *a, void *arg)
{
	(void)s;
	(void)a;
	(void)arg;
	return 1;
}

/*
 * Send one UPDATE for zone with prerequisites pr (NULL: none) and update
 * section up (may be empty); both stay the caller's.
 */
static int
send_update(struct srv *s, const char *zone, ldns_rr_list *pr,
    ldns_rr_list *up)
{
	ldns_pkt	*q;
	ldns_rdf	*z;
	int		 rc;

	if ((z = dname(zone)) == NULL)
		return fail(s, HG_DNS_EINVAL, "bad zone name %s", zone);
	/* ldns_update_pkt_new takes z and copies the lists. */
	if ((q = ldns_update_pkt_new(z, LDNS_RR_CLASS_IN, pr, up, NULL)) ==
	    NULL)
		return fail(s, HG_DNS_EINVAL, "cannot build the update");
	ldns_pkt_set_rd(q, false);
	rc = exchange(s, q, answer_done, NULL);
	ldns_pkt_free(q);
	return rc;
}

/* What a SOA query of the zone must show: an authoritative answer. */
struct soa_check {
	const char	*zone;
	ldns_rdf	*owner;
	int		 ok;
};

static int
answer_soa(struct srv *s, ldns_pkt *a, void *arg)
{
	struct soa_check *c = arg;
	ldns_rr_list	*an = ldns_pkt_answer(a);
	size_t		 i;

	if (!ldns_pkt_aa(a))
		return fail(s, HG_DNS_EREFUSED, "%s:%s is not authoritative "
		    "for %s", s->host, s->port, c->zone);
	for (i = 0; i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr	*rr = ldns_rr_list_rr(an, i);

		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA &&
		    ldns_dname_compare(ldns_rr_owner(rr), c->owner) == 0)
			c->ok = 1;
	}
	if (!c->ok)
		return fail(s, HG_DNS_EREFUSED, "%s:%s has no SOA for %s: it "
		    "does not serve that zone", s->host, s->port, c->zone);
	return 1;
}

/* A signed SOA query of name; with check, the answer must be the zone's
 * authoritative SOA. */
static int
query_soa(struct srv *s, const char *name, answer_fn fn, void *arg)
{
	ldns_pkt	*q;
	ldns_rdf	*d;
	int		 rc;

	if ((d = dname(name)) == NULL)
		return fail(s, HG_DNS_EINVAL, "bad zone name %s", name);
	/* ldns_pkt_query_new takes d. */
	q = ldns_pkt_query_new(d, LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, 0);
	if (q == NULL)
		return fail(s, HG_DNS_EINVAL, "cannot build the query");
	rc = exchange(s, q, fn, arg);
	ldns_pkt_free(q);
	return rc;
}

/* Any signed answer will do: the server is there and knows our key (an
 * unknown key or a bad signature is NOTAUTH, unsigned). */
static int
answer_any(struct srv *s, ldns_pkt *a, void *arg)
{
	(void)s;
	(void)a;
	(void)arg;
	return 1;
}

static int
bind_check(const struct hg_dns_server *sv, char *msg, size_t msglen)
{
	struct srv	s;
	int		rc;

	if ((rc = srv_init(&s, sv, msg, msglen)) != 0)
		return rc;
	/* The root's SOA: BIND answers REFUSED, signed, when it knows the
	 * key; NOTAUTH, unsigned, when it does not. */
	s.any_rcode = 1;
	return query_soa(&s, ".", answer_any, NULL);
}

/* The records of name/type the server has: answer records collected. */
struct rrset_query {
	ldns_rdf	*owner;
	ldns_rr_type	 type;
	ldns_rr_list	*rrs;
};

static int
answer_rrset(struct srv *s, ldns_pkt *a, void *arg)
{
	struct rrset_query *r = arg;
	ldns_rr_list	*an = ldns_pkt_answer(a);
	ldns_rr		*rr;
	size_t		 i;

	if (!ldns_pkt_aa(a))
		return fail(s, HG_DNS_EREFUSED, "%s:%s is not authoritative "
		    "for %s", s->host, s->port, s->zone);
	for (i = 0; i < ldns_rr_list_rr_count(an); i++) {
		rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) == r->type &&
		    ldns_rr_rd_count(rr) > 0 &&
		    ldns_dname_compare(ldns_rr_owner(rr), r->owner) == 0)
			ldns_rr_list_push_rr(r->rrs, ldns_rr_clone(rr));
	}
	return 1;
}

/* A signed query of name/type; *out gets the answer's records of that
 * name and type (the caller frees it). */
static int
query_rrset(struct srv *s, const char *name, ldns_rr_type type,
    ldns_rr_list **out)
{
	struct rrset_query	 r;
	ldns_pkt		*q;
	int			 rc;

	*out = NULL;
	if ((r.owner = dname(name)) == NULL)
		return fail(s, HG_DNS_EINVAL, "bad name %s", name);
	r.type = type;
	r.rrs = ldns_rr_list_new();
	q = ldns_pkt_query_new(ldns_rdf_clone(r.owner), type,
	    LDNS_RR_CLASS_IN, 0);
	rc = q != NULL ? exchange(s, q, answer_rrset, &r) :
	    fail(s, HG_DNS_EINVAL, "cannot build the query");
	ldns_pkt_free(q);
	ldns_rdf_deep_free(r.owner);
	if (rc != 0)
		ldns_rr_list_deep_free(r.rrs);
	else
		*out = r.rrs;
	return rc;
}

/*
 * A zone is BIND's when its SOA is answered authoritatively and an update
 * signed with our key is let through: one whose only content is the
 * prerequisite "the zone's SOA exists" (RFC 2136 2.4.1), which changes
 * nothing.  BIND checks allow-update after the prerequisites, so a key
 * the zone does not allow is REFUSED here, and an unknown key or a wrong
 * secret NOTAUTH.  (With update-policy instead of allow-update, BIND
 * checks the policy per record, so an empty update proves only that the
 * key is known; hangar-api(7) says so.)
 */
static int
bind_zone_create(const struct hg_dns_server *sv, const char *zone, char *msg,
    size_t msglen)
{
	struct srv		 s;
	struct soa_check	 c = { zone, NULL, 0 };
	ldns_rr_list		*pr = NULL, *up = NULL;
	ldns_rr			*rr;
	int			 rc;

	if ((rc = srv_init(&s, sv, msg, msglen)) != 0)
		return rc;
	if (zone == NULL || (c.owner = dname(zone)) == NULL)
		return fail(&s, HG_DNS_EINVAL, "bad zone name %s",
		    zone != NULL ? zone : "(none)");
	s.zone = zone;
	if ((rc = query_soa(&s, zone, answer_soa, &c)) != 0)
		goto out;
	pr = ldns_rr_list_new();
	up = ldns_rr_list_new();
	if ((rr = bare_rr(zone, LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_ANY, 0)) ==
	    NULL) {
		rc = fail(&s, HG_DNS_EINVAL, "bad zone name %s", zone);
		goto out;
	}
	ldns_rr_list_push_rr(pr, rr);
	rc = send_update(&s, zone, pr, up);
out:
	ldns_rdf_deep_free(c.owner);
	ldns_rr_list_deep_free(pr);
	ldns_rr_list_deep_free(up);
	return rc;
}

/* Apply ch[0..n) in one UPDATE message. */
static int
bind_update(const struct hg_dns_server *sv, const char *zone,
    const struct hg_dns_change *ch, size_t n, char *msg, size_t msglen)
{
	struct srv	 s;
	ldns_rr_list	*up, *cur = NULL;
	size_t		 i;
	int		 rc;

	if ((rc = srv_init(&s, sv, msg, msglen)) != 0)
		return rc;
	if (zone == NULL || n == 0)
		return fail(&s, HG_DNS_EINVAL, "nothing to update");
	s.zone = zone;
	up = ldns_rr_list_new();
	for (i = 0; i < n; i++) {
		if (apex_ns(zone, &ch[i]) && cur == NULL &&
		    (rc = query_rrset(&s, zone, LDNS_RR_TYPE_NS, &cur)) != 0)
			goto out;
		if ((rc = push_change(&s, up, zone, &ch[i],
		    apex_ns(zone, &ch[i]) ? cur : NULL)) != 0)
			goto out;
	}
	rc = send_update(&s, zone, NULL, up);
out:
	ldns_rr_list_deep_free(up);
	ldns_rr_list_deep_free(cur);
	return rc;
}

/*
 * BIND zones live in named.conf: they cannot be deleted over DNS.  What
 * Hangar put there goes: the known RRsets are deleted, in updates of at
 * most DELETE_BATCH RRsets (not one message: a zone's worth may not fit,
 * and there is nothing to keep atomic when forgetting a zone).  The SOA
 * and the apex NS stay (BIND would ignore their deletion anyway).
 */
#define DELETE_BATCH	500

static int
bind_zone_delete(const struct hg_dns_server *sv, const char *zone,
    const struct hg_dns_rrset *known, size_t nknown, char *msg, size_t msglen)
{
	struct srv		 s;
	struct hg_dns_change	 ch;
	ldns_rr_list		*up = NULL;
	size_t			 i;
	int			 rc;

	if ((rc = srv_init(&s, sv, msg, msglen)) != 0)
		return rc;
	if (zone == NULL)
		return fail(&s, HG_DNS_EINVAL, "no zone");
	s.zone = zone;
	for (i = 0; i < nknown; i++) {
		if (known[i].rs_name != NULL &&
		    strcasecmp(known[i].rs_name, zone) == 0 &&
		    rr_type(known[i].rs_type) == LDNS_RR_TYPE_NS)
			continue;
		if (up == NULL)
			up = ldns_rr_list_new();
		memset(&ch, 0, sizeof(ch));
		ch.ch_op = HG_DNS_DELETE;
		ch.ch_rrset = known[i];
		if ((rc = push_change(&s, up, zone, &ch, NULL)) != 0)
			goto out;
		if (ldns_rr_list_rr_count(up) >= DELETE_BATCH) {
			if ((rc = send_update(&s, zone, NULL, up)) != 0)
				goto out;
			ldns_rr_list_deep_free(up);
			up = NULL;
		}
	}
	if (up != NULL)
		rc = send_update(&s, zone, NULL, up);
out:
	ldns_rr_list_deep_free(up);
	return rc;
}

/* ---- listing a zone (AXFR) ------------------------------------------- */

struct axfr {
	struct hg_arena	*arena;
	ldns_rdf	*owner;		/* the zone's name */
	int		 soas;		/* SOAs seen: the second ends it */
	struct item {
		char		*name;
		const char	*type;
		unsigned	 ttl;
		char		*value;
		size_t		 seq;
	}		*items;
	size_t		 n, cap;
};

static int
answer_axfr(struct srv *s, ldns_pkt *a, void *arg)
{
	struct axfr	*x = arg;
	ldns_rr_list	*an = ldns_pkt_answer(a);
	ldns_rr		*rr;
	struct item	*it;
	const char	*type = NULL;
	char		*value;
	size_t		 i;

	for (i = 0; i < ldns_rr_list_rr_count(an); i++) {
		rr = ldns_rr_list_rr(an, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
			if (x->soas == 0 &&
			    ldns_dname_compare(ldns_rr_owner(rr), x->owner) != 0)
				return fail(s, HG_DNS_EUNREACH, "%s:%s sent a "
				    "transfer of another zone", s->host,
				    s->port);
			if (++x->soas == 2)
				return 1;
			continue;
		}
		if (x->soas == 0)
			return fail(s, HG_DNS_EUNREACH, "%s:%s's transfer does "
			    "not start with the SOA", s->host, s->port);
		if (ldns_rr_get_class(rr) != LDNS_RR_CLASS_IN ||
		    (value = hg_dns_ldns_value(x->arena, rr, &type)) == NULL)
			continue;
		if (x->n == x->cap) {
			size_t	 cap = x->cap ? x->cap * 2 : 64;
			struct item *n = hg_alloc(x->arena,
			    cap * sizeof(*n));

			if (x->n > 0)
				memcpy(n, x->items, x->n * sizeof(*n));
			x->items = n;
			x->cap = cap;
		}
		it = &x->items[x->n];
		it->name = hg_dns_ldns_name(x->arena, ldns_rr_owner(rr));
		it->type = type;
		it->ttl = ldns_rr_ttl(rr);
		it->value = value;
		it->seq = x->n++;
		if (it->name == NULL)
			x->n--;
	}
	if (x->soas == 0 && ldns_rr_list_rr_count(an) == 0)
		return fail(s, HG_DNS_EUNREACH, "%s:%s sent an empty transfer",
		    s->host, s->port);
	return 0;
}

/* Records of one RRset together, in the order the server sent them. */
static int
item_cmp(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;
	int		   c;

	if ((c = strcmp(a->name, b->name)) != 0)
		return c;
	if ((c = strcmp(a->type, b->type)) != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
same_rrset(const struct item *a, const struct item *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->type, b->type) == 0;
}

static int
bind_zone_list(const struct hg_dns_server *sv, struct hg_arena *arena,
    const char *zone, struct hg_dns_rrset **out, size_t *nout, char *msg,
    size_t msglen)
{
	struct srv		 s;
	struct axfr		 x;
	struct hg_dns_rrset	*rs = NULL;
	struct hg_dns_rr	*rr;
	ldns_pkt		*q;
	size_t			 i, j, k, m, nrs;
	int			 rc;

	*out = NULL;
	*nout = 0;
	if ((rc = srv_init(&s, sv, msg, msglen)) != 0)
		return rc;
	memset(&x, 0, sizeof(x));
	x.arena = arena;
	if (zone == NULL || (x.owner = dname(zone)) == NULL)
		return fail(&s, HG_DNS_EINVAL, "bad zone name %s",
		    zone != NULL ? zone : "(none)");
	s.zone = zone;
	q = ldns_pkt_query_new(ldns_rdf_clone(x.owner), LDNS_RR_TYPE_AXFR,
	    LDNS_RR_CLASS_IN, 0);
	if (q == NULL) {
		ldns_rdf_deep_free(x.owner);
		return fail(&s, HG_DNS_EINVAL, "cannot build the query");
	}
	rc = exchange(&s, q, answer_axfr, &x);
	ldns_pkt_free(q);
	ldns_rdf_deep_free(x.owner);
	if (rc != 0)
		return rc;
	if (x.soas < 2)
		return fail(&s, HG_DNS_EUNREACH, "%s:%s's transfer of %s "
		    "ended early", s.host, s.port, zone);
	if (x.n == 0)
		return 0;
	qsort(x.items, x.n, sizeof(*x.items), item_cmp);
	for (nrs = 0, i = 0; i < x.n; i++)
		if (i == 0 || !same_rrset(&x.items[i - 1], &x.items[i]))
			nrs++;
	rs = hg_alloc(arena, nrs * sizeof(*rs));
	for (k = 0, i = 0; i < x.n; i = j, k++) {
		for (j = i + 1; j < x.n && same_rrset(&x.items[i],
		    &x.items[j]); j++)
			;
		rr = hg_alloc(arena, (j - i) * sizeof(*rr));
		for (m = i; m < j; m++)
			rr[m - i].rr_value = x.items[m].value;
		rs[k].rs_name = x.items[i].name;
		rs[k].rs_type = x.items[i].type;
		rs[k].rs_ttl = x.items[i].ttl;
		rs[k].rs_n = j - i;
		rs[k].rs_rr = rr;
	}
	*out = rs;
	*nout = k;
	return 0;
}

const struct hg_dns_backend hg_dns_bind = {
	.be_name	= "bind",
	.be_check	= bind_check,
	.be_zone_create	= bind_zone_create,
	.be_zone_delete	= bind_zone_delete,
	.be_update	= bind_update,
	.be_zone_list	= bind_zone_list,
};
