/*
 * test_dns.c -- lib/dns.c and the PowerDNS backend's contract without a
 * server: type names, the HTTP status of each error, a server row that
 * cannot work (nothing sent: HG_DNS_EINVAL), nobody listening
 * (HG_DNS_EUNREACH), and a type whose backend is not linked.  The real
 * PowerDNS is exercised by t/api/test_dns.c.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <check.h>
#include <curl/curl.h>

#include "dns.h"
#include "unit.h"

START_TEST(types_and_statuses)
{
	ck_assert_int_eq(hg_dns_type_parse("powerdns"), HG_DNS_POWERDNS);
	ck_assert_int_eq(hg_dns_type_parse("bind"), HG_DNS_BIND);
	ck_assert_int_eq(hg_dns_type_parse("nsd"), -1);
	ck_assert_int_eq(hg_dns_type_parse(NULL), -1);
	ck_assert_str_eq(hg_dns_type_name(HG_DNS_POWERDNS), "powerdns");
	ck_assert_str_eq(hg_dns_type_name(HG_DNS_BIND), "bind");
	ck_assert_int_eq(hg_dns_http(HG_DNS_OK), 200);
	ck_assert_int_eq(hg_dns_http(HG_DNS_EREFUSED), 502);
	ck_assert_int_eq(hg_dns_http(HG_DNS_EUNREACH), 502);
	ck_assert_int_eq(hg_dns_http(HG_DNS_ETIMEOUT), 504);
	ck_assert_int_eq(hg_dns_http(HG_DNS_EINVAL), 400);
	ck_assert_str_eq(hg_dns_backend(HG_DNS_POWERDNS)->be_name,
	    "powerdns");
}
END_TEST

START_TEST(timeout_default)
{
	struct hg_dns_server sv;

	memset(&sv, 0, sizeof(sv));
	ck_assert_int_eq(hg_dns_timeout_ms(&sv), 5000);
	sv.sv_timeout_ms = 250;
	ck_assert_int_eq(hg_dns_timeout_ms(&sv), 250);
}
END_TEST

START_TEST(pdns_unusable_rows_send_nothing)
{
	struct hg_dns_server	sv;
	char			msg[256];

	memset(&sv, 0, sizeof(sv));
	sv.sv_type = HG_DNS_POWERDNS;
	sv.sv_api_key = "k";
	ck_assert_int_eq(hg_dns_check(&sv, msg, sizeof(msg)), HG_DNS_EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "api_endpoint"));
	sv.sv_api_endpoint = "ftp://127.0.0.1/";
	ck_assert_int_eq(hg_dns_zone_create(&sv, "example.com", msg,
	    sizeof(msg)), HG_DNS_EINVAL);
	sv.sv_api_endpoint = "http://127.0.0.1:1";
	sv.sv_api_key = NULL;
	ck_assert_int_eq(hg_dns_zone_delete(&sv, "example.com", NULL, 0, msg,
	    sizeof(msg)), HG_DNS_EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "api_key"));
}
END_TEST

START_TEST(pdns_nobody_listening)
{
	struct hg_dns_server	 sv;
	struct sockaddr_in	 sa;
	socklen_t		 len = sizeof(sa);
	struct hg_dns_rr	 rr = { "192.0.2.1", 0 };
	struct hg_dns_change	 ch;
	struct hg_dns_rrset	*out;
	struct hg_arena		 a;
	size_t			 n;
	char			 url[64], msg[256];
	int			 s = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	getsockname(s, (struct sockaddr *)&sa, &len);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/api/v1/",
	    ntohs(sa.sin_port));
	close(s);
	memset(&sv, 0, sizeof(sv));
	sv.sv_type = HG_DNS_POWERDNS;
	sv.sv_api_endpoint = url;
	sv.sv_api_key = "secret-key-value";
	sv.sv_timeout_ms = 1000;
	memset(&ch, 0, sizeof(ch));
	ch.ch_op = HG_DNS_REPLACE;
	ch.ch_rrset.rs_name = "www.example.com";
	ch.ch_rrset.rs_type = "A";
	ch.ch_rrset.rs_ttl = 300;
	ch.ch_rrset.rs_n = 1;
	ch.ch_rrset.rs_rr = &rr;
	ck_assert_int_eq(hg_dns_update(&sv, "example.com", &ch, 1, msg,
	    sizeof(msg)), HG_DNS_EUNREACH);
	ck_assert_ptr_null(strstr(msg, "secret-key-value"));
	hg_arena_init(&a);
	ck_assert_int_eq(hg_dns_zone_list(&sv, &a, "example.com", &out, &n,
	    msg, sizeof(msg)), HG_DNS_EUNREACH);
	ck_assert_ptr_null(out);
	ck_assert_uint_eq(n, 0);
	hg_arena_free(&a);
}
END_TEST

/* Without dns_bind.c linked, a BIND server is refused, not a crash. */
START_TEST(bind_backend_present_or_refused)
{
	struct hg_dns_server	sv;
	char			msg[256];

	memset(&sv, 0, sizeof(sv));
	sv.sv_type = HG_DNS_BIND;
	if (strcmp(hg_dns_backend(HG_DNS_BIND)->be_name, "bind") == 0)
		return;		/* linked: t/api tests it against named */
	ck_assert_str_eq(hg_dns_backend(HG_DNS_BIND)->be_name, "none");
	ck_assert_int_eq(hg_dns_check(&sv, msg, sizeof(msg)), HG_DNS_EINVAL);
	ck_assert_ptr_nonnull(strstr(msg, "BIND"));
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("dns");
	TCase	*tc = tcase_create("dns");
	int	 failed;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	tcase_add_test(tc, types_and_statuses);
	tcase_add_test(tc, timeout_default);
	tcase_add_test(tc, pdns_unusable_rows_send_nothing);
	tcase_add_test(tc, pdns_nobody_listening);
	tcase_add_test(tc, bind_backend_present_or_refused);
	failed = unit_run(s, tc);
	curl_global_cleanup();
	return failed;
}
