/*
 * test_roles.c -- /roles/ (API.md sections 2 and 6, the seed's 角色):
 * create, read, list, rename, delete and membership, with every refusal
 * checked to change nothing.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authlib.h"

#define TABLES	"users,roles,user_roles"
#define SQLI	"'; DROP TABLE users; --"

static long long
mkrole(const char *name)
{
	return api_create("/roles/", "{\"name\": \"%s\"}", name);
}

static long long
mkuser(const char *name)
{
	return api_create("/users/", "{\"username\": \"%s\", "
	    "\"password\": \"%s\"}", name, pw_of(name));
}

/* Every field of a Role object. */
static void
expect_role(json_object *o, long long id, const char *name,
    const char *creator)
{
	ck_assert_int_eq(jkeys(o, NULL), 4);
	ck_assert_int_eq(jint(o, "id"), id);
	ck_assert_str_eq(jstr(o, "name"), name);
	ck_assert_str_eq(jstr(o, "creator"), creator);
	ck_assert_msg(rfc3339_secs(jstr(o, "created_time")) > 0, "created_time");
}

/* The tables this file's refusals must leave as they were. */
#define unchanged(before)	db_unchanged((before), TABLES)

START_TEST(create_and_get)
{
	const char	*name = uniq("rc");
	const char	*tok = user_token(uniq("rcu"), 0, NULL);
	struct resp	*r;
	long long	 id;

	r = api_f("POST", "/roles/", admin_token(), "{\"name\": \"%s\"}", name);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	expect_role(r->json, id, name, "admin");
	expect_recent(r->json, "created_time");
	resp_free(r);
	ck_assert_int_eq(db_int(path_of("SELECT COUNT(*) FROM roles WHERE id = "
	    "%lld", id)), 1);
	/* Anyone signed in may read it. */
	r = api("GET", path_of("/roles/%lld/", id), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	expect_role(r->json, id, name, "admin");
	resp_free(r);
	r = api("GET", path_of("/roles/%lld", id), tok, NULL);
	ck_assert_int_eq(r->status, 200);
	expect_role(r->json, id, name, "admin");
	resp_free(r);
	expect_error(api("GET", "/roles/999999999/", admin_token(), NULL), 404,
	    10008, NULL);
	expect_error(api("GET", "/roles/999999999/", tok, NULL), 404, 10008,
	    NULL);
}
END_TEST

START_TEST(create_by_another_superuser_names_it)
{
	const char	*su = uniq("rsu"), *name = uniq("rcs");
	const char	*tok = user_token(su, 1, NULL);
	struct resp	*r;

	r = api_f("POST", "/roles/", tok, "{\"name\": \"%s\"}", name);
	ck_assert_msg(r->status == 201, "%s", r->body);
	expect_role(r->json, jint(r->json, "id"), name, su);
	resp_free(r);
}
END_TEST

START_TEST(names_round_trip)
{
	char		 a[128], b[128];
	struct resp	*r;
	long long	 ida, idb;

	snprintf(a, sizeof(a), SQLI " %d", getpid());
	snprintf(b, sizeof(b), "张三 %d", getpid());
	ida = mkrole(a);
	idb = mkrole(b);
	r = api("GET", path_of("/roles/%lld/", ida), admin_token(), NULL);
	expect_role(r->json, ida, a, "admin");
	resp_free(r);
	r = api("GET", path_of("/roles/%lld/", idb), admin_token(), NULL);
	expect_role(r->json, idb, b, "admin");
	resp_free(r);
	r = api("GET", path_of("/roles/?name=%%E5%%BC%%A0%%E4%%B8%%89%%20%d",
	    getpid()), admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	expect_role(jpath(r->json, "results.0"), idb, b, "admin");
	resp_free(r);
	r = api("GET", path_of("/roles/?name=%%27%%3B%%20DROP%%20TABLE%%20users"
	    "%%3B%%20--%%20%d", getpid()), admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	expect_role(jpath(r->json, "results.0"), ida, a, "admin");
	resp_free(r);
	ck_assert_int_gt(db_int("SELECT COUNT(*) FROM users"), 0);
}
END_TEST

START_TEST(duplicate_names_are_409)
{
	const char	*a = uniq("rdup"), *b = uniq("rdup");
	long long	 idb;
	char		*before, upper[128];
	size_t		 i;

	mkrole(a);
	idb = mkrole(b);
	for (i = 0; a[i] && i < sizeof(upper) - 1; i++)
		upper[i] = (char)toupper((unsigned char)a[i]);
	upper[i] = '\0';
	before = db_fingerprint(TABLES);
	expect_error(api_f("POST", "/roles/", admin_token(), "{\"name\": \"%s\"}",
	    a), 409, 10010, NULL);
	expect_error(api_f("POST", "/roles/", admin_token(), "{\"name\": \"%s\"}",
	    upper), 409, 10010, NULL);
	expect_error(api_f("PATCH", path_of("/roles/%lld/", idb), admin_token(),
	    "{\"name\": \"%s\"}", a), 409, 10010, NULL);
	unchanged(before);
}
END_TEST

START_TEST(create_bad_input)
{
	static const struct field_spec f[] = {
		{ "name", 1, "string", 128, NULL },
	};
	char *before;

	bad_input_battery("POST", "/roles/", admin_token(), "{\"name\": \"r\"}",
	    f, 1, TABLES);
	before = db_fingerprint(TABLES);
	expect_error(api("POST", "/roles/", admin_token(), "{\"name\": \"\"}"),
	    400, 10002, "name");
	expect_error(api("POST", "/roles/", admin_token(), "{\"name\": null}"),
	    400, 10002, "name");
	expect_error(api("POST", "/roles/", admin_token(),
	    "{\"name\": \"a\\nb\"}"), 400, 10002, "name");
	unchanged(before);
}
END_TEST

START_TEST(list_filters_and_pages)
{
	const char	*p = uniq("rl");
	char		 n[3][128], q[512];
	long long	 id[3];
	struct resp	*r;
	const char	*tok = user_token(uniq("rlu"), 0, NULL);
	int		 i;

	for (i = 0; i < 3; i++) {
		snprintf(n[i], sizeof(n[i]), "%s %c", p, 'A' + i);
		id[i] = mkrole(n[i]);
	}
	/* Non-superusers may list roles. */
	snprintf(q, sizeof(q), "/roles/?name=%s&page_size=2", p);
	r = api("GET", q, tok, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jkeys(r->json, NULL), 4);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert_int_eq(jlen(r->json, "results"), 2);
	expect_role(jpath(r->json, "results.0"), id[2], n[2], "admin");
	expect_role(jpath(r->json, "results.1"), id[1], n[1], "admin");
	ck_assert(jnull(r->json, "prev"));
	snprintf(q, sizeof(q), "/roles/?name=%s&page_size=2&page=2", p);
	ck_assert_str_eq(jstr(r->json, "next"), q);
	resp_free(r);
	r = api("GET", q, tok, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert_int_eq(jlen(r->json, "results"), 1);
	expect_role(jpath(r->json, "results.0"), id[0], n[0], "admin");
	ck_assert(jnull(r->json, "next"));
	snprintf(q, sizeof(q), "/roles/?name=%s&page_size=2&page=1", p);
	ck_assert_str_eq(jstr(r->json, "prev"), q);
	resp_free(r);
	/* Case-insensitive substring; %, _ literal. */
	snprintf(q, sizeof(q), "/roles/?name=%s%%20b", p);
	for (i = 0; q[i]; i++)
		q[i] = (char)toupper((unsigned char)q[i]);
	memcpy(q, "/roles/?name=", 13);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), id[1]);
	resp_free(r);
	snprintf(q, sizeof(q), "/roles/?name=%s_B", p);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	snprintf(q, sizeof(q), "/roles/?name=%s%%25", p);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	/* Unfiltered: every role, newest first. */
	r = api("GET", "/roles/", admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"),
	    db_int("SELECT COUNT(*) FROM roles"));
	ck_assert_int_eq(jint(r->json, "results.0.id"),
	    db_int("SELECT MAX(id) FROM roles"));
	resp_free(r);
}
END_TEST

START_TEST(patch_role)
{
	const char	*name = uniq("rp");
	long long	 id = mkrole(name);
	struct resp	*r;
	char		 nn[128];

	snprintf(nn, sizeof(nn), "张三 " SQLI " %d", getpid());
	r = api_f("PATCH", path_of("/roles/%lld/", id), admin_token(),
	    "{\"name\": \"%s\"}", nn);
	ck_assert_msg(r->status == 200, "%s", r->body);
	expect_role(r->json, id, nn, "admin");
	resp_free(r);
	r = api("GET", path_of("/roles/%lld/", id), admin_token(), NULL);
	expect_role(r->json, id, nn, "admin");
	resp_free(r);
	/* Same name again, and an empty body: no change, 200. */
	r = api_f("PATCH", path_of("/roles/%lld/", id), admin_token(),
	    "{\"name\": \"%s\"}", nn);
	ck_assert_msg(r->status == 200, "%s", r->body);
	resp_free(r);
	r = api("PATCH", path_of("/roles/%lld/", id), admin_token(), "{}");
	ck_assert_int_eq(r->status, 200);
	expect_role(r->json, id, nn, "admin");
	resp_free(r);
	expect_error(api("PATCH", "/roles/999999999/", admin_token(),
	    "{\"name\": \"x\"}"), 404, 10008, NULL);
}
END_TEST

START_TEST(patch_bad_input)
{
	static const struct field_spec f[] = {
		{ "name", 0, "string", 128, NULL },
	};
	long long	 id = mkrole(uniq("rpb"));
	char		*before;

	bad_input_battery("PATCH", path_of("/roles/%lld/", id), admin_token(),
	    "{\"name\": \"r\"}", f, 1, TABLES);
	before = db_fingerprint(TABLES);
	expect_error(api("PATCH", path_of("/roles/%lld/", id), admin_token(),
	    "{\"name\": \"\"}"), 400, 10002, "name");
	unchanged(before);
}
END_TEST

START_TEST(delete_role)
{
	long long	 id = mkrole(uniq("rd")), uid = mkuser(uniq("rdu"));
	struct resp	*r;
	char		 body[64], *before;

	snprintf(body, sizeof(body), "[{\"id\": %lld}]", uid);
	expect_status(api("POST", path_of("/roles/%lld/users/", id),
	    admin_token(), body), 200);
	r = api("DELETE", path_of("/roles/%lld/", id), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
	expect_error(api("GET", path_of("/roles/%lld/", id), admin_token(), NULL),
	    404, 10008, NULL);
	ck_assert_int_eq(db_int(path_of("SELECT COUNT(*) FROM user_roles WHERE "
	    "role_id = %lld", id)), 0);
	/* The member stays, without the role. */
	r = api("GET", path_of("/users/%lld/", uid), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jlen(r->json, "roles"), 0);
	resp_free(r);
	before = db_fingerprint(TABLES);
	expect_error(api("DELETE", path_of("/roles/%lld/", id), admin_token(),
	    NULL), 404, 10008, NULL);
	unchanged(before);
}
END_TEST

START_TEST(members)
{
	long long	 id = mkrole(uniq("rm"));
	const char	*un[3];
	long long	 uid[3];
	struct resp	*r;
	char		 body[128], q[256];
	int		 i;

	for (i = 0; i < 3; i++) {
		un[i] = uniq("rmu");
		uid[i] = mkuser(un[i]);
	}
	/* Empty to begin with. */
	r = api("GET", path_of("/roles/%lld/users/", id), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	ck_assert_int_eq(jlen(r->json, "results"), 0);
	resp_free(r);
	snprintf(body, sizeof(body), "[{\"id\": %lld}, {\"id\": %lld}, "
	    "{\"id\": %lld}, {\"id\": %lld}]", uid[0], uid[1], uid[2], uid[0]);
	r = api("POST", path_of("/roles/%lld/users/", id), admin_token(), body);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
	/* Paginated user objects, newest first, carrying the role. */
	snprintf(q, sizeof(q), "/roles/%lld/users/?page_size=2", id);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert_int_eq(jlen(r->json, "results"), 2);
	{
		char want[256];

		snprintf(want, sizeof(want), "%lld:%s", id, jstr(r->json,
		    "results.0.roles.0.name"));
		expect_user(jpath(r->json, "results.0"), uid[2], un[2], un[2],
		    "", "", "enabled", 0, want);
		expect_user(jpath(r->json, "results.1"), uid[1], un[1], un[1],
		    "", "", "enabled", 0, want);
	}
	snprintf(q, sizeof(q), "/roles/%lld/users/?page_size=2&page=2", id);
	ck_assert_str_eq(jstr(r->json, "next"), q);
	ck_assert(jnull(r->json, "prev"));
	resp_free(r);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jlen(r->json, "results"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), uid[0]);
	resp_free(r);
	/* Remove two. */
	snprintf(body, sizeof(body), "[{\"id\": %lld}, {\"id\": %lld}]", uid[0],
	    uid[2]);
	r = api("DELETE", path_of("/roles/%lld/users/", id), admin_token(), body);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
	r = api("GET", path_of("/roles/%lld/users/", id), admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), uid[1]);
	resp_free(r);
	ck_assert_int_eq(db_int(path_of("SELECT COUNT(*) FROM user_roles WHERE "
	    "role_id = %lld", id)), 1);
}
END_TEST

/* The roles a User object shows follow membership, renames and deletes. */
START_TEST(user_objects_follow_their_roles)
{
	const char	*na = uniq("\u5f20\u4e09-rf"), *nb = uniq("rf");
	long long	 a = mkrole(na), b = mkrole(nb), uid = mkuser(uniq("rfu"));
	char		 body[64], want[256], path[128];
	struct resp	*r;

	snprintf(body, sizeof(body), "[{\"id\": %lld}]", uid);
	expect_status(api("POST", path_of("/roles/%lld/users/", a),
	    admin_token(), body), 200);
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", b);
	expect_status(api("POST", path_of("/users/%lld/roles/", uid),
	    admin_token(), body), 200);
	r = api("GET", path_of("/users/%lld/", uid), admin_token(), NULL);
	ck_assert_int_eq(jlen(r->json, "roles"), 2);
	ck_assert_int_eq(jint(r->json, "roles.0.id"), a);
	ck_assert_str_eq(jstr(r->json, "roles.0.name"), na);
	ck_assert_int_eq(jint(r->json, "roles.1.id"), b);
	ck_assert_str_eq(jstr(r->json, "roles.1.name"), nb);
	resp_free(r);
	/* a rename shows in the object and in the list */
	expect_status(api_f("PATCH", path_of("/roles/%lld/", a), admin_token(),
	    "{\"name\": \"%s-renamed\"}", na), 200);
	snprintf(want, sizeof(want), "%s-renamed", na);
	snprintf(path, sizeof(path), "/users/?username=%s",
	    jstr(api("GET", path_of("/users/%lld/", uid), admin_token(),
	    NULL)->json, "username"));
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_str_eq(jstr(r->json, "results.0.roles.0.name"), want);
	resp_free(r);
	/* deleting a role, then leaving the other: no roles */
	expect_status(api("DELETE", path_of("/roles/%lld/", b), admin_token(),
	    NULL), 200);
	r = api("GET", path_of("/users/%lld/", uid), admin_token(), NULL);
	ck_assert_int_eq(jlen(r->json, "roles"), 1);
	ck_assert_int_eq(jint(r->json, "roles.0.id"), a);
	resp_free(r);
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", uid);
	expect_status(api("DELETE", path_of("/roles/%lld/users/", a),
	    admin_token(), body), 200);
	r = api("GET", path_of("/users/%lld/", uid), admin_token(), NULL);
	ck_assert_int_eq(jlen(r->json, "roles"), 0);
	resp_free(r);
}
END_TEST

START_TEST(members_refusals)
{
	long long	 id = mkrole(uniq("rmr")), uid = mkuser(uniq("rmru"));
	const char	*path = path_of("/roles/%lld/users/", id);
	char		 body[128], *before;
	struct resp	*r;
	json_object	*e;

	before = db_fingerprint(TABLES);
	snprintf(body, sizeof(body), "[{\"id\": %lld}, {\"id\": 999999999}]", uid);
	r = api("POST", path, admin_token(), body);
	ck_assert_int_eq(r->status, 400);
	ck_assert_int_eq(jint(r->json, "error_code"), 10002);
	ck_assert(json_object_object_get_ex(jpath(r->json, "errors"), "[1].id",
	    &e));
	resp_free(r);
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", uid);
	expect_error(api("POST", "/roles/999999999/users/", admin_token(), body),
	    404, 10008, NULL);
	expect_error(api("DELETE", "/roles/999999999/users/", admin_token(),
	    body), 404, 10008, NULL);
	expect_error(api("GET", "/roles/999999999/users/", admin_token(), NULL),
	    404, 10008, NULL);
	expect_error(api("POST", path, admin_token(), "[]"), 400, 10002, NULL);
	expect_error(api("POST", path, admin_token(), "{\"id\": 1}"), 400, 10002,
	    NULL);
	expect_error(api("POST", path, admin_token(), "[{\"id\": -1}]"), 400,
	    10002, NULL);
	expect_error(api("POST", path, admin_token(), "[{\"id\": 1.5}]"), 400,
	    10002, NULL);
	expect_error(api("DELETE", path, admin_token(), "[{\"id\": null}]"), 400,
	    10002, NULL);
	expect_error(api("POST", path, admin_token(), "[{"), 400, 10001, NULL);
	expect_error(api_raw("POST", path, admin_token(), "text/plain", body,
	    strlen(body), NULL), 415, 10003, NULL);
	unchanged(before);
}
END_TEST

START_TEST(anonymous_is_401)
{
	static const struct call routes[] = {
		{ "GET", "/roles/", NULL },
		{ "POST", "/roles/", "{\"name\": \"x\"}" },
		{ "GET", "/roles/1/", NULL },
		{ "PATCH", "/roles/1/", "{\"name\": \"x\"}" },
		{ "DELETE", "/roles/1/", NULL },
		{ "GET", "/roles/1/users/", NULL },
		{ "POST", "/roles/1/users/", "[{\"id\": 1}]" },
		{ "DELETE", "/roles/1/users/", "[{\"id\": 1}]" },
	};

	expect_all_refused(routes, sizeof(routes) / sizeof(routes[0]), 0,
	    NULL, 401, 10005, TABLES);
}
END_TEST

START_TEST(non_superuser_is_403)
{
	long long	 uid, id = mkrole(uniq("rns"));
	const char	*tok = user_token(uniq("rnsu"), 0, &uid);
	char		 body[64];
	const struct call routes[] = {
		{ "POST", "/roles/", "{\"name\": \"sneaky\"}" },
		{ "PATCH", path_of("/roles/%lld/", id), "{\"name\": \"x\"}" },
		{ "DELETE", path_of("/roles/%lld/", id), NULL },
		{ "GET", path_of("/roles/%lld/users/", id), NULL },
		{ "POST", path_of("/roles/%lld/users/", id), body },
		{ "DELETE", path_of("/roles/%lld/users/", id), body },
	};

	snprintf(body, sizeof(body), "[{\"id\": %lld}]", uid);
	expect_all_refused(routes, sizeof(routes) / sizeof(routes[0]), 0,
	    tok, 403, 10007, TABLES);
}
END_TEST

static TCase *
tc_roles(void)
{
	TCase *tc = tcase_create("roles");

	tcase_add_test(tc, create_and_get);
	tcase_add_test(tc, create_by_another_superuser_names_it);
	tcase_add_test(tc, names_round_trip);
	tcase_add_test(tc, duplicate_names_are_409);
	tcase_add_test(tc, create_bad_input);
	tcase_add_test(tc, list_filters_and_pages);
	tcase_add_test(tc, patch_role);
	tcase_add_test(tc, patch_bad_input);
	tcase_add_test(tc, delete_role);
	return tc;
}

static TCase *
tc_members(void)
{
	TCase *tc = tcase_create("members");

	tcase_add_test(tc, members);
	tcase_add_test(tc, user_objects_follow_their_roles);
	tcase_add_test(tc, members_refusals);
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

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_roles, tc_members,
	    tc_access };

	return run_suite("roles", cases, sizeof(cases) / sizeof(cases[0])) ?
	    1 : 0;
}
