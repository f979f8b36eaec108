/*
 * test_dns_bind.c -- lib/dns_bind.c against a real BIND 9 (t/bind-server.sh:
 * a throwaway named on 127.0.0.1, zones example.test and second.test that
 * take updates and AXFR signed with hangar-key, static.test that takes
 * none).  Every change is checked on the server itself with dig; a wrong
 * key is refused and changes nothing, a server that is down is
 * "unreachable" at once, and one that never answers is "too slow" within
 * the bound.
 *
 * The server's port is 30000 + HANGAR_TEST_PORT % 10000 (run-tests.sh sets
 * HANGAR_TEST_PORT), or HANGAR_BIND_PORT; its folder t/tmp/bind-PORT.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <signal.h>
#include <sys/wait.h>

#include <check.h>
#include <ldns/ldns.h>

#include "arena.h"
#include "dns.h"
#include "unit.h"

static char	 tdir[512];		/* the t/ folder */
static char	 bdir[600];		/* the server's folder */
static char	 secret[128];
static int	 port;
static char	 addr[64];

static struct hg_dns_server
server(void)
{
	struct hg_dns_server	sv;

	memset(&sv, 0, sizeof(sv));
	sv.sv_type = HG_DNS_BIND;
	sv.sv_dns_address = addr;
	sv.sv_tsig_key_name = "hangar-key";
	sv.sv_tsig_algorithm = "hmac-sha256";
	sv.sv_tsig_secret = secret;
	sv.sv_timeout_ms = 3000;
	return sv;
}

/* dig's short answer for name/type (lines joined by '|'), "" for none. */
static char *
dig(const char *name, const char *type)
{
	static char	out[8192];
	char		cmd[512], line[1024];
	FILE		*p;
	size_t		n = 0;

	/* Sorted: servers rotate the records of an RRset. */
	snprintf(cmd, sizeof(cmd), "dig +short +time=2 +tries=1 @127.0.0.1 "
	    "-p %d %s %s 2>&1 | LC_ALL=C sort", port, name, type);
	out[0] = '\0';
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	while (fgets(line, sizeof(line), p) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		n += snprintf(out + n, sizeof(out) - n, "%s%s", n ? "|" : "",
		    line);
		if (n >= sizeof(out))
			n = sizeof(out) - 1;
	}
	pclose(p);
	return out;
}

static long long
ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One change of one RRset, records given as "value" or "-value"
 * (disabled). */
static int
change(const struct hg_dns_server *sv, const char *zone, enum hg_dns_op op,
    const char *name, const char *type, unsigned ttl, const char *const *v,
    char *msg, size_t msglen)
{
	struct hg_dns_rr	rr[8];
	struct hg_dns_change	ch;
	size_t			n = 0;

	for (; v != NULL && v[n] != NULL; n++) {
		rr[n].rr_disabled = v[n][0] == '-';
		rr[n].rr_value = v[n] + rr[n].rr_disabled;
	}
	memset(&ch, 0, sizeof(ch));
	ch.ch_op = op;
	ch.ch_rrset.rs_name = name;
	ch.ch_rrset.rs_type = type;
	ch.ch_rrset.rs_ttl = ttl;
	ch.ch_rrset.rs_n = n;
	ch.ch_rrset.rs_rr = rr;
	return hg_dns_bind.be_update(sv, zone, &ch, 1, msg, msglen);
}

#define REPLACE(zone, name, type, ...) \
	change(&sv, zone, HG_DNS_REPLACE, name, type, 300, \
	    (const char *const[]){ __VA_ARGS__, NULL }, msg, sizeof(msg))

/* The records of name/type in a zone listing, "v1|v2", NULL if none. */
static char *
listed(struct hg_arena *a, const struct hg_dns_rrset *rs, size_t n,
    const char *name, const char *type, unsigned *ttl)
{
	size_t	i, j;
	char	*s;

	for (i = 0; i < n; i++) {
		if (strcmp(rs[i].rs_name, name) != 0 ||
		    strcmp(rs[i].rs_type, type) != 0)
			continue;
		s = hg_strdup(a, "");
		for (j = 0; j < rs[i].rs_n; j++) {
			ck_assert(!rs[i].rs_rr[j].rr_disabled);
			s = hg_printf(a, "%s%s%s", s, j ? "|" : "",
			    rs[i].rs_rr[j].rr_value);
		}
		if (ttl != NULL)
			*ttl = rs[i].rs_ttl;
		return s;
	}
	return NULL;
}

