/*
 * authlib.h -- helpers the foundation's API tests share (test_users.c,
 * test_roles.c, test_tokens.c, test_auth.c, test_resilience.c): checking a
 * User object field by field, RFC 3339 times, logging in with a cookie, and
 * clearing the login throttle counters a test left behind.
 *
 * Header-only (static functions) because the Makefile links each
 * t/api/test_NAME.c with client.o alone.
 */
#ifndef HG_TEST_AUTHLIB_H
#define HG_TEST_AUTHLIB_H

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"

#define UNUSED	__attribute__((unused))

/* Seconds since the epoch of an RFC 3339 time as Hangar writes it; -1 if not one. */
static UNUSED long long
rfc3339_secs(const char *s)
{
	regex_t		re;
	struct tm	tm;
	int		ok, oh = 0, om = 0;
	char		sign = 'Z';

	if (s == NULL)
		return -1;
	ck_assert_int_eq(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:"
	    "[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$", REG_EXTENDED), 0);
	ok = regexec(&re, s, 0, NULL, 0) == 0;
	regfree(&re);
	if (!ok)
		return -1;
	memset(&tm, 0, sizeof(tm));
	sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec);
	if (s[19] != 'Z')
		sscanf(s + 19, "%c%2d:%2d", &sign, &oh, &om);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	/* local time = UTC + offset */
	return (long long)timegm(&tm) - (sign == '-' ? -1 : 1) *
	    (oh * 3600LL + om * 60LL);
}

/* Assert that field path of j is an RFC 3339 time within a minute of now. */
#define expect_recent(j, path) do {					\
	const char	*t_ = jstr((j), (path));			\
	long long	 s_ = rfc3339_secs(t_);				\
									\
	ck_assert_msg(s_ > 0, "%s is not RFC 3339: %s", (path),		\
	    t_ ? t_ : "(null)");					\
	ck_assert_msg(llabs(s_ - (long long)time(NULL)) < 60,		\
	    "%s is not now: %s", (path), t_);				\
} while (0)

/* Is path in j present and JSON null? */
static UNUSED int
jnull(json_object *j, const char *path)
{
	const char	*dot = strrchr(path, '.');
	json_object	*parent = j, *v;
	char		 head[256];

	if (dot != NULL) {
		snprintf(head, sizeof(head), "%.*s", (int)(dot - path), path);
		parent = jpath(j, head);
		path = dot + 1;
	}
	return parent != NULL && json_object_object_get_ex(parent, path, &v) &&
	    v == NULL;
}

static UNUSED int
jbool(json_object *j, const char *path)
{
	json_object *v = jpath(j, path);

	ck_assert_msg(v != NULL && json_object_is_type(v, json_type_boolean),
	    "%s is not a boolean", path);
	return json_object_get_boolean(v);
}

static UNUSED size_t
jlen(json_object *j, const char *path)
{
	json_object *v = path ? jpath(j, path) : j;

	ck_assert_msg(v != NULL && json_object_is_type(v, json_type_array),
	    "%s is not an array", path ? path : "body");
	return json_object_array_length(v);
}

/* The number of keys of the object at path. */
static UNUSED int
jkeys(json_object *j, const char *path)
{
	json_object *v = path ? jpath(j, path) : j;

	ck_assert_msg(v != NULL && json_object_is_type(v, json_type_object),
	    "%s is not an object", path ? path : "body");
	return json_object_object_length(v);
}

/*
 * Check every field of the User object u: exactly the documented keys,
 * each with its value; roles given as "id:name,id:name" ("" for none).
 * Never a password or its hash.
 */
