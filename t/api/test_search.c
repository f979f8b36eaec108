/*
 * test_search.c -- the substring filters served by the substring indexes
 * (sql/080_search.sql): GET /hosts/?name= and ?ip=, GET /applications/
 * ?name= and ?full_name=, GET /users/?username=, ?name= and ?email= answer
 * exactly what a scan of every row with the filter's LIKE answers (same
 * rows, same order, same count), on names in upper and lower case, with
 * accents, in Chinese, with LIKE's metacharacters and with repeats longer
 * than a window, and keep doing so after renames, address changes, moves
 * and deletes; the windows match their rows, whoever wrote them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "client.h"

/* x as the filter's LIKE pattern, '%x%' with % _ \ taken literally. */
static const char *
like_of(const char *x)
{
	static char	buf[8][1024];
	static int	n;
	char		*b = buf[n++ % 8], *p = b;

	*p++ = '%';
	for (; *x != '\0' && p < b + sizeof(buf[0]) - 4; x++) {
		if (*x == '%' || *x == '_' || *x == '\\')
			*p++ = '\\';
		*p++ = *x;
	}
	*p++ = '%';
	*p = '\0';
	return sqlq(b);
}

/*
 * GET list?param=text&page_size=100 answers "count:id,id,..." exactly as
 * the scan (SQL, the rows of table matching cond, a condition on the
 * filter's pattern %s) does.
 */
static void
same_as_scan(const char *list, const char *param, const char *text_in,
    const char *table, const char *cond_in)
{
	char		*text = strdup(text_in), *cond = strdup(cond_in);
	char		*enc = curl_easy_escape(NULL, text, 0), *want, *where, *q;
	char		 got[4096];
	struct resp	*r;
	size_t		 i, n, len;

	q = strdup(fmt("%s?%s=%s&page_size=100", list, param, enc));
	curl_free(enc);
	r = api("GET", q, admin_token(), NULL);
	ck_assert_msg(r->status == 200, "%s: %ld %s", q, r->status, r->body);
	len = (size_t)snprintf(got, sizeof(got), "%lld:",
	    jint(r->json, "count"));
	n = json_object_array_length(jpath(r->json, "results"));
	for (i = 0; i < n && len < sizeof(got); i++)
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%lld",
		    i ? "," : "", jint(r->json, fmt("results.%zu.id", i)));
	resp_free(r);
	where = strdup(fmt(cond, like_of(text)));
	want = db_str(fmt("SELECT CONCAT((SELECT COUNT(*) FROM %s WHERE %s), "
	    "':', COALESCE((SELECT GROUP_CONCAT(id ORDER BY id DESC) FROM "
	    "(SELECT id FROM %s WHERE %s ORDER BY id DESC LIMIT 100) x), ''))",
	    table, where, table, where));
	ck_assert_msg(strcmp(got, want) == 0, "%s (text \"%s\"): API %s, "
	    "scan %s", q, text, got, want);
	free(want);
	free(where);
	free(q);
	free(text);
	free(cond);
}

#define HOSTS_NAME(t) same_as_scan("/hosts/", "name", (t), "hosts", \
	"name_fold LIKE LOWER('%s')")
#define HOSTS_IP(t) same_as_scan("/hosts/", "ip", (t), "hosts", \
	"id IN (SELECT host_id FROM host_addresses WHERE address LIKE " \
	"CONVERT('%s' USING ascii))")
#define APPS(p, col, t) same_as_scan("/applications/", (p), (t), \
	"applications", col " LIKE '%s'")
#define USERS(p, t) same_as_scan("/users/", (p), (t), "users", \
	p " LIKE '%s'")

/* The count GET path answers. */
static long long
count_of(const char *path)
{
	struct resp	*r = api("GET", path, admin_token(), NULL);
	long long	 n;

	ck_assert_msg(r->status == 200, "%s: %s", path, r->body);
	n = jint(r->json, "count");
	resp_free(r);
	return n;
}

static char *
enc(const char *s)
{
	char	*e = curl_easy_escape(NULL, s, 0), *out = strdup(e);

	curl_free(e);
	return out;
}

