/*
 * test_dns_bind.c -- the DNS endpoints against a real BIND 9: the throwaway
 * named run-tests.sh starts (t/bind-server.sh, exported as HANGAR_BIND_ADDR,
 * HANGAR_BIND_KEY_NAME, HANGAR_BIND_SECRET; zones example.test and
 * second.test take updates signed with the key, static.test takes none).
 * Every change is checked on the server itself with dig; a server that
 * refuses (wrong key, a zone it does not serve or let us change) or is
 * down leaves Hangar's tables as they were.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authlib.h"

#define TABLES	"dns_servers,dns_domains,dns_records,audit_log"

#define unchanged(before)	db_unchanged((before), TABLES)

/* dig's short answer for name/type, sorted, lines joined by '|'. */
static char *
dig(const char *name, const char *type)
{
	static char	 out[4096];
	const char	*addr = getenv("HANGAR_BIND_ADDR");
	char		 cmd[512], line[1024], host[64];
	const char	*colon = strrchr(addr, ':');
	FILE		*p;
	size_t		 n = 0;

	snprintf(host, sizeof(host), "%.*s", (int)(colon - addr), addr);
	snprintf(cmd, sizeof(cmd), "dig +short +time=2 +tries=1 @%s -p %s "
	    "%s %s 2>&1 | LC_ALL=C sort", host, colon + 1, name, type);
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

static int
stack_cmd(const char *what)
{
	char	cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s %s %s >/dev/null 2>&1",
	    getenv("HANGAR_STACK"), what, getenv("HANGAR_DIR"));
	return system(cmd) == 0 ? 0 : -1;
}

/* A BIND server row named for this test; secret NULL: the right one. */
static struct resp *
create_server(const char *name, const char *addr, const char *secret)
{
	return api_f("POST", "/dns-services/", admin_token(),
	    "{\"name\": \"%s\", \"type\": \"bind\", \"dns_address\": \"%s\", "
	    "\"tsig_key_name\": \"%s\", \"tsig_algorithm\": \"hmac-sha256\", "
	    "\"tsig_secret\": \"%s\"}", name, addr != NULL ? addr :
	    getenv("HANGAR_BIND_ADDR"), getenv("HANGAR_BIND_KEY_NAME"),
	    secret != NULL ? secret : getenv("HANGAR_BIND_SECRET"));
}

static long long	sid;		/* the server every test uses */

static long long
server_id(void)
{
	struct resp	*r;

	if (sid == 0) {
		r = create_server(uniq("bind"), NULL, NULL);
		ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
		sid = jint(r->json, "id");
		ck_assert_str_eq(jstr(r->json, "tsig_secret"), "******");
		resp_free(r);
	}
	return sid;
}

/* The domain zone on our server (added once). */
static long long
domain_id(const char *zone)
{
	long long	 id;
	struct resp	*r;

	id = db_int(fmt("SELECT COALESCE(MAX(id), 0) FROM dns_domains WHERE "
	    "server_id = %lld AND name = '%s'", server_id(), zone));
	if (id > 0)
		return id;
	r = api_f("POST", path_of("/dns-services/%lld/domains/", server_id()),
	    admin_token(), "{\"name\": \"%s\"}", zone);
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	id = jint(r->json, "id");
	resp_free(r);
	return id;
}

static const char *
recs(long long did)
{
	return fmt("/dns-services/%lld/domains/%lld/records/", server_id(),
	    did);
}

/* ---- servers and domains --------------------------------------------- */

START_TEST(server_checks_the_key)
{
	char		*before;

	ck_assert_int_gt(server_id(), 0);
	before = db_fingerprint(TABLES);
	/* A key the server does not have: 502, nothing saved. */
	expect_error(create_server(uniq("bind"), NULL,
	    "c2VjcmV0LXRoYXQtbmFtZWQtZG9lcy1ub3Qta25vdw=="), 502, 30001,
	    NULL);
	unchanged(before);
}
END_TEST

