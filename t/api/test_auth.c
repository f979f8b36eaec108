/*
 * test_auth.c -- /auth/ (API.md sections 2 and 6): login and its cookie,
 * CSRF on cookie mutations, throttling, logout, me, and the mailed
 * password reset (forget-password, reset-password).
 *
 * Every test logs in from 127.0.0.1, so a checked fixture clears Redis's
 * login counters before each test, and once more after the last, whether
 * or not a test failed half-way.
 */
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "authlib.h"

#define TABLES	"users,sessions,auth_tokens,password_resets,audit_log"

/* The tables this file's refusals must leave as they were. */
#define unchanged(before)	db_unchanged((before), TABLES)

/* Forget every failed login and forget-password request counted. */
static void
clear_all_counters(void)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "for p in 'hangar:login:*' "
	    "'hangar:forget:*'; do redis-cli -s %1$s/redis.sock --scan "
	    "--pattern \"$p\" | xargs -r redis-cli -s %1$s/redis.sock "
	    "DEL >/dev/null; done", getenv("HANGAR_DIR"));
	if (system(cmd) != 0)
		fprintf(stderr, "clearing login counters failed\n");
}

static long long
mkuser_email(const char *name, const char *email)
{
	struct resp	*r;
	long long	 id;

	r = api_f("POST", "/users/", admin_token(), "{\"username\": \"%s\", "
	    "\"password\": \"%s\", \"email\": \"%s\"}", name, pw_of(name),
	    email);
	ck_assert_msg(r->status == 201, "create %s: %s", name, r->body);
	id = jint(r->json, "id");
	resp_free(r);
	return id;
}

