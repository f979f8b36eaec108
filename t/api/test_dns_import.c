/*
 * test_dns_import.c -- POST /dns-services/{id}/domains/{did}/actions/
 * import/ against a real PowerDNS (t/pdns.sh; HANGAR_PDNS_URL,
 * HANGAR_PDNS_KEY, DNS on 127.0.0.1:HANGAR_PDNS_DNS_PORT).  BIND's import
 * (AXFR) is in test_dns_bind.c.
 *
 * Records made on the server behind Hangar's back are taken over; a zone
 * file in the body lands in Hangar and on the server (dig); a second
 * import adds nothing; import -> export -> drift is in sync; a bad zone
 * file is 400 naming the line and changes nothing, on either side;
 * permissions; bad input; a server that is down changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnslib.h"

#define TABLES	"dns_servers,dns_domains,dns_records,audit_log"
#define unchanged(before)	db_unchanged((before), TABLES)

/* dig +short of name/type at the test PowerDNS, sorted, "|"-joined. */
static char *
dig(const char *name, const char *type)
{
	char *s = run(fmt("dig +short +norec +time=2 +tries=2 @127.0.0.1 -p %s "
	    "'%s' %s 2>&1 | LC_ALL=C sort | paste -sd'|'",
	    getenv("HANGAR_PDNS_DNS_PORT"), name, type));

	return s;
}

/* PATCH rrsets (JSON text) into zone on PowerDNS directly. */
static void
pdns_patch(const char *zone, const char *rrsets)
{
	FILE	*f;
	char	 path[] = "/tmp/hg-import-XXXXXX";
	int	 fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	fprintf(f, "{\"rrsets\": %s}", rrsets);
	fclose(f);
	ck_assert_str_eq(run(fmt("curl -s -o /dev/null -w '%%{http_code}' -X "
	    "PATCH -H 'X-API-Key: %s' -H 'Content-Type: application/json' "
	    "--data-binary @%s '%s/api/v1/servers/localhost/zones/%s.'",
	    pdns_key(), path, pdns_url(), zone)), "204");
	unlink(path);
}

static long long
new_server(void)
{
	return api_create("/dns-services/", "{\"name\": \"%s\", \"type\": "
	    "\"powerdns\", \"api_endpoint\": \"%s\", \"api_key\": \"%s\"}",
	    uniq("pdns"), pdns_url(), pdns_key());
}

static const char *
new_zone_name(void)
{
	char *z;

	ck_assert_int_ge(asprintf(&z, "%s.example", uniq("imp")), 0);
	return z;
}

static long long
new_domain(long long sid, const char *zone)
{
	return api_create(path_of("/dns-services/%lld/domains/", sid),
	    "{\"name\": \"%s\"}", zone);
}

static const char *
import_path(long long sid, long long did)
{
	char *p;

	ck_assert_int_ge(asprintf(&p, "/dns-services/%lld/domains/%lld/"
	    "actions/import/", sid, did), 0);
	return p;
}

