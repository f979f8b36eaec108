/*
 * live.c -- live task output over WebSocket: the URL answers name
 * (hg_task_output_url) and the check nginx makes before it lets anyone
 * subscribe to a task's channel.
 *
 * nginx's nchan module serves ws://<host>/ws/tasks/<id> (and EventSource
 * on the same URL); hangar-agent publishes to it (src/agent/publish.c).
 * For each subscription nginx first asks hangard, by a subrequest
 * (nchan_authorize_request, nginx/ws_auth_params), GET
 * /tasks/{id}/subscribe-check/ with the subscriber's own headers: a 2xx
 * lets it in, anything else is the subscriber's answer.  The check is the
 * one GET /tasks/{id}/output/ makes (taskvis.h, hg_task_readable), so the two ways of
 * reading a task's output show it to the same people.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "hangard.h"
#include "taskvis.h"

/* A Host header worth repeating in a URL: a name or address, a port. */
static int
host_ok(const char *h)
{
	size_t n = h != NULL ? strlen(h) : 0;

	if (n == 0 || n > 255)
		return 0;
	for (; *h != '\0'; h++)
		if (!((*h >= 'a' && *h <= 'z') || (*h >= 'A' && *h <= 'Z') ||
		    (*h >= '0' && *h <= '9') || strchr(".-:[]_", *h) != NULL))
			return 0;
	return 1;
}

/* host[:port] of the request, else of public_url. */
static const char *
req_host(struct hg_req *r)
{
	const char	*h = hg_header_get(r, "HTTP_HOST"), *p, *e;

	if (host_ok(h))
		return h;
	p = strstr(hg_conf.public_url, "://");
	p = p != NULL ? p + 3 : hg_conf.public_url;
	e = p + strcspn(p, "/?#");
	return hg_strndup(r->r_arena, p, (size_t)(e - p));
}

/*
 * hangard.h.  The scheme follows the request's, as the session cookie's
 * Secure flag does: wss when nginx speaks TLS or a trusted proxy says
 * the client did (worker.c, r_https).
 */
const char *
hg_task_output_url(struct hg_req *r, long long task)
{
	return hg_printf(r->r_arena, "%s://%s/ws/tasks/%lld", r->r_https ?
	    "wss" : "ws", req_host(r), task);
}

/*
 * A browser opens a WebSocket to any site with that site's cookies (the
 * same-origin policy does not apply to it; SameSite=Lax only keeps them
 * from other sites, not from sibling hosts), so a page elsewhere could
 * read a signed-in user's task output.  A cookie session must therefore
 * come from our own origin: the request's scheme and host, or
 * public_url's.  A token is not sent by browsers on their own.
 */
static int
origin_ok(struct hg_req *r)
{
	const char	*o = hg_header_get(r, "HTTP_ORIGIN"), *pub;
	const char	*own;
	size_t		 n;

	if (r->r_user->u_session == 0 || o == NULL)
		return 1;
	own = hg_printf(r->r_arena, "%s://%s", r->r_https ? "https" : "http",
	    req_host(r));
	if (strcasecmp(o, own) == 0)
		return 1;
	pub = hg_conf.public_url;
	n = strlen(o);
	return n > 0 && strncasecmp(o, pub, n) == 0 && (pub[n] == '\0' ||
	    pub[n] == '/');
}

/* GET /tasks/{id}/subscribe-check/: 200 when the caller may watch it. */
static int
subscribe_check(struct hg_req *r)
{
	json_object	*o;
	const char	*status;
	long long	 task = r->r_ids[0];
	int		 rc;

	if (!origin_ok(r))
		return hg_fail(r, HG_E_PERM, "a signed-in browser may watch "
		    "a task only from Hangar's own pages (Origin)");
	if ((rc = hg_task_readable(r, task, &status)) != 0)
		return rc;
	o = json_object_new_object();
	json_object_object_add(o, "task_id", json_object_new_string(
	    hg_printf(r->r_arena, "%lld", task)));
	json_object_object_add(o, "status", hg_jstr(status));
	return hg_reply(r, 200, o);
}

const struct hg_route hg_routes_task_live[] = {
	ROUTE("GET", "/tasks/{id}/subscribe-check", subscribe_check,
	    PERM_LOGIN),
	ROUTES_END,
};