/* ---- settings ------------------------------------------------------- */

START_TEST(test_check)
{
	struct hg_dns_server	sv = server();
	char			msg[512];

	ck_assert_int_eq(hg_dns_bind.be_check(&sv, msg, sizeof(msg)), 0);
	sv.sv_tsig_algorithm = "HMAC-SHA256.";
	ck_assert_int_eq(hg_dns_bind.be_check(&sv, msg, sizeof(msg)), 0);
	sv.sv_tsig_algorithm = "";		/* the default */
	ck_assert_int_eq(hg_dns_bind.be_check(&sv, msg, sizeof(msg)), 0);
}
END_TEST

START_TEST(test_bad_settings)
{
	static const char *addrs[] = { "", "127.0.0.1:0", "127.0.0.1:70000",
	    "127.0.0.1:x", "[::1", ":53" };
	struct hg_dns_server	sv = server();
	char			msg[512];
	size_t			i;

	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		sv.sv_dns_address = addrs[i];
		ck_assert_msg(hg_dns_bind.be_check(&sv, msg, sizeof(msg)) ==
		    HG_DNS_EINVAL, "%s", addrs[i]);
	}
	sv = server();
	sv.sv_tsig_algorithm = "hmac-sha384";	/* ldns 1.8.3 cannot */
	ck_assert_int_eq(hg_dns_bind.be_check(&sv, msg, sizeof(msg)),
	    HG_DNS_EINVAL);
	ck_assert_msg(strstr(msg, "hmac-sha384") != NULL, "%s", msg);
	sv.sv_tsig_algorithm = "hmac-sha224";
	ck_assert_int_eq(hg_dns_bind.be_check(&sv, msg, sizeof(msg)),
	    HG_DNS_EINVAL);
	sv.sv_tsig_algorithm = "hmac-sha999";
	ck_assert_int_eq(hg_dns_bind.be_check(&sv, msg, sizeof(msg)),
	    HG_DNS_EINVAL);
	sv.sv_tsig_algorithm = "hmac-sha512";	/* the server's key is 256 */
	ck_assert_int_eq(hg_dns_bind.be_check(&sv, msg, sizeof(msg)),
	    HG_DNS_EREFUSED);
	ck_assert_msg(strstr(msg, "BADKEY") != NULL, "%s", msg);
	sv = server();
	sv.sv_tsig_secret = "not base64!";
	ck_assert_int_eq(hg_dns_bind.be_check(&sv, msg, sizeof(msg)),
	    HG_DNS_EINVAL);
	sv = server();
	sv.sv_tsig_key_name = "";
	ck_assert_int_eq(hg_dns_bind.be_check(&sv, msg, sizeof(msg)),
	    HG_DNS_EINVAL);
}
END_TEST

/* A wrong secret or an unknown key: refused everywhere, nothing changes,
 * and the message never shows a secret. */
START_TEST(test_wrong_key)
{
	struct hg_dns_server	sv;
	struct hg_arena		a;
	struct hg_dns_rrset	*rs;
	size_t			n;
	char			msg[512];
	int			pass;

	hg_arena_init(&a);
	for (pass = 0; pass < 2; pass++) {
		sv = server();
		if (pass == 0)	/* a valid key, but not the server's */
			sv.sv_tsig_secret =
			    "c2VjcmV0LXRoYXQtbmFtZWQtZG9lcy1ub3Qta25vdw==";
		else
			sv.sv_tsig_key_name = "nobody-key";
		ck_assert_int_eq(hg_dns_bind.be_check(&sv, msg, sizeof(msg)),
		    HG_DNS_EREFUSED);
		ck_assert_msg(strstr(msg, pass == 0 ? "BADSIG" : "BADKEY") !=
		    NULL, "%s", msg);
		ck_assert_ptr_null(strstr(msg, sv.sv_tsig_secret));
		ck_assert_int_eq(hg_dns_bind.be_zone_create(&sv,
		    "example.test", msg, sizeof(msg)), HG_DNS_EREFUSED);
		ck_assert_int_eq(REPLACE("example.test", "wrongkey.example.test",
		    "A", "192.0.2.99"), HG_DNS_EREFUSED);
		ck_assert_ptr_null(strstr(msg, sv.sv_tsig_secret));
		ck_assert_str_eq(dig("wrongkey.example.test", "A"), "");
		ck_assert_int_eq(hg_dns_bind.be_zone_list(&sv, &a,
		    "example.test", &rs, &n, msg, sizeof(msg)),
		    HG_DNS_EREFUSED);
		ck_assert_ptr_null(rs);
	}
	hg_arena_free(&a);
}
END_TEST

