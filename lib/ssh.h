/*
 * ssh.h -- running commands on hosts over SSH (libssh), for hangar-agent.
 *
 * One struct hg_ssh is one authenticated session to one host; a task that
 * runs several steps on a host runs them all over the same session
 * (handshakes are what fan-out pays for).  Authentication is by private key
 * only, the key given as text (the unsealed credential), never written to
 * disk.  Host keys are pinned: the first contact stores the host's key in
 * the known_hosts file, and a later different key fails that host with
 * "host key for NAME changed (was SHA256:..., now SHA256:...)"; nothing is
 * ever accepted silently.  Every call has a deadline.
 *
 * Thread-safe as long as one session is used by one thread at a time; call
 * hg_ssh_init() once before starting threads.  Error texts are one readable
 * line, with no secret in them, fit for a task's message.
 */
#ifndef HG_SSH_H
#define HG_SSH_H

#include <stddef.h>

struct hg_ssh;

struct hg_ssh_target {
	const char	*t_name;	/* host name, for messages */
	const char	*t_addr;	/* address to connect to */
	int		 t_port;
	const char	*t_user;
	const char	*t_key;		/* private key text (OpenSSH or PEM) */
};

/* Results of hg_ssh_run (and hg_ssh_open's: HG_SSH_OK or HG_SSH_ERROR). */
enum hg_ssh_rc {
	HG_SSH_OK = 0,		/* the command ran; see *exit_status */
	HG_SSH_ERROR,		/* could not run it or the session broke */
	HG_SSH_TIMEOUT,		/* outlived its deadline and was killed */
};

/* Called once per output line (without its newline). */
typedef void (*hg_ssh_line_fn)(void *arg, int is_stderr, const char *line,
	    size_t len);

int		 hg_ssh_init(void);
/*
 * Connect, check or pin the host key in known_hosts, authenticate; all
 * within timeout_s.  NULL on failure with the reason in err.
 */
struct hg_ssh	*hg_ssh_open(const struct hg_ssh_target *, int timeout_s,
		    const char *known_hosts, char *err, size_t errlen);
/*
 * Run cmd with input (NULL: none) on its stdin, feeding output lines to fn
 * as they arrive.  A command still running after timeout_s is sent SIGKILL
 * and its channel closed (the session is not reusable after that: close
 * it).
 */
enum hg_ssh_rc	 hg_ssh_run(struct hg_ssh *, const char *cmd,
		    const char *input, int timeout_s, hg_ssh_line_fn fn,
		    void *arg, int *exit_status, char *err, size_t errlen);
void		 hg_ssh_close(struct hg_ssh *);

/*
 * Reading one file over SFTP at offsets (hangard's instance logs): no
 * shell, no command line, the path goes to the SFTP server as data.
 *
 * hg_ssh_deadline arms a watchdog: once `seconds` have passed, the
 * session's socket is shut down, so that whatever libssh call is waiting
 * fails at once (libssh's own SFTP calls would otherwise wait forever on a
 * server that stops answering); hg_ssh_expired then says 1.
 * hg_ssh_file_open opens path read-only (HG_SSH_NOFILE: it does not exist)
 * and gives its size; hg_ssh_file_read reads len bytes at off (fewer only
 * at the end of the file) and returns how many, or -1.  The file is
 * closed by hg_ssh_close.
 */
enum hg_ssh_frc {
	HG_SSH_FOK = 0,
	HG_SSH_FERROR,		/* SFTP or the session failed (err) */
	HG_SSH_NOFILE,		/* no such file */
};

int		 hg_ssh_deadline(struct hg_ssh *, double seconds);
int		 hg_ssh_expired(struct hg_ssh *);
enum hg_ssh_frc	 hg_ssh_file_open(struct hg_ssh *, const char *path,
		    long long *size, char *err, size_t errlen);
long long	 hg_ssh_file_read(struct hg_ssh *, long long off, char *buf,
		    size_t len, char *err, size_t errlen);

/*
 * Write the local file over SFTP to remote (created 0600, truncated): the
 * path goes to the SFTP server as data, never through a shell.  0, or -1
 * with the reason in err.
 */
int		 hg_ssh_upload(struct hg_ssh *, const char *local,
		    const char *remote, char *err, size_t errlen);

#endif
