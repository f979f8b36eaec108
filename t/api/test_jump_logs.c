/*
 * test_jump_logs.c -- /common-utils/jump-server-logs/: the seed's 跳板机日志
 * listing (keyword, user, host, time__gt, time__lt, paged) and API.md
 * section 4's ingestion by a bastion (issue 15): all or nothing,
 * idempotent by the lines' client ids, bounded, permissions.
 *
 * Every test works on hosts named uniquely for it, so that its searches
 * see its own lines only; every refusal is checked for its code and for
 * leaving the log and its index unchanged.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "authlib.h"
#include "deploylib.h"

#define TABLES	"jump_logs,jump_log_words,jump_log_suffixes,jump_log_postings," \
		"jump_log_names"
#define PATH	"/common-utils/jump-server-logs/"
#define SQLI	"'; DROP TABLE users; --"

static char *
fingerprint(void)
{
	(void)admin_token();
	return db_fingerprint(TABLES);
}

static void
unchanged(char *before)
{
	char *after = fingerprint();

	ck_assert_str_eq(before, after);
	free(before);
	free(after);
}

/* A 10002 naming key (with its dots and brackets) in errors. */
#define item_error(r, key) item_error_at(__LINE__, (r), (key))
static void
item_error_at(int line, struct resp *r, const char *key)
{
	ck_assert_msg(names_key(r, key), "line %d: %s not named: %ld %s",
	    line, key, r->status, r->body);
	expect_error(r, 400, 10002, NULL);
}

/* GET PATH?query as tok: 200 required. */
static struct resp *
list(const char *tok, const char *query)
{
	struct resp *r = api("GET", fmt(PATH "?%s", query), tok, NULL);

	ck_assert_msg(r->status == 200, "%s: %ld %s", query, r->status, r->body);
	return r;
}

/* The count of GET PATH?query as the admin. */
static long long
count_of(const char *query)
{
	struct resp	*r = list(admin_token(), query);
	long long	 n = jint(r->json, "count");

	ck_assert_int_eq(jlen(r->json, "results"), n < 10 ? n : 10);
	resp_free(r);
	return n;
}

