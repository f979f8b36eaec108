/*
 * test_hosts.c -- the host inventory (/hosts/, API.md sections 4 and 6, the
 * seed's 主机 list and 获取主机关联应用) and its audit log
 * (/audit/host-operations/).
 *
 * Every field of the Host object and its addresses is checked on the way
 * in and out; every refusal is checked for its code and for leaving hosts,
 * their addresses, the audit log and the row counter as they were; every
 * create, update and delete leaves one audit row saying what changed.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "authlib.h"

#define TABLES	"hosts,host_addresses,audit_log,row_counts"
#define SQLI	"'; DROP TABLE users; --"

/* The fingerprint of TABLES and extra, after the admin token exists (its
 * creation is audited). */
static char *
fingerprint(const char *extra)
{
	char tables[256];

	(void)admin_token();
	snprintf(tables, sizeof(tables), "%s%s", TABLES, extra);
	return db_fingerprint(tables);
}

static void
unchanged_in(char *before, const char *extra)
{
	char *after = fingerprint(extra);

	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}

static void
unchanged(char *before)
{
	unchanged_in(before, "");
}

/* s in upper case (static buffer). */
static const char *
upper(const char *s)
{
	static char	buf[256];
	size_t		i;

	for (i = 0; s[i] && i < sizeof(buf) - 1; i++)
		buf[i] = (char)toupper((unsigned char)s[i]);
	buf[i] = '\0';
	return buf;
}

/* POST a host (JSON body); its id. */
static long long
mkhost(const char *json)
{
	return api_create("/hosts/", "%s", json);
}

static long long
mkhost_named(const char *name, const char *type)
{
	char body[512];

	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"host_type\": \"%s\"}",
	    name, type);
	return mkhost(body);
}

static long long
mkcredential(const char *kind)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "INSERT INTO credentials (kind, name, secret) "
	    "VALUES ('%s', '%s', 'sealed')", kind, uniq("cred"));
	return db_insert(sql);
}

static long long
mkaccount(void)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "INSERT INTO cloud_accounts (name, provider, "
	    "endpoint, access_key, secret) VALUES ('%s', 'ALIYUN', "
	    "'https://ecs.aliyuncs.com', 'AK', 'sealed')", uniq("acct"));
	return db_insert(sql);
}

/* The newest host audit row's column col (caller frees). */
static char *
last_audit(const char *col)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT %s FROM audit_log WHERE kind = 'host' "
	    "ORDER BY id DESC LIMIT 1", col);
	return db_str(sql);
}

static void
expect_last_audit(long long host, const char *name, const char *op,
    const char *detail)
{
	char	 sql[256], *s;

	snprintf(sql, sizeof(sql), "SELECT CONCAT(target_id, '|', target_name, "
	    "'|', op_type, '|', operator) FROM audit_log WHERE kind = 'host' "
	    "ORDER BY id DESC LIMIT 1");
	s = db_str(sql);
	snprintf(sql, sizeof(sql), "%lld|%s|%s|admin", host, name, op);
	ck_assert_str_eq(s, sql);
	free(s);
	s = last_audit("op_detail");
	ck_assert_str_eq(s, detail);
	free(s);
}

/* One address object: exactly its seven keys with these values. */
static void
expect_addr(json_object *a, const char *address, const char *netmask,
    const char *network, const char *type, const char *owner, int virt)
{
	char sql[256];

	ck_assert_int_eq(jkeys(a, NULL), 7);
	ck_assert_str_eq(jstr(a, "address"), address);
	ck_assert_str_eq(jstr(a, "netmask"), netmask);
	ck_assert_str_eq(jstr(a, "network"), network);
	ck_assert_str_eq(jstr(a, "addr_type"), type);
	if (owner == NULL)
		ck_assert(jnull(a, "owner"));
	else
		ck_assert_str_eq(jstr(a, "owner"), owner);
	ck_assert_int_eq(jbool(a, "is_virtual"), virt);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM host_addresses WHERE "
	    "id = %lld AND address = '%s'", jint(a, "id"), address);
	ck_assert_int_eq(db_int(sql), 1);
}

/* The scalar fields of a Host object (17 keys in all), as the admin sees it. */
static void
expect_host(json_object *h, long long id, const char *name, const char *type,
    const char *os_type, long long cpu, long long mem, const char *location,
    const char *desc, long long port, const char *user, size_t naddrs)
{
	ck_assert_int_eq(jkeys(h, NULL), 17);
	ck_assert_int_eq(jkeys(h, "available_actions"), 7);
	ck_assert_int_eq(jbool(h, "available_actions.deactivate_host"), 1);
	ck_assert_int_eq(jint(h, "id"), id);
	ck_assert_str_eq(jstr(h, "name"), name);
	ck_assert_str_eq(jstr(h, "host_type"), type);
	ck_assert_str_eq(jstr(h, "status"), "raw");
	ck_assert_str_eq(jstr(h, "os_status"), "unknown");
	ck_assert_str_eq(jstr(h, "os_type"), os_type);
	ck_assert_int_eq(jint(h, "cpu"), cpu);
	ck_assert_int_eq(jint(h, "memory"), mem);
	ck_assert_str_eq(jstr(h, "location"), location);
	ck_assert_str_eq(jstr(h, "description"), desc);
	ck_assert_int_eq(jint(h, "ssh_port"), port);
	ck_assert_str_eq(jstr(h, "ssh_user"), user);
	ck_assert_int_eq(jlen(h, "ip_address"), naddrs);
	expect_recent(h, "created_time");
}

/* ---- create and read --------------------------------------------------- */

START_TEST(create_every_field)
{
	const char	*name = uniq("web");
	long long	 cred = mkcredential("ssh_key"), acct = mkaccount(), id;
	long long	 before = db_int("SELECT n FROM row_counts WHERE tbl = 'hosts'");
	struct resp	*r;
	char		 body[2048], want[2048];
	int		 pass;

	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"host_type\": "
	    "\"ALI_ECS\", \"os_type\": \"centos-7\", \"cpu\": 4, \"memory\": 8192, "
	    "\"location\": \"hangzhou\", \"description\": \"host A\", "
	    "\"ssh_port\": 2222, \"ssh_user\": \"deploy\", \"credential\": %lld, "
	    "\"cloud\": {\"account\": %lld, \"region\": \"cn-hangzhou\", "
	    "\"instance_id\": \"i-abc\"}, \"ip_adress\": [{\"address\": "
	    "\"10.10.10.2\", \"netmask\": \"255.255.0.0\", \"network\": "
	    "\"10.10.0.0\", \"is_virtual\": false, \"addr_type\": \"PRIVATE\"}, "
	    "{\"address\": \"2001:0DB8:0:0::1\", \"netmask\": \"/64\", "
	    "\"addr_type\": \"PUBLIC\", \"is_virtual\": true, \"owner\": \"LB\"}]}",
	    name, cred, acct);
	r = api("POST", "/hosts/", admin_token(), body);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	for (pass = 0; pass < 2; pass++) {
		expect_host(r->json, id, name, "ALI_ECS", "centos-7", 4, 8192,
		    "hangzhou", "host A", 2222, "deploy", 2);
		ck_assert_int_eq(jint(r->json, "credential"), cred);
		ck_assert_int_eq(jkeys(r->json, "cloud"), 3);
		ck_assert_int_eq(jint(r->json, "cloud.account"), acct);
		ck_assert_str_eq(jstr(r->json, "cloud.region"), "cn-hangzhou");
		ck_assert_str_eq(jstr(r->json, "cloud.instance_id"), "i-abc");
		ck_assert_ptr_null(jpath(r->json, "ip_adress"));
		expect_addr(jpath(r->json, "ip_address.0"), "10.10.10.2",
		    "255.255.0.0", "10.10.0.0", "PRIVATE", "HOST", 0);
		expect_addr(jpath(r->json, "ip_address.1"), "2001:db8::1", "64",
		    "", "PUBLIC", "LB", 1);
		ck_assert_int_lt(jint(r->json, "ip_address.0.id"),
		    jint(r->json, "ip_address.1.id"));
		resp_free(r);
		r = api("GET", path_of("/hosts/%lld/", id), admin_token(), NULL);
		ck_assert_int_eq(r->status, 200);
	}
	resp_free(r);
	ck_assert_int_eq(db_int("SELECT n FROM row_counts WHERE tbl = 'hosts'"),
	    before + 1);
	ck_assert_int_eq(db_int("SELECT n FROM row_counts WHERE tbl = 'hosts'"),
	    db_int("SELECT COUNT(*) FROM hosts"));
	snprintf(want, sizeof(want), "created host \"%s\": name: null -> "
	    "\"%s\"; host_type: null -> \"ALI_ECS\"; status: null -> \"raw\"; "
	    "os_status: null -> \"unknown\"; os_type: null -> \"centos-7\"; "
	    "cpu: null -> \"4\"; memory: null -> \"8192\"; location: null -> "
	    "\"hangzhou\"; ip_address: null -> \"10.10.10.2/255.255.0.0 PRIVATE "
	    "network 10.10.0.0, 2001:db8::1/64 PUBLIC virtual owner LB\"; "
	    "description: null -> \"host A\"; ssh_port: null -> \"2222\"; "
	    "ssh_user: null -> \"deploy\"; credential: null -> \"%lld\"; "
	    "cloud.account: null -> \"%lld\"; cloud.region: null -> "
	    "\"cn-hangzhou\"; cloud.instance_id: null -> \"i-abc\"",
	    name, name, cred, acct);
	expect_last_audit(id, name, "add", want);
}
END_TEST

