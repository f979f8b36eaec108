/*
 * test_timefmt.c -- lib/timefmt.c: times in (RFC 3339 with any offset,
 * bare dates in the configured zone, Unix seconds) and out (RFC 3339 with
 * the configured offset).  Zones are fixed offsets so results are exact.
 */
#include <check.h>

#include "arena.h"
#include "timefmt.h"
#include "unit.h"

static struct hg_arena a;

static void
setup(void)
{
	hg_arena_init(&a);
	ck_assert_int_eq(hg_tz_init("+08:00"), 0);
}

static void
teardown(void)
{
	hg_arena_free(&a);
}

/* Parse s (lower bound) and expect t. */
static void
parses(const char *s, int upper, long long t)
{
	long long out = -12345;

	ck_assert_msg(hg_parse_time(s, upper, &out) == 0, "refused %s", s);
	ck_assert_msg(out == t, "%s: got %lld, want %lld", s, out, t);
}

static void
refuses(const char *s)
{
	long long out = -12345;

	ck_assert_msg(hg_parse_time(s, 0, &out) == -1, "accepted %s as %lld",
	    s, out);
	ck_assert_msg(hg_parse_time(s, 1, &out) == -1, "accepted %s (upper)", s);
	ck_assert_int_eq(out, -12345);
}

START_TEST(tz_values)
{
	ck_assert_int_eq(hg_tz_init("+08:00"), 0);
	ck_assert_int_eq(hg_tz_offset(0), 8 * 3600);
	ck_assert_int_eq(hg_tz_init("-05:30"), 0);
	ck_assert_int_eq(hg_tz_offset(1700000000), -(5 * 3600 + 30 * 60));
	ck_assert_int_eq(hg_tz_init("+14:00"), 0);
	ck_assert_int_eq(hg_tz_offset(0), 14 * 3600);
	ck_assert_int_eq(hg_tz_init("Z"), 0);
	ck_assert_int_eq(hg_tz_offset(0), 0);
	ck_assert_int_eq(hg_tz_init("UTC"), 0);
	ck_assert_int_eq(hg_tz_offset(0), 0);
	ck_assert_int_eq(hg_tz_init("system"), 0);
	ck_assert_int_eq(hg_tz_init(NULL), 0);
	ck_assert_int_eq(hg_tz_init("+8:00"), -1);
	ck_assert_int_eq(hg_tz_init("+15:00"), -1);
	ck_assert_int_eq(hg_tz_init("+08:60"), -1);
	ck_assert_int_eq(hg_tz_init("08:00"), -1);
	ck_assert_int_eq(hg_tz_init("+0800"), -1);
	ck_assert_int_eq(hg_tz_init("Asia/Shanghai"), -1);
	ck_assert_int_eq(hg_tz_init(""), -1);
}
END_TEST

START_TEST(rfc3339_with_offsets)
{
	/* 2024-01-01T00:00:00Z is 1704067200. */
	parses("2024-01-01T00:00:00Z", 0, 1704067200LL);
	parses("2024-01-01t00:00:00z", 0, 1704067200LL);
	parses("2024-01-01 00:00:00Z", 0, 1704067200LL);
	parses("2024-01-01T08:00:00+08:00", 0, 1704067200LL);
	parses("2023-12-31T18:30:00-05:30", 0, 1704067200LL);
	parses("2024-01-01T00:00:00.123456Z", 0, 1704067200LL);
	parses("2024-01-01T00:00:00.5+00:00", 0, 1704067200LL);
	/* The offset in the text wins; upper changes nothing for full times. */
	parses("2024-01-01T00:00:00Z", 1, 1704067200LL);
	parses("2018-04-18T15:38:40+08:00", 0, 1524037120LL);
	parses("2020-02-29T23:59:59Z", 0, 1583020799LL);
	parses("1970-01-01T00:00:00Z", 0, 0);
}
END_TEST

START_TEST(bare_dates_in_configured_zone)
{
	/* 2024-01-01 in +08:00 starts at 2023-12-31T16:00:00Z. */
	parses("2024-01-01", 0, 1704038400LL);
	parses("2024-01-01", 1, 1704038400LL + 86399);
	ck_assert_int_eq(hg_tz_init("Z"), 0);
	parses("2024-01-01", 0, 1704067200LL);
	parses("2024-01-01", 1, 1704067200LL + 86399);
	ck_assert_int_eq(hg_tz_init("-05:30"), 0);
	parses("2024-01-01", 0, 1704067200LL + 5 * 3600 + 1800);
	parses("2020-02-29", 1, 1582934400LL + 5 * 3600 + 1800 + 86399);
}
END_TEST

START_TEST(unix_seconds)
{
	parses("0", 0, 0);
	parses("1700000000", 0, 1700000000LL);
	parses("1700000000", 1, 1700000000LL);
	parses("000000000042", 0, 42);
	refuses("1234567890123");	/* more than 12 digits */
	refuses("-1");
	refuses("17e8");
	refuses(" 1700000000");
}
END_TEST

