/*
 * test_sqltyped.c -- lib/db.c's typed placeholders (hg_db_typed): "?i" and
 * "?s" become "?" and the parameter format, text in quotes is left alone,
 * and a placeholder without a type is refused instead of bound blindly;
 * the values (sqlargs.h, typed by _Generic) must match the placeholders.
 */
#include <string.h>

#include <check.h>

#include "arena.h"
#include "db.h"
#include "sqlargs.h"
#include "unit.h"

static struct hg_arena	a;

static void
setup(void)
{
	hg_arena_init(&a);
}

static void
teardown(void)
{
	hg_arena_free(&a);
}

/* Translate tsql; check the plain SQL and the format it gives. */
static void
typed(const char *tsql, const char *want_sql, const char *want_fmt)
{
	char		 fmt[HG_DB_MAXPARAMS + 1];
	const char	*sql;

	ck_assert_int_eq(hg_db_typed(&a, tsql, &sql, fmt),
	    (int)strlen(want_fmt));
	ck_assert_str_eq(sql, want_sql);
	ck_assert_str_eq(fmt, want_fmt);
}

START_TEST(placeholders_carry_their_type)
{
	typed("SELECT 1", "SELECT 1", "");
	typed("SELECT a FROM t WHERE id = ?i AND name LIKE ?s LIMIT ?i OFFSET ?i",
	    "SELECT a FROM t WHERE id = ? AND name LIKE ? LIMIT ? OFFSET ?",
	    "isii");
	typed("INSERT INTO t (a, b) VALUES (?s,?i)",
	    "INSERT INTO t (a, b) VALUES (?,?)", "si");
}
END_TEST

START_TEST(quoted_text_is_left_alone)
{
	typed("SELECT '?', \"?x\", `?` FROM t WHERE a = ?s",
	    "SELECT '?', \"?x\", `?` FROM t WHERE a = ?", "s");
	typed("SELECT 'it''s ?' , 'a\\'?' WHERE b = ?i",
	    "SELECT 'it''s ?' , 'a\\'?' WHERE b = ?", "i");
}
END_TEST

START_TEST(untyped_or_too_many_are_refused)
{
	char		 fmt[HG_DB_MAXPARAMS + 1], *many;
	const char	*sql;
	int		 i;

	ck_assert_int_eq(hg_db_typed(&a, "SELECT a WHERE id = ?", &sql, fmt), -1);
	ck_assert_int_eq(hg_db_typed(&a, "SELECT a WHERE id = ? AND b = ?i",
	    &sql, fmt), -1);
	ck_assert_int_eq(hg_db_typed(&a, "SELECT a WHERE id = ?x", &sql, fmt),
	    -1);
	many = hg_alloc(&a, (HG_DB_MAXPARAMS + 1) * 3 + 1);
	for (i = 0; i <= HG_DB_MAXPARAMS; i++)
		strcat(many, "?i,");
	ck_assert_int_eq(hg_db_typed(&a, many, &sql, fmt), -1);
	many[HG_DB_MAXPARAMS * 3] = '\0';
	ck_assert_int_eq(hg_db_typed(&a, many, &sql, fmt), HG_DB_MAXPARAMS);
}
END_TEST

/* Check the values of HG_SQLV(sql, ...) against sql's placeholders. */
#define ARGS_OK(...) args_ok(HG_SQLV(__VA_ARGS__))
static int
args_ok(const char *tsql, const struct hg_arg *args, int n)
{
	struct hg_param	 p[HG_DB_MAXPARAMS];
	char		 fmt[HG_DB_MAXPARAMS + 1];
	const char	*sql;

	ck_assert_int_ge(hg_db_typed(&a, tsql, &sql, fmt), 0);
	return hg_db_args(tsql, fmt, args, n, p) == 0;
}

START_TEST(values_match_the_placeholders)
{
	int		 small = 7;
	size_t		 size = 9;
	char		 buf[] = "x";
	const char	*none = NULL;
	struct hg_param	 p[HG_DB_MAXPARAMS];
	char		 fmt[HG_DB_MAXPARAMS + 1];
	const char	*sql;

	ck_assert(ARGS_OK("SELECT 1"));
	ck_assert(ARGS_OK("SELECT ?i, ?i, ?i, ?s, ?s", 1LL, small, size, "lit",
	    buf));
	/* NULL binds SQL NULL for either type, as a literal or a variable */
	ck_assert(ARGS_OK("SELECT ?i, ?s, ?s", NULL, NULL, none));
	/* one too few, one too many */
	ck_assert(!ARGS_OK("SELECT ?i, ?i", 1));
	ck_assert(!ARGS_OK("SELECT ?i", 1, 2));
	ck_assert(!ARGS_OK("SELECT 1", 1));
	/* a string for ?i, an integer for ?s */
	ck_assert(!ARGS_OK("SELECT ?i", "1"));
	ck_assert(!ARGS_OK("SELECT ?s", 1));
	ck_assert(!ARGS_OK("SELECT ?s, ?i", buf, buf));
	/* what is bound */
	ck_assert_int_eq(hg_db_typed(&a, "?i ?s ?s", &sql, fmt), 3);
	ck_assert_int_eq(hg_db_args("?i ?s ?s", fmt, (const struct hg_arg[]){
	    HG_ARG(small), HG_ARG(buf), HG_ARG(NULL) }, 3, p), 0);
	ck_assert(p[0].p_type == 'i' && p[0].p_int == 7);
	ck_assert(p[1].p_type == 's' && strcmp(p[1].p_str, "x") == 0);
	ck_assert(p[2].p_type == 's' && p[2].p_str == NULL);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("sqltyped");
	TCase	*tc = tcase_create("sqltyped");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, placeholders_carry_their_type);
	tcase_add_test(tc, quoted_text_is_left_alone);
	tcase_add_test(tc, untyped_or_too_many_are_refused);
	tcase_add_test(tc, values_match_the_placeholders);
	return unit_run(s, tc);
}
