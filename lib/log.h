/*
 * log.h -- one line per event, logfmt (key=value), to a file or stderr.
 *
 * Every line starts with time= level= and the program name; callers add their
 * own fields.  Values containing spaces, quotes or '=' are quoted.  Secrets
 * must never be passed here: there is no redaction layer to save you.
 */
#ifndef HG_LOG_H
#define HG_LOG_H

#include <stdarg.h>

enum hg_level { HG_DEBUG, HG_INFO, HG_WARN, HG_ERROR };

int	 hg_log_open(const char *prog, const char *path, enum hg_level min);
int	 hg_log_reopen(void);		/* after logrotate: SIGHUP */
void	 hg_log_raw(const char *line);	/* one preformatted line, newline added */
/* The request id added to every line until cleared (NULL). */
void	 hg_log_rid(const char *rid);
/* "debug", "info", "warn", "error" to a level; -1 if none of them. */
int	 hg_log_level(const char *name);
void	 hg_logf(enum hg_level, const char *func, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
void	 hg_fatal(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
/* Append key=value to buf (at most size bytes), quoting value as logfmt needs. */
void	 hg_logfmt_kv(char *buf, size_t size, const char *key, const char *val);

#define log_debug(...)	hg_logf(HG_DEBUG, __func__, __VA_ARGS__)
#define log_info(...)	hg_logf(HG_INFO, __func__, __VA_ARGS__)
#define log_warn(...)	hg_logf(HG_WARN, __func__, __VA_ARGS__)
#define log_err(...)	hg_logf(HG_ERROR, __func__, __VA_ARGS__)

#endif