/* POST body as tok: 201 required; stored and duplicates checked. */
static void
ingest(const char *tok, const char *body, long long received,
    long long stored, long long dups)
{
	struct resp *r = api("POST", PATH, tok, body);

	ck_assert_msg(r->status == 201, "%ld %s", r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	ck_assert_int_eq(jint(r->json, "received"), received);
	ck_assert_int_eq(jint(r->json, "stored"), stored);
	ck_assert_int_eq(jint(r->json, "duplicates"), dups);
	resp_free(r);
}

START_TEST(ingest_and_search)
{
	const char	*h = uniq("bast"), *id1 = uniq("c"), *id2 = uniq("c");
	struct resp	*r;
	json_object	*o;

	ingest(admin_token(), fmt("[{\"id\": \"%s\", \"user\": \"alice\", "
	    "\"host\": \"%s\", \"text\": \"sudo systemctl restart Nginx.service\", "
	    "\"created_time\": \"2018-04-18T15:38:40+08:00\"}, {\"id\": \"%s\", "
	    "\"user\": \"bob\", \"host\": \"%s-b\", \"text\": \"tail -f "
	    "/var/log/syslog | grep -i error\", \"created_time\": 1600000000}, "
	    "{\"user\": \"carol\", \"host\": \"%s\", \"text\": \"ls -la\"}]",
	    id1, h, id2, h, h), 3, 3, 0);
	/* Newest first, the object's five keys, times in RFC 3339. */
	r = list(admin_token(), fmt("host=%s", h));
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert(jnull(r->json, "next") && jnull(r->json, "prev"));
	o = jpath(r->json, "results.2");
	ck_assert_int_eq(jkeys(o, NULL), 5);
	ck_assert_str_eq(jstr(o, "user"), "alice");
	ck_assert_str_eq(jstr(o, "host"), h);
	ck_assert_str_eq(jstr(o, "text"), "sudo systemctl restart Nginx.service");
	ck_assert_int_eq(rfc3339_secs(jstr(o, "created_time")), 1524037120);
	ck_assert_int_eq(rfc3339_secs(jstr(r->json, "results.1.created_time")),
	    1600000000);
	ck_assert_str_eq(jstr(r->json, "results.0.user"), "carol");
	expect_recent(jpath(r->json, "results.0"), "created_time");
	ck_assert_int_gt(jint(r->json, "results.0.id"),
	    jint(r->json, "results.1.id"));
	resp_free(r);
	/* keyword: case-insensitive substring, inside a word, across words. */
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=nginx", h)), 1);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=GINX.SER", h)), 1);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=ystemctl%%20rest", h)),
	    1);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=%%7C%%20grep", h)), 1);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=-", h)), 2);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=SYS", h)), 2);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=sys%%20", h)), 0);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=s", h)), 3);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=restarts", h)), 0);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=%%25", h)), 0);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=l_a", h)), 0);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=", h)), 3);
	/* user and host: substrings; time bounds inclusive. */
	ck_assert_int_eq(count_of(fmt("host=%s&user=LIC", h)), 1);
	ck_assert_int_eq(count_of(fmt("host=%s-B", h)), 1);
	ck_assert_int_eq(count_of(fmt("host=%s&time__gt=1600000000", h)), 2);
	ck_assert_int_eq(count_of(fmt("host=%s&time__gt=1600000001", h)), 1);
	ck_assert_int_eq(count_of(fmt("host=%s&time__lt=1600000000", h)), 2);
	ck_assert_int_eq(count_of(fmt("host=%s&time__lt=2018-04-18", h)), 1);
	ck_assert_int_eq(count_of(fmt("host=%s&time__gt=2018-04-18&"
	    "time__lt=2018-04-18", h)), 1);
	/* Pages; the seed's example path is an alias. */
	r = list(admin_token(), fmt("host=%s&page_size=2&page=2", h));
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert_int_eq(jlen(r->json, "results"), 1);
	ck_assert(jnull(r->json, "next"));
	ck_assert(!jnull(r->json, "prev"));
	resp_free(r);
	r = api("GET", fmt("/common-utils/jump-server-log?host=%s", h),
	    admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	resp_free(r);
	/* The index holds the words once each, a posting per line and word. */
	ck_assert_int_eq(db_int("SELECT COUNT(*) FROM jump_log_words WHERE "
	    "word IN ('sudo', 'systemctl', 'nginx', 'service', 'la')"), 5);
	ck_assert_int_eq(db_int("SELECT COUNT(*) FROM jump_log_suffixes x JOIN "
	    "jump_log_words w ON w.id = x.word_id WHERE w.word = 'nginx'"), 4);
	ck_assert_int_eq(db_int("SELECT COUNT(*) FROM jump_log_suffixes x JOIN "
	    "jump_log_words w ON w.id = x.word_id WHERE w.word = 'nginx' AND "
	    "x.suffix IN ('nginx', 'ginx', 'inx', 'nx')"), 4);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM jump_log_postings p "
	    "JOIN jump_logs l ON l.id = p.log_id WHERE l.host = '%s'", h)),
	    5 + 2);
}
END_TEST

