/*
 * ssh.c -- libssh sessions with pinned host keys and deadlines (ssh.h).
 *
 * Pinning: libssh compares the server's key with the known_hosts file we
 * name (never ~/.ssh or /etc/ssh: the agent's pins are its own, and no
 * ssh_config is read).  First contact appends the key, under an flock so
 * that threads and other agents sharing the file append whole lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libssh/libssh.h>
#include <libssh/sftp.h>

#include "ssh.h"

#define LINE_MAX_LEN	4096	/* longer output lines are split */

struct hg_ssh {
	ssh_session	 s_sess;
	char		 s_name[128];
	char		 s_pattern[300];	/* known_hosts name: [addr]:port */
	/* SFTP (hg_ssh_file_*) */
	sftp_session	 s_sftp;
	sftp_file	 s_file;
	char		*s_path;
	/* the watchdog (hg_ssh_deadline) */
	pthread_t	 s_dog;
	pthread_mutex_t	 s_mtx;
	pthread_cond_t	 s_cond;
	int		 s_dog_on;	/* thread started */
	int		 s_dog_stop;	/* asked to stop (under s_mtx) */
	int		 s_expired;	/* the deadline passed (under s_mtx) */
	struct timespec	 s_until;	/* CLOCK_MONOTONIC */
};

int
hg_ssh_init(void)
{
	return ssh_init() == SSH_OK ? 0 : -1;
}

/* "SHA256:..." of key into buf. */
static void
fingerprint(ssh_key key, char *buf, size_t len)
{
	unsigned char	*hash = NULL;
	size_t		 hlen = 0;
	char		*fp;

	snprintf(buf, len, "unknown");
	if (key == NULL || ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256,
	    &hash, &hlen) != 0)
		return;
	if ((fp = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash,
	    hlen)) != NULL) {
		snprintf(buf, len, "%s", fp);
		ssh_string_free_char(fp);
	}
	ssh_clean_pubkey_hash(&hash);
}

/*
 * The fingerprint of the key pinned for pattern ("[addr]:port", as libssh
 * writes it) in the open known_hosts file fd.
 */