START_TEST(create_defaults)
{
	const char	*name = uniq("bare");
	long long	 id = mkhost_named(name, "PHY_HOST");
	struct resp	*r;
	char		 want[1024];

	r = api("GET", path_of("/hosts/%lld", id), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	expect_host(r->json, id, name, "PHY_HOST", "", 0, 0, "", "", 22, "root",
	    0);
	ck_assert(jnull(r->json, "credential"));
	ck_assert(jnull(r->json, "cloud"));
	resp_free(r);
	snprintf(want, sizeof(want), "created host \"%s\": name: null -> "
	    "\"%s\"; host_type: null -> \"PHY_HOST\"; status: null -> \"raw\"; "
	    "os_status: null -> \"unknown\"; os_type: null -> \"\"; cpu: null "
	    "-> \"0\"; memory: null -> \"0\"; location: null -> \"\"; "
	    "description: null -> \"\"; ssh_port: null -> \"22\"; ssh_user: "
	    "null -> \"root\"", name, name);
	expect_last_audit(id, name, "add", want);
	/* Addresses with only an address; prefix lengths; no owner. */
	snprintf(want, sizeof(want), "{\"name\": \"%s\", \"host_type\": "
	    "\"CLOUDSTACK\", \"ip_address\": [{\"address\": \"192.168.1.1\"}, "
	    "{\"address\": \"fe80::1\", \"netmask\": \"10\"}, "
	    "{\"address\": \"10.0.0.9\", \"netmask\": \"/0\", \"owner\": "
	    "null}]}", uniq("addrs"));
	id = mkhost(want);
	r = api("GET", path_of("/host/%lld/", id), admin_token(), NULL);
	expect_addr(jpath(r->json, "ip_address.0"), "192.168.1.1", "", "",
	    "PRIVATE", "HOST", 0);
	expect_addr(jpath(r->json, "ip_address.1"), "fe80::1", "10", "",
	    "PRIVATE", "HOST", 0);
	expect_addr(jpath(r->json, "ip_address.2"), "10.0.0.9", "0", "",
	    "PRIVATE", NULL, 0);
	resp_free(r);
}
END_TEST

/* GET /hosts/?name=<name, URL-encoded>: exactly one result, host id. */
static struct resp *
find_by_name(const char *name, long long id)
{
	char		*enc = curl_easy_escape(NULL, name, 0), q[1024];
	struct resp	*r;

	snprintf(q, sizeof(q), "/hosts/?name=%s", enc);
	curl_free(enc);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_msg(r->status == 200 && jint(r->json, "count") == 1,
	    "%s: %s", q, r->body);
	ck_assert_int_eq(jint(r->json, "results.0.id"), id);
	return r;
}

START_TEST(round_trips_sql_and_unicode)
{
	char		 sqli[256], han[256], body[1024];
	long long	 id;
	struct resp	*r;

	snprintf(sqli, sizeof(sqli), "%s" SQLI, uniq("rt"));
	snprintf(han, sizeof(han), "张三-%s", uniq("rt"));
	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"host_type\": "
	    "\"PHY_HOST\", \"description\": \"张三\", \"location\": \"" SQLI "\", "
	    "\"os_type\": \"张三\"}", sqli);
	id = mkhost(body);
	r = api("GET", path_of("/hosts/%lld/", id), admin_token(), NULL);
	expect_host(r->json, id, sqli, "PHY_HOST", "张三", 0, 0, SQLI, "张三",
	    22, "root", 0);
	resp_free(r);
	resp_free(find_by_name(sqli, id));
	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"host_type\": "
	    "\"PHY_HOST\", \"description\": \"" SQLI "\"}", han);
	id = mkhost(body);
	r = find_by_name(han, id);
	expect_host(jpath(r->json, "results.0"), id, han, "PHY_HOST", "", 0,
	    0, "", SQLI, 22, "root", 0);
	resp_free(r);
	ck_assert_int_gt(db_int("SELECT COUNT(*) FROM users"), 0);
}
END_TEST

START_TEST(create_bad_input)
{
	static const struct field_spec f[] = {
		{ "name", 1, "string", 128, NULL },
		{ "host_type", 1, "string", 0, "AWS_EC2" },
		{ "os_type", 0, "string", 128, NULL },
		{ "cpu", 0, "int", 0, NULL },
		{ "memory", 0, "int", 0, NULL },
		{ "location", 0, "string", 255, NULL },
		{ "description", 0, "string", 1024, NULL },
		{ "ssh_port", 0, "int", 0, NULL },
		{ "ssh_user", 0, "string", 64, NULL },
		{ "credential", 0, "int", 0, NULL },
		{ "cloud", 0, "object", 0, NULL },
		{ "ip_address", 0, "array", 0, NULL },
		{ "status", 0, "string", 0, "broken" },
		{ "os_status", 0, "string", 0, "broken" },
	};

	bad_input_battery("POST", "/hosts/", admin_token(),
	    "{\"name\": \"battery\", \"host_type\": \"ALI_ECS\"}", f,
	    sizeof(f) / sizeof(f[0]), TABLES);
}
END_TEST

/*
 * body must be refused with 10002 whose errors name field (a key that may
 * hold dots, so not through jpath); nothing changes.
 */
static void
refuse(const char *method, const char *path, const char *body,
    const char *field)
{
	char		*before = fingerprint("");
	struct resp	*r = api(method, path, admin_token(), body);

	ck_assert_msg(r->json != NULL && jpath(r->json, "errors") != NULL &&
	    json_object_object_get_ex(jpath(r->json, "errors"), field, NULL),
	    "%s %s %s: errors do not name %s: %s", method, path, body, field,
	    r->body);
	expect_error(r, 400, 10002, NULL);
	unchanged(before);
}

