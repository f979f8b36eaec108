/*
 * worker.c -- one prefork worker: accept a FastCGI request, run it through
 * route -> method -> auth -> permission -> body -> declared validation ->
 * handler, answer JSON, log
 * one access line, reset the arena, repeat.
 *
 * Signals are blocked except while waiting in epoll_pwait(), so SIGTERM
 * never interrupts a request: it is seen between requests, and the worker
 * drains the one it has and exits.  The listening socket is registered with
 * EPOLLEXCLUSIVE, so a connection wakes one idle worker, not all of them;
 * the socket is non-blocking, so a worker that still loses the accept race
 * goes back to waiting.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "hangard.h"
#include "log.h"
#include "queue.h"
#include "redis.h"
#include "secret.h"

#define MAX_QPARAMS	64

struct hg_redis			*hg_worker_redis;
static volatile sig_atomic_t	 stopping;
static int			 access_fd = -1;

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static void
parse_query(struct hg_req *r)
{
	r->r_q = hg_alloc(r->r_arena, sizeof(*r->r_q) * MAX_QPARAMS);
	r->r_nq = hg_query_parse(r->r_arena, r->r_query, r->r_q, MAX_QPARAMS);
}

static int
is_mutation(const char *m)
{
	return strcmp(m, "POST") == 0 || strcmp(m, "PATCH") == 0 ||
	    strcmp(m, "PUT") == 0 || strcmp(m, "DELETE") == 0;
}

/* Content type and size checks, then read and parse the JSON body. */
static int
read_body(struct hg_req *r)
{
	const char		*cl = hg_header_get(r, "CONTENT_LENGTH");
	const char		*ct = hg_header_get(r, "CONTENT_TYPE");
	long long		 len = cl ? strtoll(cl, NULL, 10) : 0;
	char			*buf;
	int			 got, n;
	const char		*semi;

	if (len > hg_conf.max_body)
		return hg_fail(r, HG_E_TOOBIG, "request body larger than %ld bytes",
		    hg_conf.max_body);
	if (len <= 0)
		return 0;
	if (ct == NULL)
		return hg_fail(r, HG_E_CTYPE, NULL);
	semi = strchrnul(ct, ';');
	if ((size_t)(semi - ct) != strlen("application/json") ||
	    strncasecmp(ct, "application/json", (size_t)(semi - ct)) != 0)
		return hg_fail(r, HG_E_CTYPE, NULL);
	if (*semi == ';' && strcasestr(semi, "charset") != NULL &&
	    strcasestr(semi, "utf-8") == NULL && strcasestr(semi, "utf8") == NULL)
		return hg_fail(r, HG_E_CTYPE, "request body must be UTF-8");
	buf = hg_alloc(r->r_arena, (size_t)len + 1);
	for (got = 0; got < len; got += n)
		if ((n = FCGX_GetStr(buf + got, (int)(len - got),
		    r->r_fcgi->in)) <= 0)
			return hg_fail(r, HG_E_JSON, "request body ended early");
	if ((r->r_body = hg_json_parse(buf, (size_t)len)) == NULL)
		return hg_fail(r, HG_E_JSON, NULL);
	hg_own(r, r->r_body);
	return 0;
}