START_TEST(invalid_inputs)
{
	refuses("");
	refuses("yesterday");
	refuses("2021-02-30");
	refuses("2024-04-31");
	refuses("2024-13-01");
	refuses("2024-00-10");
	refuses("2024-01-00");
	refuses("2024-01-32");
	refuses("2024-1-1");
	refuses("24-01-01");
	refuses("2024/01/01");
	refuses("2024-01-01T");
	refuses("2024-01-01T00:00");
	refuses("2024-01-01T00:00:00");		/* no zone */
	refuses("2024-01-01T24:00:00Z");
	refuses("2024-01-01T23:60:00Z");
	refuses("2024-01-01T00:00:00+15:00");
	refuses("2024-01-01T00:00:00+08:60");
	refuses("2024-01-01T00:00:00+0800");
	refuses("2024-01-01T00:00:00Zjunk");
	refuses("2024-01-01T00:00:00+08:00junk");
	refuses("2024-01-01x");
	refuses("1969-12-31");
	refuses("2024-01-01T00:00:00.Z1");
	refuses("2024-01-01T00:00:00Z 2024-01-01T00:00:00Z 2024-01-01T00");
}
END_TEST

/*
 * Was a bug: lib/timefmt.c valid_tm allows February 29 in every year:
 * "2021-02-29" is accepted (as 2021-03-01, 1614528000 in +08:00).
 */
START_TEST(feb_29_only_in_leap_years)
{
	parses("2020-02-29", 0, 1582905600LL);
	parses("2000-02-29T00:00:00Z", 0, 951782400LL);
	refuses("2021-02-29");
	refuses("2021-02-29T12:00:00Z");
	refuses("2100-02-29");
}
END_TEST

/*
 * Was a bug: lib/timefmt.c hg_parse_time: %2d reads "-1" and valid_tm has no
 * lower bound on hour, minute or second, so "2024-01-01T-1:00:00Z" is
 * accepted (normalised by timegm to 2023-12-31T23:00:00Z).
 */
START_TEST(negative_fields_refused)
{
	/* sscanf's %2d reads "-1": such a time must not be normalised. */
	refuses("2024-01-01T-1:00:00Z");
	refuses("2024-01-01T00:-1:00Z");
	refuses("2024-01-01T00:00:-1Z");
}
END_TEST

START_TEST(output_formatting)
{
	char buf[20];

	ck_assert_str_eq(hg_time_out(&a, "2018-04-18 07:38:40"),
	    "2018-04-18T15:38:40+08:00");
	ck_assert_str_eq(hg_time_out(&a, "2023-12-31 20:00:00"),
	    "2024-01-01T04:00:00+08:00");
	ck_assert_ptr_null(hg_time_out(&a, NULL));
	ck_assert_int_eq(hg_tz_init("Z"), 0);
	ck_assert_str_eq(hg_time_out(&a, "2018-04-18 07:38:40"),
	    "2018-04-18T07:38:40Z");
	ck_assert_int_eq(hg_tz_init("-05:30"), 0);
	ck_assert_str_eq(hg_time_out(&a, "2024-01-01 00:00:00"),
	    "2023-12-31T18:30:00-05:30");
	ck_assert_int_eq(hg_tz_init("+00:00"), 0);
	ck_assert_str_eq(hg_time_out(&a, "2024-01-01 00:00:00"),
	    "2024-01-01T00:00:00Z");
	/* Not a DATETIME: passed through unchanged rather than invented. */
	ck_assert_str_eq(hg_time_out(&a, "garbage"), "garbage");
	hg_time_db(0, buf);
	ck_assert_str_eq(buf, "1970-01-01 00:00:00");
	hg_time_db(1524037120, buf);
	ck_assert_str_eq(buf, "2018-04-18 07:38:40");
	hg_time_db(4102444799LL, buf);
	ck_assert_str_eq(buf, "2099-12-31 23:59:59");
}
END_TEST

START_TEST(round_trip)
{
	long long	t;
	char		buf[20];

	ck_assert_int_eq(hg_tz_init("+08:00"), 0);
	hg_time_db(1700000000, buf);
	ck_assert_int_eq(hg_parse_time(hg_time_out(&a, buf), 0, &t), 0);
	ck_assert_int_eq(t, 1700000000LL);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("timefmt");
	TCase	*tc = tcase_create("timefmt");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, tz_values);
	tcase_add_test(tc, rfc3339_with_offsets);
	tcase_add_test(tc, bare_dates_in_configured_zone);
	tcase_add_test(tc, unix_seconds);
	tcase_add_test(tc, invalid_inputs);
	tcase_add_test(tc, feb_29_only_in_leap_years);
	tcase_add_test(tc, negative_fields_refused);
	tcase_add_test(tc, output_formatting);
	tcase_add_test(tc, round_trip);
	return unit_run(s, tc);
}