START_TEST(create_refusals)
{
	long long	 pw = mkcredential("password"), key = mkcredential("ssh_key");
	long long	 acct = mkaccount();
	const char	*name = uniq("dup");
	char		 body[8192], *before, *p;
	int		 i;

	refuse("POST", "/hosts/", "{\"name\": \"\", \"host_type\": \"ALI_ECS\"}",
	    "name");
	refuse("POST", "/hosts/", "{\"name\": \"a\\u0001b\", \"host_type\": "
	    "\"ALI_ECS\"}", "name");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ali_ecs\"}",
	    "host_type");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"cpu\": -1}", "cpu");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ssh_port\": 0}", "ssh_port");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ssh_port\": 65536}", "ssh_port");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ssh_user\": \"ro ot\"}", "ssh_user");
	/*
	 * A new host is raw or inited (an inventory import), and unknown;
	 * nothing else may be asked for.
	 */
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": "
	    "\"ALI_ECS\", \"status\": \"attached\"}", "status");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": "
	    "\"ALI_ECS\", \"status\": \"offline\"}", "status");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"os_status\": \"running\"}", "os_status");
	/* Credentials must exist and be SSH keys. */
	snprintf(body, sizeof(body), "{\"name\": \"x\", \"host_type\": "
	    "\"ALI_ECS\", \"credential\": %lld}", pw);
	refuse("POST", "/hosts/", body, "credential");
	snprintf(body, sizeof(body), "{\"name\": \"x\", \"host_type\": "
	    "\"ALI_ECS\", \"credential\": %lld}", key + 100000);
	refuse("POST", "/hosts/", body, "credential");
	/* Cloud: an existing account, and never on a physical host. */
	snprintf(body, sizeof(body), "{\"name\": \"x\", \"host_type\": "
	    "\"ALI_ECS\", \"cloud\": {\"account\": %lld}}", acct + 100000);
	refuse("POST", "/hosts/", body, "cloud.account");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"cloud\": {\"region\": \"r\"}}", "cloud.account");
	snprintf(body, sizeof(body), "{\"name\": \"x\", \"host_type\": "
	    "\"ALI_ECS\", \"cloud\": {\"account\": %lld, \"region\": 5}}", acct);
	refuse("POST", "/hosts/", body, "cloud.region");
	snprintf(body, sizeof(body), "{\"name\": \"x\", \"host_type\": "
	    "\"PHY_HOST\", \"cloud\": {\"account\": %lld}}", acct);
	refuse("POST", "/hosts/", body, "cloud");
	/* Addresses, netmasks and their enums. */
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ip_address\": [\"10.0.0.1\"]}", "ip_address[0]");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ip_address\": [{\"netmask\": \"24\"}]}", "ip_address[0].address");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ip_address\": [{\"address\": \"10.0.0.1\"}, "
	    "{\"address\": \"10.0.0.256\"}]}", "ip_address[1].address");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ip_address\": [{\"address\": \"host.example.com\"}]}",
	    "ip_address[0].address");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ip_address\": [{\"address\": \"10.0.0.1 \"}]}",
	    "ip_address[0].address");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ip_address\": [{\"address\": \"10.0.0.1\", \"netmask\": "
	    "\"255.0.255.0\"}]}", "ip_address[0].netmask");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ip_address\": [{\"address\": \"10.0.0.1\", \"netmask\": \"33\"}]}",
	    "ip_address[0].netmask");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ip_address\": [{\"address\": \"::1\", \"netmask\": \"129\"}]}",
	    "ip_address[0].netmask");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ip_address\": [{\"address\": \"::1\", \"netmask\": "
	    "\"255.255.0.0\"}]}", "ip_address[0].netmask");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ip_address\": [{\"address\": \"10.0.0.1\", \"netmask\": \"2x\"}]}",
	    "ip_address[0].netmask");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ip_address\": [{\"address\": \"10.0.0.1\", \"addr_type\": "
	    "\"private\"}]}", "ip_address[0].addr_type");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ip_address\": [{\"address\": \"10.0.0.1\", \"owner\": \"VM\"}]}",
	    "ip_address[0].owner");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ip_address\": [{\"address\": \"10.0.0.1\", \"is_virtual\": 1}]}",
	    "ip_address[0].is_virtual");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ip_address\": [{\"address\": \"10.0.0.1\"}, "
	    "{\"address\": \"10.0.0.01\"}]}", "ip_address[1].address");
	refuse("POST", "/hosts/", "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ip_address\": [{\"address\": \"::1\"}, {\"address\": \"0::1\"}]}",
	    "ip_address[1].address");
	/* At most 64 addresses. */
	p = body + sprintf(body, "{\"name\": \"x\", \"host_type\": \"ALI_ECS\", "
	    "\"ip_address\": [");
	for (i = 0; i < 65; i++)
		p += sprintf(p, "%s{\"address\": \"10.1.0.%d\"}", i ? ", " : "", i);
	sprintf(p, "]}");
	refuse("POST", "/hosts/", body, "ip_address");
	/* Names are unique, whatever their case. */
	mkhost_named(name, "ALI_ECS");
	before = fingerprint("");
	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"host_type\": "
	    "\"PHY_HOST\"}", name);
	expect_error(api("POST", "/hosts/", admin_token(), body), 409, 10010,
	    NULL);
	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"host_type\": "
	    "\"PHY_HOST\"}", upper(name));
	expect_error(api("POST", "/hosts/", admin_token(), body), 409, 10010,
	    NULL);
	unchanged(before);
}
END_TEST

START_TEST(auth_and_permissions)
{
	const char	*tok = user_token(uniq("hu"), 0, NULL);
	long long	 id = mkhost_named(uniq("perm"), "ALI_ECS");
	char		*before = fingerprint("");
	const char	*one = path_of("/hosts/%lld/", id);
	const char	*apps = path_of("/hosts/%lld/applications/", id);
	const char	*body = "{\"name\": \"nope\", \"host_type\": \"ALI_ECS\"}";

	expect_error(api("GET", "/hosts/", NULL, NULL), 401, 10005, NULL);
	expect_error(api("POST", "/hosts/", NULL, body), 401, 10005, NULL);
	expect_error(api("GET", one, NULL, NULL), 401, 10005, NULL);
	expect_error(api("PATCH", one, NULL, "{\"cpu\": 1}"), 401, 10005, NULL);
	expect_error(api("DELETE", one, NULL, NULL), 401, 10005, NULL);
	expect_error(api("GET", apps, NULL, NULL), 401, 10005, NULL);
	expect_error(api("GET", "/audit/host-operations/", NULL, NULL), 401,
	    10005, NULL);
	expect_error(api("GET", "/hosts/", tok, NULL), 403, 10007, NULL);
	expect_error(api("POST", "/hosts/", tok, body), 403, 10007, NULL);
	expect_error(api("GET", one, tok, NULL), 403, 10007, NULL);
	expect_error(api("PATCH", one, tok, "{\"cpu\": 1}"), 403, 10007, NULL);
	expect_error(api("DELETE", one, tok, NULL), 403, 10007, NULL);
	expect_error(api("GET", apps, tok, NULL), 403, 10007, NULL);
	expect_error(api("GET", "/audit/host-operations/", tok, NULL), 403,
	    10007, NULL);
	unchanged(before);
}
END_TEST

START_TEST(unknown_ids_are_404)
{
	long long	 id = mkhost_named(uniq("gone"), "ALI_ECS") + 1000000;
	char		*before = fingerprint("");

	expect_error(api("GET", path_of("/hosts/%lld/", id), admin_token(),
	    NULL), 404, 10008, NULL);
	expect_error(api("PATCH", path_of("/hosts/%lld/", id), admin_token(),
	    "{\"cpu\": 2}"), 404, 10008, NULL);
	expect_error(api("DELETE", path_of("/hosts/%lld/", id), admin_token(),
	    NULL), 404, 10008, NULL);
	expect_error(api("GET", path_of("/hosts/%lld/applications/", id),
	    admin_token(), NULL), 404, 10008, NULL);
	expect_error(api("GET", "/hosts/abc/", admin_token(), NULL), 404, 10008,
	    NULL);
	expect_error(api("PUT", path_of("/hosts/%lld/", id), admin_token(),
	    "{}"), 405, 10009, NULL);
	unchanged(before);
}
END_TEST

/* ---- update ------------------------------------------------------------ */

