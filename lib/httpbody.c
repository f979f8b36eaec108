/*
 * httpbody.c -- an HTTP answer's body in memory, bounded (httpbody.h).
 */
#include <stdlib.h>
#include <string.h>

#include "httpbody.h"

size_t
hg_body_collect(char *p, size_t size, size_t nmemb, void *arg)
{
	struct hg_body	*b = arg;
	size_t		 n = size * nmemb;
	char		*d;

	if (n > b->max - b->len) {	/* len <= max: no overflow */
		b->over = 1;
		return 0;
	}
	if ((d = realloc(b->data, b->len + n + 1)) == NULL)
		return 0;
	memcpy(d + b->len, p, n);
	b->len += n;
	d[b->len] = '\0';
	b->data = d;
	return n;
}
