/*
 * test_navigators.c -- /external-navigators/ (the seed's 第三方导航管理 and
 * API.md section 4's PATCH /external-navigators/{id}/, with the seed's
 * id-less PATCH taking the id in the body).
 *
 * Every field is checked on the way in and out; every refusal is checked
 * for its code and for leaving the table and its row counter unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "authlib.h"

#define TABLES	"external_navigators,row_counts"
#define SQLI	"'; DROP TABLE users; --"

static char *
fingerprint(void)
{
	(void)admin_token();
	return db_fingerprint(TABLES);
}

static void
unchanged(char *before)
{
	char *after = fingerprint();

	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}

/* Exactly the six keys of a navigator, with these values. */
static void
expect_nav(json_object *o, long long id, const char *name, const char *img,
    const char *url, const char *creator)
{
	ck_assert_int_eq(jkeys(o, NULL), 6);
	ck_assert_int_eq(jint(o, "id"), id);
	ck_assert_str_eq(jstr(o, "name"), name);
	ck_assert_str_eq(jstr(o, "img"), img);
	ck_assert_str_eq(jstr(o, "url"), url);
	ck_assert_str_eq(jstr(o, "creator"), creator);
	expect_recent(o, "created_time");
}

static long long
mknav(const char *tok, const char *name, const char *img, const char *url)
{
	struct resp	*r;
	long long	 id;

	r = api_f("POST", "/external-navigators/", tok, "{\"name\": \"%s\", "
	    "\"img\": \"%s\", \"url\": \"%s\"}", name, img, url);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	resp_free(r);
	return id;
}

