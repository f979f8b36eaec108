/*
 * proc.c -- a local helper program as a bounded filter (proc.h).  hangard
 * runs short checks this way (hangar-jinja-check): a worker must never
 * wait on one longer than its configured bound, and must not leave a
 * zombie or a descriptor behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

#include "proc.h"

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * write(2) to the child's stdin without dying of SIGPIPE when it has
 * already exited (a missing program exits 127 at once): the signal is
 * blocked around the write, and one it raised is taken off the pending
 * set before the mask comes back.  The caller need not ignore SIGPIPE.
 */
static ssize_t
write_nopipe(int fd, const void *buf, size_t len)
{
	static const struct timespec	 zero = { 0, 0 };
	sigset_t			 pipe_set, old, pending;
	ssize_t				 n;
	int				 e, was;

	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	sigpending(&pending);
	was = sigismember(&pending, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
	n = write(fd, buf, len);
	e = errno;
	if (n == -1 && e == EPIPE && !was)
		while (sigtimedwait(&pipe_set, NULL, &zero) == -1 &&
		    errno == EINTR)
			;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	errno = e;
	return n;
}

/*
 * In the child: become the program, or exit 127.  The environment is
 * PATH and LANG, then o's extra variables; stderr is /dev/null unless o
 * merges it into stdout.
 */
static void __attribute__((noreturn))
child(const char *const argv[], int in, int out, const struct hg_proc_opts *o)
{
	char			*env[2 + HG_PROC_MAXENV + 1];
	struct sigaction	 sa;
	sigset_t		 none;
	int			 null, sig;
	size_t			 i, n = 0;

	env[n++] = "PATH=/usr/bin:/bin";
	env[n++] = "LANG=C.UTF-8";
	for (i = 0; o != NULL && o->o_env != NULL && o->o_env[i] != NULL &&
	    i < HG_PROC_MAXENV; i++)
		env[n++] = (char *)o->o_env[i];
	env[n] = NULL;

	(void)setpgid(0, 0);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if ((null = open("/dev/null", O_WRONLY)) == -1 ||
	    dup2(in, 0) == -1 || dup2(out, 1) == -1 ||
	    dup2(o != NULL && o->o_stderr ? out : null, 2) == -1)
		_exit(127);
	if (o != NULL && o->o_cwd != NULL && chdir(o->o_cwd) != 0)
		_exit(127);
	close_range(3, ~0U, 0);
	execve(argv[0], (char *const *)argv, env);
	_exit(127);
}

int
hg_proc_filter(const char *const argv[], const char *in, size_t inlen,
    long timeout_ms, char *out, size_t outsz, struct hg_proc *p)
{
	return hg_proc_run(argv, NULL, in, inlen, timeout_ms, out, outsz, p);
}

int
hg_proc_run(const char *const argv[], const struct hg_proc_opts *o,
    const char *in, size_t inlen, long timeout_ms, char *out, size_t outsz,
    struct hg_proc *p)
{
	struct pollfd	 pf[2];
	long long	 deadline = now_ms() + timeout_ms, left;
	size_t		 sent = 0, room;
	ssize_t		 n;
	char		*dst;
	pid_t		 pid, w;
	char		 sink[4096];
	int		 ip[2] = { -1, -1 }, op[2] = { -1, -1 }, e;

	memset(p, 0, sizeof(*p));
	if (outsz > 0)
		out[0] = '\0';
	if (pipe2(ip, O_CLOEXEC) == -1)
		return -1;
	if (pipe2(op, O_CLOEXEC) == -1) {
		e = errno;
		close(ip[0]);
		close(ip[1]);
		errno = e;
		return -1;
	}
	if ((pid = fork()) == -1) {
		e = errno;
		close(ip[0]);
		close(ip[1]);
		close(op[0]);
		close(op[1]);
		errno = e;
		return -1;
	}
	if (pid == 0)
		child(argv, ip[0], op[1], o);
	(void)setpgid(pid, pid);	/* both sides: no race with kill */
	close(ip[0]);
	close(op[1]);
	fcntl(ip[1], F_SETFL, O_NONBLOCK);
	fcntl(op[0], F_SETFL, O_NONBLOCK);
	if (inlen == 0) {
		close(ip[1]);
		ip[1] = -1;
	}
	while (op[0] != -1) {
		if ((left = deadline - now_ms()) <= 0) {
			p->p_timedout = 1;
			break;
		}
		pf[0].fd = op[0];
		pf[0].events = POLLIN;
		pf[1].fd = ip[1];	/* -1: ignored */
		pf[1].events = POLLOUT;
		if (poll(pf, 2, (int)left) == -1) {
			if (errno == EINTR)
				continue;
			p->p_timedout = 1;	/* cannot wait: give up on it */
			break;
		}
		if (ip[1] != -1 && (pf[1].revents & (POLLOUT | POLLERR |
		    POLLHUP))) {
			n = write_nopipe(ip[1], in + sent, inlen - sent);
			if (n > 0)
				sent += (size_t)n;
			if ((n == -1 && errno != EAGAIN && errno != EINTR) ||
			    sent == inlen) {
				close(ip[1]);	/* EOF, or it stopped reading */
				ip[1] = -1;
			}
		}
		if (pf[0].revents & (POLLIN | POLLHUP | POLLERR)) {
			if (p->p_outlen + 1 < outsz) {
				dst = out + p->p_outlen;
				room = outsz - 1 - p->p_outlen;
			} else {
				dst = sink;	/* over the bound: dropped */
				room = sizeof(sink);
			}
			if ((n = read(op[0], dst, room)) > 0 && dst != sink)
				p->p_outlen += (size_t)n;
			if (n == 0 || (n == -1 && errno != EAGAIN &&
			    errno != EINTR)) {
				close(op[0]);
				op[0] = -1;
			}
		}
	}
	if (outsz > 0)
		out[p->p_outlen] = '\0';
	if (ip[1] != -1)
		close(ip[1]);
	if (op[0] != -1)
		close(op[0]);
	/* Its stdout is closed; it has until the deadline to exit. */
	while (!p->p_timedout) {
		if ((w = waitpid(pid, &p->p_status, WNOHANG)) == pid)
			return 0;
		if (w == -1 && errno != EINTR)
			return -1;	/* reaped elsewhere (ECHILD) */
		if (now_ms() >= deadline)
			p->p_timedout = 1;
		else
			usleep(2000);
	}
	kill(-pid, SIGKILL);
	kill(pid, SIGKILL);
	while (waitpid(pid, &p->p_status, 0) == -1 && errno == EINTR)
		;
	return 0;
}
