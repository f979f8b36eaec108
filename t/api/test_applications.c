/*
 * test_applications.c -- /applications/ and its /application/ alias (the
 * seed's Application section, API.md sections 3, 4 and 6): create, get,
 * list with every filter, PATCH, delete, get-by-users, instances, response
 * persons, child, required and required-by applications, and the app
 * audit listing.  Every refusal is checked to change nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authlib.h"

#define TABLES	"applications,app_instances,app_response_persons," \
		"app_dependencies,audit_log,hosts,productions"
#define SQLI	"'; DROP TABLE users; --"
#define HAN	"\345\274\240\344\270\211"	/* 张三 */

static long long
count_where(const char *fmt, long long id)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), fmt, id);
	return db_int(sql);
}

static char *
str_where(const char *fmt, long long id)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), fmt, id);
	return db_str(sql);
}

/* POST an application named name under parent (0: a root); its id. */
static long long
mkapp(const char *name, long long parent)
{
	return parent ? api_create("/applications/", "{\"name\": \"%s\", "
	    "\"parent_app\": %lld}", name, parent) :
	    api_create("/applications/", "{\"name\": \"%s\"}", name);
}

/* A host in status, inserted directly (host endpoints are another family). */
static long long
mkhost(const char *name, const char *status)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "INSERT INTO hosts (name, host_type, status) "
	    "VALUES ('%s', 'PHY_HOST', '%s')", name, status);
	return db_insert(sql);
}

static const char *
host_status(long long id)
{
	static char	 buf[32];
	char		*s = str_where("SELECT status FROM hosts WHERE id = %lld", id);

	snprintf(buf, sizeof(buf), "%s", s ? s : "(none)");
	free(s);
	return buf;
}

/* The newest audit row of kind for target: "op_type|op_detail". */
static char *
last_audit(const char *kind, long long target)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "SELECT CONCAT(op_type, '|', op_detail) FROM "
	    "audit_log WHERE kind = '%s' AND target_id = %lld ORDER BY id DESC "
	    "LIMIT 1", kind, target);
	return db_str(sql);
}

#define expect_audit(kind, target, op, words) do {			\
	char *a_ = last_audit((kind), (target));			\
									\
	ck_assert_msg(a_ != NULL && strncmp(a_, op "|", strlen(op) + 1) == 0 \
	    && strstr(a_, (words)) != NULL, "audit of %s %lld: want %s "	\
	    "with \"%s\", got %s", (kind), (long long)(target), op, (words), \
	    a_ ? a_ : "(none)");					\
	free(a_);							\
} while (0)

/* A refusal, as the admin, that must leave TABLES as they were. */
#define refused(method, path, body, http, code, field) \
	refused_in_at(__FILE__, __LINE__, TABLES, method, path, body, http, \
	    code, field)

static void
expect_actions_all(json_object *o, int want)
{
	static const char *const keys[] = { "view_app", "edit_app",
		"delete_app", "deploy_app", "review_app_deploy_task",
		"restart_app", "view_app_log", "view_app_monitor" };
	json_object	*a = jpath(o, "available_actions"), *v;
	size_t		 i;

	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(json_object_object_length(a), 8);
	for (i = 0; i < 8; i++) {
		ck_assert_msg(json_object_object_get_ex(a, keys[i], &v) &&
		    json_object_is_type(v, json_type_boolean) &&
		    json_object_get_boolean(v) == want, "%s is not %d", keys[i],
		    want);
	}
}

/* ---- create and get ------------------------------------------------------- */

START_TEST(create_returns_every_field)
{
	char		 name[128], body[2048];
	struct resp	*r;
	long long	 id, prod;

	prod = db_insert("INSERT INTO productions (name) VALUES "
	    "(CONCAT('prod-', UUID()))");
	snprintf(name, sizeof(name), "%s", uniq("app"));
	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"description\": "
	    "\"about " HAN "\", \"application_type\": \"java\", \"run_users\": "
	    "\"work\", \"directory\": \"/data/x\", \"startup_cmd\": \"start\", "
	    "\"stop_cmd\": \"stop\", \"stdout_path\": \"/o\", \"stderr_path\": "
	    "\"/e\", \"pid_path\": \"/p\", \"production\": %lld, \"bogus\": 1}",
	    name, prod);
	r = api("POST", "/applications/", admin_token(), body);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	ck_assert_str_eq(jstr(r->json, "name"), name);
	ck_assert_str_eq(jstr(r->json, "full_name"), name);
	ck_assert_str_eq(jstr(r->json, "description"), "about " HAN);
	ck_assert_str_eq(jstr(r->json, "application_type"), "java");
	ck_assert_str_eq(jstr(r->json, "run_user"), "work");
	ck_assert_str_eq(jstr(r->json, "directory"), "/data/x");
	ck_assert_str_eq(jstr(r->json, "startup_cmd"), "start");
	ck_assert_str_eq(jstr(r->json, "stop_cmd"), "stop");
	ck_assert_str_eq(jstr(r->json, "stdout_path"), "/o");
	ck_assert_str_eq(jstr(r->json, "stderr_path"), "/e");
	ck_assert_str_eq(jstr(r->json, "pid_path"), "/p");
	ck_assert_int_eq(jint(r->json, "production"), prod);
	ck_assert(jnull(r->json, "parent_app"));
	ck_assert(json_object_is_type(jpath(r->json, "has_child"),
	    json_type_boolean));
	ck_assert(!json_object_get_boolean(jpath(r->json, "has_child")));
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "child_apps")), 0);
	ck_assert_int_eq(json_object_array_length(jpath(r->json,
	    "required_apps")), 0);
	ck_assert_int_eq(json_object_array_length(jpath(r->json,
	    "response_persons")), 0);
	ck_assert_ptr_null(jpath(r->json, "bogus"));
	expect_recent(r->json, "created_time");
	expect_actions_all(r->json, 1);
	resp_free(r);
	expect_audit("app", id, "add", "created application");
	ck_assert_int_eq(count_where("SELECT depth FROM applications WHERE "
	    "id = %lld", id), 0);

	/* GET answers the same object, through both spellings of the path */
	r = api("GET", path_of("/application/%lld/", id), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "full_name"), name);
	ck_assert_str_eq(jstr(r->json, "run_user"), "work");
	resp_free(r);
	expect_status(api("GET", path_of("/applications/%lld", id),
	    admin_token(), NULL), 200);
}
END_TEST

