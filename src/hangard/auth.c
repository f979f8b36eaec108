/*
 * auth.c -- who is calling: API tokens, session cookies, login throttling.
 *
 * Tokens and session ids are looked up by their BLAKE2b hash; the values
 * themselves are never stored or logged.  A disabled user's token or session
 * stops working on the next request because every lookup joins the user's
 * current status.  Idle expiry is kept with a last_seen column that is only
 * written once a minute, so most requests cost a single read -- and most
 * cost none, answered from the worker's cache (authcache.c), which a commit
 * anywhere in this hangard invalidates.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "hangard.h"
#include "redis.h"
#include "secret.h"

#define COOKIE	"hangar_session"

/*
 * The caller's module grants ride along with the lookup ("module.perm,..."),
 * so authorization needs no query of its own for them (perms.c).
 */
#define MODULE_GRANTS "IF(u.is_superuser, NULL, (SELECT GROUP_CONCAT(" \
	"DISTINCT CONCAT(g.module, '.', g.perm)) FROM module_grants g WHERE " \
	"(g.subject_type = 'user' AND g.subject_id = u.id) OR " \
	"(g.subject_type = 'role' AND g.subject_id IN " \
	"(SELECT ur.role_id FROM user_roles ur WHERE ur.user_id = u.id))))"

static const char *sql_token =
	"SELECT u.id, u.username, u.name, u.is_superuser, " MODULE_GRANTS " "
	"FROM auth_tokens t JOIN users u ON u.id = t.user_id "
	"WHERE t.token_hash = ?s AND u.status = 'enabled'";

static const char *sql_session =
	"SELECT u.id, u.username, u.name, u.is_superuser, " MODULE_GRANTS ", "
	"s.id, s.csrf_token, "
	"s.last_seen < UTC_TIMESTAMP() - INTERVAL 60 SECOND "
	"FROM sessions s JOIN users u ON u.id = s.user_id "
	"WHERE s.id_hash = ?s AND u.status = 'enabled' "
	"AND s.created_time > UTC_TIMESTAMP() - INTERVAL ?i SECOND "
	"AND s.last_seen > UTC_TIMESTAMP() - INTERVAL ?i SECOND";

