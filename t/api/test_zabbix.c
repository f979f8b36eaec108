/*
 * test_zabbix.c -- Hangar and Zabbix: change-zabbix-opts, the Zabbix checks
 * of init tasks, and the seed's errors 30001 (Zabbix failed, 502), 30002
 * (no such template, 400) and 30003 (no such host group, 400).
 *
 * Zabbix here is t/zabbix-standin.py, a strict stand-in for the Zabbix 6.0
 * JSON-RPC API that run-tests.sh starts and points the stack at
 * (HANGAR_ZABBIX_URL).  The test sets up its groups and templates and reads
 * back what Hangar registered through the same JSON-RPC API, as it would
 * with a real Zabbix.  The init test runs end to end when hangar-agent is
 * built and t/sshd-hosts.sh can start an sshd test host: it stops the
 * stack's agent, runs one with an init_script, and starts the stack's
 * agent again.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <curl/curl.h>

#include "authlib.h"

#define TABLES	"tasks,task_hosts,outbox,hosts,host_zabbix,audit_log"
#define NONASCII "\xe5\xbc\xa0\xe4\xb8\x89"	/* 张三 */
#define SQLI	"'; DROP TABLE users; --"

/* The tables this file's refusals must leave as they were. */
#define unchanged(before)	db_unchanged((before), TABLES)

/* ---- talking to Zabbix directly -------------------------------------- */

struct buf {
	char	*b;
	size_t	 n;
};

static size_t
collect(char *p, size_t size, size_t nmemb, void *arg)
{
	struct buf *b = arg;

	b->b = realloc(b->b, b->n + size * nmemb + 1);
	memcpy(b->b + b->n, p, size * nmemb);
	b->n += size * nmemb;
	b->b[b->n] = '\0';
	return size * nmemb;
}

/* One JSON-RPC call; its "result" (caller puts the returned root). */
static json_object *
zrpc(const char *method, const char *params, json_object **root)
{
	static char		 token[64];
	const char		*url = getenv("HANGAR_ZABBIX_URL");
	struct curl_slist	*h = NULL;
	struct buf		 b = { NULL, 0 };
	json_object		*res;
	CURL			*c;
	char			 body[8192];

	ck_assert_msg(url != NULL, "HANGAR_ZABBIX_URL is not set");
	if (token[0] == '\0' && strcmp(method, "user.login") != 0) {
		json_object *r2, *t;

		t = zrpc("user.login", "{\"username\": \"Admin\", \"password\": "
		    "\"zabbix\"}", &r2);
		snprintf(token, sizeof(token), "%s", json_object_get_string(t));
		json_object_put(r2);
	}
	if (strcmp(method, "user.login") == 0)
		snprintf(body, sizeof(body), "{\"jsonrpc\": \"2.0\", \"method\": "
		    "\"%s\", \"params\": %s, \"id\": 1}", method, params);
	else
		snprintf(body, sizeof(body), "{\"jsonrpc\": \"2.0\", \"method\": "
		    "\"%s\", \"params\": %s, \"id\": 1, \"auth\": \"%s\"}", method,
		    params, token);
	c = curl_easy_init();
	h = curl_slist_append(h, "Content-Type: application/json-rpc");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	ck_assert_int_eq(curl_easy_perform(c), CURLE_OK);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	*root = json_tokener_parse(b.b);
	ck_assert_msg(*root != NULL && json_object_object_get_ex(*root, "result",
	    &res), "%s: %s", method, b.b);
	free(b.b);
	return res;
}

static const char *
mkgroup(const char *name)
{
	json_object *root;

	zrpc("hostgroup.create", fmt("{\"name\": \"%s\"}", name), &root);
	json_object_put(root);
	return name;
}

/* A template in the stock host group "Linux servers" (6.0 has no
 * template groups). */