/* {"zone_file": text} as JSON text (freed by the caller). */
static char *
file_body(const char *text)
{
	json_object	*o = json_object_new_object();
	char		*s;

	json_object_object_add(o, "zone_file", json_object_new_string(text));
	s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

static struct resp *
import_file(long long sid, long long did, const char *token, const char *text)
{
	char		*b = file_body(text);
	struct resp	*r = api("POST", import_path(sid, did), token, b);

	free(b);
	return r;
}

static long long
nrecords(long long did, const char *where)
{
	return db_int(fmt("SELECT COUNT(*) FROM dns_records WHERE domain_id = "
	    "%lld%s%s", did, *where ? " AND " : "", where));
}

static void
in_sync(long long sid, long long did)
{
	struct resp *r = api("GET", fmt("/dns-services/%lld/domains/%lld/"
	    "drift/", sid, did), admin_token(), NULL);

	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_msg(json_object_get_boolean(jpath(r->json, "in_sync")),
	    "%s", r->body);
	resp_free(r);
}

/* ---- from the server ------------------------------------------------- */

START_TEST(import_from_powerdns)
{
	long long	 sid = new_server(), did;
	const char	*zone = new_zone_name();
	struct resp	*r;
	int		 srv = 0, i;

	did = new_domain(sid, zone);
	/* Hangar has one record already; the rest is made on the server */
	api_create(fmt("/dns-services/%lld/domains/%lld/records/", sid, did),
	    "{\"name\": \"www\", \"type\": \"A\", \"value\": \"192.0.2.1\"}");
	pdns_patch(zone, fmt("[{\"name\": \"www.%s.\", \"type\": \"A\", "
	    "\"ttl\": 3600, \"changetype\": \"REPLACE\", \"records\": ["
	    "{\"content\": \"192.0.2.1\", \"disabled\": false}, "
	    "{\"content\": \"192.0.2.2\", \"disabled\": false}]}, "
	    "{\"name\": \"%s.\", \"type\": \"MX\", \"ttl\": 600, \"changetype\": "
	    "\"REPLACE\", \"records\": [{\"content\": \"10 mx.example.net.\", "
	    "\"disabled\": false}]}, "
	    "{\"name\": \"t.%s.\", \"type\": \"TXT\", \"ttl\": 60, \"changetype\": "
	    "\"REPLACE\", \"records\": [{\"content\": \"\\\"v=spf1 -all\\\"\", "
	    "\"disabled\": false}]}, "
	    "{\"name\": \"off.%s.\", \"type\": \"A\", \"ttl\": 60, \"changetype\": "
	    "\"REPLACE\", \"records\": [{\"content\": \"192.0.2.9\", "
	    "\"disabled\": true}]}, "
	    "{\"name\": \"_sip._tcp.%s.\", \"type\": \"SRV\", \"ttl\": 60, "
	    "\"changetype\": \"REPLACE\", \"records\": [{\"content\": "
	    "\"10 5 5060 sip.example.net.\", \"disabled\": false}]}]",
	    zone, zone, zone, zone, zone));
	r = api("POST", import_path(sid, did), admin_token(), "{}");
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "source"), "server");
	ck_assert_int_eq(jint(r->json, "imported"), 4);
	ck_assert_int_eq(jint(r->json, "existing"), 1);
	ck_assert_int_eq(jint(r->json, "skipped_count"), 1);
	ck_assert_str_eq(jstr(r->json, "skipped.0.type"), "SRV");
	ck_assert_str_eq(jstr(r->json, "skipped.0.name"),
	    fmt("_sip._tcp.%s", zone));
	resp_free(r);
	ck_assert_int_eq(nrecords(did, ""), 5);
	ck_assert_int_eq(nrecords(did, fmt("name = 'www.%s' AND value = "
	    "'192.0.2.2' AND ttl = 3600", zone)), 1);
	ck_assert_int_eq(nrecords(did, fmt("name = '%s' AND type = 'MX' AND "
	    "value = '10 mx.example.net' AND ttl = 600", zone)), 1);
	ck_assert_int_eq(nrecords(did, "type = 'TXT' AND value = 'v=spf1 -all' "
	    "AND ttl = 60"), 1);
	ck_assert_int_eq(nrecords(did, "value = '192.0.2.9' AND disabled = 1"),
	    1);
	/* audited, one row a record */
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM audit_log WHERE kind "
	    "= 'dns_record' AND op_type = 'import' AND op_detail LIKE "
	    "'%%from the server into domain %s %%'", zone)), 4);
	r = api("GET", fmt("/audit/dns-operations/?op_type=import&op_detail=%s",
	    zone), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 4);
	resp_free(r);
	/* again: nothing new */
	r = api("POST", import_path(sid, did), admin_token(), "{}");
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "imported"), 0);
	ck_assert_int_eq(jint(r->json, "existing"), 5);
	resp_free(r);
	ck_assert_int_eq(nrecords(did, ""), 5);
	in_sync(sid, did);
	/* the records are Hangar's now: deleting one takes it off the server */
	r = api("GET", fmt("/dns-services/%lld/domains/%lld/records/?value="
	    "192.0.2.2", sid, did), admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	srv = (int)jint(r->json, "results.0.id");
	resp_free(r);
	expect_status(api("DELETE", fmt("/dns-services/%lld/domains/%lld/"
	    "records/%d/", sid, did, srv), admin_token(), NULL), 200);
	for (i = 0; i < 3 && strcmp(dig(fmt("www.%s", zone), "A"),
	    "192.0.2.1") != 0; i++)
		sleep(1);	/* PowerDNS's packet cache */
	ck_assert_str_eq(dig(fmt("www.%s", zone), "A"), "192.0.2.1");
}
END_TEST

