/*
 * test_release.c -- lib/release.c: which versions and update sources a
 * release may have (they become folder names on hosts and git revisions),
 * and quoting for the remote shell, checked by a real sh; and lib/proc.c's
 * options (environment, folder, stderr) that the agent's git runs use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <check.h>

#include "arena.h"
#include "proc.h"
#include "release.h"
#include "unit.h"

START_TEST(versions)
{
	static const char *const good[] = { "v1", "1.2.3", "20180414-121540",
	    "release_2+build@x=1", "a", "0123456789abcdef0123456789abcdef01234567" };
	static const char *const bad[] = { "", ".", "..", "a..b", "-rf", ".git",
	    "a/b", "../x", "a b", "a;b", "$(id)", "`id`", "a'b", "a\"b", "a\nb",
	    "\xe5\xbc\xa0", "a\\b", "a*", "a?", "a~1", "a^{commit}", "a:b" };
	char	long_ok[129], long_bad[130];
	size_t	i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(hg_check_release_version(good[i]) == NULL, "%s",
		    good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(hg_check_release_version(bad[i]) != NULL, "%s",
		    bad[i]);
	memset(long_ok, 'a', 128);
	long_ok[128] = '\0';
	memset(long_bad, 'a', 129);
	long_bad[129] = '\0';
	ck_assert_ptr_null(hg_check_release_version(long_ok));
	ck_assert_ptr_nonnull(hg_check_release_version(long_bad));
}
END_TEST

START_TEST(update_sources)
{
	static const char *const good[] = { "root.war", "builds/root.war",
	    "a/b/c", "web" };
	static const char *const bad[] = { "", "/abs", "a//b", "a/", "a/../b",
	    "../a", "./a", "a/.git", "a/-x", "a b", "a;b", "a/$(id)" };
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(hg_check_update_source(good[i]) == NULL, "%s",
		    good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(hg_check_update_source(bad[i]) != NULL, "%s",
		    bad[i]);
}
END_TEST

/* What sh makes of hg_shq(s) is s, whatever s holds. */
START_TEST(shell_quoting)
{
	static const char *const cases[] = { "plain", "", "it's", "''",
	    "a b  c", "$(touch /tmp/hangar-shq-pwned)", "`id`", "\\n\\", "\"",
	    ";|&<>*?[]{}~#!", "\xe5\xbc\xa0 \xe4\xb8\x89", "a\nb\tc" };
	struct hg_arena	 a;
	struct hg_proc	 p;
	char		 out[4096], *cmd;
	const char	*argv[] = { "/bin/sh", "-c", NULL, NULL };
	size_t		 i;

	hg_arena_init(&a);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cmd = hg_printf(&a, "printf '%%s' %s", hg_shq(&a, cases[i]));
		argv[2] = cmd;
		ck_assert_int_eq(hg_proc_filter(argv, NULL, 0, 5000, out,
		    sizeof(out), &p), 0);
		ck_assert(WIFEXITED(p.p_status) && WEXITSTATUS(p.p_status) == 0);
		ck_assert_str_eq(out, cases[i]);
	}
	hg_arena_free(&a);
}
END_TEST

START_TEST(proc_options)
{
	static const char *const env[] = { "HANGAR_X=secret value", NULL };
	struct hg_proc_opts	 o = { env, "/tmp", 1 };
	struct hg_proc		 p;
	const char		*argv[] = { "/bin/sh", "-c",
				    "printf '%s|' \"$HANGAR_X\" \"$(pwd)\"; "
				    "echo oops >&2", NULL };
	char			 out[256];

	ck_assert_int_eq(hg_proc_run(argv, &o, NULL, 0, 5000, out, sizeof(out),
	    &p), 0);
	ck_assert_str_eq(out, "secret value|/tmp|oops\n");
	/* without the options: no variable, stderr dropped */
	ck_assert_int_eq(hg_proc_filter(argv, NULL, 0, 5000, out, sizeof(out),
	    &p), 0);
	ck_assert(out[0] == '|');
	ck_assert_ptr_null(strstr(out, "oops"));
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("release");
	TCase	*tc = tcase_create("release");

	tcase_add_test(tc, versions);
	tcase_add_test(tc, update_sources);
	tcase_add_test(tc, shell_quoting);
	tcase_add_test(tc, proc_options);
	return unit_run(s, tc);
}
