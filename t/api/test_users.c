/*
 * test_users.c -- /users/ (API.md sections 2 and 6, the seed's 用户):
 * create, read, list with filters and pages, PATCH, delete, role
 * assignment, disable/enable and change-password, each with its refusals
 * (401, 403, 404, bad input) checked to change nothing.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authlib.h"

#define TABLES		"users,user_roles,sessions,auth_tokens,password_resets"
#define NOSUCH		"/users/999999999/"
#define SQLI		"'; DROP TABLE users; --"

/* POST /users/ as admin; the response (caller frees). */
static struct resp *
create(const char *body)
{
	return api("POST", "/users/", admin_token(), body);
}

/* Create user name with password "password-name"; its id. */
static long long
mkuser(const char *name)
{
	return api_create("/users/", "{\"username\": \"%s\", "
	    "\"password\": \"%s\"}", name, pw_of(name));
}

static long long
mkrole(const char *name)
{
	return api_create("/roles/", "{\"name\": \"%s\"}", name);
}

/* The id of the superuser the tests run as. */
static long long
admin_id(void)
{
	return db_int("SELECT id FROM users WHERE username = 'admin'");
}

static long long
count_where(const char *fmt, long long id)
{
	char sql[512];

	snprintf(sql, sizeof(sql), fmt, id);
	return db_int(sql);
}

/* ---- create ---------------------------------------------------------- */

START_TEST(create_returns_every_field)
{
	const char	*name = uniq("uc");
	struct resp	*r;
	long long	 id;
	char		 sql[512], *hash;

	r = api_f("POST", "/users/", admin_token(), "{\"username\": \"%s\", "
	    "\"password\": \"secret-pass-1\", \"name\": \"Test User\", "
	    "\"email\": \"%s@example.com\", \"phone\": \"+86 138-0000\", "
	    "\"is_superuser\": true}", name, name);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	ck_assert_int_gt(id, 0);
	{
		char email[300];

		snprintf(email, sizeof(email), "%s@example.com", name);
		expect_user(r->json, id, name, "Test User", email, "+86 138-0000",
		    "enabled", 1, "");
	}
	expect_recent(r->json, "created_time");
	ck_assert(jnull(r->json, "last_login"));
	ck_assert_ptr_null(strstr(r->body, "secret-pass-1"));
	resp_free(r);
	/* The row holds an argon2id hash, never the password. */
	snprintf(sql, sizeof(sql), "SELECT password_hash FROM users WHERE id = %lld",
	    id);
	hash = db_str(sql);
	ck_assert_msg(strncmp(hash, "$argon2id$", 10) == 0, "hash %s", hash);
	free(hash);
	ck_assert_int_eq(count_where("SELECT is_superuser FROM users WHERE id = "
	    "%lld", id), 1);
	/* And the new superuser can sign in and administer. */
	r = login(name, "secret-pass-1");
	ck_assert_int_eq(r->status, 200);
	ck_assert(jbool(r->json, "user.is_superuser"));
	resp_free(r);
}
END_TEST

START_TEST(create_defaults)
{
	const char	*name = uniq("ud");
	struct resp	*r;

	r = api_f("POST", "/users/", admin_token(), "{\"username\": \"%s\", "
	    "\"password\": \"12345678\"}", name);
	ck_assert_msg(r->status == 201, "%s", r->body);
	expect_user(r->json, jint(r->json, "id"), name, name, "", "",
	    "enabled", 0, "");
	resp_free(r);
	/* An empty display name also falls back to the username. */
	name = uniq("ud");
	r = api_f("POST", "/users/", admin_token(), "{\"username\": \"%s\", "
	    "\"password\": \"12345678\", \"name\": \"\", \"is_superuser\": false}",
	    name);
	ck_assert_msg(r->status == 201, "%s", r->body);
	expect_user(r->json, jint(r->json, "id"), name, name, "", "",
	    "enabled", 0, "");
	resp_free(r);
}
END_TEST

START_TEST(create_round_trips_sql_and_unicode)
{
	const char	*a = uniq("usq"), *b = uniq("usq");
	struct resp	*r;
	long long	 ida, idb;
	char		 path[128];

	r = api_f("POST", "/users/", admin_token(), "{\"username\": \"%s\", "
	    "\"password\": \"12345678\", \"name\": \"" SQLI "\", "
	    "\"phone\": \"" SQLI "\"}", a);
	ck_assert_msg(r->status == 201, "%s", r->body);
	ida = jint(r->json, "id");
	expect_user(r->json, ida, a, SQLI, "", SQLI, "enabled", 0, "");
	resp_free(r);
	r = api_f("POST", "/users/", admin_token(), "{\"username\": \"%s\", "
	    "\"password\": \"12345678\", \"name\": \"张三\", "
	    "\"email\": \"张三@例子.中国\"}", b);
	ck_assert_msg(r->status == 201, "%s", r->body);
	idb = jint(r->json, "id");
	expect_user(r->json, idb, b, "张三", "张三@例子.中国", "", "enabled", 0,
	    "");
	resp_free(r);
	snprintf(path, sizeof(path), "/users/%lld/", ida);
	r = api("GET", path, admin_token(), NULL);
	expect_user(r->json, ida, a, SQLI, "", SQLI, "enabled", 0, "");
	resp_free(r);
	snprintf(path, sizeof(path), "/users/%lld/", idb);
	r = api("GET", path, admin_token(), NULL);
	expect_user(r->json, idb, b, "张三", "张三@例子.中国", "", "enabled", 0,
	    "");
	resp_free(r);
	/* The users table is still there, and filters take the same text. */
	ck_assert_int_gt(db_int("SELECT COUNT(*) FROM users"), 1);
	snprintf(path, sizeof(path), "/users/?username=%s&email=%%E5%%BC%%A0%%E4"
	    "%%B8%%89", b);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), idb);
	resp_free(r);
	snprintf(path, sizeof(path), "/users/?username=%s&phone=%%27%%3B%%20DROP"
	    "%%20TABLE%%20users%%3B%%20--", a);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), ida);
	resp_free(r);
}
END_TEST

