/*
 * health.c -- GET /healthz: is the database up, is Redis up.
 *
 * 503 only when the database is down: without Redis, tasks are still
 * accepted and delivered later (API.md section 6).
 */
#include "hangard.h"
#include "redis.h"

static int
healthz(struct hg_req *r)
{
	json_object	*out = json_object_new_object();
	int		 db_ok, redis_ok;

	db_ok = hg_db_ping(r->r_db) == 0;
	redis_ok = hg_redis_up(r->r_redis);
	json_object_object_add(out, "db", json_object_new_string(db_ok ? "ok" : "down"));
	json_object_object_add(out, "redis",
	    json_object_new_string(redis_ok ? "ok" : "down"));
	return hg_reply(r, db_ok ? 200 : 503, out);
}

const struct hg_route hg_routes_health[] = {
	ROUTE("GET", "/healthz", healthz, PERM_PUBLIC),
	ROUTES_END
};
