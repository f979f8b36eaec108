/*
 * fuzz_cdn.c -- a CDN vendor's answer through hg_cdn_answer(), the part of
 * lib/cdn.c that reads what a remote server sent.
 *
 * Input: byte 0 picks the provider, whether it answers a submit or a
 * status query, and the size of the message buffer; byte 1 the HTTP
 * status; the rest is the body, any bytes.  Whatever it is, the result is
 * one of the documented classes, a query's state is -1, 0 or 1, and the
 * message and every string read are one line of well-formed UTF-8 (they
 * go to the task's error, the log and MySQL).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cdn.h"
#include "utf8.h"

static const long statuses[] = { 200, 400, 401, 403, 404, 429, 500, 503,
	204, 302, 0, 999 };
static const size_t msglens[] = { 1024, 512, 64, 16, 5, 2, 1, 0 };

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
check_text(const char *s)
{
	const char *p;

	if (s == NULL)
		return;
	if (!hg_utf8_wellformed(s, strlen(s)))
		abort();
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hg_arena		 a;
	struct hg_cdn_answer	 an;
	char			 msg[1024 + 1];
	size_t			 msglen;
	int			 rc, query;

	if (size < 2)
		return 0;
	query = (data[0] >> 2) & 1;
	msglen = msglens[(data[0] >> 3) % NELEM(msglens)];
	memset(msg, 'x', sizeof(msg));
	msg[0] = '\0';
	msg[sizeof(msg) - 1] = '\0';
	hg_arena_init(&a);
	rc = hg_cdn_answer(&a, (enum hg_cdn_provider)(data[0] % 3), query,
	    statuses[data[1] % NELEM(statuses)], (const char *)data + 2,
	    size - 2, &an, msg, msglen);
	if (rc != HG_CDN_OK && rc != HG_CDN_THROTTLED && rc != HG_CDN_EVENDOR &&
	    rc != HG_CDN_ENET)
		abort();
	if (an.an_state < -1 || an.an_state > 1)
		abort();
	if (rc == HG_CDN_OK && !query && an.an_task == NULL)
		abort();	/* an accepted submit names its task */
	if (msglen > 0) {
		if (strlen(msg) >= msglen)
			abort();
		if (rc != HG_CDN_OK && msglen > 4 && msg[0] == '\0')
			abort();	/* an error says what it is */
		check_text(msg);
	}
	if (msg[msglen] != (msglen == 0 ? '\0' : 'x') && msglen < 1024)
		abort();	/* wrote past msglen */
	check_text(an.an_task);
	check_text(an.an_code);
	hg_arena_free(&a);
	return 0;
}