START_TEST(create_under_parent_and_round_trip)
{
	struct resp	*r;
	long long	 root, id;
	char		 want[256];

	root = mkapp(uniq("root"), 0);
	r = api_f("POST", "/applications/", admin_token(), "{\"name\": \"%s\", "
	    "\"parent_app\": %lld}", SQLI, root);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	ck_assert_str_eq(jstr(r->json, "name"), SQLI);
	ck_assert_int_eq(jint(r->json, "parent_app"), root);
	resp_free(r);
	r = api("GET", path_of("/applications/%lld/", root), admin_token(), NULL);
	snprintf(want, sizeof(want), "%s.%s", jstr(r->json, "name"), SQLI);
	ck_assert(json_object_get_boolean(jpath(r->json, "has_child")));
	ck_assert_int_eq(jint(r->json, "child_apps.0"), id);
	resp_free(r);
	r = api("GET", path_of("/applications/%lld/", id), admin_token(), NULL);
	ck_assert_str_eq(jstr(r->json, "full_name"), want);
	resp_free(r);
	ck_assert_int_eq(count_where("SELECT depth FROM applications WHERE "
	    "id = %lld", id), 1);
	ck_assert_int_eq(db_int("SELECT COUNT(*) FROM users"), db_int("SELECT n "
	    "FROM row_counts WHERE tbl = 'users'"));

	r = api_f("POST", "/applications/", admin_token(), "{\"name\": \""
	    HAN "-%s\"}", uniq("x"));
	ck_assert_int_eq(r->status, 201);
	ck_assert(strncmp(jstr(r->json, "name"), HAN "-", strlen(HAN) + 1) == 0);
	resp_free(r);
}
END_TEST

START_TEST(create_refusals_change_nothing)
{
	static const struct field_spec f[] = {
		{ "name", 1, "string", 128, NULL },
		{ "description", 0, "string", 1024, NULL },
		{ "application_type", 0, "string", 64, NULL },
		{ "run_user", 0, "string", 64, NULL },
		{ "directory", 0, "string", 1024, NULL },
		{ "startup_cmd", 0, "string", 1024, NULL },
		{ "stop_cmd", 0, "string", 1024, NULL },
		{ "stdout_path", 0, "string", 1024, NULL },
		{ "stderr_path", 0, "string", 1024, NULL },
		{ "pid_path", 0, "string", 1024, NULL },
		{ "parent_app", 0, "int", 0, NULL },
		{ "production", 0, "int", 0, NULL },
		{ "child_apps", 0, "array", 0, NULL },
		{ "required_apps", 0, "array", 0, NULL },
		{ "response_persons", 0, "array", 0, NULL },
	};
	char		 body[512];
	const char	*taken = uniq("taken");
	long long	 id = mkapp(taken, 0);

	bad_input_battery("POST", "/applications/", admin_token(),
	    "{\"name\": \"fresh-app\"}", f, sizeof(f) / sizeof(f[0]), TABLES);
	refused("POST", "/applications/", "{\"name\": \"a.b\"}", 400, 10002,
	    "name");
	refused("POST", "/applications/", "{\"name\": \"\"}", 400, 10002, "name");
	refused("POST", "/applications/", "{\"name\": \"tab\\there\"}", 400,
	    10002, "name");
	refused("POST", "/applications/", "{\"name\": \"x\", \"parent_app\": "
	    "999999999}", 400, 10002, "parent_app");
	refused("POST", "/applications/", "{\"name\": \"x\", \"parent_app\": 0}",
	    400, 10002, "parent_app");
	refused("POST", "/applications/", "{\"name\": \"x\", \"production\": "
	    "999999999}", 400, 10002, "production");
	refused("POST", "/applications/", "{\"name\": \"x\", \"required_apps\": "
	    "[999999999]}", 400, 10002, "required_apps[0]");
	refused("POST", "/applications/", "{\"name\": \"x\", \"child_apps\": "
	    "[\"a\"]}", 400, 10002, "child_apps[0]");
	refused("POST", "/applications/", "{\"name\": \"x\", \"response_persons\": "
	    "[{\"id\": 999999999}]}", 400, 10002, "response_persons[0]");
	snprintf(body, sizeof(body), "{\"name\": \"%s\"}", taken);
	refused("POST", "/applications/", body, 409, 10010, NULL);
	/* case-insensitive like every unique name */
	snprintf(body, sizeof(body), "{\"name\": \"%s\"}", taken);
	body[10] = 'T';
	refused("POST", "/applications/", body, 409, 10010, NULL);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'app' AND target_id = %lld", id), 1);
}
END_TEST

START_TEST(get_unknown_is_404)
{
	expect_error(api("GET", "/applications/999999999/", admin_token(), NULL),
	    404, 10008, NULL);
	expect_error(api("GET", "/application/999999999", admin_token(), NULL),
	    404, 10008, NULL);
}
END_TEST

/* Every route: anonymous 401, a user without grants 403, nothing changed. */
START_TEST(auth_required_everywhere)
{
	static const struct call routes[] = {
		{ "GET", "/applications/", NULL },
		{ "POST", "/applications/", "{\"name\": \"nope\"}" },
		{ "POST", "/applications/get-by-users/", "[{\"id\": 1}]" },
		{ "GET", "/applications/%lld/", NULL },
		{ "PATCH", "/applications/%lld/", "{\"name\": \"nope\"}" },
		{ "DELETE", "/applications/%lld/", NULL },
		{ "GET", "/application/%lld/instances/", NULL },
		{ "POST", "/application/%lld/instances/", "[{\"hostid\": 1}]" },
		{ "DELETE", "/application/%lld/instances/", "[{\"id\": 1}]" },
		{ "GET", "/application/%lld/response-person/", NULL },
		{ "POST", "/application/%lld/response-person/",
		    "[{\"id\": 1, \"type\": \"pm\"}]" },
		{ "DELETE", "/application/%lld/response-person/", "[{\"id\": 1}]" },
		{ "GET", "/application/%lld/child-apps/", NULL },
		{ "POST", "/application/%lld/child-apps/", "[{\"id\": 1}]" },
		{ "DELETE", "/application/%lld/child-apps/", "[{\"id\": 1}]" },
		{ "GET", "/application/%lld/required-apps/", NULL },
		{ "POST", "/application/%lld/required-apps/", "[{\"id\": 1}]" },
		{ "DELETE", "/application/%lld/required-apps/", "[{\"id\": 1}]" },
		{ "GET", "/application/%lld/required-by-apps/", NULL },
		{ "GET", "/audit/app-operations/", NULL },
	};
	long long	 id = mkapp(uniq("guarded"), 0);
	const char	*tok = user_token(uniq("plain"), 0, NULL);
	size_t		 n = sizeof(routes) / sizeof(routes[0]);

	expect_all_refused(routes, n, id, NULL, 401, 10005, TABLES);
	expect_all_refused(routes, n, id, tok, 403, 10007, TABLES);
}
END_TEST

