/*
 * test_log.c -- lib/log.c: logfmt quoting and whole lines.  Several prefork
 * workers append to one file, so each line must arrive in one piece.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "log.h"
#include "unit.h"

static char	dir[64];
static char	logpath[96];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/unit-log-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(logpath, sizeof(logpath), "%s/test.log", dir);
}

static void
teardown(void)
{
	char old[128];

	snprintf(old, sizeof(old), "%s.1", logpath);
	unlink(old);
	unlink(logpath);
	rmdir(dir);
}

/* hg_logfmt_kv on an empty buffer. */
static const char *
kv(const char *key, const char *val)
{
	static char buf[512];

	buf[0] = '\0';
	hg_logfmt_kv(buf, sizeof(buf), key, val);
	return buf;
}

START_TEST(logfmt_quoting)
{
	char buf[256];

	ck_assert_str_eq(kv("k", "plain"), "k=plain");
	ck_assert_str_eq(kv("k", "张三"), "k=张三");
	ck_assert_str_eq(kv("k", "two words"), "k=\"two words\"");
	ck_assert_str_eq(kv("k", "say \"hi\""), "k=\"say \\\"hi\\\"\"");
	ck_assert_str_eq(kv("k", "a=b"), "k=\"a=b\"");
	ck_assert_str_eq(kv("k", "back\\slash"), "k=\"back\\\\slash\"");
	ck_assert_str_eq(kv("k", "line1\nline2"), "k=\"line1\\nline2\"");
	ck_assert_str_eq(kv("k", "cr\rtab\t"), "k=\"cr tab \"");
	ck_assert_str_eq(kv("k", ""), "k=\"\"");
	ck_assert_str_eq(kv("k", NULL), "k=\"\"");
	ck_assert_str_eq(kv("sql", "'; DROP TABLE users; --"),
	    "sql=\"'; DROP TABLE users; --\"");
	/* Fields are separated by one space. */
	buf[0] = '\0';
	hg_logfmt_kv(buf, sizeof(buf), "a", "1");
	hg_logfmt_kv(buf, sizeof(buf), "b", "x y");
	hg_logfmt_kv(buf, sizeof(buf), "c", "3");
	ck_assert_str_eq(buf, "a=1 b=\"x y\" c=3");
}
END_TEST

START_TEST(logfmt_truncates_within_size)
{
	char	buf[32];
	char	big[200];
	size_t	n;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memset(buf, '#', sizeof(buf));
	buf[0] = '\0';
	hg_logfmt_kv(buf, sizeof(buf), "k", big);
	n = strlen(buf);
	ck_assert_uint_lt(n, sizeof(buf));
	ck_assert(strncmp(buf, "k=xxxx", 6) == 0);
	/* A quoted value stays closed when cut. */
	memset(big, ' ', 50);
	buf[0] = '\0';
	hg_logfmt_kv(buf, sizeof(buf), "k", big);
	n = strlen(buf);
	ck_assert_uint_lt(n, sizeof(buf));
	ck_assert_int_eq(buf[2], '"');
	ck_assert_int_eq(buf[n - 1], '"');
}
END_TEST

/*
 * Every size around the point where a field exactly fills the buffer: the
 * result stays inside size bytes (a canary after it is untouched; under ASan
 * the heap copy of exactly size bytes catches a write one past), is
 * NUL-terminated, and a quoted value that was written is closed.
 */
START_TEST(logfmt_exact_fit_stays_inside)
{
	static const char *prefixes[] = { "", "a=1" };
	static const char *vals[] = { "x y", "", "plain", "q\"q", "a\nb",
	    "long value with spaces" };
	char	 area[64], *heap;
	size_t	 size, i, j, n;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
	for (j = 0; j < sizeof(vals) / sizeof(vals[0]); j++)
	for (size = strlen(prefixes[i]) + 1; size < 40; size++) {
		memset(area, '#', sizeof(area));
		memcpy(area, prefixes[i], strlen(prefixes[i]) + 1);
		hg_logfmt_kv(area, size, "key", vals[j]);
		ck_assert_msg(area[size] == '#', "wrote past %zu bytes: "
		    "prefix \"%s\" value \"%s\"", size, prefixes[i], vals[j]);
		n = strlen(area);
		ck_assert_uint_lt(n, size);
		if (n > strlen(prefixes[i]) && strchr(area + strlen(prefixes[i]),
		    '"') != NULL)
			ck_assert_int_eq(area[n - 1], '"');
		heap = malloc(size);
		ck_assert_ptr_nonnull(heap);
		memcpy(heap, prefixes[i], strlen(prefixes[i]) + 1);
		hg_logfmt_kv(heap, size, "key", vals[j]);
		ck_assert_str_eq(heap, area);
		free(heap);
	}
	/* The exact fit itself: key="x y" is 9 bytes, 10 with the NUL. */
	area[0] = '\0';
	hg_logfmt_kv(area, 10, "key", "x y");
	ck_assert_str_eq(area, "key=\"x y\"");
	area[0] = '\0';
	hg_logfmt_kv(area, 9, "key", "x y");
	ck_assert_uint_lt(strlen(area), 9);
}
END_TEST