START_TEST(round_trips_sql_and_unicode)
{
	const char	*h = uniq("uni");
	const char	*text = "echo '\\u4f60\\u597d' > /tmp/\\u65e5\\u5fd7.txt; "
			    "\\t" SQLI " %_\\\\";
	struct resp	*r;

	ingest(admin_token(), fmt("[{\"user\": \"\\u738b\\u4e94\", \"host\": "
	    "\"%s\", \"text\": \"%s\"}]", h, text), 1, 1, 0);
	r = list(admin_token(), fmt("host=%s", h));
	ck_assert_str_eq(jstr(r->json, "results.0.user"), "王五");
	ck_assert_str_eq(jstr(r->json, "results.0.text"),
	    "echo '你好' > /tmp/日志.txt; \t" SQLI " %_\\");
	resp_free(r);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=%%E4%%BD%%A0%%E5%%A5%%BD",
	    h)), 1);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=%%E6%%97%%A5%%E5%%BF%%97."
	    "TXT", h)), 1);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=drop%%20table", h)), 1);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=%%25_%%5C", h)), 1);
	ck_assert_int_eq(count_of(fmt("host=%s&user=%%E7%%8E%%8B", h)), 1);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=%s", h,
	    "%27%3B%20DROP")), 1);
	ck_assert_int_eq(db_int("SELECT COUNT(*) FROM users") > 0, 1);
}
END_TEST

/*
 * user and host: a filter contained in one name reads that name's lines
 * from its index, newest first; one contained in several, or none, gives
 * the same answers as a scan would.
 */
START_TEST(user_and_host_by_index)
{
	const char	*u = uniq("usr"), *h = uniq("hst");
	char		*ua = strdup(fmt("%s-a", u)), *uab = strdup(fmt("%s-ab", u));
	struct resp	*r;
	char		*plan;
	int		 i;

	for (i = 0; i < 3; i++)
		ingest(admin_token(), fmt("[{\"user\": \"%s\", \"host\": \"%s\", "
		    "\"text\": \"ls %d\", \"created_time\": %d}, {\"user\": "
		    "\"%s\", \"host\": \"%s-x\", \"text\": \"pwd %d\", "
		    "\"created_time\": %d}]", ua, h, i, 1600000000 + i, uab, h, i,
		    1600000000 + i), 2, 2, 0);
	/* one name: its lines, newest first, case-insensitive, paged */
	ck_assert_int_eq(count_of(fmt("user=%s", uab)), 3);
	ck_assert_int_eq(count_of(fmt("user=%s-AB", u)), 3);
	r = list(admin_token(), fmt("user=%s&page_size=2&page=1", uab));
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert_str_eq(jstr(r->json, "results.0.text"), "pwd 2");
	ck_assert_str_eq(jstr(r->json, "results.1.text"), "pwd 1");
	resp_free(r);
	r = list(admin_token(), fmt("user=%s&page_size=2&page=2", uab));
	ck_assert_int_eq(jlen(r->json, "results"), 1);
	ck_assert_str_eq(jstr(r->json, "results.0.text"), "pwd 0");
	resp_free(r);
	ck_assert_int_eq(count_of(fmt("host=%s-x", h)), 3);
	ck_assert_int_eq(count_of(fmt("host=%s-x&time__gt=1600000001", h)), 2);
	ck_assert_int_eq(count_of(fmt("user=%s&host=%s-x", uab, h)), 3);
	ck_assert_int_eq(count_of(fmt("user=%s&keyword=pwd", uab)), 3);
	ck_assert_int_eq(count_of(fmt("user=%s&keyword=-", uab)), 0);
	/* several names, or a name whose other filter rules all out */
	ck_assert_int_eq(count_of(fmt("user=%s", ua)), 6);
	ck_assert_int_eq(count_of(fmt("host=%s", h)), 6);
	ck_assert_int_eq(count_of(fmt("user=%s&host=%s-x", ua, h)), 3);
	ck_assert_int_eq(count_of(fmt("user=%s&host=nohost-%s", uab, h)), 0);
	ck_assert_int_eq(count_of(fmt("user=nouser-%s&host=%s", u, h)), 0);
	ck_assert_int_eq(count_of(fmt("user=%s%%25", uab)), 0);
	/* the names are kept (sql/098), once each, case-insensitively */
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM jump_log_names WHERE "
	    "kind = 0 AND name IN ('%s', '%s')", ua, uab)), 2);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM jump_log_names WHERE "
	    "kind = 1 AND name LIKE '%s%%'", h)), 2);
	ingest(admin_token(), fmt("[{\"user\": \"%s\", \"host\": \"%s\", "
	    "\"text\": \"ls\"}]", uab, h), 1, 1, 0);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM jump_log_names WHERE "
	    "name LIKE '%s%%' OR name LIKE '%s%%'", u, h)), 4);
	/* The line page reads the name's index (sql/095_jump_log_user_host.sql). */
	plan = db_str(fmt("EXPLAIN FORMAT=JSON SELECT id FROM jump_logs l FORCE "
	    "INDEX (jump_logs_host) WHERE l.host = '%s-x' AND l.id > 0 ORDER BY "
	    "l.id DESC LIMIT 10", h));
	ck_assert_msg(strstr(plan, "\"key\": \"jump_logs_host\"") != NULL &&
	    strstr(plan, "filesort") == NULL, "%s", plan);
	free(plan);
	free(ua);
	free(uab);
}
END_TEST