/* A caller with grants sees and may do exactly what they give. */
START_TEST(caller_sees_what_it_may_view)
{
	char		 sql[512], uname[64];
	long long	 seen, hidden, uid;
	const char	*tok;
	struct resp	*r;

	seen = mkapp(uniq("seen"), 0);
	hidden = mkapp(uniq("hidden"), 0);
	snprintf(uname, sizeof(uname), "%s", uniq("grantee"));
	tok = user_token(uname, 0, &uid);
	snprintf(sql, sizeof(sql), "INSERT INTO module_grants VALUES ('user', "
	    "%lld, 'application', 'enable_app_mgmt')", uid);
	db_exec(sql);
	snprintf(sql, sizeof(sql), "INSERT INTO resource_grants VALUES ('user', "
	    "%lld, 'application', %lld, 'view_app')", uid, seen);
	db_exec(sql);
	r = api("GET", "/applications/?page_size=1000", tok, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), seen);
	ck_assert(json_object_get_boolean(jpath(r->json,
	    "results.0.available_actions.view_app")));
	ck_assert(!json_object_get_boolean(jpath(r->json,
	    "results.0.available_actions.edit_app")));
	resp_free(r);
	expect_status(api("GET", path_of("/applications/%lld/", seen), tok,
	    NULL), 200);
	expect_error(api("GET", path_of("/applications/%lld/", hidden), tok,
	    NULL), 404, 10008, NULL);
	expect_error(api("PATCH", path_of("/applications/%lld/", seen), tok,
	    "{\"description\": \"no\"}"), 403, 10007, NULL);
	expect_error(api("POST", "/applications/", tok, "{\"name\": \"no\"}"),
	    403, 10007, NULL);
	/* edit_app on it: the PATCH goes through */
	snprintf(sql, sizeof(sql), "INSERT INTO resource_grants VALUES ('user', "
	    "%lld, 'application', %lld, 'edit_app')", uid, seen);
	db_exec(sql);
	r = api("PATCH", path_of("/applications/%lld/", seen), tok,
	    "{\"description\": \"yes\"}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert(json_object_get_boolean(jpath(r->json,
	    "available_actions.edit_app")));
	ck_assert(!json_object_get_boolean(jpath(r->json,
	    "available_actions.delete_app")));
	resp_free(r);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'app' AND target_id = %lld AND operator LIKE 'grantee-%%'",
	    seen), 1);
}
END_TEST

/* ---- lists ------------------------------------------------------------- */

/* GET path; the number of results, asserting count agrees. */
static long long
list_count(const char *path)
{
	struct resp	*r = api("GET", path, admin_token(), NULL);
	long long	 n;

	ck_assert_msg(r->status == 200, "%s: %s", path, r->body);
	n = jint(r->json, "count");
	ck_assert_int_eq((long long)json_object_array_length(jpath(r->json,
	    "results")), n < 1000 ? n : 1000);
	resp_free(r);
	return n;
}

START_TEST(list_filters)
{
	char		 p[1024], tag[64], *full;
	long long	 a, b, c, u1, u2;
	struct resp	*r;

	snprintf(tag, sizeof(tag), "%s", uniq("lf"));
	a = mkapp(tag, 0);
	snprintf(p, sizeof(p), "%s_b", tag);
	b = mkapp(p, a);
	c = mkapp("c%_x", b);
	full = str_where("SELECT full_name FROM applications WHERE id = %lld", c);

	snprintf(p, sizeof(p), "/applications/?page_size=1000&name=%s", tag);
	ck_assert_int_eq(list_count(p), 2);
	snprintf(p, sizeof(p), "/applications/?full_path=%s", full);
	ck_assert_int_eq(list_count(p), 1);
	snprintf(p, sizeof(p), "/applications/?full_name=%s.", tag);
	ck_assert_int_eq(list_count(p), 2);
	/* % and _ are literal */
	ck_assert_int_eq(list_count("/applications/?name=c%25_x"),
	    db_int("SELECT COUNT(*) FROM applications WHERE name LIKE "
	    "'%c\\%\\_x%'"));
	snprintf(p, sizeof(p), "/applications/?full_name=%s&has_parent=0", tag);
	ck_assert_int_eq(list_count(p), 1);
	snprintf(p, sizeof(p), "/applications/?full_name=%s&has_parent=1", tag);
	ck_assert_int_eq(list_count(p), 2);
	r = api("GET", p, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "results.0.id"), c);
	ck_assert_int_eq(jint(r->json, "results.1.id"), b);
	resp_free(r);

	/* response persons: one, several (any of them), comma list */
	u1 = db_insert("INSERT INTO users (username, name, password_hash) "
	    "VALUES (CONCAT('rp1-', UUID()), 'rp1', '!')");
	u2 = db_insert("INSERT INTO users (username, name, password_hash) "
	    "VALUES (CONCAT('rp2-', UUID()), 'rp2', '!')");
	snprintf(p, sizeof(p), "INSERT INTO app_response_persons (app_id, "
	    "user_id, type) VALUES (%lld, %lld, 'pm'), (%lld, %lld, 'dev')",
	    a, u1, c, u2);
	db_exec(p);
	snprintf(p, sizeof(p), "/applications/?response_persons=%lld", u1);
	ck_assert_int_eq(list_count(p), 1);
	snprintf(p, sizeof(p), "/applications/?response_persons=%lld"
	    "&response_persons=%lld", u1, u2);
	ck_assert_int_eq(list_count(p), 2);
	snprintf(p, sizeof(p), "/applications/?response_persons=%lld,%lld",
	    u1, u2);
	ck_assert_int_eq(list_count(p), 2);
	snprintf(p, sizeof(p), "/applications/?response_persons=%lld,%lld"
	    "&name=%s_b", u1, u2, tag);
	ck_assert_int_eq(list_count(p), 0);

	/* user/role: what that user or role may view */
	snprintf(p, sizeof(p), "/applications/?user=admin&full_name=%s", tag);
	ck_assert_int_eq(list_count(p), 3);
	snprintf(p, sizeof(p), "/applications/?user=nobody-%s&full_name=%s",
	    tag, tag);
	ck_assert_int_eq(list_count(p), 0);
	snprintf(p, sizeof(p), "/applications/?role=norole-%s", tag);
	ck_assert_int_eq(list_count(p), 0);

	expect_error(api("GET", "/applications/?has_parent=2", admin_token(),
	    NULL), 400, 10002, "has_parent");
	expect_error(api("GET", "/applications/?response_persons=abc",
	    admin_token(), NULL), 400, 10002, "response_persons");
	expect_error(api("GET", "/applications/?page_size=1001", admin_token(),
	    NULL), 400, 10002, "page_size");
	ck_assert_int_eq(list_count("/applications/?page_size=1000"),
	    db_int("SELECT COUNT(*) FROM applications"));
	free(full);
}
END_TEST

