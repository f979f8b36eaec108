/*
 * test_proc.c -- lib/proc.c: a helper program as a bounded filter.  Its
 * input arrives whole (also when larger than a pipe), its output is kept
 * up to the bound, a program past its deadline is killed in time, and
 * nothing is left behind: no child to reap, no descriptor open.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include <check.h>

#include "proc.h"
#include "unit.h"

/* Descriptors this process holds now. */
static int
nfds(void)
{
	DIR		*d = opendir("/proc/self/fd");
	struct dirent	*e;
	int		 n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;	/* the directory's own */
}

/* No child of ours is left, running or a zombie. */
static void
no_children(void)
{
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

START_TEST(round_trip_larger_than_a_pipe)
{
	static const char *const argv[] = { "/bin/cat", NULL };
	size_t		 n = 1 << 20, i;
	char		*in = malloc(n), *out = malloc(n + 1);
	struct hg_proc	 p;
	int		 before = nfds();

	for (i = 0; i < n; i++)
		in[i] = (char)('a' + i % 26);
	ck_assert_int_eq(hg_proc_filter(argv, in, n, 20000, out, n + 1, &p), 0);
	ck_assert_int_eq(p.p_timedout, 0);
	ck_assert(WIFEXITED(p.p_status) && WEXITSTATUS(p.p_status) == 0);
	ck_assert_uint_eq(p.p_outlen, n);
	ck_assert(memcmp(in, out, n) == 0);
	ck_assert_int_eq(nfds(), before);
	no_children();
	free(in);
	free(out);
}
END_TEST

START_TEST(output_bounded_and_status_kept)
{
	static const char *const argv[] = { "/bin/sh", "-c",
	    "head -c 100000 /dev/zero | tr '\\0' x; exit 3", NULL };
	char		 out[64];
	struct hg_proc	 p;

	ck_assert_int_eq(hg_proc_filter(argv, "", 0, 20000, out, sizeof(out),
	    &p), 0);
	ck_assert_int_eq(p.p_timedout, 0);
	ck_assert(WIFEXITED(p.p_status) && WEXITSTATUS(p.p_status) == 3);
	ck_assert_uint_eq(p.p_outlen, sizeof(out) - 1);
	ck_assert_uint_eq(strlen(out), sizeof(out) - 1);
	no_children();
}
END_TEST

START_TEST(hung_program_killed_at_deadline)
{
	/* it ignores its input and never closes its output */
	static const char *const argv[] = { "/bin/sleep", "30", NULL };
	static const char *const argv2[] = { "/bin/sh", "-c",
	    "exec 1>&-; sleep 30", NULL };
	char		 out[64];
	struct hg_proc	 p;
	double		 t0 = now();
	int		 before = nfds();

	ck_assert_int_eq(hg_proc_filter(argv, "x", 1, 300, out, sizeof(out),
	    &p), 0);
	ck_assert_int_eq(p.p_timedout, 1);
	ck_assert(WIFSIGNALED(p.p_status));
	ck_assert_msg(now() - t0 < 5, "took %.1f s", now() - t0);
	/* closes stdout at once but does not exit */
	t0 = now();
	ck_assert_int_eq(hg_proc_filter(argv2, "", 0, 300, out, sizeof(out),
	    &p), 0);
	ck_assert_int_eq(p.p_timedout, 1);
	ck_assert_msg(now() - t0 < 5, "took %.1f s", now() - t0);
	ck_assert_int_eq(nfds(), before);
	no_children();
}
END_TEST

START_TEST(missing_program_exits_127)
{
	static const char *const argv[] = { "/nonexistent/hangar-x", NULL };
	char		 out[16];
	struct hg_proc	 p;

	ck_assert_int_eq(hg_proc_filter(argv, "abc", 3, 5000, out, sizeof(out),
	    &p), 0);
	ck_assert(WIFEXITED(p.p_status) && WEXITSTATUS(p.p_status) == 127);
	no_children();
}
END_TEST

/*
 * A program that closes its stdin without reading a large input and
 * keeps running: the write meets a closed pipe (EPIPE), and the caller,
 * which does not ignore SIGPIPE here, must not be killed by it.
 */
START_TEST(exit_before_reading_is_no_sigpipe)
{
	static const char *const argv[] = { "/bin/sh", "-c",
	    "exec 0<&-; sleep 0.3", NULL };
	static char	 in[1 << 20];
	char		 out[16];
	struct hg_proc	 p;

	signal(SIGPIPE, SIG_DFL);
	memset(in, 'x', sizeof(in));
	ck_assert_int_eq(hg_proc_filter(argv, in, sizeof(in), 5000, out,
	    sizeof(out), &p), 0);
	ck_assert(WIFEXITED(p.p_status) && WEXITSTATUS(p.p_status) == 0);
	no_children();
}
END_TEST

/* The environment reaching the program is PATH and LANG only. */
START_TEST(minimal_environment)
{
	static const char *const argv[] = { "/usr/bin/env", NULL };
	char		 out[256];
	struct hg_proc	 p;

	setenv("HANGAR_SECRET_TEST", "leak", 1);
	ck_assert_int_eq(hg_proc_filter(argv, "", 0, 5000, out, sizeof(out),
	    &p), 0);
	ck_assert_str_eq(out, "PATH=/usr/bin:/bin\nLANG=C.UTF-8\n");
	no_children();
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("proc");
	TCase	*tc = tcase_create("filter");

	tcase_add_test(tc, round_trip_larger_than_a_pipe);
	tcase_add_test(tc, output_bounded_and_status_kept);
	tcase_add_test(tc, hung_program_killed_at_deadline);
	tcase_add_test(tc, missing_program_exits_127);
	tcase_add_test(tc, exit_before_reading_is_no_sigpipe);
	tcase_add_test(tc, minimal_environment);
	return unit_run(s, tc);
}
