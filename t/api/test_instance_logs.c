/*
 * test_instance_logs.c -- GET /applications/{id}/instance/{iid}/log/ (the
 * seed's 实例日志) against real OpenSSH sshd test hosts (t/sshd-hosts.sh):
 * files of known content are written into a host's folder by the test and
 * read back over SFTP through the API, in every mode and parameter.
 *
 * Hosts: 127.0.0.91 is a live sshd; 127.0.0.92 has no sshd at all (502);
 * 127.0.0.93 is a proxy in this process that relays to .91 and then stops
 * passing the server's bytes on mid-read (504 from the watchdog);
 * 127.0.0.94 accepts connections and never answers (504 while connecting).
 * The sshd hosts listen on port 20000 + HANGAR_TEST_PORT % 10000, as
 * test_agent's do, in a folder of their own.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "client.h"

#define H_LIVE		91
#define H_NONE		92
#define H_STALL		93
#define H_MUTE		94

static char	 sshdir[600];		/* the sshd hosts' folder */
static char	 harness[600];		/* t/sshd-hosts.sh */
static int	 sshport;

/* ---- helpers --------------------------------------------------------- */

static int
sh(const char *f, ...)
{
	char	cmd[4096];
	va_list	ap;

	va_start(ap, f);
	vsnprintf(cmd, sizeof(cmd), f, ap);
	va_end(ap);
	return system(cmd);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A file on the live host (its folder is local: sshd runs here). */
static char *
hostfile(const char *name)
{
	return fmt("%s/h%d/home/%s", sshdir, H_LIVE, name);
}

static void
put(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_msg(f != NULL, "%s", path);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

/* The SSH key credential the test hosts accept. */
static long long
credential(void)
{
	static long long id;
	char	*key, *sealed, *sql, path[700];
	FILE	*f;
	long	 n;

	if (id != 0)
		return id;
	snprintf(path, sizeof(path), "%s/client_key", sshdir);
	ck_assert((f = fopen(path, "r")) != NULL);
	key = calloc(1, 8192);
	n = (long)fread(key, 1, 8191, f);
	fclose(f);
	ck_assert_int_gt(n, 0);
	sealed = stack_seal(key);
	ck_assert(asprintf(&sql, "INSERT INTO credentials (kind, name, secret) "
	    "VALUES ('ssh_key', '%s', '%s')", uniq("logkey"), sealed) > 0);
	id = db_insert(sql);
	free(sql);
	free(sealed);
	free(key);
	return id;
}

/* A PHY_HOST at 127.0.0.octet logging in as root with the test key. */
static long long
mkhost(int octet)
{
	long long id;

	id = db_insert(fmt("INSERT INTO hosts (name, host_type, status, "
	    "ssh_port, ssh_user, credential_id) VALUES ('%s', 'PHY_HOST', "
	    "'attached', %d, 'root', %lld)", uniq("loghost"), sshport,
	    credential()));
	db_exec(fmt("INSERT INTO host_addresses (host_id, address) VALUES "
	    "(%lld, '127.0.0.%d')", id, octet));
	return id;
}

/* An application with these log paths ("" for none). */
static long long
mkapp(const char *out, const char *err)
{
	return api_create("/applications/", "{\"name\": \"%s\", "
	    "\"stdout_path\": \"%s\", \"stderr_path\": \"%s\"}", uniq("logapp"),
	    out, err);
}

static long long
mkinst(long long app, long long host)
{
	return db_insert(fmt("INSERT INTO app_instances (app_id, host_id) "
	    "VALUES (%lld, %lld)", app, host));
}

/* An instance on host octet whose stdout is the live host's file name. */
static long long
setup(int octet, const char *name, long long *app)
{
	*app = mkapp(hostfile(name), "");
	return mkinst(*app, mkhost(octet));
}

static struct resp *
logget(long long app, long long inst, const char *query, const char *tok)
{
	return api("GET", fmt("/application/%lld/instance/%lld/log/%s%s", app,
	    inst, query[0] ? "?" : "", query), tok ? tok : admin_token(), NULL);
}

/* A 200 answer: its fields checked, content returned (free it). */
#define expect_log(r, content, length, total, pos, lines) \
	expect_log_at(__LINE__, (r), (content), (length), (total), (pos), (lines))
static void
expect_log_at(int line, struct resp *r, const char *content, long long length,
    long long total, long long pos, long long lines)
{
	json_object *c;

	ck_assert_msg(r->status == 200, "line %d: %ld %s", line, r->status,
	    r->body);
	c = jpath(r->json, "content");
	ck_assert_msg(c != NULL && json_object_is_type(c, json_type_string),
	    "line %d: %s", line, r->body);
	if (content != NULL)
		ck_assert_msg((size_t)json_object_get_string_len(c) ==
		    strlen(content) && memcmp(json_object_get_string(c), content,
		    strlen(content)) == 0, "line %d: content %s, wanted %s", line,
		    json_object_get_string(c), content);
	ck_assert_msg(jint(r->json, "length") == length, "line %d: length "
	    "%lld, wanted %lld", line, jint(r->json, "length"), length);
	ck_assert_msg(jint(r->json, "total_length") == total, "line %d: "
	    "total_length %lld, wanted %lld", line,
	    jint(r->json, "total_length"), total);
	ck_assert_msg(jint(r->json, "position") == pos, "line %d: position "
	    "%lld, wanted %lld", line, jint(r->json, "position"), pos);
	if (lines >= 0)
		ck_assert_msg(jint(r->json, "lines") == lines, "line %d: lines "
		    "%lld, wanted %lld", line, jint(r->json, "lines"), lines);
	else
		ck_assert_msg(jpath(r->json, "lines") == NULL, "line %d: lines "
		    "in bytes mode", line);
	resp_free(r);
}

/* A file of n lines "line 1\n" .. "line n\n" (no last newline: nl 0). */
static char *
numbered(int from, int to, int nl)
{
	size_t	 cap = (size_t)(to - from + 1) * 16 + 1, len = 0;
	char	*s = calloc(1, cap);
	int	 i;

	for (i = from; i <= to; i++)
		len += (size_t)snprintf(s + len, cap - len, "line %d\n", i);
	if (!nl && len > 0)
		s[--len] = '\0';
	return s;
}

/* ---- bytes mode -------------------------------------------------------- */

START_TEST(bytes_mode)
{
	const char	*text = "0123456789abcdefghij";	/* 20 bytes */
	long long	 app, inst;
	struct resp	*r;

	inst = setup(H_LIVE, "bytes.log", &app);
	put(hostfile("bytes.log"), text, 20);
	/* The defaults: stdout, bytes, from 0, 8192 bytes; no lines. */
	expect_log(logget(app, inst, "", NULL), text, 20, 20, 20, -1);
	expect_log(logget(app, inst, "log_type=stdout&mode=bytes", NULL), text,
	    20, 20, 20, -1);
	expect_log(logget(app, inst, "from_position=5&block_size=4", NULL),
	    "5678", 4, 20, 9, -1);
	expect_log(logget(app, inst, "from_position=18&block_size=100", NULL),
	    "ij", 2, 20, 20, -1);
	/* Past the end: nothing, position at the end. */
	expect_log(logget(app, inst, "from_position=500", NULL), "", 0, 20, 20,
	    -1);
	expect_log(logget(app, inst, "from_last_position=6&block_size=4", NULL),
	    "efgh", 4, 20, 18, -1);
	expect_log(logget(app, inst, "from_last_position=3", NULL), "hij", 3,
	    20, 20, -1);
	/* More than the file: from its start. */
	expect_log(logget(app, inst, "from_last_position=100&block_size=2",
	    NULL), "01", 2, 20, 2, -1);
	expect_log(logget(app, inst, "block_size=1048576", NULL), text, 20, 20,
	    20, -1);
	/* The /applications/ spelling is the same route. */
	r = api("GET", fmt("/applications/%lld/instance/%lld/log?block_size=3",
	    app, inst), admin_token(), NULL);
	expect_log(r, "012", 3, 20, 3, -1);
}
END_TEST

/* A file larger than block_size, read block after block from position. */
START_TEST(bytes_file_larger_than_block)
{
	size_t		 n = 3 * 1024 * 1024 + 77, got = 0, i;
	char		*data = malloc(n), *back = malloc(n);
	long long	 app, inst, pos = 0, len;
	struct resp	*r;
	const char	*c;

	inst = setup(H_LIVE, "big.log", &app);
	for (i = 0; i < n; i++)
		data[i] = (i % 61 == 60) ? '\n' : (char)('a' + i % 26);
	put(hostfile("big.log"), data, n);
	while (pos < (long long)n) {
		r = logget(app, inst, fmt("from_position=%lld&block_size=1048576",
		    pos), NULL);
		ck_assert_msg(r->status == 200, "%s", r->body);
		len = jint(r->json, "length");
		ck_assert_int_eq(jint(r->json, "total_length"), (long long)n);
		ck_assert(len == 1048576 || pos + len == (long long)n);
		c = jstr(r->json, "content");
		memcpy(back + got, c, (size_t)len);
		got += (size_t)len;
		pos = jint(r->json, "position");
		ck_assert_int_eq(pos, (long long)got);
		resp_free(r);
	}
	ck_assert(memcmp(data, back, n) == 0);
	/* The bound: a block over 1 MiB is refused, naming the field. */
	expect_error(logget(app, inst, "block_size=1048577", NULL), 400, 10002,
	    "block_size");
	/* Lines from the end of a big file, read backwards. */
	r = logget(app, inst, "mode=lines&latest_lines=2", NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "lines"), 2);
	ck_assert_int_eq(jint(r->json, "position"), (long long)n);
	len = jint(r->json, "length");
	ck_assert(memcmp(jstr(r->json, "content"), data + n - (size_t)len,
	    (size_t)len) == 0);
	ck_assert_int_eq(data[n - (size_t)len - 1], '\n');
	resp_free(r);
	free(data);
	free(back);
}
END_TEST

/* A file that grows while it is read: following position gets it all. */
START_TEST(bytes_file_that_grows)
{
	long long	 app, inst, pos = 0, last_total = 0, total;
	char		*path, *want, *back = calloc(1, 1 << 20);
	size_t		 got = 0;
	struct resp	*r;
	pid_t		 pid;
	int		 status, i, done = 0;

	inst = setup(H_LIVE, "grow.log", &app);
	path = strdup(hostfile("grow.log"));
	put(path, "", 0);
	if ((pid = fork()) == 0) {
		FILE *f = fopen(path, "a");

		for (i = 1; i <= 3000 && f != NULL; i++) {
			fprintf(f, "line %d\n", i);
			fflush(f);
			if (i % 100 == 0)
				usleep(20000);
		}
		_exit(f != NULL && fclose(f) == 0 ? 0 : 1);
	}
	ck_assert_int_gt(pid, 0);
	for (;;) {
		r = logget(app, inst, fmt("from_position=%lld&block_size=4000",
		    pos), NULL);
		ck_assert_msg(r->status == 200, "%s", r->body);
		total = jint(r->json, "total_length");
		ck_assert_int_ge(total, last_total);
		last_total = total;
		memcpy(back + got, jstr(r->json, "content"),
		    (size_t)jint(r->json, "length"));
		got += (size_t)jint(r->json, "length");
		pos = jint(r->json, "position");
		ck_assert_int_eq(pos, (long long)got);
		ck_assert_int_le(pos, total);
		resp_free(r);
		if (done && pos == total)
			break;
		if (!done && waitpid(pid, &status, WNOHANG) == pid) {
			ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
			done = 1;
		}
	}
	want = numbered(1, 3000, 1);
	ck_assert_uint_eq(got, strlen(want));
	ck_assert(memcmp(back, want, got) == 0);
	free(want);
	free(back);
	free(path);
}
END_TEST

/* Ill-formed UTF-8 is repaired; length counts the file's bytes. */
START_TEST(non_utf8_bytes)
{
	long long	 app, inst;

	inst = setup(H_LIVE, "bin.log", &app);
	put(hostfile("bin.log"), "ok\xff\xfe end\n", 9);
	expect_log(logget(app, inst, "", NULL),
	    "ok\xef\xbf\xbd\xef\xbf\xbd end\n", 9, 9, 9, -1);
	/* A block that ends inside a sequence leaves it to the next read. */
	put(hostfile("bin.log"), "a\xe5\xbc\xa0z", 5);	/* a张z */
	expect_log(logget(app, inst, "block_size=2", NULL), "a", 1, 5, 1, -1);
	expect_log(logget(app, inst, "from_position=1&block_size=3", NULL),
	    "\xe5\xbc\xa0", 3, 5, 4, -1);
	expect_log(logget(app, inst, "mode=lines", NULL), "a\xe5\xbc\xa0z", 5,
	    5, 5, 1);
}
END_TEST

/* ---- lines mode ---------------------------------------------------------- */

START_TEST(lines_mode_forward)
{
	long long	 app, inst;
	char		*all = numbered(1, 10, 1), *want;

	inst = setup(H_LIVE, "fwd.log", &app);
	put(hostfile("fwd.log"), all, strlen(all));	/* 10 lines, 71 bytes */
	ck_assert_uint_eq(strlen(all), 71);
	expect_log(logget(app, inst, "mode=lines&lines=3", NULL),
	    "line 1\nline 2\nline 3\n", 21, 71, 21, 3);
	expect_log(logget(app, inst, "mode=lines&lines=2&from_lines=4", NULL),
	    "line 5\nline 6\n", 14, 71, 42, 2);
	/* from_lines alone: lines defaults to 1000. */
	want = numbered(9, 10, 1);
	expect_log(logget(app, inst, "mode=lines&from_lines=8", NULL), want,
	    (long long)strlen(want), 71, 71, 2);
	free(want);
	expect_log(logget(app, inst, "mode=lines&from_lines=10", NULL), "", 0,
	    71, 71, 0);
	expect_log(logget(app, inst, "mode=lines&from_lines=50&lines=5", NULL),
	    "", 0, 71, 71, 0);
	expect_log(logget(app, inst, "mode=lines&lines=10000", NULL), all, 71,
	    71, 71, 10);
	/* A last line without its newline counts. */
	put(hostfile("fwd.log"), "a\nb\nc", 5);
	expect_log(logget(app, inst, "mode=lines&from_lines=2", NULL), "c", 1,
	    5, 5, 1);
	expect_log(logget(app, inst, "mode=lines&lines=2", NULL), "a\nb\n", 4,
	    5, 4, 2);
	free(all);
}
END_TEST

START_TEST(lines_mode_latest)
{
	long long	 app, inst;
	char		*all = numbered(1, 10, 1), *want;

	inst = setup(H_LIVE, "tail.log", &app);
	put(hostfile("tail.log"), all, strlen(all));
	/* mode=lines alone: the latest 1000 lines. */
	expect_log(logget(app, inst, "mode=lines", NULL), all, 71, 71, 71, 10);
	expect_log(logget(app, inst, "mode=lines&latest_lines=2", NULL),
	    "line 9\nline 10\n", 15, 71, 71, 2);
	expect_log(logget(app, inst, "mode=lines&latest_lines=2&"
	    "latest_lines_offset=3", NULL), "line 6\nline 7\n", 14, 71, 49, 2);
	want = numbered(1, 7, 1);
	expect_log(logget(app, inst, "mode=lines&latest_lines_offset=3", NULL),
	    want, (long long)strlen(want), 71, (long long)strlen(want), 7);
	free(want);
	expect_log(logget(app, inst, "mode=lines&latest_lines=3&"
	    "latest_lines_offset=9", NULL), "line 1\n", 7, 71, 7, 1);
	expect_log(logget(app, inst, "mode=lines&latest_lines_offset=10", NULL),
	    "", 0, 71, 0, 0);
	/* Without a last newline. */
	put(hostfile("tail.log"), "a\nb\nc", 5);
	expect_log(logget(app, inst, "mode=lines&latest_lines=1", NULL), "c", 1,
	    5, 5, 1);
	expect_log(logget(app, inst, "mode=lines&latest_lines=2&"
	    "latest_lines_offset=1", NULL), "a\nb\n", 4, 5, 4, 2);
	/* Lines longer than a scan block, backwards across blocks. */
	{
		size_t	 n = 200000, i;
		char	*d = malloc(n);

		for (i = 0; i < n; i++)
			d[i] = i == 99999 || i == n - 1 ? '\n' : 'x';
		put(hostfile("tail.log"), d, n);
		expect_log(logget(app, inst, "mode=lines&latest_lines=1", NULL),
		    NULL, 100000, (long long)n, (long long)n, 1);
		expect_log(logget(app, inst, "mode=lines&latest_lines=1&"
		    "latest_lines_offset=1", NULL), NULL, 100000, (long long)n,
		    100000, 1);
		free(d);
	}
	free(all);
}
END_TEST

/* At most 1 MiB of content in lines mode: whole lines, fewer of them. */
START_TEST(lines_mode_content_bound)
{
	size_t		 n = 3000 * 1001, i;
	char		*d = malloc(n);
	long long	 app, inst;

	for (i = 0; i < n; i++)
		d[i] = i % 1001 == 1000 ? '\n' : 'x';
	inst = setup(H_LIVE, "wide.log", &app);
	put(hostfile("wide.log"), d, n);
	free(d);
	expect_log(logget(app, inst, "mode=lines&latest_lines=2000", NULL),
	    NULL, 1047 * 1001, (long long)n, (long long)n, 1047);
	expect_log(logget(app, inst, "mode=lines&lines=2000&from_lines=5",
	    NULL), NULL, 1047 * 1001, (long long)n, 1052 * 1001, 1047);
	expect_log(logget(app, inst, "mode=lines&lines=10000", NULL), NULL,
	    1047 * 1001, (long long)n, 1047 * 1001, 1047);
}
END_TEST

START_TEST(empty_file_and_error_log)
{
	long long	 app, inst, host;

	app = mkapp(hostfile("empty.out"), hostfile("empty.err"));
	host = mkhost(H_LIVE);
	inst = mkinst(app, host);
	put(hostfile("empty.out"), "", 0);
	put(hostfile("empty.err"), "boom\n", 5);
	expect_log(logget(app, inst, "", NULL), "", 0, 0, 0, -1);
	expect_log(logget(app, inst, "mode=lines", NULL), "", 0, 0, 0, 0);
	expect_log(logget(app, inst, "mode=lines&lines=5", NULL), "", 0, 0, 0, 0);
	expect_log(logget(app, inst, "from_last_position=10", NULL), "", 0, 0,
	    0, -1);
	expect_log(logget(app, inst, "log_type=error", NULL), "boom\n", 5, 5, 5,
	    -1);
	expect_log(logget(app, inst, "log_type=error&mode=lines&latest_lines=1",
	    NULL), "boom\n", 5, 5, 5, 1);
}
END_TEST

/* ---- failures ------------------------------------------------------------ */

START_TEST(missing_file_and_paths)
{
	long long	 app, inst, app2, inst2;
	struct resp	*r;

	inst = setup(H_LIVE, "never-written.log", &app);
	r = logget(app, inst, "", NULL);
	ck_assert_msg(r->status == 404 && strstr(jstr(r->json, "message"),
	    "never-written.log") != NULL, "%s", r->body);
	expect_error(r, 404, 10008, NULL);
	/* No stderr_path: 400 on log_type. */
	expect_error(logget(app, inst, "log_type=error", NULL), 400, 10002,
	    "log_type");
	/* A directory is not a log. */
	app2 = mkapp(fmt("%s/h%d/home", sshdir, H_LIVE), "");
	inst2 = mkinst(app2, mkhost(H_LIVE));
	expect_error(logget(app2, inst2, "", NULL), 502, 30001, NULL);
}
END_TEST

START_TEST(unknown_ids)
{
	long long	 app, inst, other;

	inst = setup(H_LIVE, "ids.log", &app);
	put(hostfile("ids.log"), "x", 1);
	other = mkapp("/tmp/x", "");
	expect_error(logget(app + 100000, inst, "", NULL), 404, 10008, NULL);
	expect_error(logget(app, inst + 100000, "", NULL), 404, 10008, NULL);
	/* An instance of another application is not this one's. */
	expect_error(logget(other, inst, "", NULL), 404, 10008, NULL);
	expect_error(api("GET", fmt("/application/%lld/instance/abc/log/", app),
	    admin_token(), NULL), 404, 10008, NULL);
	/* Only GET. */
	expect_error(api("POST", fmt("/application/%lld/instance/%lld/log/", app,
	    inst), admin_token(), "{}"), 405, 10009, NULL);
}
END_TEST

START_TEST(bad_parameters)
{
	static const struct { const char *q, *field; } bad[] = {
		{ "log_type=stderr", "log_type" },
		{ "mode=words", "mode" },
		{ "from_position=-1", "from_position" },
		{ "from_position=abc", "from_position" },
		{ "from_last_position=-5", "from_last_position" },
		{ "block_size=0", "block_size" },
		{ "block_size=-1", "block_size" },
		{ "block_size=1048577", "block_size" },
		{ "from_position=1&from_last_position=2", "from_last_position" },
		{ "lines=5", "lines" },
		{ "latest_lines=5", "latest_lines" },
		{ "mode=bytes&from_lines=1", "from_lines" },
		{ "mode=bytes&latest_lines_offset=1", "latest_lines_offset" },
		{ "mode=lines&block_size=10", "block_size" },
		{ "mode=lines&from_position=0", "from_position" },
		{ "mode=lines&from_last_position=0", "from_last_position" },
		{ "mode=lines&lines=0", "lines" },
		{ "mode=lines&lines=10001", "lines" },
		{ "mode=lines&latest_lines=10001", "latest_lines" },
		{ "mode=lines&latest_lines=-3", "latest_lines" },
		{ "mode=lines&from_lines=-1", "from_lines" },
		{ "mode=lines&latest_lines_offset=-1", "latest_lines_offset" },
		{ "mode=lines&lines=2&latest_lines=2", "latest_lines" },
		{ "mode=lines&from_lines=2&latest_lines_offset=2",
		    "latest_lines_offset" },
	};
	long long	 app, inst;
	size_t		 i;

	inst = setup(H_LIVE, "bad.log", &app);
	put(hostfile("bad.log"), "x\n", 2);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_error(logget(app, inst, bad[i].q, NULL), 400, 10002,
		    bad[i].field);
	/* Enums take any case; unknown parameters are ignored. */
	expect_log(logget(app, inst, "log_type=STDOUT&mode=Lines&foo=1", NULL),
	    "x\n", 2, 2, 2, 1);
}
END_TEST

START_TEST(permissions)
{
	long long	 app, inst, uid, role;
	const char	*tok;
	char		 name[64];

	inst = setup(H_LIVE, "perm.log", &app);
	put(hostfile("perm.log"), "secret\n", 7);
	snprintf(name, sizeof(name), "%s", uniq("logreader"));
	tok = user_token(name, 0, &uid);
	/* Anonymous: 401. */
	expect_error(api("GET", fmt("/application/%lld/instance/%lld/log/", app,
	    inst), NULL, NULL), 401, 10005, NULL);
	/* Nothing granted: the application is hidden, 404 as if absent. */
	db_exec(fmt("INSERT INTO module_grants VALUES ('user', %lld, "
	    "'application', 'enable_app_mgmt')", uid));
	expect_error(logget(app, inst, "", tok), 404, 10008, NULL);
	/* view_app without view_app_log: 403. */
	db_exec(fmt("INSERT INTO resource_grants VALUES ('user', %lld, "
	    "'application', %lld, 'view_app')", uid, app));
	expect_error(logget(app, inst, "", tok), 403, 10007, NULL);
	/* view_app_log on another application does not do. */
	db_exec(fmt("INSERT INTO resource_grants VALUES ('user', %lld, "
	    "'application', %lld, 'view_app_log')", uid, mkapp("/tmp/y", "")));
	expect_error(logget(app, inst, "", tok), 403, 10007, NULL);
	/* view_app_log on it: the log. */
	db_exec(fmt("INSERT INTO resource_grants VALUES ('user', %lld, "
	    "'application', %lld, 'view_app_log')", uid, app));
	expect_log(logget(app, inst, "", tok), "secret\n", 7, 7, 7, -1);
	/* Granted through a role, the same. */
	db_exec(fmt("DELETE FROM resource_grants WHERE subject_type = 'user' "
	    "AND subject_id = %lld AND perm = 'view_app_log'", uid));
	expect_error(logget(app, inst, "", tok), 403, 10007, NULL);
	role = db_insert(fmt("INSERT INTO roles (name) VALUES ('%s')",
	    uniq("logrole")));
	db_exec(fmt("INSERT INTO resource_grants VALUES ('role', %lld, "
	    "'application', %lld, 'view_app_log')", role, app));
	db_exec(fmt("INSERT INTO user_roles (user_id, role_id) VALUES (%lld, "
	    "%lld)", uid, role));
	expect_log(logget(app, inst, "", tok), "secret\n", 7, 7, 7, -1);
}
END_TEST

START_TEST(host_down)
{
	long long	 app, inst;
	struct resp	*r;
	double		 t0 = now_s();

	inst = setup(H_NONE, "down.log", &app);
	r = logget(app, inst, "", NULL);
	ck_assert_msg(r->status == 502 && strstr(jstr(r->json, "message"),
	    "cannot connect") != NULL, "%s", r->body);
	expect_error(r, 502, 30001, NULL);
	ck_assert(now_s() - t0 < 4);
	/* A host without a credential or an address fails the same way. */
	app = mkapp("/tmp/z", "");
	inst = mkinst(app, db_insert(fmt("INSERT INTO hosts (name, host_type, "
	    "status) VALUES ('%s', 'PHY_HOST', 'attached')", uniq("bare"))));
	expect_error(logget(app, inst, "", NULL), 502, 30001, NULL);
}
END_TEST

/*
 * A listener that accepts (the kernel does: nobody calls accept) and
 * never says a word.
 */
static int
listen_on(int octet)
{
	struct sockaddr_in	sa;
	int			fd, one = 1;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)sshport);
	sa.sin_addr.s_addr = htonl(0x7f000000u | (unsigned)octet);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	return fd;
}

