/*
 * test_dns.c -- DNS management against a real PowerDNS (t/pdns.sh, started
 * by t/run-tests.sh: API at HANGAR_PDNS_URL with HANGAR_PDNS_KEY, DNS on
 * 127.0.0.1:HANGAR_PDNS_DNS_PORT).
 *
 * Every success is checked on the server itself: dig asks it (a created
 * record resolves, a disabled one stops, an enabled one is back, a deleted
 * one is gone) and its API shows zones come and go.  A server that is
 * down, refuses our key or stalls (a tiny proxy in this file that accepts
 * and never answers) leaves Hangar's tables as they were, with 502 / 504.
 * Permissions, bad input, the audit listing.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dnslib.h"

#define TABLES	"dns_servers,dns_domains,dns_records,audit_log"
#define SQLI	"'; DROP TABLE users; --"
#define NONASCII "\xe5\xbc\xa0\xe4\xb8\x89"	/* 张三 */
#define unchanged(before)	db_unchanged((before), TABLES)

/* dig +short of name/type at the test PowerDNS: "" when nothing. */
static char *
dig(const char *name, const char *type)
{
	return run(fmt("dig +short +norec +time=2 +tries=2 @127.0.0.1 -p %s "
	    "'%s' %s 2>&1 | sort", getenv("HANGAR_PDNS_DNS_PORT"), name, type));
}

/* HTTP status of GET path on the PowerDNS API. */
static int
pdns_status(const char *path)
{
	return atoi(run(fmt("curl -s -o /dev/null -w '%%{http_code}' -H "
	    "'X-API-Key: %s' '%s/api/v1/servers/localhost%s'", pdns_key(),
	    pdns_url(), path)));
}

/* ---- servers that misbehave ----------------------------------------- */

/* A port nothing listens on. */
static int
closed_port(void)
{
	struct sockaddr_in	sa;
	socklen_t		len = sizeof(sa);
	int			s = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(s, (struct sockaddr *)&sa, &len);
	port = ntohs(sa.sin_port);
	close(s);
	return port;
}

/* A server that accepts, reads, and never answers. */
static void *
staller(void *arg)
{
	int	ls = *(int *)arg, c;
	char	buf[4096];

	for (;;) {
		if ((c = accept(ls, NULL, NULL)) < 0)
			continue;
		while (read(c, buf, sizeof(buf)) > 0)
			;	/* hold it open until the client gives up */
		close(c);
	}
	return NULL;
}

static int
stall_port(void)
{
	static int		ls = -1, port;
	struct sockaddr_in	sa;
	socklen_t		len = sizeof(sa);
	pthread_t		t;

	if (ls >= 0)
		return port;
	ls = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(ls, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(ls, 16), 0);
	getsockname(ls, (struct sockaddr *)&sa, &len);
	port = ntohs(sa.sin_port);
	pthread_create(&t, NULL, staller, &ls);
	pthread_detach(t);
	return port;
}

/* ---- fixtures -------------------------------------------------------- */

static long long
new_server(void)
{
	return api_create("/dns-services/", "{\"name\": \"%s\", \"type\": "
	    "\"powerdns\", \"api_endpoint\": \"%s\", \"api_key\": \"%s\", "
	    "\"description\": \"test\"}", uniq("pdns"), pdns_url(),
	    pdns_key());
}

static const char *
new_zone_name(void)
{
	char *z;

	/* kept for the whole test: fmt's buffers rotate */
	ck_assert_int_ge(asprintf(&z, "%s.example", uniq("z")), 0);
	return z;
}

static long long
new_domain(long long sid, const char *zone)
{
	return api_create(path_of("/dns-services/%lld/domains/", sid),
	    "{\"name\": \"%s\"}", zone);
}

static const char *
recs_path(long long sid, long long did)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "/dns-services/%lld/domains/%lld/"
	    "records/", sid, did), 0);
	return p;
}

static long long
new_record(long long sid, long long did, const char *name, const char *type,
    const char *value)
{
	return api_create(recs_path(sid, did), "{\"name\": \"%s\", \"type\": "
	    "\"%s\", \"value\": \"%s\"}", name, type, value);
}

/* Point server sid somewhere else, behind Hangar's back. */
static void
break_server(long long sid, const char *endpoint, const char *key)
{
	char *sealed = stack_seal(key);

	db_exec(fmt("UPDATE dns_servers SET api_endpoint = '%s', api_key = "
	    "'%s' WHERE id = %lld", sqlq(endpoint), sealed, sid));
	free(sealed);
}

static void
module_grant(long long uid, const char *perms)
{
	struct resp *r;

	r = api_f("POST", path_of("/users/%lld/system/perms/", uid),
	    admin_token(), "{\"module_name\": \"dns\", \"permissions\": {%s}}",
	    perms);
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	resp_free(r);
}

/* ---- servers --------------------------------------------------------- */