static void
pinned(int fd, const char *pattern, char *buf, size_t len)
{
	FILE	*f;
	char	 line[8192], *host, *type, *b64, *save;
	ssh_key	 key = NULL;

	snprintf(buf, len, "unknown");
	if ((fd = dup(fd)) == -1 || lseek(fd, 0, SEEK_SET) == -1 ||
	    (f = fdopen(fd, "r")) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while (key == NULL && fgets(line, sizeof(line), f) != NULL) {
		if ((host = strtok_r(line, " \t\n", &save)) == NULL ||
		    strcmp(host, pattern) != 0 ||
		    (type = strtok_r(NULL, " \t\n", &save)) == NULL ||
		    (b64 = strtok_r(NULL, " \t\n", &save)) == NULL)
			continue;
		if (ssh_pki_import_pubkey_base64(b64, ssh_key_type_from_name(type),
		    &key) != SSH_OK)
			key = NULL;
	}
	fclose(f);
	if (key != NULL)
		fingerprint(key, buf, len);
	ssh_key_free(key);
}

/*
 * Compare the server's key with the pinned one; pin it on first contact.
 * 0 when the key is the pinned one (or was just pinned).
 */
static int
check_host_key(struct hg_ssh *h, const char *known_hosts, char *err,
    size_t errlen)
{
	enum ssh_known_hosts_e		 st;
	ssh_key				 srv = NULL;
	char				 was[128], now[128];
	int				 fd, rc = -1;

	if ((fd = open(known_hosts, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1) {
		snprintf(err, errlen, "cannot open known_hosts %s: %s",
		    known_hosts, strerror(errno));
		return -1;
	}
	(void)flock(fd, LOCK_EX);
	st = ssh_session_is_known_server(h->s_sess);
	switch (st) {
	case SSH_KNOWN_HOSTS_OK:
		rc = 0;
		break;
	case SSH_KNOWN_HOSTS_NOT_FOUND:
	case SSH_KNOWN_HOSTS_UNKNOWN:
		if (ssh_session_update_known_hosts(h->s_sess) == SSH_OK)
			rc = 0;
		else
			snprintf(err, errlen, "cannot pin the host key of %s: %s",
			    h->s_name, ssh_get_error(h->s_sess));
		break;
	case SSH_KNOWN_HOSTS_CHANGED:
	case SSH_KNOWN_HOSTS_OTHER:
		pinned(fd, h->s_pattern, was, sizeof(was));
		(void)ssh_get_server_publickey(h->s_sess, &srv);
		fingerprint(srv, now, sizeof(now));
		snprintf(err, errlen, "host key for %s changed (was %s, now %s); "
		    "not connecting: if the change is expected, remove the "
		    "line \"%s ...\" from %s", h->s_name, was, now,
		    h->s_pattern, known_hosts);
		ssh_key_free(srv);
		break;
	default:
		snprintf(err, errlen, "cannot check the host key of %s: %s",
		    h->s_name, ssh_get_error(h->s_sess));
		break;
	}
	(void)flock(fd, LOCK_UN);
	close(fd);
	return rc;
}

static int
authenticate(struct hg_ssh *h, const struct hg_ssh_target *t, char *err,
    size_t errlen)
{
	ssh_key	key = NULL;
	int	rc;

	if (t->t_key == NULL || ssh_pki_import_privkey_base64(t->t_key, NULL,
	    NULL, NULL, &key) != SSH_OK) {
		snprintf(err, errlen, "the SSH credential of %s is not a usable "
		    "private key", t->t_name);
		return -1;
	}
	rc = ssh_userauth_publickey(h->s_sess, NULL, key);
	ssh_key_free(key);
	if (rc != SSH_AUTH_SUCCESS) {
		snprintf(err, errlen, "%s refused key authentication as %s",
		    t->t_name, t->t_user);
		return -1;
	}
	return 0;
}

/*
 * The ciphers offered, or NULL for libssh's own order.  libssh puts
 * ChaCha20-Poly1305 first; on a CPU with AES instructions AES-GCM costs
 * both ends less (a 300 MB SFTP upload to OpenSSH's sshd here: 1.23-1.46
 * s against 1.58-1.70 s), and a release goes to many hosts at once from
 * one agent.  Without them ChaCha20 is the faster, and libssh's order
 * stays.
 */
static const char *
ciphers(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("aes"))
		return "aes128-gcm@openssh.com,aes256-gcm@openssh.com,"
		    "chacha20-poly1305@openssh.com,aes128-ctr,aes192-ctr,"
		    "aes256-ctr";
#endif
	return NULL;
}

struct hg_ssh *
hg_ssh_open(const struct hg_ssh_target *t, int timeout_s,
    const char *known_hosts, char *err, size_t errlen)
{
	struct hg_ssh	*h;
	long		 to = timeout_s;
	unsigned int	 port = (unsigned int)t->t_port;
	const char	*c = ciphers();
	int		 no = 0;

	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->s_sess = ssh_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		free(h);
		return NULL;
	}
	snprintf(h->s_name, sizeof(h->s_name), "%s", t->t_name);
	if (t->t_port == 22)
		snprintf(h->s_pattern, sizeof(h->s_pattern), "%s", t->t_addr);
	else
		snprintf(h->s_pattern, sizeof(h->s_pattern), "[%s]:%d",
		    t->t_addr, t->t_port);
	ssh_options_set(h->s_sess, SSH_OPTIONS_PROCESS_CONFIG, &no);
	ssh_options_set(h->s_sess, SSH_OPTIONS_HOST, t->t_addr);
	ssh_options_set(h->s_sess, SSH_OPTIONS_PORT, &port);
	ssh_options_set(h->s_sess, SSH_OPTIONS_USER, t->t_user);
	ssh_options_set(h->s_sess, SSH_OPTIONS_TIMEOUT, &to);
	ssh_options_set(h->s_sess, SSH_OPTIONS_KNOWNHOSTS, known_hosts);
	ssh_options_set(h->s_sess, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
	if (c != NULL) {
		ssh_options_set(h->s_sess, SSH_OPTIONS_CIPHERS_C_S, c);
		ssh_options_set(h->s_sess, SSH_OPTIONS_CIPHERS_S_C, c);
	}
	if (ssh_connect(h->s_sess) != SSH_OK) {
		snprintf(err, errlen, "cannot connect to %s (%s port %d): %s",
		    t->t_name, t->t_addr, t->t_port, ssh_get_error(h->s_sess));
		goto fail;
	}
	if (check_host_key(h, known_hosts, err, errlen) != 0 ||
	    authenticate(h, t, err, errlen) != 0)
		goto fail;
	return h;
fail:
	hg_ssh_close(h);
	return NULL;
}

void
hg_ssh_close(struct hg_ssh *h)
{
	if (h == NULL)
		return;
	if (h->s_dog_on) {
		pthread_mutex_lock(&h->s_mtx);
		h->s_dog_stop = 1;
		pthread_cond_signal(&h->s_cond);
		pthread_mutex_unlock(&h->s_mtx);
		pthread_join(h->s_dog, NULL);
		pthread_cond_destroy(&h->s_cond);
		pthread_mutex_destroy(&h->s_mtx);
	}
	if (h->s_file != NULL)
		sftp_close(h->s_file);
	if (h->s_sftp != NULL)
		sftp_free(h->s_sftp);
	free(h->s_path);
	if (ssh_is_connected(h->s_sess))
		ssh_disconnect(h->s_sess);
	ssh_free(h->s_sess);
	free(h);
}

/* Output split into lines, per stream. */
struct lines {
	char		 l_buf[2][LINE_MAX_LEN];
	size_t		 l_len[2];
	hg_ssh_line_fn	 l_fn;
	void		*l_arg;
};

static void
feed(struct lines *l, int e, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n' || l->l_len[e] == LINE_MAX_LEN) {
			if (l->l_fn != NULL)
				l->l_fn(l->l_arg, e, l->l_buf[e], l->l_len[e]);
			l->l_len[e] = 0;
			if (p[i] == '\n')
				continue;
		}
		l->l_buf[e][l->l_len[e]++] = p[i];
	}
}