static int
is_hex(const char *s, size_t len)
{
	size_t i;

	if (s == NULL || strlen(s) != len)
		return 0;
	for (i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* ---- login ------------------------------------------------------------- */

START_TEST(login_returns_user_and_cookie)
{
	const char	*name = uniq("al");
	long long	 id = mkuser_email(name, "al@example.com");
	struct resp	*r;
	const char	*c;
	char		 cookie[256], value[100], *s;
	long long	 sessions;

	sessions = db_int(path_of("SELECT COUNT(*) FROM sessions WHERE user_id = "
	    "%lld", id));
	r = login(name, pw_of(name));
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jkeys(r->json, NULL), 2);
	expect_user(jpath(r->json, "user"), id, name, name, "al@example.com", "",
	    "enabled", 0, "");
	expect_recent(r->json, "user.last_login");
	ck_assert_msg(is_hex(jstr(r->json, "csrf_token"), 64), "csrf %s",
	    jstr(r->json, "csrf_token"));
	ck_assert_ptr_null(strstr(r->body, pw_of(name)));
	c = resp_header(r, "Set-Cookie");
	ck_assert_ptr_nonnull(c);
	snprintf(cookie, sizeof(cookie), "%s", c);
	resp_free(r);
	ck_assert_msg(strncmp(cookie, "hangar_session=", 15) == 0, "%s", cookie);
	snprintf(value, sizeof(value), "%.*s", (int)strcspn(cookie + 15, ";"),
	    cookie + 15);
	ck_assert_msg(is_hex(value, 64), "cookie value %s", value);
	ck_assert_ptr_nonnull(strstr(cookie, "; HttpOnly"));
	ck_assert_ptr_nonnull(strstr(cookie, "; SameSite=Lax"));
	ck_assert_ptr_nonnull(strstr(cookie, "; Path=/"));
	ck_assert_ptr_null(strstr(cookie, "Secure"));
	/* One more session, stored by hash only. */
	ck_assert_int_eq(db_int(path_of("SELECT COUNT(*) FROM sessions WHERE "
	    "user_id = %lld", id)), sessions + 1);
	s = db_str(path_of("SELECT GROUP_CONCAT(id_hash, csrf_token) FROM "
	    "sessions WHERE user_id = %lld", id));
	ck_assert_ptr_null(strstr(s, value));
	free(s);
	/* Without the trailing slash too. */
	r = api_f("POST", "/auth/login", NULL, "{\"username\": \"%s\", "
	    "\"password\": \"%s\"}", name, pw_of(name));
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
}
END_TEST

START_TEST(login_failures_look_alike)
{
	const char	*name = uniq("alf"), *off = uniq("alfd");
	long long	 offid;
	struct resp	*a, *b, *c;
	char		*before;

	mkuser_email(name, "");
	offid = mkuser_email(off, "");
	expect_status(api("POST", path_of("/users/%lld/actions/disable/", offid),
	    admin_token(), NULL), 200);
	before = db_fingerprint(TABLES);
	a = login(name, "wrong-password-7f3e1");
	b = login("no-such-user-at-all", "wrong-password");
	c = login(off, pw_of(off));
	ck_assert_str_eq(jstr(a->json, "message"), jstr(b->json, "message"));
	ck_assert_str_eq(jstr(a->json, "message"), jstr(c->json, "message"));
	ck_assert_ptr_null(resp_header(a, "Set-Cookie"));
	expect_error(a, 401, 10006, NULL);
	expect_error(b, 401, 10006, NULL);
	expect_error(c, 401, 10006, NULL);
	unchanged(before);
	/* Passwords, wrong or right, are never logged. */
	ck_assert(!in_logs("wrong-password-7f3e1"));
	ck_assert(!in_logs(pw_of(off)));
	ck_assert(in_logs("/auth/login/"));
}
END_TEST

START_TEST(login_bad_input)
{
	static const struct field_spec f[] = {
		{ "username", 1, "string", 64, NULL },
		{ "password", 1, "string", 1024, NULL },
	};

	bad_input_battery("POST", "/auth/login/", NULL,
	    "{\"username\": \"admin\", \"password\": \"not-the-password\"}", f, 2,
	    TABLES);
}
END_TEST

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

struct tally {
	int	n200, n401, n429, other;
};

/*
 * n logins at once, from source address addr: every 127.x.y.z is a client
 * of its own to hangard.  The username is ufmt with the attempt's index
 * for its %d (a format without one is the same username n times).
 */
static struct tally
logins_from(const char *addr, const char *ufmt, const char *password, int n)
{
	CURLM			*m = curl_multi_init();
	CURL			*c[128];
	struct curl_slist	*h = curl_slist_append(NULL,
				    "Content-Type: application/json");
	struct tally		 t = { 0, 0, 0, 0 };
	char			 url[512], user[128], body[512];
	long			 status;
	int			 i, running;

	ck_assert(n <= 128);
	snprintf(url, sizeof(url), "%s/auth/login/", getenv("HANGAR_URL"));
	for (i = 0; i < n; i++) {
		snprintf(user, sizeof(user), ufmt, i);
		snprintf(body, sizeof(body), "{\"username\": \"%s\", "
		    "\"password\": \"%s\"}", user, password);
		c[i] = curl_easy_init();
		curl_easy_setopt(c[i], CURLOPT_URL, url);
		curl_easy_setopt(c[i], CURLOPT_INTERFACE, addr);
		curl_easy_setopt(c[i], CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c[i], CURLOPT_COPYPOSTFIELDS, body);
		curl_easy_setopt(c[i], CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(c[i], CURLOPT_TIMEOUT, 120L);
		curl_multi_add_handle(m, c[i]);
	}
	do {
		ck_assert_int_eq(curl_multi_perform(m, &running), CURLM_OK);
		if (running)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	} while (running);
	for (i = 0; i < n; i++) {
		status = 0;
		curl_easy_getinfo(c[i], CURLINFO_RESPONSE_CODE, &status);
		if (status == 200)
			t.n200++;
		else if (status == 401)
			t.n401++;
		else if (status == 429)
			t.n429++;
		else
			t.other++;
		curl_multi_remove_handle(m, c[i]);
		curl_easy_cleanup(c[i]);
	}
	curl_multi_cleanup(m);
	curl_slist_free_all(h);
	return t;
}

#define expect_tally(t, ok, bad, throttled) do {			\
	struct tally t_ = (t);						\
									\
	ck_assert_msg(t_.n200 == (ok) && t_.n401 == (bad) &&		\
	    t_.n429 == (throttled) && t_.other == 0,			\
	    "200: %d, 401: %d, 429: %d, other: %d; wanted %d, %d, %d",	\
	    t_.n200, t_.n401, t_.n429, t_.other, (ok), (bad),		\
	    (throttled));						\
} while (0)

static long long
sessions_of(long long id)
{
	return db_int(path_of("SELECT COUNT(*) FROM sessions WHERE user_id = "
	    "%lld", id));
}

/*
 * Ten failures lock a username out from that address only: an attacker
 * cannot lock a user (the administrator) out from the user's own address,
 * nor other users out of the address it shares with them.
 */
START_TEST(throttle_per_username_and_address)
{
	const char	*name = uniq("at"), *other = uniq("ato"), *ra;
	long long	 id = mkuser_email(name, "");
	struct resp	*r;
	int		 i;

	mkuser_email(other, "");
	for (i = 0; i < 10; i++)
		expect_error(login(name, "wrong-password"), 401, 10006, NULL);
	/*
	 * Now even the right password is refused, and no session made; the
	 * answer says when to come back (what is left of the 900 s window).
	 */
	r = login(name, pw_of(name));
	ra = resp_header(r, "Retry-After");
	ck_assert_msg(ra != NULL && atol(ra) >= 1 && atol(ra) <= 900,
	    "Retry-After: %s", ra != NULL ? ra : "(none)");
	expect_error(r, 429, 10011, NULL);
	ck_assert_int_eq(sessions_of(id), 0);
	/* Hammering on from there is refused, and counted nowhere else. */
	expect_tally(logins_from("127.0.0.1", name, "wrong-password", 30),
	    0, 0, 30);
	/* From another address the user signs in; others do from this one. */
	expect_tally(logins_from("127.0.0.2", name, pw_of(name), 1), 1, 0, 0);
	ck_assert_int_eq(sessions_of(id), 1);
	expect_status(login(other, pw_of(other)), 200);
	expect_error(login(name, pw_of(name)), 429, 10011, NULL);
	clear_login_counters(name);
	expect_status(login(name, pw_of(name)), 200);
}
END_TEST

/* Increment, then check: parallel guesses get ten, not one per worker more. */
START_TEST(throttle_is_race_free)
{
	const char *name = uniq("atp");

	mkuser_email(name, "");
	expect_tally(logins_from("127.0.0.3", name, "wrong-password", 40),
	    0, 10, 30);
	expect_tally(logins_from("127.0.0.3", name, pw_of(name), 1), 0, 0, 1);
}
END_TEST

/* The slower bound per username: 100 failures from all addresses. */
START_TEST(throttle_per_username_everywhere)
{
	const char	*name = uniq("atu");
	char		 addr[32];
	long long	 id = mkuser_email(name, "");
	int		 i;

	for (i = 0; i < 10; i++) {
		snprintf(addr, sizeof(addr), "127.0.0.%d", 10 + i);
		expect_tally(logins_from(addr, name, "wrong-password", 10),
		    0, 10, 0);
	}
	expect_tally(logins_from("127.0.0.20", name, pw_of(name), 1), 0, 0, 1);
	expect_error(login(name, pw_of(name)), 429, 10011, NULL);
	ck_assert_int_eq(sessions_of(id), 0);
}
END_TEST

/* And per address, whatever the username: 100 failures. */
START_TEST(throttle_per_address)
{
	const char	*name = uniq("ata");
	char		 who[64];
	long long	 id = mkuser_email(name, "");

	snprintf(who, sizeof(who), "ghost-%d-%%d", getpid());
	expect_tally(logins_from("127.0.0.30", who, "wrong-password", 100),
	    0, 100, 0);
	expect_tally(logins_from("127.0.0.30", name, pw_of(name), 1), 0, 0, 1);
	ck_assert_int_eq(sessions_of(id), 0);
	expect_status(login(name, pw_of(name)), 200);
}
END_TEST

START_TEST(throttle_ignores_username_case)
{
	const char	*name = uniq("atc");
	char		 spelt[128];
	int		 i, k;

	mkuser_email(name, "");
	/* Ten guesses under different spellings of one username. */
	for (i = 0; i < 10; i++) {
		snprintf(spelt, sizeof(spelt), "%s", name);
		for (k = 0; spelt[k]; k++)
			if ((i >> (k % 4)) & 1)
				spelt[k] = (char)toupper((unsigned char)spelt[k]);
		expect_error(login(spelt, "wrong-password"), 401, 10006, NULL);
	}
	clear_login_counters("nobody");
	expect_error(login(name, pw_of(name)), 429, 10011, NULL);
	snprintf(spelt, sizeof(spelt), "%s", name);
	spelt[0] = (char)toupper((unsigned char)spelt[0]);
	expect_error(login(spelt, pw_of(name)), 429, 10011, NULL);
}
END_TEST

/*
 * Only the username's own spelling (in any case) signs in: the database's
 * collation ignores trailing spaces and accents, and each such spelling
 * would otherwise get its own ten guesses.
 */
START_TEST(login_username_is_exact)
{
	const char	*name = uniq("ax");
	char		 other[128], *before;

	mkuser_email(name, "");
	before = db_fingerprint(TABLES);
	snprintf(other, sizeof(other), "%s ", name);
	expect_error(login(other, pw_of(name)), 400, 10002, "username");
	snprintf(other, sizeof(other), "\u00e1%s", name + 1);
	expect_error(login(other, pw_of(name)), 400, 10002, "username");
	snprintf(other, sizeof(other), " %s", name);
	expect_error(login(other, pw_of(name)), 400, 10002, "username");
	unchanged(before);
	for (size_t i = 0; i < strlen(name); i++)
		other[i] = (char)toupper((unsigned char)name[i]);
	other[strlen(name)] = '\0';
	expect_status(login(other, pw_of(name)), 200);
}
END_TEST

START_TEST(success_resets_user_count)
{
	const char	*name = uniq("atr");
	int		 i;

	mkuser_email(name, "");
	for (i = 0; i < 9; i++)
		expect_error(login(name, "wrong-password"), 401, 10006, NULL);
	expect_status(login(name, pw_of(name)), 200);
	clear_login_counters("nobody");
	/* The user's count started again: 9 more failures are not 10. */
	for (i = 0; i < 9; i++)
		expect_error(login(name, "wrong-password"), 401, 10006, NULL);
	expect_status(login(name, pw_of(name)), 200);
}
END_TEST

/* ---- cookies and CSRF ------------------------------------------------- */

START_TEST(cookie_mutations_need_csrf)
{
	const char	*name = uniq("ac");
	struct session	 s;
	struct resp	*r;
	char		*before, bad[256];
	long long	 id;
	const char	*h[3];

	mkuser_email(name, "");
	login_session(name, pw_of(name), &s);
	/* Reads need no CSRF token. */
	r = api_cookie("GET", "/auth/me/", &s, 0, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "user.username"), name);
	ck_assert_str_eq(jstr(r->json, "csrf_token"), s.csrf + 14);
	resp_free(r);
	/* POST without, with a wrong one, with the right one. */
	before = db_fingerprint(TABLES);
	expect_error(api_cookie("POST", "/auth-tokens/", &s, 0,
	    "{\"name\": \"c\"}"), 403, 10014, NULL);
	snprintf(bad, sizeof(bad), "X-CSRF-Token: %064d", 7);
	h[0] = s.cookie;
	h[1] = bad;
	h[2] = NULL;
	expect_error(api_raw("POST", "/auth-tokens/", NULL, "application/json",
	    "{\"name\": \"c\"}", 13, h), 403, 10014, NULL);
	h[1] = "X-CSRF-Token: ";
	expect_error(api_raw("POST", "/auth-tokens/", NULL, "application/json",
	    "{\"name\": \"c\"}", 13, h), 403, 10014, NULL);
	unchanged(before);
	r = api_cookie("POST", "/auth-tokens/", &s, 1, "{\"name\": \"c\"}");
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	resp_free(r);
	/* PATCH and DELETE alike. */
	before = db_fingerprint(TABLES);
	expect_error(api_cookie("PATCH", path_of("/auth-tokens/%lld/", id), &s,
	    0, "{\"name\": \"d\"}"), 403, 10014, NULL);
	expect_error(api_cookie("DELETE", path_of("/auth-tokens/%lld/", id), &s,
	    0, NULL), 403, 10014, NULL);
	expect_error(api_cookie("POST", "/auth/logout/", &s, 0, NULL), 403,
	    10014, NULL);
	unchanged(before);
	r = api_cookie("PATCH", path_of("/auth-tokens/%lld/", id), &s, 1,
	    "{\"name\": \"d\"}");
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "name"), "d");
	resp_free(r);
	expect_status(api_cookie("DELETE", path_of("/auth-tokens/%lld/", id), &s,
	    1, NULL), 200);
	/* The session still works after all that. */
	expect_status(api_cookie("GET", "/auth/me/", &s, 0, NULL), 200);
}
END_TEST