START_TEST(server_crud)
{
	const char	*name = uniq("srv");
	struct resp	*r;
	long long	 id;
	char		*sealed;

	r = api_f("POST", "/dns-services/", admin_token(), "{\"name\": \"%s\", "
	    "\"type\": \"powerdns\", \"api_endpoint\": \"%s/\", \"api_key\": "
	    "\"%s\", \"description\": \"d1\"}", name, pdns_url(), pdns_key());
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	id = jint(r->json, "id");
	ck_assert_str_eq(jstr(r->json, "name"), name);
	ck_assert_str_eq(jstr(r->json, "type"), "powerdns");
	ck_assert_str_eq(jstr(r->json, "api_key"), "******");
	ck_assert_str_eq(jstr(r->json, "description"), "d1");
	ck_assert_str_eq(jstr(r->json, "creator"), "admin");
	ck_assert(jnull(r->json, "tsig_secret"));
	expect_recent(r->json, "created_time");
	ck_assert_ptr_null(strstr(r->body, pdns_key()));
	resp_free(r);
	/* sealed at rest */
	sealed = db_str(fmt("SELECT api_key FROM dns_servers WHERE id = %lld",
	    id));
	ck_assert_ptr_null(strstr(sealed, pdns_key()));
	free(sealed);
	/* the creation audited in words: each field from null, the key only
	 * said to be set */
	r = api("GET", fmt("/audit/dns-operations/?op_target=server&op_type="
	    "add&op_detail=%s", name), admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "results.0.op_detail"),
	    fmt("added DNS server \"%s\"", name)));
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "results.0.op_detail"),
	    "type: null -> \"powerdns\""));
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "results.0.op_detail"),
	    "description: null -> \"d1\""));
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "results.0.op_detail"),
	    "api_key replaced"));
	ck_assert_ptr_null(strstr(r->body, pdns_key()));
	resp_free(r);
	/* get, list, filters */
	r = api("GET", path_of("/dns-services/%lld/", id), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "api_key"), "******");
	resp_free(r);
	r = api("GET", fmt("/dns-services/?name=%s&type=powerdns", name),
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), id);
	resp_free(r);
	r = api("GET", fmt("/dns-services/?name=%s&type=bind", name),
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	/* patch */
	r = api("PATCH", path_of("/dns-services/%lld/", id), admin_token(),
	    "{\"description\": \"d2\"}");
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	ck_assert_str_eq(jstr(r->json, "description"), "d2");
	resp_free(r);
	/* a wrong key in a PATCH is refused by the server: nothing saved */
	{
		char *before = db_fingerprint(TABLES);

		expect_error(api("PATCH", path_of("/dns-services/%lld/", id),
		    admin_token(), "{\"api_key\": \"wrong-key\"}"), 502, 30001,
		    NULL);
		unchanged(before);
	}
	/* audit, in words, without the key */
	r = api("GET", "/audit/dns-operations/?op_target=server&op_type=update",
	    admin_token(), NULL);
	ck_assert_int_ge(jint(r->json, "count"), 1);
	ck_assert_str_eq(jstr(r->json, "results.0.op_target"), "server");
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "results.0.op_detail"),
	    "description: \"d1\" -> \"d2\""));
	ck_assert_ptr_null(strstr(r->body, pdns_key()));
	resp_free(r);
	/* delete */
	expect_status(api("DELETE", path_of("/dns-services/%lld/", id),
	    admin_token(), NULL), 200);
	expect_error(api("GET", path_of("/dns-services/%lld/", id),
	    admin_token(), NULL), 404, 10008, NULL);
}
END_TEST

START_TEST(server_create_refused)
{
	char	*before;
	int	 port = closed_port();

	(void)admin_token();	/* made once per test process: audited */
	before = db_fingerprint(TABLES);
	/* wrong key: PowerDNS says 401 */
	expect_error(api_f("POST", "/dns-services/", admin_token(),
	    "{\"name\": \"x\", \"type\": \"powerdns\", \"api_endpoint\": "
	    "\"%s\", \"api_key\": \"wrong\"}", pdns_url()), 502, 30001, NULL);
	/* nobody there */
	expect_error(api_f("POST", "/dns-services/", admin_token(),
	    "{\"name\": \"x\", \"type\": \"powerdns\", \"api_endpoint\": "
	    "\"http://127.0.0.1:%d\", \"api_key\": \"k\"}", port), 502, 30001,
	    NULL);
	/* too slow: 504 within the bound (dns_timeout 1500 ms) */
	{
		time_t t0 = time(NULL);

		expect_error(api_f("POST", "/dns-services/", admin_token(),
		    "{\"name\": \"x\", \"type\": \"powerdns\", "
		    "\"api_endpoint\": \"http://127.0.0.1:%d\", \"api_key\": "
		    "\"k\"}", stall_port()), 504, 30002, NULL);
		ck_assert_int_le(time(NULL) - t0, 5);
	}
	/* what each type needs */
	expect_error(api_f("POST", "/dns-services/", admin_token(),
	    "{\"name\": \"x\", \"type\": \"powerdns\", \"api_endpoint\": "
	    "\"%s\"}", pdns_url()), 400, 10002, "api_key");
	expect_error(api("POST", "/dns-services/", admin_token(),
	    "{\"name\": \"x\", \"type\": \"powerdns\", \"api_key\": \"k\"}"),
	    400, 10002, "api_endpoint");
	expect_error(api("POST", "/dns-services/", admin_token(),
	    "{\"name\": \"x\", \"type\": \"bind\", \"tsig_key_name\": \"k\"}"),
	    400, 10002, "dns_address");
	expect_error(api("POST", "/dns-services/", admin_token(),
	    "{\"name\": \"x\", \"type\": \"powerdns\", \"api_endpoint\": "
	    "\"gopher://x\", \"api_key\": \"k\"}"), 400, 10002,
	    "api_endpoint");
	unchanged(before);
}
END_TEST

START_TEST(server_bad_input)
{
	static const struct field_spec f[] = {
		{ "name", 1, "string", 128, NULL },
		{ "type", 0, "string", 0, "nsd" },
		{ "api_endpoint", 0, "string", 1024, NULL },
		{ "api_key", 0, "string", 1024, NULL },
		{ "description", 0, "string", 1024, NULL },
	};

	bad_input_battery("POST", "/dns-services/", admin_token(), fmt(
	    "{\"name\": \"bi\", \"type\": \"powerdns\", \"api_endpoint\": "
	    "\"%s\", \"api_key\": \"%s\"}", pdns_url(), pdns_key()), f,
	    sizeof(f) / sizeof(f[0]), TABLES);
}
END_TEST

START_TEST(server_with_domains_409)
{
	long long	 sid = new_server();
	char		*before;

	new_domain(sid, new_zone_name());
	before = db_fingerprint(TABLES);
	expect_error(api("DELETE", path_of("/dns-services/%lld/", sid),
	    admin_token(), NULL), 409, 10010, NULL);
	expect_error(api("PATCH", path_of("/dns-services/%lld/", sid),
	    admin_token(), "{\"type\": \"bind\"}"), 409, 10010, NULL);
	unchanged(before);
}
END_TEST

/* ---- domains and records on the real server -------------------------- */