static void
flush(struct lines *l)
{
	int e;

	for (e = 0; e < 2; e++)
		if (l->l_len[e] > 0 && l->l_fn != NULL)
			l->l_fn(l->l_arg, e, l->l_buf[e], l->l_len[e]);
}

/* Read what is there on both streams; -1 on a broken channel. */
static int
drain(ssh_channel ch, struct lines *l)
{
	char	buf[8192];
	int	e, n, got = 0;

	for (e = 0; e < 2; e++)
		while ((n = ssh_channel_read_nonblocking(ch, buf, sizeof(buf),
		    e)) > 0) {
			feed(l, e, buf, (size_t)n);
			got += n;
		}
	return n == SSH_ERROR ? -1 : got;
}

/*
 * The command as the host's login shell gets it: run by sh beside a
 * watchdog that kills the command's whole process group once our sshd
 * process is gone (we disconnect on a timeout).  SSH "signal" requests
 * alone cannot be relied on: OpenSSH refuses them for root logins ("session
 * signalling requires privilege separation").  On a normal exit the
 * watchdog is stopped and nothing else is touched.
 */
#define WATCHDOG "exec sh -c 'p=$PPID; (while kill -0 \"$p\" 2>/dev/null; " \
	"do sleep 1; done; kill -KILL 0) </dev/null >/dev/null 2>&1 & w=$!; " \
	"sh -c \"$1\"; r=$?; kill \"$w\" 2>/dev/null; exit \"$r\"' hangar-run '"