/* ---- from a zone file ------------------------------------------------ */

START_TEST(import_zone_file_round_trip)
{
	long long	 sid = new_server(), did;
	const char	*zone = new_zone_name(), *text;
	char		*exported;
	struct resp	*r;

	did = new_domain(sid, zone);
	text = fmt("; from another DNS host\n"
	    "$ORIGIN %s.\n"
	    "$TTL 300\n"
	    "@ IN SOA ns1 hostmaster 1 7200 3600 1209600 300\n"
	    "@ IN NS ns1.example.net.\n"
	    "www IN A 192.0.2.10\n"
	    "www 300 IN A 192.0.2.11\n"
	    "v6 IN AAAA 2001:DB8::10\n"
	    "alias 120 IN CNAME www\n"
	    "@ IN MX 20 mail.example.net.\n"
	    "txt IN TXT \"hello \\\"world\\\"\" \"second\"\n"
	    "_x._tcp IN SRV 1 1 1 www\n"
	    "sub IN NS ns.other.example.\n", zone);
	r = import_file(sid, did, admin_token(), text);
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "source"), "zone_file");
	ck_assert_int_eq(jint(r->json, "imported"), 7);
	ck_assert_int_eq(jint(r->json, "skipped_count"), 3);	/* SOA NS SRV */
	ck_assert_str_eq(jstr(r->json, "skipped.0.type"), "SOA");
	ck_assert_int_eq(jint(r->json, "skipped.0.line"), 4);
	ck_assert_str_eq(jstr(r->json, "skipped.1.type"), "NS");
	ck_assert_str_eq(jstr(r->json, "skipped.2.type"), "SRV");
	ck_assert_int_eq(jint(r->json, "skipped.2.line"), 12);
	resp_free(r);
	/* in Hangar and on the server */
	ck_assert_int_eq(nrecords(did, ""), 7);
	ck_assert_int_eq(nrecords(did, fmt("name = 'alias.%s' AND value = "
	    "'www.%s' AND ttl = 120", zone, zone)), 1);
	ck_assert_int_eq(nrecords(did, "type = 'TXT' AND value = "
	    "'hello \"world\"second'"), 1);
	ck_assert_str_eq(dig(fmt("www.%s", zone), "A"),
	    "192.0.2.10|192.0.2.11");
	ck_assert_str_eq(dig(fmt("v6.%s", zone), "AAAA"), "2001:db8::10");
	ck_assert_str_eq(dig(zone, "MX"), "20 mail.example.net.");
	ck_assert_str_eq(dig(fmt("sub.%s", zone), "NS"), "");	/* referral */
	ck_assert_str_eq(db_str(fmt("SELECT creator FROM dns_records WHERE "
	    "domain_id = %lld LIMIT 1", did)), "admin");
	in_sync(sid, did);
	/* the same file again: nothing new, the server untouched */
	r = import_file(sid, did, admin_token(), text);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "imported"), 0);
	ck_assert_int_eq(jint(r->json, "existing"), 7);
	resp_free(r);
	ck_assert_int_eq(nrecords(did, ""), 7);

	/* round trip: the export imported back adds and changes nothing */
	r = api("GET", fmt("/dns-services/%lld/domains/%lld/export/", sid,
	    did), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	exported = strdup(jstr(r->json, "zone_file"));
	resp_free(r);
	r = import_file(sid, did, admin_token(), exported);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "imported"), 0);
	ck_assert_int_eq(jint(r->json, "ttl_changed"), 0);
	resp_free(r);
	in_sync(sid, did);
	free(exported);
}
END_TEST