/* The fixed order of checks before any handler runs (STYLE.md). */
static int
dispatch(struct hg_req *r)
{
	const char	*m = r->r_method;
	char		 allow[128];
	int		 status, rc;

	if ((r->r_route = hg_route_find(r, &status, allow, sizeof(allow))) == NULL) {
		if (status == 405) {
			hg_header(r, "Allow: %s", allow);
			return hg_fail(r, HG_E_METHOD, "method %s not allowed; allowed: %s",
			    m, allow);
		}
		return hg_fail(r, HG_E_NOTFOUND, "no such route: %s", r->r_path);
	}
	if (r->r_route->rt_perm.p_kind != HG_P_PUBLIC) {
		if ((rc = hg_authenticate(r)) != 0)
			return rc;
		if (r->r_user->u_session != 0 && is_mutation(m) &&
		    !r->r_route->rt_nocsrf) {
			const char *csrf = hg_header_get(r, "HTTP_X_CSRF_TOKEN");

			if (csrf == NULL || !hg_ct_equal(csrf, r->r_user->u_csrf))
				return hg_fail(r, HG_E_CSRF, NULL);
		}
		if ((rc = hg_authorize(r)) != 0)
			return rc;
	}
	if (is_mutation(m) && (rc = read_body(r)) != 0)
		return rc;
	if ((rc = hg_validate(r)) != 0)
		return rc;
	if (!is_mutation(m))
		return r->r_route->rt_fn(r);
	/* One transaction per mutating request, with its audit rows. */
	hg_db_begin(r->r_db);
	if ((rc = r->r_route->rt_fn(r)) != 0) {
		hg_db_rollback(r->r_db);
		return rc;
	}
	if ((rc = hg_db_commit(r->r_db)) != 0)
		return hg_fail(r, rc, NULL);
	/* Before the reply: the client's next request must see the change. */
	hg_shared_bump(r->r_auth_write);
	/*
	 * A queued task or mail reaches Redis now; if Redis is down, the
	 * sweeper.
	 */
	if (r->r_outbox)
		(void)hg_outbox_push(r->r_db, r->r_redis, r->r_arena);
	return 0;
}

static void
access_log(struct hg_req *r, long us)
{
	char		line[2048], num[32], ts[32];
	time_t		now = time(NULL);
	struct tm	tm;

	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	line[0] = '\0';
	hg_logfmt_kv(line, sizeof(line), "time", ts);
	hg_logfmt_kv(line, sizeof(line), "rid", r->r_id);
	hg_logfmt_kv(line, sizeof(line), "user",
	    r->r_user ? r->r_user->u_username : "-");
	hg_logfmt_kv(line, sizeof(line), "method", r->r_method);
	hg_logfmt_kv(line, sizeof(line), "path", r->r_uri);
	snprintf(num, sizeof(num), "%d", r->r_status);
	hg_logfmt_kv(line, sizeof(line), "status", num);
	snprintf(num, sizeof(num), "%zu", r->r_bytes);
	hg_logfmt_kv(line, sizeof(line), "bytes", num);
	snprintf(num, sizeof(num), "%ld", us);
	hg_logfmt_kv(line, sizeof(line), "us", num);
	if (r->r_err != 0 && r->r_status >= 500) {
		snprintf(num, sizeof(num), "%d", r->r_err);
		hg_logfmt_kv(line, sizeof(line), "error", num);
	}
	strncat(line, "\n", sizeof(line) - strlen(line) - 1);
	if (access_fd >= 0)
		(void)!write(access_fd, line, strlen(line));
	else
		hg_log_raw(line);
}

static void
request_id(struct hg_req *r)
{
	const char	*given = hg_header_get(r, "REQUEST_ID");
	size_t		 i, n;

	/* nginx's $request_id, so its log and ours share the id. */
	if (given != NULL && (n = strlen(given)) >= 8 && n <= 32) {
		for (i = 0; i < n && isxdigit((unsigned char)given[i]); i++)
			;
		if (i == n) {
			memcpy(r->r_id, given, n + 1);
			return;
		}
	}
	hg_random_hex(r->r_id, 16);
}

/*
 * End the request.  libfcgi's own close shuts down its side and then waits
 * until nginx closes too, so that unread input cannot reset the
 * connection; meanwhile the worker serves nobody.  Reading what is left of
 * the input (normally just the empty record that ends it) lets the worker
 * close at once instead; a client still sending a large body gets the
 * careful close.
 */
static void
finish(FCGX_Request *fr)
{
	char	buf[4096];
	int	n, left = 16;

	while (left-- > 0 && (n = FCGX_GetStr(buf, sizeof(buf), fr->in)) > 0)
		;
	if (left >= 0 && FCGX_HasSeenEOF(fr->in))
		FCGX_Detach(fr);
	FCGX_Finish_r(fr);
}