static int
is_hex(const char *s, size_t len)
{
	size_t i;

	if (strlen(s) != len)
		return 0;
	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The value of our cookie in a Cookie header, copied into the arena. */
static const char *
cookie_value(struct hg_req *r)
{
	const char	*c = hg_header_get(r, "HTTP_COOKIE"), *p, *end;
	size_t		 klen = strlen(COOKIE);

	for (p = c; p != NULL && *p != '\0'; p = end) {
		while (*p == ' ' || *p == ';')
			p++;
		end = strchrnul(p, ';');
		if (strncmp(p, COOKIE, klen) == 0 && p[klen] == '=')
			return hg_strndup(r->r_arena, p + klen + 1,
			    (size_t)(end - p - klen - 1));
	}
	return NULL;
}

static struct hg_user *
user_from(struct hg_req *r, struct hg_rows *rs)
{
	struct hg_user *u = hg_alloc(r->r_arena, sizeof(*u));

	u->u_id = hg_atoll(HG_CELL(rs, 0, 0));
	u->u_username = HG_CELL(rs, 0, 1);
	u->u_name = HG_CELL(rs, 0, 2);
	u->u_superuser = hg_atoll(HG_CELL(rs, 0, 3)) != 0;
	hg_perms_set(r, u, HG_CELL(rs, 0, 4));
	return u;
}

int
hg_authenticate(struct hg_req *r)
{
	const char	*auth = hg_header_get(r, "HTTP_AUTHORIZATION"), *val;
	char		 hash[HG_HASH_HEX + 1];
	struct hg_rows	*rs;
	struct hg_stamp	 st;
	int		 rc;

	if (auth != NULL && strncasecmp(auth, "Token ", 6) == 0) {
		val = auth + 6;
		while (*val == ' ')
			val++;
		if (!is_hex(val, HG_TOKEN_HEX))
			return hg_fail(r, HG_E_AUTH, "invalid token");
		hg_hash_hex(val, hash);
		if ((r->r_user = hg_authcache_get(r, hash)) != NULL)
			return 0;
		hg_cache_stamp(&st);
		if ((rc = hg_sql(r, &rs, sql_token, hash)) != 0)
			return rc;
		if (rs->nrows == 0)
			return hg_fail(r, HG_E_AUTH, "invalid token");
		r->r_user = user_from(r, rs);
		hg_authcache_put(hash, &st, r->r_user, HG_CELL(rs, 0, 4));
		return 0;
	}
	if (auth != NULL)
		return hg_fail(r, HG_E_AUTH, "unsupported Authorization scheme "
		    "(use: Token <value>)");
	if ((val = cookie_value(r)) == NULL)
		return hg_fail(r, HG_E_AUTH, NULL);
	if (!is_hex(val, HG_SESSION_HEX))
		return hg_fail(r, HG_E_AUTH, "session expired or invalid");
	hg_hash_hex(val, hash);
	if ((r->r_user = hg_authcache_get(r, hash)) != NULL)
		return 0;
	hg_cache_stamp(&st);
	if ((rc = hg_sql(r, &rs, sql_session, hash,
	    (long long)hg_conf.session_max, (long long)hg_conf.session_idle)) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_AUTH, "session expired or invalid");
	r->r_user = user_from(r, rs);
	r->r_user->u_session = hg_atoll(HG_CELL(rs, 0, 5));
	r->r_user->u_csrf = HG_CELL(rs, 0, 6);
	if (hg_atoll(HG_CELL(rs, 0, 7)) != 0 &&
	    (rc = hg_sql_exec(r, "UPDATE sessions SET last_seen = "
	    "UTC_TIMESTAMP() WHERE id = ?i", r->r_user->u_session)) != 0)
		return rc;
	hg_authcache_put(hash, &st, r->r_user, HG_CELL(rs, 0, 4));
	return 0;
}

/* Create a session and set its cookie; *csrf gets the session's token. */
int
hg_session_create(struct hg_req *r, long long user_id, const char **csrf)
{
	char	value[HG_SESSION_HEX + 1], hash[HG_HASH_HEX + 1];
	char	*token = hg_alloc(r->r_arena, HG_SESSION_HEX + 1);
	int	rc;

	hg_random_hex(value, HG_SESSION_HEX / 2);
	hg_random_hex(token, HG_SESSION_HEX / 2);
	hg_hash_hex(value, hash);
	if ((rc = hg_sql_exec(r, "INSERT INTO sessions (id_hash, user_id, "
	    "csrf_token, created_time, last_seen) VALUES (?s, ?i, ?s, "
	    "UTC_TIMESTAMP(), UTC_TIMESTAMP())", hash, user_id, token)) != 0)
		return rc;
	/* Opportunistic cleanup of this user's dead sessions. */
	if ((rc = hg_sql_exec(r, "DELETE FROM sessions WHERE user_id = ?i "
	    "AND (created_time < UTC_TIMESTAMP() - INTERVAL ?i SECOND "
	    "OR last_seen < UTC_TIMESTAMP() - INTERVAL ?i SECOND)",
	    user_id, (long long)hg_conf.session_max,
	    (long long)hg_conf.session_idle)) != 0)
		return rc;
	hg_header(r, "Set-Cookie: " COOKIE "=%s; Path=/; HttpOnly; "
	    "SameSite=Lax; Max-Age=%ld%s", value, hg_conf.session_max,
	    r->r_https ? "; Secure" : "");
	*csrf = token;
	return 0;
}

int
hg_session_end(struct hg_req *r)
{
	int rc;

	if (r->r_user->u_session != 0 &&
	    (rc = hg_sql_exec(r, "DELETE FROM sessions WHERE id = ?i",
	    r->r_user->u_session)) != 0)
		return rc;
	hg_header(r, "Set-Cookie: " COOKIE "=; Path=/; HttpOnly; SameSite=Lax; "
	    "Max-Age=0%s", r->r_https ? "; Secure" : "");
	return 0;
}

/*
 * Throttling (hg_throttle, hangard.h): counters in Redis, each over a
 * window from its first count.  The script counts and starts the window
 * atomically and answers the count and the seconds left of the window.
 */
static const char *const incr_lua = "local n = redis.call('INCR', KEYS[1]) "
    "if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end "
    "return {n, redis.call('TTL', KEYS[1])}";
/* Give one back, unless the window has ended meanwhile. */
static const char *const decr_lua = "if redis.call('EXISTS', KEYS[1]) == 1 "
    "then redis.call('DECR', KEYS[1]) end return 0";

static void
give_back(struct hg_req *r, const char *key)
{
	redisReply *rep = hg_redis_cmd(r->r_redis, "EVAL %s 1 %s", decr_lua,
	    key);

	if (rep != NULL)
		freeReplyObject(rep);
}

long
hg_throttle(struct hg_req *r, int n, const char *const *keys,
    const long *max, long window)
{
	redisReply	*rep;
	long		 wait = 0;
	int		 i;

	for (i = 0; i < n && wait == 0; i++) {
		if (keys[i] == NULL)
			continue;
		rep = hg_redis_cmd(r->r_redis, "EVAL %s 1 %s %ld", incr_lua,
		    keys[i], window);
		if (rep == NULL)
			continue;
		if (rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
		    rep->element[0]->type == REDIS_REPLY_INTEGER &&
		    rep->element[0]->integer > max[i]) {
			wait = rep->element[1]->type == REDIS_REPLY_INTEGER ?
			    (long)rep->element[1]->integer : window;
			if (wait < 1)
				wait = 1;
		}
		freeReplyObject(rep);
	}
	if (wait > 0)
		for (i--; i >= 0; i--)
			if (keys[i] != NULL)
				give_back(r, keys[i]);
	return wait;
}

int
hg_fail_throttle(struct hg_req *r, long seconds)
{
	hg_header(r, "Retry-After: %ld", seconds);
	return hg_fail(r, HG_E_THROTTLE, NULL);
}

/*
 * Login throttling: password checks are counted (hg_throttle) over
 * login_window seconds, in this order:
 *
 *	pair	the username from one client address	login_max_failures
 *	addr	the address, whatever the username	login_addr_max_failures
 *	user	the username, from every address	login_user_max_failures
 *
 * A refused attempt checks no password: it is not counted further down
 * the list and gives back what it was counted above, so one address adds
 * at most login_max_failures to a username's global count, and an
 * attacker locks a username out only for its own address unless it
 * spreads its guesses over many.  The right password clears its pair and
 * gives back its count of the others.
 */
#define NKINDS	3

/* Usernames compare case-insensitively; so do their counters. */
static const char *
fold(struct hg_req *r, const char *username)
{
	char *s = hg_strdup(r->r_arena, username), *p;

	for (p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

/* The counters of username from this address: keys[] NULL when unused. */
static void
login_keys(struct hg_req *r, const char *username, const char **keys,
    long *max)
{
	const char *u = fold(r, username);

	keys[0] = keys[1] = NULL;
	if (r->r_remote != NULL) {
		keys[0] = hg_printf(r->r_arena, "hangar:login:pair:%s:%s", u,
		    r->r_remote);
		keys[1] = hg_printf(r->r_arena, "hangar:login:addr:%s",
		    r->r_remote);
	}
	keys[2] = hg_printf(r->r_arena, "hangar:login:user:%s", u);
	max[0] = hg_conf.login_max_failures;
	max[1] = hg_conf.login_addr_max_failures;
	max[2] = hg_conf.login_user_max_failures;
}

long
hg_login_attempt(struct hg_req *r, const char *username)
{
	const char	*keys[NKINDS];
	long		 max[NKINDS];

	login_keys(r, username, keys, max);
	return hg_throttle(r, NKINDS, keys, max, hg_conf.login_window);
}

void
hg_login_succeeded(struct hg_req *r, const char *username)
{
	const char	*keys[NKINDS];
	long		 max[NKINDS];
	redisReply	*rep;
	int		 i;

	login_keys(r, username, keys, max);
	if (keys[0] != NULL &&
	    (rep = hg_redis_cmd(r->r_redis, "DEL %s", keys[0])) != NULL)
		freeReplyObject(rep);
	for (i = 1; i < NKINDS; i++)
		if (keys[i] != NULL)
			give_back(r, keys[i]);
}
