/*
 * test_http.c -- the general rules of API.md section 1: routing, path
 * spelling, bodies, error bodies, request ids, pagination, health; and what
 * the deployment adds around them (issue 10, items 6 and 7): security
 * headers, https and the client's address from a trusted proxy, nginx's
 * limit on /auth/, the socket's mode; and "message": "success" on PATCHes
 * and actions (API.md section 6).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "authlib.h"
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

/* ---- deployment: headers, trusted proxy, limits, socket ----------------- */

/* The headers every API answer carries, success and error alike. */
static void
has_security_headers(struct resp *r)
{
	const char *h;

	ck_assert_str_eq(resp_header(r, "X-Content-Type-Options"), "nosniff");
	ck_assert_str_eq(resp_header(r, "Referrer-Policy"), "no-referrer");
	h = resp_header(r, "Content-Security-Policy");
	ck_assert_msg(h != NULL && strstr(h, "frame-ancestors 'none'") != NULL,
	    "Content-Security-Policy: %s", h ? h : "(none)");
	h = resp_header(r, "Server");
	ck_assert_msg(h == NULL || strchr(h, '/') == NULL, "Server: %s", h);
}

START_TEST(answers_carry_security_headers)
{
	struct resp *r;

	r = api("GET", "/healthz", NULL, NULL);
	ck_assert_int_eq(r->status, 200);
	has_security_headers(r);
	/* plain http: no HSTS */
	ck_assert_ptr_null(resp_header(r, "Strict-Transport-Security"));
	resp_free(r);
	r = api("GET", "/no/such/thing/", admin_token(), NULL);
	ck_assert_int_eq(r->status, 404);
	has_security_headers(r);
	resp_free(r);
	r = api("GET", "/ui/", NULL, NULL);	/* nginx's own files */
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(resp_header(r, "X-Content-Type-Options"), "nosniff");
	ck_assert_ptr_nonnull(strstr(resp_header(r, "Content-Security-Policy"),
	    "frame-ancestors 'none'"));
	ck_assert_ptr_null(resp_header(r, "Strict-Transport-Security"));
	resp_free(r);
}
END_TEST

/* Log user in with extra header lines; the answer. */
static struct resp *
login_with(const char *user, const char *const *headers)
{
	const char *body = fmt("{\"username\": \"%s\", \"password\": \"%s\"}",
	    user, pw_of(user));

	return api_raw("POST", "/auth/login/", NULL, "application/json", body,
	    strlen(body), headers);
}

/*
 * The stack's nginx trusts 127.0.0.1 as a proxy that terminates TLS, and
 * its hangar.conf has trust_proxy = 1: X-Forwarded-Proto https makes the
 * session cookie Secure and brings HSTS; http or nothing does neither.
 */
START_TEST(https_comes_from_trusted_proxy)
{
	static const char *const https[] = { "X-Forwarded-Proto: https", NULL };
	static const char *const http[] = { "X-Forwarded-Proto: http", NULL };
	const char	*user = uniq("tls");
	struct resp	*r;
	const char	*c;

	(void)user_token(user, 0, NULL);
	r = login_with(user, https);
	ck_assert_msg(r->status == 200, "%s", r->body);
	c = resp_header(r, "Set-Cookie");
	ck_assert_msg(c != NULL && strstr(c, "; Secure") != NULL, "%s", c);
	c = resp_header(r, "Strict-Transport-Security");
	ck_assert_msg(c != NULL && strstr(c, "max-age=") != NULL, "HSTS %s", c);
	has_security_headers(r);
	resp_free(r);
	r = api_raw("GET", "/ui/", NULL, NULL, NULL, 0, https);
	ck_assert_ptr_nonnull(resp_header(r, "Strict-Transport-Security"));
	resp_free(r);

	r = login_with(user, http);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_ptr_null(strstr(resp_header(r, "Set-Cookie"), "Secure"));
	ck_assert_ptr_null(resp_header(r, "Strict-Transport-Security"));
	resp_free(r);
	r = login_with(user, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_ptr_null(strstr(resp_header(r, "Set-Cookie"), "Secure"));
	ck_assert_ptr_null(resp_header(r, "Strict-Transport-Security"));
	resp_free(r);
}
END_TEST

/* How many login counters in Redis name addr. */
static int
counters_naming(const char *addr)
{
	char	cmd[1024];
	FILE	*p;
	int	n = 0, c;

	snprintf(cmd, sizeof(cmd), "redis-cli -s %s/redis.sock --scan "
	    "--pattern 'hangar:login:*%s*'", getenv("HANGAR_DIR"), addr);
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	while ((c = fgetc(p)) != EOF)
		n += c == '\n';
	pclose(p);
	return n;
}

static void
forget_counters(const char *addr)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "redis-cli -s %1$s/redis.sock --scan "
	    "--pattern 'hangar:login:*%2$s*' | xargs -r redis-cli -s "
	    "%1$s/redis.sock DEL >/dev/null", getenv("HANGAR_DIR"), addr);
	ck_assert_int_eq(system(cmd), 0);
}