/* ---- zones ----------------------------------------------------------- */

START_TEST(test_zone_create)
{
	struct hg_dns_server	sv = server();
	char			msg[512];

	ck_assert_int_eq(hg_dns_bind.be_zone_create(&sv, "example.test", msg,
	    sizeof(msg)), 0);
	ck_assert_int_eq(hg_dns_bind.be_zone_create(&sv, "Second.Test", msg,
	    sizeof(msg)), 0);
	/* Not served there: no authoritative SOA. */
	ck_assert_int_eq(hg_dns_bind.be_zone_create(&sv, "nothere.test", msg,
	    sizeof(msg)), HG_DNS_EREFUSED);
	ck_assert_msg(strstr(msg, "nothere.test") != NULL, "%s", msg);
	/* A name inside a zone is not a zone. */
	ck_assert_int_eq(hg_dns_bind.be_zone_create(&sv, "ns1.example.test",
	    msg, sizeof(msg)), HG_DNS_EREFUSED);
	/* Served, but our key may not update it (allow-update none). */
	ck_assert_int_eq(hg_dns_bind.be_zone_create(&sv, "static.test", msg,
	    sizeof(msg)), HG_DNS_EREFUSED);
	ck_assert_msg(strstr(msg, "REFUSED") != NULL, "%s", msg);
}
END_TEST

/* ---- records --------------------------------------------------------- */

START_TEST(test_replace_delete)
{
	struct hg_dns_server	sv = server();
	char			msg[512];

	ck_assert_int_eq(REPLACE("example.test", "www.example.test", "A",
	    "192.0.2.1", "192.0.2.2"), 0);
	ck_assert_str_eq(dig("www.example.test", "A"), "192.0.2.1|192.0.2.2");
	/* Replacing is the whole RRset. */
	ck_assert_int_eq(REPLACE("example.test", "www.example.test", "A",
	    "192.0.2.3"), 0);
	ck_assert_str_eq(dig("www.example.test", "A"), "192.0.2.3");
	/* A disabled record is not served; enabling serves it again. */
	ck_assert_int_eq(REPLACE("example.test", "www.example.test", "A",
	    "192.0.2.3", "-192.0.2.4"), 0);
	ck_assert_str_eq(dig("www.example.test", "A"), "192.0.2.3");
	ck_assert_int_eq(REPLACE("example.test", "www.example.test", "A",
	    "-192.0.2.3", "-192.0.2.4"), 0);
	ck_assert_str_eq(dig("www.example.test", "A"), "");
	ck_assert_int_eq(REPLACE("example.test", "www.example.test", "A",
	    "192.0.2.3", "192.0.2.4"), 0);
	ck_assert_str_eq(dig("www.example.test", "A"), "192.0.2.3|192.0.2.4");
	/* Delete, twice: the second finds nothing and is fine. */
	ck_assert_int_eq(change(&sv, "example.test", HG_DNS_DELETE,
	    "www.example.test", "A", 0, NULL, msg, sizeof(msg)), 0);
	ck_assert_str_eq(dig("www.example.test", "A"), "");
	ck_assert_int_eq(change(&sv, "example.test", HG_DNS_DELETE,
	    "www.example.test", "A", 0, NULL, msg, sizeof(msg)), 0);
	/* Out of the zone, a type we do not manage, a bad value: nothing
	 * is sent. */
	ck_assert_int_eq(REPLACE("example.test", "www.example.org", "A",
	    "192.0.2.1"), HG_DNS_EINVAL);
	ck_assert_int_eq(REPLACE("example.test", "xexample.test", "A",
	    "192.0.2.1"), HG_DNS_EINVAL);
	ck_assert_int_eq(REPLACE("example.test", "www.example.test", "SRV",
	    "1 1 1 x.example.test"), HG_DNS_EINVAL);
	ck_assert_int_eq(REPLACE("example.test", "www.example.test", "A",
	    "192.0.2.300"), HG_DNS_EINVAL);
	ck_assert_int_eq(REPLACE("example.test", "www.example.test", "MX",
	    "mail.example.test"), HG_DNS_EINVAL);
	/* A zone that takes no updates refuses, and nothing changes. */
	ck_assert_int_eq(REPLACE("static.test", "www.static.test", "A",
	    "192.0.2.1"), HG_DNS_EREFUSED);
	ck_assert_str_eq(dig("www.static.test", "A"), "");
}
END_TEST

