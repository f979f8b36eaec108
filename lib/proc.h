/*
 * proc.h -- running a local helper program as a filter: the input on its
 * stdin, its stdout captured, the whole run bounded in time.
 */
#ifndef HG_PROC_H
#define HG_PROC_H

#include <stddef.h>

struct hg_proc {
	int	p_status;	/* wait status (WIFEXITED...), when it ended */
	int	p_timedout;	/* killed at the deadline */
	size_t	p_outlen;	/* bytes of stdout kept (the rest is dropped) */
};

/*
 * Run argv[0] (an absolute path) with argv, a minimal environment (PATH
 * and LANG only: nothing of ours reaches it), in a process group of its
 * own, no descriptor but its stdin (in, inlen), stdout (into out, at most
 * outsz - 1 bytes, NUL-terminated) and stderr (/dev/null).  It has
 * timeout_ms to read its input, write its output and exit; then it is
 * killed (SIGKILL to its group).  Either way it is reaped and every
 * descriptor is closed before this returns: no zombie, no leak.
 * Returns 0 when the program ran (p_status, or p_timedout), -1 when it
 * could not be started (errno).  A program that cannot be executed exits
 * 127.
 */
int	hg_proc_filter(const char *const argv[], const char *in, size_t inlen,
	    long timeout_ms, char *out, size_t outsz, struct hg_proc *);

/*
 * The same, with options: o_env adds up to HG_PROC_MAXENV "NAME=value"
 * strings (NULL-terminated) to the environment, o_cwd is the directory it
 * runs in, o_stderr sends its stderr into the captured stdout (for the
 * last lines of a failure).  The data in o_env reaches no command line,
 * so it is where a secret's location goes (never the secret on argv).
 */
#define HG_PROC_MAXENV	8
struct hg_proc_opts {
	const char *const	*o_env;
	const char		*o_cwd;
	int			 o_stderr;
};
int	hg_proc_run(const char *const argv[], const struct hg_proc_opts *,
	    const char *in, size_t inlen, long timeout_ms, char *out,
	    size_t outsz, struct hg_proc *);

#endif