static const char *
mktemplate(const char *name)
{
	json_object	*root, *res;
	char		 gid[32];

	res = zrpc("hostgroup.get", "{\"output\": [\"groupid\"], \"filter\": "
	    "{\"name\": [\"Linux servers\"]}}", &root);
	snprintf(gid, sizeof(gid), "%s", jstr(json_object_array_get_idx(res, 0),
	    "groupid"));
	json_object_put(root);
	zrpc("template.create", fmt("{\"host\": \"%s\", \"groups\": "
	    "[{\"groupid\": \"%s\"}]}", name, gid), &root);
	json_object_put(root);
	return name;
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Append the sorted key values of the objects in array a to s. */
static void
names_of(char *s, size_t len, json_object *a, const char *key)
{
	const char	*v[64];
	size_t		 i, n = json_object_array_length(a);

	ck_assert_uint_le(n, 64);
	for (i = 0; i < n; i++)
		v[i] = jstr(json_object_array_get_idx(a, i), key);
	qsort(v, n, sizeof(v[0]), cmpstr);
	for (i = 0; i < n; i++)
		snprintf(s + strlen(s), len - strlen(s), "%s%s", i ? "," : "",
		    v[i]);
}

/*
 * What Zabbix has for host name: "groups|templates", each a sorted comma
 * list (Zabbix returns them in id order), or NULL when it has no such host.
 */
static char *
zhost(const char *name)
{
	json_object	*root, *res, *h;
	char		*out;
	static char	 s[2048];

	res = zrpc("host.get", fmt("{\"output\": [\"hostid\", \"host\"], "
	    "\"filter\": {\"host\": [\"%s\"]}, \"selectGroups\": \"extend\", "
	    "\"selectParentTemplates\": [\"host\"]}", name), &root);
	if (json_object_array_length(res) == 0) {
		json_object_put(root);
		return NULL;
	}
	ck_assert_int_eq(json_object_array_length(res), 1);
	h = json_object_array_get_idx(res, 0);
	s[0] = '\0';
	names_of(s, sizeof(s), jpath(h, "groups"), "name");
	strncat(s, "|", sizeof(s) - strlen(s) - 1);
	names_of(s, sizeof(s), jpath(h, "parentTemplates"), "host");
	out = strdup(s);
	json_object_put(root);
	return out;
}

/* The interface Zabbix has for host name: "type main useip ip dns port". */
static char *
ziface(const char *name)
{
	json_object	*root, *res, *i;
	char		*out;

	res = zrpc("host.get", fmt("{\"output\": [\"hostid\"], \"filter\": "
	    "{\"host\": [\"%s\"]}, \"selectInterfaces\": \"extend\"}", name),
	    &root);
	ck_assert_int_eq(json_object_array_length(res), 1);
	i = jpath(json_object_array_get_idx(res, 0), "interfaces.0");
	out = i == NULL ? strdup("none") : strdup(fmt("%s %s %s %s '%s' %s",
	    json_object_get_string(jpath(i, "type")),
	    json_object_get_string(jpath(i, "main")),
	    json_object_get_string(jpath(i, "useip")), jstr(i, "ip"),
	    jstr(i, "dns"), jstr(i, "port")));
	json_object_put(root);
	return out;
}

/* ---- fixtures ---------------------------------------------------------- */

static long long
mkhost(const char *name, const char *status, const char *addr)
{
	long long id;

	id = db_insert(fmt("INSERT INTO hosts (name, host_type, status, "
	    "os_status) VALUES ('%s', 'ALI_ECS', '%s', 'running')", name,
	    status));
	if (addr != NULL)
		db_exec(fmt("INSERT INTO host_addresses (host_id, address) "
		    "VALUES (%lld, '%s')", id, addr));
	return id;
}

static struct resp *
opts(long long host, const char *body)
{
	return api("POST", fmt("/hosts/%lld/actions/change-zabbix-opts/", host),
	    admin_token(), body);
}

static char *
stored(long long host)
{
	return db_str(fmt("SELECT CONCAT(zabbix_groups, '|', zabbix_templates) "
	    "FROM host_zabbix WHERE host_id = %lld", host));
}

/* ---- change-zabbix-opts ---------------------------------------------- */

START_TEST(opts_register_and_update)
{
	const char	*g1 = mkgroup(uniq("g1 " NONASCII)), *g2 = mkgroup(uniq("g2"));
	const char	*t1 = mktemplate(uniq("t1")), *t2 = mktemplate(uniq("t2"));
	const char	*name = uniq("zo");
	long long	 host = mkhost(name, "inited", "10.1.2.3");
	struct resp	*r;
	char		*s;

	r = opts(host, fmt("{\"zabbix_groups\": [\"%s\", \"%s\"], "
	    "\"zabbix_templates\": [\"%s\"]}", g1, g2, t1));
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jkeys(r->json, NULL), 1);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
	s = zhost(name);
	ck_assert_str_eq(s, fmt("%s,%s|%s", g1, g2, t1));
	free(s);
	s = ziface(name);
	ck_assert_str_eq(s, "1 1 1 10.1.2.3 '' 10050");
	free(s);
	s = stored(host);
	ck_assert_str_eq(s, fmt("[\"%s\",\"%s\"]|[\"%s\"]", g1, g2, t1));
	free(s);
	s = db_str(fmt("SELECT op_detail FROM audit_log WHERE kind = 'host' AND "
	    "target_id = %lld AND op_type = 'change_zabbix_opts' ORDER BY id "
	    "DESC LIMIT 1", host));
	ck_assert_str_eq(s, fmt("updated the Zabbix options of host \"%s\": "
	    "zabbix_groups: \"[]\" -> \"[\"%s\",\"%s\"]\"; zabbix_templates: "
	    "\"[]\" -> \"[\"%s\"]\"", name, g1, g2, t1));
	free(s);
	/* Templates only: the groups stay; the seed's typo is accepted. */
	r = opts(host, fmt("{\"zabbix_temlates\": [\"%s\", \"%s\"]}", t2, t1));
	ck_assert_msg(r->status == 200, "%s", r->body);
	resp_free(r);
	s = zhost(name);
	ck_assert_str_eq(s, fmt("%s,%s|%s,%s", g1, g2, t1, t2));
	free(s);
	/* Groups only, templates cleared. */
	r = opts(host, fmt("{\"zabbix_groups\": [\"%s\"], \"zabbix_templates\": "
	    "[]}", g2));
	ck_assert_msg(r->status == 200, "%s", r->body);
	resp_free(r);
	s = zhost(name);
	ck_assert_str_eq(s, fmt("%s|", g2));
	free(s);
	s = stored(host);
	ck_assert_str_eq(s, fmt("[\"%s\"]|[]", g2));
	free(s);
}
END_TEST

