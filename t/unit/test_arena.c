/*
 * test_arena.c -- lib/arena.c: the per-request pool every handler allocates
 * from.  Checks the contract in arena.h: aligned, zeroed memory that is never
 * NULL, allocations larger than a chunk, cleanups run newest first at reset,
 * and an arena that keeps working across many resets.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "arena.h"
#include "unit.h"

START_TEST(alloc_is_aligned_and_zeroed)
{
	struct hg_arena	 a;
	size_t		 sizes[] = { 1, 3, 7, 15, 16, 17, 31, 100, 4095 };
	size_t		 i, k;
	unsigned char	*p;

	hg_arena_init(&a);
	for (k = 0; k < 3; k++) {
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			p = hg_alloc(&a, sizes[i]);
			ck_assert_ptr_nonnull(p);
			ck_assert_uint_eq((uintptr_t)p % 16, 0);
			ck_assert_int_eq(p[0], 0);
			ck_assert_int_eq(p[sizes[i] - 1], 0);
			/* Dirty it: the next round after reset must be zero again. */
			memset(p, 0xa5, sizes[i]);
		}
		hg_arena_reset(&a);
	}
	hg_arena_free(&a);
}
END_TEST

START_TEST(zero_size_alloc_is_distinct)
{
	struct hg_arena	 a;
	char		*p, *q;

	hg_arena_init(&a);
	p = hg_alloc(&a, 0);
	q = hg_alloc(&a, 0);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_nonnull(q);
	ck_assert_ptr_ne(p, q);
	hg_arena_free(&a);
}
END_TEST

START_TEST(allocations_do_not_overlap)
{
	struct hg_arena	 a;
	unsigned char	*p[200];
	size_t		 i, j;

	hg_arena_init(&a);
	/* 200 * 1000 bytes spans several 64 KB chunks. */
	for (i = 0; i < 200; i++) {
		p[i] = hg_alloc(&a, 1000);
		memset(p[i], (int)i, 1000);
	}
	for (i = 0; i < 200; i++)
		for (j = 0; j < 1000; j++)
			ck_assert_int_eq(p[i][j], (unsigned char)i);
	ck_assert_uint_ge(a.a_total, 200 * 1000);
	hg_arena_free(&a);
}
END_TEST

START_TEST(large_allocations)
{
	struct hg_arena	 a;
	size_t		 big = 5 * 1024 * 1024;
	unsigned char	*p, *q, *small;
	size_t		 i;

	hg_arena_init(&a);
	small = hg_alloc(&a, 32);
	memset(small, 'x', 32);
	p = hg_alloc(&a, big);
	for (i = 0; i < big; i += 4096)
		ck_assert_int_eq(p[i], 0);
	ck_assert_int_eq(p[big - 1], 0);
	memset(p, 'B', big);
	q = hg_alloc(&a, 16);
	ck_assert_uint_eq((uintptr_t)q % 16, 0);
	ck_assert_int_eq(q[0], 0);
	/* Earlier memory is untouched by the big block. */
	for (i = 0; i < 32; i++)
		ck_assert_int_eq(small[i], 'x');
	ck_assert_uint_ge(a.a_total, big + 48);
	hg_arena_reset(&a);
	ck_assert_uint_eq(a.a_total, 0);
	/* A big allocation as the very first one, then reset, then reuse. */
	hg_arena_reset(&a);
	p = hg_alloc(&a, big);
	memset(p, 1, big);
	hg_arena_reset(&a);
	p = hg_alloc(&a, 100);
	ck_assert_int_eq(p[0], 0);
	ck_assert_int_eq(p[99], 0);
	hg_arena_free(&a);
}
END_TEST

START_TEST(strings)
{
	struct hg_arena	 a;
	const char	 s[] = "张三 and 'quotes'";
	char		*d;

	hg_arena_init(&a);
	d = hg_strdup(&a, s);
	ck_assert_str_eq(d, s);
	ck_assert_ptr_ne(d, s);
	ck_assert_ptr_null(hg_strdup(&a, NULL));
	d = hg_strndup(&a, "abcdef", 3);
	ck_assert_str_eq(d, "abc");
	d = hg_strndup(&a, "", 0);
	ck_assert_str_eq(d, "");
	d = hg_printf(&a, "%s-%d-%05.1f-%lld", "x", -42, 3.14159, 1LL << 40);
	ck_assert_str_eq(d, "x--42-003.1-1099511627776");
	/* Longer than any fixed buffer a printf wrapper might use. */
	d = hg_printf(&a, "%*s|", 100000, "end");
	ck_assert_uint_eq(strlen(d), 100001);
	ck_assert_str_eq(d + 99997, "end|");
	hg_arena_free(&a);
}
END_TEST