START_TEST(bad_cookies_are_401)
{
	const char	*h[2] = { NULL, NULL };
	char		 line[256];

	h[0] = "Cookie: hangar_session=nothex";
	expect_error(api_raw("GET", "/auth/me/", NULL, NULL, NULL, 0, h), 401,
	    10005, NULL);
	snprintf(line, sizeof(line), "Cookie: hangar_session=%064d", 0);
	h[0] = line;
	expect_error(api_raw("GET", "/auth/me/", NULL, NULL, NULL, 0, h), 401,
	    10005, NULL);
	h[0] = "Cookie: other=1; hangar_session=";
	expect_error(api_raw("GET", "/auth/me/", NULL, NULL, NULL, 0, h), 401,
	    10005, NULL);
	expect_error(api("GET", "/auth/me/", NULL, NULL), 401, 10005, NULL);
}
END_TEST

START_TEST(cookie_among_others)
{
	const char	*name = uniq("aco");
	struct session	 s;
	const char	*h[2] = { NULL, NULL };
	char		 line[300];

	mkuser_email(name, "");
	login_session(name, pw_of(name), &s);
	snprintf(line, sizeof(line), "Cookie: theme=dark; hangar_session=%s; "
	    "lang=zh", s.value);
	h[0] = line;
	expect_status(api_raw("GET", "/auth/me/", NULL, NULL, NULL, 0, h), 200);
}
END_TEST