START_TEST(create_duplicate_is_409)
{
	const char	*name = uniq("udup");
	char		*before, *after, upper[128];
	size_t		 i;

	mkuser(name);
	before = db_fingerprint(TABLES);
	expect_error(api_f("POST", "/users/", admin_token(), "{\"username\": "
	    "\"%s\", \"password\": \"12345678\"}", name), 409, 10010, NULL);
	/* Usernames are unique regardless of case. */
	for (i = 0; name[i] && i < sizeof(upper) - 1; i++)
		upper[i] = (char)toupper((unsigned char)name[i]);
	upper[i] = '\0';
	expect_error(api_f("POST", "/users/", admin_token(), "{\"username\": "
	    "\"%s\", \"password\": \"12345678\"}", upper), 409, 10010, NULL);
	after = db_fingerprint(TABLES);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

START_TEST(create_bad_input)
{
	static const struct field_spec f[] = {
		{ "username", 1, "string", 64, NULL },
		{ "password", 1, "string", 1024, NULL },
		{ "name", 0, "string", 128, NULL },
		{ "email", 0, "string", 254, NULL },
		{ "phone", 0, "string", 32, NULL },
		{ "is_superuser", 0, "bool", 0, NULL },
	};
	char	 body[512], *before, *after;
	const char *name = uniq("ubad");

	snprintf(body, sizeof(body), "{\"username\": \"%s\", \"password\": "
	    "\"12345678\", \"name\": \"n\", \"email\": \"a@b.cn\", "
	    "\"phone\": \"1\", \"is_superuser\": false}", name);
	bad_input_battery("POST", "/users/", admin_token(), body, f,
	    sizeof(f) / sizeof(f[0]), TABLES);
	before = db_fingerprint(TABLES);
	/* Field rules beyond type and length. */
	expect_error(create("{\"username\": \"has space\", \"password\": "
	    "\"12345678\"}"), 400, 10002, "username");
	expect_error(create("{\"username\": \"张三\", \"password\": "
	    "\"12345678\"}"), 400, 10002, "username");
	expect_error(create("{\"username\": \"\", \"password\": \"12345678\"}"),
	    400, 10002, "username");
	expect_error(api_f("POST", "/users/", admin_token(), "{\"username\": "
	    "\"%s\", \"password\": \"1234567\"}", name), 400, 10002, "password");
	expect_error(api_f("POST", "/users/", admin_token(), "{\"username\": "
	    "\"%s\", \"password\": \"12345678\", \"email\": \"not-an-email\"}",
	    name), 400, 10002, "email");
	expect_error(api_f("POST", "/users/", admin_token(), "{\"username\": "
	    "\"%s\", \"password\": \"12345678\", \"name\": \"a\\u0001b\"}",
	    name), 400, 10002, "name");
	expect_error(api_f("POST", "/users/", admin_token(), "{\"username\": "
	    "\"%s\", \"password\": null}", name), 400, 10002, "password");
	/* Exactly the longest accepted username works. */
	after = db_fingerprint(TABLES);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	memset(body, 'u', 64);
	body[64] = '\0';
	snprintf(body + 50, sizeof(body) - 50, "%014d", getpid());
	expect_status(api_f("POST", "/users/", admin_token(), "{\"username\": "
	    "\"%s\", \"password\": \"12345678\"}", body), 201);
}
END_TEST

/* ---- who may call what ------------------------------------------------ */

START_TEST(anonymous_is_401)
{
	static const struct call routes[] = {
		{ "GET", "/users/", NULL },
		{ "POST", "/users/", "{\"username\": \"x1\", \"password\": \"12345678\"}" },
		{ "GET", "/users/1/", NULL },
		{ "PATCH", "/users/1/", "{\"name\": \"x\"}" },
		{ "DELETE", "/users/1/", NULL },
		{ "POST", "/users/1/roles/", "[{\"id\": 1}]" },
		{ "DELETE", "/users/1/roles/", "[{\"id\": 1}]" },
		{ "POST", "/users/1/actions/disable/", NULL },
		{ "POST", "/users/1/actions/enable/", NULL },
		{ "POST", "/users/1/actions/change-password/",
		    "{\"new_password\": \"12345678\"}" },
	};

	expect_all_refused(routes, sizeof(routes) / sizeof(routes[0]), 0,
	    NULL, 401, 10005, TABLES);
}
END_TEST

START_TEST(non_superuser_is_403)
{
	const char	*me = uniq("unon"), *other = uniq("uoth");
	const char	*tok = user_token(me, 0, NULL);
	long long	 oid = mkuser(other), rid = mkrole(uniq("urole"));
	char		 body[256];
	const struct call routes[] = {
		{ "GET", "/users/", NULL },
		{ "POST", "/users/", "{\"username\": \"sneaky1\", \"password\": \"12345678\"}" },
		{ "GET", path_of("/users/%lld/", oid), NULL },
		{ "PATCH", path_of("/users/%lld/", oid), "{\"name\": \"x\"}" },
		{ "DELETE", path_of("/users/%lld/", oid), NULL },
		{ "POST", path_of("/users/%lld/roles/", oid), body },
		{ "DELETE", path_of("/users/%lld/roles/", oid), body },
		{ "POST", path_of("/users/%lld/actions/disable/", oid), NULL },
		{ "POST", path_of("/users/%lld/actions/enable/", oid), NULL },
		{ "POST", path_of("/users/%lld/actions/change-password/", oid),
		    "{\"original_password\": \"x\", \"new_password\": \"12345678\"}" },
	};

	snprintf(body, sizeof(body), "[{\"id\": %lld}]", rid);
	expect_all_refused(routes, sizeof(routes) / sizeof(routes[0]), 0,
	    tok, 403, 10007, TABLES);
}
END_TEST

/* ---- read -------------------------------------------------------------- */

START_TEST(get_by_admin_and_self)
{
	const char	*name = uniq("uget"), *other = uniq("uget");
	long long	 id, oid;
	const char	*tok = user_token(name, 0, &id);
	struct resp	*r;

	oid = mkuser(other);
	r = api("GET", path_of("/users/%lld/", id), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	expect_user(r->json, id, name, name, "", "", "enabled", 0, "");
	/* user_token() signed in once: last_login is set and recent. */
	expect_recent(r->json, "last_login");
	expect_recent(r->json, "created_time");
	resp_free(r);
	r = api("GET", path_of("/users/%lld", id), tok, NULL);
	ck_assert_int_eq(r->status, 200);
	expect_user(r->json, id, name, name, "", "", "enabled", 0, "");
	resp_free(r);
	expect_error(api("GET", path_of("/users/%lld/", oid), tok, NULL), 403,
	    10007, NULL);
	expect_error(api("GET", NOSUCH, admin_token(), NULL), 404, 10008, NULL);
	/* A user that never signed in has last_login null. */
	r = api("GET", path_of("/users/%lld/", oid), admin_token(), NULL);
	expect_user(r->json, oid, other, other, "", "", "enabled", 0, "");
	ck_assert(jnull(r->json, "last_login"));
	resp_free(r);
}
END_TEST

/* ---- list -------------------------------------------------------------- */

START_TEST(list_unfiltered)
{
	struct resp	*r;
	long long	 n;

	mkuser(uniq("ul"));
	r = api("GET", "/users/", admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jkeys(r->json, NULL), 4);
	n = db_int("SELECT COUNT(*) FROM users");
	ck_assert_int_eq(jint(r->json, "count"), n);
	ck_assert_int_eq(jlen(r->json, "results"), n < 10 ? n : 10);
	ck_assert_int_eq(jint(r->json, "results.0.id"),
	    db_int("SELECT MAX(id) FROM users"));
	ck_assert(jnull(r->json, "prev"));
	if (n > 10)
		ck_assert_str_eq(jstr(r->json, "next"), "/users/?page=2");
	else
		ck_assert(jnull(r->json, "next"));
	ck_assert_ptr_null(strstr(r->body, "argon2"));
	resp_free(r);
}
END_TEST

START_TEST(list_filters_and_pages)
{
	const char	*p = uniq("ulf");
	char		 n[5][128], path[512];
	long long	 id[5];
	struct resp	*r;
	int		 i;

	for (i = 0; i < 3; i++) {
		snprintf(n[i], sizeof(n[i]), "%s%c", p, 'a' + i);
		r = api_f("POST", "/users/", admin_token(), "{\"username\": "
		    "\"%s\", \"password\": \"12345678\", \"email\": "
		    "\"%s@example.%s\", \"phone\": \"555-%d-%s\"}", n[i], n[i],
		    i == 1 ? "org" : "com", i, p);
		ck_assert_int_eq(r->status, 201);
		id[i] = jint(r->json, "id");
		resp_free(r);
	}
	/* Page 1 of 2: newest first. */
	snprintf(path, sizeof(path), "/users/?username=%s&page_size=2", p);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert_int_eq(jlen(r->json, "results"), 2);
	ck_assert_int_eq(jint(r->json, "results.0.id"), id[2]);
	ck_assert_int_eq(jint(r->json, "results.1.id"), id[1]);
	snprintf(path, sizeof(path), "/users/?username=%s&page_size=2&page=2", p);
	ck_assert_str_eq(jstr(r->json, "next"), path);
	ck_assert(jnull(r->json, "prev"));
	resp_free(r);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert_int_eq(jlen(r->json, "results"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), id[0]);
	ck_assert(jnull(r->json, "next"));
	snprintf(path, sizeof(path), "/users/?username=%s&page_size=2&page=1", p);
	ck_assert_str_eq(jstr(r->json, "prev"), path);
	resp_free(r);
	/* Past the end: no rows, the true count. */
	snprintf(path, sizeof(path), "/users/?username=%s&page_size=2&page=9", p);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert_int_eq(jlen(r->json, "results"), 0);
	resp_free(r);
	/* page_number is page's alias. */
	snprintf(path, sizeof(path), "/users/?username=%s&page_size=2&page_number=2",
	    p);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "results.0.id"), id[0]);
	resp_free(r);
	/* Filters: substring, any case, combined with AND. */
	for (i = 0; p[i]; i++)
		path[i] = (char)toupper((unsigned char)p[i]);
	path[i] = '\0';
	{
		char q[1024];

		snprintf(q, sizeof(q), "/users/?username=%s", path);
		r = api("GET", q, admin_token(), NULL);
		ck_assert_int_eq(jint(r->json, "count"), 3);
		resp_free(r);
		snprintf(q, sizeof(q), "/users/?username=%s&email=example.org", p);
		r = api("GET", q, admin_token(), NULL);
		ck_assert_int_eq(jint(r->json, "count"), 1);
		ck_assert_int_eq(jint(r->json, "results.0.id"), id[1]);
		{
			char e[256], ph[256];

			snprintf(e, sizeof(e), "%s@example.org", n[1]);
			snprintf(ph, sizeof(ph), "555-1-%s", p);
			expect_user(jpath(r->json, "results.0"), id[1], n[1],
			    n[1], e, ph, "enabled", 0, "");
		}
		resp_free(r);
		snprintf(q, sizeof(q), "/users/?phone=555-2-%s", p);
		r = api("GET", q, admin_token(), NULL);
		ck_assert_int_eq(jint(r->json, "count"), 1);
		ck_assert_int_eq(jint(r->json, "results.0.id"), id[2]);
		resp_free(r);
		/* status: exact, and out of its set is a 400. */
		expect_status(api("POST", path_of("/users/%lld/actions/disable/",
		    id[0]), admin_token(), NULL), 200);
		snprintf(q, sizeof(q), "/users/?username=%s&status=disabled", p);
		r = api("GET", q, admin_token(), NULL);
		ck_assert_int_eq(jint(r->json, "count"), 1);
		ck_assert_int_eq(jint(r->json, "results.0.id"), id[0]);
		ck_assert_str_eq(jstr(r->json, "results.0.status"), "disabled");
		resp_free(r);
		snprintf(q, sizeof(q), "/users/?username=%s&status=enabled", p);
		r = api("GET", q, admin_token(), NULL);
		ck_assert_int_eq(jint(r->json, "count"), 2);
		resp_free(r);
		snprintf(q, sizeof(q), "/users/?username=%s&status=gone", p);
		expect_error(api("GET", q, admin_token(), NULL), 400, 10002,
		    "status");
		/* Unknown parameters are ignored. */
		snprintf(q, sizeof(q), "/users/?username=%s&colour=red", p);
		r = api("GET", q, admin_token(), NULL);
		ck_assert_int_eq(jint(r->json, "count"), 3);
		resp_free(r);
		/* Nothing matches: count 0, no links. */
		snprintf(q, sizeof(q), "/users/?username=%s&email=nowhere", p);
		r = api("GET", q, admin_token(), NULL);
		ck_assert_int_eq(jint(r->json, "count"), 0);
		ck_assert_int_eq(jlen(r->json, "results"), 0);
		ck_assert(jnull(r->json, "next"));
		ck_assert(jnull(r->json, "prev"));
		resp_free(r);
	}
}
END_TEST