START_TEST(domain_lifecycle)
{
	long long	 sid = new_server(), did;
	const char	*zone = new_zone_name(), *zone2;
	struct resp	*r;
	char		*before;

	did = new_domain(sid, fmt("%s.", zone));	/* trailing dot taken */
	ck_assert_int_eq(pdns_status(fmt("/zones/%s.", zone)), 200);
	r = api("GET", path_of("/dns-services/%lld/domains/", sid),
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_str_eq(jstr(r->json, "results.0.name"), zone);
	ck_assert(json_object_get_boolean(jpath(r->json,
	    "results.0.available_actions.edit")));
	resp_free(r);
	/* duplicate */
	before = db_fingerprint(TABLES);
	expect_error(api_f("POST", path_of("/dns-services/%lld/domains/", sid),
	    admin_token(), "{\"name\": \"%s\"}", zone), 409, 10010, NULL);
	unchanged(before);
	/* rename an empty domain: the zone moves */
	zone2 = strdup(fmt("%s.example", uniq("renamed")));
	r = api_f("PATCH", fmt("/dns-services/%lld/domains/%lld/", sid, did),
	    admin_token(), "{\"name\": \"%s\"}", zone2);
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "name"), zone2);
	resp_free(r);
	ck_assert_int_eq(pdns_status(fmt("/zones/%s.", zone2)), 200);
	ck_assert_int_eq(pdns_status(fmt("/zones/%s.", zone)), 404);
	/* with a record it cannot be renamed */
	new_record(sid, did, "www", "A", "192.0.2.1");
	before = db_fingerprint(TABLES);
	expect_error(api("PATCH", fmt("/dns-services/%lld/domains/%lld/", sid,
	    did), admin_token(), "{\"name\": \"other.example\"}"), 409, 10010,
	    NULL);
	unchanged(before);
	/* delete: the zone is gone from the server, the records from us */
	expect_status(api("DELETE", fmt("/dns-services/%lld/domains/%lld/", sid,
	    did), admin_token(), NULL), 200);
	ck_assert_int_eq(pdns_status(fmt("/zones/%s.", zone2)), 404);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM dns_records WHERE "
	    "domain_id = %lld", did)), 0);
	ck_assert_str_eq(dig(fmt("www.%s", zone2), "A"), "");
	expect_error(api("GET", fmt("/dns-services/%lld/domains/%lld/", sid,
	    did), admin_token(), NULL), 404, 10008, NULL);
}
END_TEST