static char	trace[64];

static void
mark(void *arg)
{
	strcat(trace, arg);
}

START_TEST(cleanups_run_newest_first_once)
{
	struct hg_arena a;

	hg_arena_init(&a);
	trace[0] = '\0';
	hg_cleanup_add(&a, mark, "1");
	hg_cleanup_add(&a, mark, "2");
	(void)hg_alloc(&a, 200000);	/* a new chunk between cleanups */
	hg_cleanup_add(&a, mark, "3");
	ck_assert_str_eq(trace, "");
	hg_arena_reset(&a);
	ck_assert_str_eq(trace, "321");
	/* Already run: a second reset runs nothing. */
	hg_arena_reset(&a);
	ck_assert_str_eq(trace, "321");
	/* The arena works after reset and runs the new cleanups. */
	hg_cleanup_add(&a, mark, "a");
	hg_cleanup_add(&a, mark, "b");
	hg_arena_reset(&a);
	ck_assert_str_eq(trace, "321ba");
	/* hg_arena_free runs pending cleanups too. */
	hg_cleanup_add(&a, mark, "z");
	hg_arena_free(&a);
	ck_assert_str_eq(trace, "321baz");
}
END_TEST

static void
free_it(void *p)
{
	free(p);
}

START_TEST(cleanups_release_resources)
{
	struct hg_arena	a;
	int		i;

	/* Run under LeakSanitizer: every malloc here must be freed by reset. */
	hg_arena_init(&a);
	for (i = 0; i < 1000; i++) {
		hg_cleanup_add(&a, free_it, malloc(100));
		if (i % 100 == 99)
			hg_arena_reset(&a);
	}
	hg_arena_free(&a);
}
END_TEST

START_TEST(reset_keeps_working)
{
	struct hg_arena	 a;
	int		 round, i;
	char		*p;

	hg_arena_init(&a);
	for (round = 0; round < 2000; round++) {
		for (i = 0; i < 20; i++) {
			char want[64];

			p = hg_printf(&a, "round %d item %d", round, i);
			snprintf(want, sizeof(want), "round %d item %d", round, i);
			ck_assert_str_eq(p, want);
		}
		if (round % 100 == 0)
			(void)hg_alloc(&a, 300000);
		hg_arena_reset(&a);
		ck_assert_uint_eq(a.a_total, 0);
		ck_assert_ptr_null(a.a_cleanups);
	}
	/* A reset arena keeps at most one base chunk. */
	(void)hg_alloc(&a, 10);
	hg_arena_reset(&a);
	ck_assert_ptr_nonnull(a.a_chunks);
	hg_arena_free(&a);
	ck_assert_ptr_null(a.a_chunks);
	ck_assert_ptr_null(a.a_cleanups);
	/* Free of a fresh or already freed arena is harmless. */
	hg_arena_free(&a);
	hg_arena_init(&a);
	hg_arena_reset(&a);
	hg_arena_free(&a);
}
END_TEST

/*
 * Was a bug: lib/arena.c hg_alloc rounds n up with (n + ALIGN - 1) & ~(ALIGN - 1),
 * which wraps to 0 for n > SIZE_MAX - 15, and then serves 16 bytes instead of
 * aborting ("never NULL (aborts)").  hg_alloc(a, SIZE_MAX - 3) returns.
 */
START_TEST(impossible_size_aborts)
{
	struct hg_arena a;

	/* "never NULL (aborts)": a size that cannot be served must not
	 * wrap around into a tiny block. */
	hg_arena_init(&a);
	(void)hg_alloc(&a, SIZE_MAX - 3);
	hg_arena_free(&a);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("arena");
	TCase	*tc = tcase_create("arena");

	tcase_add_test(tc, alloc_is_aligned_and_zeroed);
	tcase_add_test(tc, zero_size_alloc_is_distinct);
	tcase_add_test(tc, allocations_do_not_overlap);
	tcase_add_test(tc, large_allocations);
	tcase_add_test(tc, strings);
	tcase_add_test(tc, cleanups_run_newest_first_once);
	tcase_add_test(tc, cleanups_release_resources);
	tcase_add_test(tc, reset_keeps_working);
	tcase_add_exit_test(tc, impossible_size_aborts, 1);
	return unit_run(s, tc);
}