/* A JSON string literal of s (for names with quotes and backslashes). */
static const char *
js(const char *s)
{
	json_object	*o = json_object_new_string(s);
	char		*out = fmt("%s", json_object_to_json_string(o));

	json_object_put(o);
	return out;
}

static long long
host(const char *name, const char *addr1, const char *addr2)
{
	return api_create("/hosts/", "{\"name\": %s, \"host_type\": "
	    "\"PHY_HOST\", \"ip_address\": [{\"address\": \"%s\"}, "
	    "{\"address\": \"%s\", \"addr_type\": \"PUBLIC\"}]}", js(name),
	    addr1, addr2);
}

/*
 * Every window of every indexed text is in its table, nothing else is:
 * the triggers kept them whoever wrote the rows (this suite, the API
 * tests before it, direct SQL).
 */
static void
windows_match_rows(void)
{
	static const struct {
		const char *tbl, *field, *text, *rows;
	} ix[] = {
		{ "search_bin", "1", "r.name_fold", "hosts" },
		{ "search_bin", "2", "LOWER(r.address)", "host_addresses" },
		{ "search_ci", "1", "r.name", "applications" },
		{ "search_ci", "2", "RIGHT(r.full_name, CHAR_LENGTH(r.name) + "
		    "(r.parent_id IS NOT NULL))", "applications" },
		{ "search_ci", "3", "r.username", "users" },
		{ "search_ci", "4", "r.name", "users" },
		{ "search_ci", "5", "r.email", "users" },
	};
	size_t		i;
	long long	have, want, wrong;

	for (i = 0; i < sizeof(ix) / sizeof(ix[0]); i++) {
		have = db_int(fmt("SELECT COUNT(*) FROM %s WHERE field = %s",
		    ix[i].tbl, ix[i].field));
		want = db_int(fmt("SELECT COALESCE(SUM(GREATEST(CHAR_LENGTH("
		    "%s) - 2, 0)), 0) FROM %s r", ix[i].text, ix[i].rows));
		wrong = db_int(fmt("SELECT COUNT(*) FROM %s s LEFT JOIN %s r "
		    "ON r.id = s.id WHERE s.field = %s AND (r.id IS NULL OR "
		    "BINARY s.k <> BINARY SUBSTRING(%s, CHAR_LENGTH(%s) - "
		    "s.rpos + 1, 16))", ix[i].tbl, ix[i].rows, ix[i].field,
		    ix[i].text, ix[i].text));
		ck_assert_msg(have == want && wrong == 0, "%s field %s: %lld "
		    "windows for %lld, %lld wrong", ix[i].tbl, ix[i].field, have,
		    want, wrong);
	}
}