START_TEST(records_on_the_server)
{
	long long	 sid = new_server(), did, a, a2, mx, txt, cn, ns, aaaa;
	const char	*zone = new_zone_name();
	struct resp	*r;

	did = new_domain(sid, zone);
	/* relative, absolute, absolute with the dot */
	a = new_record(sid, did, "www", "A", "192.0.2.10");
	a2 = new_record(sid, did, fmt("www.%s.", zone), "A", "192.0.2.11");
	aaaa = new_record(sid, did, fmt("v6.%s", zone), "AAAA",
	    "2001:DB8:0:0::1");
	mx = new_record(sid, did, "@", "MX", "10 Mail.Example.NET.");
	txt = new_record(sid, did, "t", "TXT", "hello \\\"world\\\" x");
	cn = new_record(sid, did, "alias", "CNAME", fmt("www.%s", zone));
	ns = new_record(sid, did, "sub", "NS", "ns1.example.net");
	ck_assert_str_eq(dig(fmt("www.%s", zone), "A"),
	    "192.0.2.10\n192.0.2.11");
	ck_assert_str_eq(dig(fmt("v6.%s", zone), "AAAA"), "2001:db8::1");
	ck_assert_str_eq(dig(zone, "MX"), "10 mail.example.net.");
	ck_assert_str_eq(dig(fmt("t.%s", zone), "TXT"),
	    "\"hello \\\"world\\\" x\"");
	ck_assert_ptr_nonnull(strstr(dig(fmt("alias.%s", zone), "CNAME"),
	    fmt("www.%s.", zone)));
	ck_assert_int_gt((long long)strlen(run(fmt("dig +norec @127.0.0.1 -p %s "
	    "sub.%s NS | grep -c ns1.example.net", getenv("HANGAR_PDNS_DNS_PORT"),
	    zone))), 0);
	(void)ns;
	/* names come back absolute without the dot, values canonical */
	r = api("GET", fmt("%s?type=A", recs_path(sid, did)), admin_token(),
	    NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_str_eq(jstr(r->json, "results.0.name"), fmt("www.%s", zone));
	ck_assert_int_eq(jint(r->json, "results.0.ttl"), 3600);
	ck_assert(!json_object_get_boolean(jpath(r->json,
	    "results.0.disabled")));
	resp_free(r);
	r = api("GET", fmt("%s?value=mail.example", recs_path(sid, did)),
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_str_eq(jstr(r->json, "results.0.value"),
	    "10 mail.example.net");
	resp_free(r);
	r = api("GET", fmt("%s?name=v6", recs_path(sid, did)), admin_token(),
	    NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_str_eq(jstr(r->json, "results.0.value"), "2001:db8::1");
	resp_free(r);
	/* PATCH: new value and ttl, on the server at once */
	r = api("PATCH", fmt("%s%lld/", recs_path(sid, did), a2),
	    admin_token(), "{\"value\": \"192.0.2.12\", \"ttl\": 60}");
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	ck_assert_str_eq(jstr(r->json, "value"), "192.0.2.12");
	resp_free(r);
	ck_assert_str_eq(dig(fmt("www.%s", zone), "A"),
	    "192.0.2.10\n192.0.2.12");
	ck_assert_ptr_nonnull(strstr(run(fmt("dig +norec @127.0.0.1 -p %s "
	    "www.%s A | grep -v '^;'", getenv("HANGAR_PDNS_DNS_PORT"), zone)),
	    "60"));
	/* PATCH the name: it moves from one RRset to another */
	r = api("PATCH", fmt("%s%lld/", recs_path(sid, did), a2),
	    admin_token(), "{\"name\": \"web\"}");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	ck_assert_str_eq(dig(fmt("www.%s", zone), "A"), "192.0.2.10");
	ck_assert_str_eq(dig(fmt("web.%s", zone), "A"), "192.0.2.12");
	/* disable: not served, still listed; enable: back */
	expect_status(api_f("POST", fmt("%sactions/disable/", recs_path(sid,
	    did)), admin_token(), "[{\"id\": %lld}, {\"id\": %lld}]", a, txt),
	    200);
	ck_assert_str_eq(dig(fmt("www.%s", zone), "A"), "");
	ck_assert_str_eq(dig(fmt("t.%s", zone), "TXT"), "");
	ck_assert_int_eq(db_int(fmt("SELECT disabled FROM dns_records WHERE "
	    "id = %lld", a)), 1);
	r = api("GET", fmt("%s?disabled=true", recs_path(sid, did)),
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	resp_free(r);
	expect_status(api_f("POST", fmt("%sactions/enable/", recs_path(sid,
	    did)), admin_token(), "[{\"id\": %lld}]", a), 200);
	ck_assert_str_eq(dig(fmt("www.%s", zone), "A"), "192.0.2.10");
	ck_assert_str_eq(dig(fmt("t.%s", zone), "TXT"), "");
	/* delete: gone */
	expect_status(api("DELETE", fmt("%s%lld/", recs_path(sid, did), cn),
	    admin_token(), NULL), 200);
	ck_assert_str_eq(dig(fmt("alias.%s", zone), "CNAME"), "");
	expect_status(api("DELETE", fmt("%s%lld/", recs_path(sid, did), mx),
	    admin_token(), NULL), 200);
	ck_assert_str_eq(dig(zone, "MX"), "");
	(void)aaaa;
	/* the audit trail says it in words */
	r = api("GET", "/audit/dns-operations/?op_target=record&op_type=disable",
	    admin_token(), NULL);
	ck_assert_int_ge(jint(r->json, "count"), 2);
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "results.0.op_detail"),
	    "disabled: false -> true"));
	resp_free(r);
	r = api("GET", fmt("/audit/dns-operations/?op_detail=%s&op_type=update",
	    zone), admin_token(), NULL);
	ck_assert_int_ge(jint(r->json, "count"), 2);
	ck_assert_ptr_nonnull(strstr(r->body, "value: \\\"192.0.2.11\\\" -> "
	    "\\\"192.0.2.12\\\""));
	resp_free(r);
	/* a create answers the stored row, as the list shows it */
	r = api_f("POST", recs_path(sid, did), admin_token(), "{\"name\": "
	    "\"echo\", \"type\": \"A\", \"value\": \"192.0.2.99\", "
	    "\"ttl\": 600}");
	ck_assert_int_eq(r->status, 201);
	{
		char *made = strdup(json_object_to_json_string(r->json));

		resp_free(r);
		r = api("GET", fmt("%s?name=echo", recs_path(sid, did)),
		    admin_token(), NULL);
		ck_assert_int_eq(jint(r->json, "count"), 1);
		ck_assert_str_eq(json_object_to_json_string(jpath(r->json,
		    "results.0")), made);
		ck_assert_int_eq(jint(r->json, "results.0.ttl"), 600);
		free(made);
	}
	resp_free(r);
}
END_TEST

/*
 * A new record joins its RRset as the RRset stands: the others of its name
 * and type stay, a disabled one stays disabled (kept on the server, not
 * served), and a TTL given with it becomes the whole RRset's.
 */
START_TEST(create_joins_the_rrset)
{
	long long	 sid = new_server(), did, one;
	const char	*zone = new_zone_name();
	struct resp	*r;

	did = new_domain(sid, zone);
	one = new_record(sid, did, "www", "A", "192.0.2.1");
	new_record(sid, did, "www", "A", "192.0.2.2");
	new_record(sid, did, "www", "TXT", "beside");
	ck_assert_str_eq(dig(fmt("www.%s", zone), "A"),
	    "192.0.2.1\n192.0.2.2");
	expect_status(api_f("POST", fmt("%sactions/disable/", recs_path(sid,
	    did)), admin_token(), "[{\"id\": %lld}]", one), 200);
	expect_status(api_f("POST", recs_path(sid, did), admin_token(),
	    "{\"name\": \"www\", \"type\": \"A\", \"value\": "
	    "\"192.0.2.3\", \"ttl\": 900}"), 201);
	ck_assert_str_eq(dig(fmt("www.%s", zone), "A"),
	    "192.0.2.2\n192.0.2.3");
	ck_assert_str_eq(run(fmt("dig +noall +answer +norec @127.0.0.1 -p %s "
	    "'www.%s' A | awk '{ print $2 }' | sort -u",
	    getenv("HANGAR_PDNS_DNS_PORT"), zone)), "900");
	ck_assert_str_eq(dig(fmt("www.%s", zone), "TXT"), "\"beside\"");
	/* the disabled record is on the server still, disabled */
	ck_assert_str_eq(run(fmt("curl -s -H 'X-API-Key: %s' "
	    "'%s/api/v1/servers/localhost/zones/%s.' | python3 -c 'import "
	    "json, sys\nfor s in json.load(sys.stdin)[\"rrsets\"]:\n if "
	    "s[\"name\"].startswith(\"www.\") and s[\"type\"] == \"A\":\n"
	    "  print(s[\"ttl\"], [(x[\"content\"], x[\"disabled\"]) for x "
	    "in s[\"records\"]])'", pdns_key(), pdns_url(), zone)),
	    "900 [('192.0.2.1', True), ('192.0.2.2', False), ('192.0.2.3', "
	    "False)]");
	r = api("GET", fmt("%s?type=A", recs_path(sid, did)), admin_token(),
	    NULL);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert_int_eq(jint(r->json, "results.0.ttl"), 900);
	ck_assert_int_eq(jint(r->json, "results.2.ttl"), 900);
	resp_free(r);
}
END_TEST

START_TEST(record_rules)
{
	long long	 sid = new_server(), did;
	const char	*zone = new_zone_name(), *p;
	char		*before;

	did = new_domain(sid, zone);
	p = recs_path(sid, did);
	new_record(sid, did, "www", "A", "192.0.2.1");
	new_record(sid, did, "c", "CNAME", "target.example.net");
	before = db_fingerprint(TABLES);
	/* values per type */
	expect_error(api("POST", p, admin_token(),
	    "{\"name\": \"x\", \"type\": \"A\", \"value\": \"999.1.1.1\"}"),
	    400, 10002, "value");
	expect_error(api("POST", p, admin_token(), "{\"name\": \"x\", "
	    "\"type\": \"A\", \"value\": \"2001:db8::1\"}"), 400, 10002,
	    "value");
	expect_error(api("POST", p, admin_token(), "{\"name\": \"x\", "
	    "\"type\": \"AAAA\", \"value\": \"192.0.2.1\"}"), 400, 10002,
	    "value");
	expect_error(api("POST", p, admin_token(), "{\"name\": \"x\", "
	    "\"type\": \"MX\", \"value\": \"mail.example.net\"}"), 400, 10002,
	    "value");
	expect_error(api("POST", p, admin_token(), "{\"name\": \"x\", "
	    "\"type\": \"MX\", \"value\": \"70000 mail.example.net\"}"), 400,
	    10002, "value");
	expect_error(api("POST", p, admin_token(), "{\"name\": \"x\", "
	    "\"type\": \"CNAME\", \"value\": \"bad host!\"}"), 400, 10002,
	    "value");
	expect_error(api("POST", p, admin_token(), "{\"name\": \"x\", "
	    "\"type\": \"TXT\", \"value\": \"" NONASCII "\"}"), 400, 10002,
	    "value");
	expect_error(api("POST", p, admin_token(), "{\"name\": \"x\", "
	    "\"type\": \"A\", \"value\": \"" SQLI "\"}"), 400, 10002, "value");
	expect_error(api("POST", p, admin_token(), "{\"name\": \"x\", "
	    "\"type\": \"SRV\", \"value\": \"1\"}"), 400, 10002, "type");
	/* names */
	expect_error(api("POST", p, admin_token(), "{\"name\": \"" NONASCII
	    "\", \"type\": \"A\", \"value\": \"192.0.2.1\"}"), 400, 10002,
	    "name");
	expect_error(api("POST", p, admin_token(), "{\"name\": \"" SQLI
	    "\", \"type\": \"A\", \"value\": \"192.0.2.1\"}"), 400, 10002,
	    "name");
	expect_error(api("POST", p, admin_token(), "{\"name\": "
	    "\"www.elsewhere.org.\", \"type\": \"A\", \"value\": "
	    "\"192.0.2.1\"}"), 400, 10002, "name");
	expect_error(api("POST", p, admin_token(), "{\"name\": \"a..b\", "
	    "\"type\": \"A\", \"value\": \"192.0.2.1\"}"), 400, 10002, "name");
	/* CNAME beside other records, at the apex */
	expect_error(api("POST", p, admin_token(), "{\"name\": \"www\", "
	    "\"type\": \"CNAME\", \"value\": \"x.example.net\"}"), 400, 10002,
	    "type");
	expect_error(api("POST", p, admin_token(), "{\"name\": \"c\", "
	    "\"type\": \"TXT\", \"value\": \"x\"}"), 400, 10002, "type");
	expect_error(api("POST", p, admin_token(), "{\"name\": \"c\", "
	    "\"type\": \"CNAME\", \"value\": \"y.example.net\"}"), 400, 10002,
	    "type");
	expect_error(api("POST", p, admin_token(), "{\"name\": \"@\", "
	    "\"type\": \"CNAME\", \"value\": \"y.example.net\"}"), 400, 10002,
	    "type");
	/* the same record twice */
	expect_error(api("POST", p, admin_token(), "{\"name\": \"www\", "
	    "\"type\": \"a\", \"value\": \"192.0.2.1\"}"), 409, 10010, NULL);
	/* unknown ids */
	expect_error(api("POST", fmt("/dns-services/%lld/domains/%lld/records/",
	    sid + 100000, did), admin_token(), "{\"name\": \"x\", \"type\": "
	    "\"A\", \"value\": \"192.0.2.1\"}"), 404, 10008, NULL);
	expect_error(api("POST", fmt("/dns-services/%lld/domains/%lld/records/",
	    sid, did + 100000), admin_token(), "{\"name\": \"x\", \"type\": "
	    "\"A\", \"value\": \"192.0.2.1\"}"), 404, 10008, NULL);
	expect_error(api("PATCH", fmt("%s%lld/", p, 999999999LL),
	    admin_token(), "{\"value\": \"192.0.2.3\"}"), 404, 10008, NULL);
	expect_error(api("DELETE", fmt("%s%lld/", p, 999999999LL),
	    admin_token(), NULL), 404, 10008, NULL);
	expect_error(api("POST", fmt("%sactions/disable/", p), admin_token(),
	    "[{\"id\": 999999999}]"), 400, 10002, NULL);
	expect_error(api("POST", fmt("%sactions/disable/", p), admin_token(),
	    "{\"id\": 1}"), 400, 10002, NULL);
	unchanged(before);
	ck_assert_str_eq(dig(fmt("www.%s", zone), "A"), "192.0.2.1");
}
END_TEST

START_TEST(record_bad_input)
{
	static const struct field_spec f[] = {
		{ "name", 1, "string", 254, NULL },
		{ "type", 1, "string", 0, "SOA" },
		{ "value", 1, "string", 4000, NULL },
		{ "ttl", 0, "int", 0, NULL },
	};
	long long sid = new_server(), did = new_domain(sid, new_zone_name());

	bad_input_battery("POST", recs_path(sid, did), admin_token(),
	    "{\"name\": \"bi\", \"type\": \"A\", \"value\": \"192.0.2.1\"}", f,
	    sizeof(f) / sizeof(f[0]), TABLES);
}
END_TEST

/* The server goes away, refuses our key, or stalls: Hangar unchanged. */
START_TEST(server_failures_leave_hangar_unchanged)
{
	long long	 sid = new_server(), did, rid;
	const char	*zone = new_zone_name(), *p;
	char		*before;
	time_t		 t0;

	did = new_domain(sid, zone);
	p = recs_path(sid, did);
	rid = new_record(sid, did, "www", "A", "192.0.2.1");
	ck_assert_str_eq(dig(fmt("www.%s", zone), "A"), "192.0.2.1");
	/* wrong key */
	break_server(sid, pdns_url(), "not-the-key");
	before = db_fingerprint(TABLES);
	expect_error(api("POST", p, admin_token(), "{\"name\": \"n\", "
	    "\"type\": \"A\", \"value\": \"192.0.2.2\"}"), 502, 30001, NULL);
	expect_error(api("PATCH", fmt("%s%lld/", p, rid), admin_token(),
	    "{\"value\": \"192.0.2.3\"}"), 502, 30001, NULL);
	expect_error(api("DELETE", fmt("%s%lld/", p, rid), admin_token(),
	    NULL), 502, 30001, NULL);
	expect_error(api_f("POST", fmt("%sactions/disable/", p),
	    admin_token(), "[{\"id\": %lld}]", rid), 502, 30001, NULL);
	expect_error(api("DELETE", fmt("/dns-services/%lld/domains/%lld/", sid,
	    did), admin_token(), NULL), 502, 30001, NULL);
	expect_error(api_f("POST", path_of("/dns-services/%lld/domains/", sid),
	    admin_token(), "{\"name\": \"%s\"}", new_zone_name()), 502, 30001,
	    NULL);
	unchanged(before);
	ck_assert_str_eq(dig(fmt("www.%s", zone), "A"), "192.0.2.1");
	/* down */
	break_server(sid, fmt("http://127.0.0.1:%d", closed_port()),
	    pdns_key());
	before = db_fingerprint(TABLES);
	expect_error(api("POST", p, admin_token(), "{\"name\": \"n\", "
	    "\"type\": \"A\", \"value\": \"192.0.2.2\"}"), 502, 30001, NULL);
	expect_error(api("DELETE", fmt("%s%lld/", p, rid), admin_token(),
	    NULL), 502, 30001, NULL);
	unchanged(before);
	/* too slow: 504 within the bound */
	break_server(sid, fmt("http://127.0.0.1:%d", stall_port()),
	    pdns_key());
	before = db_fingerprint(TABLES);
	t0 = time(NULL);
	expect_error(api("POST", p, admin_token(), "{\"name\": \"n\", "
	    "\"type\": \"A\", \"value\": \"192.0.2.2\"}"), 504, 30002, NULL);
	expect_error(api("PATCH", fmt("%s%lld/", p, rid), admin_token(),
	    "{\"value\": \"192.0.2.3\"}"), 504, 30002, NULL);
	ck_assert_int_le(time(NULL) - t0, 8);
	unchanged(before);
	/* the server kept what it had */
	ck_assert_str_eq(dig(fmt("www.%s", zone), "A"), "192.0.2.1");
	ck_assert_str_eq(dig(fmt("n.%s", zone), "A"), "");
	/* back to normal */
	break_server(sid, pdns_url(), pdns_key());
	new_record(sid, did, "n", "A", "192.0.2.2");
	ck_assert_str_eq(dig(fmt("n.%s", zone), "A"), "192.0.2.2");
}
END_TEST

START_TEST(permissions)
{
	long long	 uid, sid = new_server(), did;
	const char	*tok = user_token(uniq("dnsu"), 0, &uid);
	const char	*zone = new_zone_name();
	char		*before;
	struct resp	*r;

	did = new_domain(sid, zone);
	before = db_fingerprint(TABLES);
	expect_error(api("GET", "/dns-services/", NULL, NULL), 401, 10005,
	    NULL);
	expect_error(api("GET", "/dns-services/", tok, NULL), 403, 10007,
	    NULL);
	expect_error(api("POST", recs_path(sid, did), tok, "{\"name\": \"x\", "
	    "\"type\": \"A\", \"value\": \"192.0.2.1\"}"), 403, 10007, NULL);
	/* manage without the switch counts for nothing */
	module_grant(uid, "\"manage_dns_server\": true");
	expect_error(api("GET", "/dns-services/", tok, NULL), 403, 10007,
	    NULL);
	module_grant(uid, "\"manage_dns_server\": false, "
	    "\"enable_dns_mgmt\": true");
	before = db_fingerprint(TABLES);
	expect_status(api("GET", "/dns-services/", tok, NULL), 200);
	r = api("GET", path_of("/dns-services/%lld/domains/", sid), tok, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(!json_object_get_boolean(jpath(r->json,
	    "results.0.available_actions.edit")));
	resp_free(r);
	expect_status(api("GET", recs_path(sid, did), tok, NULL), 200);
	expect_error(api("POST", recs_path(sid, did), tok, "{\"name\": \"x\", "
	    "\"type\": \"A\", \"value\": \"192.0.2.1\"}"), 403, 10007, NULL);
	expect_error(api("DELETE", path_of("/dns-services/%lld/", sid), tok,
	    NULL), 403, 10007, NULL);
	expect_error(api("GET", "/audit/dns-operations/", tok, NULL), 403,
	    10007, NULL);
	unchanged(before);
	module_grant(uid, "\"manage_dns_server\": true");
	r = api("POST", recs_path(sid, did), tok, "{\"name\": \"x\", "
	    "\"type\": \"A\", \"value\": \"192.0.2.1\"}");
	ck_assert_int_eq(r->status, 201);
	ck_assert_str_eq(jstr(r->json, "creator"), jstr(r->json, "creator"));
	resp_free(r);
	ck_assert_str_eq(dig(fmt("x.%s", zone), "A"), "192.0.2.1");
}
END_TEST

START_TEST(audit_filters)
{
	struct resp *r;

	expect_error(api("GET", "/audit/dns-operations/?op_type=explode",
	    admin_token(), NULL), 400, 10002, "op_type");
	expect_error(api("GET", "/audit/dns-operations/?op_target=zone",
	    admin_token(), NULL), 400, 10002, "op_target");
	new_domain(new_server(), new_zone_name());
	r = api("GET", "/audit/dns-operations/?op_target=domain&op_type=add"
	    "&operator=admin&op_time__gt=2000-01-01", admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_ge(jint(r->json, "count"), 1);
	ck_assert_str_eq(jstr(r->json, "results.0.op_target"), "domain");
	ck_assert_str_eq(jstr(r->json, "results.0.operator"), "admin");
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "results.0.op_detail"),
	    "added domain"));
	resp_free(r);
	r = api("GET", "/audit/dns-operations/?op_time__lt=2000-01-01",
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
}
END_TEST


/* ---- approved domain requests land on the server ---------------------- */

/* A domain request in status st with the records given as SQL rows. */
static long long
domain_request(const char *st, const char *records)
{
	long long id = db_insert(fmt("INSERT INTO resource_requests (kind, "
	    "status, purpose) VALUES ('domain', '%s', 'test')", st));

	db_exec(fmt("INSERT INTO domain_requests (request_id, apply_status) "
	    "VALUES (%lld, 'pending')", id));
	db_exec(fmt("INSERT INTO domain_request_records (request_id, name, "
	    "type, value) VALUES %s", fmt(records, id, id)));
	return id;
}

/* Wait (20 s at most) until the request's apply is no longer queued. */
static const char *
apply_settles(long long id)
{
	static char	 st[32];
	char		*s;
	int		 i;

	for (i = 0; i < 200; i++) {
		s = db_str(fmt("SELECT apply_status FROM domain_requests WHERE "
		    "request_id = %lld", id));
		snprintf(st, sizeof(st), "%s", s);
		free(s);
		if (strcmp(st, "applied") == 0 || strcmp(st, "failed") == 0)
			return st;
		usleep(100000);
	}
	return st;
}

START_TEST(apply_domain_request)
{
	long long	 sid = new_server(), req, bad, uid;
	const char	*zone = new_zone_name(), *tok;
	struct resp	*r;
	char		*s;

	new_domain(sid, zone);
	req = domain_request("approved", fmt("(%%lld, 'app.%s', 'A', "
	    "'192.0.2.50'), (%%lld, '%s', 'MX', '10 mx.example.net')", zone,
	    zone));
	r = api("POST", path_of("/resource-request/domains/%lld/actions/apply/",
	    req), admin_token(), NULL);
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	ck_assert_ptr_nonnull(jstr(r->json, "task_id"));
	resp_free(r);
	ck_assert_str_eq(apply_settles(req), "applied");
	s = db_str(fmt("SELECT status FROM resource_requests WHERE id = %lld",
	    req));
	ck_assert_str_eq(s, "finished");
	free(s);
	ck_assert_str_eq(dig(fmt("app.%s", zone), "A"), "192.0.2.50");
	ck_assert_str_eq(dig(zone, "MX"), "10 mx.example.net.");
	/* the records are Hangar's now: listed, linked, audited */
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM "
	    "domain_request_records q JOIN dns_records x ON x.id = q.record_id "
	    "WHERE q.request_id = %lld AND q.apply_status = 'applied'", req)),
	    2);
	/* finished: applying again is 30003 */
	expect_error(api("POST", path_of("/resource-request/domains/%lld/"
	    "actions/apply/", req), admin_token(), NULL), 409, 30003, NULL);
	/* a record outside every managed domain: stays approved, says why */
	bad = domain_request("approved", "(%lld, 'x.unmanaged.invalid', 'A', "
	    "'192.0.2.51')");
	expect_status(api("POST", path_of("/resource-request/domains/%lld/"
	    "actions/apply/", bad), admin_token(), NULL), 200);
	ck_assert_str_eq(apply_settles(bad), "failed");
	s = db_str(fmt("SELECT CONCAT(r.status, ' ', d.apply_error) FROM "
	    "resource_requests r JOIN domain_requests d ON d.request_id = r.id "
	    "WHERE r.id = %lld", bad));
	ck_assert_msg(strncmp(s, "approved no domain managed by Hangar covers "
	    "x.unmanaged.invalid", 60) == 0, "%s", s);
	free(s);
	/* states and permissions */
	expect_error(api("POST", path_of("/resource-request/domains/%lld/"
	    "actions/apply/", domain_request("wait_review", "(%lld, "
	    "'y.example', 'A', '192.0.2.1')")), admin_token(), NULL), 409,
	    10015, NULL);
	expect_error(api("POST", path_of("/resource-request/domains/%lld/"
	    "actions/apply/", domain_request("rejected", "(%lld, "
	    "'y.example', 'A', '192.0.2.1')")), admin_token(), NULL), 409,
	    30004, NULL);
	expect_error(api("POST", "/resource-request/domains/999999999/actions/"
	    "apply/", admin_token(), NULL), 404, 10008, NULL);
	tok = user_token(uniq("noappr"), 0, &uid);
	expect_error(api("POST", path_of("/resource-request/domains/%lld/"
	    "actions/apply/", bad), tok, NULL), 403, 10007, NULL);
}
END_TEST

