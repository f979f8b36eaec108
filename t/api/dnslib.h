/*
 * dnslib.h -- what the PowerDNS tests share (test_dns.c, test_dns_import.c):
 * the test PowerDNS's API address and key, from the environment
 * run-tests.sh sets up (t/pdns.sh), and a shell command's output.
 *
 * Header-only (static functions) because the Makefile links each
 * t/api/test_NAME.c with client.o alone.
 */
#ifndef HG_TEST_DNSLIB_H
#define HG_TEST_DNSLIB_H

#include <stdio.h>
#include <stdlib.h>

#include "authlib.h"

static const char *
pdns_url(void)
{
	const char *u = getenv("HANGAR_PDNS_URL");

	ck_assert_ptr_nonnull(u);
	return u;
}

static const char *
pdns_key(void)
{
	const char *k = getenv("HANGAR_PDNS_KEY");

	ck_assert_ptr_nonnull(k);
	return k;
}

/* What a shell command prints (first 8 KB), trailing newline cut. */
static char *
run(const char *cmd)
{
	static char	 out[8192];
	FILE		*p = popen(cmd, "r");
	size_t		 n;

	ck_assert_ptr_nonnull(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	pclose(p);
	while (n > 0 && out[n - 1] == '\n')
		out[--n] = '\0';
	return out;
}

#endif