/* A raw host is not in Zabbix yet: names are checked and kept for init. */
START_TEST(opts_raw_host_kept)
{
	const char	*g = mkgroup(uniq("gr")), *name = uniq("raw");
	long long	 host = mkhost(name, "raw", NULL);
	struct resp	*r;
	char		*s;

	r = opts(host, fmt("{\"zabbix_groups\": [\"%s\"]}", g));
	ck_assert_msg(r->status == 200, "%s", r->body);
	resp_free(r);
	ck_assert_ptr_null(zhost(name));
	s = stored(host);
	ck_assert_str_eq(s, fmt("[\"%s\"]|[]", g));
	free(s);
}
END_TEST

START_TEST(missing_names_30002_30003)
{
	const char	*g = mkgroup(uniq("gm")), *t = mktemplate(uniq("tm"));
	const char	*name = uniq("miss"), *tok = admin_token();
	long long	 host = mkhost(name, "attached", "10.9.9.9");
	long long	 raw = mkhost(uniq("missr"), "raw", NULL);
	struct resp	*r;
	char		*before, *s;

	r = opts(host, fmt("{\"zabbix_groups\": [\"%s\"]}", g));
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	before = db_fingerprint(TABLES);
	r = opts(host, fmt("{\"zabbix_templates\": [\"%s\", \"nope-" NONASCII
	    "\"]}", t));
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "message"),
	    "\"nope-" NONASCII "\""));
	expect_error(r, 400, 30002, NULL);
	r = opts(host, "{\"zabbix_groups\": [\"" SQLI "\"]}");
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "message"), SQLI));
	expect_error(r, 400, 30003, NULL);
	expect_error(opts(raw, "{\"zabbix_groups\": [\"nope\"]}"), 400, 30003,
	    NULL);
	/* init tasks check the names before anything is queued */
	expect_error(api_f("POST", "/hosts/init-tasks/", tok, "{\"hosts\": "
	    "[{\"id\": %lld}], \"opts\": {\"zabbix_groups\": [\"nope\"]}}", raw),
	    400, 30003, NULL);
	expect_error(api_f("POST", "/hosts/init-tasks/", tok, "{\"hosts\": "
	    "[{\"id\": %lld}], \"opts\": {\"zabbix_groups\": [\"%s\"], "
	    "\"zabbix_temlates\": [\"nope\"]}}", raw, g), 400, 30002, NULL);
	unchanged(before);
	s = zhost(name);
	ck_assert_str_eq(s, fmt("%s|", g));
	free(s);
}
END_TEST