START_TEST(create_get_list)
{
	const char	*name = uniq("nav");
	const char	*su = uniq("navsu");
	const char	*tok = user_token(su, 1, NULL);
	long long	 n0 = db_int("SELECT n FROM row_counts WHERE tbl = "
			    "'external_navigators'"), id;
	struct resp	*r;
	char		 q[256];

	r = api_f("POST", "/external-navigators/", tok, "{\"name\": \"%s\", "
	    "\"img\": \"/imgs/externa-a.jpg\", \"url\": "
	    "\"http://external-a.example.com/\"}", name);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	expect_nav(r->json, id, name, "/imgs/externa-a.jpg",
	    "http://external-a.example.com/", su);
	resp_free(r);
	r = api("GET", path_of("/external-navigators/%lld/", id), admin_token(),
	    NULL);
	ck_assert_int_eq(r->status, 200);
	expect_nav(r->json, id, name, "/imgs/externa-a.jpg",
	    "http://external-a.example.com/", su);
	resp_free(r);
	ck_assert_int_eq(db_int("SELECT n FROM row_counts WHERE tbl = "
	    "'external_navigators'"), n0 + 1);
	/* Unfiltered: the exact count, newest first. */
	r = api("GET", "/external-navigators/?page_size=1", admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"),
	    db_int("SELECT COUNT(*) FROM external_navigators"));
	ck_assert_int_eq(jint(r->json, "results.0.id"), id);
	resp_free(r);
	/* name is a case-insensitive substring with % and _ literal. */
	mknav(admin_token(), uniq("other"), "https://cdn.example.com/b.png",
	    "https://b.example.com");
	snprintf(q, sizeof(q), "/external-navigators/?name=%s-zz", name);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	snprintf(q, sizeof(q), "/external-navigators/?name=%s", name);
	for (char *p = q + strlen("/external-navigators/?name="); *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p -= 'a' - 'A';
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	expect_nav(jpath(r->json, "results.0"), id, name, "/imgs/externa-a.jpg",
	    "http://external-a.example.com/", su);
	resp_free(r);
	r = api("GET", "/external-navigators/?name=%25_", admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	r = api("GET", "/external-navigators/?page=1000", admin_token(), NULL);
	ck_assert_int_eq(jlen(r->json, "results"), 0);
	ck_assert_int_eq(jint(r->json, "count"),
	    db_int("SELECT COUNT(*) FROM external_navigators"));
	resp_free(r);
}
END_TEST

START_TEST(round_trips_sql_and_unicode)
{
	char		 sqli[256], q[1024], *enc;
	long long	 id = mknav(admin_token(), "张三", "/i/张三.png",
			    "https://example.com/?q=%27%3B");
	struct resp	*r;

	r = api("GET", path_of("/external-navigators/%lld", id), admin_token(),
	    NULL);
	expect_nav(r->json, id, "张三", "/i/张三.png",
	    "https://example.com/?q=%27%3B", "admin");
	resp_free(r);
	snprintf(sqli, sizeof(sqli), "%s" SQLI, uniq("nrt"));
	id = mknav(admin_token(), sqli, "/x.png", "https://example.com/");
	enc = curl_easy_escape(NULL, sqli, 0);
	snprintf(q, sizeof(q), "/external-navigators/?name=%s", enc);
	curl_free(enc);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	expect_nav(jpath(r->json, "results.0"), id, sqli, "/x.png",
	    "https://example.com/", "admin");
	resp_free(r);
	ck_assert_int_gt(db_int("SELECT COUNT(*) FROM users"), 0);
}
END_TEST

START_TEST(patch_by_path_and_by_body)
{
	long long	 id = mknav(admin_token(), "old", "/old.png",
			    "http://old.example.com");
	long long	 other = mknav(admin_token(), "other", "/o.png",
			    "http://o.example.com");
	struct resp	*r;
	char		 body[256];

	r = api("PATCH", path_of("/external-navigators/%lld/", id),
	    admin_token(), "{\"name\": \"new\"}");
	ck_assert_int_eq(r->status, 200);
	expect_nav(r->json, id, "new", "/old.png", "http://old.example.com",
	    "admin");
	resp_free(r);
	r = api("PATCH", path_of("/external-navigators/%lld/", id),
	    admin_token(), "{\"img\": \"https://cdn.example.com/n.png\", "
	    "\"url\": \"HTTPS://new.example.com/x\"}");
	expect_nav(r->json, id, "new", "https://cdn.example.com/n.png",
	    "HTTPS://new.example.com/x", "admin");
	resp_free(r);
	/* The seed's form: no id in the path, id in the body. */
	snprintf(body, sizeof(body), "{\"id\": %lld, \"name\": \"seed\", "
	    "\"url\": \"http://seed.example.com\"}", id);
	r = api("PATCH", "/external-navigators/", admin_token(), body);
	ck_assert_int_eq(r->status, 200);
	expect_nav(r->json, id, "seed", "https://cdn.example.com/n.png",
	    "http://seed.example.com", "admin");
	resp_free(r);
	r = api("GET", path_of("/external-navigators/%lld/", other),
	    admin_token(), NULL);
	expect_nav(r->json, other, "other", "/o.png", "http://o.example.com",
	    "admin");
	resp_free(r);
}
END_TEST

START_TEST(delete_navigator)
{
	long long	 id = mknav(admin_token(), "gone", "/g.png",
			    "http://g.example.com");
	long long	 n0 = db_int("SELECT n FROM row_counts WHERE tbl = "
			    "'external_navigators'");
	char		 sql[128];

	expect_status(api("DELETE", path_of("/external-navigators/%lld/", id),
	    admin_token(), NULL), 200);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM external_navigators "
	    "WHERE id = %lld", id);
	ck_assert_int_eq(db_int(sql), 0);
	ck_assert_int_eq(db_int("SELECT n FROM row_counts WHERE tbl = "
	    "'external_navigators'"), n0 - 1);
	expect_error(api("DELETE", path_of("/external-navigators/%lld/", id),
	    admin_token(), NULL), 404, 10008, NULL);
}
END_TEST

START_TEST(unknown_ids_are_404)
{
	long long	 id = mknav(admin_token(), "x", "/x.png",
			    "http://x.example.com") + 100000;
	char		*before = fingerprint(), body[128];

	expect_error(api("GET", path_of("/external-navigators/%lld/", id),
	    admin_token(), NULL), 404, 10008, NULL);
	expect_error(api("PATCH", path_of("/external-navigators/%lld/", id),
	    admin_token(), "{\"name\": \"y\"}"), 404, 10008, NULL);
	snprintf(body, sizeof(body), "{\"id\": %lld, \"name\": \"y\"}", id);
	expect_error(api("PATCH", "/external-navigators/", admin_token(), body),
	    404, 10008, NULL);
	expect_error(api("DELETE", path_of("/external-navigators/%lld/", id),
	    admin_token(), NULL), 404, 10008, NULL);
	expect_error(api("PUT", "/external-navigators/", admin_token(), "{}"),
	    405, 10009, NULL);
	unchanged(before);
}
END_TEST

START_TEST(bad_input)
{
	static const struct field_spec create[] = {
		{ "name", 1, "string", 128, NULL },
		{ "img", 1, "string", 1024, NULL },
		{ "url", 1, "string", 2048, NULL },
	};
	static const struct field_spec patch[] = {
		{ "name", 0, "string", 128, NULL },
		{ "img", 0, "string", 1024, NULL },
		{ "url", 0, "string", 2048, NULL },
	};
	static const struct field_spec patch_body[] = {
		{ "id", 1, "int", 0, NULL },
		{ "name", 0, "string", 128, NULL },
		{ "img", 0, "string", 1024, NULL },
		{ "url", 0, "string", 2048, NULL },
	};
	static const char *const bad[][2] = {
		{ "{\"name\": \"\", \"img\": \"/a.png\", \"url\": \"http://a.b\"}",
		    "name" },
		{ "{\"name\": \"a\\nb\", \"img\": \"/a.png\", \"url\": "
		    "\"http://a.b\"}", "name" },
		{ "{\"name\": \"a\", \"img\": \"/a.png\", \"url\": "
		    "\"javascript:alert(1)\"}", "url" },
		{ "{\"name\": \"a\", \"img\": \"/a.png\", \"url\": \"ftp://a.b\"}",
		    "url" },
		{ "{\"name\": \"a\", \"img\": \"/a.png\", \"url\": \"http://\"}",
		    "url" },
		{ "{\"name\": \"a\", \"img\": \"/a.png\", \"url\": "
		    "\"http://a.b/x y\"}", "url" },
		{ "{\"name\": \"a\", \"img\": \"data:image/png;base64,AAAA\", "
		    "\"url\": \"http://a.b\"}", "img" },
		{ "{\"name\": \"a\", \"img\": \"//evil.example.com/a.png\", "
		    "\"url\": \"http://a.b\"}", "img" },
		{ "{\"name\": \"a\", \"img\": \"a.png\", \"url\": \"http://a.b\"}",
		    "img" },
	};
	long long	 id = mknav(admin_token(), "b", "/b.png", "http://b.example");
	char		*before, body[128];
	size_t		 i;

	bad_input_battery("POST", "/external-navigators/", admin_token(),
	    "{\"name\": \"a\", \"img\": \"/a.png\", \"url\": \"http://a.b\"}",
	    create, 3, TABLES);
	bad_input_battery("PATCH", path_of("/external-navigators/%lld/", id),
	    admin_token(), "{\"name\": \"a\"}", patch, 3, TABLES);
	snprintf(body, sizeof(body), "{\"id\": %lld, \"name\": \"a\"}", id);
	bad_input_battery("PATCH", "/external-navigators/", admin_token(), body,
	    patch_body, 4, TABLES);
	before = fingerprint();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_error(api("POST", "/external-navigators/", admin_token(),
		    bad[i][0]), 400, 10002, bad[i][1]);
		expect_error(api("PATCH", path_of("/external-navigators/%lld/",
		    id), admin_token(), bad[i][0]), 400, 10002, bad[i][1]);
	}
	expect_error(api("PATCH", "/external-navigators/", admin_token(),
	    "{\"id\": 0, \"name\": \"a\"}"), 400, 10002, "id");
	expect_error(api("GET", "/external-navigators/?page_size=0",
	    admin_token(), NULL), 400, 10002, "page_size");
	unchanged(before);
}
END_TEST

