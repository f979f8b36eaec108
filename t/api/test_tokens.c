/*
 * test_tokens.c -- /auth-tokens/ (API.md sections 2 and 6, the seed's
 * APIAuthTokens) and their audit trail /audit/auth-token-operations/.
 *
 * A token's whole value is seen once, in the POST response; it acts as its
 * user; every add, update and delete leaves an audit row saying what
 * changed.  Refusals change neither the tokens nor the audit log.
 */
#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authlib.h"

#define TABLES	"auth_tokens,audit_log,users"
#define SQLI	"'; DROP TABLE users; --"
#define ELLIPSIS "\xe2\x80\xa6"

/* The tables this file's refusals must leave as they were. */
#define unchanged(before)	db_unchanged((before), TABLES)

static int
is_hex40(const char *s)
{
	size_t i;

	if (s == NULL || strlen(s) != 40)
		return 0;
	for (i = 0; i < 40; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return 0;
	return 1;
}

/*
 * Every field of a token object; value is NULL for "the shown prefix of
 * full" (8 characters and an ellipsis) when full is given.
 */
static void
expect_token(json_object *o, long long id, const char *name,
    const char *desc, const char *creator, const char *full)
{
	char want[64];

	ck_assert_int_eq(jkeys(o, NULL), 6);
	ck_assert_int_eq(jint(o, "id"), id);
	ck_assert_str_eq(jstr(o, "name"), name);
	ck_assert_str_eq(jstr(o, "description"), desc);
	ck_assert_str_eq(jstr(o, "creator"), creator);
	ck_assert_msg(rfc3339_secs(jstr(o, "created_time")) > 0, "created_time");
	snprintf(want, sizeof(want), "%.8s" ELLIPSIS, full);
	ck_assert_str_eq(jstr(o, "value"), want);
}

/* POST a token as tok; its id, and its whole value into value[41]. */
static long long
mktoken(const char *tok, const char *name, const char *desc, char *value)
{
	struct resp	*r;
	long long	 id;

	r = api_f("POST", "/auth-tokens/", tok, "{\"name\": \"%s\", "
	    "\"description\": \"%s\"}", name, desc);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	ck_assert(is_hex40(jstr(r->json, "value")));
	if (value != NULL)
		snprintf(value, 41, "%s", jstr(r->json, "value"));
	resp_free(r);
	return id;
}

/* ---- tokens ---------------------------------------------------------- */

START_TEST(create_shows_value_once)
{
	const char	*user = uniq("tc");
	long long	 uid, id;
	const char	*tok = user_token(user, 0, &uid);
	struct resp	*r;
	char		 value[41], sql[256], *s;

	r = api("POST", "/auth-tokens/", tok, "{\"name\": \"ci token\", "
	    "\"description\": \"for the build\"}");
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_int_eq(jkeys(r->json, NULL), 6);
	id = jint(r->json, "id");
	ck_assert_str_eq(jstr(r->json, "name"), "ci token");
	ck_assert_str_eq(jstr(r->json, "description"), "for the build");
	ck_assert_str_eq(jstr(r->json, "creator"), user);
	expect_recent(r->json, "created_time");
	ck_assert_msg(is_hex40(jstr(r->json, "value")), "value %s",
	    jstr(r->json, "value"));
	snprintf(value, sizeof(value), "%s", jstr(r->json, "value"));
	resp_free(r);
	/* Later reads show 8 characters and an ellipsis. */
	r = api("GET", path_of("/auth-tokens/%lld/", id), tok, NULL);
	ck_assert_int_eq(r->status, 200);
	expect_token(r->json, id, "ci token", "for the build", user, value);
	ck_assert_ptr_null(strstr(r->body, value));
	resp_free(r);
	r = api("GET", "/auth-tokens/?name=ci%20token", tok, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	expect_token(jpath(r->json, "results.0"), id, "ci token",
	    "for the build", user, value);
	ck_assert_ptr_null(strstr(r->body, value));
	resp_free(r);
	/* The database keeps the prefix and a hash, never the value. */
	snprintf(sql, sizeof(sql), "SELECT CONCAT(prefix, ' ', token_hash, ' ', "
	    "user_id) FROM auth_tokens WHERE id = %lld", id);
	s = db_str(sql);
	ck_assert_ptr_null(strstr(s, value));
	ck_assert_int_eq(strncmp(s, value, 8), 0);
	ck_assert_int_eq(strlen(s), 8 + 1 + 64 + 1 + strlen(path_of("%lld",
	    uid)));
	free(s);
	/* The new token acts as its user. */
	r = api("GET", "/auth/me/", value, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "user.id"), uid);
	ck_assert_str_eq(jstr(r->json, "user.username"), user);
	resp_free(r);
	/* No log holds the value. */
	ck_assert(!in_logs(value));
}
END_TEST

START_TEST(token_acts_as_its_user)
{
	const char	*user = uniq("tas"), *su = uniq("tass");
	long long	 uid, suid;
	const char	*tok = user_token(user, 0, &uid);
	const char	*stok = user_token(su, 1, &suid);

	/* A non-superuser's token cannot do what the user cannot. */
	expect_error(api("GET", "/users/", tok, NULL), 403, 10007, NULL);
	expect_status(api("GET", path_of("/users/%lld/", uid), tok, NULL), 200);
	expect_status(api("GET", "/users/", stok, NULL), 200);
	/* Rights are the user's at the time of each request. */
	expect_status(api("POST", path_of("/users/%lld/actions/disable/", suid),
	    admin_token(), NULL), 200);
	expect_error(api("GET", "/users/", stok, NULL), 401, 10005, NULL);
	expect_status(api("POST", path_of("/users/%lld/actions/enable/", suid),
	    admin_token(), NULL), 200);
	expect_status(api("GET", "/users/", stok, NULL), 200);
	/* The scheme word is case-insensitive; other schemes are refused. */
	{
		const char	*h[] = { NULL, NULL };
		char		 line[128];

		snprintf(line, sizeof(line), "Authorization: token %s", tok);
		h[0] = line;
		expect_status(api_raw("GET", "/auth/me/", NULL, NULL, NULL, 0, h),
		    200);
		snprintf(line, sizeof(line), "Authorization: Bearer %s", tok);
		expect_error(api_raw("GET", "/auth/me/", NULL, NULL, NULL, 0, h),
		    401, 10005, NULL);
	}
}
END_TEST

START_TEST(round_trips_sql_and_unicode)
{
	const char	*tok = user_token(uniq("tsq"), 0, NULL);
	char		 v[41];
	long long	 id = mktoken(tok, "张三", SQLI, v);
	struct resp	*r;

	r = api("GET", path_of("/auth-tokens/%lld/", id), tok, NULL);
	expect_token(r->json, id, "张三", SQLI, jstr(r->json, "creator"), v);
	resp_free(r);
	r = api("GET", "/auth-tokens/?name=%E5%BC%A0%E4%B8%89&description="
	    "%27%3B%20DROP%20TABLE%20users%3B%20--", tok, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), id);
	resp_free(r);
	id = mktoken(tok, SQLI, "张三", v);
	r = api("GET", path_of("/auth-tokens/%lld/", id), tok, NULL);
	expect_token(r->json, id, SQLI, "张三", jstr(r->json, "creator"), v);
	resp_free(r);
	ck_assert_int_gt(db_int("SELECT COUNT(*) FROM users"), 0);
}
END_TEST

