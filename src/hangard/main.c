/*
 * main.c -- hangard's master: bind the FastCGI socket, fork the workers,
 * keep their number, replace them on SIGHUP, drain them on SIGTERM.
 *
 *	hangard [-d] [-t] [-c hangar.conf]
 */
#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "daemon.h"
#include "hangard.h"
#include "log.h"
#include "secret.h"
#include "ssh.h"
#include "timefmt.h"

#define MAXWORKERS	(HG_MAXSLOTS / 2)	/* two generations during a reload */
#define DRAIN_SECONDS	30

struct worker {
	pid_t	w_pid;
	int	w_gen;		/* generation: bumped by every SIGHUP */
	time_t	w_started;
};

static struct worker		 workers[MAXWORKERS * 2];
static int			 generation;
static volatile sig_atomic_t	 got_chld, got_hup, got_term;
static const char		*conf_path;
static int			 running;	/* the log is open */

static void
on_signal(int sig)
{
	if (sig == SIGCHLD)
		got_chld = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: hangard [-dRt] [-c file]\n");
	exit(2);
}

static int
load_conf(const char *path)
{
	char err[1024];

	/* conf.c checks every value, so a refused file changes nothing. */
	if (hg_conf_load(path, err, sizeof(err)) != 0) {
		if (running)
			log_err("%s", err);	/* stderr is /dev/null by now */
		else
			fprintf(stderr, "hangard: %s\n", err);
		return -1;
	}
	(void)hg_tz_init(hg_conf.timezone);
	return 0;
}