/* user= and role= follow real grants (API.md section 3). */
START_TEST(list_user_and_role_scopes)
{
	char		 sql[512], p[512], rname[64], uname[64];
	long long	 a, b, role, uid;

	a = mkapp(uniq("scoped"), 0);
	b = mkapp(uniq("scoped"), 0);
	snprintf(rname, sizeof(rname), "%s", uniq("role"));
	snprintf(uname, sizeof(uname), "%s", uniq("viewer"));
	snprintf(sql, sizeof(sql), "INSERT INTO roles (name) VALUES ('%s')",
	    rname);
	role = db_insert(sql);
	snprintf(sql, sizeof(sql), "INSERT INTO users (username, name, "
	    "password_hash) VALUES ('%s', 'v', '!')", uname);
	uid = db_insert(sql);
	snprintf(sql, sizeof(sql), "INSERT INTO resource_grants VALUES ('role', "
	    "%lld, 'application', %lld, 'view_app')", role, a);
	db_exec(sql);
	snprintf(p, sizeof(p), "/applications/?role=%s", rname);
	ck_assert_int_eq(list_count(p), 1);
	/* the user has none until it is in the role and holds the switch */
	snprintf(p, sizeof(p), "/applications/?user=%s", uname);
	ck_assert_int_eq(list_count(p), 0);
	snprintf(sql, sizeof(sql), "INSERT INTO user_roles (user_id, role_id) "
	    "VALUES (%lld, %lld)", uid, role);
	db_exec(sql);
	ck_assert_int_eq(list_count(p), 0);
	snprintf(sql, sizeof(sql), "INSERT INTO module_grants VALUES ('user', "
	    "%lld, 'application', 'enable_app_mgmt')", uid);
	db_exec(sql);
	ck_assert_int_eq(list_count(p), 1);
	snprintf(sql, sizeof(sql), "INSERT INTO resource_grants VALUES ('user', "
	    "%lld, 'application', %lld, 'view_app')", uid, b);
	db_exec(sql);
	ck_assert_int_eq(list_count(p), 2);
	snprintf(p, sizeof(p), "/applications/?user=%s&role=%s", uname, rname);
	ck_assert_int_eq(list_count(p), 1);
	/* module-wide view_app: every application */
	snprintf(sql, sizeof(sql), "INSERT INTO module_grants VALUES ('user', "
	    "%lld, 'application', 'view_app')", uid);
	db_exec(sql);
	snprintf(p, sizeof(p), "/applications/?page_size=1000&user=%s", uname);
	ck_assert_int_eq(list_count(p), db_int("SELECT COUNT(*) FROM "
	    "applications"));
}
END_TEST

/* ---- PATCH ---------------------------------------------------------------- */

START_TEST(patch_fields_and_audit)
{
	struct resp	*r;
	long long	 id, prod, child;
	char		 body[512], *s;

	id = mkapp(uniq("patch"), 0);
	child = mkapp("kid", id);
	prod = db_insert("INSERT INTO productions (name) VALUES "
	    "(CONCAT('pp-', UUID()))");
	snprintf(body, sizeof(body), "{\"name\": \"renamed-%lld\", "
	    "\"description\": \"" SQLI "\", \"stop_cmd\": \"halt\", "
	    "\"production\": %lld}", id, prod);
	r = api("PATCH", path_of("/application/%lld/", id), admin_token(), body);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "description"), SQLI);
	ck_assert_str_eq(jstr(r->json, "stop_cmd"), "halt");
	ck_assert_str_eq(jstr(r->json, "startup_cmd"), "");
	ck_assert_int_eq(jint(r->json, "production"), prod);
	snprintf(body, sizeof(body), "renamed-%lld", id);
	ck_assert_str_eq(jstr(r->json, "full_name"), body);
	resp_free(r);
	s = str_where("SELECT full_name FROM applications WHERE id = %lld", child);
	snprintf(body, sizeof(body), "renamed-%lld.kid", id);
	ck_assert_str_eq(s, body);
	free(s);
	expect_audit("app", id, "update", "description: \"\" -> \"" SQLI "\"");
	expect_audit("app", id, "update", "stop_cmd: \"\" -> \"halt\"");
	expect_audit("app", id, "update", "full names of 1 descendants rewritten");
	expect_audit("app", id, "update", "production: null -> \"");

	/* production back to none; an empty PATCH changes and audits nothing */
	r = api("PATCH", path_of("/application/%lld/", id), admin_token(),
	    "{\"production\": null}");
	ck_assert(jnull(r->json, "production"));
	resp_free(r);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM audit_log WHERE "
	    "target_id = %lld AND kind = 'app'", id), 3);
	expect_status(api("PATCH", path_of("/application/%lld/", id),
	    admin_token(), "{}"), 200);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM audit_log WHERE "
	    "target_id = %lld AND kind = 'app'", id), 3);
}
END_TEST

START_TEST(patch_arrays_replace)
{
	struct resp	*r;
	long long	 id, c1, c2, d1, d2, u1, u2;
	char		 body[512], *s;

	id = mkapp(uniq("arr"), 0);
	c1 = mkapp(uniq("c1"), id);
	c2 = mkapp(uniq("c2"), 0);
	d1 = mkapp(uniq("d1"), 0);
	d2 = mkapp(uniq("d2"), 0);
	u1 = db_insert("INSERT INTO users (username, name, email, phone, "
	    "password_hash) VALUES (CONCAT('p1-', UUID()), 'P1', 'p1@x.org', "
	    "'123', '!')");
	u2 = db_insert("INSERT INTO users (username, name, password_hash) "
	    "VALUES (CONCAT('p2-', UUID()), 'P2', '!')");
	snprintf(body, sizeof(body), "{\"child_apps\": [%lld], \"required_apps\": "
	    "[{\"id\": %lld}, %lld], \"response_person\": [{\"id\": %lld, "
	    "\"type\": \"qa\"}, %lld]}", c2, d1, d2, u1, u2);
	r = api("PATCH", path_of("/applications/%lld/", id), admin_token(), body);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "child_apps")), 1);
	ck_assert_int_eq(jint(r->json, "child_apps.0"), c2);
	ck_assert_int_eq(jint(r->json, "required_apps.0"), d1);
	ck_assert_int_eq(jint(r->json, "required_apps.1"), d2);
	ck_assert_int_eq(jint(r->json, "response_persons.0"), u1);
	ck_assert_int_eq(jint(r->json, "response_persons.1"), u2);
	resp_free(r);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM applications WHERE "
	    "id = %lld AND parent_id IS NULL AND full_name = name", c1), 1);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM app_response_persons "
	    "WHERE user_id = %lld AND type = 'qa'", u1), 1);
	expect_audit("app", c1, "update", "parent_app: \"");
	expect_audit("app", id, "update", "required_apps: null -> \"");

	snprintf(body, sizeof(body), "{\"required_apps\": [%lld], "
	    "\"response_persons\": [], \"child_apps\": []}", d2);
	r = api("PATCH", path_of("/applications/%lld/", id), admin_token(), body);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(json_object_array_length(jpath(r->json,
	    "required_apps")), 1);
	ck_assert_int_eq(json_object_array_length(jpath(r->json,
	    "response_persons")), 0);
	ck_assert_int_eq(json_object_array_length(jpath(r->json,
	    "child_apps")), 0);
	resp_free(r);
	s = str_where("SELECT full_name FROM applications WHERE id = %lld", d1);
	snprintf(body, sizeof(body), "required_apps: \"%s (id %lld)\" -> null",
	    s, d1);
	free(s);
	expect_audit("app", id, "update", body);

	/* a cycle through required_apps rolls the whole PATCH back */
	snprintf(body, sizeof(body), "{\"description\": \"zzz\", "
	    "\"required_apps\": [%lld]}", id);
	refused("PATCH", path_of("/applications/%lld/", id), body, 400, 10002,
	    "required_apps[0]");
}
END_TEST

