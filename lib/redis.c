/*
 * redis.c -- a resilient hiredis connection (see redis.h).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "conf.h"
#include "log.h"
#include "redis.h"

struct hg_redis {
	redisContext	*rd_ctx;
	time_t		 rd_retry;	/* no connect attempt before this */
};

struct hg_redis *
hg_redis_new(void)
{
	struct hg_redis *rd = calloc(1, sizeof(*rd));

	if (rd == NULL)
		hg_fatal("out of memory");
	return rd;
}

static void
drop(struct hg_redis *rd, const char *why)
{
	if (rd->rd_ctx != NULL) {
		log_warn("redis unavailable: %s", why);
		redisFree(rd->rd_ctx);
	}
	rd->rd_ctx = NULL;
	rd->rd_retry = time(NULL) + 1;
}

void
hg_redis_free(struct hg_redis *rd)
{
	if (rd == NULL)
		return;
	if (rd->rd_ctx != NULL)
		redisFree(rd->rd_ctx);
	free(rd);
}

static int
connect_redis(struct hg_redis *rd)
{
	struct timeval	tv;
	redisContext	*c;
	long		ms = hg_conf.redis_timeout_ms;

	if (rd->rd_ctx != NULL)
		return 0;
	if (time(NULL) < rd->rd_retry)
		return -1;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (hg_conf.redis_socket != NULL && *hg_conf.redis_socket != '\0')
		c = redisConnectUnixWithTimeout(hg_conf.redis_socket, tv);
	else
		c = redisConnectWithTimeout(hg_conf.redis_host,
		    (int)hg_conf.redis_port, tv);
	if (c == NULL || c->err) {
		rd->rd_retry = time(NULL) + 1;
		if (c != NULL)
			redisFree(c);
		return -1;
	}
	redisSetTimeout(c, tv);
	rd->rd_ctx = c;
	return 0;
}

/*
 * Send one formatted command and read its reply.  A connection that was
 * open before this call and turns out dead (Redis restarted since) is
 * replaced at once and the command sent once more, so the first command
 * after a restart works instead of reporting Redis down; a connection
 * made for this call that fails means Redis is down (retry in a second).
 */
static redisReply *
send_cmd(struct hg_redis *rd, const char *cmd, int len)
{
	void	*reply;
	int	 attempt, stale;

	if (len < 0)
		return NULL;
	for (attempt = 0; attempt < 2; attempt++) {
		stale = rd->rd_ctx != NULL;
		if (connect_redis(rd) != 0)
			return NULL;
		if (redisAppendFormattedCommand(rd->rd_ctx, cmd, (size_t)len) ==
		    REDIS_OK && redisGetReply(rd->rd_ctx, &reply) == REDIS_OK)
			return reply;
		drop(rd, rd->rd_ctx->errstr);
		if (!stale)
			break;
		rd->rd_retry = 0;
	}
	return NULL;
}

redisReply *
hg_redis_cmd(struct hg_redis *rd, const char *fmt, ...)
{
	redisReply	*rep;
	char		*cmd = NULL;
	va_list		 ap;
	int		 len;

	va_start(ap, fmt);
	len = redisvFormatCommand(&cmd, fmt, ap);
	va_end(ap);
	rep = send_cmd(rd, cmd, len);
	if (len >= 0)
		redisFreeCommand(cmd);
	return rep;
}

redisReply *
hg_redis_argv(struct hg_redis *rd, int argc, const char **argv,
    const size_t *lens)
{
	redisReply	*rep;
	char		*cmd = NULL;
	int		 len;

	len = redisFormatCommandArgv(&cmd, argc, argv, lens);
	rep = send_cmd(rd, cmd, len);
	if (len >= 0)
		redisFreeCommand(cmd);
	return rep;
}

int
hg_redis_up(struct hg_redis *rd)
{
	redisReply	*rep = hg_redis_cmd(rd, "PING");
	int		 ok = rep != NULL && rep->type != REDIS_REPLY_ERROR;

	if (rep != NULL)
		freeReplyObject(rep);
	return ok;
}