/* Zabbix refuses the registration (an address it will not take): 502. */
START_TEST(zabbix_refuses_30001)
{
	const char	*g = mkgroup(uniq("gz")), *name = uniq("bad");
	long long	 host = mkhost(name, "inited", "300.1.1.1");
	const char	*tok = admin_token();	/* its audit row comes first */
	char		*before = db_fingerprint(TABLES);
	struct resp	*r;

	r = api("POST", fmt("/hosts/%lld/actions/change-zabbix-opts/", host),
	    tok, fmt("{\"zabbix_groups\": [\"%s\"]}", g));
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "message"),
	    "Zabbix host.create failed (-32602): Invalid params. "));
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "message"), "300.1.1.1"));
	expect_error(r, 502, 30001, NULL);
	unchanged(before);
	ck_assert_ptr_null(zhost(name));
}
END_TEST

START_TEST(init_with_zabbix_opts)
{
	const char	*g = mkgroup(uniq("gi")), *t = mktemplate(uniq("ti"));
	long long	 host = mkhost(uniq("ini"), "raw", "10.0.0.1"), task;
	struct resp	*r;
	char		*s;

	r = api_f("POST", "/hosts/init-tasks/", admin_token(), "{\"hosts\": "
	    "[{\"id\": %lld}], \"opts\": {\"zabbix_groups\": [\"%s\"], "
	    "\"zabbix_temlates\": [\"%s\"]}}", host, g, t);
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "opts.zabbix_groups.0"), g);
	ck_assert_str_eq(jstr(r->json, "opts.zabbix_templates.0"), t);
	ck_assert_int_eq(jlen(r->json, "opts.zabbix_groups"), 1);
	ck_assert_int_eq(jlen(r->json, "opts.zabbix_templates"), 1);
	task = strtoll(jstr(r->json, "task_id"), NULL, 10);
	resp_free(r);
	s = db_str(fmt("SELECT opts FROM tasks WHERE id = %lld", task));
	ck_assert_str_eq(s, fmt("{\"zabbix_groups\":[\"%s\"],"
	    "\"zabbix_templates\":[\"%s\"]}", g, t));
	free(s);
}
END_TEST