static char *
wrap(const char *cmd)
{
	size_t	 n = strlen(WATCHDOG) + 2, i;
	char	*out, *p;

	for (i = 0; cmd[i] != '\0'; i++)
		n += cmd[i] == '\'' ? 4 : 1;
	if ((out = malloc(n)) == NULL)
		return NULL;
	p = stpcpy(out, WATCHDOG);
	for (i = 0; cmd[i] != '\0'; i++)
		if (cmd[i] == '\'')
			p = stpcpy(p, "'\\''");
		else
			*p++ = cmd[i];
	*p++ = '\'';
	*p = '\0';
	return out;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

enum hg_ssh_rc
hg_ssh_run(struct hg_ssh *h, const char *cmd, const char *input, int timeout_s,
    hg_ssh_line_fn fn, void *arg, int *exit_status, char *err, size_t errlen)
{
	ssh_channel	 ch = NULL;
	ssh_event	 ev = NULL;
	char		*wrapped = NULL;
	struct lines	*l;
	double		 deadline = now_s() + timeout_s, left;
	enum hg_ssh_rc	 rc = HG_SSH_ERROR;

	*exit_status = -1;
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return HG_SSH_ERROR;
	}
	l->l_fn = fn;
	l->l_arg = arg;
	if ((ev = ssh_event_new()) == NULL ||
	    ssh_event_add_session(ev, h->s_sess) != SSH_OK ||
	    (ch = ssh_channel_new(h->s_sess)) == NULL ||
	    ssh_channel_open_session(ch) != SSH_OK ||
	    (wrapped = wrap(cmd)) == NULL ||
	    ssh_channel_request_exec(ch, wrapped) != SSH_OK) {
		snprintf(err, errlen, "cannot start the command on %s: %s",
		    h->s_name, ssh_get_error(h->s_sess));
		goto done;
	}
	if (input != NULL && ((*input != '\0' && ssh_channel_write(ch, input,
	    (uint32_t)strlen(input)) == SSH_ERROR) ||
	    ssh_channel_send_eof(ch) != SSH_OK)) {
		snprintf(err, errlen, "cannot send input to %s: %s", h->s_name,
		    ssh_get_error(h->s_sess));
		goto done;
	}
	for (;;) {
		if (drain(ch, l) < 0) {
			snprintf(err, errlen, "connection to %s broke: %s",
			    h->s_name, ssh_get_error(h->s_sess));
			goto done;
		}
		if (ssh_channel_is_eof(ch))
			break;
		if ((left = deadline - now_s()) <= 0) {
			/* Kill it: the signal reaches the remote command. */
			(void)ssh_channel_request_send_signal(ch, "KILL");
			snprintf(err, errlen, "command timed out after %d s on "
			    "%s and was killed", timeout_s, h->s_name);
			rc = HG_SSH_TIMEOUT;
			goto done;
		}
		if (left > 1)
			left = 1;
		if (ssh_event_dopoll(ev, (int)(left * 1000) + 1) == SSH_ERROR) {
			snprintf(err, errlen, "connection to %s broke: %s",
			    h->s_name, ssh_get_error(h->s_sess));
			goto done;
		}
	}
	(void)drain(ch, l);
	flush(l);
	*exit_status = ssh_channel_get_exit_status(ch);
	rc = HG_SSH_OK;
done:
	if (ch != NULL) {
		ssh_channel_close(ch);
		ssh_channel_free(ch);
	}
	if (ev != NULL) {
		ssh_event_remove_session(ev, h->s_sess);
		ssh_event_free(ev);
	}
	free(wrapped);
	free(l);
	return rc;
}

/* ---- SFTP reads under a deadline ---------------------------------------- */