START_TEST(host_never_answers)
{
	long long	 app, inst;
	int		 fd = listen_on(H_MUTE);
	double		 t0 = now_s(), dt;

	inst = setup(H_MUTE, "mute.log", &app);
	expect_error(logget(app, inst, "", NULL), 504, 30002, NULL);
	dt = now_s() - t0;
	ck_assert_msg(dt >= 4 && dt < 12, "answered after %.1f s", dt);
	close(fd);
}
END_TEST

/*
 * The stall proxy: relays one connection to the live host, then, once the
 * server has sent more than 300 KB (the SSH handshake is a few KB: this
 * is in the middle of an SFTP read), stops passing its bytes on.
 */
static void *
stall_proxy(void *arg)
{
	int			lfd = *(int *)arg, c, s;
	struct sockaddr_in	sa;
	struct pollfd		pf[2];
	char			buf[16384];
	long			sent = 0;
	ssize_t			n;

	if ((c = accept(lfd, NULL, NULL)) < 0)
		return NULL;
	s = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)sshport);
	sa.sin_addr.s_addr = htonl(0x7f000000u | H_LIVE);
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto out;
	for (;;) {
		pf[0].fd = c;
		pf[0].events = POLLIN;
		pf[1].fd = s;
		pf[1].events = sent > 300000 ? 0 : POLLIN;
		if (poll(pf, 2, 20000) <= 0)
			break;
		if (pf[0].revents) {
			if ((n = read(c, buf, sizeof(buf))) <= 0 ||
			    write(s, buf, (size_t)n) != n)
				break;
		}
		if (pf[1].revents) {
			if ((n = read(s, buf, sizeof(buf))) <= 0 ||
			    write(c, buf, (size_t)n) != n)
				break;
			sent += n;
		}
	}
