/*
 * daemon.h -- what hangard and hangar-agent do alike to run in the
 * background: detach, and keep a pid file.
 */
#ifndef HG_DAEMON_H
#define HG_DAEMON_H

/*
 * Detach from the terminal: fork (the parent exits at once), start a new
 * session, and point standard input, output and error at /dev/null.
 * Exits through hg_fatal when it cannot fork.
 */
void	hg_daemonize(void);
/* Write the caller's pid to path; exits through hg_fatal when it cannot. */
void	hg_write_pid(const char *path);
/*
 * Remove the pid file at path if it still names the caller: a process that
 * started since may have written its own there.
 */
void	hg_remove_pid(const char *path);

#endif
