/*
 * test_dns_zonefile.c -- lib/dns_zonefile.c: zone files parsed for import
 * (hg_dns_zone_parse).  Records in canonical form with their lines,
 * $ORIGIN and $TTL, relative and absolute names, other types kept with
 * their presentation form, and refusals naming the line: bad syntax,
 * $INCLUDE (it would read a file of this machine), another class, too
 * many records.
 */
#include <stdio.h>
#include <string.h>

#include <check.h>

#include "dns.h"
#include "unit.h"

static struct hg_arena	 a;
static struct hg_dns_zrec *z;
static size_t		 n;
static int		 line;
static char		 msg[512];

static int
parse(const char *text, size_t max)
{
	return hg_dns_zone_parse(&a, "example.com", text, strlen(text), 3600,
	    max, &z, &n, &line, msg, sizeof(msg));
}

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

START_TEST(records_in_canonical_form)
{
	const char *text =
	    "; a comment\n"
	    "$TTL 300\n"
	    "@ IN SOA ns1.example.com. host.example.com. 1 2 3 4 5\n"
	    "\n"
	    "www IN A 192.0.2.1\n"
	    "WWW.Example.COM. 60 IN AAAA 2001:DB8:0:0::1\n"
	    "alias IN CNAME www\n"
	    "@ IN MX 10 Mail.Example.NET.\n"
	    "t IN TXT \"v=spf1 \\\"q\\\" -all\" \"more\"\n"
	    "_sip._tcp IN SRV 10 5 5060 sip.example.com.\n"
	    "$ORIGIN sub.example.com.\n"
	    "x 1H IN NS ns.example.net.\n";

	ck_assert_int_eq(parse(text, 100), 0);
	ck_assert_uint_eq(n, 8);
	ck_assert_str_eq(z[0].zr_type, "SOA");
	ck_assert_int_eq(z[0].zr_line, 3);
	ck_assert_str_eq(z[1].zr_name, "www.example.com");
	ck_assert_str_eq(z[1].zr_type, "A");
	ck_assert_str_eq(z[1].zr_value, "192.0.2.1");
	ck_assert_uint_eq(z[1].zr_ttl, 300);
	ck_assert_int_eq(z[1].zr_line, 5);
	ck_assert_str_eq(z[2].zr_name, "www.example.com");
	ck_assert_str_eq(z[2].zr_value, "2001:db8::1");
	ck_assert_uint_eq(z[2].zr_ttl, 60);
	ck_assert_str_eq(z[3].zr_value, "www.example.com");
	ck_assert_str_eq(z[4].zr_name, "example.com");
	ck_assert_str_eq(z[4].zr_value, "10 mail.example.net");
	ck_assert_str_eq(z[5].zr_value, "v=spf1 \"q\" -allmore");
	ck_assert_str_eq(z[6].zr_type, "SRV");
	ck_assert_str_eq(z[6].zr_value, "10 5 5060 sip.example.com.");
	ck_assert_str_eq(z[7].zr_name, "x.sub.example.com");
	ck_assert_uint_eq(z[7].zr_ttl, 3600);
	ck_assert_int_eq(z[7].zr_line, 12);
}
END_TEST

START_TEST(default_ttl_without_dollar_ttl)
{
	ck_assert_int_eq(parse("a IN A 192.0.2.9", 100), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(z[0].zr_ttl, 3600);
	ck_assert_str_eq(z[0].zr_name, "a.example.com");
}
END_TEST

START_TEST(bad_line_is_named)
{
	ck_assert_int_eq(parse("a IN A 192.0.2.1\n\nb IN A 999.1.1.1\n"
	    "c IN A 192.0.2.3\n", 100), HG_DNS_EINVAL);
	ck_assert_int_eq(line, 3);
	ck_assert_str_ne(msg, "");
	ck_assert_int_eq(parse("a IN A 192.0.2.1\nb IN BOGUS x\n", 100),
	    HG_DNS_EINVAL);
	ck_assert_int_eq(line, 2);
}
END_TEST

START_TEST(include_is_refused)
{
	ck_assert_int_eq(parse("a IN A 192.0.2.1\n$INCLUDE /etc/passwd\n",
	    100), HG_DNS_EINVAL);
	ck_assert_int_eq(line, 2);
	ck_assert_ptr_nonnull(strstr(msg, "$INCLUDE"));
}
END_TEST

START_TEST(other_class_is_refused)
{
	ck_assert_int_eq(parse("a CH A 192.0.2.1\n", 100), HG_DNS_EINVAL);
	ck_assert_int_eq(line, 1);
}
END_TEST

START_TEST(bounded)
{
	ck_assert_int_eq(parse("a A 192.0.2.1\nb A 192.0.2.2\nc A 192.0.2.3\n",
	    2), HG_DNS_EINVAL);
	ck_assert_int_eq(line, 3);
	ck_assert_int_eq(parse("", 2), HG_DNS_EINVAL);
	ck_assert_int_eq(parse("; only a comment\n", 2), 0);
	ck_assert_uint_eq(n, 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("dns_zonefile");
	TCase	*tc = tcase_create("dns_zonefile");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, records_in_canonical_form);
	tcase_add_test(tc, default_ttl_without_dollar_ttl);
	tcase_add_test(tc, bad_line_is_named);
	tcase_add_test(tc, include_is_refused);
	tcase_add_test(tc, other_class_is_refused);
	tcase_add_test(tc, bounded);
	return unit_run(s, tc);
}