/* Sessions end after session_idle of silence and session_max after login. */
START_TEST(sessions_expire)
{
	const char	*name = uniq("ase");
	long long	 id, first, second;
	struct session	 idle, old, fresh;
	char		 sql[512];

	id = mkuser_email(name, "");
	login_session(name, pw_of(name), &idle);
	login_session(name, pw_of(name), &old);
	login_session(name, pw_of(name), &fresh);
	/* Rewind their clocks in the database (idle 2 h, max 24 h). */
	first = db_int(path_of("SELECT MIN(id) FROM sessions WHERE user_id = "
	    "%lld", id));
	snprintf(sql, sizeof(sql), "SELECT MIN(id) FROM sessions WHERE "
	    "user_id = %lld AND id > %lld", id, first);
	second = db_int(sql);
	snprintf(sql, sizeof(sql), "UPDATE sessions SET last_seen = "
	    "UTC_TIMESTAMP() - INTERVAL 3 HOUR WHERE id = %lld", first);
	free(db_str(sql));
	snprintf(sql, sizeof(sql), "UPDATE sessions SET created_time = "
	    "UTC_TIMESTAMP() - INTERVAL 25 HOUR WHERE id = %lld", second);
	free(db_str(sql));
	expect_error(api_cookie("GET", "/auth/me/", &idle, 0, NULL), 401, 10005,
	    NULL);
	expect_error(api_cookie("GET", "/auth/me/", &old, 0, NULL), 401, 10005,
	    NULL);
	expect_status(api_cookie("GET", "/auth/me/", &fresh, 0, NULL), 200);
}
END_TEST

/* ---- the workers' authentication cache (auth_cache_ttl = 2) --------- */

/* Ask enough times that every worker has the token cached. */
static void
warm(const char *tok)
{
	int i;

	for (i = 0; i < 24; i++)
		expect_status(api("GET", "/auth/me/", tok, NULL), 200);
}

static void
disable_by_sql(long long id)
{
	free(db_str(path_of("UPDATE users SET status = 'disabled' WHERE id = "
	    "%lld", id)));
}

/*
 * A commit that writes a table authentication reads (here a new role)
 * clears every worker's cache before its reply.
 */