/* A server that takes the connection and never answers: 504 within the
 * configured bound (dns_timeout), nothing saved. */
START_TEST(stalled_server_is_504)
{
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	char			*before, addr[64];
	int			 fd;

	ck_assert_int_ge(fd = socket(AF_INET, SOCK_STREAM, 0), 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&sin, &sl), 0);
	ck_assert_int_eq(listen(fd, 8), 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", ntohs(sin.sin_port));
	(void)admin_token();	/* made (and audited) before the fingerprint */
	before = db_fingerprint(TABLES);
	expect_error(create_server(uniq("bind"), addr, NULL), 504, 30002,
	    NULL);
	unchanged(before);
	close(fd);
}
END_TEST

START_TEST(domain_must_be_served_and_writable)
{
	char	*before;

	ck_assert_int_gt(domain_id("example.test"), 0);
	before = db_fingerprint(TABLES);
	expect_error(api("POST", path_of("/dns-services/%lld/domains/",
	    server_id()), admin_token(), "{\"name\": \"nothere.test\"}"), 502,
	    30001, NULL);
	expect_error(api("POST", path_of("/dns-services/%lld/domains/",
	    server_id()), admin_token(), "{\"name\": \"static.test\"}"), 502,
	    30001, NULL);
	unchanged(before);
}
END_TEST

/* ---- records ----------------------------------------------------------- */

START_TEST(record_lifecycle_on_the_server)
{
	long long	 did = domain_id("example.test"), rid, rid2;
	struct resp	*r;

	r = api("POST", recs(did), admin_token(), "{\"name\": \"www\", "
	    "\"type\": \"A\", \"value\": \"192.0.2.1\", \"ttl\": 120}");
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	rid = jint(r->json, "id");
	ck_assert_str_eq(jstr(r->json, "name"), "www.example.test");
	resp_free(r);
	ck_assert_str_eq(dig("www.example.test", "A"), "192.0.2.1");
	rid2 = api_create(recs(did), "{\"name\": \"www.example.test.\", "
	    "\"type\": \"A\", \"value\": \"192.0.2.2\"}");
	ck_assert_str_eq(dig("www.example.test", "A"), "192.0.2.1|192.0.2.2");

	/* Disabled: gone from the zone, kept in Hangar; enabled: back. */
	expect_status(api_f("POST", fmt("%sactions/disable/", recs(did)),
	    admin_token(), "[{\"id\": %lld}]", rid), 200);
	ck_assert_str_eq(dig("www.example.test", "A"), "192.0.2.2");
	ck_assert_int_eq(db_int(fmt("SELECT disabled FROM dns_records WHERE "
	    "id = %lld", rid)), 1);
	expect_status(api_f("POST", fmt("%sactions/disable/", recs(did)),
	    admin_token(), "[{\"id\": %lld}]", rid2), 200);
	ck_assert_str_eq(dig("www.example.test", "A"), "");
	expect_status(api_f("POST", fmt("%sactions/enable/", recs(did)),
	    admin_token(), "[{\"id\": %lld}, {\"id\": %lld}]", rid, rid2),
	    200);
	ck_assert_str_eq(dig("www.example.test", "A"), "192.0.2.1|192.0.2.2");

	/* Changed, then deleted. */
	expect_status(api("PATCH", fmt("%s%lld/", recs(did), rid),
	    admin_token(), "{\"value\": \"192.0.2.9\"}"), 200);
	ck_assert_str_eq(dig("www.example.test", "A"), "192.0.2.2|192.0.2.9");
	expect_status(api("DELETE", fmt("%s%lld/", recs(did), rid),
	    admin_token(), NULL), 200);
	expect_status(api("DELETE", fmt("%s%lld/", recs(did), rid2),
	    admin_token(), NULL), 200);
	ck_assert_str_eq(dig("www.example.test", "A"), "");
}
END_TEST

