/*
 * test_visible.c -- a restricted caller's application list, which each
 * worker answers from the caller's visible set kept in memory (perms.c):
 * the right ids, count and available_actions; the same answer as the
 * general query; and never stale after a commit, nor longer than
 * auth_cache_ttl (2 s in tests) after a change made behind hangard's back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

#define NAPPS	60
#define NVIEW	55	/* granted view_app through the role */
#define NEDIT	3	/* of those, edit_app granted to the user itself */

static long long	 apps[NAPPS];	/* ascending */
static long long	 uid;
static const char	*tok;

static long long
new_app(void)
{
	const char	*n = uniq("vis-app");
	char		 sql[256];

	snprintf(sql, sizeof(sql), "INSERT INTO applications (name, full_name) "
	    "VALUES ('%s', '%s')", n, n);
	return db_insert(sql);
}

/* POST /{who}/{id}/{kind}/perms/ for objs[from..to) with perms. */
static void
grant_on(const char *kind, const long long *objs, const char *who,
    long long id, int from, int to, const char *perms)
{
	char	 path[128], *body, *p;
	size_t	 len = 64 + (size_t)(to - from) * 96;
	int	 i;

	p = body = malloc(len);
	p += sprintf(p, "{\"authorizations\": [");
	for (i = from; i < to; i++)
		p += sprintf(p, "%s{\"id\": %lld, \"permission\": {%s}}",
		    i > from ? ", " : "", objs[i], perms);
	sprintf(p, "]}");
	snprintf(path, sizeof(path), "/%s/%lld/%s/perms/", who, id, kind);
	expect_status(api("POST", path, admin_token(), body), 200);
	free(body);
}

static void
grant(const char *who, long long id, int from, int to, const char *perms)
{
	grant_on("application", apps, who, id, from, to, perms);
}

/*
 * A user in a role that may view apps[0..NVIEW), holding edit_app itself
 * on the newest NEDIT of those.
 */
static void
setup(void)
{
	struct resp	*r;
	long long	 role;
	char		 path[128], body[64];
	int		 i;

	for (i = 0; i < NAPPS; i++)
		apps[i] = new_app();
	tok = user_token(uniq("vis"), 0, &uid);
	r = api_f("POST", "/roles/", admin_token(), "{\"name\": \"%s\"}",
	    uniq("vis-role"));
	ck_assert_int_eq(r->status, 201);
	role = jint(r->json, "id");
	resp_free(r);
	snprintf(path, sizeof(path), "/users/%lld/system/perms/", uid);
	expect_status(api("POST", path, admin_token(), "{\"module_name\": "
	    "\"application\", \"permissions\": {\"enable_app_mgmt\": true}}"),
	    200);
	grant("roles", role, 0, NVIEW, "\"view_app\": true");
	grant("users", uid, NVIEW - NEDIT, NVIEW, "\"edit_app\": true");
	snprintf(path, sizeof(path), "/roles/%lld/users/", role);
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", uid);
	expect_status(api("POST", path, admin_token(), body), 200);
}

/* GET a list page; returns the response (caller frees). */
static struct resp *
list(int page, int size)
{
	char		 path[96];
	struct resp	*r;

	snprintf(path, sizeof(path), "/applications/?page=%d&page_size=%d",
	    page, size);
	r = api("GET", path, tok, NULL);
	ck_assert_msg(r->status == 200, "%s: %ld %s", path, r->status, r->body);
	return r;
}

static size_t
jlen_of(json_object *j, const char *path)
{
	return json_object_array_length(jpath(j, path));
}

/* Every item of small equals big's, from big's item at. */
static void
same_items(json_object *small, json_object *big, int at)
{
	size_t i;

	for (i = 0; i < json_object_array_length(small); i++)
		ck_assert_str_eq(json_object_to_json_string(
		    json_object_array_get_idx(small, i)),
		    json_object_to_json_string(json_object_array_get_idx(big,
		    (size_t)at + i)));
}

/* Is id in the results of r? */
static int
listed(struct resp *r, long long id)
{
	json_object	*res = jpath(r->json, "results");
	size_t		 i;

	for (i = 0; i < json_object_array_length(res); i++)
		if (json_object_get_int64(json_object_object_get(
		    json_object_array_get_idx(res, i), "id")) == id)
			return 1;
	return 0;
}