START_TEST(commit_clears_every_cache)
{
	long long	 id;
	const char	*tok = user_token(uniq("acc"), 0, &id);
	int		 i;

	warm(tok);
	disable_by_sql(id);	/* behind hangard's back */
	expect_status(api_f("POST", "/roles/", admin_token(),
	    "{\"name\": \"%s\"}", uniq("acc-role")), 201);
	for (i = 0; i < 12; i++)
		expect_error(api("GET", "/auth/me/", tok, NULL), 401, 10005, NULL);
}
END_TEST

/*
 * A commit that writes no table authentication reads (a navigator link)
 * keeps what workers know of tokens: with the user disabled behind
 * hangard's back, a warm worker still answers for it until
 * auth_cache_ttl.  Were every commit to clear the cache, as it once did,
 * every request after the first commit would be 401.
 */
START_TEST(other_commits_keep_the_cache)
{
	long long	 id;
	const char	*tok = user_token(uniq("ack"), 0, &id);
	int		 i, ok = 0;

	warm(tok);
	disable_by_sql(id);
	/* until a warm worker answers (before auth_cache_ttl ends them) */
	for (i = 0; i < 20 && ok == 0; i++) {
		struct resp *r = api_f("POST", "/external-navigators/",
		    admin_token(), "{\"name\": \"%s\", \"img\": \"/nav.png\", "
		    "\"url\": \"https://nav.example.com/\"}", uniq("ack-nav"));

		ck_assert_int_eq(r->status, 201);
		resp_free(r);
		r = api("GET", "/auth/me/", tok, NULL);
		ck_assert(r->status == 200 || r->status == 401);
		ok += r->status == 200;
		resp_free(r);
	}
	ck_assert_msg(ok > 0, "every request after a navigator's commit looked "
	    "the token up again");
}
END_TEST

/*
 * A change hangard cannot see holds within auth_cache_ttl seconds: any
 * request sent 2 s after it is refused, whichever worker takes it.
 */
START_TEST(outside_change_holds_within_ttl)
{
	long long	 id;
	const char	*tok = user_token(uniq("act"), 0, &id);
	struct timespec	 t0, t;
	struct resp	*r;
	double		 sent;
	int		 after = 0;

	warm(tok);
	disable_by_sql(id);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		clock_gettime(CLOCK_MONOTONIC, &t);
		sent = (double)(t.tv_sec - t0.tv_sec) +
		    (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
		r = api("GET", "/auth/me/", tok, NULL);
		if (sent >= 2.0) {
			ck_assert_msg(r->status == 401, "HTTP %ld %.2f s after "
			    "the user was disabled (auth_cache_ttl is 2)",
			    r->status, sent);
			after++;
		} else
			ck_assert(r->status == 200 || r->status == 401);
		resp_free(r);
		usleep(10000);
	} while (sent < 3.0);
	ck_assert_int_gt(after, 10);
}
END_TEST

/* ---- logout ---------------------------------------------------------- */

START_TEST(logout_ends_the_session)
{
	const char	*name = uniq("alo");
	long long	 id;
	const char	*tok;
	struct session	 s, keep;
	struct resp	*r;
	const char	*c;

	tok = user_token(name, 0, &id);
	login_session(name, pw_of(name), &s);
	login_session(name, pw_of(name), &keep);
	r = api_cookie("POST", "/auth/logout/", &s, 1, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	c = resp_header(r, "Set-Cookie");
	ck_assert_ptr_nonnull(c);
	ck_assert_msg(strncmp(c, "hangar_session=;", 16) == 0 &&
	    strstr(c, "Max-Age=0") != NULL, "%s", c);
	resp_free(r);
	expect_error(api_cookie("GET", "/auth/me/", &s, 0, NULL), 401, 10005,
	    NULL);
	expect_error(api_cookie("POST", "/auth/logout/", &s, 1, NULL), 401,
	    10005, NULL);
	/* Only that session: the other and the token still work. */
	expect_status(api_cookie("GET", "/auth/me/", &keep, 0, NULL), 200);
	expect_status(api("GET", "/auth/me/", tok, NULL), 200);
	/* Logging out with a token changes nothing and succeeds. */
	expect_status(api("POST", "/auth/logout/", tok, NULL), 200);
	expect_status(api("GET", "/auth/me/", tok, NULL), 200);
	expect_error(api("POST", "/auth/logout/", NULL, NULL), 401, 10005, NULL);
}
END_TEST

/* ---- me ---------------------------------------------------------------- */

static const struct {
	const char *module;
	const char *perms[10];
} modules[] = {
	{ "resource_request", { "enable_resource_req", "approve_host_req",
	    "approve_domain_req", "approve_ssl_cert_req", "create_resource_req" } },
	{ "application", { "enable_app_mgmt", "view_app", "create_app",
	    "delete_app", "edit_app" } },
	{ "dns", { "enable_dns_mgmt", "manage_dns_server" } },
	{ "resource", { "enable_host_mgmt", "add_host", "edit_host",
	    "delete_host", "manage_host", "enable_business_mgmt",
	    "view_business", "add_business", "delete_business" } },
	{ "navigator", { "enable_navigator", "view_navigator",
	    "manage_navigator" } },
	{ "common_tools", { "enable_common_tools", "enable_cdn_refresher",
	    "enable_jumpserver_log_mgmt" } },
	{ "deploy_template", { "enable_deploy_template_mgmt",
	    "manage_deploy_template", "manage_deploy_script",
	    "manage_credential" } },
};

/* module_perms: all seven modules, every perm, each equal to all. */
static void
expect_perms(json_object *mp, int all)
{
	size_t	i, k;
	char	path[128];

	ck_assert_int_eq(jkeys(mp, NULL), 7);
	for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		for (k = 0; modules[i].perms[k] != NULL; k++) {
			snprintf(path, sizeof(path), "%s.%s", modules[i].module,
			    modules[i].perms[k]);
			ck_assert_msg(jbool(mp, path) == all, "%s", path);
		}
		ck_assert_int_eq(jkeys(mp, modules[i].module), k);
	}
}