START_TEST(list_filter_wildcards_are_literal)
{
	const char	*p = uniq("ulw");
	char		 a[128], b[128], q[512];
	struct resp	*r;
	long long	 ida;

	snprintf(a, sizeof(a), "%s_q", p);
	snprintf(b, sizeof(b), "%sxq", p);
	ida = mkuser(a);
	mkuser(b);
	snprintf(q, sizeof(q), "/users/?username=%s_q", p);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), ida);
	resp_free(r);
	snprintf(q, sizeof(q), "/users/?username=%s%%25", p);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
}
END_TEST

/* ---- PATCH --------------------------------------------------------------- */

START_TEST(patch_by_admin)
{
	const char	*name = uniq("up");
	long long	 id = mkuser(name);
	struct resp	*r;

	r = api("PATCH", path_of("/users/%lld/", id), admin_token(),
	    "{\"name\": \"张三\", \"email\": \"z@example.com\", "
	    "\"phone\": \"" SQLI "\"}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	expect_user(r->json, id, name, "张三", "z@example.com", SQLI, "enabled",
	    0, "");
	resp_free(r);
	/* Omitted fields stay; email "" clears. */
	r = api("PATCH", path_of("/users/%lld/", id), admin_token(),
	    "{\"email\": \"\"}");
	ck_assert_int_eq(r->status, 200);
	expect_user(r->json, id, name, "张三", "", SQLI, "enabled", 0, "");
	resp_free(r);
	r = api("GET", path_of("/users/%lld/", id), admin_token(), NULL);
	expect_user(r->json, id, name, "张三", "", SQLI, "enabled", 0, "");
	resp_free(r);
	/* An empty body changes nothing and answers the object. */
	r = api("PATCH", path_of("/users/%lld/", id), admin_token(), "{}");
	ck_assert_int_eq(r->status, 200);
	expect_user(r->json, id, name, "张三", "", SQLI, "enabled", 0, "");
	resp_free(r);
	expect_error(api("PATCH", NOSUCH, admin_token(), "{\"name\": \"x\"}"),
	    404, 10008, NULL);
}
END_TEST

