/*
 * redis.h -- one Redis connection per process, re-established on demand.
 *
 * Redis only ever holds what can be rebuilt (queue deliveries, live output,
 * throttling counters), so callers treat NULL replies as "Redis is down"
 * and carry on without it.  After a failure we wait a second before trying
 * to connect again, so an outage costs requests nothing.
 */
#ifndef HG_REDIS_H
#define HG_REDIS_H

#include <hiredis/hiredis.h>

struct hg_redis;

struct hg_redis	*hg_redis_new(void);
void		 hg_redis_free(struct hg_redis *);
/* A reply to free with freeReplyObject, or NULL when Redis is unreachable. */
redisReply	*hg_redis_cmd(struct hg_redis *, const char *fmt, ...);
redisReply	*hg_redis_argv(struct hg_redis *, int argc, const char **argv,
		    const size_t *lens);
int		 hg_redis_up(struct hg_redis *);	/* PING answered */

#endif
