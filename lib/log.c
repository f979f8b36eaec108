/*
 * log.c -- logfmt logging (see log.h).
 *
 * Each line is written with a single write(2) on an O_APPEND descriptor, so
 * lines from several prefork workers never interleave.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static int		 log_fd = 2;
static char		 log_path[512];
static char		 log_prog[32] = "hangar";
static enum hg_level	 log_min = HG_INFO;

static const char *levels[] = { "debug", "info", "warn", "error" };
static char		 log_rid[40];

void
hg_log_rid(const char *rid)
{
	snprintf(log_rid, sizeof(log_rid), "%s", rid ? rid : "");
}

int
hg_log_level(const char *name)
{
	int i;

	for (i = 0; i < 4; i++)
		if (name != NULL && strcmp(name, levels[i]) == 0)
			return i;
	return -1;
}

int
hg_log_open(const char *prog, const char *path, enum hg_level min)
{
	snprintf(log_prog, sizeof(log_prog), "%s", prog);
	log_min = min;
	if (path == NULL || *path == '\0' || strcmp(path, "-") == 0) {
		log_path[0] = '\0';
		log_fd = 2;
		return 0;
	}
	snprintf(log_path, sizeof(log_path), "%s", path);
	return hg_log_reopen();
}

int
hg_log_reopen(void)
{
	int fd;

	if (log_path[0] == '\0')
		return 0;
	fd = open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd == -1)
		return -1;
	if (log_fd > 2)
		close(log_fd);
	log_fd = fd;
	return 0;
}

void
hg_log_raw(const char *line)
{
	char	buf[8192];
	size_t	n = strlen(line);

	if (n > sizeof(buf) - 2)
		n = sizeof(buf) - 2;
	memcpy(buf, line, n);
	buf[n++] = '\n';
	(void)!write(log_fd, buf, n);
}

void
hg_logfmt_kv(char *buf, size_t size, const char *key, const char *val)
{
	size_t		 len = strlen(buf), w;
	const char	*p;
	int		 quote = 0;

	if (val == NULL)
		val = "";
	if (*val == '\0')
		quote = 1;
	for (p = val; *p != '\0'; p++)
		if (*p == ' ' || *p == '"' || *p == '=' || *p == '\\' ||
		    (unsigned char)*p < 0x20)
			quote = 1;
	/* Separator, key, '=', both quotes and the NUL must all fit. */
	if (len + (len ? 1 : 0) + strlen(key) + 1 + (quote ? 2 : 0) >= size)
		return;
	len += snprintf(buf + len, size - len, "%s%s=%s", len ? " " : "", key,
	    quote ? "\"" : "");
	for (p = val; *p != '\0'; p++) {
		/* This character, the closing quote and the NUL must fit. */
		w = (*p == '"' || *p == '\\' || *p == '\n') ? 2 : 1;
		if (len + w + (size_t)quote >= size)
			break;
		if (*p == '"' || *p == '\\') {
			buf[len++] = '\\';
			buf[len++] = *p;
		} else if (*p == '\n') {
			buf[len++] = '\\';
			buf[len++] = 'n';
		} else if ((unsigned char)*p < 0x20)
			buf[len++] = ' ';
		else
			buf[len++] = *p;
	}
	if (quote)
		buf[len++] = '"';
	buf[len] = '\0';
}

static void
vlog(enum hg_level lvl, const char *func, const char *fmt, va_list ap)
{
	char		line[4096], msg[3072], ts[96];
	struct timespec	now;
	struct tm	tm;

	if (lvl < log_min)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)(now.tv_nsec / 1000000) % 1000);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	line[0] = '\0';
	hg_logfmt_kv(line, sizeof(line), "time", ts);
	hg_logfmt_kv(line, sizeof(line), "level", levels[lvl]);
	hg_logfmt_kv(line, sizeof(line), "prog", log_prog);
	snprintf(ts, sizeof(ts), "%ld", (long)getpid());
	hg_logfmt_kv(line, sizeof(line), "pid", ts);
	if (log_rid[0] != '\0')
		hg_logfmt_kv(line, sizeof(line), "rid", log_rid);
	if (func != NULL && lvl != HG_INFO)
		hg_logfmt_kv(line, sizeof(line), "func", func);
	hg_logfmt_kv(line, sizeof(line), "msg", msg);
	hg_log_raw(line);
}

void
hg_logf(enum hg_level lvl, const char *func, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(lvl, func, fmt, ap);
	va_end(ap);
}

void
hg_fatal(const char *fmt, ...)
{
	va_list ap;

	va_list ap2;

	va_start(ap, fmt);
	va_copy(ap2, ap);
	vlog(HG_ERROR, "fatal", fmt, ap);
	if (log_fd != 2) {
		/* Whoever started us should see why it failed. */
		fprintf(stderr, "%s: ", log_prog);
		vfprintf(stderr, fmt, ap2);
		fputc('\n', stderr);
	}
	va_end(ap2);
	va_end(ap);
	exit(1);
}
