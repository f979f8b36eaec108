/*
 * test_http.c -- the general rules of API.md section 1: routing, path
 * spelling, bodies, error bodies, request ids, pagination, health.
 */
#include <string.h>

#include "client.h"

START_TEST(healthz_reports_db_and_redis)
{
	struct resp *r = api("GET", "/healthz", NULL, NULL);

	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "db"), "ok");
	ck_assert_str_eq(jstr(r->json, "redis"), "ok");
	ck_assert_ptr_nonnull(resp_header(r, "X-Request-Id"));
	resp_free(r);
}
END_TEST

START_TEST(unknown_route_is_json_404)
{
	expect_error(api("GET", "/no/such/thing/", admin_token(), NULL), 404,
	    10008, NULL);
	expect_error(api("GET", "/users/abc/", admin_token(), NULL), 404, 10008,
	    NULL);
}
END_TEST

START_TEST(wrong_method_is_405_with_allow)
{
	struct resp *r = api("PUT", "/users/1/", admin_token(), "{}");

	ck_assert_str_eq(resp_header(r, "Allow"), "GET, PATCH, DELETE");
	expect_error(r, 405, 10009, NULL);
}
END_TEST

START_TEST(trailing_slash_is_optional)
{
	expect_status(api("GET", "/users", admin_token(), NULL), 200);
	expect_status(api("GET", "/users/", admin_token(), NULL), 200);
	expect_status(api("GET", "/users/1", admin_token(), NULL), 200);
	expect_status(api("GET", "/users//1//", admin_token(), NULL), 200);
}
END_TEST

START_TEST(no_auth_is_401)
{
	expect_error(api("GET", "/users/", NULL, NULL), 401, 10005, NULL);
	expect_error(api("GET", "/users/", "0123456789abcdef0123456789abcdef01234567",
	    NULL), 401, 10005, NULL);
	expect_error(api("GET", "/users/", "not-hex", NULL), 401, 10005, NULL);
}
END_TEST

START_TEST(request_ids_differ)
{
	struct resp	*a = api("GET", "/healthz", NULL, NULL);
	struct resp	*b = api("GET", "/healthz", NULL, NULL);
	char		 ida[64];

	strcpy(ida, resp_header(a, "X-Request-Id"));
	ck_assert_str_ne(ida, resp_header(b, "X-Request-Id"));
	resp_free(a);
	resp_free(b);
}
END_TEST

START_TEST(page_size_bounds)
{
	expect_error(api("GET", "/users/?page_size=1001", admin_token(), NULL),
	    400, 10002, "page_size");
	expect_error(api("GET", "/users/?page_size=0", admin_token(), NULL),
	    400, 10002, "page_size");
	expect_error(api("GET", "/users/?page=abc", admin_token(), NULL),
	    400, 10002, "page");
	expect_status(api("GET", "/users/?page_size=1000", admin_token(), NULL),
	    200);
}
END_TEST

static TCase *
tc_http(void)
{
	TCase *tc = tcase_create("http");

	tcase_add_test(tc, healthz_reports_db_and_redis);
	tcase_add_test(tc, unknown_route_is_json_404);
	tcase_add_test(tc, wrong_method_is_405_with_allow);
	tcase_add_test(tc, trailing_slash_is_optional);
	tcase_add_test(tc, no_auth_is_401);
	tcase_add_test(tc, request_ids_differ);
	tcase_add_test(tc, page_size_bounds);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_http };

	return run_suite("http", cases, 1) ? 1 : 0;
}