static long long
count_now(void)
{
	struct resp	*r = list(1, 20);
	long long	 n = jint(r->json, "count");

	resp_free(r);
	return n;
}

/* Ask enough times that every worker has the visible set cached. */
static void
warm(void)
{
	int i;

	for (i = 0; i < 24; i++)
		ck_assert_int_eq(count_now(), count_now());
}

START_TEST(page_count_and_actions)
{
	struct resp	*r;
	json_object	*res, *o;
	int		 i;

	setup();
	r = list(1, 20);
	ck_assert_int_eq(jint(r->json, "count"), NVIEW);
	res = jpath(r->json, "results");
	ck_assert_int_eq(json_object_array_length(res), 20);
	for (i = 0; i < 20; i++) {
		o = json_object_array_get_idx(res, i);
		/* newest first: apps[NVIEW-1], apps[NVIEW-2], ... */
		ck_assert_int_eq(json_object_get_int64(json_object_object_get(o,
		    "id")), apps[NVIEW - 1 - i]);
		ck_assert_int_eq(json_object_get_boolean(jpath(o,
		    "available_actions.view_app")), 1);
		ck_assert_int_eq(json_object_get_boolean(jpath(o,
		    "available_actions.edit_app")), i < NEDIT);
		ck_assert_int_eq(json_object_get_boolean(jpath(o,
		    "available_actions.delete_app")), 0);
	}
	ck_assert(!listed(r, apps[NAPPS - 1]));	/* not granted */
	resp_free(r);
	/* the last page has the remainder; past the end, none but the count */
	r = list(3, 20);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "results")),
	    NVIEW - 40);
	ck_assert_int_eq(jint(r->json, "count"), NVIEW);
	resp_free(r);
	r = list(4, 20);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "results")), 0);
	ck_assert_int_eq(jint(r->json, "count"), NVIEW);
	resp_free(r);
}
END_TEST

/* Pages of up to 50 come from the visible set, bigger ones from SQL. */
START_TEST(small_and_big_pages_agree)
{
	struct resp	*big, *small;
	json_object	*b, *s;
	int		 page;

	setup();
	big = list(1, 60);
	b = jpath(big->json, "results");
	ck_assert_int_eq(json_object_array_length(b), NVIEW);
	ck_assert_int_eq(jint(big->json, "count"), NVIEW);
	for (page = 1; page <= 3; page++) {
		small = list(page, 20);
		s = jpath(small->json, "results");
		same_items(s, b, (page - 1) * 20);
		resp_free(small);
	}
	resp_free(big);
}
END_TEST

/* A revoke, or a deletion, through the API: the very next list shows it. */
START_TEST(commit_is_seen_on_the_next_request)
{
	char	path[96];
	int	i;

	setup();
	warm();
	grant("users", uid, NVIEW - 1, NVIEW, "\"edit_app\": false");
	/* edit_app gone, view through the role stays */
	for (i = 0; i < 12; i++) {
		struct resp *r = list(1, 20);

		ck_assert_int_eq(json_object_get_boolean(jpath(
		    json_object_array_get_idx(jpath(r->json, "results"), 0),
		    "available_actions.edit_app")), 0);
		resp_free(r);
	}
	warm();
	snprintf(path, sizeof(path), "/applications/%lld/", apps[NVIEW - 1]);
	expect_status(api("DELETE", path, admin_token(), NULL), 200);
	for (i = 0; i < 12; i++) {
		struct resp *r = list(1, 20);

		ck_assert_int_eq(jint(r->json, "count"), NVIEW - 1);
		ck_assert(!listed(r, apps[NVIEW - 1]));
		resp_free(r);
	}
}
END_TEST