START_TEST(patch_fields_and_audit)
{
	const char	*name = uniq("pt"), *name2 = uniq("pt2");
	long long	 cred = mkcredential("ssh_key"), acct = mkaccount(), id;
	const char	*one;
	struct resp	*r;
	char		 body[2048], want[2048];
	long long	 addr_id;

	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"host_type\": "
	    "\"TECENT_CVM\", \"cpu\": 2, \"memory\": 4096, \"ip_address\": "
	    "[{\"address\": \"10.2.0.1\", \"netmask\": \"24\"}]}", name);
	id = mkhost(body);
	one = path_of("/hosts/%lld/", id);
	r = api("GET", one, admin_token(), NULL);
	addr_id = jint(r->json, "ip_address.0.id");
	resp_free(r);
	/* Only what is sent changes; ip_address absent keeps the addresses. */
	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"cpu\": 8, "
	    "\"memory\": 16384, \"os_type\": \"debian-12\", \"location\": "
	    "\"shanghai\", \"description\": \"db\", \"ssh_port\": 22022, "
	    "\"ssh_user\": \"ops\", \"credential\": %lld, \"cloud\": "
	    "{\"account\": %lld, \"region\": \"ap-shanghai\", \"instance_id\": "
	    "\"ins-1\"}, \"status\": \"raw\", \"os_status\": \"unknown\"}",
	    name2, cred, acct);
	r = api("PATCH", one, admin_token(), body);
	ck_assert_msg(r->status == 200, "%s", r->body);
	expect_host(r->json, id, name2, "TECENT_CVM", "debian-12", 8, 16384,
	    "shanghai", "db", 22022, "ops", 1);
	ck_assert_int_eq(jint(r->json, "credential"), cred);
	ck_assert_int_eq(jint(r->json, "cloud.account"), acct);
	ck_assert_str_eq(jstr(r->json, "cloud.region"), "ap-shanghai");
	ck_assert_str_eq(jstr(r->json, "cloud.instance_id"), "ins-1");
	ck_assert_int_eq(jint(r->json, "ip_address.0.id"), addr_id);
	resp_free(r);
	snprintf(want, sizeof(want), "updated host \"%s\": name: \"%s\" -> "
	    "\"%s\"; os_type: \"\" -> \"debian-12\"; cpu: \"2\" -> \"8\"; "
	    "memory: \"4096\" -> \"16384\"; location: \"\" -> \"shanghai\"; "
	    "description: \"\" -> \"db\"; ssh_port: \"22\" -> \"22022\"; "
	    "ssh_user: \"root\" -> \"ops\"; credential: null -> \"%lld\"; "
	    "cloud.account: null -> \"%lld\"; cloud.region: null -> "
	    "\"ap-shanghai\"; cloud.instance_id: null -> \"ins-1\"", name, name,
	    name2, cred, acct);
	expect_last_audit(id, name2, "update", want);
	/* ip_address replaces the list; null clears it; ip_adress works too. */
	r = api("PATCH", one, admin_token(), "{\"ip_adress\": [{\"address\": "
	    "\"10.2.0.2\", \"addr_type\": \"PUBLIC\"}, {\"address\": "
	    "\"10.2.0.3\", \"is_virtual\": true, \"network\": \"vpc-9\"}]}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jlen(r->json, "ip_address"), 2);
	expect_addr(jpath(r->json, "ip_address.0"), "10.2.0.2", "", "",
	    "PUBLIC", "HOST", 0);
	expect_addr(jpath(r->json, "ip_address.1"), "10.2.0.3", "", "vpc-9",
	    "PRIVATE", "HOST", 1);
	resp_free(r);
	snprintf(want, sizeof(want), "SELECT COUNT(*) FROM host_addresses "
	    "WHERE host_id = %lld", id);
	ck_assert_int_eq(db_int(want), 2);
	snprintf(want, sizeof(want), "updated host \"%s\": ip_address: "
	    "\"10.2.0.1/24 PRIVATE\" -> \"10.2.0.2 PUBLIC, 10.2.0.3 PRIVATE "
	    "network vpc-9 virtual\"", name2);
	expect_last_audit(id, name2, "update", want);
	r = api("PATCH", one, admin_token(), "{\"ip_address\": null, "
	    "\"credential\": null, \"cloud\": null, \"host_type\": \"PHY_HOST\"}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jlen(r->json, "ip_address"), 0);
	ck_assert(jnull(r->json, "credential"));
	ck_assert(jnull(r->json, "cloud"));
	ck_assert_str_eq(jstr(r->json, "host_type"), "PHY_HOST");
	resp_free(r);
	snprintf(want, sizeof(want), "updated host \"%s\": host_type: "
	    "\"TECENT_CVM\" -> \"PHY_HOST\"; ip_address: \"10.2.0.2 PUBLIC, "
	    "10.2.0.3 PRIVATE network vpc-9 virtual\" -> null; credential: "
	    "\"%lld\" -> null; cloud.account: \"%lld\" -> null; cloud.region: "
	    "\"ap-shanghai\" -> null; cloud.instance_id: \"ins-1\" -> null",
	    name2, cred, acct);
	expect_last_audit(id, name2, "update", want);
	/* An empty PATCH changes nothing but is still recorded. */
	r = api("PATCH", one, admin_token(), "{}");
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	snprintf(want, sizeof(want), "updated host \"%s\": nothing changed",
	    name2);
	expect_last_audit(id, name2, "update", want);
}
END_TEST

START_TEST(patch_refusals)
{
	static const struct field_spec f[] = {
		{ "name", 0, "string", 128, NULL },
		{ "host_type", 0, "string", 0, "AWS_EC2" },
		{ "os_type", 0, "string", 128, NULL },
		{ "cpu", 0, "int", 0, NULL },
		{ "memory", 0, "int", 0, NULL },
		{ "location", 0, "string", 255, NULL },
		{ "description", 0, "string", 1024, NULL },
		{ "ssh_port", 0, "int", 0, NULL },
		{ "ssh_user", 0, "string", 64, NULL },
		{ "credential", 0, "int", 0, NULL },
		{ "cloud", 0, "object", 0, NULL },
		{ "ip_address", 0, "array", 0, NULL },
		{ "status", 0, "string", 0, "broken" },
		{ "os_status", 0, "string", 0, "broken" },
	};
	const char	*taken = uniq("taken");
	long long	 acct = mkaccount(), id, phy;
	const char	*one;
	char		 body[1024], *before;

	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"host_type\": "
	    "\"ALI_ECS\", \"cloud\": {\"account\": %lld}}", uniq("pr"), acct);
	id = mkhost(body);
	one = path_of("/hosts/%lld/", id);
	mkhost_named(taken, "ALI_ECS");
	phy = mkhost_named(uniq("phy"), "PHY_HOST");
	bad_input_battery("PATCH", one, admin_token(), "{\"cpu\": 1}", f,
	    sizeof(f) / sizeof(f[0]), TABLES);
	refuse("PATCH", one, "{\"name\": \"\"}", "name");
	refuse("PATCH", one, "{\"status\": \"inited\"}", "status");
	refuse("PATCH", one, "{\"os_status\": \"running\"}", "os_status");
	/* A host that has a cloud cannot become PHY_HOST and keep it. */
	refuse("PATCH", one, "{\"host_type\": \"PHY_HOST\"}", "cloud");
	snprintf(body, sizeof(body), "{\"cloud\": {\"account\": %lld}}", acct);
	refuse("PATCH", path_of("/hosts/%lld/", phy), body, "cloud");
	refuse("PATCH", one, "{\"credential\": 0}", "credential");
	refuse("PATCH", one, "{\"ip_address\": [{\"address\": \"1.2.3\"}]}",
	    "ip_address[0].address");
	before = fingerprint("");
	snprintf(body, sizeof(body), "{\"name\": \"%s\"}", taken);
	expect_error(api("PATCH", one, admin_token(), body), 409, 10010, NULL);
	unchanged(before);
}
END_TEST

/* ---- delete ------------------------------------------------------------ */

START_TEST(delete_host)
{
	const char	*name = uniq("del");
	long long	 count, id;
	char		 body[512], want[1024];

	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"host_type\": "
	    "\"CLOUDSTACK_OFFICE\", \"ip_address\": [{\"address\": "
	    "\"172.16.0.5\", \"netmask\": \"255.255.255.255\"}]}", name);
	id = mkhost(body);
	count = db_int("SELECT n FROM row_counts WHERE tbl = 'hosts'");
	expect_status(api("DELETE", path_of("/hosts/%lld/", id), admin_token(),
	    NULL), 200);
	snprintf(body, sizeof(body), "SELECT COUNT(*) FROM hosts WHERE id = %lld",
	    id);
	ck_assert_int_eq(db_int(body), 0);
	snprintf(body, sizeof(body), "SELECT COUNT(*) FROM host_addresses WHERE "
	    "host_id = %lld", id);
	ck_assert_int_eq(db_int(body), 0);
	ck_assert_int_eq(db_int("SELECT n FROM row_counts WHERE tbl = 'hosts'"),
	    count - 1);
	snprintf(want, sizeof(want), "deleted host \"%s\": name: \"%s\" -> "
	    "null; host_type: \"CLOUDSTACK_OFFICE\" -> null; status: \"raw\" "
	    "-> null; os_status: \"unknown\" -> null; os_type: \"\" -> null; "
	    "cpu: \"0\" -> null; memory: \"0\" -> null; location: \"\" -> "
	    "null; ip_address: \"172.16.0.5/255.255.255.255 PRIVATE\" -> null; "
	    "description: \"\" -> null; ssh_port: \"22\" -> null; ssh_user: "
	    "\"root\" -> null", name, name);
	expect_last_audit(id, name, "delete", want);
	expect_error(api("DELETE", path_of("/hosts/%lld/", id), admin_token(),
	    NULL), 404, 10008, NULL);
}
END_TEST