static void
serve(FCGX_Request *fr, struct hg_arena *a, struct hg_db *db)
{
	struct hg_req	 req, *r = &req;
	struct timespec	 t0, t1;
	const char	*uri, *https;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(r, 0, sizeof(*r));
	r->r_arena = a;
	r->r_db = db;
	r->r_redis = hg_worker_redis;
	r->r_fcgi = fr;
	request_id(r);
	hg_log_rid(r->r_id);
	r->r_method = hg_header_get(r, "REQUEST_METHOD");
	if (r->r_method == NULL)
		r->r_method = "GET";
	uri = hg_header_get(r, "REQUEST_URI");
	r->r_uri = uri ? uri : "/";
	r->r_query = hg_header_get(r, "QUERY_STRING");
	r->r_remote = hg_header_get(r, "REMOTE_ADDR");
	https = hg_header_get(r, "HTTPS");
	r->r_https = https != NULL && *https != '\0';
	/*
	 * Behind a proxy that terminates TLS (trust_proxy): nginx passes its
	 * X-Forwarded-Proto, and only from the proxy (nginx/hangar.conf).
	 * The client's address is nginx's, set by its realip module.
	 */
	if (hg_conf.trust_proxy && (https = hg_header_get(r,
	    "HTTP_X_FORWARDED_PROTO")) != NULL && strcasecmp(https, "https") == 0)
		r->r_https = 1;
	r->r_path = hg_path_normalize(a, r->r_uri);
	parse_query(r);
	r->r_status = 200;
	if (strlen(r->r_uri) > 8192)
		hg_fail(r, HG_E_INVALID, "request URI too long");
	else
		(void)dispatch(r);
	if (hg_db_in_txn(db))
		hg_db_rollback(db);
	hg_render(r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	access_log(r, (t1.tv_sec - t0.tv_sec) * 1000000L +
	    (t1.tv_nsec - t0.tv_nsec) / 1000);
	finish(fr);		/* the client has its answer */
	hg_log_rid(NULL);
}

void
hg_worker_run(int lfd, int generation, int slot)
{
	struct sigaction	 sa;
	sigset_t		 block, waitmask;
	struct hg_arena		 arena;
	struct hg_db		*db;
	FCGX_Request		 fr;
	struct epoll_event	 ev;
	int			 ep;
	long			 served = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_SETMASK, &block, NULL);
	sigemptyset(&waitmask);

	if (hg_conf.access_log == NULL || strcmp(hg_conf.access_log, "-") == 0)
		access_fd = 2;
	else if ((access_fd = open(hg_conf.access_log,
	    O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640)) == -1)
		log_err("access_log %s: %s; access lines go to the event log",
		    hg_conf.access_log, strerror(errno));
	hg_shared_slot(slot);
	hg_arena_init(&arena);
	db = hg_db_new();
	hg_worker_redis = hg_redis_new();
	FCGX_Init();
	FCGX_InitRequest(&fr, lfd, 0);
	log_debug("worker started generation=%d", generation);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		hg_fatal("epoll_create1: %s", strerror(errno));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.fd = lfd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev) == -1)
		hg_fatal("epoll_ctl: %s", strerror(errno));
	while (!stopping &&
	    (hg_conf.max_requests == 0 || served < hg_conf.max_requests)) {
		if (epoll_pwait(ep, &ev, 1, -1, &waitmask) <= 0)
			continue;
		if (stopping)
			break;
		if (FCGX_Accept_r(&fr) < 0)
			continue;	/* another worker took it */
		serve(&fr, &arena, db);
		hg_arena_reset(&arena);
		served++;
	}
	close(ep);
	hg_db_close(db);
	hg_redis_free(hg_worker_redis);
	hg_arena_free(&arena);
	_exit(0);
}