/* A zone file that changes a TTL changes it in Hangar and on the server. */
START_TEST(import_zone_file_sets_ttl)
{
	long long	 sid = new_server(), did;
	const char	*zone = new_zone_name();
	struct resp	*r;

	did = new_domain(sid, zone);
	api_create(fmt("/dns-services/%lld/domains/%lld/records/", sid, did),
	    "{\"name\": \"www\", \"type\": \"A\", \"value\": \"192.0.2.1\", "
	    "\"ttl\": 3600}");
	r = import_file(sid, did, admin_token(), fmt("www.%s. 90 IN A "
	    "192.0.2.1\nwww.%s. 90 IN A 192.0.2.2\n", zone, zone));
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_int_eq(jint(r->json, "imported"), 1);
	ck_assert_int_eq(jint(r->json, "existing"), 1);
	ck_assert_int_eq(jint(r->json, "ttl_changed"), 1);
	resp_free(r);
	ck_assert_int_eq(nrecords(did, "ttl = 90"), 2);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM audit_log WHERE "
	    "op_type = 'import' AND op_detail LIKE '%%TTL of www.%s A%%ttl: "
	    "\"3600\" -> \"90\"'", zone)), 1);
	ck_assert_str_eq(run(fmt("dig +norec +noall +answer @127.0.0.1 -p %s "
	    "www.%s A | awk '{print $2}' | sort -u",
	    getenv("HANGAR_PDNS_DNS_PORT"), zone)), "90");
	in_sync(sid, did);
}
END_TEST

/* Every refusal: 400 naming the line (or the record), nothing changed in
 * Hangar or on the server. */
START_TEST(bad_zone_file_changes_nothing)
{
	static const struct {
		const char	*text;	/* %s: the zone */
		const char	*says;
	} bad[] = {
		{ "ok IN A 192.0.2.1\n\nbad IN A 999.0.2.1\n", "line 3:" },
		{ "ok IN A 192.0.2.1\nx IN BOGUS 1\n", "line 2:" },
		{ "ok IN A 192.0.2.1\n$INCLUDE /etc/passwd\n", "line 2: $INCLUDE" },
		{ "ok IN A 192.0.2.1\nout.example.org. IN A 192.0.2.2\n",
		    "line 2: out.example.org A 192.0.2.2 is not in the domain" },
		{ "ok IN A 192.0.2.1\nok IN CNAME www\n", "CNAME stand beside" },
		{ "@ IN CNAME www.example.net.\n", "line 1:" },
		{ "ok CH A 192.0.2.1\n", "line 1: only class IN" },
		{ "t IN TXT \"tab\there\"\n", "line 1:" },
		{ "\xe5\xbc\xa0 IN A 192.0.2.1\n", "line 1:" },
		{ "'; DROP TABLE users; -- IN A 192.0.2.1\n", "line 1:" },
	};
	long long	 sid = new_server(), did;
	const char	*zone = new_zone_name();
	char		*before;
	struct resp	*r;
	size_t		 i;

	did = new_domain(sid, zone);
	api_create(fmt("/dns-services/%lld/domains/%lld/records/", sid, did),
	    "{\"name\": \"keep\", \"type\": \"A\", \"value\": \"192.0.2.7\"}");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		before = db_fingerprint(TABLES);
		r = import_file(sid, did, admin_token(), bad[i].text);
		ck_assert_msg(r->status == 400, "%zu: %ld %s", i, r->status,
		    r->body);
		ck_assert_int_eq(jint(r->json, "error_code"), 10002);
		ck_assert_msg(strstr(r->body, "zone_file") != NULL, "%s",
		    r->body);
		ck_assert_msg(strstr(r->body, bad[i].says) != NULL,
		    "%zu: wanted \"%s\" in %s", i, bad[i].says, r->body);
		resp_free(r);
		unchanged(before);
	}
	ck_assert_str_eq(dig(fmt("ok.%s", zone), "A"), "");
	ck_assert_str_eq(dig(fmt("keep.%s", zone), "A"), "192.0.2.7");
	/* too many records for one import */
	{
		size_t	 n = 20001, k, len = 0;
		char	*big = malloc(n * 24 + 1);

		for (k = 0; k < n; k++)
			len += (size_t)sprintf(big + len, "r%zu A 192.0.2.1\n",
			    k);
		before = db_fingerprint(TABLES);
		r = import_file(sid, did, admin_token(), big);
		ck_assert_msg(r->status == 400, "%ld %s", r->status, r->body);
		ck_assert_ptr_nonnull(strstr(r->body, "more than 20000"));
		resp_free(r);
		unchanged(before);
		free(big);
	}
}
END_TEST