/* An application named name with an instance on host; the app's id. */
static long long
mkinstance(long long host, const char *name)
{
	char		sql[512];
	long long	app;

	snprintf(sql, sizeof(sql), "INSERT INTO applications (name, full_name) "
	    "VALUES ('%s', '%s')", name, name);
	app = db_insert(sql);
	snprintf(sql, sizeof(sql), "INSERT INTO app_instances (app_id, host_id) "
	    "VALUES (%lld, %lld)", app, host);
	db_exec(sql);
	return app;
}

START_TEST(delete_with_instances_is_409)
{
	long long	 id = mkhost_named(uniq("busy"), "ALI_ECS");
	char		*before, sql[256];

	mkinstance(id, uniq("app"));
	before = fingerprint(",app_instances");
	expect_error(api("DELETE", path_of("/hosts/%lld/", id), admin_token(),
	    NULL), 409, 10010, NULL);
	unchanged_in(before, ",app_instances");
	snprintf(sql, sizeof(sql), "DELETE FROM app_instances WHERE host_id = "
	    "%lld", id);
	db_exec(sql);
	expect_status(api("DELETE", path_of("/hosts/%lld/", id), admin_token(),
	    NULL), 200);
}
END_TEST

/* ---- lists --------------------------------------------------------------- */

/* GET path; assert count and the ids of results, newest first. */
static void
expect_ids(const char *path, long long count, const long long *ids, size_t n)
{
	struct resp	*r = api("GET", path, admin_token(), NULL);
	size_t		 i;
	char		 p[32];

	ck_assert_msg(r->status == 200, "%s: %s", path, r->body);
	ck_assert_msg(jint(r->json, "count") == count, "%s: count %lld, want "
	    "%lld", path, jint(r->json, "count"), count);
	ck_assert_msg(jlen(r->json, "results") == n, "%s: %s", path, r->body);
	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "results.%zu.id", i);
		ck_assert_msg(jint(r->json, p) == ids[i], "%s: %s is %lld, want "
		    "%lld", path, p, jint(r->json, p), ids[i]);
	}
	resp_free(r);
}

START_TEST(list_filters)
{
	const char	*tag = uniq("lf");
	long long	 h[4];
	char		 body[1024], q[512], sql[256];
	int		 i;
	static const char *const types[] = { "ALI_ECS", "PHY_HOST", "ALI_ECS",
		"TECENT_CPM" };

	for (i = 0; i < 4; i++) {
		snprintf(body, sizeof(body), "{\"name\": \"%s-%d\", \"host_type\": "
		    "\"%s\", \"ip_address\": [{\"address\": \"10.77.%d.1\"}, "
		    "{\"address\": \"fd00:77::%d\"}]}", tag, i, types[i], i, i + 10);
		h[i] = mkhost(body);
	}
	snprintf(sql, sizeof(sql), "UPDATE hosts SET status = 'inited', "
	    "os_status = 'running' WHERE id = %lld", h[1]);
	db_exec(sql);
	snprintf(sql, sizeof(sql), "UPDATE hosts SET status = 'inited' WHERE "
	    "id = %lld", h[3]);
	db_exec(sql);
	snprintf(q, sizeof(q), "/hosts/?name=%s", tag);
	expect_ids(q, 4, (long long[]){ h[3], h[2], h[1], h[0] }, 4);
	snprintf(q, sizeof(q), "/hosts/?name=%s&host_type=ALI_ECS", tag);
	expect_ids(q, 2, (long long[]){ h[2], h[0] }, 2);
	snprintf(q, sizeof(q), "/hosts/?name=%s&status=inited", tag);
	expect_ids(q, 2, (long long[]){ h[3], h[1] }, 2);
	snprintf(q, sizeof(q), "/hosts/?name=%s&status=inited&os_status=running",
	    tag);
	expect_ids(q, 1, (long long[]){ h[1] }, 1);
	snprintf(q, sizeof(q), "/hosts/?name=%s&os_status=unknown&page_size=2",
	    tag);
	expect_ids(q, 3, (long long[]){ h[3], h[2] }, 2);
	snprintf(q, sizeof(q), "/hosts/?name=%s&os_status=unknown&page_size=2"
	    "&page=2", tag);
	expect_ids(q, 3, (long long[]){ h[0] }, 1);
	snprintf(q, sizeof(q), "/hosts/?name=%s&page=9", tag);
	expect_ids(q, 4, NULL, 0);
	/* ip: a whole address matches exactly, in any spelling. */
	expect_ids("/hosts/?ip=10.77.2.1", 1, (long long[]){ h[2] }, 1);
	expect_ids("/hosts/?ip=FD00:77:0::13", 1, (long long[]){ h[3] }, 1);
	/* ... anything else is a substring of any of the host's addresses. */
	snprintf(q, sizeof(q), "/hosts/?name=%s&ip=10.77.", tag);
	expect_ids(q, 4, (long long[]){ h[3], h[2], h[1], h[0] }, 4);
	snprintf(q, sizeof(q), "/hosts/?name=%s&ip=D00:77&host_type=ALI_ECS", tag);
	expect_ids(q, 2, (long long[]){ h[2], h[0] }, 2);
	expect_ids("/hosts/?ip=10.77.9.", 0, NULL, 0);
	/* A name's % and _ are literal; case does not matter. */
	expect_ids("/hosts/?name=%25", 0, NULL, 0);
	snprintf(q, sizeof(q), "/hosts/?name=%s-_", tag);
	expect_ids(q, 0, NULL, 0);
	snprintf(q, sizeof(q), "/hosts/?name=%s-3", upper(tag));
	expect_ids(q, 1, (long long[]){ h[3] }, 1);
	/* The next/prev links keep the filters. */
	{
		struct resp *r;

		snprintf(q, sizeof(q), "/hosts/?name=%s&page_size=1&page=2", tag);
		r = api("GET", q, admin_token(), NULL);
		snprintf(q, sizeof(q), "/hosts/?name=%s&page_size=1&page=3", tag);
		ck_assert_str_eq(jstr(r->json, "next"), q);
		snprintf(q, sizeof(q), "/hosts/?name=%s&page_size=1&page=1", tag);
		ck_assert_str_eq(jstr(r->json, "prev"), q);
		expect_host(jpath(r->json, "results.0"), h[2], jstr(r->json,
		    "results.0.name"), "ALI_ECS", "", 0, 0, "", "", 22, "root", 2);
		expect_addr(jpath(r->json, "results.0.ip_address.0"), "10.77.2.1",
		    "", "", "PRIVATE", "HOST", 0);
		expect_addr(jpath(r->json, "results.0.ip_address.1"),
		    "fd00:77::12", "", "", "PRIVATE", "HOST", 0);
		resp_free(r);
	}
}
END_TEST

START_TEST(list_unfiltered_and_bad_filters)
{
	long long	 id = mkhost_named(uniq("top"), "ALI_ECS"), n;
	struct resp	*r;

	n = db_int("SELECT COUNT(*) FROM hosts");
	r = api("GET", "/hosts/?page_size=1", admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), n);
	ck_assert_int_eq(jint(r->json, "results.0.id"), id);
	ck_assert_str_eq(jstr(r->json, "next"), "/hosts/?page_size=1&page=2");
	ck_assert_ptr_null(jpath(r->json, "prev"));
	resp_free(r);
	r = api("GET", "/hosts/?page_size=1&page=100000", admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), n);
	ck_assert_int_eq(jlen(r->json, "results"), 0);
	resp_free(r);
	expect_error(api("GET", "/hosts/?host_type=AWS", admin_token(), NULL),
	    400, 10002, "host_type");
	expect_error(api("GET", "/hosts/?status=gone", admin_token(), NULL),
	    400, 10002, "status");
	expect_error(api("GET", "/hosts/?os_status=RUNNING", admin_token(), NULL),
	    400, 10002, "os_status");
	expect_error(api("GET", "/hosts/?ip=10.0.0.1%27", admin_token(), NULL),
	    400, 10002, "ip");
	expect_error(api("GET", "/hosts/?ip=", admin_token(), NULL), 400, 10002,
	    "ip");
	expect_error(api("GET", "/hosts/?page_size=1001", admin_token(), NULL),
	    400, 10002, "page_size");
}
END_TEST