START_TEST(record_types_on_the_server)
{
	long long	did = domain_id("example.test");

	(void)api_create(recs(did), "{\"name\": \"txt\", \"type\": \"TXT\", "
	    "\"value\": \"say \\\"hi\\\"\"}");
	ck_assert_str_eq(dig("txt.example.test", "TXT"),
	    "\"say \\\"hi\\\"\"");
	(void)api_create(recs(did), "{\"name\": \"v6\", \"type\": \"AAAA\", "
	    "\"value\": \"2001:db8::7\"}");
	ck_assert_str_eq(dig("v6.example.test", "AAAA"), "2001:db8::7");
	(void)api_create(recs(did), "{\"name\": \"mx-host\", \"type\": "
	    "\"A\", \"value\": \"192.0.2.25\"}");
	(void)api_create(recs(did), "{\"name\": \"@\", \"type\": \"MX\", "
	    "\"value\": \"10 mx-host.example.test\"}");
	ck_assert_str_eq(dig("example.test", "MX"), "10 mx-host.example.test.");
	(void)api_create(recs(did), "{\"name\": \"alias\", \"type\": "
	    "\"CNAME\", \"value\": \"www.example.net\"}");
	ck_assert_str_eq(dig("alias.example.test", "CNAME"),
	    "www.example.net.");
}
END_TEST

/* The server down or refusing: 502, Hangar unchanged, nothing served. */
START_TEST(refusals_change_nothing)
{
	long long	 did = domain_id("example.test");
	char		*before;

	before = db_fingerprint(TABLES);
	ck_assert_int_eq(stack_cmd("stop-bind"), 0);
	expect_error(api("POST", recs(did), admin_token(), "{\"name\": "
	    "\"down\", \"type\": \"A\", \"value\": \"192.0.2.1\"}"), 502,
	    30001, NULL);
	unchanged(before);
	ck_assert_int_eq(stack_cmd("start-bind"), 0);
	ck_assert_str_eq(dig("down.example.test", "A"), "");

	/* BIND refuses an MX whose target in the zone has no address. */
	before = db_fingerprint(TABLES);
	expect_error(api("POST", recs(did), admin_token(), "{\"name\": "
	    "\"nomail\", \"type\": \"MX\", \"value\": "
	    "\"10 nowhere.example.test\"}"), 502, 30001, NULL);
	unchanged(before);
	ck_assert_str_eq(dig("nomail.example.test", "MX"), "");
}
END_TEST

/* Deleting the domain takes Hangar's records off the server; the zone
 * (named.conf's) stays. */
START_TEST(domain_delete_forgets)
{
	long long	did = domain_id("second.test");

	(void)api_create(recs(did), "{\"name\": \"gone\", \"type\": \"A\", "
	    "\"value\": \"192.0.2.44\"}");
	ck_assert_str_eq(dig("gone.second.test", "A"), "192.0.2.44");
	expect_status(api("DELETE", fmt("/dns-services/%lld/domains/%lld/",
	    server_id(), did), admin_token(), NULL), 200);
	ck_assert_str_eq(dig("gone.second.test", "A"), "");
	ck_assert_str_eq(dig("second.test", "NS"), "ns1.second.test.");
}
END_TEST

/* Records made on BIND behind Hangar's back (nsupdate with the key) are
 * taken over by import (AXFR); a zone file lands on BIND; drift is then
 * empty.  A second server row manages the zone, so the other tests'
 * records stay theirs. */