START_TEST(test_types)
{
	struct hg_dns_server	sv = server();
	char			msg[512], longtxt[700], want[800];
	size_t			i;

	ck_assert_int_eq(REPLACE("example.test", "v6.example.test", "AAAA",
	    "2001:db8::1"), 0);
	ck_assert_str_eq(dig("v6.example.test", "AAAA"), "2001:db8::1");
	ck_assert_int_eq(REPLACE("example.test", "alias.example.test",
	    "CNAME", "target.example.net"), 0);
	ck_assert_str_eq(dig("alias.example.test", "CNAME"),
	    "target.example.net.");
	/* BIND refuses an MX whose target in the zone has no address. */
	ck_assert_int_eq(REPLACE("example.test", "example.test", "MX",
	    "10 mail.example.test", "20 mx2.example.net"), HG_DNS_EREFUSED);
	ck_assert_str_eq(dig("example.test", "MX"), "");
	ck_assert_int_eq(REPLACE("example.test", "mail.example.test", "A",
	    "192.0.2.25"), 0);
	ck_assert_int_eq(REPLACE("example.test", "example.test", "MX",
	    "10 mail.example.test", "20 mx2.example.net"), 0);
	ck_assert_str_eq(dig("example.test", "MX"),
	    "10 mail.example.test.|20 mx2.example.net.");
	ck_assert_int_eq(REPLACE("example.test", "sub.example.test", "NS",
	    "ns.sub.example.net"), 0);
	ck_assert_str_eq(dig("sub.example.test", "NS"), "");	/* referral */
	ck_assert_int_eq(REPLACE("example.test", "txt.example.test", "TXT",
	    "v=spf1 -all", "say \"hi\" \\ back; ok"), 0);
	ck_assert_str_eq(dig("txt.example.test", "TXT"),
	    "\"say \\\"hi\\\" \\\\ back; ok\"|\"v=spf1 -all\"");
	/* Longer than one character-string: split at 255. */
	for (i = 0; i < 600; i++)
		longtxt[i] = 'a' + i % 26;
	longtxt[600] = '\0';
	ck_assert_int_eq(REPLACE("example.test", "long.example.test", "TXT",
	    longtxt), 0);
	snprintf(want, sizeof(want), "\"%.255s\" \"%.255s\" \"%s\"", longtxt,
	    longtxt + 255, longtxt + 510);
	ck_assert_str_eq(dig("long.example.test", "TXT"), want);
}
END_TEST

/* The zone's own NS RRset: replaced for real (BIND ignores deleting all
 * of it), never emptied. */
START_TEST(test_apex_ns)
{
	struct hg_dns_server	sv = server();
	char			msg[512];

	ck_assert_int_eq(REPLACE("example.test", "example.test", "NS",
	    "ns1.example.test", "ns2.example.net"), 0);
	ck_assert_str_eq(dig("example.test", "NS"),
	    "ns1.example.test.|ns2.example.net.");
	ck_assert_int_eq(REPLACE("example.test", "example.test", "NS",
	    "ns2.example.net", "-ns1.example.test"), 0);
	ck_assert_str_eq(dig("example.test", "NS"), "ns2.example.net.");
	ck_assert_int_eq(REPLACE("example.test", "example.test", "NS",
	    "-ns2.example.net"), HG_DNS_EINVAL);
	ck_assert_int_eq(change(&sv, "example.test", HG_DNS_DELETE,
	    "example.test", "NS", 0, NULL, msg, sizeof(msg)), HG_DNS_EINVAL);
	ck_assert_str_eq(dig("example.test", "NS"), "ns2.example.net.");
	ck_assert_int_eq(REPLACE("example.test", "Example.Test", "NS",
	    "ns1.example.test"), 0);
	ck_assert_str_eq(dig("example.test", "NS"), "ns1.example.test.");
}
END_TEST