/*
 * Unfiltered pages deep in a list of over 1,000 hosts (walked from the
 * other end past the middle) hold exactly the rows an OFFSET query would.
 */
START_TEST(deep_pages_match_the_database)
{
	const char	*tag = uniq("bulk");
	long long	 count, sizes[] = { 1, 7, 20 }, size, page, last;
	struct resp	*r;
	char		 sql[512], q[128];
	size_t		 s;
	int		 k;

	snprintf(sql, sizeof(sql), "INSERT INTO hosts (name, host_type) SELECT "
	    "CONCAT('%s-', seq), 'PHY_HOST' FROM seq_1_to_1500", tag);
	db_exec(sql);
	count = db_int("SELECT COUNT(*) FROM hosts");
	ck_assert_int_eq(db_int("SELECT n FROM row_counts WHERE tbl = 'hosts'"),
	    count);
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		size = sizes[s];
		last = (count + size - 1) / size;
		for (k = 0; k <= 6; k++) {
			page = k == 6 ? last : 1 + (last - 1) * k / 5;
			snprintf(q, sizeof(q), "/hosts/?page_size=%lld&page=%lld",
			    size, page);
			r = api("GET", q, admin_token(), NULL);
			ck_assert_int_eq(r->status, 200);
			ck_assert_int_eq(jint(r->json, "count"), count);
			snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM hosts WHERE "
			    "id <= (SELECT id FROM hosts ORDER BY id DESC LIMIT 1 "
			    "OFFSET %lld) AND id > COALESCE((SELECT id FROM hosts "
			    "ORDER BY id DESC LIMIT 1 OFFSET %lld), 0)",
			    (page - 1) * size, page * size);
			ck_assert_int_eq(jlen(r->json, "results"), db_int(sql));
			snprintf(sql, sizeof(sql), "SELECT id FROM hosts ORDER BY "
			    "id DESC LIMIT 1 OFFSET %lld", (page - 1) * size);
			ck_assert_msg(jint(r->json, "results.0.id") == db_int(sql),
			    "%s: first id %lld", q, jint(r->json, "results.0.id"));
			snprintf(q, sizeof(q), "results.%zu.id",
			    jlen(r->json, "results") - 1);
			snprintf(sql, sizeof(sql), "SELECT id FROM hosts ORDER BY "
			    "id DESC LIMIT 1 OFFSET %lld", (page - 1) * size +
			    (long long)jlen(r->json, "results") - 1);
			ck_assert_int_eq(jint(r->json, q), db_int(sql));
			if (page == last)
				ck_assert_ptr_null(jpath(r->json, "next"));
			resp_free(r);
		}
	}
	snprintf(sql, sizeof(sql), "DELETE FROM hosts WHERE name LIKE '%s-%%'",
	    tag);
	db_exec(sql);
}
END_TEST

START_TEST(host_applications)
{
	long long	 id = mkhost_named(uniq("ha"), "ALI_ECS");
	long long	 other = mkhost_named(uniq("ha"), "ALI_ECS");
	const char	*a1 = uniq("app"), *a2 = uniq("app");
	long long	 app1 = mkinstance(id, a1), app2 = mkinstance(id, a2);
	struct resp	*r;
	char		 sql[256];

	mkinstance(other, uniq("app"));
	snprintf(sql, sizeof(sql), "INSERT INTO applications (name, full_name, "
	    "parent_id, depth) VALUES ('kid', '%s.kid', %lld, 1)", a2, app2);
	db_exec(sql);
	r = api("GET", path_of("/hosts/%lld/applications/", id), admin_token(),
	    NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(jint(r->json, "results.0.id"), app2);
	ck_assert_str_eq(jstr(r->json, "results.0.name"), a2);
	ck_assert_str_eq(jstr(r->json, "results.0.full_name"), a2);
	ck_assert_int_eq(jbool(r->json, "results.0.has_child"), 1);
	ck_assert(jnull(r->json, "results.0.production"));
	ck_assert(jnull(r->json, "results.0.parent_app"));
	ck_assert_int_eq(jbool(r->json, "results.0.available_actions.view_app"),
	    1);
	ck_assert_int_eq(jint(r->json, "results.1.id"), app1);
	ck_assert_int_eq(jbool(r->json, "results.1.has_child"), 0);
	resp_free(r);
	r = api("GET", path_of("/hosts/%lld/applications/?page_size=1&page=2",
	    id), admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(jint(r->json, "results.0.id"), app1);
	resp_free(r);
	r = api("GET", path_of("/hosts/%lld/applications/", mkhost_named(
	    uniq("idle"), "PHY_HOST")), admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	ck_assert_int_eq(jlen(r->json, "results"), 0);
	resp_free(r);
}
END_TEST

/* Grant user uid a module perm, or a per-host/app perm (id > 0). */
static void
grant(long long uid, const char *type, long long id, const char *perm)
{
	char sql[512];

	if (id == 0)
		snprintf(sql, sizeof(sql), "INSERT INTO module_grants (subject_type, "
		    "subject_id, module, perm) VALUES ('user', %lld, '%s', '%s')",
		    uid, type, perm);
	else
		snprintf(sql, sizeof(sql), "INSERT INTO resource_grants "
		    "(subject_type, subject_id, resource_type, resource_id, perm) "
		    "VALUES ('user', %lld, '%s', %lld, '%s')", uid, type, id, perm);
	db_exec(sql);
}

START_TEST(lists_show_what_the_caller_may_view)
{
	const char	*tag = uniq("vis");
	long long	 uid, mid, a, b, app1, app2;
	const char	*tok = user_token(uniq("viewer"), 0, &uid);
	const char	*mtok = user_token(uniq("manager"), 0, &mid);
	struct resp	*r;
	char		 q[256];

	snprintf(q, sizeof(q), "{\"name\": \"%s-a\", \"host_type\": "
	    "\"ALI_ECS\", \"ip_address\": [{\"address\": \"10.99.0.1\"}]}",
	    tag);
	a = mkhost(q);
	snprintf(q, sizeof(q), "{\"name\": \"%s-b\", \"host_type\": "
	    "\"ALI_ECS\", \"ip_address\": [{\"address\": \"10.99.0.2\"}]}",
	    tag);
	b = mkhost(q);
	app1 = mkinstance(a, uniq("vapp"));
	app2 = mkinstance(a, uniq("vapp"));
	grant(uid, "resource", 0, "enable_host_mgmt");
	grant(uid, "host", a, "view_host");
	/* The list, filtered or not, holds only host a; b does not exist. */
	snprintf(q, sizeof(q), "/hosts/?name=%s", tag);
	r = api("GET", q, tok, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), a);
	resp_free(r);
	r = api("GET", "/hosts/", tok, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), a);
	resp_free(r);
	r = api("GET", "/hosts/?ip=10.99.0.", tok, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), a);
	resp_free(r);
	r = api("GET", "/hosts/?ip=10.99.0.2", tok, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	r = api("GET", "/hosts/?ip=10.99.0.2", admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), b);
	resp_free(r);
	expect_status(api("GET", path_of("/hosts/%lld/", a), tok, NULL), 200);
	expect_error(api("GET", path_of("/hosts/%lld/", b), tok, NULL), 404,
	    10008, NULL);
	expect_error(api("PATCH", path_of("/hosts/%lld/", a), tok,
	    "{\"cpu\": 1}"), 403, 10007, NULL);
	/* Applications on a host: only those the caller may view. */
	r = api("GET", path_of("/hosts/%lld/applications/", a), tok, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	grant(uid, "application", 0, "enable_app_mgmt");
	grant(uid, "application", app1, "view_app");
	r = api("GET", path_of("/hosts/%lld/applications/", a), tok, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), app1);
	ck_assert_int_eq(jbool(r->json, "results.0.available_actions.view_app"),
	    1);
	ck_assert_int_eq(jbool(r->json, "results.0.available_actions.edit_app"),
	    0);
	resp_free(r);
	ck_assert_int_ne(app1, app2);
	/* manage_host is view_host on every host: the whole list. */
	grant(mid, "resource", 0, "enable_host_mgmt");
	grant(mid, "resource", 0, "manage_host");
	r = api("GET", "/hosts/?page_size=1", mtok, NULL);
	ck_assert_int_eq(jint(r->json, "count"),
	    db_int("SELECT COUNT(*) FROM hosts"));
	ck_assert_int_eq(jint(r->json, "results.0.id"),
	    db_int("SELECT MAX(id) FROM hosts"));
	resp_free(r);
}
END_TEST

