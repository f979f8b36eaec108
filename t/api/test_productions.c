/*
 * test_productions.c -- /productions/ (the seed's 产品线, API.md sections 4
 * and 6): create, get, list, PATCH, delete, and a production's
 * applications (list, add, remove); an application belongs to at most one
 * production and adding it to another moves it.  Every refusal is checked
 * to change nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authlib.h"

#define TABLES	"productions,applications,audit_log"
#define SQLI	"'; DROP TABLE users; --"
#define HAN	"\345\274\240\344\270\211"	/* 张三 */

static long long
count_where(const char *fmt, long long id)
{
	char sql[1024];

	snprintf(sql, sizeof(sql), fmt, id);
	return db_int(sql);
}

static long long
mkprod(const char *name)
{
	return api_create("/productions/", "{\"name\": \"%s\"}", name);
}

static long long
mkapp(const char *name)
{
	return api_create("/applications/", "{\"name\": \"%s\"}", name);
}

static char *
last_app_audit(long long app)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT op_detail FROM audit_log WHERE "
	    "kind = 'app' AND target_id = %lld ORDER BY id DESC LIMIT 1", app);
	return db_str(sql);
}

/* A refusal, as the admin, that must leave TABLES as they were. */
#define refused(method, path, body, http, code, field) \
	refused_in_at(__FILE__, __LINE__, TABLES, method, path, body, http, \
	    code, field)

static void
expect_prod_actions(json_object *o)
{
	static const char *const keys[] = { "view", "edit", "delete" };
	json_object	*a = jpath(o, "available_actions"), *v;
	size_t		 i;

	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(json_object_object_length(a), 3);
	for (i = 0; i < 3; i++)
		ck_assert_msg(json_object_object_get_ex(a, keys[i], &v) &&
		    json_object_is_type(v, json_type_boolean) &&
		    json_object_get_boolean(v), "%s is not true", keys[i]);
}

START_TEST(create_get_list)
{
	struct resp	*r;
	char		 name[128], p[256];
	long long	 id;

	snprintf(name, sizeof(name), "%s-" HAN, uniq("prod"));
	r = api_f("POST", "/productions/", admin_token(), "{\"name\": \"%s\", "
	    "\"description\": \"" SQLI "\", \"extra\": true}", name);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	ck_assert_str_eq(jstr(r->json, "name"), name);
	ck_assert_str_eq(jstr(r->json, "description"), SQLI);
	ck_assert_ptr_null(jpath(r->json, "extra"));
	expect_recent(r->json, "created_time");
	expect_prod_actions(r->json);
	resp_free(r);

	r = api("GET", path_of("/productions/%lld/", id), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "name"), name);
	expect_prod_actions(r->json);
	resp_free(r);

	r = api("GET", "/productions/?page_size=1000", admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"),
	    db_int("SELECT COUNT(*) FROM productions"));
	ck_assert_int_eq(jint(r->json, "results.0.id"), db_int("SELECT MAX(id) "
	    "FROM productions"));
	resp_free(r);
	snprintf(p, sizeof(p), "/productions/?name=%.*s", (int)strlen(name) - 6,
	    name);
	r = api("GET", p, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), id);
	resp_free(r);
	r = api("GET", "/productions/?name=%25no_such", admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	expect_error(api("GET", "/productions/999999999/", admin_token(), NULL),
	    404, 10008, NULL);
	expect_error(api("GET", "/productions/?page_size=0", admin_token(), NULL),
	    400, 10002, "page_size");
}
END_TEST

START_TEST(create_and_patch_refusals)
{
	static const struct field_spec f[] = {
		{ "name", 1, "string", 128, NULL },
		{ "description", 0, "string", 1024, NULL },
	};
	static const struct field_spec pf[] = {
		{ "name", 0, "string", 128, NULL },
		{ "description", 0, "string", 1024, NULL },
	};
	char		 body[256];
	const char	*taken = uniq("taken");
	long long	 id = mkprod(uniq("pp")), other = mkprod(taken);

	(void)other;
	bad_input_battery("POST", "/productions/", admin_token(),
	    "{\"name\": \"fresh\"}", f, 2, TABLES);
	bad_input_battery("PATCH", path_of("/productions/%lld/", id),
	    admin_token(), "{\"name\": \"fresh\"}", pf, 2, TABLES);
	snprintf(body, sizeof(body), "{\"name\": \"%s\"}", taken);
	refused("POST", "/productions/", body, 409, 10010, NULL);
	refused("PATCH", path_of("/productions/%lld/", id), body, 409, 10010,
	    NULL);
	refused("POST", "/productions/", "{\"name\": \"\"}", 400, 10002, "name");
	refused("PATCH", path_of("/productions/%lld/", id), "{\"name\": null}",
	    400, 10002, "name");
	refused("PATCH", "/productions/999999999/", "{\"name\": \"x\"}", 404,
	    10008, NULL);
	refused("DELETE", "/productions/999999999/", NULL, 404, 10008, NULL);
}
END_TEST