/* Bind the socket, refusing to steal it from a running hangard. */
static int
bind_socket(const char *path)
{
	struct sockaddr_un	sun;
	int			fd;

	if (strlen(path) >= sizeof(sun.sun_path))
		hg_fatal("listen: socket path too long (max %zu): %s",
		    sizeof(sun.sun_path) - 1, path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd != -1 && connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		hg_fatal("listen: %s is in use by a running server", path);
	if (fd != -1)
		close(fd);
	unlink(path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1)
		hg_fatal("socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		hg_fatal("bind %s: %s", path, strerror(errno));
	/*
	 * nginx's workers run as another user: the socket is theirs through
	 * its group (listen_group, listen_mode), and nobody else's.
	 */
	if (*hg_conf.listen_group != '\0') {
		struct group *g = getgrnam(hg_conf.listen_group);

		if (g == NULL)
			hg_fatal("listen_group: no group %s", hg_conf.listen_group);
		if (chown(path, (uid_t)-1, g->gr_gid) == -1)
			hg_fatal("chown %s to group %s: %s", path,
			    hg_conf.listen_group, strerror(errno));
	}
	if (chmod(path, (mode_t)strtol(hg_conf.listen_mode, NULL, 8)) == -1)
		hg_fatal("chmod %s: %s", path, strerror(errno));
	if (listen(fd, 1024) == -1)
		hg_fatal("listen %s: %s", path, strerror(errno));
	return fd;
}

static void
spawn(int lfd, int slot)
{
	pid_t pid = fork();

	if (pid == -1) {
		log_err("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0)
		hg_worker_run(lfd, generation, slot);
	workers[slot].w_pid = pid;
	workers[slot].w_gen = generation;
	workers[slot].w_started = time(NULL);
}

static int
count_current(void)
{
	int i, n = 0;

	for (i = 0; i < MAXWORKERS * 2; i++)
		if (workers[i].w_pid > 0 && workers[i].w_gen == generation)
			n++;
	return n;
}

/* Start workers until `workers` of the current generation run. */
static void
fill(int lfd)
{
	int i, need = (int)hg_conf.workers - count_current();

	for (i = 0; i < MAXWORKERS * 2 && need > 0; i++)
		if (workers[i].w_pid == 0) {
			spawn(lfd, i);
			need--;
		}
}

static void
signal_gen(int sig, int only_old)
{
	int i;

	for (i = 0; i < MAXWORKERS * 2; i++)
		if (workers[i].w_pid > 0 &&
		    (!only_old || workers[i].w_gen != generation))
			kill(workers[i].w_pid, sig);
}

/* Reap exited workers; returns how many died abnormally and young. */
static int
reap(void)
{
	int	status, i, crashed = 0;
	pid_t	pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (i = 0; i < MAXWORKERS * 2; i++) {
			if (workers[i].w_pid != pid)
				continue;
			if (WIFSIGNALED(status))
				log_warn("worker %ld killed by signal %d",
				    (long)pid, WTERMSIG(status));
			else if (WEXITSTATUS(status) != 0)
				log_warn("worker %ld exited with status %d",
				    (long)pid, WEXITSTATUS(status));
			if ((WIFSIGNALED(status) || WEXITSTATUS(status) != 0) &&
			    time(NULL) - workers[i].w_started < 1)
				crashed++;
			workers[i].w_pid = 0;
			hg_shared_gone(i);
		}
	return crashed;
}

static int
alive(void)
{
	int i, n = 0;

	for (i = 0; i < MAXWORKERS * 2; i++)
		if (workers[i].w_pid > 0)
			n++;
	return n;
}

int
main(int argc, char *argv[])
{
	struct sigaction	 sa;
	sigset_t		 block, empty;
	int			 ch, lfd, test = 0, detach = 0, i;
	char			 err[512];
	char			*listen_path;
	time_t			 deadline;

	while ((ch = getopt(argc, argv, "c:dRt")) != -1)
		switch (ch) {
		case 'c':
			conf_path = optarg;
			break;
		case 'd':
			detach = 1;
			break;
		case 't':
			test = 1;
			break;
		case 'R':
			hg_routes_print();
			return hg_routes_check(err, sizeof(err)) == 0 ? 0 : 1;
		default:
			usage();
		}
	if (argc != optind)
		usage();
	if (hg_routes_check(err, sizeof(err)) != 0) {
		fprintf(stderr, "hangard: %s\n", err);
		return 1;
	}
	if (load_conf(conf_path) != 0)
		return 1;
	if (test) {
		printf("hangard: configuration %s is ok\n",
		    conf_path ? conf_path : "(defaults)");
		return 0;
	}
	if (hg_secret_init() != 0)
		hg_fatal("libsodium failed to initialise");
	/* Instance logs are read over SFTP (cmdb/instance_logs.c). */
	if (hg_ssh_init() != 0)
		hg_fatal("libssh failed to initialise");
	if (hg_log_open("hangard", hg_conf.log_file,
	    (enum hg_level)hg_log_level(hg_conf.log_level)) != 0) {
		fprintf(stderr, "hangard: %s: %s\n", hg_conf.log_file,
		    strerror(errno));
		return 1;
	}
	running = 1;
	/* The server key seals stored secrets (cloud accounts, credentials). */
	if (hg_key_load(hg_conf.secret_key_file, 0, err, sizeof(err)) != 0)
		log_warn("no server key, secrets cannot be stored: %s", err);
	/* Bind before detaching, so a socket in use fails the command itself. */
	listen_path = strdup(hg_conf.listen);
	lfd = bind_socket(listen_path);
	if (detach)
		hg_daemonize();
	if (hg_conf.pid_file && *hg_conf.pid_file)	/* empty: no pid file */
		hg_write_pid(hg_conf.pid_file);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, NULL);
	sigemptyset(&empty);

	hg_shared_init();
	log_info("hangard started listen=%s workers=%ld", listen_path,
	    hg_conf.workers);
	fill(lfd);
	while (!got_term) {
		sigsuspend(&empty);
		if (got_chld) {
			got_chld = 0;
			if (reap() > 0 && !got_term)
				sleep(1);	/* do not fork-bomb a crash loop */
		}
		if (got_hup) {
			got_hup = 0;
			if (load_conf(conf_path) != 0) {
				log_err("reload failed; keeping the old configuration");
			} else {
				hg_log_open("hangard", hg_conf.log_file,
				    (enum hg_level)hg_log_level(hg_conf.log_level));
				if (strcmp(listen_path, hg_conf.listen) != 0)
					log_warn("listen changes need a restart; "
					    "still on %s", listen_path);
				generation++;
				log_info("reloaded: replacing workers, generation %d",
				    generation);
			}
			fill(lfd);
			signal_gen(SIGTERM, 1);
			continue;
		}
		if (!got_term)
			fill(lfd);
	}
	log_info("stopping: draining %d workers", alive());
	signal_gen(SIGTERM, 0);
	deadline = time(NULL) + DRAIN_SECONDS;
	while (alive() > 0 && time(NULL) < deadline) {
		reap();
		if (alive() > 0)
			usleep(20000);
	}
	signal_gen(SIGKILL, 0);
	for (i = 0; i < 50 && alive() > 0; i++) {
		reap();
		usleep(20000);
	}
	close(lfd);
	unlink(listen_path);
	if (hg_conf.pid_file && *hg_conf.pid_file)
		unlink(hg_conf.pid_file);
	log_info("hangard stopped");
	return 0;
}