/* Host names: every kind of text, indexed (3+) and scanned (1-2). */
START_TEST(host_names_match_the_scan)
{
	const char	*t = strdup(uniq("Srch"));
	const char	*names[] = {
		strdup(fmt("%s-Web01.SH.example", t)),
		strdup(fmt("%s-ÉCOLE-été", t)),
		strdup(fmt("%s-主机上海一号", t)),
		strdup(fmt("%s-a%%b", t)), strdup(fmt("%s-aZZb", t)),
		strdup(fmt("%s-a_b", t)), strdup(fmt("%s-aQb", t)),
		strdup(fmt("%s-a\\b", t)), strdup(fmt("%s-a\\\\b", t)),
		strdup(fmt("%s-abcabcabcabcabcabcabcabcabc", t)),
		strdup(fmt("%s-%s", t, "0123456789012345678901234567890123456789"
		    "0123456789012345678901234567890123456789")),
	};
	const char	*texts[] = {
		t, "web01.sh", "WEB01.SH.EXAMPLE", "h.ex", ".sh.", "-we",
		"école", "ÉCOLE", "ecole", "été", "ÉTÉ", "Été", "e-é",
		"主机", "上海一", "主机上海一号", "机",
		"a%b", "a_b", "a\\b", "a\\\\b", "%", "_", "\\", "%b", "_b",
		"a%", "\\b", "zzb", "qb",
		"abcabcabcabcabca", "abcabcabcabcabcab",
		"cabcabcabcabcabcabcabcabc", "bca", "ab",
		"4567890123456789", "45678901234567890", "9-",
		"no-such-host-name-anywhere", "x", "",
	};
	size_t		 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		host(names[i], fmt("10.%zu.3.4", 200 + i),
		    fmt("fd00:ab::%zx", 0xc0 + i));
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		HOSTS_NAME(texts[i]);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		HOSTS_NAME(names[i]);
	/* A host's name compares case, not accents: é is É, e is not. */
	ck_assert_int_eq(count_of(fmt("/hosts/?name=%s", enc(fmt("%s-école",
	    t)))), 1);
	ck_assert_int_eq(count_of(fmt("/hosts/?name=%s", enc(fmt("%s-ecole",
	    t)))), 0);
	ck_assert_int_eq(count_of(fmt("/hosts/?name=%s", enc(fmt("%s-a%%b",
	    t)))), 1);
	ck_assert_int_eq(count_of(fmt("/hosts/?name=%s", enc(fmt("%s-a_b",
	    t)))), 1);
	ck_assert_int_eq(count_of(fmt("/hosts/?name=%s", enc(fmt("%s-a\\b",
	    t)))), 1);
	/* With the other filters, and a page past the end. */
	same_as_scan("/hosts/", "host_type=PHY_HOST&name", t, "hosts",
	    "host_type = 'PHY_HOST' AND name_fold LIKE LOWER('%s')");
	same_as_scan("/hosts/", "status=inited&name", t, "hosts",
	    "status = 'inited' AND name_fold LIKE LOWER('%s')");
	ck_assert_int_eq(count_of(fmt("/hosts/?name=%s&page=99", t)),
	    (long long)(sizeof(names) / sizeof(names[0])));
	windows_match_rows();
}
END_TEST

/* Address substrings; a whole address still matches as an address. */
START_TEST(host_addresses_match_the_scan)
{
	const char	*t = strdup(uniq("Srip"));
	/* Texts that are not whole addresses (those match as addresses). */
	const char	*texts[] = { "10.231.", "231.7", ".231.7.", "FD00:AB:",
		":ab::e7", ":AB::E", "d00:ab:", "0.23", "31.7.9", "d00", "10", "9.", "." };
	size_t		 i;

	host(fmt("%s-a", t), "10.231.7.9", "fd00:ab::e7");
	host(fmt("%s-b", t), "10.231.7.19", "FD00:AB::E71");
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		HOSTS_IP(texts[i]);
	ck_assert_int_eq(count_of("/hosts/?ip=10.231.7.9"), 1);
	ck_assert_int_eq(count_of("/hosts/?ip=FD00:AB::E7"), 1);
	ck_assert_int_eq(count_of("/hosts/?ip=231.7.&page_size=1"), 2);
	same_as_scan("/hosts/", fmt("name=%s&ip", t), "231.7", "hosts",
	    fmt("name_fold LIKE LOWER('%%%%%s%%%%') AND id IN (SELECT host_id "
	    "FROM host_addresses WHERE address LIKE '%%s')", sqlq(t)));
	windows_match_rows();
}
END_TEST