/*
 * Behind the trusted proxy the client is the address it forwards: failed
 * logins are counted for that address, not for the proxy's.
 */
START_TEST(throttle_counts_the_real_client)
{
	const char	*addr = fmt("10.%d.%d.%d", 100 + getpid() % 100,
			    getpid() / 100 % 250, 1 + getpid() % 250);
	const char	*xff = fmt("X-Forwarded-For: %s", addr);
	const char	*h[] = { xff, NULL };
	const char	*body = "{\"username\": \"nobody-here\", "
			    "\"password\": \"wrong-password\"}";
	struct resp	*r;

	forget_counters(addr);
	ck_assert_int_eq(counters_naming(addr), 0);
	r = api_raw("POST", "/auth/login/", NULL, "application/json", body,
	    strlen(body), h);
	ck_assert_msg(r->status == 401 || r->status == 400, "%ld %s",
	    r->status, r->body);
	resp_free(r);
	ck_assert_int_ge(counters_naming(addr), 1);
	forget_counters(addr);
	clear_login_counters("nobody-here");
}
END_TEST

/*
 * nginx limits /auth/ per client: a burst from one address is answered 429
 * (JSON, 10011) while another address and other paths go on.
 */
START_TEST(auth_paths_are_rate_limited)
{
	const char	*xff = fmt("X-Forwarded-For: 10.250.%d.%d",
			    getpid() / 250 % 250, 1 + getpid() % 250);
	const char	*h[] = { xff, NULL };
	struct resp	*r;
	int		 i, limited = 0;

	for (i = 0; i < 2000 && !limited; i++) {
		r = api_raw("GET", "/auth/me/", NULL, NULL, NULL, 0, h);
		if (r->status == 429) {
			limited = 1;
			ck_assert_ptr_nonnull(resp_header(r, "Retry-After"));
			expect_error(r, 429, 10011, NULL);
		} else {
			ck_assert_int_eq(r->status, 401);
			resp_free(r);
		}
	}
	ck_assert_msg(limited, "no 429 after %d requests", i);
	/* another client, and another path for this one */
	expect_status(api("GET", "/auth/me/", admin_token(), NULL), 200);
	r = api_raw("GET", "/healthz", NULL, NULL, NULL, 0, h);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
}
END_TEST

/* The socket is nginx's through its group, nobody else's. */
START_TEST(socket_is_not_world_writable)
{
	struct stat st;

	ck_assert_int_eq(stat(fmt("%s/hangard.sock", getenv("HANGAR_DIR")),
	    &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0660);
}
END_TEST

/* ---- "message": "success" (API.md section 6) ---------------------------- */

START_TEST(patch_and_actions_say_success)
{
	long long	 app = api_create("/applications/", "{\"name\": \"%s\"}",
			    uniq("ok"));
	long long	 role = api_create("/roles/", "{\"name\": \"%s\"}",
			    uniq("ok"));
	long long	 uid;
	struct resp	*r;
	char		*before;

	r = api("PATCH", path_of("/applications/%lld/", app), admin_token(),
	    "{\"description\": \"said\"}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	ck_assert_str_eq(jstr(r->json, "description"), "said");	/* beside */
	ck_assert_int_eq(jint(r->json, "id"), app);
	resp_free(r);
	r = api("PATCH", path_of("/application/%lld/", app), admin_token(),
	    "{}");				/* the seed's spelling, no change */
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
	/* where the seed answers the object, the object alone */
	r = api_f("PATCH", path_of("/roles/%lld/", role), admin_token(),
	    "{\"name\": \"%s\"}", uniq("renamed"));
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_ptr_null(jpath(r->json, "message"));
	resp_free(r);
	/* the grants' PATCH and an action: "success" as before */
	(void)user_token(uniq("said"), 0, &uid);
	r = api_f("PATCH", path_of("/applications/%lld/authorization/users/",
	    app), admin_token(), "[{\"user\": {\"id\": %lld}, \"permission\": "
	    "{\"view_app\": true}, \"action\": \"update\"}]", uid);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
	(void)user_token(uniq("said"), 0, &uid);
	r = api("POST", path_of("/users/%lld/actions/disable/", uid),
	    admin_token(), NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
	/* a refused PATCH is the error body, without "success" */
	before = db_fingerprint("applications,audit_log");
	r = api("PATCH", path_of("/applications/%lld/", app), admin_token(),
	    "{\"name\": 5}");
	ck_assert_int_eq(r->status, 400);
	ck_assert_str_ne(jstr(r->json, "message"), "success");
	resp_free(r);
	db_unchanged(before, "applications,audit_log");
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

static TCase *
tc_deployment(void)
{
	TCase *tc = tcase_create("deployment");

	tcase_add_test(tc, answers_carry_security_headers);
	tcase_add_test(tc, https_comes_from_trusted_proxy);
	tcase_add_test(tc, throttle_counts_the_real_client);
	tcase_add_test(tc, auth_paths_are_rate_limited);
	tcase_add_test(tc, socket_is_not_world_writable);
	tcase_add_test(tc, patch_and_actions_say_success);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_http, tc_deployment };

	return run_suite("http", cases, 2) ? 1 : 0;
}
