/*
 * test_httpbody.c -- lib/httpbody.c: an answer's body gathered up to its
 * bound, by hand and through a real libcurl transfer (a file:// URL).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "httpbody.h"
#include "unit.h"

START_TEST(pieces_join_terminated)
{
	struct hg_body	b = { .max = 10 };
	char		p1[] = "abc", p2[] = "defg";

	ck_assert_uint_eq(hg_body_collect(p1, 1, 3, &b), 3);
	ck_assert_uint_eq(hg_body_collect(p2, 2, 2, &b), 4);
	ck_assert_str_eq(b.data, "abcdefg");
	ck_assert_uint_eq(b.len, 7);
	ck_assert_int_eq(b.over, 0);
	free(b.data);
}
END_TEST

START_TEST(the_bound_is_inclusive)
{
	struct hg_body	b = { .max = 5 };
	char		p[] = "12345x";

	ck_assert_uint_eq(hg_body_collect(p, 1, 5, &b), 5);
	ck_assert_int_eq(b.over, 0);
	/* one byte more stops it, and what was taken stays as it was */
	ck_assert_uint_eq(hg_body_collect(p + 5, 1, 1, &b), 0);
	ck_assert_int_eq(b.over, 1);
	ck_assert_str_eq(b.data, "12345");
	ck_assert_uint_eq(b.len, 5);
	free(b.data);
}
END_TEST

START_TEST(a_huge_piece_does_not_wrap)
{
	struct hg_body	b = { .max = 100 };
	char		p[] = "x";

	ck_assert_uint_eq(hg_body_collect(p, 1, 1, &b), 1);
	ck_assert_uint_eq(hg_body_collect(p, (size_t)-1, 1, &b), 0);
	ck_assert_int_eq(b.over, 1);
	ck_assert_uint_eq(b.len, 1);
	free(b.data);
}
END_TEST

/* path holds n bytes of 'z'; fetch it through curl with bound max. */
static CURLcode
fetch(const char *path, size_t n, size_t max, struct hg_body *b)
{
	CURL	*c;
	FILE	*f;
	char	 url[256];
	CURLcode cc;
	size_t	 i;

	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	for (i = 0; i < n; i++)
		fputc('z', f);
	ck_assert_int_eq(fclose(f), 0);
	memset(b, 0, sizeof(*b));
	b->max = max;
	snprintf(url, sizeof(url), "file://%s", path);
	ck_assert_ptr_nonnull(c = curl_easy_init());
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, hg_body_collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	cc = curl_easy_perform(c);
	curl_easy_cleanup(c);
	return cc;
}

START_TEST(through_curl)
{
	struct hg_body	b;
	char		path[] = "/tmp/hangar-httpbody-XXXXXX";
	int		fd;

	ck_assert_int_ne(fd = mkstemp(path), -1);
	close(fd);
	/* 300 KB arrives in several pieces, all kept */
	ck_assert_int_eq(fetch(path, 300000, 300000, &b), CURLE_OK);
	ck_assert_uint_eq(b.len, 300000);
	ck_assert_uint_eq(strspn(b.data, "z"), 300000);
	ck_assert_int_eq(b.over, 0);
	free(b.data);
	/* a byte over the bound: curl stops with a write error, over said */
	ck_assert_int_eq(fetch(path, 300001, 300000, &b), CURLE_WRITE_ERROR);
	ck_assert_int_eq(b.over, 1);
	ck_assert_uint_le(b.len, 300000);
	free(b.data);
	/* an empty answer leaves data NULL */
	ck_assert_int_eq(fetch(path, 0, 10, &b), CURLE_OK);
	ck_assert_ptr_null(b.data);
	ck_assert_uint_eq(b.len, 0);
	unlink(path);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("httpbody");
	TCase	*tc = tcase_create("httpbody");
	int	 failed;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	tcase_add_test(tc, pieces_join_terminated);
	tcase_add_test(tc, the_bound_is_inclusive);
	tcase_add_test(tc, a_huge_piece_does_not_wrap);
	tcase_add_test(tc, through_curl);
	failed = unit_run(s, tc);
	curl_global_cleanup();
	return failed;
}