/* Several changes in one message: all of them land. */
START_TEST(test_update_many)
{
	struct hg_dns_server	sv = server();
	struct hg_dns_rr	r1[] = { { "192.0.2.10", 0 } };
	struct hg_dns_rr	r2[] = { { "192.0.2.20", 0 }, { "192.0.2.21", 1 } };
	struct hg_dns_change	ch[3];
	char			msg[512];

	ck_assert_int_eq(REPLACE("second.test", "old.second.test", "A",
	    "192.0.2.9"), 0);
	memset(ch, 0, sizeof(ch));
	ch[0].ch_op = HG_DNS_REPLACE;
	ch[0].ch_rrset = (struct hg_dns_rrset){ "a.second.test", "A", 60, 1,
	    r1 };
	ch[1].ch_op = HG_DNS_REPLACE;
	ch[1].ch_rrset = (struct hg_dns_rrset){ "b.second.test", "A", 60, 2,
	    r2 };
	ch[2].ch_op = HG_DNS_DELETE;
	ch[2].ch_rrset = (struct hg_dns_rrset){ "old.second.test", "A", 0, 0,
	    NULL };
	ck_assert_int_eq(hg_dns_bind.be_update(&sv, "second.test", ch, 3, msg,
	    sizeof(msg)), 0);
	ck_assert_str_eq(dig("a.second.test", "A"), "192.0.2.10");
	ck_assert_str_eq(dig("b.second.test", "A"), "192.0.2.20");
	ck_assert_str_eq(dig("old.second.test", "A"), "");
	/* One bad change and none is made. */
	ch[1].ch_rrset.rs_name = "b.elsewhere.test";
	ch[0].ch_rrset.rs_ttl = 120;
	ck_assert_int_eq(hg_dns_bind.be_update(&sv, "second.test", ch, 3, msg,
	    sizeof(msg)), HG_DNS_EINVAL);
	ck_assert_str_eq(dig("a.second.test", "A"), "192.0.2.10");
}
END_TEST

/* ---- listing (AXFR) -------------------------------------------------- */

START_TEST(test_zone_list)
{
	struct hg_dns_server	 sv = server();
	struct hg_arena		 a;
	struct hg_dns_rrset	*rs;
	size_t			 n, i;
	unsigned		 ttl = 0;
	char			 msg[512];

	hg_arena_init(&a);
	ck_assert_int_eq(REPLACE("second.test", "L.second.test", "A",
	    "192.0.2.7", "192.0.2.8", "-192.0.2.9"), 0);
	ck_assert_int_eq(REPLACE("second.test", "t.second.test", "TXT",
	    "quote \" and \\ here"), 0);
	ck_assert_int_eq(REPLACE("second.test", "mail.second.test", "A",
	    "192.0.2.25"), 0);
	ck_assert_int_eq(REPLACE("second.test", "second.test", "MX",
	    "5 Mail.Second.Test"), 0);
	ck_assert_int_eq(hg_dns_bind.be_zone_list(&sv, &a, "second.test", &rs,
	    &n, msg, sizeof(msg)), 0);
	ck_assert_str_eq(listed(&a, rs, n, "l.second.test", "A", &ttl),
	    "192.0.2.7|192.0.2.8");
	ck_assert_uint_eq(ttl, 300);
	ck_assert_str_eq(listed(&a, rs, n, "t.second.test", "TXT", NULL),
	    "quote \" and \\ here");
	ck_assert_str_eq(listed(&a, rs, n, "second.test", "MX", NULL),
	    "5 mail.second.test");
	ck_assert_str_eq(listed(&a, rs, n, "second.test", "NS", NULL),
	    "ns1.second.test");
	ck_assert_str_eq(listed(&a, rs, n, "ns1.second.test", "A", NULL),
	    "127.0.0.1");
	for (i = 0; i < n; i++)
		ck_assert_str_ne(rs[i].rs_type, "SOA");
	/* A zone the server does not have. */
	ck_assert_int_eq(hg_dns_bind.be_zone_list(&sv, &a, "nothere.test", &rs,
	    &n, msg, sizeof(msg)), HG_DNS_EREFUSED);
	hg_arena_free(&a);
}
END_TEST