/*
 * A domain request made and approved through the API lands on the server
 * by itself: approval queues the apply job when Hangar manages the domain.
 */
START_TEST(approval_applies_domain_request)
{
	long long	 sid = new_server(), req;
	const char	*zone = new_zone_name();
	struct resp	*r;
	char		*s;

	new_domain(sid, zone);
	r = api_f("POST", "/resource-request/domains/", admin_token(),
	    "{\"records\": [{\"record\": \"auto.%s\", \"type\": \"A\", "
	    "\"value\": \"192.0.2.60\"}]}", zone);
	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	req = jint(r->json, "id");
	resp_free(r);
	r = api("POST", path_of("/resource-request/domains/%lld/actions/"
	    "approve/", req), admin_token(), NULL);
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	resp_free(r);
	ck_assert_str_eq(apply_settles(req), "applied");
	s = db_str(fmt("SELECT status FROM resource_requests WHERE id = %lld",
	    req));
	ck_assert_str_eq(s, "finished");
	free(s);
	ck_assert_str_eq(dig(fmt("auto.%s", zone), "A"), "192.0.2.60");
}
END_TEST

START_TEST(drift_and_export)
{
	long long	 sid = new_server(), did, rid;
	const char	*zone = new_zone_name();
	struct resp	*r;

	did = new_domain(sid, zone);
	new_record(sid, did, "www", "A", "192.0.2.1");
	rid = new_record(sid, did, "t", "TXT", "v=spf1 -all");
	new_record(sid, did, "@", "MX", "10 mx.example.net");
	expect_status(api_f("POST", fmt("%sactions/disable/", recs_path(sid,
	    did)), admin_token(), "[{\"id\": %lld}]", rid), 200);
	r = api("GET", fmt("/dns-services/%lld/domains/%lld/drift/", sid, did),
	    admin_token(), NULL);
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_msg(json_object_get_boolean(jpath(r->json, "in_sync")), "%s",
	    r->body);
	resp_free(r);
	/* someone changes the server behind Hangar's back */
	run(fmt("curl -s -X PATCH -H 'X-API-Key: %s' -H 'Content-Type: "
	    "application/json' -d '{\"rrsets\": [{\"name\": \"www.%s.\", "
	    "\"type\": \"A\", \"changetype\": \"DELETE\"}, {\"name\": "
	    "\"rogue.%s.\", \"type\": \"A\", \"ttl\": 60, \"changetype\": "
	    "\"REPLACE\", \"records\": [{\"content\": \"192.0.2.66\", "
	    "\"disabled\": false}]}]}' '%s/api/v1/servers/localhost/zones/%s.'",
	    pdns_key(), zone, zone, pdns_url(), zone));
	r = api("GET", fmt("/dns-services/%lld/domains/%lld/drift/", sid, did),
	    admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert(!json_object_get_boolean(jpath(r->json, "in_sync")));
	ck_assert_str_eq(jstr(r->json, "missing.0.name"), fmt("www.%s", zone));
	ck_assert_str_eq(jstr(r->json, "extra.0.name"), fmt("rogue.%s", zone));
	ck_assert_str_eq(jstr(r->json, "extra.0.value"), "192.0.2.66");
	resp_free(r);
	/* export: a zone file of Hangar's records */
	r = api("GET", fmt("/dns-services/%lld/domains/%lld/export/", sid, did),
	    admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "zone_file"),
	    fmt("www.%s. 3600 IN A 192.0.2.1\n", zone)));
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "zone_file"),
	    fmt("%s. 3600 IN MX 10 mx.example.net.\n", zone)));
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "zone_file"),
	    fmt("; disabled: t.%s. 3600 IN TXT \"v=spf1 -all\"\n", zone)));
	resp_free(r);
	/* the server down: drift is 502 */
	break_server(sid, fmt("http://127.0.0.1:%d", closed_port()),
	    pdns_key());
	expect_error(api("GET", fmt("/dns-services/%lld/domains/%lld/drift/",
	    sid, did), admin_token(), NULL), 502, 30001, NULL);
}
END_TEST

