/*
 * unit.h -- what every unit test's main does once its cases are added:
 * run the suite (check forks each test, so a crash fails only that one)
 * and exit 0 only when every test passed.
 */
#ifndef HG_UNIT_H
#define HG_UNIT_H

#include <check.h>

/* Run s with its one case tc; the exit status for main. */
static inline int
unit_run(Suite *s, TCase *tc)
{
	SRunner	*sr;
	int	 failed;

	tcase_set_timeout(tc, 120);	/* ASan on a busy shared host is slow */
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}

#endif
