/*
 * test_daemon.c -- lib/daemon.c's pid files: written with the caller's
 * pid, removed only while they still name it (another process may have
 * written its own since), and a pid file that cannot be written stops
 * the program.  hg_daemonize is left to the stack: it forks away.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "daemon.h"
#include "unit.h"

static char dir[64], path[128];

static void
setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/hg-daemon-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/x.pid", dir);
}

static void
teardown(void)
{
	unlink(path);
	rmdir(dir);
}

static void
put(const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(written_with_our_pid_and_removed)
{
	FILE	*f;
	long	 pid = 0;

	hg_write_pid(path);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	ck_assert_int_eq(fscanf(f, "%ld", &pid), 1);
	fclose(f);
	ck_assert_int_eq(pid, (long)getpid());
	hg_remove_pid(path);
	ck_assert_int_eq(access(path, F_OK), -1);
	hg_remove_pid(path);		/* gone already: nothing to do */
}
END_TEST

START_TEST(another_process_file_is_left)
{
	char other[32];

	snprintf(other, sizeof(other), "%ld\n", (long)getpid() + 1);
	put(other);
	hg_remove_pid(path);
	ck_assert_int_eq(access(path, F_OK), 0);
	put("not a pid\n");
	hg_remove_pid(path);
	ck_assert_int_eq(access(path, F_OK), 0);
}
END_TEST

/* The program exits (teardown does not run: leave nothing behind). */
START_TEST(unwritable_is_fatal)
{
	rmdir(dir);
	hg_write_pid(path);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("daemon");
	TCase	*tc = tcase_create("pidfile");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, written_with_our_pid_and_removed);
	tcase_add_test(tc, another_process_file_is_left);
	tcase_add_exit_test(tc, unwritable_is_fatal, 1);
	return unit_run(s, tc);
}