START_TEST(domain_bad_input)
{
	long long	 sid = new_server();
	const char	*p = strdup(path_of("/dns-services/%lld/domains/", sid));
	static const struct field_spec f[] = {
		{ "name", 1, "string", 254, NULL },
	};
	char		*before;

	bad_input_battery("POST", p, admin_token(), "{\"name\": "
	    "\"bi.example\"}", f, 1, TABLES);
	before = db_fingerprint(TABLES);
	expect_error(api("POST", p, admin_token(), "{\"name\": \"" NONASCII
	    ".example\"}"), 400, 10002, "name");
	expect_error(api("POST", p, admin_token(), "{\"name\": \"" SQLI
	    "\"}"), 400, 10002, "name");
	expect_error(api("POST", p, admin_token(), "{\"name\": \"single\"}"),
	    400, 10002, "name");
	expect_error(api("POST", p, admin_token(), "{\"name\": \"-a.example\"}"),
	    400, 10002, "name");
	expect_error(api("POST", "/dns-services/999999999/domains/",
	    admin_token(), "{\"name\": \"a.example\"}"), 404, 10008, NULL);
	expect_error(api("GET", "/dns-services/999999999/domains/",
	    admin_token(), NULL), 404, 10008, NULL);
	expect_error(api("DELETE", fmt("/dns-services/%lld/domains/999999999/",
	    sid), admin_token(), NULL), 404, 10008, NULL);
	unchanged(before);
}
END_TEST