/* ---- audit ---------------------------------------------------------------- */

START_TEST(audit_list_and_filters)
{
	const char	*name = uniq("au");
	long long	 id = mkhost_named(name, "ALI_ECS");
	const char	*one = path_of("/hosts/%lld/", id);
	struct resp	*r;
	char		 q[512], *s;

	expect_status(api("PATCH", one, admin_token(), "{\"cpu\": 3}"), 200);
	expect_status(api("DELETE", one, admin_token(), NULL), 200);
	snprintf(q, sizeof(q), "/audit/host-operations/?hostname=%s", name);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert_int_eq(jkeys(r->json, "results.0"), 6);
	ck_assert_str_eq(jstr(r->json, "results.0.op_type"), "delete");
	ck_assert_str_eq(jstr(r->json, "results.1.op_type"), "update");
	ck_assert_str_eq(jstr(r->json, "results.2.op_type"), "add");
	ck_assert_str_eq(jstr(r->json, "results.0.hostname"), name);
	ck_assert_str_eq(jstr(r->json, "results.0.operator"), "admin");
	expect_recent(r->json, "results.0.op_time");
	s = last_audit("op_detail");
	ck_assert_str_eq(jstr(r->json, "results.0.op_detail"), s);
	free(s);
	snprintf(q, sizeof(q), "updated host \"%s\": cpu: \"0\" -> \"3\"",
	    name);
	ck_assert_str_eq(jstr(r->json, "results.1.op_detail"), q);
	ck_assert_int_gt(jint(r->json, "results.0.id"),
	    jint(r->json, "results.1.id"));
	resp_free(r);
	snprintf(q, sizeof(q), "/audit/host-operations/?hostname=%s&op_type="
	    "update", name);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	resp_free(r);
	snprintf(q, sizeof(q), "/audit/host-operations/?hostname=%s&op_detail="
	    "cpu%%3A%%20%%220%%22%%20-%%3E%%20%%223%%22&operator=ADM", name);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_str_eq(jstr(r->json, "results.0.op_type"), "update");
	resp_free(r);
	snprintf(q, sizeof(q), "/audit/host-operations/?hostname=%s&operator="
	    "nobody", name);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	/* Time bounds are inclusive; a bare date covers its whole day. */
	snprintf(q, sizeof(q), "/audit/host-operations/?hostname=%s"
	    "&op_time__gt=2000-01-01&op_time__lt=2999-01-01", name);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	resp_free(r);
	snprintf(q, sizeof(q), "/audit/host-operations/?hostname=%s"
	    "&op_time__lt=2000-01-01", name);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	snprintf(q, sizeof(q), "/audit/host-operations/?hostname=%s"
	    "&op_time__gt=%lld", name, (long long)time(NULL) + 3600);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	expect_error(api("GET", "/audit/host-operations/?op_type=remove",
	    admin_token(), NULL), 400, 10002, "op_type");
	expect_error(api("GET", "/audit/host-operations/?op_time__gt=yesterday",
	    admin_token(), NULL), 400, 10002, "op_time__gt");
	/* Rows other families write with the seed's other op_types. */
	db_exec("INSERT INTO audit_log (kind, op_type, target_id, target_name, "
	    "op_detail, operator) VALUES ('host', 'deatach_app', 1, "
	    "'audit-seeded', 'removed instance', 'admin')");
	r = api("GET", "/audit/host-operations/?op_type=deatach_app&hostname="
	    "audit-seeded", admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_str_eq(jstr(r->json, "results.0.op_detail"), "removed instance");
	resp_free(r);
}
END_TEST

START_TEST(refused_writes_leave_no_audit)
{
	long long	 before, id;

	(void)admin_token();
	before = db_int("SELECT COUNT(*) FROM audit_log");
	id = mkhost_named(uniq("na"), "ALI_ECS");

	ck_assert_int_eq(db_int("SELECT COUNT(*) FROM audit_log"), before + 1);
	refuse("PATCH", path_of("/hosts/%lld/", id), "{\"ip_address\": "
	    "[{\"address\": \"10.0.0.1\"}, {\"address\": \"nope\"}]}",
	    "ip_address[1].address");
	refuse("POST", "/hosts/", "{\"name\": \"na\", \"host_type\": "
	    "\"ALI_ECS\", \"ip_address\": [{\"address\": \"10.0.0.1\", "
	    "\"netmask\": \"255.255.0.255\"}]}", "ip_address[0].netmask");
	ck_assert_int_eq(db_int("SELECT COUNT(*) FROM audit_log"), before + 1);
}
END_TEST

/*
 * Attaching a credential takes manage_credential, a cloud account a
 * superuser (they let host tasks log in with the key, or power instances
 * in the account); a host keeping the ones it has needs neither.
 */
START_TEST(attaching_credential_or_cloud_needs_their_permission)
{
	long long	 uid, cred = mkcredential("ssh_key"), acct = mkaccount();
	long long	 other = mkcredential("ssh_key"), acct2 = mkaccount(), id;
	const char	*tok = user_token(uniq("hatt"), 0, &uid);
	char		*before, body[512], cloud[256], cloud2[256];
	const char	*one;
	struct resp	*r;

	grant(uid, "resource", 0, "enable_host_mgmt");
	grant(uid, "resource", 0, "add_host");
	grant(uid, "resource", 0, "manage_host");
	snprintf(cloud, sizeof(cloud), "{\"account\": %lld, \"region\": "
	    "\"cn-hangzhou\", \"instance_id\": \"i-x\"}", acct);
	snprintf(cloud2, sizeof(cloud2), "{\"account\": %lld, \"region\": "
	    "\"cn-hangzhou\", \"instance_id\": \"i-x\"}", acct2);
	/* refused whether or not the object exists: ids are not probed */
	before = fingerprint("");
	expect_error(api_f("POST", "/hosts/", tok, "{\"name\": \"%s\", "
	    "\"host_type\": \"PHY_HOST\", \"credential\": %lld}",
	    uniq("hatt"), cred), 403, 10007, NULL);
	expect_error(api_f("POST", "/hosts/", tok, "{\"name\": \"%s\", "
	    "\"host_type\": \"PHY_HOST\", \"credential\": 999999999}",
	    uniq("hatt")), 403, 10007, NULL);
	expect_error(api_f("POST", "/hosts/", tok, "{\"name\": \"%s\", "
	    "\"host_type\": \"ALI_ECS\", \"cloud\": %s}", uniq("hatt"),
	    cloud), 403, 10007, NULL);
	unchanged(before);
	/* a host the admin set up: the user may send both back unchanged */
	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"host_type\": "
	    "\"ALI_ECS\", \"credential\": %lld, \"cloud\": %s}", uniq("hatt"),
	    cred, cloud);
	id = mkhost(body);
	one = path_of("/hosts/%lld/", id);
	expect_status(api_f("PATCH", one, tok, "{\"cpu\": 2, \"credential\": "
	    "%lld, \"cloud\": %s}", cred, cloud), 200);
	/* but not change them */
	before = fingerprint("");
	expect_error(api_f("PATCH", one, tok, "{\"credential\": %lld}", other),
	    403, 10007, NULL);
	expect_error(api_f("PATCH", one, tok, "{\"cloud\": %s}", cloud2), 403,
	    10007, NULL);
	unchanged(before);
	/* with manage_credential (and its switch) the credential may change */
	expect_status(api_f("POST", path_of("/users/%lld/system/perms/", uid),
	    admin_token(), "{\"module_name\": \"deploy_template\", "
	    "\"permissions\": {\"enable_deploy_template_mgmt\": true, "
	    "\"manage_credential\": true}}"), 200);
	r = api_f("PATCH", one, tok, "{\"credential\": %lld}", other);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "credential"), other);
	ck_assert_int_eq(jint(r->json, "cloud.account"), acct);
	resp_free(r);
	/* the account still needs a superuser; an admin may */
	expect_error(api_f("PATCH", one, tok, "{\"cloud\": %s}", cloud2), 403,
	    10007, NULL);
	r = api_f("PATCH", one, admin_token(), "{\"cloud\": %s}", cloud2);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "cloud.account"), acct2);
	resp_free(r);
}
END_TEST

/*
 * POST may record a machine as it is (API.md section 6): raw, or inited
 * when already set up; the audit row says so.
 */