START_TEST(patch_refusals_change_nothing)
{
	static const struct field_spec f[] = {
		{ "name", 0, "string", 128, NULL },
		{ "description", 0, "string", 1024, NULL },
		{ "application_type", 0, "string", 64, NULL },
		{ "run_user", 0, "string", 64, NULL },
		{ "directory", 0, "string", 1024, NULL },
		{ "pid_path", 0, "string", 1024, NULL },
		{ "parent_app", 0, "int", 0, NULL },
		{ "production", 0, "int", 0, NULL },
		{ "child_apps", 0, "array", 0, NULL },
		{ "required_apps", 0, "array", 0, NULL },
		{ "response_persons", 0, "array", 0, NULL },
	};
	long long	 a = mkapp(uniq("pr"), 0), b, kid;
	char		 body[256];
	const char	*pa = path_of("/applications/%lld/", a);

	b = mkapp(uniq("pr"), 0);
	kid = mkapp("kid", a);
	bad_input_battery("PATCH", pa, admin_token(), "{\"name\": \"ok\"}", f,
	    sizeof(f) / sizeof(f[0]), TABLES);
	refused("PATCH", pa, "{\"name\": \"a.b\"}", 400, 10002, "name");
	refused("PATCH", pa, "{\"name\": null}", 400, 10002, "name");
	refused("PATCH", pa, "{\"parent_app\": 999999999}", 400, 10002,
	    "parent_app");
	snprintf(body, sizeof(body), "{\"parent_app\": %lld}", a);
	refused("PATCH", pa, body, 400, 10002, "parent_app");
	snprintf(body, sizeof(body), "{\"parent_app\": %lld}", kid);
	refused("PATCH", pa, body, 400, 10002, "parent_app");
	refused("PATCH", pa, "{\"production\": 999999999}", 400, 10002,
	    "production");
	/* renaming onto a taken full name */
	snprintf(body, sizeof(body), "{\"name\": \"%s\"}", str_where("SELECT "
	    "name FROM applications WHERE id = %lld", b));
	refused("PATCH", pa, body, 409, 10010, NULL);
	refused("PATCH", "/applications/999999999/", "{\"name\": \"x\"}", 404,
	    10008, NULL);
}
END_TEST

/* ---- delete ------------------------------------------------------------ */

START_TEST(delete_rules)
{
	long long	 a = mkapp(uniq("del"), 0), kid, h;
	char		 body[128];
	char		*name = str_where("SELECT full_name FROM applications "
			    "WHERE id = %lld", a);

	kid = mkapp("kid", a);
	refused("DELETE", path_of("/applications/%lld/", a), NULL, 409, 10010,
	    NULL);
	expect_status(api("DELETE", path_of("/application/%lld/", kid),
	    admin_token(), NULL), 200);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM applications WHERE "
	    "id = %lld", kid), 0);
	expect_audit("app", kid, "delete", "deleted application");
	h = mkhost(uniq("delhost"), "inited");
	snprintf(body, sizeof(body), "[{\"hostid\": %lld}]", h);
	expect_status(api("POST", path_of("/applications/%lld/instances/", a),
	    admin_token(), body), 201);
	refused("DELETE", path_of("/applications/%lld/", a), NULL, 409, 10010,
	    NULL);
	snprintf(body, sizeof(body), "DELETE FROM app_instances WHERE "
	    "app_id = %lld", a);
	db_exec(body);
	expect_status(api("DELETE", path_of("/applications/%lld/", a),
	    admin_token(), NULL), 200);
	expect_audit("app", a, "delete", name);
	refused("DELETE", path_of("/applications/%lld/", a), NULL, 404, 10008,
	    NULL);
	free(name);
}
END_TEST

/* ---- get-by-users --------------------------------------------------------- */

START_TEST(get_by_users)
{
	struct resp	*r;
	long long	 plain, admin = db_int("SELECT id FROM users WHERE "
			    "username = 'admin'");
	char		 body[128];

	mkapp(uniq("gbu"), 0);
	plain = db_insert("INSERT INTO users (username, name, password_hash) "
	    "VALUES (CONCAT('gbu-', UUID()), 'g', '!')");
	snprintf(body, sizeof(body), "[{\"id\": %lld}, {\"id\": %lld}]", admin,
	    plain);
	r = api("POST", "/applications/get-by-users/", admin_token(), body);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(json_object_array_length(r->json), 2);
	ck_assert_int_eq(jint(r->json, "0.user_id"), admin);
	ck_assert_int_eq((long long)json_object_array_length(jpath(r->json,
	    "0.applications")), db_int("SELECT COUNT(*) FROM applications"));
	ck_assert_ptr_nonnull(jstr(r->json, "0.applications.0.full_name"));
	expect_actions_all(jpath(r->json, "0.applications.0"), 1);
	ck_assert_int_eq(jint(r->json, "1.user_id"), plain);
	ck_assert_int_eq(json_object_array_length(jpath(r->json,
	    "1.applications")), 0);
	resp_free(r);
	refused("POST", "/applications/get-by-users/", "[{\"id\": 999999999}]",
	    400, 10002, "[0].id");
	refused("POST", "/applications/get-by-users/", "{\"id\": 1}", 400, 10002,
	    NULL);
	refused("POST", "/applications/get-by-users/", "[]", 400, 10002, NULL);
	refused("POST", "/applications/get-by-users/", "[{\"id\": \"1\"}]", 400,
	    10002, "[0].id");
}
END_TEST

/* ---- instances ------------------------------------------------------------ */

START_TEST(instances_attach_and_detach)
{
	struct resp	*r;
	long long	 a = mkapp(uniq("inst"), 0), b = mkapp(uniq("inst"), 0);
	long long	 h1, h2, i1, i2, ib;
	char		 body[512], n2[64];

	h1 = mkhost(uniq("h1"), "inited");
	snprintf(n2, sizeof(n2), "%s", uniq("h2"));
	h2 = mkhost(n2, "attached");
	snprintf(body, sizeof(body), "[{\"hostid\": %lld}, {\"hostname\": "
	    "\"%s\"}]", h1, n2);
	r = api("POST", path_of("/application/%lld/instances/", a),
	    admin_token(), body);
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_int_eq(json_object_array_length(r->json), 2);
	ck_assert_int_eq(jint(r->json, "0.hostid"), h1);
	ck_assert_int_eq(jint(r->json, "1.hostid"), h2);
	ck_assert_str_eq(jstr(r->json, "1.hostname"), n2);
	ck_assert_str_eq(jstr(r->json, "0.status"), "stopped");
	ck_assert_str_eq(jstr(r->json, "0.version"), "");
	i1 = jint(r->json, "0.id");
	i2 = jint(r->json, "1.id");
	resp_free(r);
	ck_assert_str_eq(host_status(h1), "attached");
	ck_assert_str_eq(host_status(h2), "attached");
	expect_audit("app", a, "attach_host", n2);
	expect_audit("host", h1, "attach_app", "attached application");
	expect_audit("host", h2, "attach_app", "attached application");

	r = api("GET", path_of("/applications/%lld/instances/", a),
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(jint(r->json, "results.0.id"), i2);
	ck_assert_int_eq(jint(r->json, "results.1.id"), i1);
	ck_assert_str_eq(jstr(r->json, "results.1.status"), "stopped");
	resp_free(r);

	/* h1 also runs b: removing a's instance keeps it attached */
	snprintf(body, sizeof(body), "[{\"host_id\": %lld}]", h1);
	r = api("POST", path_of("/applications/%lld/instances/", b),
	    admin_token(), body);
	ck_assert_int_eq(r->status, 201);
	ib = jint(r->json, "0.id");
	resp_free(r);
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", i1);
	expect_status(api("DELETE", path_of("/applications/%lld/instances/", a),
	    admin_token(), body), 200);
	ck_assert_str_eq(host_status(h1), "attached");
	snprintf(body, sizeof(body), "instances: \"%lld on ", i1);
	expect_audit("app", a, "deatach_host", body);
	expect_audit("host", h1, "deatach_app", "detached application");
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", ib);
	expect_status(api("DELETE", path_of("/applications/%lld/instances/", b),
	    admin_token(), body), 200);
	ck_assert_str_eq(host_status(h1), "inited");
	expect_audit("host", h1, "deatach_app",
	    "status: \"attached\" -> \"inited\"");
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM app_instances WHERE "
	    "host_id = %lld", h1), 0);
	(void)i2;
}
END_TEST