/* A grant removed behind hangard's back is gone within auth_cache_ttl. */
START_TEST(outside_change_within_ttl)
{
	struct timespec	 t0, t;
	double		 sent;
	char		 sql[256];
	long long	 n;
	int		 after = 0;

	setup();
	warm();
	snprintf(sql, sizeof(sql), "DELETE FROM resource_grants WHERE "
	    "resource_type = 'application' AND resource_id = %lld", apps[0]);
	db_exec(sql);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		clock_gettime(CLOCK_MONOTONIC, &t);
		sent = (double)(t.tv_sec - t0.tv_sec) +
		    (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
		n = count_now();
		if (sent >= 2.0) {
			ck_assert_msg(n == NVIEW - 1, "count %lld %.2f s after "
			    "the grant was deleted", n, sent);
			after++;
		} else
			ck_assert(n == NVIEW || n == NVIEW - 1);
		usleep(10000);
	} while (sent < 3.0);
	ck_assert_int_gt(after, 10);
}
END_TEST

/* The same for hosts: a page of the hosts granted, with their addresses. */
START_TEST(hosts_granted_page)
{
	long long	 hosts[NAPPS], hid, role;
	const char	*htok;
	struct resp	*big, *small;
	char		 sql[256], body[64];
	int		 i, page;

	for (i = 0; i < NAPPS; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO hosts (name, host_type) "
		    "VALUES ('%s', 'PHY_HOST')", uniq("vis-host"));
		hosts[i] = db_insert(sql);
		snprintf(sql, sizeof(sql), "INSERT INTO host_addresses (host_id, "
		    "address, addr_type) VALUES (%lld, '10.9.%d.%d', 'PRIVATE')",
		    hosts[i], i / 200, i % 200 + 1);
		db_exec(sql);
	}
	htok = user_token(uniq("vish"), 0, &hid);
	expect_status(api("POST", path_of("/users/%lld/system/perms/", hid),
	    admin_token(), "{\"module_name\": \"resource\", \"permissions\": "
	    "{\"enable_host_mgmt\": true}}"), 200);
	small = api_f("POST", "/roles/", admin_token(), "{\"name\": \"%s\"}",
	    uniq("vish-role"));
	role = jint(small->json, "id");
	resp_free(small);
	grant_on("host", hosts, "roles", role, 0, NVIEW, "\"view_host\": true");
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", hid);
	expect_status(api("POST", path_of("/roles/%lld/users/", role),
	    admin_token(), body), 200);
	/* pages of 20 from the visible set equal one page of 60 from SQL */
	big = api("GET", "/hosts/?page_size=60", htok, NULL);
	ck_assert_int_eq(big->status, 200);
	ck_assert_int_eq(jint(big->json, "count"), NVIEW);
	ck_assert_int_eq(jlen_of(big->json, "results"), NVIEW);
	ck_assert_int_eq(jint(big->json, "results.0.id"), hosts[NVIEW - 1]);
	for (page = 1; page <= 3; page++) {
		json_object *s, *b = jpath(big->json, "results");

		small = api("GET", fmt("/hosts/?page=%d&page_size=20", page), htok,
		    NULL);
		ck_assert_int_eq(small->status, 200);
		ck_assert_int_eq(jint(small->json, "count"), NVIEW);
		s = jpath(small->json, "results");
		ck_assert_int_eq(json_object_array_length(s),
		    page < 3 ? 20 : NVIEW - 40);
		same_items(s, b, (page - 1) * 20);
		resp_free(small);
	}
	resp_free(big);
	/* a revoke through the API shows on the next request */
	grant_on("host", hosts, "roles", role, NVIEW - 1, NVIEW,
	    "\"view_host\": false");
	for (i = 0; i < 12; i++) {
		small = api("GET", "/hosts/?page_size=20", htok, NULL);
		ck_assert_int_eq(jint(small->json, "count"), NVIEW - 1);
		ck_assert_int_eq(jint(small->json, "results.0.id"),
		    hosts[NVIEW - 2]);
		resp_free(small);
	}
}
END_TEST

static TCase *
tc_visible(void)
{
	TCase *tc = tcase_create("visible");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, page_count_and_actions);
	tcase_add_test(tc, small_and_big_pages_agree);
	tcase_add_test(tc, commit_is_seen_on_the_next_request);
	tcase_add_test(tc, outside_change_within_ttl);
	tcase_add_test(tc, hosts_granted_page);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_visible };

	return run_suite("visible", cases, 1) ? 1 : 0;
}
