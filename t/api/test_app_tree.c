/*
 * test_app_tree.c -- the application tree (API.md section 4): full_name is
 * always the parent's full_name and the name joined by '.', for every
 * descendant, after moves and renames; cycles three levels deep (in the
 * tree and in dependencies) are refused with nothing changed; renaming a
 * root with 1,000 descendants; and the time to move a subtree of 1,000
 * applications (printed, and its median held under 200 ms).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"

#define TABLES	"applications,app_dependencies,audit_log"

static long long
mkapp(const char *name, long long parent)
{
	return parent ? api_create("/applications/", "{\"name\": \"%s\", "
	    "\"parent_app\": %lld}", name, parent) :
	    api_create("/applications/", "{\"name\": \"%s\"}", name);
}

static char *
full_of(long long id)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT full_name FROM applications WHERE "
	    "id = %lld", id);
	return db_str(sql);
}

#define expect_full(id, want) do {					\
	char *f_ = full_of(id);						\
									\
	ck_assert_msg(f_ != NULL && strcmp(f_, (want)) == 0,		\
	    "full_name of %lld: want %s, got %s", (long long)(id), (want), \
	    f_ ? f_ : "(none)");					\
	free(f_);							\
} while (0)

/*
 * Applications in the whole table whose full_name or depth is not what
 * their parent's says: 0 when the tree is consistent.
 */
