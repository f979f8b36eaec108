/*
 * state.c -- what every part of hangar-agent shares: its name and its
 * event log.  The name is set once, before the pool's threads start; the
 * threads only read it.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"

char			 agent_name[128];
static const char	*levels[] = { "debug", "info", "warn", "error" };

/*
 * Name this agent "host:pid", as agents.name, task_hosts.agent and the
 * queue's consumer know it: call it once the pid is final (after
 * hg_daemonize) and before the pool starts.
 */
void
agent_name_init(void)
{
	char host[64];

	if (gethostname(host, sizeof(host)) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	snprintf(agent_name, sizeof(agent_name), "%s:%ld", host, (long)getpid());
}

long long
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000LL +
	    (t.tv_nsec - t0->tv_nsec) / 1000000;
}

void
ev(enum hg_level lvl, long long task, const char *host, const char *step,
    long long dur_ms, const char *result, const char *fmt, ...)
{
	char		line[4096], msg[2048], v[64];
	struct timespec	now;
	struct tm	tm;
	va_list		ap;

	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	snprintf(v, sizeof(v), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (long)(now.tv_nsec / 1000000) % 1000);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	line[0] = '\0';
	hg_logfmt_kv(line, sizeof(line), "time", v);
	hg_logfmt_kv(line, sizeof(line), "level", levels[lvl]);
	hg_logfmt_kv(line, sizeof(line), "agent", agent_name);
	if (task > 0) {
		snprintf(v, sizeof(v), "%lld", task);
		hg_logfmt_kv(line, sizeof(line), "task", v);
	}
	if (host != NULL)
		hg_logfmt_kv(line, sizeof(line), "host", host);
	if (step != NULL)
		hg_logfmt_kv(line, sizeof(line), "step", step);
	if (dur_ms >= 0) {
		snprintf(v, sizeof(v), "%lld", dur_ms);
		hg_logfmt_kv(line, sizeof(line), "dur_ms", v);
	}
	if (result != NULL)
		hg_logfmt_kv(line, sizeof(line), "result", result);
	hg_logfmt_kv(line, sizeof(line), "msg", msg);
	hg_log_raw(line);
}
