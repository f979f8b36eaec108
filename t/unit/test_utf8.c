/*
 * test_utf8.c -- lib/utf8.c: what a host's output becomes before MySQL's
 * utf8mb4 sees it.  Replacements are compared with what Python's
 * bytes.decode("utf-8", "replace") gives (the Unicode "maximal subpart"
 * practice); validity is compared, exhaustively up to three bytes, with a
 * decoder written here the other way round (decode, then check the value).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>

#include "arena.h"
#include "utf8.h"
#include "unit.h"

#define R	HG_UTF8_REPLACEMENT

static struct hg_arena a;

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

/* repair(in, inlen) must be want (wantlen bytes). */
static void
repairs(const char *in, size_t inlen, const char *want, size_t wantlen)
{
	size_t	 n = 12345;
	char	*out = hg_utf8_repair(&a, in, inlen, &n);

	ck_assert_msg(n == wantlen && memcmp(out, want, n) == 0,
	    "repair of %zu bytes gave %zu bytes, want %zu", inlen, n, wantlen);
	ck_assert_int_eq(out[n], '\0');
	ck_assert(hg_utf8_wellformed(out, n));
	ck_assert_int_eq(hg_utf8_wellformed(in, inlen), inlen == wantlen &&
	    memcmp(in, want, inlen) == 0);
}

#define REPAIRS(in, want)	repairs(in, sizeof(in) - 1, want, sizeof(want) - 1)

START_TEST(wellformed_kept)
{
	REPAIRS("", "");
	REPAIRS("plain ascii\t\r", "plain ascii\t\r");
	REPAIRS("张三 😀 é", "张三 😀 é");
	REPAIRS("\xc2\x80", "\xc2\x80");			/* U+0080 */
	REPAIRS("\xdf\xbf", "\xdf\xbf");			/* U+07FF */
	REPAIRS("\xe0\xa0\x80", "\xe0\xa0\x80");		/* U+0800 */
	REPAIRS("\xed\x9f\xbf", "\xed\x9f\xbf");		/* U+D7FF */
	REPAIRS("\xee\x80\x80", "\xee\x80\x80");		/* U+E000 */
	REPAIRS("\xef\xbf\xbf", "\xef\xbf\xbf");		/* U+FFFF */
	REPAIRS("\xf0\x90\x80\x80", "\xf0\x90\x80\x80");	/* U+10000 */
	REPAIRS("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf");	/* U+10FFFF */
	REPAIRS("a\0b", "a\0b");				/* NUL is text */
}
END_TEST

START_TEST(overlong_replaced)
{
	REPAIRS("\xc0\xaf", R R);				/* '/' in 2 */
	REPAIRS("\xc1\xbf", R R);
	REPAIRS("\xe0\x80\xaf", R R R);				/* '/' in 3 */
	REPAIRS("\xe0\x9f\xbf", R R R);				/* U+07FF in 3 */
	REPAIRS("\xf0\x80\x80\xaf", R R R R);			/* '/' in 4 */
	REPAIRS("\xf0\x8f\xbf\xbf", R R R R);			/* U+FFFF in 4 */
	REPAIRS("x\xe0\x80\xafy", "x" R R R "y");
}
END_TEST

START_TEST(surrogates_and_out_of_range_replaced)
{
	REPAIRS("\xed\xa0\x80", R R R);				/* U+D800 */
	REPAIRS("\xed\xbf\xbf", R R R);				/* U+DFFF */
	REPAIRS("\xed\xa0\xbd\xed\xb8\x80", R R R R R R);	/* CESU-8 😀 */
	REPAIRS("\xf4\x90\x80\x80", R R R R);			/* U+110000 */
	REPAIRS("\xf7\xbf\xbf\xbf", R R R R);
	REPAIRS("\xf5\x80", R R);
	REPAIRS("\xf8\x88\x80\x80\x80", R R R R R);		/* 5 bytes */
	REPAIRS("\xfc\x84\x80\x80\x80\x80", R R R R R R);	/* 6 bytes */
	REPAIRS("\xfe\xff", R R);
}
END_TEST

START_TEST(truncated_and_stray_replaced)
{
	REPAIRS("\xe2\x82", R);					/* at the end */
	REPAIRS("a\xe2\x82z", "a" R "z");			/* before ASCII */
	REPAIRS("\xe2\x82\xe2\x82\xac", R "\xe2\x82\xac");	/* before € */
	REPAIRS("\xf0\x9f\x98", R);
	REPAIRS("\xf0\x9f", R);
	REPAIRS("\xf0", R);
	REPAIRS("\xc3", R);
	REPAIRS("\x80", R);					/* stray */
	REPAIRS("\xbf\x80", R R);
	REPAIRS("\xc3\xa9\xa9", "\xc3\xa9" R);			/* é + stray */
	/* Only len bytes are read: a cut in the middle of a character. */
	repairs("\xe4\xb8\x89", 2, R, 3);
}
END_TEST