START_TEST(opts_bad_input)
{
	static const struct field_spec f[] = {
		{ "zabbix_groups", 0, "array", 0, NULL },
		{ "zabbix_templates", 0, "array", 0, NULL },
	};
	const char	*g = mkgroup(uniq("gb"));
	long long	 host = mkhost(uniq("obi"), "inited", "10.0.0.2");
	char		*before;

	bad_input_battery("POST", fmt("/hosts/%lld/actions/change-zabbix-opts/",
	    host), admin_token(), fmt("{\"zabbix_groups\": [\"%s\"]}", g), f, 2,
	    TABLES);
	before = db_fingerprint(TABLES);
	expect_error(opts(host, "{}"), 400, 10002, "zabbix_groups");
	expect_error(opts(host, "{\"zabbix_groups\": [1]}"), 400, 10002,
	    "zabbix_groups");
	expect_error(opts(host, "{\"zabbix_groups\": [\"\"]}"), 400, 10002,
	    "zabbix_groups");
	expect_error(opts(host, "{\"zabbix_templates\": [\"a\\nb\"]}"), 400,
	    10002, "zabbix_templates");
	/* a registered host cannot lose its last group */
	expect_error(opts(host, "{\"zabbix_groups\": []}"), 400, 10002,
	    "zabbix_groups");
	expect_error(api("POST", "/hosts/999999999/actions/change-zabbix-opts/",
	    admin_token(), "{\"zabbix_groups\": [\"x\"]}"), 404, 10008, NULL);
	unchanged(before);
}
END_TEST

/* ---- going offline (hangar-agent's change_status step) --------------- */



START_TEST(offline_removes_from_zabbix)
{
	const char	*g = mkgroup(uniq("go")), *name = uniq("off");
	long long	 host = mkhost(name, "attached", "10.0.0.3"), task, app;
	struct resp	*r;
	char		*s;
	int		 i;

	app = db_insert(fmt("INSERT INTO applications (name, full_name) VALUES "
	    "('%s', '%s')", name, name));
	db_exec(fmt("INSERT INTO app_instances (app_id, host_id, status) VALUES "
	    "(%lld, %lld, 'running')", app, host));
	r = opts(host, fmt("{\"zabbix_groups\": [\"%s\"]}", g));
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	r = api("POST", fmt("/hosts/%lld/actions/change-status/", host),
	    admin_token(), "{\"status\": \"offline\"}");
	ck_assert_int_eq(r->status, 200);
	task = strtoll(jstr(r->json, "task_id"), NULL, 10);
	resp_free(r);
	for (i = 0; i < 300 && db_int(fmt("SELECT status = 'running' FROM tasks "
	    "WHERE id = %lld", task)) == 1; i++)
		usleep(100000);
	s = db_str(fmt("SELECT CONCAT(t.status, ' ', th.message) FROM tasks t "
	    "JOIN task_hosts th ON th.task_id = t.id WHERE t.id = %lld", task));
	ck_assert_str_eq(s, "finished offline: 1 instance(s) stopped; removed "
	    "from Zabbix");
	free(s);
	ck_assert_ptr_null(zhost(name));
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM app_instances WHERE "
	    "host_id = %lld AND status = 'stopped'", host)), 1);
}
END_TEST

/*
 * A Zabbix host Hangar does not manage: name, in group g (created through
 * Zabbix's API, as an operator would).
 */
static void
mkforeign(const char *name, const char *g)
{
	json_object	*root, *res;
	char		 gid[32];

	res = zrpc("hostgroup.get", fmt("{\"output\": [\"groupid\"], "
	    "\"filter\": {\"name\": [\"%s\"]}}", g), &root);
	snprintf(gid, sizeof(gid), "%s", jstr(json_object_array_get_idx(res, 0),
	    "groupid"));
	json_object_put(root);
	zrpc("host.create", fmt("{\"host\": \"%s\", \"groups\": "
	    "[{\"groupid\": \"%s\"}]}", name, gid), &root);
	json_object_put(root);
}