/*
 * The watchdog: sleeps until the deadline or until hg_ssh_close stops it.
 * At the deadline it shuts the socket down (never closes it: the fd stays
 * the session's), which makes libssh's waiting poll return and the call
 * fail.
 */
static void *
watchdog(void *arg)
{
	struct hg_ssh	*h = arg;
	socket_t	 fd;
	int		 rc = 0;

	pthread_mutex_lock(&h->s_mtx);
	while (!h->s_dog_stop && rc != ETIMEDOUT)
		rc = pthread_cond_timedwait(&h->s_cond, &h->s_mtx, &h->s_until);
	if (!h->s_dog_stop) {
		h->s_expired = 1;
		if ((fd = ssh_get_fd(h->s_sess)) != SSH_INVALID_SOCKET)
			(void)shutdown(fd, SHUT_RDWR);
	}
	pthread_mutex_unlock(&h->s_mtx);
	return NULL;
}

int
hg_ssh_deadline(struct hg_ssh *h, double seconds)
{
	pthread_condattr_t	 ca;
	long long		 ns;

	if (h->s_dog_on)
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &h->s_until);
	if (seconds < 0)
		seconds = 0;
	ns = h->s_until.tv_nsec + (long long)((seconds - (long long)seconds) *
	    1e9);
	h->s_until.tv_sec += (time_t)seconds + (time_t)(ns / 1000000000);
	h->s_until.tv_nsec = (long)(ns % 1000000000);
	if (pthread_condattr_init(&ca) != 0)
		return -1;
	(void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_mutex_init(&h->s_mtx, NULL) != 0) {
		pthread_condattr_destroy(&ca);
		return -1;
	}
	if (pthread_cond_init(&h->s_cond, &ca) != 0) {
		pthread_condattr_destroy(&ca);
		pthread_mutex_destroy(&h->s_mtx);
		return -1;
	}
	pthread_condattr_destroy(&ca);
	if (pthread_create(&h->s_dog, NULL, watchdog, h) != 0) {
		pthread_cond_destroy(&h->s_cond);
		pthread_mutex_destroy(&h->s_mtx);
		return -1;
	}
	h->s_dog_on = 1;
	return 0;
}

int
hg_ssh_expired(struct hg_ssh *h)
{
	int e;

	if (!h->s_dog_on)
		return 0;
	pthread_mutex_lock(&h->s_mtx);
	e = h->s_expired;
	pthread_mutex_unlock(&h->s_mtx);
	return e;
}