/* A transfer of many messages: each one's TSIG is checked in the chain. */
START_TEST(test_zone_list_big)
{
	struct hg_dns_server	 sv = server();
	struct hg_arena		 a;
	struct hg_dns_rrset	*rs;
	struct hg_dns_change	*ch;
	struct hg_dns_rr	*rr;
	char			 names[400][40], values[400][20], msg[512];
	size_t			 n, i, b, found;

	hg_arena_init(&a);
	ch = hg_alloc(&a, 400 * sizeof(*ch));
	rr = hg_alloc(&a, 400 * sizeof(*rr));
	for (b = 0; b < 5; b++) {	/* 2000 RRsets, 400 an update */
		for (i = 0; i < 400; i++) {
			snprintf(names[i], sizeof(names[i]),
			    "host-%zu.big.second.test", b * 400 + i);
			snprintf(values[i], sizeof(values[i]), "10.%zu.%zu.1",
			    b, i % 250);
			rr[i].rr_value = values[i];
			ch[i].ch_op = HG_DNS_REPLACE;
			ch[i].ch_rrset = (struct hg_dns_rrset){ names[i], "A",
			    60, 1, &rr[i] };
		}
		ck_assert_int_eq(hg_dns_bind.be_update(&sv, "second.test", ch,
		    400, msg, sizeof(msg)), 0);
	}
	ck_assert_int_eq(hg_dns_bind.be_zone_list(&sv, &a, "second.test", &rs,
	    &n, msg, sizeof(msg)), 0);
	for (found = 0, i = 0; i < n; i++)
		if (strstr(rs[i].rs_name, ".big.second.test") != NULL)
			found++;
	ck_assert_uint_eq(found, 2000);
	ck_assert_str_eq(listed(&a, rs, n, "host-1999.big.second.test", "A",
	    NULL), "10.4.149.1");
	/* Forgetting the zone takes Hangar's RRsets away (in batches), and
	 * leaves the zone and its apex NS. */
	{
		struct hg_dns_rrset	*known = hg_alloc(&a, 2001 *
		    sizeof(*known));

		for (i = 0; i < 2000; i++)
			known[i] = (struct hg_dns_rrset){ hg_printf(&a,
			    "host-%zu.big.second.test", i), "A", 0, 0, NULL };
		known[2000] = (struct hg_dns_rrset){ "second.test", "NS", 0, 0,
		    NULL };
		ck_assert_int_eq(hg_dns_bind.be_zone_delete(&sv, "second.test",
		    known, 2001, msg, sizeof(msg)), 0);
	}
	ck_assert_str_eq(dig("host-7.big.second.test", "A"), "");
	ck_assert_str_eq(dig("host-1999.big.second.test", "A"), "");
	ck_assert_str_eq(dig("second.test", "NS"), "ns1.second.test.");
	ck_assert_int_eq(hg_dns_bind.be_zone_create(&sv, "second.test", msg,
	    sizeof(msg)), 0);
	hg_arena_free(&a);
}
END_TEST

/* ---- a server that is down or slow ------------------------------------ */