START_TEST(import_from_bind)
{
	const char	*addr = getenv("HANGAR_BIND_ADDR");
	const char	*colon = strrchr(addr, ':');
	long long	 sid2, did;
	struct resp	*r;
	char		 cmd[1024];
	int		 i, srv = -1;

	snprintf(cmd, sizeof(cmd), "printf 'server %.*s %s\\nzone "
	    "example.test\\nupdate add byhand.example.test 300 A 192.0.2.77\\n"
	    "update add byhand.example.test 300 TXT \"made by hand\"\\n"
	    "update add _sip._tcp.example.test 300 SRV 1 1 5060 "
	    "byhand.example.test.\\nsend\\n' | nsupdate -y "
	    "hmac-sha256:%s:%s >/dev/null 2>&1", (int)(colon - addr), addr,
	    colon + 1, getenv("HANGAR_BIND_KEY_NAME"),
	    getenv("HANGAR_BIND_SECRET"));
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_str_eq(dig("byhand.example.test", "A"), "192.0.2.77");
	r = create_server(uniq("bindimp"), NULL, NULL);
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	sid2 = jint(r->json, "id");
	resp_free(r);
	did = api_create(path_of("/dns-services/%lld/domains/", sid2),
	    "{\"name\": \"example.test\"}");
	r = api("POST", fmt("/dns-services/%lld/domains/%lld/actions/import/",
	    sid2, did), admin_token(), "{}");
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_int_ge(jint(r->json, "imported"), 2);
	/* the apex NS is the server's, SRV is not Hangar's */
	for (i = 0; i < jint(r->json, "skipped_count"); i++)
		if (strcmp(jstr(r->json, fmt("skipped.%d.type", i)), "SRV") ==
		    0)
			srv = i;
	ck_assert_msg(srv >= 0, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, fmt("skipped.%d.name", srv)),
	    "_sip._tcp.example.test");
	resp_free(r);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM dns_records WHERE "
	    "domain_id = %lld AND name = 'byhand.example.test' AND ttl = 300 "
	    "AND ((type = 'A' AND value = '192.0.2.77') OR (type = 'TXT' AND "
	    "value = 'made by hand'))", did)), 2);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM dns_records WHERE "
	    "domain_id = %lld AND type = 'NS' AND name = 'example.test'", did)),
	    0);
	r = api("GET", fmt("/dns-services/%lld/domains/%lld/drift/", sid2, did),
	    admin_token(), NULL);
	ck_assert_msg(r->status == 200 && json_object_get_boolean(jpath(
	    r->json, "in_sync")), "%ld %s", r->status, r->body);
	resp_free(r);
	/* again: nothing new */
	r = api("POST", fmt("/dns-services/%lld/domains/%lld/actions/import/",
	    sid2, did), admin_token(), "{}");
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "imported"), 0);
	resp_free(r);
	/* a zone file: on BIND, and in sync */
	r = api("POST", fmt("/dns-services/%lld/domains/%lld/actions/import/",
	    sid2, did), admin_token(), "{\"zone_file\": \"zf 60 IN A "
	    "192.0.2.78\\nzf 60 IN A 192.0.2.79\\n\"}");
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_int_eq(jint(r->json, "imported"), 2);
	resp_free(r);
	ck_assert_str_eq(dig("zf.example.test", "A"), "192.0.2.78|192.0.2.79");
	r = api("GET", fmt("/dns-services/%lld/domains/%lld/drift/", sid2, did),
	    admin_token(), NULL);
	ck_assert_msg(r->status == 200 && json_object_get_boolean(jpath(
	    r->json, "in_sync")), "%ld %s", r->status, r->body);
	resp_free(r);
}
END_TEST

static TCase *
tc_dns_bind(void)
{
	TCase *tc = tcase_create("dns_bind");

	tcase_add_test(tc, server_checks_the_key);
	tcase_add_test(tc, stalled_server_is_504);
	tcase_add_test(tc, domain_must_be_served_and_writable);
	tcase_add_test(tc, record_lifecycle_on_the_server);
	tcase_add_test(tc, record_types_on_the_server);
	tcase_add_test(tc, refusals_change_nothing);
	tcase_add_test(tc, domain_delete_forgets);
	tcase_add_test(tc, import_from_bind);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_dns_bind };

	if (getenv("HANGAR_BIND_ADDR") == NULL ||
	    getenv("HANGAR_BIND_SECRET") == NULL ||
	    *getenv("HANGAR_BIND_SECRET") == '\0') {
		fprintf(stderr, "test_dns_bind: no test BIND (run-tests.sh "
		    "starts one)\n");
		return 1;
	}
	return run_suite("dns_bind", cases, 1) ? 1 : 0;
}