/* Renames, address changes and deletes move a host in and out of matches. */
START_TEST(host_changes_follow)
{
	const char	*t = strdup(uniq("Srmv")), *q;
	long long	 id, other;
	struct resp	*r;

	id = host(fmt("%s-old.bj.example", t), "10.232.1.1", "10.232.1.2");
	other = host(fmt("%s-keep.bj.example", t), "10.232.2.1",
	    "10.232.2.2");
	q = fmt("/hosts/?name=%s-old", t);
	ck_assert_int_eq(count_of(q), 1);
	r = api_f("PATCH", path_of("/hosts/%lld/", id), admin_token(),
	    "{\"name\": \"%s-New.bj.example\", \"ip_address\": "
	    "[{\"address\": \"10.233.9.9\"}]}", t);
	expect_status(r, 200);
	ck_assert_int_eq(count_of(q), 0);
	ck_assert_int_eq(count_of(fmt("/hosts/?name=%s-new.bj", t)), 1);
	ck_assert_int_eq(count_of(fmt("/hosts/?name=%s-", t)), 2);
	ck_assert_int_eq(count_of("/hosts/?ip=232.1."), 0);
	ck_assert_int_eq(count_of("/hosts/?ip=233.9"), 1);
	HOSTS_NAME(fmt("%s-new", t));
	HOSTS_IP("10.23");
	/* A rename that keeps the end of the name, and one in case only. */
	r = api_f("PATCH", path_of("/hosts/%lld/", id), admin_token(),
	    "{\"name\": \"%s-NEWER.bj.example\"}", t);
	expect_status(r, 200);
	ck_assert_int_eq(count_of(fmt("/hosts/?name=%s-newer.bj.e", t)), 1);
	r = api_f("PATCH", path_of("/hosts/%lld/", id), admin_token(),
	    "{\"name\": \"%s-newer.BJ.example\"}", t);
	expect_status(r, 200);
	ck_assert_int_eq(count_of(fmt("/hosts/?name=%s-NEWER.bj.e", t)), 1);
	windows_match_rows();
	/* Written behind the API's back: the triggers keep up. */
	db_exec(fmt("UPDATE hosts SET name = '%s-sql.bj.example' WHERE id = "
	    "%lld", sqlq(t), other));
	ck_assert_int_eq(count_of(fmt("/hosts/?name=%s-sql.b", t)), 1);
	ck_assert_int_eq(count_of(fmt("/hosts/?name=%s-keep", t)), 0);
	db_exec(fmt("INSERT INTO host_addresses (host_id, address) VALUES "
	    "(%lld, '10.234.5.6')", other));
	ck_assert_int_eq(count_of("/hosts/?ip=234.5"), 1);
	/* Deleted: gone from every match, its windows too. */
	expect_status(api("DELETE", path_of("/hosts/%lld/", id),
	    admin_token(), NULL), 200);
	expect_status(api("DELETE", path_of("/hosts/%lld/", other),
	    admin_token(), NULL), 200);
	ck_assert_int_eq(count_of(fmt("/hosts/?name=%s-", t)), 0);
	ck_assert_int_eq(count_of("/hosts/?ip=233.9"), 0);
	ck_assert_int_eq(count_of("/hosts/?ip=234.5"), 0);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM search_bin WHERE "
	    "field = 1 AND id IN (%lld, %lld)", id, other)), 0);
	windows_match_rows();
}
END_TEST