/* Nothing listens: unreachable at once, whatever the bound. */
START_TEST(test_down)
{
	struct hg_dns_server	 sv = server();
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	struct hg_arena		 a;
	struct hg_dns_rrset	*rs;
	size_t			 n;
	char			 down[64], msg[512];
	long long		 t0;
	int			 fd;

	/* A port that was free a moment ago. */
	ck_assert_int_ge(fd = socket(AF_INET, SOCK_STREAM, 0), 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	close(fd);
	snprintf(down, sizeof(down), "127.0.0.1:%d", ntohs(sin.sin_port));
	sv.sv_dns_address = down;
	sv.sv_timeout_ms = 10000;
	hg_arena_init(&a);
	t0 = ms();
	ck_assert_int_eq(hg_dns_bind.be_check(&sv, msg, sizeof(msg)),
	    HG_DNS_EUNREACH);
	ck_assert_int_eq(hg_dns_bind.be_zone_create(&sv, "example.test", msg,
	    sizeof(msg)), HG_DNS_EUNREACH);
	ck_assert_int_eq(REPLACE("example.test", "x.example.test", "A",
	    "192.0.2.1"), HG_DNS_EUNREACH);
	ck_assert_int_eq(hg_dns_bind.be_zone_list(&sv, &a, "example.test", &rs,
	    &n, msg, sizeof(msg)), HG_DNS_EUNREACH);
	ck_assert_msg(strstr(msg, down) != NULL, "%s", msg);
	ck_assert_int_lt(ms() - t0, 2000);
	hg_arena_free(&a);
}
END_TEST

/* A server that takes the connection and never answers: too slow, within
 * the bound. */
START_TEST(test_slow)
{
	struct hg_dns_server	 sv = server();
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	struct hg_arena		 a;
	struct hg_dns_rrset	*rs;
	size_t			 n;
	char			 slow[64], msg[512];
	long long		 t0, t;
	int			 fd;

	ck_assert_int_ge(fd = socket(AF_INET, SOCK_STREAM, 0), 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	ck_assert_int_eq(listen(fd, 16), 0);	/* never accepts, never reads */
	snprintf(slow, sizeof(slow), "127.0.0.1:%d", ntohs(sin.sin_port));
	sv.sv_dns_address = slow;
	sv.sv_timeout_ms = 400;
	hg_arena_init(&a);
	t0 = ms();
	ck_assert_int_eq(hg_dns_bind.be_check(&sv, msg, sizeof(msg)),
	    HG_DNS_ETIMEOUT);
	t = ms() - t0;
	ck_assert_int_ge(t, 350);
	ck_assert_int_lt(t, 1000);
	t0 = ms();
	ck_assert_int_eq(REPLACE("example.test", "x.example.test", "A",
	    "192.0.2.1"), HG_DNS_ETIMEOUT);
	ck_assert_int_lt(ms() - t0, 1000);
	t0 = ms();
	ck_assert_int_eq(hg_dns_bind.be_zone_list(&sv, &a, "example.test", &rs,
	    &n, msg, sizeof(msg)), HG_DNS_ETIMEOUT);
	ck_assert_int_lt(ms() - t0, 1000);
	/* zone create is two exchanges: both within one bound. */
	t0 = ms();
	ck_assert_int_eq(hg_dns_bind.be_zone_create(&sv, "example.test", msg,
	    sizeof(msg)), HG_DNS_ETIMEOUT);
	ck_assert_int_lt(ms() - t0, 1000);
	close(fd);
	hg_arena_free(&a);
}
END_TEST

/* ---- servers that answer wrongly ----------------------------------------- */

enum fake { FAKE_UNSIGNED, FAKE_GARBAGE, FAKE_OTHER_ID, FAKE_CLOSE };

/*
 * A one-connection server in a child: reads one query and answers as mode
 * says -- a well-formed answer without a TSIG, bytes that are not DNS, an
 * answer to another id, or nothing (it closes).  Returns its pid; *addr
 * gets "127.0.0.1:port".
 */
static pid_t
fake_server(enum fake mode, char *addrbuf, size_t len)
{
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	pid_t			 pid;
	int			 fd, c;

	ck_assert_int_ge(fd = socket(AF_INET, SOCK_STREAM, 0), 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	snprintf(addrbuf, len, "127.0.0.1:%d", ntohs(sin.sin_port));
	ck_assert_int_ge(pid = fork(), 0);
	if (pid > 0) {
		close(fd);
		return pid;
	}
	if ((c = accept(fd, NULL, NULL)) >= 0) {
		uint8_t		 q[4096], *w = NULL;
		size_t		 wl = 0;
		ssize_t		 n = 0, k;
		ldns_pkt	*qp = NULL, *ap;

		/* The whole query: its length, then that many bytes. */
		while ((n < 2 || n < 2 + (q[0] << 8 | q[1])) &&
		    (k = read(c, q + n, sizeof(q) - n)) > 0)
			n += k;
		if (mode == FAKE_CLOSE || n < 14) {
			close(c);
			_exit(0);
		}
		if (mode == FAKE_GARBAGE) {
			static const uint8_t junk[] = { 0, 14, 'H', 'T', 'T',
			    'P', '/', '1', '.', '1', ' ', '4', '0', '0', '\r',
			    '\n' };

			(void)write(c, junk, sizeof(junk));
			sleep(1);
			_exit(0);
		}
		if (ldns_wire2pkt(&qp, q + 2, n - 2) != LDNS_STATUS_OK)
			_exit(1);
		ap = ldns_pkt_new();
		ldns_pkt_set_id(ap, ldns_pkt_id(qp) +
		    (mode == FAKE_OTHER_ID ? 1 : 0));
		ldns_pkt_set_qr(ap, true);
		ldns_pkt_set_aa(ap, true);
		ldns_pkt_set_rcode(ap, LDNS_RCODE_NOERROR);
		if (ldns_pkt2wire(&w, ap, &wl) == LDNS_STATUS_OK) {
			uint8_t	hdr[2] = { wl >> 8, wl & 0xff };

			(void)write(c, hdr, 2);
			(void)write(c, w, wl);
		}
		sleep(1);
		_exit(0);
	}
	_exit(1);
}

START_TEST(test_wrong_answers)
{
	static const struct { enum fake mode; int rc; const char *why; } t[] = {
		{ FAKE_UNSIGNED, HG_DNS_EREFUSED, "not signed" },
		{ FAKE_GARBAGE, HG_DNS_EUNREACH, "" },
		{ FAKE_OTHER_ID, HG_DNS_EUNREACH, "another question" },
		{ FAKE_CLOSE, HG_DNS_EUNREACH, "closed" },
	};
	struct hg_dns_server	sv = server();
	char			fake[64], msg[512];
	size_t			i;
	pid_t			pid;
	int			st;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		pid = fake_server(t[i].mode, fake, sizeof(fake));
		sv.sv_dns_address = fake;
		ck_assert_int_eq(REPLACE("example.test", "f.example.test",
		    "A", "192.0.2.1"), t[i].rc);
		ck_assert_msg(strstr(msg, t[i].why) != NULL, "%s", msg);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
	}
}
END_TEST

/* ---- the server ------------------------------------------------------- */

static int
sh(const char *cmd)
{
	return system(cmd) == 0 ? 0 : -1;
}

static int
start_server(void)
{
	const char	*stack = getenv("HANGAR_STACK");
	const char	*p;
	char		 cmd[4096];
	FILE		*f;

	if (stack != NULL && (p = strrchr(stack, '/')) != NULL)
		snprintf(tdir, sizeof(tdir), "%.*s", (int)(p - stack), stack);
	else
		snprintf(tdir, sizeof(tdir), "t");
	if ((p = getenv("HANGAR_BIND_PORT")) != NULL)
		port = atoi(p);
	else
		port = 30000 + (getenv("HANGAR_TEST_PORT") != NULL ?
		    atoi(getenv("HANGAR_TEST_PORT")) : 18080) % 10000;
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
	snprintf(bdir, sizeof(bdir), "%s/tmp/bind-%d", tdir, port);
	snprintf(cmd, sizeof(cmd), "%s/bind-server.sh stop %s >/dev/null 2>&1;"
	    " rm -rf %s && %s/bind-server.sh start %s %d", tdir, bdir, bdir,
	    tdir, bdir, port);
	if (sh(cmd) != 0)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s/bind-server.sh secret %s", tdir, bdir);
	if ((f = popen(cmd, "r")) == NULL)
		return -1;
	if (fgets(secret, sizeof(secret), f) == NULL)
		secret[0] = '\0';
	pclose(f);
	secret[strcspn(secret, "\n")] = '\0';
	return secret[0] != '\0' ? 0 : -1;
}

int
main(void)
{
	Suite	*s = suite_create("dns_bind");
	TCase	*tc = tcase_create("named");
	char	 cmd[2048];
	int	 failed;

	if (start_server() != 0) {
		fprintf(stderr, "test_dns_bind: named did not start\n");
		return 1;
	}
	tcase_add_test(tc, test_check);
	tcase_add_test(tc, test_bad_settings);
	tcase_add_test(tc, test_wrong_key);
	tcase_add_test(tc, test_zone_create);
	tcase_add_test(tc, test_replace_delete);
	tcase_add_test(tc, test_types);
	tcase_add_test(tc, test_apex_ns);
	tcase_add_test(tc, test_update_many);
	tcase_add_test(tc, test_zone_list);
	tcase_add_test(tc, test_zone_list_big);
	tcase_add_test(tc, test_down);
	tcase_add_test(tc, test_slow);
	tcase_add_test(tc, test_wrong_answers);
	failed = unit_run(s, tc);
	snprintf(cmd, sizeof(cmd), "%s/bind-server.sh stop %s", tdir, bdir);
	(void)sh(cmd);
	return failed;
}