START_TEST(instance_refusals_change_nothing)
{
	long long	 a = mkapp(uniq("ir"), 0), b = mkapp(uniq("ir"), 0);
	long long	 raw, off, ok, inst;
	char		 body[512], pa[128];
	struct resp	*r;

	snprintf(pa, sizeof(pa), "/applications/%lld/instances/", a);
	raw = mkhost(uniq("raw"), "raw");
	off = mkhost(uniq("off"), "offline");
	ok = mkhost(uniq("ok"), "inited");
	snprintf(body, sizeof(body), "[{\"hostid\": %lld}]", raw);
	refused("POST", pa, body, 409, 10015, NULL);
	snprintf(body, sizeof(body), "[{\"hostid\": %lld}]", off);
	refused("POST", pa, body, 409, 10015, NULL);
	/* all or nothing: the good first item is rolled back too */
	snprintf(body, sizeof(body), "[{\"hostid\": %lld}, {\"hostid\": %lld}]",
	    ok, raw);
	refused("POST", pa, body, 409, 10015, NULL);
	ck_assert_str_eq(host_status(ok), "inited");
	refused("POST", pa, "[{\"hostid\": 999999999}]", 400, 10002, "[0].hostid");
	refused("POST", pa, "[{\"hostname\": \"no-such-host\"}]", 400, 10002,
	    "[0].hostname");
	snprintf(body, sizeof(body), "[{\"hostid\": %lld, \"hostname\": "
	    "\"other\"}]", ok);
	refused("POST", pa, body, 400, 10002, "[0].hostname");
	refused("POST", pa, "[{}]", 400, 10002, "[0].hostid");
	refused("POST", pa, "[{\"hostid\": \"1\"}]", 400, 10002, "[0].hostid");
	refused("POST", pa, "[1]", 400, 10002, "[0]");
	refused("POST", pa, "[]", 400, 10002, NULL);
	refused("POST", pa, "{\"hostid\": 1}", 400, 10002, NULL);
	refused("POST", pa, "[{\"hostid\": ", 400, 10001, NULL);
	snprintf(body, sizeof(body), "[{\"hostid\": %lld}, {\"hostid\": %lld}]",
	    ok, ok);
	refused("POST", pa, body, 409, 10010, NULL);
	refused("POST", "/applications/999999999/instances/", "[{\"hostid\": 1}]",
	    404, 10008, NULL);
	expect_error(api("GET", "/applications/999999999/instances/",
	    admin_token(), NULL), 404, 10008, NULL);

	snprintf(body, sizeof(body), "[{\"hostid\": %lld}]", ok);
	r = api("POST", path_of("/applications/%lld/instances/", b),
	    admin_token(), body);
	ck_assert_int_eq(r->status, 201);
	inst = jint(r->json, "0.id");
	resp_free(r);
	/* another application's instance is not this one's */
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", inst);
	refused("DELETE", pa, body, 400, 10002, "[0].id");
	refused("DELETE", pa, "[{\"id\": 999999999}]", 400, 10002, "[0].id");
	refused("DELETE", pa, "[]", 400, 10002, NULL);
}
END_TEST

/* ---- response persons ---------------------------------------------------- */

START_TEST(response_persons)
{
	struct resp	*r;
	long long	 a = mkapp(uniq("rp"), 0), u1, u2;
	char		 body[256], pa[128];

	snprintf(pa, sizeof(pa), "/application/%lld/response-person/", a);
	u1 = db_insert("INSERT INTO users (username, name, email, phone, "
	    "password_hash) VALUES (CONCAT('rp-', UUID()), '" HAN "', "
	    "'san@x.org', '18834584567', '!')");
	u2 = db_insert("INSERT INTO users (username, name, password_hash) "
	    "VALUES (CONCAT('rq-', UUID()), '''; DROP TABLE users; --', '!')");
	snprintf(body, sizeof(body), "[{\"id\": %lld, \"type\": \"pm\"}, "
	    "{\"id\": %lld, \"type\": \"dev\"}]", u1, u2);
	r = api("POST", pa, admin_token(), body);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(json_object_array_length(r->json), 2);
	ck_assert_int_eq(jint(r->json, "0.id"), u1);
	ck_assert_str_eq(jstr(r->json, "0.name"), HAN);
	ck_assert_str_eq(jstr(r->json, "0.email"), "san@x.org");
	ck_assert_str_eq(jstr(r->json, "0.mobile"), "18834584567");
	ck_assert_str_eq(jstr(r->json, "0.type"), "pm");
	ck_assert_str_eq(jstr(r->json, "1.name"), SQLI);
	ck_assert_str_eq(jstr(r->json, "1.type"), "dev");
	resp_free(r);
	expect_audit("app", a, "update", "response_persons: null -> \"" HAN);

	r = api("GET", pa, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(jint(r->json, "results.0.id"), u2);
	ck_assert_str_eq(jstr(r->json, "results.1.type"), "pm");
	resp_free(r);

	/* changing a type */
	snprintf(body, sizeof(body), "[{\"id\": %lld, \"type\": \"ops\"}]", u1);
	r = api("POST", pa, admin_token(), body);
	ck_assert_str_eq(jstr(r->json, "0.type"), "ops");
	resp_free(r);
	snprintf(body, sizeof(body), "as pm\" -> \"" HAN " (id %lld) as ops",
	    u1);
	expect_audit("app", a, "update", body);

	snprintf(body, sizeof(body), "[{\"id\": %lld, \"type\": \"boss\"}]", u1);
	refused("POST", pa, body, 400, 10002, "[0].type");
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", u1);
	refused("POST", pa, body, 400, 10002, "[0].type");
	refused("POST", pa, "[{\"id\": 999999999, \"type\": \"qa\"}]", 400, 10002,
	    "[0].id");
	refused("POST", pa, "[{\"id\": \"x\", \"type\": \"qa\"}]", 400, 10002,
	    "[0].id");
	refused("POST", pa, "[]", 400, 10002, NULL);
	refused("POST", pa, "{}", 400, 10002, NULL);
	refused("POST", "/applications/999999999/response-person/",
	    "[{\"id\": 1, \"type\": \"qa\"}]", 404, 10008, NULL);
	refused("DELETE", pa, "[{\"id\": 999999999}]", 400, 10002, "[0].id");

	snprintf(body, sizeof(body), "[{\"id\": %lld}]", u2);
	expect_status(api("DELETE", pa, admin_token(), body), 200);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM app_response_persons "
	    "WHERE app_id = %lld", a), 1);
	expect_audit("app", a, "update", "as dev\" -> null");
}
END_TEST