START_TEST(patch_and_delete)
{
	struct resp	*r;
	long long	 id = mkprod(uniq("pd")), app = mkapp(uniq("pda"));
	char		 body[128], *d;

	r = api("PATCH", path_of("/productions/%lld/", id), admin_token(),
	    "{\"description\": \"" HAN "\"}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "description"), HAN);
	ck_assert(strncmp(jstr(r->json, "name"), "pd-", 3) == 0);
	resp_free(r);
	r = api("PATCH", path_of("/productions/%lld/", id), admin_token(),
	    "{\"name\": \"renamed-" HAN "\"}");
	ck_assert_str_eq(jstr(r->json, "name"), "renamed-" HAN);
	ck_assert_str_eq(jstr(r->json, "description"), HAN);
	resp_free(r);

	snprintf(body, sizeof(body), "[{\"id\": %lld}]", app);
	expect_status(api("POST", path_of("/productions/%lld/applications/", id),
	    admin_token(), body), 200);
	expect_status(api("DELETE", path_of("/productions/%lld/", id),
	    admin_token(), NULL), 200);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM productions WHERE "
	    "id = %lld", id), 0);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM applications WHERE "
	    "id = %lld AND production_id IS NULL", app), 1);
	d = last_app_audit(app);
	ck_assert_msg(d && strstr(d, "production: \"renamed-" HAN " (id ") &&
	    strstr(d, ", deleted)\" -> null"), "%s", d ? d : "(none)");
	free(d);
	/* the name is free again */
	mkprod("renamed-" HAN);
	db_exec("DELETE FROM productions WHERE name = 'renamed-" HAN "'");
}
END_TEST

START_TEST(applications_of_a_production)
{
	struct resp	*r;
	long long	 p1 = mkprod(uniq("pa")), p2 = mkprod(uniq("pb"));
	long long	 a1 = mkapp(uniq("x1")), a2 = mkapp(uniq("x2"));
	char		 body[128], path[256], *d, *after;

	snprintf(body, sizeof(body), "[{\"id\": %lld}, {\"id\": %lld}]", a1, a2);
	expect_status(api("POST", path_of("/productions/%lld/applications/", p1),
	    admin_token(), body), 200);
	r = api("GET", path_of("/productions/%lld/applications/", p1),
	    admin_token(), NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(jint(r->json, "results.0.id"), a2);
	ck_assert_int_eq(jint(r->json, "results.0.production"), p1);
	ck_assert_ptr_nonnull(jstr(r->json, "results.0.full_name"));
	ck_assert_ptr_nonnull(jpath(r->json, "results.0.available_actions"));
	resp_free(r);
	d = last_app_audit(a1);
	ck_assert_msg(d && strstr(d, "production: null -> \""), "%s", d);
	free(d);
	snprintf(path, sizeof(path), "/productions/%lld/applications/?name=x1",
	    p1);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), a1);
	resp_free(r);

	/* adding to another production moves it */
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", a1);
	expect_status(api("POST", path_of("/productions/%lld/applications/", p2),
	    admin_token(), body), 200);
	ck_assert_int_eq(count_where("SELECT production_id FROM applications "
	    "WHERE id = %lld", a1), p2);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM applications WHERE "
	    "production_id = %lld", p1), 1);
	/* removing from a production it is not in changes nothing */
	d = db_fingerprint(TABLES);
	expect_status(api("DELETE", path_of("/productions/%lld/applications/",
	    p1), admin_token(), body), 200);
	after = db_fingerprint(TABLES);
	ck_assert_str_eq(d, after);
	free(d);
	free(after);
	expect_status(api("DELETE", path_of("/productions/%lld/applications/",
	    p2), admin_token(), body), 200);
	ck_assert_int_eq(count_where("SELECT COUNT(*) FROM applications WHERE "
	    "id = %lld AND production_id IS NULL", a1), 1);
	d = last_app_audit(a1);
	ck_assert_msg(d && strstr(d, "\" -> null"), "%s", d);
	free(d);

	refused("POST", path_of("/productions/%lld/applications/", p1),
	    "[{\"id\": 999999999}]", 400, 10002, "[0].id");
	refused("POST", path_of("/productions/%lld/applications/", p1), "[]",
	    400, 10002, NULL);
	refused("POST", path_of("/productions/%lld/applications/", p1),
	    "{\"id\": 1}", 400, 10002, NULL);
	refused("POST", path_of("/productions/%lld/applications/", p1),
	    "[{\"id\": ", 400, 10001, NULL);
	refused("POST", "/productions/999999999/applications/", body, 404, 10008,
	    NULL);
	expect_error(api("GET", "/productions/999999999/applications/",
	    admin_token(), NULL), 404, 10008, NULL);
}
END_TEST

START_TEST(auth_required)
{
	static const struct call routes[] = {
		{ "GET", "/productions/", NULL },
		{ "POST", "/productions/", "{\"name\": \"nope\"}" },
		{ "GET", "/productions/%lld/", NULL },
		{ "PATCH", "/productions/%lld/", "{\"name\": \"nope\"}" },
		{ "DELETE", "/productions/%lld/", NULL },
		{ "GET", "/productions/%lld/applications/", NULL },
		{ "POST", "/productions/%lld/applications/", "[{\"id\": 1}]" },
		{ "DELETE", "/productions/%lld/applications/", "[{\"id\": 1}]" },
	};
	long long	 id = mkprod(uniq("guard"));
	const char	*tok = user_token(uniq("plainp"), 0, NULL);
	size_t		 n = sizeof(routes) / sizeof(routes[0]);

	expect_all_refused(routes, n, id, NULL, 401, 10005, TABLES);
	expect_all_refused(routes, n, id, tok, 403, 10007, TABLES);
}
END_TEST

static TCase *
tc_productions(void)
{
	TCase *tc = tcase_create("productions");

	tcase_add_test(tc, create_get_list);
	tcase_add_test(tc, create_and_patch_refusals);
	tcase_add_test(tc, patch_and_delete);
	tcase_add_test(tc, applications_of_a_production);
	tcase_add_test(tc, auth_required);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_productions };

	return run_suite("productions", cases, 1) ? 1 : 0;
}
