/*
 * test_conf.c -- lib/conf.c: hangar.conf is one table of typed keys.
 * Defaults, every key type, comments and blank lines, and the exact
 * "file:line: message" of each kind of error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>

#include "conf.h"
#include "unit.h"

static char	path[64];

/* Write text to a fresh temporary file; its name goes to path. */
static void
write_conf(const char *text)
{
	FILE	*f;
	int	 fd;

	snprintf(path, sizeof(path), "/tmp/unit-conf-XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	f = fdopen(fd, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

static void
teardown(void)
{
	if (path[0] != '\0')
		unlink(path);
	path[0] = '\0';
}

/* Load text; expect failure with exactly "PATH:msg". */
static void
expect_error(const char *text, const char *msg)
{
	char	err[512], want[512];

	write_conf(text);
	snprintf(want, sizeof(want), "%s:%s", path, msg);
	err[0] = '\0';
	ck_assert_int_eq(hg_conf_load(path, err, sizeof(err)), -1);
	ck_assert_str_eq(err, want);
}

START_TEST(defaults)
{
	char			 err[256] = "";
	const struct hg_confkey	*k;
	int			 n = 0;

	ck_assert_int_eq(hg_conf_load(NULL, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(hg_conf.listen, "run/hangard.sock");
	ck_assert_int_eq(hg_conf.workers, 4);
	ck_assert_int_eq(hg_conf.max_requests, 10000);
	ck_assert_int_eq(hg_conf.max_body, 1048576);
	ck_assert_str_eq(hg_conf.log_level, "info");
	ck_assert_str_eq(hg_conf.timezone, "system");
	ck_assert_int_eq(hg_conf.db_port, 3306);
	ck_assert_str_eq(hg_conf.db_password, "");
	ck_assert_str_eq(hg_conf.db_name, "hangar");
	ck_assert_int_eq(hg_conf.redis_timeout_ms, 500);
	ck_assert_int_eq(hg_conf.session_idle, 7200);
	ck_assert_int_eq(hg_conf.parallel, 64);
	ck_assert_str_eq(hg_conf.known_hosts, "run/known_hosts");
	/* Every key has help, a default, and (if numeric) a default in range. */
	for (k = hg_confkeys; k->k_name != NULL; k++, n++) {
		ck_assert_ptr_nonnull(k->k_help);
		ck_assert_ptr_nonnull(k->k_default);
		if (k->k_type == HG_C_INT) {
			long v = strtol(k->k_default, NULL, 10);

			ck_assert_int_le(k->k_min, v);
			ck_assert_int_ge(k->k_max, v);
		}
	}
	ck_assert_int_ge(n, 35);
}
END_TEST

START_TEST(every_key_type_with_comments_and_blanks)
{
	char err[256] = "";

	write_conf(
	    "# a comment\n"
	    "\n"
	    "   \t\n"
	    "  # indented comment = not a key\n"
	    "listen = /tmp/x.sock\n"
	    "workers=7\n"
	    "\tdb_port   =   3307   \n"
	    "db_password = p#ss = word\n"
	    "mail_from = 张三 <z@example.com>\n"
	    "max_requests = 0\n"
	    "db_socket =\n"
	    "session_idle = 0060\n"
	    "workers = 8\n");
	ck_assert_int_eq(hg_conf_load(path, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_str_eq(hg_conf.listen, "/tmp/x.sock");
	ck_assert_int_eq(hg_conf.workers, 8);	/* the last one wins */
	ck_assert_int_eq(hg_conf.db_port, 3307);
	/* Only the first '=' splits; '#' inside a value is kept. */
	ck_assert_str_eq(hg_conf.db_password, "p#ss = word");
	ck_assert_str_eq(hg_conf.mail_from, "张三 <z@example.com>");
	ck_assert_int_eq(hg_conf.max_requests, 0);
	ck_assert_int_eq(hg_conf.session_idle, 60);
	ck_assert_str_eq(hg_conf.db_socket, "");
	/* Keys not in the file keep their defaults. */
	ck_assert_str_eq(hg_conf.db_name, "hangar");
	ck_assert_int_eq(hg_conf.redis_port, 6379);
}
END_TEST

START_TEST(reload_resets_to_defaults)
{
	char err[256] = "";

	write_conf("workers = 9\ndb_name = other\n");
	ck_assert_int_eq(hg_conf_load(path, err, sizeof(err)), 0);
	ck_assert_int_eq(hg_conf.workers, 9);
	ck_assert_str_eq(hg_conf.db_name, "other");
	ck_assert_int_eq(hg_conf_load(NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(hg_conf.workers, 4);
	ck_assert_str_eq(hg_conf.db_name, "hangar");
}
END_TEST

START_TEST(last_line_without_newline)
{
	char err[256] = "";

	write_conf("workers = 3\ndb_user = hangar");
	ck_assert_int_eq(hg_conf_load(path, err, sizeof(err)), 0);
	ck_assert_int_eq(hg_conf.workers, 3);
	ck_assert_str_eq(hg_conf.db_user, "hangar");
}
END_TEST

START_TEST(unknown_key)
{
	expect_error("# ok\nworkers = 2\nworkerz = 3\n", "3: unknown key \"workerz\"");
	teardown();
	expect_error("Workers = 2\n", "1: unknown key \"Workers\"");
}
END_TEST

START_TEST(bad_number)
{
	expect_error("\n\nworkers = four\n", "3: workers: \"four\" is not a number");
	teardown();
	expect_error("workers = 4x\n", "1: workers: \"4x\" is not a number");
	teardown();
	expect_error("workers = 1.5\n", "1: workers: \"1.5\" is not a number");
	teardown();
	expect_error("db_port =\n", "1: db_port: \"\" is not a number");
	teardown();
	expect_error("max_body = 99999999999999999999999\n",
	    "1: max_body: \"99999999999999999999999\" is not a number");
}
END_TEST

START_TEST(out_of_range)
{
	expect_error("workers = 0\n", "1: workers: 0 is out of range 1..256");
	teardown();
	expect_error("# x\nworkers = 257\n", "2: workers: 257 is out of range 1..256");
	teardown();
	expect_error("db_port = 65536\n", "1: db_port: 65536 is out of range 1..65535");
	teardown();
	expect_error("max_requests = -1\n",
	    "1: max_requests: -1 is out of range 0..100000000");
	teardown();
	/* Both bounds themselves are accepted. */
	write_conf("workers = 1\ndb_port = 65535\n");
	{
		char err[256] = "";

		ck_assert_int_eq(hg_conf_load(path, err, sizeof(err)), 0);
		ck_assert_int_eq(hg_conf.workers, 1);
		ck_assert_int_eq(hg_conf.db_port, 65535);
	}
}
END_TEST

START_TEST(failed_load_keeps_previous)
{
	char err[256] = "";

	write_conf("workers = 6\ndb_name = first\n");
	ck_assert_int_eq(hg_conf_load(path, err, sizeof(err)), 0);
	teardown();
	/* The bad line comes after good ones: nothing of this file applies. */
	expect_error("workers = 7\ndb_name = second\nworkers = x\n",
	    "3: workers: \"x\" is not a number");
	ck_assert_int_eq(hg_conf.workers, 6);
	ck_assert_str_eq(hg_conf.db_name, "first");
	ck_assert_str_eq(hg_conf.listen, "run/hangard.sock");
}
END_TEST

START_TEST(missing_equals)
{
	expect_error("workers 4\n", "1: expected \"key = value\"");
}
END_TEST

START_TEST(missing_file)
{
	char err[256] = "";

	ck_assert_int_eq(hg_conf_load("/nonexistent/hangar.conf", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "/nonexistent/hangar.conf: No such file or directory");
}
END_TEST

START_TEST(long_line)
{
	char *text = malloc(6000);

	memset(text, 'x', 5998);
	memcpy(text, "listen = ", 9);
	text[5998] = '\n';
	text[5999] = '\0';
	expect_error(text, "1: line too long");
	free(text);
}
END_TEST

/*
 * The publisher secret goes into an HTTP header and an nginx string:
 * token characters only, 16 to 256 of them; the message never repeats it.
 */
START_TEST(publish_secret)
{
	char err[256] = "";

	expect_error("ws_publish_secret = short\n",
	    "1: ws_publish_secret: must be 16 to 256 characters "
	    "(openssl rand -hex 32)");
	teardown();
	expect_error("ws_publish_secret = 0123456789abcdef\"x\n",
	    "1: ws_publish_secret: must be letters, digits and - . _ ~ + / = only");
	teardown();
	expect_error("ws_publish_secret = 0123456789abcdef x\n",
	    "1: ws_publish_secret: must be letters, digits and - . _ ~ + / = only");
	teardown();
	expect_error("ws_publish_secret = 0123456789abcdef\xc3\xa9\n",
	    "1: ws_publish_secret: must be letters, digits and - . _ ~ + / = only");
	teardown();
	write_conf("ws_publish_secret = AZaz09-._~+/=AZaz09\n");
	ck_assert_int_eq(hg_conf_load(path, err, sizeof(err)), 0);
	ck_assert_str_eq(hg_conf.ws_publish_secret, "AZaz09-._~+/=AZaz09");
	teardown();
	write_conf("ws_publish_secret =\n");
	ck_assert_int_eq(hg_conf_load(path, err, sizeof(err)), 0);
	ck_assert_str_eq(hg_conf.ws_publish_secret, "");
}
END_TEST

START_TEST(dump_masks_password)
{
	char	 err[256] = "", buf[8192];
	FILE	*out;
	size_t	 n;
	int	 saved;

	write_conf("db_password = hunter2\nworkers = 5\n"
	    "ws_publish_secret = 0123456789abcdef-secret\n");
	ck_assert_int_eq(hg_conf_load(path, err, sizeof(err)), 0);
	out = tmpfile();
	ck_assert_ptr_nonnull(out);
	fflush(stdout);
	saved = dup(1);
	dup2(fileno(out), 1);
	hg_conf_dump();
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	rewind(out);
	n = fread(buf, 1, sizeof(buf) - 1, out);
	buf[n] = '\0';
	fclose(out);
	ck_assert_ptr_null(strstr(buf, "hunter2"));
	ck_assert_ptr_nonnull(strstr(buf, "\ndb_password = ******\n"));
	ck_assert_ptr_null(strstr(buf, "0123456789abcdef"));
	ck_assert_ptr_nonnull(strstr(buf, "\nws_publish_secret = ******\n"));
	/* a path with "secret" in its name is no secret */
	ck_assert_ptr_nonnull(strstr(buf, "\nsecret_key_file = run/secret.key\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nworkers = 5\n"));
	ck_assert(strncmp(buf, "listen = run/hangard.sock\n", 26) == 0);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("conf");
	TCase	*tc = tcase_create("conf");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, every_key_type_with_comments_and_blanks);
	tcase_add_test(tc, reload_resets_to_defaults);
	tcase_add_test(tc, last_line_without_newline);
	tcase_add_test(tc, unknown_key);
	tcase_add_test(tc, bad_number);
	tcase_add_test(tc, out_of_range);
	tcase_add_test(tc, failed_load_keeps_previous);
	tcase_add_test(tc, missing_equals);
	tcase_add_test(tc, missing_file);
	tcase_add_test(tc, long_line);
	tcase_add_test(tc, publish_secret);
	tcase_add_test(tc, dump_masks_password);
	return unit_run(s, tc);
}