/*
 * A user's email and phone are its own and the superusers' (GET /users/
 * is theirs): edit_app on one application must not read them by making
 * anyone a response person or granting it something there.  Others see
 * a response person's name (email and mobile null) and a granted user's
 * public form (id, username, name); the user itself and a superuser see
 * everything.
 */
START_TEST(embedded_users_hide_contacts)
{
	long long	 a = mkapp(uniq("rpc"), 0), victim, uid;
	const char	*tok, *v, *me;
	char		 sql[512], pa[128], pg[128];
	struct resp	*r;

	victim = db_insert("INSERT INTO users (username, name, email, phone, "
	    "password_hash) VALUES (CONCAT('rpv-', UUID()), 'Victim', "
	    "'victim@x.org', '13800000000', '!')");
	tok = user_token(uniq("rpa"), 0, &uid);
	snprintf(sql, sizeof(sql), "UPDATE users SET email = 'me@x.org', "
	    "phone = '555' WHERE id = %lld", uid);
	db_exec(sql);
	snprintf(sql, sizeof(sql), "INSERT INTO module_grants VALUES ('user', "
	    "%lld, 'application', 'enable_app_mgmt')", uid);
	db_exec(sql);
	snprintf(sql, sizeof(sql), "INSERT INTO resource_grants VALUES "
	    "('user', %lld, 'application', %lld, 'view_app'), ('user', %lld, "
	    "'application', %lld, 'edit_app')", uid, a, uid, a);
	db_exec(sql);
	snprintf(pa, sizeof(pa), "/applications/%lld/response-person/", a);
	snprintf(pg, sizeof(pg), "/applications/%lld/authorization/users/", a);

	/* response persons: the answer to POST, then the list */
	r = api_f("POST", pa, tok, "[{\"id\": %lld, \"type\": \"ops\"}, "
	    "{\"id\": %lld, \"type\": \"dev\"}]", victim, uid);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "0.id"), victim);
	ck_assert_str_eq(jstr(r->json, "0.name"), "Victim");
	ck_assert_str_eq(jstr(r->json, "0.type"), "ops");
	ck_assert_msg(jnull(r->json, "0.email") && jnull(r->json, "0.mobile"),
	    "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "1.email"), "me@x.org");
	ck_assert_str_eq(jstr(r->json, "1.mobile"), "555");
	resp_free(r);
	r = api("GET", pa, tok, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(jint(r->json, "results.1.id"), victim);
	ck_assert_int_eq(jkeys(r->json, "results.1"), 5);
	ck_assert_msg(jnull(r->json, "results.1.email") &&
	    jnull(r->json, "results.1.mobile"), "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "results.0.email"), "me@x.org");
	resp_free(r);
	r = api("GET", pa, admin_token(), NULL);
	ck_assert_str_eq(jstr(r->json, "results.1.email"), "victim@x.org");
	ck_assert_str_eq(jstr(r->json, "results.1.mobile"), "13800000000");
	resp_free(r);

	/* a user granted something on the application: its public form */
	expect_status(api_f("PATCH", pg, tok, "[{\"user\": {\"id\": %lld}, "
	    "\"permission\": {\"view_app\": true}}]", victim), 200);
	r = api("GET", pg, tok, NULL);
	ck_assert_msg(r->status == 200 && jint(r->json, "count") == 2, "%s",
	    r->body);
	v = jint(r->json, "results.0.user.id") == victim ? "results.0.user" :
	    "results.1.user";
	me = v[8] == '0' ? "results.1.user" : "results.0.user";
	ck_assert_int_eq(jint(r->json, fmt("%s.id", v)), victim);
	ck_assert_int_eq(jkeys(r->json, v), 3);
	ck_assert_str_eq(jstr(r->json, fmt("%s.name", v)), "Victim");
	ck_assert_ptr_nonnull(jstr(r->json, fmt("%s.username", v)));
	ck_assert_int_eq(jint(r->json, fmt("%s.id", me)), uid);
	ck_assert_int_eq(jkeys(r->json, me), 10);
	ck_assert_str_eq(jstr(r->json, fmt("%s.email", me)), "me@x.org");
	ck_assert_msg(strstr(r->body, "victim@x.org") == NULL &&
	    strstr(r->body, "13800000000") == NULL, "%s", r->body);
	resp_free(r);
	r = api("GET", pg, admin_token(), NULL);
	v = jint(r->json, "results.0.user.id") == victim ? "results.0.user" :
	    "results.1.user";
	ck_assert_int_eq(jkeys(r->json, v), 10);
	ck_assert_str_eq(jstr(r->json, fmt("%s.email", v)), "victim@x.org");
	resp_free(r);
}
END_TEST

/* ---- child, required and required-by applications ------------------------ */

START_TEST(child_apps)
{
	struct resp	*r;
	long long	 p = mkapp(uniq("par"), 0), c1, c2, gc;
	char		 body[256], want[256], pa[128], *pn;

	snprintf(pa, sizeof(pa), "/application/%lld/child-apps/", p);
	pn = str_where("SELECT name FROM applications WHERE id = %lld", p);
	c1 = mkapp(uniq("ca"), 0);
	c2 = mkapp(uniq("cb"), 0);
	gc = mkapp("leaf", c1);
	snprintf(body, sizeof(body), "[{\"id\": %lld}, {\"id\": %lld}]", c1, c2);
	r = api("POST", pa, admin_token(), body);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(json_object_array_length(r->json), 2);
	ck_assert_int_eq(jint(r->json, "0.parent_app"), p);
	snprintf(want, sizeof(want), "%s.%s", pn, jstr(r->json, "1.name"));
	ck_assert_str_eq(jstr(r->json, "1.full_name"), want);
	resp_free(r);
	r = api("GET", path_of("/applications/%lld/", gc), admin_token(), NULL);
	ck_assert(strncmp(jstr(r->json, "full_name"), pn, strlen(pn)) == 0);
	ck_assert_int_eq(count_where("SELECT depth FROM applications WHERE "
	    "id = %lld", gc), 2);
	resp_free(r);
	expect_audit("app", c1, "update", "parent_app: null -> \"");
	expect_audit("app", p, "update", "child_apps: null -> \"");

	r = api("GET", pa, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(jint(r->json, "results.0.id"), c2);
	resp_free(r);
	snprintf(want, sizeof(want), "%s?name=cb", pa);
	r = api("GET", want, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	resp_free(r);

	snprintf(body, sizeof(body), "[{\"id\": %lld}]", p);
	refused("POST", pa, body, 400, 10002, "[0].id");
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", gc);
	refused("POST", path_of("/application/%lld/child-apps/", gc), "[{\"id\": "
	    "0}]", 400, 10002, "[0].id");
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", p);
	refused("POST", path_of("/application/%lld/child-apps/", gc), body, 400,
	    10002, "[0].id");
	refused("POST", pa, "[{\"id\": 999999999}]", 400, 10002, "[0].id");
	refused("DELETE", pa, "[{\"id\": 999999999}]", 400, 10002, "[0].id");
	expect_error(api("GET", "/application/999999999/child-apps/",
	    admin_token(), NULL), 404, 10008, NULL);

	/* detaching makes a root; its subtree follows */
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", c1);
	expect_status(api("DELETE", pa, admin_token(), body), 200);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM applications WHERE "
	    "id = %lld AND parent_id IS NULL AND full_name = name AND depth = 0",
	    c1), 1);
	ck_assert_int_eq(count_where("SELECT depth FROM applications WHERE "
	    "id = %lld", gc), 1);
	snprintf(want, sizeof(want), "child_apps: \"%s.", pn);
	expect_audit("app", p, "update", want);
	snprintf(want, sizeof(want), "(id %lld)\" -> null", c1);
	expect_audit("app", p, "update", want);
	free(pn);
}
END_TEST

START_TEST(required_and_required_by)
{
	struct resp	*r;
	long long	 a = mkapp(uniq("ra"), 0), b = mkapp(uniq("rb"), 0);
	long long	 c = mkapp(uniq("rc"), 0);
	char		 body[256], *s;

	snprintf(body, sizeof(body), "[{\"id\": %lld}, {\"id\": %lld}]", b, c);
	r = api("POST", path_of("/applications/%lld/required-apps/", a),
	    admin_token(), body);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "0.id"), b);
	ck_assert_int_eq(jint(r->json, "1.id"), c);
	resp_free(r);
	expect_audit("app", a, "update", "required_apps: null -> \"");
	/* again: nothing new, nothing audited */
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'app' AND target_id = %lld", a), 2);
	expect_status(api("POST", path_of("/applications/%lld/required-apps/", a),
	    admin_token(), body), 200);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'app' AND target_id = %lld", a), 2);

	r = api("GET", path_of("/application/%lld/required-apps/", a),
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(jint(r->json, "results.0.id"), c);
	resp_free(r);
	r = api("GET", path_of("/application/%lld/required-by-apps/", c),
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), a);
	expect_actions_all(jpath(r->json, "results.0"), 1);
	resp_free(r);

	snprintf(body, sizeof(body), "[{\"id\": %lld}]", a);
	refused("POST", path_of("/applications/%lld/required-apps/", a), body,
	    400, 10002, "[0].id");
	refused("POST", path_of("/applications/%lld/required-apps/", c), body,
	    400, 10002, "[0].id");
	refused("POST", path_of("/applications/%lld/required-apps/", a),
	    "[{\"id\": 999999999}]", 400, 10002, "[0].id");
	refused("POST", path_of("/applications/%lld/required-apps/", a),
	    "[{\"id\": -1}]", 400, 10002, "[0].id");
	expect_error(api("GET", "/application/999999999/required-by-apps/",
	    admin_token(), NULL), 404, 10008, NULL);

	snprintf(body, sizeof(body), "[{\"id\": %lld}]", b);
	expect_status(api("DELETE", path_of("/applications/%lld/required-apps/",
	    a), admin_token(), body), 200);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM app_dependencies "
	    "WHERE app_id = %lld", a), 1);
	s = str_where("SELECT full_name FROM applications WHERE id = %lld", b);
	snprintf(body, sizeof(body), "required_apps: \"%s (id %lld)\" -> null",
	    s, b);
	free(s);
	expect_audit("app", a, "update", body);
}
END_TEST