/* Change host's status to offline; the finished task's status and message. */
static char *
go_offline(long long host)
{
	struct resp	*r;
	long long	 task;
	int		 i;

	r = api("POST", fmt("/hosts/%lld/actions/change-status/", host),
	    admin_token(), "{\"status\": \"offline\"}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	task = strtoll(jstr(r->json, "task_id"), NULL, 10);
	resp_free(r);
	for (i = 0; i < 300 && db_int(fmt("SELECT status = 'running' FROM tasks "
	    "WHERE id = %lld", task)) == 1; i++)
		usleep(100000);
	return db_str(fmt("SELECT CONCAT(t.status, ' ', th.message) FROM tasks "
	    "t JOIN task_hosts th ON th.task_id = t.id WHERE t.id = %lld", task));
}

/*
 * Hangar acts on the Zabbix host it registered (its hostid), never on one
 * found by name: a host renamed to the name of a Zabbix host Hangar does
 * not manage neither rewrites nor removes that one.
 */
START_TEST(renamed_host_leaves_foreign_alone)
{
	const char	*gf = mkgroup(uniq("gf")), *g1 = mkgroup(uniq("g1"));
	const char	*g2 = mkgroup(uniq("g2")), *foreign = uniq("foreign");
	const char	*name = uniq("mine");
	long long	 host = mkhost(name, "attached", "10.0.0.7");
	struct resp	*r;
	char		*s, *hostid;

	mkforeign(foreign, gf);
	r = opts(host, fmt("{\"zabbix_groups\": [\"%s\"]}", g1));
	ck_assert_msg(r->status == 200, "%s", r->body);
	resp_free(r);
	hostid = db_str(fmt("SELECT zabbix_hostid FROM host_zabbix WHERE "
	    "host_id = %lld", host));
	/* the user renames its host to the foreign host's name */
	r = api("PATCH", fmt("/hosts/%lld/", host), admin_token(),
	    fmt("{\"name\": \"%s\"}", foreign));
	ck_assert_msg(r->status == 200, "%s", r->body);
	resp_free(r);
	r = opts(host, fmt("{\"zabbix_groups\": [\"%s\"]}", g2));
	ck_assert_msg(r->status == 200, "%s", r->body);
	resp_free(r);
	s = zhost(foreign);
	ck_assert_str_eq(s, fmt("%s|", gf));
	free(s);
	s = zhost(name);		/* Hangar's own, by its hostid */
	ck_assert_str_eq(s, fmt("%s|", g2));
	free(s);
	s = db_str(fmt("SELECT zabbix_hostid FROM host_zabbix WHERE host_id = "
	    "%lld", host));
	ck_assert_ptr_nonnull(hostid);
	ck_assert_str_eq(s, hostid);
	free(s);
	/* going offline removes Hangar's host, not the foreign one */
	s = go_offline(host);
	ck_assert_str_eq(s, "finished offline: 0 instance(s) stopped; removed "
	    "from Zabbix");
	free(s);
	ck_assert_ptr_null(zhost(name));
	s = zhost(foreign);
	ck_assert_str_eq(s, fmt("%s|", gf));
	free(s);
	ck_assert_int_eq(db_int(fmt("SELECT zabbix_hostid IS NULL FROM "
	    "host_zabbix WHERE host_id = %lld", host)), 1);
	free(hostid);
}
END_TEST

/*
 * Registering a host whose name Zabbix already has for a host Hangar did
 * not register is refused, and nothing changes; going offline then removes
 * nothing from Zabbix.
 */
START_TEST(registration_name_taken)
{
	const char	*gf = mkgroup(uniq("gf")), *g = mkgroup(uniq("gt"));
	const char	*name = uniq("taken");
	long long	 host = mkhost(name, "inited", "10.0.0.8");
	const char	*tok = admin_token();	/* its audit row comes first */
	char		*before, *s;
	struct resp	*r;

	mkforeign(name, gf);
	before = db_fingerprint(TABLES);
	r = api("POST", fmt("/hosts/%lld/actions/change-zabbix-opts/", host),
	    tok, fmt("{\"zabbix_groups\": [\"%s\"]}", g));
	ck_assert_str_eq(jstr(r->json, "message"), fmt("Zabbix already has a "
	    "host named \"%s\" that Hangar did not register; rename or remove "
	    "it in Zabbix first", name));
	expect_error(r, 502, 30001, NULL);
	unchanged(before);
	s = zhost(name);
	ck_assert_str_eq(s, fmt("%s|", gf));
	free(s);
	s = go_offline(host);
	ck_assert_str_eq(s, "finished offline: 0 instance(s) stopped; not "
	    "registered in Zabbix");
	free(s);
	s = zhost(name);
	ck_assert_str_eq(s, fmt("%s|", gf));
	free(s);
}
END_TEST


/* ---- init end to end: sshd test host, our own agent ------------------ */

#define INIT_HOST	181	/* 127.0.0.181: clear of test_agent's hosts */

/* The repository's top folder (from HANGAR_STACK = SRC/t/stack.sh). */
static const char *
srcdir(void)
{
	static char	 path[600];
	const char	*stack = getenv("HANGAR_STACK");

	ck_assert(stack != NULL && strlen(stack) > 11);
	snprintf(path, sizeof(path), "%.*s", (int)(strlen(stack) - 11), stack);
	return path;
}


static char *
must_slurp(const char *path)
{
	char	*b = slurp(path);

	ck_assert_msg(b != NULL, "cannot read %s", path);
	return b;
}

/* s with newlines escaped for a JSON string (caller frees). */
static char *
jescape(const char *s)
{
	char *out = calloc(1, strlen(s) * 2 + 1), *q = out;

	for (; *s; s++) {
		if (*s == '\n') {
			*q++ = '\\';
			*q++ = 'n';
		} else
			*q++ = *s;
	}
	return out;
}

/* Stop the agent whose pid is in path, if it runs. */
static void
stop_pidfile(const char *path)
{
	FILE	*f = fopen(path, "r");
	long	 pid = 0;
	int	 i;

	if (f == NULL)
		return;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid <= 0 || kill((pid_t)pid, 0) != 0)
		return;
	kill((pid_t)pid, SIGTERM);
	for (i = 0; i < 300 && kill((pid_t)pid, 0) == 0; i++)
		usleep(100000);
}