START_TEST(me_with_token_and_cookie)
{
	const char	*name = uniq("am");
	long long	 id, rid;
	const char	*tok = user_token(name, 0, &id);
	struct session	 s;
	struct resp	*r;
	char		 body[64], roles[256];

	r = api_f("POST", "/roles/", admin_token(), "{\"name\": \"%s\"}",
	    uniq("amr"));
	rid = jint(r->json, "id");
	snprintf(roles, sizeof(roles), "%lld:%s", rid, jstr(r->json, "name"));
	resp_free(r);
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", rid);
	expect_status(api("POST", path_of("/users/%lld/roles/", id),
	    admin_token(), body), 200);
	r = api("GET", "/auth/me/", tok, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jkeys(r->json, NULL), 3);
	expect_user(jpath(r->json, "user"), id, name, name, "", "", "enabled", 0,
	    roles);
	ck_assert(jnull(r->json, "csrf_token"));
	expect_perms(jpath(r->json, "module_perms"), 0);
	resp_free(r);
	login_session(name, pw_of(name), &s);
	r = api_cookie("GET", "/auth/me", &s, 0, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "csrf_token"), s.csrf + 14);
	expect_user(jpath(r->json, "user"), id, name, name, "", "", "enabled", 0,
	    roles);
	resp_free(r);
	r = api("GET", "/auth/me/", admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "user.username"), "admin");
	ck_assert(jbool(r->json, "user.is_superuser"));
	expect_perms(jpath(r->json, "module_perms"), 1);
	resp_free(r);
}
END_TEST

/* ---- forgotten passwords -------------------------------------------------- */

/* How many mails the sink has stored. */
static int
mail_count(void)
{
	DIR		*d = opendir(getenv("HANGAR_SMTP_DIR"));
	struct dirent	*e;
	int		 n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "mail-", 5) == 0)
			n++;
	closedir(d);
	return n;
}

/*
 * The newest mail to addr, waiting up to 5 s for it: hangard mails after it
 * has answered.  NULL when none came.
 */
static char *
mail_to(const char *addr)
{
	char	*m;
	int	 i;

	for (i = 0; i < 100 && (m = sink_mail(addr, NULL)) == NULL; i++)
		usleep(50000);
	return m;
}

/* The mail count once anything sent after the last answer has arrived. */
static int
mail_count_settled(void)
{
	usleep(500000);
	return mail_count();
}

/* No mail to addr, once anything sent after the last answer has arrived. */
static int
no_mail_to(const char *addr)
{
	char	*m;

	usleep(500000);
	m = sink_mail(addr, NULL);
	free(m);
	return m == NULL;
}

/* The reset token in a mail: 40 hex characters after "token=". */
static void
token_in(const char *mail, char *tok)
{
	const char	*p = strstr(mail, "token=");
	char		 hint[64];

	ck_assert_msg(p != NULL, "no token in mail: %s", mail);
	snprintf(tok, 41, "%s", p + 6);
	ck_assert_msg(is_hex(tok, 40), "token %s", tok);
	/* The JSON hint carries the same token. */
	snprintf(hint, sizeof(hint), "{\"token\": \"%s\"", tok);
	ck_assert_msg(strstr(mail, hint) != NULL, "no %s in %s", hint, mail);
}