static UNUSED void
expect_user(json_object *u, long long id, const char *username,
    const char *name, const char *email, const char *phone,
    const char *status, int super, const char *roles)
{
	const char	*json = json_object_to_json_string(u);
	char		 got[2048] = "", item[300];
	size_t		 i, n;

	ck_assert_msg(u != NULL, "no user object");
	ck_assert_int_eq(jkeys(u, NULL), 10);
	ck_assert_int_eq(jint(u, "id"), id);
	ck_assert_str_eq(jstr(u, "username"), username);
	ck_assert_str_eq(jstr(u, "name"), name);
	ck_assert_str_eq(jstr(u, "email"), email);
	ck_assert_str_eq(jstr(u, "phone"), phone);
	ck_assert_str_eq(jstr(u, "status"), status);
	ck_assert_int_eq(jbool(u, "is_superuser"), super);
	n = jlen(u, "roles");
	for (i = 0; i < n; i++) {
		json_object *r = json_object_array_get_idx(jpath(u, "roles"), i);

		ck_assert_int_eq(jkeys(r, NULL), 2);
		snprintf(item, sizeof(item), "%s%lld:%s", i ? "," : "",
		    jint(r, "id"), jstr(r, "name"));
		strncat(got, item, sizeof(got) - strlen(got) - 1);
	}
	ck_assert_str_eq(got, roles);
	ck_assert_msg(rfc3339_secs(jstr(u, "created_time")) > 0,
	    "created_time: %s", json);
	ck_assert_msg(jnull(u, "last_login") ||
	    rfc3339_secs(jstr(u, "last_login")) > 0, "last_login: %s", json);
	ck_assert_msg(strstr(json, "argon2") == NULL &&
	    strstr(json, "password") == NULL, "password leaked: %s", json);
}

/* Does text (no quotes in it) appear in any of the stack's logs? */
static UNUSED int
in_logs(const char *text)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "grep -rqF -- '%s' '%s/log'", text,
	    getenv("HANGAR_DIR"));
	return system(cmd) == 0;
}

/* Forget the failed logins of username and of 127.0.0.1. */
static UNUSED void
clear_login_counters(const char *username)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "redis-cli -s %1$s/redis.sock DEL "
	    "hangar:login:user:%2$s hangar:login:pair:%2$s:127.0.0.1 "
	    "hangar:login:addr:127.0.0.1 >/dev/null", getenv("HANGAR_DIR"),
	    username);
	ck_assert_int_eq(system(cmd), 0);
}

/* A cookie session: "Cookie: ..." and "X-CSRF-Token: ..." header lines. */
struct session {
	char	cookie[200];
	char	csrf[200];
	char	value[100];	/* the cookie's value alone */
};

/* Log in with username/password; the login response (caller frees). */
static UNUSED struct resp *
login(const char *username, const char *password)
{
	return api_f("POST", "/auth/login/", NULL,
	    "{\"username\": \"%s\", \"password\": \"%s\"}", username, password);
}

/* Log in and keep the session; asserts that it worked. */
static UNUSED void
login_session(const char *username, const char *password, struct session *s)
{
	struct resp	*r = login(username, password);
	const char	*c;

	ck_assert_msg(r->status == 200, "login %s: %ld %s", username, r->status,
	    r->body);
	c = resp_header(r, "Set-Cookie");
	ck_assert_ptr_nonnull(c);
	ck_assert_msg(strncmp(c, "hangar_session=", 15) == 0, "cookie %s", c);
	snprintf(s->value, sizeof(s->value), "%.*s", (int)strcspn(c + 15, ";"),
	    c + 15);
	snprintf(s->cookie, sizeof(s->cookie), "Cookie: hangar_session=%s",
	    s->value);
	snprintf(s->csrf, sizeof(s->csrf), "X-CSRF-Token: %s",
	    jstr(r->json, "csrf_token"));
	resp_free(r);
}

/* A request authenticated by the session cookie, with or without CSRF. */
static UNUSED struct resp *
api_cookie(const char *method, const char *path, const struct session *s,
    int csrf, const char *json)
{
	const char *h[3] = { s->cookie, csrf ? s->csrf : NULL, NULL };

	return api_raw(method, path, NULL, json ? "application/json" : NULL,
	    json, json ? strlen(json) : 0, h);
}

/* The password of a user made by user_token(). */
static UNUSED const char *
pw_of(const char *name)
{
	static char pw[200];

	snprintf(pw, sizeof(pw), "password-%s", name);
	return pw;
}

#endif