START_TEST(list_sees_own_filters_pages)
{
	const char	*user = uniq("tl"), *other = uniq("tlo");
	const char	*tok = user_token(user, 0, NULL);
	const char	*otok = user_token(other, 0, NULL);
	char		 v[3][41], q[256], pre[8];
	long long	 id[3], oid;
	struct resp	*r;
	int		 i;

	for (i = 0; i < 3; i++)
		id[i] = mktoken(tok, i == 1 ? "Deploy Key" : "deploy-key",
		    i == 2 ? "nightly 100%" : "manual", v[i]);
	oid = mktoken(otok, "deploy-key", "manual", NULL);
	/*
	 * user_token() made one token ("test") of each user: the user sees
	 * its own four, never the other's.
	 */
	r = api("GET", "/auth-tokens/?page_size=2", tok, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jkeys(r->json, NULL), 4);
	ck_assert_int_eq(jint(r->json, "count"), 4);
	ck_assert_int_eq(jlen(r->json, "results"), 2);
	expect_token(jpath(r->json, "results.0"), id[2], "deploy-key",
	    "nightly 100%", user, v[2]);
	expect_token(jpath(r->json, "results.1"), id[1], "Deploy Key", "manual",
	    user, v[1]);
	ck_assert_str_eq(jstr(r->json, "next"), "/auth-tokens/?page_size=2&page=2");
	ck_assert(jnull(r->json, "prev"));
	resp_free(r);
	r = api("GET", "/auth-tokens/?page_size=2&page=2", tok, NULL);
	ck_assert_int_eq(jlen(r->json, "results"), 2);
	ck_assert_int_eq(jint(r->json, "results.0.id"), id[0]);
	ck_assert(jnull(r->json, "next"));
	ck_assert_str_eq(jstr(r->json, "prev"), "/auth-tokens/?page_size=2&page=1");
	resp_free(r);
	expect_error(api("GET", path_of("/auth-tokens/%lld/", oid), tok, NULL),
	    404, 10008, NULL);
	/* name: substring, any case; description: % literal. */
	r = api("GET", "/auth-tokens/?name=DEPLOY", tok, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	resp_free(r);
	r = api("GET", "/auth-tokens/?name=y%20k", tok, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), id[1]);
	resp_free(r);
	r = api("GET", "/auth-tokens/?description=100%25", tok, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), id[2]);
	resp_free(r);
	r = api("GET", "/auth-tokens/?description=1_0", tok, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	/* value: the whole value, its first 8, or fewer, match its prefix. */
	snprintf(q, sizeof(q), "/auth-tokens/?value=%s", v[0]);
	r = api("GET", q, tok, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), id[0]);
	resp_free(r);
	snprintf(q, sizeof(q), "/auth-tokens/?value=%.8s", v[1]);
	r = api("GET", q, tok, NULL);
	ck_assert_int_ge(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), id[1]);
	resp_free(r);
	snprintf(pre, sizeof(pre), "%.6s", v[2]);
	snprintf(q, sizeof(q), "/auth-tokens/?value=%s&name=deploy", pre);
	r = api("GET", q, tok, NULL);
	ck_assert_int_ge(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), id[2]);
	resp_free(r);
	/* A superuser sees every user's tokens. */
	snprintf(q, sizeof(q), "/auth-tokens/?value=%.8s", v[0]);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_ge(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), id[0]);
	expect_token(jpath(r->json, "results.0"), id[0], "deploy-key", "manual",
	    user, v[0]);
	resp_free(r);
	r = api("GET", path_of("/auth-tokens/%lld/", oid), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "creator"), other);
	resp_free(r);
}
END_TEST