START_TEST(forget_and_reset_password)
{
	const char	*name = uniq("af");
	char		 email[128], token[41], *mail, *before, body[256];
	char		 tok[64];
	long long	 id, tid;
	struct session	 s;
	struct resp	*r;
	int		 n0;

	snprintf(email, sizeof(email), "%s@example.com", name);
	id = mkuser_email(name, email);
	login_session(name, pw_of(name), &s);
	/* An API token of the user: the reset will end it. */
	r = api_cookie("POST", "/auth-tokens/", &s, 1, "{\"name\": \"kept?\"}");
	ck_assert_msg(r->status == 201, "%s", r->body);
	snprintf(tok, sizeof(tok), "%s", jstr(r->json, "value"));
	tid = jint(r->json, "id");
	resp_free(r);
	expect_status(api("GET", "/auth/me/", tok, NULL), 200);
	/* Wrong address, unknown user: success, no mail, nothing stored. */
	n0 = mail_count();
	before = db_fingerprint(TABLES);
	r = api("POST", path_of("/users/%lld/actions/forget-password/", id), NULL,
	    "{\"email\": \"someone-else@example.com\"}");
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
	r = api_f("POST", "/users/999999999/actions/forget-password/", NULL,
	    "{\"email\": \"%s\"}", email);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
	unchanged(before);
	ck_assert_int_eq(mail_count_settled(), n0);
	/* The right address: the same answer, and a mail. */
	r = api_f("POST", path_of("/users/%lld/actions/forget-password/", id),
	    NULL, "{\"email\": \"%s\"}", email);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	ck_assert_int_eq(jkeys(r->json, NULL), 1);
	resp_free(r);
	mail = mail_to(email);
	ck_assert_msg(mail != NULL, "no mail to %s", email);
	ck_assert_ptr_nonnull(strstr(mail, "Subject: Hangar password reset"));
	ck_assert_ptr_nonnull(strstr(mail, name));
	token_in(mail, token);
	free(mail);
	ck_assert_int_eq(db_int(path_of("SELECT COUNT(*) FROM password_resets "
	    "WHERE user_id = %lld AND used = 0 AND expires > UTC_TIMESTAMP() + "
	    "INTERVAL 29 MINUTE AND expires <= UTC_TIMESTAMP() + INTERVAL 30 "
	    "MINUTE", id)), 1);
	/* Wrong token and short password: 400, the token stays usable. */
	before = db_fingerprint(TABLES);
	expect_error(api("POST", "/auth/reset-password/", NULL, "{\"token\": "
	    "\"0123456789abcdef0123456789abcdef01234567\", \"new_password\": "
	    "\"reset-pass-1\"}"), 400, 10002, "token");
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"new_password\": "
	    "\"short\"}", token);
	expect_error(api("POST", "/auth/reset-password/", NULL, body), 400, 10002,
	    "new_password");
	unchanged(before);
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"new_password\": "
	    "\"reset-pass-1\"}", token);
	r = api("POST", "/auth/reset-password/", NULL, body);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
	/* Single use. */
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"new_password\": "
	    "\"reset-pass-2\"}", token);
	expect_error(api("POST", "/auth/reset-password/", NULL, body), 400, 10002,
	    "token");
	/*
	 * The user's sessions and API tokens ended, each token audited; the
	 * new password works, the old does not.
	 */
	expect_error(api_cookie("GET", "/auth/me/", &s, 0, NULL), 401, 10005,
	    NULL);
	expect_error(api("GET", "/auth/me/", tok, NULL), 401, 10005, NULL);
	ck_assert_int_eq(db_int(path_of("SELECT COUNT(*) FROM auth_tokens "
	    "WHERE user_id = %lld", id)), 0);
	ck_assert_int_eq(db_int(path_of("SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'auth_token' AND op_type = 'delete' AND target_id = %lld "
	    "AND target_name = 'kept?' AND op_detail LIKE '%%by a password "
	    "reset'", tid)), 1);
	expect_error(login(name, pw_of(name)), 401, 10006, NULL);
	expect_error(login(name, "reset-pass-2"), 401, 10006, NULL);
	expect_status(login(name, "reset-pass-1"), 200);
}
END_TEST

START_TEST(expired_reset_token_is_refused)
{
	const char	*name = uniq("afx");
	char		 email[128], token[41], *mail, body[256], sql[256];
	long long	 id;

	snprintf(email, sizeof(email), "%s@example.com", name);
	id = mkuser_email(name, email);
	expect_status(api_f("POST", path_of("/users/%lld/actions/forget-password/",
	    id), NULL, "{\"email\": \"%s\"}", email), 200);
	mail = mail_to(email);
	ck_assert_msg(mail != NULL, "no mail to %s", email);
	token_in(mail, token);
	free(mail);
	snprintf(sql, sizeof(sql), "UPDATE password_resets SET expires = "
	    "UTC_TIMESTAMP() - INTERVAL 1 SECOND WHERE user_id = %lld", id);
	free(db_str(sql));
	snprintf(body, sizeof(body), "{\"token\": \"%s\", \"new_password\": "
	    "\"too-late-1\"}", token);
	expect_error(api("POST", "/auth/reset-password/", NULL, body), 400, 10002,
	    "token");
	expect_status(login(name, pw_of(name)), 200);
}
END_TEST

/*
 * The reset mail goes to the address on record, never to the one asked
 * for: the database matches "exámple.com" to "example.com", and whoever
 * owns the look-alike domain must not receive the victim's reset link.
 */
START_TEST(reset_mail_goes_to_the_stored_address)
{
	const char	*name = uniq("afv");
	char		 email[128], lookalike[128];
	long long	 id;

	snprintf(email, sizeof(email), "%s@example.com", name);
	snprintf(lookalike, sizeof(lookalike), "%s@ex\u00e1mple.com", name);
	id = mkuser_email(name, email);
	expect_status(api_f("POST", path_of("/users/%lld/actions/forget-password/",
	    id), NULL, "{\"email\": \"%s\"}", lookalike), 200);
	ck_assert_msg(no_mail_to(lookalike), "reset mail sent to %s", lookalike);
	snprintf(lookalike, sizeof(lookalike), "%s@EXAMPLE.COM", name);
	expect_status(api_f("POST", path_of("/users/%lld/actions/forget-password/",
	    id), NULL, "{\"email\": \"%s\"}", lookalike), 200);
	ck_assert(no_mail_to(lookalike));
}
END_TEST