/* Rows read by the server so far (every handler read counter). */
static long long
rows_read(void)
{
	return db_int("SELECT SUM(VARIABLE_VALUE) FROM information_schema."
	    "GLOBAL_STATUS WHERE VARIABLE_NAME IN ('HANDLER_READ_FIRST', "
	    "'HANDLER_READ_KEY', 'HANDLER_READ_LAST', 'HANDLER_READ_NEXT', "
	    "'HANDLER_READ_PREV', 'HANDLER_READ_RND', 'HANDLER_READ_RND_NEXT')");
}

/*
 * A user filter, asked again and again on one connection, reads the
 * names and that user's lines, not the log: 095's loose scan of (user,
 * id) became a scan of every entry from the prepared statement's third
 * run on a connection that had run the page's LIKE (MariaDB 10.11).
 */
START_TEST(user_filter_reads_names_not_lines)
{
	const char	*u = uniq("few"), *h = uniq("fewh"), *fh = uniq("fill");
	size_t		 cap = 5000 * 80 + 16, len = 0;
	char		*filler = malloc(cap);
	long long	 names, before, read;
	int		 i;

	/* 5,000 lines of another user (no word other tests count) */
	ck_assert_ptr_nonnull(filler);
	filler[len++] = '[';
	for (i = 0; i < 5000; i++)
		len += (size_t)snprintf(filler + len, cap - len, "%s{\"user\": "
		    "\"filler\", \"host\": \"%s\", \"text\": \"df %d\"}",
		    i ? "," : "", fh, i);
	filler[len++] = ']';
	filler[len] = '\0';
	ingest(admin_token(), filler, 5000, 5000, 0);
	free(filler);
	ingest(admin_token(), fmt("[{\"user\": \"%s\", \"host\": \"%s\", "
	    "\"text\": \"uptime\"}]", u, h), 1, 1, 0);
	names = db_int("SELECT COUNT(*) FROM jump_log_names");
	ck_assert_int_ge(db_int("SELECT COUNT(*) FROM jump_logs"), 5000);
	before = rows_read();
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(count_of(fmt("user=%s", u + 1)), 1);
	read = rows_read() - before;
	/* each: the names, the auth, a page and a count of one line */
	ck_assert_msg(read < 8 * (names + 100), "%lld rows read for 8 "
	    "searches (%lld names)", read, names);
}
END_TEST