START_TEST(patch_token)
{
	const char	*user = uniq("tp");
	const char	*tok = user_token(user, 0, NULL);
	char		 v[41];
	long long	 id = mktoken(tok, "old name", "old text", v);
	struct resp	*r;

	r = api("PATCH", path_of("/auth-tokens/%lld/", id), tok,
	    "{\"name\": \"new name\", \"description\": \"张三\"}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	expect_token(r->json, id, "new name", "张三", user, v);
	resp_free(r);
	r = api("PATCH", path_of("/auth-tokens/%lld/", id), tok,
	    "{\"description\": \"\"}");
	ck_assert_int_eq(r->status, 200);
	expect_token(r->json, id, "new name", "", user, v);
	resp_free(r);
	r = api("GET", path_of("/auth-tokens/%lld/", id), tok, NULL);
	expect_token(r->json, id, "new name", "", user, v);
	resp_free(r);
	/* The token still works: renaming does not change its value. */
	expect_status(api("GET", "/auth/me/", v, NULL), 200);
	/* A superuser may rename anyone's. */
	r = api("PATCH", path_of("/auth-tokens/%lld/", id), admin_token(),
	    "{\"name\": \"by admin\"}");
	ck_assert_int_eq(r->status, 200);
	expect_token(r->json, id, "by admin", "", user, v);
	resp_free(r);
}
END_TEST

START_TEST(delete_token)
{
	const char	*tok = user_token(uniq("td"), 0, NULL);
	char		 v[41], v2[41];
	long long	 id = mktoken(tok, "doomed", "", v);
	long long	 id2 = mktoken(tok, "doomed too", "", v2);
	struct resp	*r;
	char		*before;

	expect_status(api("GET", "/auth/me/", v, NULL), 200);
	r = api("DELETE", path_of("/auth-tokens/%lld/", id), tok, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
	expect_error(api("GET", "/auth/me/", v, NULL), 401, 10005, NULL);
	expect_error(api("GET", path_of("/auth-tokens/%lld/", id), tok, NULL),
	    404, 10008, NULL);
	ck_assert_int_eq(db_int(path_of("SELECT COUNT(*) FROM auth_tokens WHERE "
	    "id = %lld", id)), 0);
	/* A token may delete itself; a superuser anyone's. */
	expect_status(api("DELETE", path_of("/auth-tokens/%lld/", id2), v2, NULL),
	    200);
	expect_error(api("GET", "/auth/me/", v2, NULL), 401, 10005, NULL);
	before = db_fingerprint(TABLES);
	expect_error(api("DELETE", path_of("/auth-tokens/%lld/", id), tok, NULL),
	    404, 10008, NULL);
	unchanged(before);
}
END_TEST

START_TEST(others_tokens_are_404)
{
	const char	*tok = user_token(uniq("to"), 0, NULL);
	const char	*otok = user_token(uniq("too"), 0, NULL);
	char		 v[41], *before;
	long long	 id = mktoken(otok, "theirs", "", v);

	before = db_fingerprint(TABLES);
	expect_error(api("GET", path_of("/auth-tokens/%lld/", id), tok, NULL),
	    404, 10008, NULL);
	expect_error(api("PATCH", path_of("/auth-tokens/%lld/", id), tok,
	    "{\"name\": \"mine\"}"), 404, 10008, NULL);
	expect_error(api("DELETE", path_of("/auth-tokens/%lld/", id), tok, NULL),
	    404, 10008, NULL);
	expect_error(api("GET", "/auth-tokens/999999999/", tok, NULL), 404,
	    10008, NULL);
	expect_error(api("PATCH", "/auth-tokens/999999999/", admin_token(),
	    "{\"name\": \"x\"}"), 404, 10008, NULL);
	expect_error(api("DELETE", "/auth-tokens/999999999/", admin_token(),
	    NULL), 404, 10008, NULL);
	unchanged(before);
	expect_status(api("GET", "/auth/me/", v, NULL), 200);
}
END_TEST

START_TEST(bad_input)
{
	static const struct field_spec create[] = {
		{ "name", 1, "string", 128, NULL },
		{ "description", 0, "string", 1024, NULL },
	};
	static const struct field_spec patch[] = {
		{ "name", 0, "string", 128, NULL },
		{ "description", 0, "string", 1024, NULL },
	};
	const char	*tok = user_token(uniq("tb"), 0, NULL);
	long long	 id = mktoken(tok, "t", "", NULL);
	char		*before;

	bad_input_battery("POST", "/auth-tokens/", tok,
	    "{\"name\": \"t\", \"description\": \"d\"}", create, 2, TABLES);
	bad_input_battery("PATCH", path_of("/auth-tokens/%lld/", id), tok,
	    "{\"name\": \"t\", \"description\": \"d\"}", patch, 2, TABLES);
	before = db_fingerprint(TABLES);
	expect_error(api("POST", "/auth-tokens/", tok, "{\"name\": \"\"}"), 400,
	    10002, "name");
	expect_error(api("POST", "/auth-tokens/", tok, "{\"name\": \"a\\tb\"}"),
	    400, 10002, "name");
	expect_error(api("PATCH", path_of("/auth-tokens/%lld/", id), tok,
	    "{\"name\": \"\"}"), 400, 10002, "name");
	unchanged(before);
	/* The longest accepted values work. */
	{
		char name[129], desc[1025];

		memset(name, 'n', 128);
		name[128] = '\0';
		memset(desc, 'd', 1024);
		desc[1024] = '\0';
		mktoken(tok, name, desc, NULL);
	}
}
END_TEST

START_TEST(anonymous_is_401)
{
	char *before = db_fingerprint(TABLES);

	expect_error(api("GET", "/auth-tokens/", NULL, NULL), 401, 10005, NULL);
	expect_error(api("POST", "/auth-tokens/", NULL, "{\"name\": \"x\"}"),
	    401, 10005, NULL);
	expect_error(api("GET", "/auth-tokens/1/", NULL, NULL), 401, 10005, NULL);
	expect_error(api("PATCH", "/auth-tokens/1/", NULL, "{\"name\": \"x\"}"),
	    401, 10005, NULL);
	expect_error(api("DELETE", "/auth-tokens/1/", NULL, NULL), 401, 10005,
	    NULL);
	expect_error(api("GET", "/audit/auth-token-operations/", NULL, NULL),
	    401, 10005, NULL);
	unchanged(before);
}
END_TEST

/* ---- audit ------------------------------------------------------------ */

/* Every field of an audit row. */
static void
expect_op(json_object *o, const char *token_name, const char *op_type,
    const char *detail_re, const char *operator)
{
	regex_t re;

	ck_assert_int_eq(jkeys(o, NULL), 6);
	ck_assert_int_gt(jint(o, "id"), 0);
	ck_assert_str_eq(jstr(o, "token_name"), token_name);
	ck_assert_str_eq(jstr(o, "op_type"), op_type);
	ck_assert_str_eq(jstr(o, "operator"), operator);
	expect_recent(o, "op_time");
	ck_assert_int_eq(regcomp(&re, detail_re, REG_EXTENDED | REG_NOSUB), 0);
	ck_assert_msg(regexec(&re, jstr(o, "op_detail"), 0, NULL, 0) == 0,
	    "op_detail \"%s\" does not match /%s/", jstr(o, "op_detail"),
	    detail_re);
	regfree(&re);
}

START_TEST(audit_add_update_delete)
{
	const char	*user = uniq("ta");
	const char	*tok = user_token(user, 0, NULL);
	char		 v[41], q[512], re[512], *before;
	long long	 id;
	struct resp	*r;

	id = mktoken(tok, "audited", "first", v);
	expect_status(api("PATCH", path_of("/auth-tokens/%lld/", id), tok,
	    "{\"name\": \"renamed\", \"description\": \"second\"}"), 200);
	expect_status(api("DELETE", path_of("/auth-tokens/%lld/", id), tok,
	    NULL), 200);
	snprintf(q, sizeof(q), "/audit/auth-token-operations/?operator=%s", user);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	/* user_token()'s own token, then ours: add, update, delete. */
	ck_assert_int_eq(jint(r->json, "count"), 4);
	snprintf(re, sizeof(re), "\"renamed\".*%.8s.*%s", v, user);
	expect_op(jpath(r->json, "results.0"), "renamed", "delete", re, user);
	snprintf(re, sizeof(re), "\"audited\".*%.8s.*name: \"audited\" -> "
	    "\"renamed\".*description: \"first\" -> \"second\"", v);
	expect_op(jpath(r->json, "results.1"), "renamed", "update", re, user);
	snprintf(re, sizeof(re), "\"audited\".*%.8s.*%s", v, user);
	expect_op(jpath(r->json, "results.2"), "audited", "add", re, user);
	ck_assert_ptr_null(strstr(r->body, v));
	ck_assert_int_gt(jint(r->json, "results.1.id"),
	    jint(r->json, "results.2.id"));
	resp_free(r);
	/* A superuser acting on someone's token is the operator. */
	id = mktoken(tok, "second", "", NULL);
	expect_status(api("DELETE", path_of("/auth-tokens/%lld/", id),
	    admin_token(), NULL), 200);
	r = api("GET", "/audit/auth-token-operations/?operator=admin&"
	    "op_type=delete&page_size=1", admin_token(), NULL);
	expect_op(jpath(r->json, "results.0"), "second", "delete", "second",
	    "admin");
	resp_free(r);
	/* Refusals leave no audit row. */
	before = db_fingerprint(TABLES);
	expect_error(api("PATCH", path_of("/auth-tokens/%lld/", id), tok,
	    "{\"name\": \"x\"}"), 404, 10008, NULL);
	expect_error(api("POST", "/auth-tokens/", tok, "{}"), 400, 10002,
	    "name");
	unchanged(before);
}
END_TEST

/* Deleting a user deletes its tokens: each is audited too. */
START_TEST(audit_user_deletion)
{
	const char	*user = uniq("tau");
	long long	 uid;
	const char	*tok = user_token(user, 0, &uid);
	char		 v[41], q[512], re[256];
	long long	 id = mktoken(tok, "left behind", "", v);
	struct resp	*r;

	expect_status(api("DELETE", path_of("/users/%lld/", uid), admin_token(),
	    NULL), 200);
	snprintf(q, sizeof(q), "/audit/auth-token-operations/?operator=admin&"
	    "op_type=delete&page_size=2");
	r = api("GET", q, admin_token(), NULL);
	snprintf(re, sizeof(re), "^deleted token \"left behind\" \\(%.8s"
	    ELLIPSIS "\\) of %s", v, user);
	expect_op(jpath(r->json, "results.0"), "left behind", "delete", re,
	    "admin");
	/* And user_token()'s token, "test", before it. */
	expect_op(jpath(r->json, "results.1"), "test", "delete", user, "admin");
	ck_assert_int_lt(jint(r->json, "results.1.id"),
	    jint(r->json, "results.0.id"));
	resp_free(r);
	ck_assert_int_eq(db_int(path_of("SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'auth_token' AND op_type = 'delete' AND target_id = %lld",
	    id)), 1);
}
END_TEST

START_TEST(audit_filters)
{
	const char	*user = uniq("taf");
	const char	*tok = user_token(user, 0, NULL);
	char		 q[512], when[64];
	long long	 id;
	struct resp	*r;
	time_t		 now = time(NULL);
	struct tm	 tm;

	id = mktoken(tok, "f1", "", NULL);
	expect_status(api("PATCH", path_of("/auth-tokens/%lld/", id), tok,
	    "{\"name\": \"f2\"}"), 200);
	snprintf(q, sizeof(q), "/audit/auth-token-operations/?operator=%s&"
	    "op_type=update", user);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	expect_op(jpath(r->json, "results.0"), "f2", "update",
	    "name: \"f1\" -> \"f2\"", user);
	resp_free(r);
	snprintf(q, sizeof(q), "/audit/auth-token-operations/?operator=%s&"
	    "op_type=add", user);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	resp_free(r);
	/* Operator: substring, any case. */
	snprintf(q, sizeof(q), "/audit/auth-token-operations/?operator=%s", user);
	for (size_t i = 0; q[i]; i++)
		if (q[i] == '=')
			for (size_t k = i; q[k]; k++)
				q[k] = (char)toupper((unsigned char)q[k]);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	resp_free(r);
	/* Time bounds, inclusive: Unix seconds, RFC 3339, dates. */
	snprintf(q, sizeof(q), "/audit/auth-token-operations/?operator=%s&"
	    "op_time__gt=%lld&op_time__lt=%lld", user, (long long)now - 120,
	    (long long)now + 120);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	resp_free(r);
	snprintf(q, sizeof(q), "/audit/auth-token-operations/?operator=%s&"
	    "op_time__gt=%lld", user, (long long)now + 3600);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	snprintf(q, sizeof(q), "/audit/auth-token-operations/?operator=%s&"
	    "op_time__lt=%lld", user, (long long)now - 3600);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	tm.tm_year += 1;
	snprintf(q, sizeof(q), "/audit/auth-token-operations/?operator=%s&"
	    "op_time__lt=%04d-12-31", user, tm.tm_year + 1900);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	resp_free(r);
	snprintf(q, sizeof(q), "/audit/auth-token-operations/?operator=%s&"
	    "op_time__gt=%04d-01-01", user, tm.tm_year + 1900);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	(void)when;
	/* Pages. */
	snprintf(q, sizeof(q), "/audit/auth-token-operations/?operator=%s&"
	    "page_size=2", user);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert_int_eq(jlen(r->json, "results"), 2);
	snprintf(q, sizeof(q), "/audit/auth-token-operations/?operator=%s&"
	    "page_size=2&page=2", user);
	ck_assert_str_eq(jstr(r->json, "next"), q);
	resp_free(r);
	/* Bad filters. */
	expect_error(api("GET", "/audit/auth-token-operations/?op_type=create",
	    admin_token(), NULL), 400, 10002, "op_type");
	expect_error(api("GET", "/audit/auth-token-operations/?op_time__gt=soon",
	    admin_token(), NULL), 400, 10002, "op_time__gt");
	expect_error(api("GET", "/audit/auth-token-operations/?op_time__lt="
	    "2020-13-45", admin_token(), NULL), 400, 10002, "op_time__lt");
	/* Superusers only. */
	expect_error(api("GET", "/audit/auth-token-operations/", tok, NULL), 403,
	    10007, NULL);
}
END_TEST

static TCase *
tc_tokens(void)
{
	TCase *tc = tcase_create("tokens");

	tcase_add_test(tc, create_shows_value_once);
	tcase_add_test(tc, token_acts_as_its_user);
	tcase_add_test(tc, round_trips_sql_and_unicode);
	tcase_add_test(tc, list_sees_own_filters_pages);
	tcase_add_test(tc, patch_token);
	tcase_add_test(tc, delete_token);
	tcase_add_test(tc, others_tokens_are_404);
	tcase_add_test(tc, bad_input);
	tcase_add_test(tc, anonymous_is_401);
	return tc;
}

static TCase *
tc_audit(void)
{
	TCase *tc = tcase_create("audit");

	tcase_add_test(tc, audit_add_update_delete);
	tcase_add_test(tc, audit_user_deletion);
	tcase_add_test(tc, audit_filters);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_tokens, tc_audit };

	return run_suite("tokens", cases, sizeof(cases) / sizeof(cases[0])) ?
	    1 : 0;
}
