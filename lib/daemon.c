/*
 * daemon.c -- detaching and pid files, for hangard and hangar-agent
 * (daemon.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

void
hg_daemonize(void)
{
	pid_t	pid = fork();
	int	fd;

	if (pid == -1)
		hg_fatal("fork: %s", strerror(errno));
	if (pid > 0)
		_exit(0);
	setsid();
	if ((fd = open("/dev/null", O_RDWR)) != -1) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

void
hg_write_pid(const char *path)
{
	FILE *f;

	if ((f = fopen(path, "w")) == NULL)
		hg_fatal("%s: %s", path, strerror(errno));
	fprintf(f, "%ld\n", (long)getpid());
	fclose(f);
}

void
hg_remove_pid(const char *path)
{
	FILE	*f;
	long	 pid = 0;

	if ((f = fopen(path, "r")) == NULL)
		return;
	if (fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	fclose(f);
	if (pid == (long)getpid())
		unlink(path);
}