START_TEST(idempotent_retry)
{
	const char	*h = uniq("idem"), *a = uniq("a"), *b = uniq("b"),
			*c = uniq("c");
	const char	*batch = fmt("[{\"id\": \"%s\", \"user\": \"u\", \"host\": "
			    "\"%s\", \"text\": \"one\"}, {\"id\": \"%s\", "
			    "\"user\": \"u\", \"host\": \"%s\", \"text\": "
			    "\"two\"}]", a, h, b, h);
	char		*before;

	ingest(admin_token(), batch, 2, 2, 0);
	before = fingerprint();
	/* A retry after a lost reply stores nothing. */
	ingest(admin_token(), batch, 2, 0, 2);
	unchanged(before);
	/* Half old, half new: the new half only; an id twice: once. */
	ingest(admin_token(), fmt("[{\"id\": \"%s\", \"user\": \"u\", \"host\": "
	    "\"%s\", \"text\": \"two\"}, {\"id\": \"%s\", \"user\": \"u\", "
	    "\"host\": \"%s\", \"text\": \"three\"}, {\"id\": \"%s\", \"user\": "
	    "\"u\", \"host\": \"%s\", \"text\": \"three again\"}]", b, h, c, h,
	    c, h), 3, 1, 2);
	ck_assert_int_eq(count_of(fmt("host=%s", h)), 3);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=again", h)), 0);
	/* A numeric id is its text; lines without an id are not deduplicated. */
	ingest(admin_token(), fmt("[{\"id\": %lld, \"user\": \"u\", \"host\": "
	    "\"%s\", \"text\": \"n\"}, {\"user\": \"u\", \"host\": \"%s\", "
	    "\"text\": \"n\"}]", (long long)getpid() * 1000 + 7, h, h), 2, 2, 0);
	ingest(admin_token(), fmt("[{\"id\": \"%lld\", \"user\": \"u\", "
	    "\"host\": \"%s\", \"text\": \"n\"}, {\"user\": \"u\", \"host\": "
	    "\"%s\", \"text\": \"n\"}]", (long long)getpid() * 1000 + 7, h, h),
	    2, 1, 1);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=n", h)), 3 + 1);
	ingest(admin_token(), "[]", 0, 0, 0);
}
END_TEST

/*
 * Two bastions ship at once, their batches full of the same new words:
 * both are stored, and every word finds both batches' lines.  (While one
 * batch's INSERT IGNORE waited for a word the other added, the other
 * committed it; a plain SELECT of the new words' ids then read the
 * transaction's older snapshot, missed it and failed the batch with a
 * 500: a third of the batches in the ingestion benchmark.)
 */
START_TEST(concurrent_batches_share_new_words)
{
	enum { LINES = 2000, WORDS = 300, ROUNDS = 4 };
	const char	*tok = admin_token();
	int		 round, i, fds[2], status;
	pid_t		 kid;

	for (round = 0; round < ROUNDS; round++) {
		/* one word: uniq()'s dashes would split it */
		const char	*tag = fmt("cw%ldr%d", (long)getpid(), round);
		const char	*host[2];
		char		*body[2], go = 'g';
		size_t		 cap = (size_t)LINES * 160 + 16, len;
		int		 b;
		struct resp	*r;

		for (b = 0; b < 2; b++) {
			host[b] = uniq(b ? "cwb" : "cwa");
			body[b] = malloc(cap);
			ck_assert_ptr_nonnull(body[b]);
			len = 0;
			body[b][len++] = '[';
			for (i = 0; i < LINES; i++)
				len += (size_t)snprintf(body[b] + len, cap - len,
				    "%s{\"user\": \"u\", \"host\": \"%s\", "
				    "\"text\": \"cat /srv/%sw%d %sw%d\"}",
				    i ? "," : "", host[b], tag, i % WORDS,
				    tag, (i * 7 + b) % WORDS);
			body[b][len++] = ']';
			body[b][len] = '\0';
		}
		ck_assert_int_eq(pipe(fds), 0);
		if ((kid = fork()) == 0) {
			close(fds[1]);
			if (read(fds[0], &go, 1) != 1)
				_exit(2);
			r = api("POST", PATH, tok, body[1]);
			_exit(r->status == 201 ? 0 : 1);
		}
		ck_assert_int_gt(kid, 0);
		close(fds[0]);
		ck_assert_int_eq(write(fds[1], &go, 1), 1);
		close(fds[1]);
		r = api("POST", PATH, tok, body[0]);
		ck_assert_msg(r->status == 201, "round %d: %ld %s", round,
		    r->status, r->body);
		resp_free(r);
		ck_assert_int_eq(waitpid(kid, &status, 0), kid);
		ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		    "round %d: the other bastion's batch was refused", round);
		for (b = 0; b < 2; b++) {
			ck_assert_int_eq(count_of(fmt("host=%s", host[b])), LINES);
			ck_assert_int_eq(count_of(fmt("host=%s&keyword=%sw7",
			    host[b], tag)), db_int(fmt("SELECT COUNT(*) FROM "
			    "jump_logs WHERE host = '%s' AND text LIKE '%%%sw7%%'",
			    host[b], tag)));
			free(body[b]);
		}
	}
}
END_TEST