START_TEST(init_registers_in_zabbix)
{
	const char	*dir = getenv("HANGAR_DIR"), *bin = getenv("HANGAR_BIN");
	const char	*g = mkgroup(uniq("ge")), *t = mktemplate(uniq("te"));
	const char	*name = uniq("init-e2e"), *sshdir, *conf;
	struct resp	*r;
	struct stat	 st;
	long long	 cred, host, task;
	char		*key, *base, *s;
	pid_t		 pid;
	FILE		*f;
	int		 i, status;

	ck_assert_msg(stat(fmt("%s/hangar-agent", bin), &st) == 0 &&
	    stat(fmt("%s/t/sshd-hosts.sh", srcdir()), &st) == 0,
	    "init_registers_in_zabbix needs hangar-agent and t/sshd-hosts.sh");
	sshdir = strdup(fmt("%s/sshd-zbx", dir));
	ck_assert_int_eq(system(fmt("%s/t/sshd-hosts.sh start %s %d %d "
	    ">/dev/null", srcdir(), sshdir, INIT_HOST, INIT_HOST)), 0);
	/* the host logs in with an SSH key credential made over the API */
	key = jescape(must_slurp(fmt("%s/client_key", sshdir)));
	r = api_f("POST", "/application/repository-credentials/ssh-key/",
	    admin_token(), "{\"name\": \"%s\", \"username\": \"root\", "
	    "\"private_key\": \"%s\"}", uniq("e2ekey"), key);
	ck_assert_msg(r->status == 201, "%s", r->body);
	cred = jint(r->json, "id");
	resp_free(r);
	free(key);
	host = db_insert(fmt("INSERT INTO hosts (name, host_type, ssh_port, "
	    "ssh_user, credential_id) VALUES ('%s', 'PHY_HOST', 2222, 'root', "
	    "%lld)", name, cred));
	db_exec(fmt("INSERT INTO host_addresses (host_id, address) VALUES "
	    "(%lld, '127.0.0.%d')", host, INIT_HOST));
	ck_assert_ptr_nonnull(f = fopen(fmt("%s/init-e2e.sh", dir), "w"));
	fputs("echo \"init on $HANGAR_TEST_HOST\"\ntouch \"$HOME/inited\"\n", f);
	fclose(f);
	/* our agent, with the init script; the stack's one stands aside */
	stop_pidfile(fmt("%s/hangar-agent.pid", dir));
	base = must_slurp(fmt("%s/hangar.conf", dir));
	conf = strdup(fmt("%s/agent-zbx.conf", dir));
	ck_assert_ptr_nonnull(f = fopen(conf, "w"));
	fprintf(f, "%s\nagent_pid_file = %s/agent-zbx.pid\nagent_log = "
	    "%s/log/agent-zbx.log\nknown_hosts = %s/known_hosts-zbx\n"
	    "ssh_timeout = 5\ncommand_timeout = 20\ninit_script = "
	    "%s/init-e2e.sh\n", base, dir, dir, dir, dir);
	fclose(f);
	free(base);
	if ((pid = fork()) == 0) {
		execl(fmt("%s/hangar-agent", bin), "hangar-agent", "-c", conf,
		    (char *)NULL);
		_exit(127);
	}
	r = api_f("POST", "/hosts/init-tasks/", admin_token(), "{\"hosts\": "
	    "[{\"id\": %lld}], \"opts\": {\"zabbix_groups\": [\"%s\"], "
	    "\"zabbix_templates\": [\"%s\"]}}", host, g, t);
	ck_assert_msg(r->status == 201, "%s", r->body);
	task = strtoll(jstr(r->json, "task_id"), NULL, 10);
	resp_free(r);
	for (i = 0; i < 300 && db_int(fmt("SELECT status = 'running' FROM tasks "
	    "WHERE id = %lld", task)) == 1; i++)
		usleep(100000);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	(void)system(fmt("%s/hangar-agent -d -c %s/hangar.conf", bin, dir));
	(void)system(fmt("%s/t/sshd-hosts.sh stop %s", srcdir(), sshdir));
	r = api("GET", fmt("/hosts/init-tasks/%lld/", task), admin_token(), NULL);
	ck_assert_msg(strcmp(jstr(r->json, "status"), "finished") == 0, "%s",
	    r->body);
	ck_assert_str_eq(jstr(r->json, "results.0.status"), "succeeded");
	ck_assert_str_eq(jstr(r->json, "results.0.message"),
	    "init script succeeded; registered in Zabbix");
	resp_free(r);
	ck_assert_int_eq(stat(fmt("%s/h%d/home/inited", sshdir, INIT_HOST), &st),
	    0);
	s = db_str(fmt("SELECT CONCAT(status, ' ', os_status) FROM hosts WHERE "
	    "id = %lld", host));
	ck_assert_str_eq(s, "inited running");
	free(s);
	s = zhost(name);
	ck_assert_str_eq(s, fmt("%s|%s", g, t));
	free(s);
	s = ziface(name);
	ck_assert_str_eq(s, fmt("1 1 1 127.0.0.%d '' 10050", INIT_HOST));
	free(s);
	s = stored(host);
	ck_assert_str_eq(s, fmt("[\"%s\"]|[\"%s\"]", g, t));
	free(s);
}
END_TEST

static TCase *
tc_zabbix(void)
{
	TCase *tc = tcase_create("zabbix");

	tcase_add_test(tc, opts_register_and_update);
	tcase_add_test(tc, opts_raw_host_kept);
	tcase_add_test(tc, missing_names_30002_30003);
	tcase_add_test(tc, zabbix_refuses_30001);
	tcase_add_test(tc, init_with_zabbix_opts);
	tcase_add_test(tc, opts_bad_input);
	tcase_add_test(tc, offline_removes_from_zabbix);
	tcase_add_test(tc, renamed_host_leaves_foreign_alone);
	tcase_add_test(tc, registration_name_taken);
	tcase_add_test(tc, init_registers_in_zabbix);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_zabbix };

	return run_suite("zabbix", cases, 1) ? 1 : 0;
}