/* Applications: unicode_ci's LIKE (accents do not count), full names. */
START_TEST(applications_match_the_scan)
{
	const char	*t = strdup(uniq("Srap")), *q;
	const char	*texts[] = {
		"élan", "ÉLAN", "elan", "Elan2", "中文应用", "文应",
		"x%y", "x_y", "x\\y", "xqy", "%y", "_y",
		"-élan.", "élan.kid", ".KID", "kid", "ki", "n.k", "an.ki",
		"文应用", "应用.", ".", "..", "élan.kid.", "-ÉLAN.KID",
	};
	long long	 root, kid, other;
	size_t		 i;
	struct resp	*r;

	root = api_create("/applications/", "{\"name\": %s}",
	    js(fmt("%s-Élan", t)));
	kid = api_create("/applications/", "{\"name\": \"kid\", "
	    "\"parent_app\": %lld}", root);
	api_create("/applications/", "{\"name\": %s}", js(fmt("%s-élan2", t)));
	api_create("/applications/", "{\"name\": %s}",
	    js(fmt("%s-中文应用", t)));
	api_create("/applications/", "{\"name\": %s}", js(fmt("%s-x%%y", t)));
	api_create("/applications/", "{\"name\": %s}", js(fmt("%s-x_y", t)));
	api_create("/applications/", "{\"name\": %s}", js(fmt("%s-x\\y", t)));
	other = api_create("/applications/", "{\"name\": %s}",
	    js(fmt("%s-xQy", t)));
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		APPS("name", "name", texts[i]);
		APPS("full_name", "full_name", texts[i]);
	}
	APPS("name", "name", t);
	APPS("full_name", "full_name", fmt("%s-Élan.kid", t));
	q = fmt("/applications/?name=%s", enc(fmt("%s-elan", t)));
	ck_assert_int_eq(count_of(q), 2);	/* É is e here */
	/* A move rewrites the subtree's full names; a rename its own. */
	r = api_f("PATCH", path_of("/applications/%lld/", kid), admin_token(),
	    "{\"parent_app\": %lld}", other);
	expect_status(r, 200);
	ck_assert_int_eq(count_of(fmt("/applications/?full_name=%s",
	    enc(fmt("%s-élan.kid", t)))), 0);
	ck_assert_int_eq(count_of(fmt("/applications/?full_name=%s",
	    enc(fmt("%s-XQY.KID", t)))), 1);
	r = api_f("PATCH", path_of("/applications/%lld/", other),
	    admin_token(), "{\"name\": %s}", js(fmt("%s-renamed", t)));
	expect_status(r, 200);
	ck_assert_int_eq(count_of(fmt("/applications/?full_name=%s",
	    enc(fmt("%s-renamed.kid", t)))), 1);
	ck_assert_int_eq(count_of(fmt("/applications/?name=%s",
	    enc(fmt("%s-xqy", t)))), 0);
	APPS("full_name", "full_name", ".kid");
	APPS("name", "name", "renamed");
	expect_status(api("DELETE", path_of("/applications/%lld/", kid),
	    admin_token(), NULL), 200);
	ck_assert_int_eq(count_of(fmt("/applications/?full_name=%s",
	    enc(fmt("%s-renamed.kid", t)))), 0);
	windows_match_rows();
}
END_TEST

/* Users: username, name (the filter is new) and email. */
START_TEST(users_match_the_scan)
{
	const char	*t = strdup(uniq("srus"));
	const char	*texts[] = { "zoë", "ZOE", "ünal", "张伟", "伟",
		"example.c", "@EXAM", "o.s", "_x", "%", "x%z", "x_z" };
	long long	 a, b;
	size_t		 i;

	a = api_create("/users/", "{\"username\": \"%s.a\", \"password\": "
	    "\"12345678\", \"name\": \"Zoë Ünal 张伟\", \"email\": "
	    "\"zoe.%s@Example.com\"}", t, t);
	b = api_create("/users/", "{\"username\": \"%s_b\", \"password\": "
	    "\"12345678\", \"name\": \"x%%z x_z\", \"email\": "
	    "\"b.%s@example.org\"}", t, t);
	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		USERS("username", texts[i]);
		USERS("name", texts[i]);
		USERS("email", texts[i]);
	}
	USERS("username", t);
	USERS("username", fmt("%s_b", t));
	USERS("email", fmt("%s@ex", t));
	ck_assert_int_eq(count_of(fmt("/users/?name=%s&username=%s",
	    enc("zoe ünal"), t)), 1);
	expect_status(api_f("PATCH", path_of("/users/%lld/", a),
	    admin_token(), "{\"name\": \"Renamed\", \"email\": "
	    "\"r.%s@example.net\"}", t), 200);
	ck_assert_int_eq(count_of(fmt("/users/?name=zo&username=%s", t)), 0);
	ck_assert_int_eq(count_of(fmt("/users/?name=renamed&username=%s", t)),
	    1);
	ck_assert_int_eq(count_of(fmt("/users/?email=r.%s@example.n", t)), 1);
	expect_status(api("DELETE", path_of("/users/%lld/", b),
	    admin_token(), NULL), 200);
	ck_assert_int_eq(count_of(fmt("/users/?username=%s_b", t)), 0);
	windows_match_rows();
}
END_TEST

static TCase *
tc_search(void)
{
	TCase *tc = tcase_create("search");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, host_names_match_the_scan);
	tcase_add_test(tc, host_addresses_match_the_scan);
	tcase_add_test(tc, host_changes_follow);
	tcase_add_test(tc, applications_match_the_scan);
	tcase_add_test(tc, users_match_the_scan);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_search };

	return run_suite("search", cases, 1) ? 1 : 0;
}