/* A body of n lines for host h (malloc'd). */
static char *
lines(int n, const char *h)
{
	size_t	 cap = (size_t)n * 96 + 16, len = 0;
	char	*s = malloc(cap);
	int	 i;

	ck_assert_ptr_nonnull(s);
	s[len++] = '[';
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s{\"user\": \"u\", "
		    "\"host\": \"%s\", \"text\": \"bulkcmd %d\"}", i ? "," : "", h, i);
	s[len++] = ']';
	s[len] = '\0';
	return s;
}

START_TEST(all_or_nothing_and_bounds)
{
	const char	*h = uniq("aon");
	char		 ok[256];
	static const char *const bad[][2] = {
		{ "{\"host\": \"h\", \"text\": \"t\"}", "[1].user" },
		{ "{\"user\": \"u\", \"text\": \"t\"}", "[1].host" },
		{ "{\"user\": \"u\", \"host\": \"h\"}", "[1].text" },
		{ "{\"user\": 5, \"host\": \"h\", \"text\": \"t\"}", "[1].user" },
		{ "{\"user\": \"u\", \"host\": [], \"text\": \"t\"}", "[1].host" },
		{ "{\"user\": \"u\", \"host\": \"h\", \"text\": {}}", "[1].text" },
		{ "{\"user\": \"u\", \"host\": \"h\", \"text\": null}", "[1].text" },
		{ "{\"user\": \"\", \"host\": \"h\", \"text\": \"t\"}", "[1].user" },
		{ "{\"user\": \"u\\u0001\", \"host\": \"h\", \"text\": \"t\"}",
		    "[1].user" },
		{ "{\"user\": \"u\", \"host\": \"h\", \"text\": \"\\u001b[31m\"}",
		    "[1].text" },
		{ "{\"user\": \"u\", \"host\": \"h\", \"text\": \"a\\u0000b\"}",
		    "[1].text" },
		{ "{\"user\": \"u\", \"host\": \"h\", \"text\": \"t\", "
		    "\"created_time\": \"yesterday\"}", "[1].created_time" },
		{ "{\"user\": \"u\", \"host\": \"h\", \"text\": \"t\", "
		    "\"created_time\": true}", "[1].created_time" },
		{ "{\"user\": \"u\", \"host\": \"h\", \"text\": \"t\", "
		    "\"created_time\": 999999999999}", "[1].created_time" },
		{ "{\"user\": \"u\", \"host\": \"h\", \"text\": \"t\", "
		    "\"created_time\": \"10000-01-01\"}", "[1].created_time" },
		{ "{\"user\": \"u\", \"host\": \"h\", \"text\": \"t\", \"id\": "
		    "\"a b\"}", "[1].id" },
		{ "{\"user\": \"u\", \"host\": \"h\", \"text\": \"t\", \"id\": "
		    "\"\"}", "[1].id" },
		{ "{\"user\": \"u\", \"host\": \"h\", \"text\": \"t\", \"id\": "
		    "true}", "[1].id" },
		{ "\"" SQLI "\"", "[1]" },
	};
	static const char *const hdr[] = { NULL };
	static const char nonutf8[] = "[{\"user\": \"u\", \"host\": \"h\", "
	    "\"text\": \"\xff\xfe\"}]";
	char		*before = fingerprint(), *big, *over;
	struct resp	*r;
	size_t		 i, n;

	snprintf(ok, sizeof(ok), "{\"user\": \"u\", \"host\": \"%s\", "
	    "\"text\": \"fine\"}", h);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		item_error(api("POST", PATH, admin_token(), fmt("[%s, %s, %s]",
		    ok, bad[i][0], ok)), bad[i][1]);
	/* Too long: user 65, host 256, text 4097 characters. */
	item_error(api("POST", PATH, admin_token(), fmt("[{\"user\": "
	    "\"%065d\", \"host\": \"h\", \"text\": \"t\"}]", 1)), "[0].user");
	big = malloc(5000);
	memset(big, 'x', 4097);
	big[4097] = '\0';
	n = strlen(big);
	over = malloc(n + 128);
	snprintf(over, n + 128, "[{\"user\": \"u\", \"host\": \"h\", \"text\": "
	    "\"%s\"}]", big);
	item_error(api("POST", PATH, admin_token(), over), "[0].text");
	big[4096] = '\0';
	snprintf(over, n + 128, "[{\"user\": \"u\", \"host\": \"%s\", "
	    "\"text\": \"%s\"}]", h, big);
	free(big);
	/* Not an array, not JSON, not UTF-8, not JSON's content type. */
	expect_error(api("POST", PATH, admin_token(), ok), 400, 10002, NULL);
	expect_error(api("POST", PATH, admin_token(), "[{\"user\": "), 400,
	    10001, NULL);
	item_error(api("POST", PATH, admin_token(), "[1, 2]"), "[0]");
	r = api_raw("POST", PATH, admin_token(), "application/json", nonutf8,
	    strlen(nonutf8), hdr);
	ck_assert_int_eq(r->status, 400);
	resp_free(r);
	r = api_raw("POST", PATH, admin_token(), "text/plain", "[]", 2, hdr);
	ck_assert_int_eq(r->status, 415);
	resp_free(r);
	/* 10,001 lines: 400, nothing stored; the body limit: 413. */
	big = lines(10001, h);
	expect_error(api("POST", PATH, admin_token(), big), 400, 10002, NULL);
	free(big);
	big = malloc(2 * 1024 * 1024 + 8);
	memset(big, ' ', 2 * 1024 * 1024);
	memcpy(big, "[", 1);
	memcpy(big + 2 * 1024 * 1024 - 1, "]", 2);
	expect_error(api("POST", PATH, admin_token(), big), 413, 10004, NULL);
	free(big);
	unchanged(before);
	/* 10,000 lines and a 4096-character text are taken. */
	big = lines(10000, h);
	ingest(admin_token(), big, 10000, 10000, 0);
	free(big);
	ingest(admin_token(), over, 1, 1, 0);
	free(over);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=bulkcmd%%209999", h)), 1);
	ck_assert_int_eq(count_of(fmt("host=%s&keyword=xxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", h)), 1);
	/* count: exact up to 10,000, then a lower bound that says so. */
	r = list(admin_token(), fmt("host=%s", h));
	ck_assert_int_eq(jint(r->json, "count"), 10000);
	ck_assert(!jbool(r->json, "count_exact"));
	ck_assert(!jnull(r->json, "next"));
	resp_free(r);
	/* A plain word's count comes from its postings alone. */
	r = list(admin_token(), "keyword=bulkcmd");
	ck_assert_int_eq(jint(r->json, "count"), 10000);
	ck_assert(json_object_object_get_ex(r->json, "count_exact", NULL) == 0);
	resp_free(r);
	ingest(admin_token(), "[{\"user\": \"u\", \"host\": \"elsewhere\", "
	    "\"text\": \"BULKCMD\"}]", 1, 1, 0);
	r = list(admin_token(), "keyword=bulkcmd");
	ck_assert_int_eq(jint(r->json, "count"), 10000);
	ck_assert(!jbool(r->json, "count_exact"));
	ck_assert_str_eq(jstr(r->json, "results.0.text"), "BULKCMD");
	resp_free(r);
	r = list(admin_token(), fmt("host=%s&page=1000&page_size=10", h));
	ck_assert_int_eq(jlen(r->json, "results"), 10);
	ck_assert(!jnull(r->json, "next"));
	resp_free(r);
	r = list(admin_token(), fmt("host=%s&page=1001&page_size=10", h));
	ck_assert_int_eq(jint(r->json, "count"), 10001);
	ck_assert_int_eq(jlen(r->json, "results"), 1);
	ck_assert(jnull(r->json, "next"));
	ck_assert(json_object_object_get_ex(r->json, "count_exact", NULL) == 0);
	resp_free(r);
}
END_TEST