static long long
inconsistent(void)
{
	return db_int("SELECT COUNT(*) FROM applications c LEFT JOIN "
	    "applications p ON p.id = c.parent_id WHERE "
	    "(p.id IS NULL AND (c.full_name <> c.name OR c.depth <> 0)) OR "
	    "(p.id IS NOT NULL AND (BINARY c.full_name <> "
	    "BINARY CONCAT(p.full_name, '.', c.name) OR c.depth <> p.depth + 1))");
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * Under parent (full name pfull, depth pdepth) insert `fan` children each
 * with `fan2` children of their own, straight into the table (creating
 * them one request at a time would only measure the test); returns how
 * many rows it added.
 */
static long long
grow(long long parent, const char *pfull, int pdepth, int fan, int fan2)
{
	char		 sql[1024];
	long long	 kid, n = 0;
	int		 i;

	for (i = 0; i < fan; i++) {
		snprintf(sql, sizeof(sql), "INSERT INTO applications (name, "
		    "full_name, parent_id, depth) VALUES ('k%d', '%s.k%d', %lld, "
		    "%d)", i, pfull, i, parent, pdepth + 1);
		kid = db_insert(sql);
		n++;
		if (fan2 == 0)
			continue;
		snprintf(sql, sizeof(sql), "INSERT INTO applications (name, "
		    "full_name, parent_id, depth) SELECT CONCAT('g', seq), "
		    "CONCAT('%s.k%d.g', seq), %lld, %d FROM seq_1_to_%d", pfull,
		    i, kid, pdepth + 2, fan2);
		db_exec(sql);
		n += fan2;
	}
	return n;
}

START_TEST(move_subtree_rewrites_every_descendant)
{
	char		 a[64], x[64], want[256];
	long long	 ia, ib, ic, id, ie, ix;
	struct resp	*r;

	snprintf(a, sizeof(a), "%s", uniq("ta"));
	snprintf(x, sizeof(x), "%s", uniq("tx"));
	ia = mkapp(a, 0);
	ib = mkapp("b", ia);
	ic = mkapp("c", ib);
	id = mkapp("d", ic);
	ie = mkapp("e", ia);
	ix = mkapp(x, 0);
	r = api_f("PATCH", path_of("/applications/%lld/", ib), admin_token(),
	    "{\"parent_app\": %lld}", ix);
	ck_assert_msg(r->status == 200, "%s", r->body);
	snprintf(want, sizeof(want), "%s.b", x);
	ck_assert_str_eq(jstr(r->json, "full_name"), want);
	resp_free(r);
	expect_full(ib, want);
	snprintf(want, sizeof(want), "%s.b.c", x);
	expect_full(ic, want);
	snprintf(want, sizeof(want), "%s.b.c.d", x);
	expect_full(id, want);
	snprintf(want, sizeof(want), "%s.e", a);
	expect_full(ie, want);
	ck_assert_int_eq(db_int(path_of("SELECT depth FROM applications WHERE "
	    "id = %lld", id)), 3);
	ck_assert_int_eq(inconsistent(), 0);

	/* rename in the middle, then move to the top */
	expect_status(api("PATCH", path_of("/applications/%lld/", ic),
	    admin_token(), "{\"name\": \"C2\"}"), 200);
	snprintf(want, sizeof(want), "%s.b.C2.d", x);
	expect_full(id, want);
	expect_status(api("PATCH", path_of("/applications/%lld/", ic),
	    admin_token(), "{\"parent_app\": null, \"name\": \"top-c2\"}"), 200);
	expect_full(id, "top-c2.d");
	/* a change of case alone rewrites the subtree too */
	expect_status(api("PATCH", path_of("/applications/%lld/", ic),
	    admin_token(), "{\"name\": \"TOP-C2\"}"), 200);
	expect_full(id, "TOP-C2.d");
	ck_assert_int_eq(db_int(path_of("SELECT depth FROM applications WHERE "
	    "id = %lld", id)), 1);
	ck_assert_int_eq(inconsistent(), 0);
	expect_status(api("DELETE", path_of("/applications/%lld/", id),
	    admin_token(), NULL), 200);
	expect_status(api("DELETE", path_of("/applications/%lld/", ic),
	    admin_token(), NULL), 200);
}
END_TEST

START_TEST(cycles_three_deep_are_refused)
{
	long long	 a, b, c;
	char		*before, *after, body[128];

	a = mkapp(uniq("cy"), 0);
	b = mkapp("b", a);
	c = mkapp("c", b);
	before = db_fingerprint(TABLES);
	snprintf(body, sizeof(body), "{\"parent_app\": %lld}", c);
	expect_error(api("PATCH", path_of("/applications/%lld/", a),
	    admin_token(), body), 400, 10002, "parent_app");
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", a);
	expect_error(api("POST", path_of("/applications/%lld/child-apps/", c),
	    admin_token(), body), 400, 10002, NULL);
	after = db_fingerprint(TABLES);
	ck_assert_str_eq(before, after);
	free(after);
	free(before);

	/* dependencies: a requires b, b requires c; c requiring a closes it */
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", b);
	expect_status(api("POST", path_of("/applications/%lld/required-apps/",
	    a), admin_token(), body), 200);
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", c);
	expect_status(api("POST", path_of("/applications/%lld/required-apps/",
	    b), admin_token(), body), 200);
	before = db_fingerprint(TABLES);
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", a);
	expect_error(api("POST", path_of("/applications/%lld/required-apps/", c),
	    admin_token(), body), 400, 10002, NULL);
	snprintf(body, sizeof(body), "{\"required_apps\": [%lld]}", a);
	expect_error(api("PATCH", path_of("/applications/%lld/", c),
	    admin_token(), body), 400, 10002, NULL);
	after = db_fingerprint(TABLES);
	ck_assert_str_eq(before, after);
	free(after);
	free(before);
	ck_assert_int_eq(inconsistent(), 0);
}
END_TEST

START_TEST(clashes_and_length_are_refused)
{
	char		 x[64], body[1024], name[129], *before, *after;
	long long	 a, b, xb, deep, i;

	a = mkapp(uniq("cl"), 0);
	b = mkapp("b", a);
	mkapp("leaf", b);
	snprintf(x, sizeof(x), "%s", uniq("cx"));
	xb = mkapp(x, 0);
	mkapp("b", xb);
	before = db_fingerprint(TABLES);
	snprintf(body, sizeof(body), "{\"parent_app\": %lld}", xb);
	expect_error(api("PATCH", path_of("/applications/%lld/", b),
	    admin_token(), body), 409, 10010, NULL);
	snprintf(body, sizeof(body), "{\"name\": \"%s\"}", x);
	expect_error(api("PATCH", path_of("/applications/%lld/", a),
	    admin_token(), body), 409, 10010, NULL);
	/* a name is 128 characters at most, a full name 768 */
	memset(name, 'n', 128);
	name[128] = '\0';
	deep = a;
	for (i = 0; i < 5; i++)
		deep = mkapp(name, deep);
	after = db_fingerprint(TABLES);
	ck_assert_str_ne(before, after);
	free(before);
	before = after;
	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"parent_app\": %lld}",
	    name, deep);
	expect_error(api("POST", "/applications/", admin_token(), body), 400,
	    10002, "name");
	/* renaming the root would push the deepest past 768 */
	memset(name, 'm', 128);
	snprintf(body, sizeof(body), "{\"name\": \"%s\"}", name);
	expect_error(api("PATCH", path_of("/applications/%lld/", a),
	    admin_token(), body), 400, 10002, "name");
	after = db_fingerprint(TABLES);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	ck_assert_int_eq(inconsistent(), 0);
}
END_TEST

