/*
 * jinja.c -- is a deploy script's content a Jinja2 template?  Asked of
 * the real Jinja2 through the helper the project ships
 * (src/libexec/hangar-jinja-check, config jinja_check), run as a bounded
 * filter (lib/proc.c): the worker waits at most jinja_check_timeout ms,
 * and the helper is reaped and its pipes closed whatever happens.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "hangard.h"
#include "conf.h"
#include "log.h"
#include "proc.h"
#include "deploy/deploy.h"

/*
 * 0 if content parses; a syntax error is 10002 on field naming the line
 * ("line 3: unexpected '}'"); a checker that cannot run or does not
 * answer in time is 503 (nothing was changed, try again), logged.
 */
int
hg_jinja_check(struct hg_req *r, const char *field, const char *content)
{
	const char	*argv[] = { hg_conf.jinja_check, NULL };
	struct hg_proc	 p;
	char		 out[1024], *tab;
	long		 line;

	if (hg_proc_filter(argv, content, strlen(content),
	    hg_conf.jinja_check_timeout, out, sizeof(out), &p) != 0) {
		log_err("jinja_check %s: cannot run it", hg_conf.jinja_check);
		goto unavailable;
	}
	if (p.p_timedout) {
		log_warn("jinja_check %s: no answer within %ld ms; killed",
		    hg_conf.jinja_check, hg_conf.jinja_check_timeout);
		return hg_fail_http(r, 503, HG_E_UNAVAIL, "the Jinja2 check of "
		    "%s did not finish within %ld ms; nothing was changed",
		    field, hg_conf.jinja_check_timeout);
	}
	if (WIFEXITED(p.p_status) && WEXITSTATUS(p.p_status) == 0)
		return 0;
	out[strcspn(out, "\n")] = '\0';
	if (WIFEXITED(p.p_status) && WEXITSTATUS(p.p_status) == 1 &&
	    (line = strtol(out, &tab, 10)) > 0 && *tab == '\t')
		return hg_invalid(r, field, hg_printf(r->r_arena,
		    "is not a valid Jinja2 template: line %ld: %s", line,
		    tab + 1));
	log_err("jinja_check %s: status %d: %s", hg_conf.jinja_check,
	    p.p_status, out);
unavailable:
	return hg_fail_http(r, 503, HG_E_UNAVAIL, "the Jinja2 check of %s is "
	    "not available; nothing was changed", field);
}