START_TEST(import_bad_input)
{
	static const struct field_spec f[] = {
		{ "zone_file", 0, "string", 1000000, NULL },
	};
	long long	 sid = new_server(), did, other;
	const char	*zone = new_zone_name();
	char		*before;

	did = new_domain(sid, zone);
	bad_input_battery("POST", import_path(sid, did), admin_token(),
	    "{\"zone_file\": \"a IN A 192.0.2.1\"}", f, 1, TABLES);
	other = new_server();
	before = db_fingerprint(TABLES);
	expect_error(api("POST", import_path(sid, did), admin_token(),
	    "{\"zone_file\": \"\"}"), 400, 10002, "zone_file");
	expect_error(api("POST", import_path(sid, 999999999), admin_token(),
	    "{}"), 404, 10008, NULL);
	expect_error(api("POST", import_path(999999999, did), admin_token(),
	    "{}"), 404, 10008, NULL);
	/* a domain of another server */
	expect_error(api("POST", import_path(other, did), admin_token(),
	    "{}"), 404, 10008, NULL);
	unchanged(before);
}
END_TEST

START_TEST(import_permissions)
{
	long long	 uid, sid = new_server(), did;
	const char	*tok = user_token(uniq("dnsi"), 0, &uid);
	const char	*zone = new_zone_name();
	char		*before;
	struct resp	*r;

	did = new_domain(sid, zone);
	before = db_fingerprint(TABLES);
	expect_error(api("POST", import_path(sid, did), NULL, "{}"), 401,
	    10005, NULL);
	expect_error(api("POST", import_path(sid, did), tok, "{}"), 403, 10007,
	    NULL);
	r = api_f("POST", path_of("/users/%lld/system/perms/", uid),
	    admin_token(), "{\"module_name\": \"dns\", \"permissions\": "
	    "{\"enable_dns_mgmt\": true}}");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	before = db_fingerprint(TABLES);
	/* who may read records may not import them */
	r = import_file(sid, did, tok, "a IN A 192.0.2.1\n");
	expect_error(r, 403, 10007, NULL);
	unchanged(before);
	ck_assert_str_eq(dig(fmt("a.%s", zone), "A"), "");
	r = api_f("POST", path_of("/users/%lld/system/perms/", uid),
	    admin_token(), "{\"module_name\": \"dns\", \"permissions\": "
	    "{\"enable_dns_mgmt\": true, \"manage_dns_server\": true}}");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	r = import_file(sid, did, tok, "a IN A 192.0.2.1\n");
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	resp_free(r);
	ck_assert_str_eq(dig(fmt("a.%s", zone), "A"), "192.0.2.1");
}
END_TEST

/* The server down: neither source changes anything. */
START_TEST(server_down_changes_nothing)
{
	long long	 sid = new_server(), did;
	const char	*zone = new_zone_name();
	char		*before, *sealed;

	did = new_domain(sid, zone);
	sealed = stack_seal(pdns_key());
	db_exec(fmt("UPDATE dns_servers SET api_endpoint = "
	    "'http://127.0.0.1:1' WHERE id = %lld", sid));
	free(sealed);
	before = db_fingerprint(TABLES);
	expect_error(api("POST", import_path(sid, did), admin_token(), "{}"),
	    502, 30001, NULL);
	expect_error(import_file(sid, did, admin_token(), "a A 192.0.2.1\n"),
	    502, 30001, NULL);
	unchanged(before);
	/* a wrong key: refused */
	sealed = stack_seal("not-the-key");
	db_exec(fmt("UPDATE dns_servers SET api_endpoint = '%s', api_key = "
	    "'%s' WHERE id = %lld", sqlq(pdns_url()), sealed, sid));
	free(sealed);
	before = db_fingerprint(TABLES);
	expect_error(import_file(sid, did, admin_token(), "a A 192.0.2.1\n"),
	    502, 30001, NULL);
	unchanged(before);
	ck_assert_str_eq(dig(fmt("a.%s", zone), "A"), "");
}
END_TEST

static TCase *
tc_import(void)
{
	TCase *tc = tcase_create("dns_import");

	tcase_add_test(tc, import_from_powerdns);
	tcase_add_test(tc, import_zone_file_round_trip);
	tcase_add_test(tc, import_zone_file_sets_ttl);
	tcase_add_test(tc, bad_zone_file_changes_nothing);
	tcase_add_test(tc, import_bad_input);
	tcase_add_test(tc, import_permissions);
	tcase_add_test(tc, server_down_changes_nothing);
	tcase_set_timeout(tc, 300);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_import };

	return run_suite("dns_import", cases, 1) ? 1 : 0;
}