START_TEST(bad_query)
{
	char *before = fingerprint();

	expect_error(api("GET", PATH "?time__gt=soon", admin_token(), NULL),
	    400, 10002, "time__gt");
	expect_error(api("GET", PATH "?time__lt=2018-13-01", admin_token(),
	    NULL), 400, 10002, "time__lt");
	expect_error(api("GET", PATH "?page_size=1001", admin_token(), NULL),
	    400, 10002, "page_size");
	expect_error(api("GET", fmt(PATH "?keyword=%0257d", 1), admin_token(),
	    NULL), 400, 10002, "keyword");
	expect_error(api("GET", fmt(PATH "?user=%065d", 1), admin_token(),
	    NULL), 400, 10002, "user");
	unchanged(before);
}
END_TEST

START_TEST(auth_and_permissions)
{
	long long	 uid, cdn, lg;
	const char	*none = user_token(uniq("jn"), 0, &uid);
	const char	*cdntok = user_token(uniq("jc"), 0, &cdn);
	const char	*logtok = user_token(uniq("jl"), 0, &lg);
	const char	*h = uniq("perm");
	const char	*body = fmt("[{\"user\": \"u\", \"host\": \"%s\", "
			    "\"text\": \"t\"}]", h);
	char		*before = fingerprint();

	grant_module(cdn, "common_tools", "enable_common_tools");
	grant_module(cdn, "common_tools", "enable_cdn_refresher");
	grant_module(lg, "common_tools", "enable_common_tools");
	grant_module(lg, "common_tools", "enable_jumpserver_log_mgmt");
	expect_error(api("GET", PATH, NULL, NULL), 401, 10005, NULL);
	expect_error(api("POST", PATH, NULL, body), 401, 10005, NULL);
	expect_error(api("POST", PATH, "not-a-token", body), 401, 10005, NULL);
	expect_error(api("GET", PATH, none, NULL), 403, 10007, NULL);
	expect_error(api("POST", PATH, none, body), 403, 10007, NULL);
	expect_error(api("GET", PATH, cdntok, NULL), 403, 10007, NULL);
	expect_error(api("POST", PATH, cdntok, body), 403, 10007, NULL);
	/* Refused before the body is judged. */
	expect_error(api("POST", PATH, none, "[{]"), 403, 10007, NULL);
	unchanged(before);
	/* The log switch reads and ingests. */
	ingest(logtok, body, 1, 1, 0);
	ck_assert_int_eq(count_of(fmt("host=%s", h)), 1);
	resp_free(list(logtok, fmt("host=%s", h)));
}
END_TEST

static TCase *
tc_jump_logs(void)
{
	TCase *tc = tcase_create("jump_logs");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, ingest_and_search);
	tcase_add_test(tc, round_trips_sql_and_unicode);
	tcase_add_test(tc, concurrent_batches_share_new_words);
	tcase_add_test(tc, user_filter_reads_names_not_lines);
	tcase_add_test(tc, user_and_host_by_index);
	tcase_add_test(tc, idempotent_retry);
	tcase_add_test(tc, all_or_nothing_and_bounds);
	tcase_add_test(tc, bad_query);
	tcase_add_test(tc, auth_and_permissions);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_jump_logs };

	return run_suite("jump_logs", cases, 1) ? 1 : 0;
}