out:
	close(s);
	close(c);
	return NULL;
}

START_TEST(host_stalls_mid_read)
{
	long long	 app, inst;
	int		 lfd = listen_on(H_STALL);
	pthread_t	 th;
	size_t		 n = 2 * 1024 * 1024, i;
	char		*d = malloc(n);
	double		 t0, dt;

	for (i = 0; i < n; i++)
		d[i] = (char)('a' + i % 26);
	app = mkapp(hostfile("stall.log"), "");
	inst = mkinst(app, mkhost(H_STALL));
	put(hostfile("stall.log"), d, n);
	free(d);
	ck_assert_int_eq(pthread_create(&th, NULL, stall_proxy, &lfd), 0);
	t0 = now_s();
	expect_error(logget(app, inst, "block_size=1048576", NULL), 504, 30002,
	    NULL);
	dt = now_s() - t0;
	ck_assert_msg(dt >= 4 && dt < 12, "answered after %.1f s", dt);
	pthread_join(th, NULL);
	close(lfd);
}
END_TEST

static TCase *
tc_logs(void)
{
	TCase *tc = tcase_create("instance_logs");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, bytes_mode);
	tcase_add_test(tc, bytes_file_larger_than_block);
	tcase_add_test(tc, bytes_file_that_grows);
	tcase_add_test(tc, non_utf8_bytes);
	tcase_add_test(tc, lines_mode_forward);
	tcase_add_test(tc, lines_mode_latest);
	tcase_add_test(tc, lines_mode_content_bound);
	tcase_add_test(tc, empty_file_and_error_log);
	tcase_add_test(tc, missing_file_and_paths);
	tcase_add_test(tc, unknown_ids);
	tcase_add_test(tc, bad_parameters);
	tcase_add_test(tc, permissions);
	tcase_add_test(tc, host_down);
	tcase_add_test(tc, host_never_answers);
	tcase_add_test(tc, host_stalls_mid_read);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_logs };
	const char	*stack = getenv("HANGAR_STACK");
	char		 port[16];
	int		 failed;

	if (getenv("HANGAR_DIR") == NULL || stack == NULL)
		return 1;
	snprintf(sshdir, sizeof(sshdir), "%s/sshd-logs", getenv("HANGAR_DIR"));
	sshport = 20000 + (getenv("HANGAR_TEST_PORT") ?
	    atoi(getenv("HANGAR_TEST_PORT")) : 18080) % 10000;
	snprintf(port, sizeof(port), "%d", sshport);
	setenv("HANGAR_SSHD_PORT", port, 1);
	snprintf(harness, sizeof(harness), "%.*s/sshd-hosts.sh",
	    (int)(strrchr(stack, '/') - stack), stack);
	if (sh("%s start %s %d %d >/dev/null", harness, sshdir, H_LIVE,
	    H_LIVE) != 0) {
		fprintf(stderr, "test_instance_logs: the sshd test host did not "
		    "start\n");
		return 1;
	}
	failed = run_suite("instance_logs", cases, 1);
	(void)sh("%s stop %s", harness, sshdir);
	return failed ? 1 : 0;
}