START_TEST(patch_self_only_contact_fields)
{
	const char	*name = uniq("ups"), *other = uniq("upo");
	long long	 id, oid = mkuser(other);
	const char	*tok = user_token(name, 0, &id);
	struct resp	*r;
	char		*before, *after;

	r = api_f("PATCH", path_of("/users/%lld/", id), tok,
	    "{\"name\": \"Me\", \"email\": \"me@example.com\", \"phone\": \"42\", "
	    "\"is_superuser\": true, \"status\": \"disabled\", "
	    "\"username\": \"renamed\", \"password\": \"zzzzzzzz\", "
	    "\"original_password\": \"%s\"}", pw_of(name));
	ck_assert_msg(r->status == 200, "%s", r->body);
	/* Only name, email and phone are read; the rest is ignored. */
	expect_user(r->json, id, name, "Me", "me@example.com", "42", "enabled",
	    0, "");
	resp_free(r);
	r = login(name, pw_of(name));
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	before = db_fingerprint(TABLES);
	expect_error(api("PATCH", path_of("/users/%lld/", oid), tok,
	    "{\"name\": \"hacked\"}"), 403, 10007, NULL);
	after = db_fingerprint(TABLES);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

/*
 * The email is where a password reset goes: changing one's own takes the
 * current password, or a stolen session or token would become the
 * account.  Name and phone do not; a superuser changing another user's
 * email does not.
 */
START_TEST(patch_own_email_needs_password)
{
	const char	*name = uniq("upe");
	long long	 id;
	const char	*tok = user_token(name, 0, &id);
	const char	*path = path_of("/users/%lld/", id);
	struct resp	*r;
	char		*before;

	r = api("PATCH", path, admin_token(), "{\"email\": \"old@example.com\"}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	resp_free(r);
	before = db_fingerprint(TABLES);
	expect_error(api("PATCH", path, tok, "{\"email\": \"evil@example.com\"}"),
	    400, 10002, "original_password");
	expect_error(api("PATCH", path, tok, "{\"name\": \"N\", \"email\": "
	    "\"evil@example.com\", \"original_password\": \"wrong-one\"}"), 400,
	    300001, NULL);
	expect_error(api("PATCH", path, tok, "{\"email\": \"\"}"), 400, 10002,
	    "original_password");
	db_unchanged(before, TABLES);
	/* Name, phone and the same email need no password. */
	r = api("PATCH", path, tok, "{\"name\": \"N\", \"phone\": \"7\", "
	    "\"email\": \"old@example.com\"}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	expect_user(r->json, id, name, "N", "old@example.com", "7", "enabled", 0,
	    "");
	resp_free(r);
	/* With it, the email changes. */
	r = api_f("PATCH", path, tok, "{\"email\": \"new@example.com\", "
	    "\"original_password\": \"%s\"}", pw_of(name));
	ck_assert_msg(r->status == 200, "%s", r->body);
	expect_user(r->json, id, name, "N", "new@example.com", "7", "enabled", 0,
	    "");
	resp_free(r);
	/* A superuser needs none for another user's, but does for its own. */
	r = api("PATCH", path, admin_token(), "{\"email\": \"adm@example.com\"}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "email"), "adm@example.com");
	resp_free(r);
	before = db_fingerprint(TABLES);
	expect_error(api("PATCH", path_of("/users/%lld/", admin_id()),
	    admin_token(), "{\"email\": \"owned@example.com\"}"), 400, 10002,
	    "original_password");
	db_unchanged(before, TABLES);
}
END_TEST

/* Wrong originals count like failed logins, and share their budget. */
START_TEST(original_password_is_throttled)
{
	const char	*name = uniq("uct");
	long long	 id;
	const char	*tok = user_token(name, 0, &id);
	const char	*path = path_of("/users/%lld/actions/change-password/", id);
	char		*before;
	int		 i;

	clear_login_counters(name);
	before = db_fingerprint(TABLES);
	for (i = 0; i < 10; i++)
		expect_error(api("POST", path, tok, "{\"original_password\": "
		    "\"wrong-one\", \"new_password\": \"new-password-1\"}"), 400,
		    300001, NULL);
	/* The right one now is refused too, in either place. */
	expect_error(api_f("POST", path, tok, "{\"original_password\": \"%s\", "
	    "\"new_password\": \"new-password-1\"}", pw_of(name)), 429, 10011,
	    NULL);
	expect_error(api_f("PATCH", path_of("/users/%lld/", id), tok,
	    "{\"email\": \"x@example.com\", \"original_password\": \"%s\"}",
	    pw_of(name)), 429, 10011, NULL);
	db_unchanged(before, TABLES);
	expect_error(login(name, pw_of(name)), 429, 10011, NULL);
	clear_login_counters(name);
	expect_status(api_f("POST", path, tok, "{\"original_password\": \"%s\", "
	    "\"new_password\": \"new-password-1\"}", pw_of(name)), 200);
}
END_TEST

START_TEST(patch_bad_input)
{
	static const struct field_spec f[] = {
		{ "name", 0, "string", 128, NULL },
		{ "email", 0, "string", 254, NULL },
		{ "phone", 0, "string", 32, NULL },
		{ "original_password", 0, "string", 1024, NULL },
	};
	long long	 id = mkuser(uniq("upb"));
	const char	*path = path_of("/users/%lld/", id);
	char		*before, *after;

	bad_input_battery("PATCH", path, admin_token(),
	    "{\"name\": \"n\", \"email\": \"a@b.cn\", \"phone\": \"1\"}", f,
	    sizeof(f) / sizeof(f[0]), TABLES);
	before = db_fingerprint(TABLES);
	expect_error(api("PATCH", path, admin_token(), "{\"name\": \"\"}"), 400,
	    10002, "name");
	expect_error(api("PATCH", path, admin_token(), "{\"email\": \"@x\"}"),
	    400, 10002, "email");
	expect_error(api("PATCH", path, admin_token(), "{\"name\": null}"), 400,
	    10002, "name");
	expect_error(api("PATCH", path, admin_token(), "[1]"), 400, 10002, NULL);
	after = db_fingerprint(TABLES);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

/* ---- DELETE -------------------------------------------------------------- */

START_TEST(delete_user)
{
	const char	*name = uniq("udel");
	long long	 id, rid = mkrole(uniq("udelr"));
	const char	*tok = user_token(name, 0, &id);
	char		 body[64], *before, *after;

	snprintf(body, sizeof(body), "[{\"id\": %lld}]", rid);
	expect_status(api("POST", path_of("/users/%lld/roles/", id),
	    admin_token(), body), 200);
	expect_status(api("DELETE", path_of("/users/%lld/", id), admin_token(),
	    NULL), 200);
	expect_error(api("GET", path_of("/users/%lld/", id), admin_token(), NULL),
	    404, 10008, NULL);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM users WHERE id = %lld",
	    id), 0);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM user_roles WHERE "
	    "user_id = %lld", id), 0);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM auth_tokens WHERE "
	    "user_id = %lld", id), 0);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM roles WHERE id = %lld",
	    rid), 1);
	/* Its token died with it. */
	expect_error(api("GET", "/auth/me/", tok, NULL), 401, 10005, NULL);
	before = db_fingerprint(TABLES);
	expect_error(api("DELETE", path_of("/users/%lld/", id), admin_token(),
	    NULL), 404, 10008, NULL);
	expect_error(api("DELETE", NOSUCH, admin_token(), NULL), 404, 10008,
	    NULL);
	/* Nobody deletes themselves. */
	expect_error(api("DELETE", path_of("/users/%lld/", admin_id()),
	    admin_token(), NULL), 409, 10010, NULL);
	after = db_fingerprint(TABLES);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