START_TEST(create_inventory_import)
{
	const char	*name = uniq("inv");
	long long	 id;
	struct resp	*r;
	char		*s;

	r = api_f("POST", "/hosts/", admin_token(), "{\"name\": \"%s\", "
	    "\"host_type\": \"PHY_HOST\", \"status\": \"inited\", "
	    "\"os_status\": \"unknown\"}", name);
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "status"), "inited");
	ck_assert_str_eq(jstr(r->json, "os_status"), "unknown");
	id = jint(r->json, "id");
	resp_free(r);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM hosts WHERE id = "
	    "%lld AND status = 'inited'", id)), 1);
	s = last_audit("op_detail");
	ck_assert_msg(strstr(s, "status: null -> \"inited\"") != NULL, "%s", s);
	free(s);
	/* and stays so: PATCH does not change it */
	refuse("PATCH", path_of("/hosts/%lld/", id), "{\"status\": \"raw\"}",
	    "status");
	r = api_f("POST", "/hosts/", admin_token(), "{\"name\": \"%s\", "
	    "\"host_type\": \"PHY_HOST\", \"status\": \"raw\"}", uniq("inv"));
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "status"), "raw");
	resp_free(r);
}
END_TEST

/*
 * Changing where a host that keeps its credential uses it (which address
 * the agent connects to, ssh_user, ssh_port) takes what attaching the
 * credential takes; changing where a host that keeps its cloud account
 * acts (cloud.region, cloud.instance_id, host_type) takes a superuser.
 * Otherwise edit_host on one host would point the key or the account at
 * any machine.  Sending them back unchanged, changing what moves nothing
 * (a netmask), or moving a host that holds neither, needs no more.
 */
START_TEST(moving_credential_or_cloud_needs_their_permission)
{
	long long	 uid, id, bare, acct = mkaccount();
	long long	 cred = mkcredential("ssh_key");
	const char	*tok = user_token(uniq("hmov"), 0, &uid);
	const char	*cloud_fmt = "{\"account\": %lld, \"region\": \"%s\", "
			    "\"instance_id\": \"%s\"}";
	const char	*moves[9];
	char		*before, body[1024], cloud[256], one[64], m[3][256];
	struct resp	*r;
	size_t		 i;

	snprintf(cloud, sizeof(cloud), cloud_fmt, acct, "cn-hangzhou", "i-a");
	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"host_type\": "
	    "\"ALI_ECS\", \"ip_address\": [{\"address\": \"10.9.0.1\", "
	    "\"netmask\": \"24\"}], \"ssh_user\": \"ops\", \"credential\": "
	    "%lld, \"cloud\": %s}", uniq("hmov"), cred, cloud);
	id = mkhost(body);
	bare = mkhost_named(uniq("hmov"), "PHY_HOST");
	snprintf(one, sizeof(one), "/hosts/%lld/", id);
	grant(uid, "resource", 0, "enable_host_mgmt");
	grant(uid, "host", id, "view_host");
	grant(uid, "host", id, "edit_host");
	grant(uid, "host", bare, "view_host");
	grant(uid, "host", bare, "edit_host");
	moves[0] = "{\"ip_address\": [{\"address\": \"203.0.113.9\"}]}";
	moves[1] = "{\"ip_address\": [{\"address\": \"10.9.0.1\", "
	    "\"netmask\": \"24\"}, {\"address\": \"203.0.113.9\"}]}";
	moves[2] = "{\"ip_address\": [{\"address\": \"10.9.0.1\", "
	    "\"netmask\": \"24\", \"addr_type\": \"PUBLIC\"}]}";
	moves[3] = "{\"ssh_user\": \"root\"}";
	moves[4] = "{\"ssh_port\": 2222}";
	snprintf(m[0], sizeof(m[0]), "{\"cloud\": {\"account\": %lld, "
	    "\"region\": \"cn-beijing\", \"instance_id\": \"i-a\"}}", acct);
	snprintf(m[1], sizeof(m[1]), "{\"cloud\": {\"account\": %lld, "
	    "\"region\": \"cn-hangzhou\", \"instance_id\": \"i-b\"}}", acct);
	snprintf(m[2], sizeof(m[2]), "{\"cloud\": {\"account\": %lld}}",
	    acct);
	moves[5] = m[0];
	moves[6] = m[1];
	moves[7] = m[2];
	moves[8] = "{\"host_type\": \"TECENT_CVM\"}";
	before = fingerprint("");
	for (i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
		expect_error(api("PATCH", one, tok, moves[i]), 403, 10007,
		    NULL);
	r = api("PATCH", one, tok, "{\"ssh_port\": 2222}");
	ck_assert_msg(strstr(r->body, "deploy_template.manage_credential "
	    "needed to change ssh_port of a host using credential") != NULL,
	    "%s", r->body);
	resp_free(r);
	r = api("PATCH", one, tok, "{\"host_type\": \"TECENT_CVM\"}");
	ck_assert_msg(strstr(r->body, "only a superuser may change host_type "
	    "of a host using cloud account") != NULL, "%s", r->body);
	resp_free(r);
	unchanged(before);
	/* sent back as they are, or with only a netmask changed: allowed */
	r = api_f("PATCH", one, tok, "{\"cpu\": 4, \"host_type\": \"ALI_ECS\", "
	    "\"ip_address\": [{\"address\": \"10.9.0.1\", \"netmask\": "
	    "\"255.255.255.0\"}], \"ssh_user\": \"ops\", \"ssh_port\": 22, "
	    "\"credential\": %lld, \"cloud\": %s}", cred, cloud);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "ip_address.0.netmask"),
	    "255.255.255.0");
	resp_free(r);
	/* a host with neither moves freely */
	expect_status(api("PATCH", path_of("/hosts/%lld/", bare), tok,
	    "{\"ssh_user\": \"root2\", \"ssh_port\": 2200, \"ip_address\": "
	    "[{\"address\": \"203.0.113.7\"}]}"), 200);
	/* with manage_credential the SSH target may move, the instance not */
	expect_status(api_f("POST", path_of("/users/%lld/system/perms/", uid),
	    admin_token(), "{\"module_name\": \"deploy_template\", "
	    "\"permissions\": {\"enable_deploy_template_mgmt\": true, "
	    "\"manage_credential\": true}}"), 200);
	r = api("PATCH", one, tok, "{\"ssh_port\": 2222, \"ip_address\": "
	    "[{\"address\": \"10.9.0.2\"}]}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "ssh_port"), 2222);
	resp_free(r);
	before = fingerprint("");
	expect_error(api("PATCH", one, tok, moves[5]), 403, 10007, NULL);
	unchanged(before);
	/* a superuser may; and a host that lets its account go moves freely */
	expect_status(api("PATCH", one, admin_token(), moves[5]), 200);
	r = api("PATCH", one, tok, "{\"cloud\": null, \"host_type\": "
	    "\"TECENT_CVM\"}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert(jnull(r->json, "cloud"));
	resp_free(r);
}
END_TEST

static TCase *
tc_hosts(void)
{
	TCase *tc = tcase_create("hosts");

	tcase_add_test(tc, create_every_field);
	tcase_add_test(tc, create_defaults);
	tcase_add_test(tc, round_trips_sql_and_unicode);
	tcase_add_test(tc, create_bad_input);
	tcase_add_test(tc, create_refusals);
	tcase_add_test(tc, auth_and_permissions);
	tcase_add_test(tc, unknown_ids_are_404);
	tcase_add_test(tc, patch_fields_and_audit);
	tcase_add_test(tc, patch_refusals);
	tcase_add_test(tc, delete_host);
	tcase_add_test(tc, delete_with_instances_is_409);
	tcase_add_test(tc, list_filters);
	tcase_add_test(tc, list_unfiltered_and_bad_filters);
	tcase_add_test(tc, deep_pages_match_the_database);
	tcase_add_test(tc, host_applications);
	tcase_add_test(tc, lists_show_what_the_caller_may_view);
	tcase_add_test(tc, audit_list_and_filters);
	tcase_add_test(tc, refused_writes_leave_no_audit);
	tcase_add_test(tc, attaching_credential_or_cloud_needs_their_permission);
	tcase_add_test(tc, moving_credential_or_cloud_needs_their_permission);
	tcase_add_test(tc, create_inventory_import);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_hosts };

	return run_suite("hosts", cases, 1) ? 1 : 0;
}