static char *
slurp(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*s;
	long	 n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(s, 1, (size_t)n, f), (size_t)n);
	s[n] = '\0';
	fclose(f);
	return s;
}

START_TEST(line_format_and_levels)
{
	char	*s, want[128];

	ck_assert_int_eq(hg_log_open("unitprog", logpath, HG_INFO), 0);
	log_debug("not shown");
	log_info("hello %s", "张三");
	log_warn("careful: x=%d", 5);
	hg_log_raw("raw line");
	s = slurp(logpath);
	ck_assert_ptr_null(strstr(s, "not shown"));
	/* time=...Z level=info prog=unitprog pid=N msg="hello 张三" */
	ck_assert(strncmp(s, "time=", 5) == 0);
	ck_assert_int_eq(s[5 + 23], 'Z');	/* 2024-01-01T00:00:00.000Z */
	snprintf(want, sizeof(want), " level=info prog=unitprog pid=%ld "
	    "msg=\"hello 张三\"\n", (long)getpid());
	ck_assert_msg(strstr(s, want) != NULL, "no %s in %s", want, s);
	snprintf(want, sizeof(want), " level=warn prog=unitprog pid=%ld "
	    "func=line_format_and_levels_fn msg=\"careful: x=5\"\n",
	    (long)getpid());
	ck_assert_msg(strstr(s, want) != NULL, "no %s in %s", want, s);
	ck_assert_ptr_nonnull(strstr(s, "\nraw line\n"));
	free(s);
}
END_TEST

START_TEST(file_is_created_and_reopened)
{
	char		 old[128], *s;
	struct stat	 st;

	ck_assert_int_eq(hg_log_open("p", logpath, HG_DEBUG), 0);
	ck_assert_int_eq(stat(logpath, &st), 0);
	ck_assert_int_eq(st.st_mode & 0077 & ~0040, 0);	/* no world access */
	log_debug("before");
	snprintf(old, sizeof(old), "%s.1", logpath);
	ck_assert_int_eq(rename(logpath, old), 0);
	ck_assert_int_eq(hg_log_reopen(), 0);
	log_err("after");
	s = slurp(old);
	ck_assert_ptr_nonnull(strstr(s, "msg=before\n"));
	ck_assert_ptr_null(strstr(s, "after"));
	free(s);
	s = slurp(logpath);
	ck_assert_ptr_nonnull(strstr(s, "level=error"));
	ck_assert_ptr_nonnull(strstr(s, "msg=after\n"));
	ck_assert_ptr_null(strstr(s, "before"));
	free(s);
	ck_assert_int_eq(hg_log_open("p", "/nonexistent/dir/x.log", HG_INFO), -1);
}
END_TEST

#define WRITERS	8
#define LINES	400

START_TEST(lines_are_atomic_across_processes)
{
	char	 pad[2001], *s, *line, *next;
	int	 i, k, status, counts[WRITERS];
	pid_t	 pids[WRITERS];

	memset(pad, 'p', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	ck_assert_int_eq(hg_log_open("atomic", logpath, HG_INFO), 0);
	for (i = 0; i < WRITERS; i++) {
		if ((pids[i] = fork()) == 0) {
			for (k = 0; k < LINES; k++)
				log_info("writer=%d seq=%d %s end", i, k, pad);
			_exit(0);
		}
		ck_assert_int_gt(pids[i], 0);
	}
	for (i = 0; i < WRITERS; i++) {
		ck_assert_int_eq(waitpid(pids[i], &status, 0), pids[i]);
		ck_assert_int_eq(status, 0);
	}
	memset(counts, 0, sizeof(counts));
	s = slurp(logpath);
	for (line = s; *line != '\0'; line = next) {
		char	*m, *nl = strchr(line, '\n');
		int	 w, q;

		ck_assert_ptr_nonnull(nl);
		*nl = '\0';
		next = nl + 1;
		ck_assert(strncmp(line, "time=", 5) == 0);
		m = strstr(line, " msg=\"writer=");
		ck_assert_ptr_nonnull(m);
		ck_assert_int_eq(sscanf(m, " msg=\"writer=%d seq=%d", &w, &q), 2);
		ck_assert(w >= 0 && w < WRITERS);
		ck_assert_int_eq(q, counts[w]);	/* in order, none lost */
		counts[w]++;
		ck_assert_uint_eq(strlen(line) - (size_t)(strstr(line, pad) - line),
		    strlen(pad) + 5);	/* pad, " end\"" */
	}
	for (i = 0; i < WRITERS; i++)
		ck_assert_int_eq(counts[i], LINES);
	free(s);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("log");
	TCase	*tc = tcase_create("log");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, logfmt_quoting);
	tcase_add_test(tc, logfmt_truncates_within_size);
	tcase_add_test(tc, logfmt_exact_fit_stays_inside);
	tcase_add_test(tc, line_format_and_levels);
	tcase_add_test(tc, file_is_created_and_reopened);
	tcase_add_test(tc, lines_are_atomic_across_processes);
	return unit_run(s, tc);
}