/* ---- roles of a user ----------------------------------------------------- */

START_TEST(assign_and_remove_roles)
{
	const char	*name = uniq("ur");
	const char	*r1n = uniq("urole"), *r2n = "张三 '; DROP TABLE users; --";
	long long	 id = mkuser(name), r1 = mkrole(r1n), r2;
	struct resp	*r;
	char		 body[128], want[512];

	{
		char n2[128];

		snprintf(n2, sizeof(n2), "%s %d", r2n, getpid());
		r2 = mkrole(n2);
		snprintf(want, sizeof(want), "%lld:%s,%lld:%s", r1, r1n, r2, n2);
	}
	snprintf(body, sizeof(body), "[{\"id\": %lld}, {\"id\": %lld}, "
	    "{\"id\": %lld}]", r2, r1, r2);
	r = api("POST", path_of("/users/%lld/roles/", id), admin_token(), body);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	ck_assert_int_eq(jkeys(r->json, NULL), 1);
	resp_free(r);
	r = api("GET", path_of("/users/%lld/", id), admin_token(), NULL);
	expect_user(r->json, id, name, name, "", "", "enabled", 0, want);
	resp_free(r);
	/* Adding again is harmless. */
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", r1);
	expect_status(api("POST", path_of("/users/%lld/roles/", id),
	    admin_token(), body), 200);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM user_roles WHERE "
	    "user_id = %lld", id), 2);
	r = api("DELETE", path_of("/users/%lld/roles/", id), admin_token(), body);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
	r = api("GET", path_of("/users/%lld/", id), admin_token(), NULL);
	snprintf(want, sizeof(want), "%lld:%s", r2, jstr(r->json, "roles.0.name"));
	expect_user(r->json, id, name, name, "", "", "enabled", 0, want);
	ck_assert_int_eq(jint(r->json, "roles.0.id"), r2);
	resp_free(r);
	/* Removing a role the user does not have is harmless too. */
	expect_status(api("DELETE", path_of("/users/%lld/roles/", id),
	    admin_token(), body), 200);
}
END_TEST