/* The API key appears in no response, audit row or log line. */
START_TEST(key_never_logged)
{
	const char	*dir = getenv("HANGAR_DIR");
	long long	 sid = new_server();
	char		*out;

	new_record(sid, new_domain(sid, new_zone_name()), "k", "A",
	    "192.0.2.9");
	ck_assert_ptr_nonnull(dir);
	out = run(fmt("grep -rlF -- '%s' '%s/log' 2>/dev/null | head -1",
	    pdns_key(), dir));
	ck_assert_msg(out[0] == '\0', "the API key is in %s", out);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM audit_log WHERE "
	    "op_detail LIKE '%%%s%%'", sqlq(pdns_key()))), 0);
}
END_TEST

static TCase *
tc_dns(void)
{
	TCase *tc = tcase_create("dns");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, server_crud);
	tcase_add_test(tc, server_create_refused);
	tcase_add_test(tc, server_bad_input);
	tcase_add_test(tc, server_with_domains_409);
	tcase_add_test(tc, domain_lifecycle);
	tcase_add_test(tc, records_on_the_server);
	tcase_add_test(tc, create_joins_the_rrset);
	tcase_add_test(tc, record_rules);
	tcase_add_test(tc, record_bad_input);
	tcase_add_test(tc, server_failures_leave_hangar_unchanged);
	tcase_add_test(tc, permissions);
	tcase_add_test(tc, audit_filters);
	tcase_add_test(tc, apply_domain_request);
	tcase_add_test(tc, approval_applies_domain_request);
	tcase_add_test(tc, drift_and_export);
	tcase_add_test(tc, domain_bad_input);
	tcase_add_test(tc, key_never_logged);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_dns };

	return run_suite("dns", cases, 1) ? 1 : 0;
}
