/*
 * mail.c -- SMTP through libcurl (see mail.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "conf.h"
#include "log.h"
#include "mail.h"

struct payload {
	const char	*p_data;
	size_t		 p_left;
};

static size_t
feed(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct payload	*p = arg;
	size_t		 n = size * nmemb;

	if (n > p->p_left)
		n = p->p_left;
	memcpy(buf, p->p_data, n);
	p->p_data += n;
	p->p_left -= n;
	return n;
}

int
hg_mail_send(const char *to, const char *subject, const char *body)
{
	CURL			*c;
	struct curl_slist	*rcpt = NULL;
	struct payload		 p;
	char			*msg, date[64], addr[300];
	time_t			 now = time(NULL);
	struct tm		 tm;
	CURLcode		 rc;
	int			 n;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	/* Any length: the agent sends what hangard queued, long or short. */
	n = asprintf(&msg,
	    "Date: %s\r\nFrom: %s\r\nTo: %s\r\nSubject: %s\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
	    "\r\n%s\r\n", date, hg_conf.mail_from, to, subject, body);
	if (n < 0)
		return -1;
	if ((c = curl_easy_init()) == NULL) {
		free(msg);
		return -1;
	}
	p.p_data = msg;
	p.p_left = (size_t)n;
	snprintf(addr, sizeof(addr), "<%s>", to);
	rcpt = curl_slist_append(rcpt, addr);
	snprintf(addr, sizeof(addr), "<%s>", hg_conf.mail_from);
	curl_easy_setopt(c, CURLOPT_URL, hg_conf.smtp_url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, addr);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, feed);
	curl_easy_setopt(c, CURLOPT_READDATA, &p);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(c);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	free(msg);
	if (rc != CURLE_OK) {
		log_warn("mail to smtp_url failed: %s", curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}