START_TEST(assign_roles_refusals)
{
	long long	 id = mkuser(uniq("urb")), rid = mkrole(uniq("urbr"));
	const char	*path = path_of("/users/%lld/roles/", id);
	char		 body[128], *before, *after;
	struct resp	*r;
	json_object	*e;

	before = db_fingerprint(TABLES);
	snprintf(body, sizeof(body), "[{\"id\": %lld}, {\"id\": 999999999}]", rid);
	/* One unknown role refuses them all, naming it. */
	r = api("POST", path, admin_token(), body);
	ck_assert_int_eq(r->status, 400);
	ck_assert_int_eq(jint(r->json, "error_code"), 10002);
	ck_assert(json_object_object_get_ex(jpath(r->json, "errors"), "[1].id",
	    &e));
	resp_free(r);
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", rid);
	expect_error(api("POST", "/users/999999999/roles/", admin_token(), body),
	    404, 10008, NULL);
	expect_error(api("DELETE", "/users/999999999/roles/", admin_token(),
	    body), 404, 10008, NULL);
	expect_error(api("POST", path, admin_token(), "[]"), 400, 10002, NULL);
	expect_error(api("POST", path, admin_token(), "{\"id\": 1}"), 400, 10002,
	    NULL);
	expect_error(api("POST", path, admin_token(), "[{\"id\": \"1\"}]"), 400,
	    10002, NULL);
	expect_error(api("POST", path, admin_token(), "[{\"id\": 0}]"), 400,
	    10002, NULL);
	expect_error(api("POST", path, admin_token(), "[{\"name\": 1}]"), 400,
	    10002, NULL);
	expect_error(api("POST", path, admin_token(), "[1, 2]"), 400, 10002,
	    NULL);
	expect_error(api("POST", path, admin_token(), NULL), 400, 10002, NULL);
	expect_error(api("POST", path, admin_token(), "[{\"id\": 1}"), 400, 10001,
	    NULL);
	expect_error(api_raw("POST", path, admin_token(), "text/plain", body,
	    strlen(body), NULL), 415, 10003, NULL);
	after = db_fingerprint(TABLES);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

/* ---- disable / enable ------------------------------------------------------ */

START_TEST(disable_and_enable)
{
	const char	*name = uniq("uden");
	long long	 id;
	const char	*tok = user_token(name, 0, &id);
	struct session	 s;
	struct resp	*r;
	char		*before, *after;

	login_session(name, pw_of(name), &s);
	expect_status(api("GET", "/auth/me/", tok, NULL), 200);
	expect_status(api_cookie("GET", "/auth/me/", &s, 0, NULL), 200);
	r = api("POST", path_of("/users/%lld/actions/disable/", id), admin_token(),
	    NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
	r = api("GET", path_of("/users/%lld/", id), admin_token(), NULL);
	expect_user(r->json, id, name, name, "", "", "disabled", 0, "");
	resp_free(r);
	/* The very next request of its token and of its session fails. */
	expect_error(api("GET", "/auth/me/", tok, NULL), 401, 10005, NULL);
	expect_error(api_cookie("GET", "/auth/me/", &s, 0, NULL), 401, 10005,
	    NULL);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM sessions WHERE "
	    "user_id = %lld", id), 0);
	/* It cannot sign in: the same answer as a wrong password. */
	r = login(name, pw_of(name));
	expect_error(r, 401, 10006, NULL);
	clear_login_counters(name);
	/* Disabling twice is fine. */
	expect_status(api("POST", path_of("/users/%lld/actions/disable/", id),
	    admin_token(), NULL), 200);
	r = api("POST", path_of("/users/%lld/actions/enable/", id), admin_token(),
	    NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
	r = api("GET", "/auth/me/", tok, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "user.id"), id);
	ck_assert_str_eq(jstr(r->json, "user.status"), "enabled");
	resp_free(r);
	/* The session ended for good; a new login works. */
	expect_error(api_cookie("GET", "/auth/me/", &s, 0, NULL), 401, 10005,
	    NULL);
	login_session(name, pw_of(name), &s);
	expect_status(api_cookie("GET", "/auth/me/", &s, 0, NULL), 200);
	/* Refusals. */
	before = db_fingerprint(TABLES);
	expect_error(api("POST", path_of("/users/%lld/actions/disable/",
	    admin_id()), admin_token(), NULL), 409, 10010, NULL);
	expect_error(api("POST", "/users/999999999/actions/disable/",
	    admin_token(), NULL), 404, 10008, NULL);
	expect_error(api("POST", "/users/999999999/actions/enable/",
	    admin_token(), NULL), 404, 10008, NULL);
	after = db_fingerprint(TABLES);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

/* ---- change-password -------------------------------------------------------- */

static char *
hash_of(long long id)
{
	return db_str(path_of("SELECT password_hash FROM users WHERE id = %lld",
	    id));
}

START_TEST(change_own_password)
{
	const char	*name = uniq("ucp");
	long long	 id;
	const char	*tok = user_token(name, 0, &id);
	const char	*path = path_of("/users/%lld/actions/change-password/", id);
	struct session	 s, other;
	struct resp	*r;
	char		 body[512], *h0, *h1;

	login_session(name, pw_of(name), &s);
	login_session(name, pw_of(name), &other);
	h0 = hash_of(id);
	/* Wrong original: 300001, nothing changes. */
	r = api("POST", path, tok, "{\"original_password\": \"wrong-one\", "
	    "\"new_password\": \"new-password-1\"}");
	ck_assert_msg(r->status == 400, "%s", r->body);
	expect_error(r, 400, 300001, NULL);
	/* Without the original: 10002 naming it. */
	expect_error(api("POST", path, tok, "{\"new_password\": "
	    "\"new-password-1\"}"), 400, 10002, "original_password");
	/* Too short. */
	snprintf(body, sizeof(body), "{\"original_password\": \"%s\", "
	    "\"new_password\": \"1234567\"}", pw_of(name));
	expect_error(api("POST", path, tok, body), 400, 10002, "new_password");
	h1 = hash_of(id);
	ck_assert_str_eq(h0, h1);
	free(h1);
	/* Right original: success; through the cookie session with CSRF. */
	snprintf(body, sizeof(body), "{\"original_password\": \"%s\", "
	    "\"new_password\": \"new-password-1\"}", pw_of(name));
	r = api_cookie("POST", path, &s, 1, body);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
	h1 = hash_of(id);
	ck_assert_str_ne(h0, h1);
	ck_assert(strncmp(h1, "$argon2id$", 10) == 0);
	free(h0);
	free(h1);
	/* The caller's session stays, the user's other sessions end. */
	expect_status(api_cookie("GET", "/auth/me/", &s, 0, NULL), 200);
	expect_error(api_cookie("GET", "/auth/me/", &other, 0, NULL), 401, 10005,
	    NULL);
	/* The old password is refused, the new one works. */
	expect_error(login(name, pw_of(name)), 401, 10006, NULL);
	clear_login_counters(name);
	expect_status(login(name, "new-password-1"), 200);
}
END_TEST

START_TEST(superuser_changes_others_password)
{
	const char	*name = uniq("ucs");
	long long	 id = mkuser(name);
	const char	*path = path_of("/users/%lld/actions/change-password/", id);
	struct session	 s;
	struct resp	*r;
	char		*before, *after;

	login_session(name, pw_of(name), &s);
	r = api("POST", path, admin_token(), "{\"new_password\": "
	    "\"by-the-admin-1\"}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
	/* The user's sessions end; its new password works. */
	expect_error(api_cookie("GET", "/auth/me/", &s, 0, NULL), 401, 10005,
	    NULL);
	expect_status(login(name, "by-the-admin-1"), 200);
	/* A superuser changing its own password needs the original. */
	before = db_fingerprint(TABLES);
	expect_error(api("POST", path_of("/users/%lld/actions/change-password/",
	    admin_id()), admin_token(), "{\"new_password\": \"whatever-1\"}"),
	    400, 10002, "original_password");
	expect_error(api("POST", path_of("/users/%lld/actions/change-password/",
	    admin_id()), admin_token(), "{\"original_password\": \"not-it\", "
	    "\"new_password\": \"whatever-1\"}"), 400, 300001, NULL);
	expect_error(api("POST", "/users/999999999/actions/change-password/",
	    admin_token(), "{\"new_password\": \"whatever-1\"}"), 404, 10008,
	    NULL);
	after = db_fingerprint(TABLES);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}
END_TEST

START_TEST(change_password_bad_input)
{
	static const struct field_spec f[] = {
		{ "original_password", 0, "string", 1024, NULL },
		{ "new_password", 1, "string", 1024, NULL },
	};
	long long id = mkuser(uniq("ucb"));

	bad_input_battery("POST", path_of("/users/%lld/actions/change-password/",
	    id), admin_token(), "{\"original_password\": \"12345678\", "
	    "\"new_password\": \"abcdefgh\"}", f, sizeof(f) / sizeof(f[0]),
	    TABLES);
}
END_TEST

static TCase *
tc_create(void)
{
	TCase *tc = tcase_create("create");

	tcase_add_test(tc, create_returns_every_field);
	tcase_add_test(tc, create_defaults);
	tcase_add_test(tc, create_round_trips_sql_and_unicode);
	tcase_add_test(tc, create_duplicate_is_409);
	tcase_add_test(tc, create_bad_input);
	return tc;
}

static TCase *
tc_access(void)
{
	TCase *tc = tcase_create("access");

	tcase_add_test(tc, anonymous_is_401);
	tcase_add_test(tc, non_superuser_is_403);
	return tc;
}

static TCase *
tc_read(void)
{
	TCase *tc = tcase_create("read");

	tcase_add_test(tc, get_by_admin_and_self);
	tcase_add_test(tc, list_unfiltered);
	tcase_add_test(tc, list_filters_and_pages);
	tcase_add_test(tc, list_filter_wildcards_are_literal);
	return tc;
}

static TCase *
tc_write(void)
{
	TCase *tc = tcase_create("write");

	tcase_add_test(tc, patch_by_admin);
	tcase_add_test(tc, patch_self_only_contact_fields);
	tcase_add_test(tc, patch_own_email_needs_password);
	tcase_add_test(tc, patch_bad_input);
	tcase_add_test(tc, delete_user);
	tcase_add_test(tc, assign_and_remove_roles);
	tcase_add_test(tc, assign_roles_refusals);
	tcase_add_test(tc, disable_and_enable);
	return tc;
}

static TCase *
tc_password(void)
{
	TCase *tc = tcase_create("password");

	tcase_add_test(tc, change_own_password);
	tcase_add_test(tc, original_password_is_throttled);
	tcase_add_test(tc, superuser_changes_others_password);
	tcase_add_test(tc, change_password_bad_input);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_create, tc_access, tc_read,
	    tc_write, tc_password };

	return run_suite("users", cases, sizeof(cases) / sizeof(cases[0])) ?
	    1 : 0;
}