START_TEST(auth_and_permissions)
{
	const char	*tok = user_token(uniq("nu"), 0, NULL);
	long long	 id = mknav(admin_token(), "p", "/p.png", "http://p.example");
	const char	*one = path_of("/external-navigators/%lld/", id);
	const char	*body = "{\"name\": \"n\", \"img\": \"/n.png\", \"url\": "
			    "\"http://n.example\"}";
	char		*before = fingerprint(), idbody[128];

	snprintf(idbody, sizeof(idbody), "{\"id\": %lld, \"name\": \"n\"}", id);
	expect_error(api("GET", "/external-navigators/", NULL, NULL), 401,
	    10005, NULL);
	expect_error(api("POST", "/external-navigators/", NULL, body), 401,
	    10005, NULL);
	expect_error(api("PATCH", "/external-navigators/", NULL, idbody), 401,
	    10005, NULL);
	expect_error(api("GET", one, NULL, NULL), 401, 10005, NULL);
	expect_error(api("PATCH", one, NULL, body), 401, 10005, NULL);
	expect_error(api("DELETE", one, NULL, NULL), 401, 10005, NULL);
	expect_error(api("GET", "/external-navigators/", tok, NULL), 403, 10007,
	    NULL);
	expect_error(api("POST", "/external-navigators/", tok, body), 403,
	    10007, NULL);
	expect_error(api("PATCH", "/external-navigators/", tok, idbody), 403,
	    10007, NULL);
	expect_error(api("GET", one, tok, NULL), 403, 10007, NULL);
	expect_error(api("PATCH", one, tok, body), 403, 10007, NULL);
	expect_error(api("DELETE", one, tok, NULL), 403, 10007, NULL);
	unchanged(before);
}
END_TEST

static TCase *
tc_navigators(void)
{
	TCase *tc = tcase_create("navigators");

	tcase_add_test(tc, create_get_list);
	tcase_add_test(tc, round_trips_sql_and_unicode);
	tcase_add_test(tc, patch_by_path_and_by_body);
	tcase_add_test(tc, delete_navigator);
	tcase_add_test(tc, unknown_ids_are_404);
	tcase_add_test(tc, bad_input);
	tcase_add_test(tc, auth_and_permissions);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_navigators };

	return run_suite("navigators", cases, 1) ? 1 : 0;
}