START_TEST(rename_root_with_1000_descendants)
{
	char		 root[64], renamed[64], sql[512];
	long long	 id, n;
	struct timespec	 t0;
	double		 ms;

	snprintf(root, sizeof(root), "%s", uniq("big"));
	snprintf(renamed, sizeof(renamed), "%s", uniq("BIG2"));
	id = mkapp(root, 0);
	n = grow(id, root, 0, 10, 99);
	ck_assert_int_eq(n, 1000);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect_status(api_f("PATCH", path_of("/applications/%lld/", id),
	    admin_token(), "{\"name\": \"%s\"}", renamed), 200);
	ms = ms_since(&t0);
	printf("rename of a root with 1000 descendants: %.1f ms\n", ms);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM applications WHERE "
	    "full_name LIKE '%s.%%'", renamed);
	ck_assert_int_eq(db_int(sql), 1000);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM applications WHERE "
	    "full_name LIKE '%s.%%'", root);
	ck_assert_int_eq(db_int(sql), 0);
	ck_assert_int_eq(inconsistent(), 0);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'app' AND target_id = %lld AND op_detail LIKE "
	    "'%%full names of 1000 descendants rewritten%%'", id);
	ck_assert_int_eq(db_int(sql), 1);
}
END_TEST

START_TEST(move_1000_subtree_under_200ms)
{
	char		 src[64], dst[64], sql[512];
	long long	 sid, did, n;
	struct timespec	 t0;
	double		 ms[6], t;
	int		 round, i, j;

	snprintf(src, sizeof(src), "%s", uniq("mv"));
	snprintf(dst, sizeof(dst), "%s", uniq("dst"));
	sid = mkapp(src, 0);
	did = mkapp(dst, 0);
	/* 999 below the subtree's root: a subtree of 1,000 applications */
	n = grow(sid, src, 0, 9, 110);
	ck_assert_int_eq(n + 1, 1000);
	/* under dst and back to the top, three times each */
	for (round = 0; round < 6; round++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (round % 2 == 0)
			expect_status(api_f("PATCH", path_of("/applications/%lld/",
			    sid), admin_token(), "{\"parent_app\": %lld}", did),
			    200);
		else
			expect_status(api("PATCH", path_of("/applications/%lld/",
			    sid), admin_token(), "{\"parent_app\": null}"), 200);
		ms[round] = ms_since(&t0);
		printf("move of a 1000-application subtree: %.1f ms\n",
		    ms[round]);
	}
	for (i = 1; i < 6; i++)		/* sort: the median is held below */
		for (j = i; j > 0 && ms[j - 1] > ms[j]; j--) {
			t = ms[j];
			ms[j] = ms[j - 1];
			ms[j - 1] = t;
		}
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM applications WHERE "
	    "full_name LIKE '%s.%%' AND depth >= 1", src);
	ck_assert_int_eq(db_int(sql), 999);
	expect_status(api_f("PATCH", path_of("/applications/%lld/", sid),
	    admin_token(), "{\"parent_app\": %lld}", did), 200);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM applications WHERE "
	    "full_name LIKE '%s.%s%%'", dst, src);
	ck_assert_int_eq(db_int(sql), 1000);
	ck_assert_int_eq(inconsistent(), 0);
	printf("move of a 1000-application subtree: median %.1f ms, worst "
	    "%.1f ms\n", (ms[2] + ms[3]) / 2, ms[5]);
	ck_assert_msg((ms[2] + ms[3]) / 2 < 200.0, "moving 1000 applications "
	    "took %.1f ms (median)", (ms[2] + ms[3]) / 2);
}
END_TEST

static TCase *
tc_tree(void)
{
	TCase *tc = tcase_create("tree");

	tcase_add_test(tc, move_subtree_rewrites_every_descendant);
	tcase_add_test(tc, cycles_three_deep_are_refused);
	tcase_add_test(tc, clashes_and_length_are_refused);
	tcase_add_test(tc, rename_root_with_1000_descendants);
	tcase_add_test(tc, move_1000_subtree_under_200ms);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_tree };

	return run_suite("app_tree", cases, 1) ? 1 : 0;
}
