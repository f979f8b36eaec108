/*
 * httpbody.h -- an HTTP answer's body gathered in memory for libcurl, up
 * to a bound: the one CURLOPT_WRITEFUNCTION of the vendor clients
 * (PowerDNS, Zabbix, the cloud and CDN adapters).
 *
 *	struct hg_body b = { .max = 1024 * 1024 };
 *	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, hg_body_collect);
 *	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
 *	... curl_easy_perform ...; free(b.data);
 *
 * A body longer than max stops the transfer (curl then says
 * CURLE_WRITE_ERROR) with over set, so that the caller can say why.
 */
#ifndef HG_HTTPBODY_H
#define HG_HTTPBODY_H

#include <stddef.h>

struct hg_body {
	char	*data;	/* malloc'd, NUL-terminated; NULL while empty */
	size_t	 len;
	size_t	 max;	/* the most it takes */
	int	 over;	/* the answer was longer than max */
};

size_t	 hg_body_collect(char *, size_t, size_t, void *);

#endif