/*
 * A slow mail server does not slow the answer: its time would tell the
 * caller that the address was right.
 */
START_TEST(answer_does_not_wait_for_the_mail)
{
	const char	*name = uniq("afs");
	char		 email[128], path[4096], *mail;
	struct timespec	 t0, t1;
	double		 took;
	long long	 id;
	FILE		*f;

	snprintf(email, sizeof(email), "%s@example.com", name);
	id = mkuser_email(name, email);
	snprintf(path, sizeof(path), "%s/delay-ms", getenv("HANGAR_SMTP_DIR"));
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fputs("3000\n", f);
	fclose(f);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect_status(api_f("POST", path_of("/users/%lld/actions/forget-password/",
	    id), NULL, "{\"email\": \"%s\"}", email), 200);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	took = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(took < 1.5, "the answer took %.2f s (mail server: 3 s)",
	    took);
	mail = mail_to(email);
	unlink(path);
	ck_assert_msg(mail != NULL, "no mail to %s", email);
	free(mail);
}
END_TEST

START_TEST(disabled_user_gets_no_mail)
{
	const char	*name = uniq("afd");
	char		 email[128];
	long long	 id;

	snprintf(email, sizeof(email), "%s@example.com", name);
	id = mkuser_email(name, email);
	expect_status(api("POST", path_of("/users/%lld/actions/disable/", id),
	    admin_token(), NULL), 200);
	expect_status(api_f("POST", path_of("/users/%lld/actions/forget-password/",
	    id), NULL, "{\"email\": \"%s\"}", email), 200);
	ck_assert(no_mail_to(email));
	ck_assert_int_eq(db_int(path_of("SELECT COUNT(*) FROM password_resets "
	    "WHERE user_id = %lld", id)), 0);
}
END_TEST

START_TEST(reset_bad_input)
{
	static const struct field_spec forget[] = {
		{ "email", 1, "string", 254, NULL },
	};
	static const struct field_spec reset[] = {
		{ "token", 1, "string", 128, NULL },
		{ "new_password", 1, "string", 1024, NULL },
	};
	const char	*name = uniq("afb");
	long long	 id = mkuser_email(name, "afb@example.com");

	bad_input_battery("POST", path_of("/users/%lld/actions/forget-password/",
	    id), NULL, "{\"email\": \"afb@example.com\"}", forget, 1, TABLES);
	bad_input_battery("POST", "/auth/reset-password/", NULL,
	    "{\"token\": \"abc\", \"new_password\": \"12345678\"}", reset, 2,
	    TABLES);
	expect_error(api("POST", path_of("/users/%lld/actions/forget-password/",
	    id), NULL, "{\"email\": \"not-an-address\"}"), 400, 10002, "email");
}
END_TEST

static TCase *
tc_login(void)
{
	TCase *tc = tcase_create("login");

	tcase_add_checked_fixture(tc, clear_all_counters, NULL);
	tcase_add_unchecked_fixture(tc, NULL, clear_all_counters);
	tcase_add_test(tc, login_returns_user_and_cookie);
	tcase_add_test(tc, login_failures_look_alike);
	tcase_add_test(tc, login_bad_input);
	tcase_add_test(tc, throttle_per_username_and_address);
	tcase_add_test(tc, throttle_is_race_free);
	tcase_add_test(tc, throttle_per_username_everywhere);
	tcase_add_test(tc, throttle_per_address);
	tcase_add_test(tc, throttle_ignores_username_case);
	tcase_add_test(tc, login_username_is_exact);
	tcase_add_test(tc, success_resets_user_count);
	return tc;
}

static TCase *
tc_session(void)
{
	TCase *tc = tcase_create("session");

	tcase_add_checked_fixture(tc, clear_all_counters, NULL);
	tcase_add_unchecked_fixture(tc, NULL, clear_all_counters);
	tcase_add_test(tc, cookie_mutations_need_csrf);
	tcase_add_test(tc, bad_cookies_are_401);
	tcase_add_test(tc, cookie_among_others);
	tcase_add_test(tc, sessions_expire);
	tcase_add_test(tc, logout_ends_the_session);
	tcase_add_test(tc, me_with_token_and_cookie);
	tcase_add_test(tc, commit_clears_every_cache);
	tcase_add_test(tc, other_commits_keep_the_cache);
	tcase_add_test(tc, outside_change_holds_within_ttl);
	return tc;
}

static TCase *
tc_reset(void)
{
	TCase *tc = tcase_create("reset");

	tcase_add_checked_fixture(tc, clear_all_counters, NULL);
	tcase_add_unchecked_fixture(tc, NULL, clear_all_counters);
	tcase_add_test(tc, forget_and_reset_password);
	tcase_add_test(tc, expired_reset_token_is_refused);
	tcase_add_test(tc, reset_mail_goes_to_the_stored_address);
	tcase_add_test(tc, answer_does_not_wait_for_the_mail);
	tcase_add_test(tc, disabled_user_gets_no_mail);
	tcase_add_test(tc, reset_bad_input);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_login, tc_session,
	    tc_reset };

	return run_suite("auth", cases, sizeof(cases) / sizeof(cases[0])) ?
	    1 : 0;
}