/* ---- the audit listing -------------------------------------------------- */

START_TEST(audit_listing_filters)
{
	struct resp	*r;
	long long	 a = mkapp(uniq("aud"), 0);
	char		*full = str_where("SELECT full_name FROM applications WHERE "
			    "id = %lld", a), p[512];

	expect_status(api("PATCH", path_of("/applications/%lld/", a),
	    admin_token(), "{\"description\": \"audited\"}"), 200);
	snprintf(p, sizeof(p), "/audit/app-operations/?app_name=%s", full);
	r = api("GET", p, admin_token(), NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_str_eq(jstr(r->json, "results.0.op_type"), "update");
	ck_assert_str_eq(jstr(r->json, "results.0.app_name"), full);
	ck_assert_str_eq(jstr(r->json, "results.0.operator"), "admin");
	ck_assert_ptr_nonnull(strstr(jstr(r->json, "results.0.op_detail"),
	    "description: \"\" -> \"audited\""));
	expect_recent(r->json, "results.0.op_time");
	ck_assert_str_eq(jstr(r->json, "results.1.op_type"), "add");
	resp_free(r);
	snprintf(p, sizeof(p), "/audit/app-operations/?app_name=%s&op_type=add",
	    full);
	ck_assert_int_eq(list_count(p), 1);
	snprintf(p, sizeof(p), "/audit/app-operations/?app_name=%s&op_detail="
	    "audited&operator=adm", full);
	ck_assert_int_eq(list_count(p), 1);
	snprintf(p, sizeof(p), "/audit/app-operations/?app_name=%s&"
	    "op_time__gt=2000-01-01&op_time__lt=2999-01-01", full);
	ck_assert_int_eq(list_count(p), 2);
	snprintf(p, sizeof(p), "/audit/app-operations/?app_name=%s&"
	    "op_time__lt=2000-01-01", full);
	ck_assert_int_eq(list_count(p), 0);
	snprintf(p, sizeof(p), "/audit/app-operations/?app_name=%s&"
	    "operator=nobody", full);
	ck_assert_int_eq(list_count(p), 0);
	expect_error(api("GET", "/audit/app-operations/?op_type=attach",
	    admin_token(), NULL), 400, 10002, "op_type");
	expect_error(api("GET", "/audit/app-operations/?op_time__gt=yesterday",
	    admin_token(), NULL), 400, 10002, "op_time__gt");
	free(full);
}
END_TEST

static TCase *
tc_apps(void)
{
	TCase *tc = tcase_create("applications");

	tcase_add_test(tc, create_returns_every_field);
	tcase_add_test(tc, create_under_parent_and_round_trip);
	tcase_add_test(tc, create_refusals_change_nothing);
	tcase_add_test(tc, get_unknown_is_404);
	tcase_add_test(tc, auth_required_everywhere);
	tcase_add_test(tc, caller_sees_what_it_may_view);
	tcase_add_test(tc, list_filters);
	tcase_add_test(tc, list_user_and_role_scopes);
	tcase_add_test(tc, patch_fields_and_audit);
	tcase_add_test(tc, patch_arrays_replace);
	tcase_add_test(tc, patch_refusals_change_nothing);
	tcase_add_test(tc, delete_rules);
	tcase_add_test(tc, get_by_users);
	tcase_add_test(tc, instances_attach_and_detach);
	tcase_add_test(tc, instance_refusals_change_nothing);
	tcase_add_test(tc, response_persons);
	tcase_add_test(tc, embedded_users_hide_contacts);
	tcase_add_test(tc, child_apps);
	tcase_add_test(tc, required_and_required_by);
	tcase_add_test(tc, audit_listing_filters);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_apps };

	return run_suite("applications", cases, 1) ? 1 : 0;
}