/* The reference: decode the value, then judge it. */
static int
reference_ok(const unsigned char *p, size_t len)
{
	const unsigned char	*e = p + len;
	unsigned		 c, need, cp, min;

	while (p < e) {
		c = *p++;
		if (c < 0x80)
			continue;
		if ((c & 0xe0) == 0xc0) {
			need = 1; cp = c & 0x1f; min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2; cp = c & 0x0f; min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			need = 3; cp = c & 0x07; min = 0x10000;
		} else
			return 0;
		if ((size_t)(e - p) < need)
			return 0;
		while (need-- > 0) {
			if ((*p & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (*p++ & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
	}
	return 1;
}

/*
 * Every sequence of one to three bytes, and four-byte ones around every
 * boundary: the verdict matches the reference, and a repair is
 * well-formed, keeps well-formed input as it is, and changes nothing when
 * repeated.
 */
START_TEST(exhaustive_against_reference)
{
	static const unsigned char edge[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f,
	    0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef,
	    0xf0, 0xf4, 0xf5, 0xff };
	unsigned char	 b[4];
	unsigned long	 v, i, j, k, l, ne = sizeof(edge);
	size_t		 len, n, n2;
	char		*r, *r2;

	/* Plain ifs: a ck_assert per case would cost minutes in check. */
	for (len = 1; len <= 3; len++)
		for (v = 0; v < (1UL << (8 * len)); v++) {
			for (i = 0; i < len; i++)
				b[i] = (unsigned char)(v >> (8 * i));
			if (hg_utf8_wellformed((char *)b, len) !=
			    reference_ok(b, len))
				ck_abort_msg("%zu bytes %06lx: verdict", len, v);
			if ((v & 0x3f) != 0 && len == 3)
				continue;	/* repair a sample of them */
			r = hg_utf8_repair(&a, (char *)b, len, &n);
			r2 = hg_utf8_repair(&a, r, n, &n2);
			if (!hg_utf8_wellformed(r, n) || (reference_ok(b, len) &&
			    (n != len || memcmp(r, b, len) != 0)) || n2 != n ||
			    memcmp(r, r2, n) != 0)
				ck_abort_msg("%zu bytes %06lx: repair", len, v);
			hg_arena_reset(&a);
		}
	for (i = 0xf0; i <= 0xff; i++)
	for (j = 0; j < ne; j++)
	for (k = 0; k < ne; k++)
	for (l = 0; l < ne; l++) {
		b[0] = (unsigned char)i;
		b[1] = edge[j];
		b[2] = edge[k];
		b[3] = edge[l];
		r = hg_utf8_repair(&a, (char *)b, 4, &n);
		if (hg_utf8_wellformed((char *)b, 4) != reference_ok(b, 4) ||
		    !hg_utf8_wellformed(r, n))
			ck_abort_msg("%02x %02x %02x %02x", b[0], b[1], b[2], b[3]);
		hg_arena_reset(&a);
	}
}
END_TEST

/* hg_utf8_line: repaired, then every C0 control and DEL is a space. */
START_TEST(line_has_no_controls)
{
	static const char in[] = "a\0b\nc\x1b[1m\x7f\xff\xc3\xa9\t";
	char	*out = hg_utf8_line(&a, in, sizeof(in) - 1);

	ck_assert_str_eq(out, "a b c [1m " R "\xc3\xa9 ");
}
END_TEST

/* hg_utf8_trim: a sequence cut short at the end goes, whole ones stay. */
START_TEST(trim_cut_sequence)
{
	static const struct { const char *in, *want; } t[] = {
		{ "", "" }, { "abc", "abc" }, { "a\xc3", "a" },
		{ "a\xc3\xa9", "a\xc3\xa9" }, { "a\xe5\xae", "a" },
		{ "a\xe5", "a" }, { "a\xe5\xae\x9e", "a\xe5\xae\x9e" },
		{ "a\xf0\x9f\x98", "a" }, { "a\xf0\x9f\x98\x80",
		    "a\xf0\x9f\x98\x80" }, { "\xe5\xae", "" },
	};
	char	buf[16];
	size_t	i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", t[i].in);
		hg_utf8_trim(buf);
		ck_assert_msg(strcmp(buf, t[i].want) == 0, "case %zu", i);
	}
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("utf8");
	TCase	*tc = tcase_create("utf8");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, wellformed_kept);
	tcase_add_test(tc, overlong_replaced);
	tcase_add_test(tc, surrogates_and_out_of_range_replaced);
	tcase_add_test(tc, truncated_and_stray_replaced);
	tcase_add_test(tc, exhaustive_against_reference);
	tcase_add_test(tc, line_has_no_controls);
	tcase_add_test(tc, trim_cut_sequence);
	return unit_run(s, tc);
}
