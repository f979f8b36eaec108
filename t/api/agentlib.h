/*
 * agentlib.h -- tests that run a hangar-agent of their own: the test
 * stack's agent stopped and started again (t/stack.sh), and an agent
 * started with the stack's configuration plus a few lines of the test's.
 *
 * Header-only (static functions), as authlib.h.
 */
#ifndef HG_TEST_AGENTLIB_H
#define HG_TEST_AGENTLIB_H

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "authlib.h"

/* t/stack.sh CMD for the test stack (stop-agent, start-agent). */
static UNUSED void
stack_cmd(const char *cmd)
{
	char line[4096];

	snprintf(line, sizeof(line), "\"%s\" %s \"%s\" \"%s\" \"%s\" "
	    ">/dev/null 2>&1", getenv("HANGAR_STACK"), cmd, getenv("HANGAR_DIR"),
	    getenv("HANGAR_TEST_PORT"), getenv("HANGAR_BIN"));
	ck_assert_msg(system(line) == 0, "t/stack.sh %s failed", cmd);
}

/*
 * An agent named name: the stack's hangar.conf, then its own pid file and
 * log (HANGAR_DIR/log/agent-NAME.log), then extra (later lines win).
 */
static UNUSED pid_t
agent_spawn(const char *name, const char *extra)
{
	const char	*dir = getenv("HANGAR_DIR");
	char		 conf[700], bin[700], buf[8192];
	FILE		*in, *out;
	size_t		 n;
	pid_t		 pid;

	snprintf(conf, sizeof(conf), "%s/agent-%s.conf", dir, name);
	snprintf(bin, sizeof(bin), "%s/hangar.conf", dir);
	ck_assert_ptr_nonnull(in = fopen(bin, "r"));
	ck_assert_ptr_nonnull(out = fopen(conf, "w"));
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
	fclose(in);
	fprintf(out, "\nagent_pid_file = %s/agent-%s.pid\nagent_log = "
	    "%s/log/agent-%s.log\n%s\n", dir, name, dir, name,
	    extra != NULL ? extra : "");
	fclose(out);
	snprintf(bin, sizeof(bin), "%s/hangar-agent", getenv("HANGAR_BIN"));
	if ((pid = fork()) == 0) {
		execl(bin, "hangar-agent", "-c", conf, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_gt(pid, 0);
	return pid;
}

/* SIGTERM to an agent of agent_spawn, and its exit status 0 awaited. */
static UNUSED void
agent_reap(pid_t pid)
{
	int status;

	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "agent exited with status %d", status);
}

#endif