enum hg_ssh_frc
hg_ssh_file_open(struct hg_ssh *h, const char *path, long long *size,
    char *err, size_t errlen)
{
	sftp_attributes	 st;
	int		 code;

	*size = 0;
	if (h->s_file != NULL || (h->s_path = strdup(path)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return HG_SSH_FERROR;
	}
	if ((h->s_sftp = sftp_new(h->s_sess)) == NULL ||
	    sftp_init(h->s_sftp) != SSH_OK) {
		snprintf(err, errlen, "cannot start SFTP on %s: %s", h->s_name,
		    ssh_get_error(h->s_sess));
		return HG_SSH_FERROR;
	}
	if ((h->s_file = sftp_open(h->s_sftp, path, O_RDONLY, 0)) == NULL) {
		code = sftp_get_error(h->s_sftp);
		if (code == SSH_FX_NO_SUCH_FILE || code == SSH_FX_NO_SUCH_PATH) {
			snprintf(err, errlen, "no file %s on %s", path,
			    h->s_name);
			return HG_SSH_NOFILE;
		}
		if (code == SSH_FX_PERMISSION_DENIED)
			snprintf(err, errlen, "%s refused to open %s: "
			    "permission denied", h->s_name, path);
		else
			snprintf(err, errlen, "cannot open %s on %s: %s", path,
			    h->s_name, ssh_get_error(h->s_sess));
		return HG_SSH_FERROR;
	}
	if ((st = sftp_fstat(h->s_file)) == NULL) {
		snprintf(err, errlen, "cannot stat %s on %s: %s", path,
		    h->s_name, ssh_get_error(h->s_sess));
		return HG_SSH_FERROR;
	}
	if (st->type == SSH_FILEXFER_TYPE_DIRECTORY) {
		sftp_attributes_free(st);
		snprintf(err, errlen, "%s on %s is a directory", path, h->s_name);
		return HG_SSH_FERROR;
	}
	*size = (long long)st->size;
	sftp_attributes_free(st);
	return HG_SSH_FOK;
}

long long
hg_ssh_file_read(struct hg_ssh *h, long long off, char *buf, size_t len,
    char *err, size_t errlen)
{
	size_t	got = 0;
	ssize_t	n;

	if (h->s_file == NULL || off < 0 ||
	    sftp_seek64(h->s_file, (uint64_t)off) != 0) {
		snprintf(err, errlen, "cannot seek in %s on %s",
		    h->s_path ? h->s_path : "?", h->s_name);
		return -1;
	}
	/* A server sends at most its own limit a reply: ask again. */
	while (got < len) {
		if ((n = sftp_read(h->s_file, buf + got, len - got)) < 0) {
			snprintf(err, errlen, "cannot read %s on %s: %s",
			    h->s_path, h->s_name, ssh_get_error(h->s_sess));
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (long long)got;
}

/* ---- SFTP upload ---------------------------------------------------------- */

/*
 * libssh 0.10 waits for each write's answer before the next, so a write
 * is a round trip: as large as OpenSSH's sftp-server takes (its messages
 * are at most 256 KiB), and a shorter answer is written on from there.
 */
#define UPLOAD_CHUNK	(192 * 1024)

int
hg_ssh_upload(struct hg_ssh *h, const char *local, const char *remote,
    char *err, size_t errlen)
{
	sftp_file	 f = NULL;
	char		*buf = NULL;
	ssize_t		 n, off, w;
	int		 fd, rc = -1;

	if ((fd = open(local, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot read the package %s: %s", local,
		    strerror(errno));
		return -1;
	}
	if ((buf = malloc(UPLOAD_CHUNK)) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto done;
	}
	if (h->s_sftp == NULL && ((h->s_sftp = sftp_new(h->s_sess)) == NULL ||
	    sftp_init(h->s_sftp) != SSH_OK)) {
		snprintf(err, errlen, "cannot start SFTP on %s: %s", h->s_name,
		    ssh_get_error(h->s_sess));
		if (h->s_sftp != NULL) {
			sftp_free(h->s_sftp);
			h->s_sftp = NULL;
		}
		goto done;
	}
	if ((f = sftp_open(h->s_sftp, remote, O_WRONLY | O_CREAT | O_TRUNC,
	    0600)) == NULL) {
		snprintf(err, errlen, "cannot create %s on %s: %s", remote,
		    h->s_name, ssh_get_error(h->s_sess));
		goto done;
	}
	while ((n = read(fd, buf, UPLOAD_CHUNK)) > 0)
		for (off = 0; off < n; off += w)
			if ((w = sftp_write(f, buf + off, (size_t)(n - off))) <=
			    0) {
				snprintf(err, errlen, "cannot write %s on %s: %s",
				    remote, h->s_name, ssh_get_error(h->s_sess));
				goto done;
			}
	if (n < 0) {
		snprintf(err, errlen, "cannot read the package %s: %s", local,
		    strerror(errno));
		goto done;
	}
	rc = 0;
done:
	if (f != NULL && sftp_close(f) != SSH_NO_ERROR && rc == 0) {
		snprintf(err, errlen, "cannot close %s on %s: %s", remote,
		    h->s_name, ssh_get_error(h->s_sess));
		rc = -1;
	}
	free(buf);
	close(fd);
	return rc;
}
