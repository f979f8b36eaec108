/*
 * release.c -- a deploy sub-task's work done once, on the agent (issue 12;
 * the hosts' half is release_host.c).
 *
 * The first host of a job to start prepares the release for all of them,
 * under the job's mutex, while the others wait for it: it reads the
 * application's deploy settings and hooks, fetches the version (GIT: into
 * a bare repository cached per application under deploy_cache_dir, then
 * the version's tree, or the branch head when the version names no tag or
 * commit; FTP: <url>/<update_source> with libcurl), runs global_pre_exec
 * in that workspace, packs the result once as tar (no .git; gzipped when
 * that pays) and takes its sha256.  A preparation that fails fails every
 * host of the job with its reason.  After each host is recorded,
 * release_end looks whether that was the last: the one thread that sees
 * it so runs global_post_exec, ends the task and, when every instance of
 * the application now runs the deploy task's version after a successful
 * sub-task, finishes the deploy task.
 *
 * Programs run here (git, tar, the hooks, the Jinja2 renderer) go through
 * lib/proc.c: an argv, no shell, a minimal environment, a time bound.  A
 * repository's password reaches git only through the environment of a
 * GIT_ASKPASS helper, an SSH key only as a 0600 file named by
 * GIT_SSH_COMMAND and removed afterwards; neither is ever on a command
 * line or in a log line.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <sodium.h>

#include "conf.h"
#include "proc.h"
#include "queue.h"
#include "rel.h"
#include "release.h"
#include "secret.h"
#include "utf8.h"

#define GIT		"/usr/bin/git"
#define TAR		"/usr/bin/tar"
#define GZIP		"/usr/bin/gzip"
#define BASH		"/bin/bash"
#define PYTHON		"/usr/bin/python3"
#define OUT_SZ		(64 * 1024)	/* output of a local step kept */
#define RENDER_SZ	(4 * 1024 * 1024)	/* a rendered hook */
#define TAIL_LINES	5

static pthread_mutex_t	 rel_mu = PTHREAD_MUTEX_INITIALIZER;

static const char *const stages[HK__MAX] = { "global_pre_exec", "pre_exec",
    "post_exec", "global_post_exec" };

static char *
xstrdup(const char *s)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		hg_fatal("out of memory");
	return d;
}

/* The job's state, made on first use. */
static struct rel *
rel_of(struct job *j)
{
	struct rel *rl;

	pthread_mutex_lock(&rel_mu);
	if ((rl = j->j_rel) == NULL) {
		if ((rl = calloc(1, sizeof(*rl))) == NULL)
			hg_fatal("out of memory");
		pthread_mutex_init(&rl->r_mu, NULL);
		j->j_rel = rl;
	}
	pthread_mutex_unlock(&rel_mu);
	return rl;
}

void
release_free(struct job *j)
{
	struct rel	*rl = j->j_rel;
	int		 k;

	if (rl == NULL)
		return;
	for (k = 0; k < HK__MAX; k++) {
		free(rl->r_hooks[k].k_content);
		free(rl->r_hooks[k].k_user);
	}
	free(rl->r_version);
	free(rl->r_source);
	free(rl->r_creator);
	free(rl->r_hc_http);
	free(rl->r_hc_cmd);
	free(rl->r_ids);
	free(rl->r_type);
	free(rl->r_url);
	free(rl->r_branch);
	free(rl->r_path);
	free(rl->r_ruser);
	free(rl->r_appname);
	free(rl->r_run_user);
	free(rl->r_start);
	free(rl->r_stop);
	pthread_mutex_destroy(&rl->r_mu);
	free(rl);
	j->j_rel = NULL;
}

/* ---- the agent's own output ------------------------------------------- */

/*
 * The agent's steps speak as the pseudo-host "hangar-agent" (host id 0):
 * its lines are streamed live like a host's (host_output) and written to
 * task_output by agent_flush.
 */
static void
agent_host(struct host *g, struct worker *w, struct job *j)
{
	memset(g, 0, sizeof(*g));
	g->h_w = w;
	g->h_job = j;
	g->h_name = "hangar-agent";
	g->h_tail = &g->h_out;
}

static void
say(struct host *g, int is_stderr, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
say(struct host *g, int is_stderr, const char *fmt, ...)
{
	char	buf[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	host_output(g, is_stderr, buf, strlen(buf));
}

static void
agent_flush(struct host *g)
{
	struct outline *o;

	for (o = g->h_out; o != NULL; o = o->o_next)
		(void)hg_db_exec(g->h_w->w_db, "INSERT INTO task_output "
		    "(task_id, host_id, hostname, stream, text, time) VALUES "
		    "(?, 0, ?, ?, ?, ?)", "issss", g->h_job->j_task, g->h_name,
		    o->o_stderr ? "stderr" : "stdout", o->o_text, o->o_time);
	g->h_out = NULL;
	g->h_tail = &g->h_out;
}

/* ---- local programs ------------------------------------------------------ */

/* The last n lines of out, on one line joined by " | ". */
static void
tail_of(const char *out, char *dst, size_t dstlen)
{
	const char	*p = out + strlen(out);
	size_t		 i, n = 0;

	while (p > out && (p[-1] == '\n' || p[-1] == ' '))
		p--;
	for (; p > out; p--)
		if (p[-1] == '\n' && ++n == TAIL_LINES)
			break;
	snprintf(dst, dstlen, "%s", p);
	for (i = 0; dst[i] != '\0'; i++)
		if (dst[i] == '\n')
			dst[i] = '|';
	dst[strcspn(dst, "\r")] = '\0';
}

/*
 * Run argv (no shell) in cwd with env added, input on stdin, stdout and
 * stderr together as g's output lines, for at most timeout s.  0, or -1
 * with msg naming the step, the exit status and the last lines.
 */
static int
run_local(struct host *g, const char *step, const char *const argv[],
    const char *const env[], const char *cwd, const char *input,
    long timeout, char *msg, size_t msglen)
{
	struct hg_proc_opts	 o = { env, cwd, 1 };
	struct hg_proc		 p;
	char			*out, *line, *save = NULL, last[512];
	int			 st;

	out = hg_alloc(&g->h_w->w_arena, OUT_SZ);
	if (hg_proc_run(argv, &o, input, input ? strlen(input) : 0,
	    timeout * 1000, out, OUT_SZ, &p) != 0) {
		snprintf(msg, msglen, "%s: cannot run %s: %s", step, argv[0],
		    strerror(errno));
		return -1;
	}
	tail_of(out, last, sizeof(last));
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		host_output(g, 0, line, strlen(line));
	if (p.p_timedout) {
		snprintf(msg, msglen, "%s: timed out after %ld s and was killed;"
		    " last output: %s", step, timeout, last);
		return -1;
	}
	st = WIFEXITED(p.p_status) ? WEXITSTATUS(p.p_status) :
	    128 + WTERMSIG(p.p_status);
	if (st != 0) {
		snprintf(msg, msglen, "%s: failed with exit status %d; last "
		    "output: %s", step, st, last);
		return -1;
	}
	return 0;
}

/* ---- settings ----------------------------------------------------------- */

static const char *
jstr(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) &&
	    json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

static long long
jint(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ?
	    json_object_get_int64(v) : 0;
}

/* The job's options, the deploy settings, hooks and application. */
static int
rel_load(struct host *h, struct rel *rl)
{
	struct hg_db	*db = h->h_w->w_db;
	struct hg_arena	*a = &h->h_w->w_arena;
	struct hg_rows	*rs;
	json_object	*o, *hc;
	const char	*why;
	int		 i, k;

	rl->r_upgrade = strcmp(h->h_job->j_kind, HG_TASK_UPGRADE) == 0;
	if ((o = json_tokener_parse(h->h_job->j_opts)) == NULL) {
		snprintf(rl->r_msg, sizeof(rl->r_msg), "the task's options "
		    "are not JSON");
		return -1;
	}
	rl->r_dtask = jint(o, "deploy_task");
	rl->r_app = jint(o, "app");
	rl->r_version = xstrdup(jstr(o, "version") ? jstr(o, "version") : "");
	rl->r_source = xstrdup(jstr(o, "update_source"));
	rl->r_timeout = (long)jint(o, "timeout");
	rl->r_batch = (long)jint(o, "batch_size");
	rl->r_pause = (long)jint(o, "pause_seconds");
	rl->r_rollback = json_object_object_get_ex(o, "auto_rollback", &hc) &&
	    json_object_get_boolean(hc);
	if (json_object_object_get_ex(o, "health_check", &hc) &&
	    json_object_is_type(hc, json_type_object)) {
		rl->r_hc_http = xstrdup(jstr(hc, "http"));
		rl->r_hc_cmd = xstrdup(jstr(hc, "command"));
		rl->r_hc_timeout = (long)jint(hc, "timeout");
		rl->r_hc_retries = (long)jint(hc, "retries");
	}
	json_object_put(o);
	if (rl->r_timeout <= 0)
		rl->r_timeout = 120;
	/* hangard checked them; checked again before any use */
	if ((why = hg_check_release_version(rl->r_version)) != NULL ||
	    (rl->r_source != NULL &&
	    (why = hg_check_update_source(rl->r_source)) != NULL)) {
		snprintf(rl->r_msg, sizeof(rl->r_msg), "refused: version or "
		    "update_source %s", why);
		return -1;
	}
	/* the batches follow host ids, as the hosts are queued */
	if (hg_db_query(db, a, &rs, "SELECT host_id FROM task_hosts WHERE "
	    "task_id = ? ORDER BY host_id", "i", h->h_job->j_task) != 0)
		goto db;
	if ((rl->r_ids = calloc((size_t)rs->nrows + 1, sizeof(*rl->r_ids))) ==
	    NULL)
		hg_fatal("out of memory");
	for (i = 0; i < rs->nrows; i++)
		rl->r_ids[i] = hg_atoll(HG_CELL(rs, i, 0));
	rl->r_nids = rs->nrows;
	if (hg_db_query(db, a, &rs, "SELECT creator FROM tasks WHERE id = ?",
	    "i", h->h_job->j_task) != 0 || rs->nrows == 0)
		goto db;
	rl->r_creator = xstrdup(HG_CELL(rs, 0, 0));
	if (hg_db_query(db, a, &rs, "SELECT full_name, run_user, startup_cmd, "
	    "stop_cmd FROM applications WHERE id = ?", "i", rl->r_app) != 0)
		goto db;
	if (rs->nrows == 0) {
		snprintf(rl->r_msg, sizeof(rl->r_msg), "application %lld no "
		    "longer exists", rl->r_app);
		return -1;
	}
	rl->r_appname = xstrdup(HG_CELL(rs, 0, 0));
	rl->r_run_user = xstrdup(HG_CELL(rs, 0, 1));
	rl->r_start = xstrdup(HG_CELL(rs, 0, 2));
	rl->r_stop = xstrdup(HG_CELL(rs, 0, 3));
	if (hg_db_query(db, a, &rs, "SELECT c.id, c.repo_type, c.repo_url, "
	    "c.repo_branch, c.credential_id, c.deploy_path, c.running_user, "
	    "c.timeout, c.keep_backups FROM deploy_configs c WHERE c.enabled "
	    "= 1 AND (c.app_id = ? OR c.template_id = (SELECT template_id "
	    "FROM deploy_template_apps WHERE app_id = ?)) LIMIT 1", "ii",
	    rl->r_app, rl->r_app) != 0)
		goto db;
	if (rs->nrows == 0) {
		snprintf(rl->r_msg, sizeof(rl->r_msg), "application \"%s\" has "
		    "no enabled deploy settings", rl->r_appname);
		return -1;
	}
	rl->r_type = xstrdup(HG_CELL(rs, 0, 1));
	rl->r_url = xstrdup(HG_CELL(rs, 0, 2));
	rl->r_branch = xstrdup(HG_CELL(rs, 0, 3));
	rl->r_cred = hg_atoll(HG_CELL(rs, 0, 4));
	rl->r_path = xstrdup(HG_CELL(rs, 0, 5));
	rl->r_ruser = xstrdup(HG_CELL(rs, 0, 6));
	rl->r_step_timeout = (long)hg_atoll(HG_CELL(rs, 0, 7));
	rl->r_keep = (long)hg_atoll(HG_CELL(rs, 0, 8));
	if (hg_db_query(db, a, &rs, "SELECT h.stage, h.running_user, "
	    "s.content, s.language, s.template_engine FROM deploy_config_hooks "
	    "h JOIN deploy_scripts s ON s.id = h.script_id WHERE h.config_id "
	    "= ?", "s", HG_CELL(rs, 0, 0)) != 0)
		goto db;
	for (i = 0; i < rs->nrows; i++)
		for (k = 0; k < HK__MAX; k++) {
			struct hook *hk = &rl->r_hooks[k];

			if (strcmp(HG_CELL(rs, i, 0), stages[k]) != 0)
				continue;
			hk->k_set = 1;
			hk->k_user = xstrdup(HG_CELL(rs, i, 1));
			hk->k_content = xstrdup(HG_CELL(rs, i, 2));
			hk->k_python = strcmp(HG_CELL(rs, i, 3), "python") == 0;
			hk->k_jinja = strcmp(HG_CELL(rs, i, 4), "jinja") == 0;
		}
	snprintf(rl->r_dir, sizeof(rl->r_dir), "%s/task-%lld",
	    hg_conf.deploy_cache_dir, h->h_job->j_task);
	snprintf(rl->r_ws, sizeof(rl->r_ws), "%s/ws", rl->r_dir);
	snprintf(rl->r_pkg, sizeof(rl->r_pkg), "%s/release.tar", rl->r_dir);
	return 0;
db:
	snprintf(rl->r_msg, sizeof(rl->r_msg), "the database could not be "
	    "read: %s", hg_db_last_error(db));
	return -1;
}

/* ---- rendering hooks ------------------------------------------------------ */

/* rel_render's variables, as hangar-api(7) lists them. */
static char *
render_request(struct rel *rl, const struct hook *hk, const char *host,
    const char *prev, long long task)
{
	json_object	*o = json_object_new_object(), *v = json_object_new_object();
	char		*s, tid[32], rp[4400];

	snprintf(tid, sizeof(tid), "%lld", task);
	snprintf(rp, sizeof(rp), "%s/releases/%s", rl->r_path, rl->r_version);
	json_object_object_add(v, "application",
	    json_object_new_string(rl->r_appname));
	json_object_object_add(v, "version",
	    json_object_new_string(rl->r_version));
	json_object_object_add(v, "previous_version",
	    prev ? json_object_new_string(prev) : NULL);
	json_object_object_add(v, "host",
	    host ? json_object_new_string(host) : NULL);
	json_object_object_add(v, "deploy_path",
	    json_object_new_string(rl->r_path));
	json_object_object_add(v, "release_path", json_object_new_string(rp));
	json_object_object_add(v, "task_id", json_object_new_string(tid));
	json_object_object_add(v, "creator",
	    json_object_new_string(rl->r_creator));
	json_object_object_add(o, "template",
	    json_object_new_string(hk->k_content));
	json_object_object_add(o, "vars", v);
	s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

char *
rel_render(struct rel *rl, struct hg_arena *a, int k, const char *host,
    const char *prev, long long task, char *msg, size_t msglen)
{
	const struct hook	*hk = &rl->r_hooks[k];
	const char		*argv[] = { hg_conf.jinja_check, "--render",
				    NULL };
	struct hg_proc		 p;
	char			*req, *out;
	int			 rc;

	if (!hk->k_jinja)
		return hk->k_content;
	req = render_request(rl, hk, host, prev, task);
	out = hg_alloc(a, RENDER_SZ);
	/* part of the hook's step: bounded as the step, or longer */
	rc = hg_proc_filter(argv, req, strlen(req), rl->r_step_timeout * 1000 >
	    hg_conf.jinja_check_timeout ? rl->r_step_timeout * 1000 :
	    hg_conf.jinja_check_timeout, out, RENDER_SZ, &p);
	free(req);
	if (rc != 0 || p.p_timedout || !WIFEXITED(p.p_status) ||
	    WEXITSTATUS(p.p_status) != 0) {
		out[strcspn(out, "\n")] = '\0';
		snprintf(msg, msglen, "%s: the Jinja2 rendering failed: %s",
		    stages[k], rc != 0 ? "the renderer cannot run" :
		    p.p_timedout ? "it did not finish in time" :
		    strchr(out, '\t') ? strchr(out, '\t') + 1 : out);
		return NULL;
	}
	return out;
}

/* ---- fetching ------------------------------------------------------------- */

/* Remove path and everything under it (rm, no shell). */
static void
rm_tree(struct host *g, const char *path)
{
	const char	*argv[] = { "/usr/bin/rm", "-rf", "--", path, NULL };
	char		 msg[256];

	(void)run_local(g, "cleanup", argv, NULL, NULL, NULL, 60, msg,
	    sizeof(msg));
}

static int
mkdirs(const char *path, char *msg, size_t msglen)
{
	char	 buf[4200], *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p != '\0'; p++)
		if (*p == '/') {
			*p = '\0';
			(void)mkdir(buf, 0700);
			*p = '/';
		}
	if (mkdir(buf, 0700) != 0 && errno != EEXIST) {
		snprintf(msg, msglen, "cannot make %.300s: %s", path,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Write text to a new file 0600 (O_EXCL): 0, or -1. */
static int
write_secret_file(const char *path, const char *text)
{
	size_t	len = strlen(text), off = 0;
	ssize_t	n;
	int	fd;

	(void)unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) == -1)
		return -1;
	while (off < len && (n = write(fd, text + off, len - off)) > 0)
		off += (size_t)n;
	if (len > 0 && text[len - 1] != '\n')
		(void)write(fd, "\n", 1);
	return close(fd) == 0 && off == len ? 0 : -1;
}

/* The repository credential: kind, username, unsealed secret (or NULL). */
static char *
credential(struct host *h, struct rel *rl, const char **kind,
    const char **user)
{
	struct hg_rows *rs;

	*kind = *user = NULL;
	if (rl->r_cred == 0 || hg_db_query(h->h_w->w_db, &h->h_w->w_arena,
	    &rs, "SELECT kind, username, secret FROM credentials WHERE id = ?",
	    "i", rl->r_cred) != 0 || rs->nrows == 0)
		return NULL;
	*kind = HG_CELL(rs, 0, 0);
	*user = HG_CELL(rs, 0, 1);
	return hg_unseal(&h->h_w->w_arena, HG_CELL(rs, 0, 2));
}

/* A branch name safe in a refspec: letters, digits, . _ / -, no "..". */
static int
branch_ok(const char *b)
{
	return b[0] != '\0' && b[0] != '-' && strstr(b, "..") == NULL &&
	    strspn(b, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._/-") == strlen(b);
}

/*
 * GIT: fetch into the application's bare cache (one fetch at a time per
 * application: flock), then the version's tree (a tag or commit) or the
 * branch head into the workspace with git archive | tar.
 */
static int
fetch_git(struct host *g, struct host *h, struct rel *rl)
{
	char		 cache[4200], repo[4300], lock[4300], askpass[4300],
			 key[4300], refspec[600], rev[128], tarf[4300];
	char		 e_home[4400], e_askpass[4400], e_user[300], *e_pass = NULL,
			 *e_ssh = NULL, *e_ca = NULL, *secret, out[256];
	const char	*env[9], *kind, *user, *argv[16];
	struct hg_proc	 p;
	struct stat	 st;
	int		 n = 0, lfd = -1, rc = -1;

	snprintf(cache, sizeof(cache), "%s/app-%lld", hg_conf.deploy_cache_dir,
	    rl->r_app);
	snprintf(repo, sizeof(repo), "%s/repo.git", cache);
	snprintf(lock, sizeof(lock), "%s/lock", cache);
	snprintf(askpass, sizeof(askpass), "%s/askpass", rl->r_dir);
	snprintf(key, sizeof(key), "%s/key", rl->r_dir);
	snprintf(tarf, sizeof(tarf), "%s/tree.tar", rl->r_dir);
	if (rl->r_branch != NULL && !branch_ok(rl->r_branch)) {
		snprintf(rl->r_msg, sizeof(rl->r_msg), "fetch: the branch \"%s\" "
		    "is not a plain branch name", rl->r_branch);
		return -1;
	}
	if (mkdirs(cache, rl->r_msg, sizeof(rl->r_msg)) != 0)
		return -1;
	snprintf(e_home, sizeof(e_home), "HOME=%s", cache);
	env[n++] = e_home;
	env[n++] = "GIT_TERMINAL_PROMPT=0";
	if (hg_conf.deploy_ca_file[0] != '\0') {
		if (asprintf(&e_ca, "GIT_SSL_CAINFO=%s",
		    hg_conf.deploy_ca_file) < 0)
			hg_fatal("out of memory");
		env[n++] = e_ca;
	}
	secret = credential(h, rl, &kind, &user);
	if (secret != NULL && strcmp(kind, "password") == 0) {
		/* the helper prints what git asks from its environment */
		if (write_secret_file(askpass, "#!/bin/sh\ncase \"$1\" in\n"
		    "[Uu]sername*) printf '%s\\n' \"$HANGAR_GIT_USER\" ;;\n"
		    "*) printf '%s\\n' \"$HANGAR_GIT_PASSWORD\" ;;\nesac\n") != 0 ||
		    chmod(askpass, 0700) != 0)
			goto io;
		snprintf(e_askpass, sizeof(e_askpass), "GIT_ASKPASS=%s", askpass);
		snprintf(e_user, sizeof(e_user), "HANGAR_GIT_USER=%s", user);
		if (asprintf(&e_pass, "HANGAR_GIT_PASSWORD=%s", secret) < 0)
			hg_fatal("out of memory");
		env[n++] = e_askpass;
		env[n++] = e_user;
		env[n++] = e_pass;
	} else if (secret != NULL) {
		if (write_secret_file(key, secret) != 0)
			goto io;
		if (asprintf(&e_ssh, "GIT_SSH_COMMAND=ssh -i %s -o "
		    "IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=%s "
		    "-o StrictHostKeyChecking=accept-new", hg_shq(&g->h_w->w_arena,
		    key), hg_shq(&g->h_w->w_arena, hg_conf.known_hosts)) < 0)
			hg_fatal("out of memory");
		env[n++] = e_ssh;
	}
	if (secret != NULL)
		sodium_memzero(secret, strlen(secret));
	env[n] = NULL;
	if ((lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1 ||
	    flock(lfd, LOCK_EX) != 0)
		goto io;
	if (stat(repo, &st) != 0) {
		argv[0] = GIT; argv[1] = "init"; argv[2] = "--quiet";
		argv[3] = "--bare"; argv[4] = "--"; argv[5] = repo; argv[6] = NULL;
		if (run_local(g, "fetch", argv, env, NULL, NULL, 60, rl->r_msg,
		    sizeof(rl->r_msg)) != 0)
			goto done;
	}
	if (rl->r_branch != NULL)
		snprintf(refspec, sizeof(refspec),
		    "+refs/heads/%s:refs/hangar/branch", rl->r_branch);
	else
		snprintf(refspec, sizeof(refspec), "+HEAD:refs/hangar/branch");
	say(g, 0, "fetching %s (branch %s)", rl->r_url, rl->r_branch ?
	    rl->r_branch : "HEAD");
	argv[0] = GIT; argv[1] = "-C"; argv[2] = repo; argv[3] = "fetch";
	argv[4] = "--quiet"; argv[5] = "--force"; argv[6] = "--tags";
	argv[7] = "--"; argv[8] = rl->r_url; argv[9] = refspec; argv[10] = NULL;
	if (run_local(g, "fetch", argv, env, NULL, NULL, rl->r_timeout,
	    rl->r_msg, sizeof(rl->r_msg)) != 0)
		goto done;
	/* the version as a tag or commit, else the branch head */
	snprintf(refspec, sizeof(refspec), "%s^{commit}", rl->r_version);
	argv[0] = GIT; argv[1] = "-C"; argv[2] = repo; argv[3] = "rev-parse";
	argv[4] = "--verify"; argv[5] = "--quiet"; argv[6] = "--end-of-options";
	argv[7] = refspec; argv[8] = NULL;
	if (hg_proc_run(argv, &(struct hg_proc_opts){ env, NULL, 0 }, NULL, 0,
	    30000, out, sizeof(out), &p) == 0 && !p.p_timedout &&
	    WIFEXITED(p.p_status) && WEXITSTATUS(p.p_status) == 0) {
		snprintf(rev, sizeof(rev), "%.64s", out);
		rev[strcspn(rev, "\n")] = '\0';
		say(g, 0, "version %s is commit %s", rl->r_version, rev);
	} else {
		snprintf(rev, sizeof(rev), "refs/hangar/branch");
		say(g, 0, "version %s names no tag or commit: deploying the "
		    "head of branch %s", rl->r_version, rl->r_branch ?
		    rl->r_branch : "HEAD");
	}
	argv[0] = GIT; argv[1] = "-C"; argv[2] = repo; argv[3] = "archive";
	argv[4] = "--format=tar"; argv[5] = "-o"; argv[6] = tarf; argv[7] = rev;
	argv[8] = NULL;
	if (run_local(g, "checkout", argv, env, NULL, NULL, rl->r_timeout,
	    rl->r_msg, sizeof(rl->r_msg)) != 0)
		goto done;
	argv[0] = TAR; argv[1] = "-xf"; argv[2] = tarf; argv[3] = "-C";
	argv[4] = rl->r_ws; argv[5] = NULL;
	if (run_local(g, "checkout", argv, NULL, NULL, NULL, rl->r_timeout,
	    rl->r_msg, sizeof(rl->r_msg)) != 0)
		goto done;
	rc = 0;
	goto done;
io:
	snprintf(rl->r_msg, sizeof(rl->r_msg), "fetch: %s", strerror(errno));
done:
	if (lfd != -1)
		close(lfd);
	(void)unlink(tarf);
	(void)unlink(askpass);
	(void)unlink(key);
	if (e_pass != NULL) {
		sodium_memzero(e_pass, strlen(e_pass));
		free(e_pass);
	}
	free(e_ssh);
	free(e_ca);
	return rc;
}

static size_t
curl_write(void *p, size_t sz, size_t n, void *arg)
{
	return fwrite(p, sz, n, arg);
}

/* FTP: <url>/<update_source> into the workspace with libcurl. */
static int
fetch_ftp(struct host *g, struct host *h, struct rel *rl)
{
	char		 url[3200], file[4400], key[4300], errbuf[CURL_ERROR_SIZE];
	const char	*kind, *user, *base;
	char		*secret;
	CURL		*c;
	CURLcode	 cc;
	FILE		*f;
	size_t		 ulen = strlen(rl->r_url);
	int		 explicit;

	if (rl->r_source == NULL) {
		snprintf(rl->r_msg, sizeof(rl->r_msg), "fetch: an FTP repository "
		    "needs update_source");
		return -1;
	}
	while (ulen > 0 && rl->r_url[ulen - 1] == '/')
		ulen--;
	/*
	 * ftpes:// (FileZilla's name) is explicit TLS: ftp:// where AUTH TLS
	 * must secure the login and every transfer.  curl's ftps:// is
	 * implicit TLS, from the first byte (port 990).
	 */
	explicit = strncasecmp(rl->r_url, "ftpes://", 8) == 0;
	snprintf(url, sizeof(url), "%s%.*s/%s", explicit ? "ftp://" : "",
	    (int)(explicit ? ulen - 8 : ulen), rl->r_url + (explicit ? 8 : 0),
	    rl->r_source);
	base = strrchr(rl->r_source, '/') ? strrchr(rl->r_source, '/') + 1 :
	    rl->r_source;
	snprintf(file, sizeof(file), "%s/%s", rl->r_ws, base);
	snprintf(key, sizeof(key), "%s/key", rl->r_dir);
	if ((f = fopen(file, "wbx")) == NULL) {
		snprintf(rl->r_msg, sizeof(rl->r_msg), "fetch: cannot write %.300s: "
		    "%s", file, strerror(errno));
		return -1;
	}
	say(g, 0, "downloading %.*s/%s", (int)ulen, rl->r_url, rl->r_source);
	errbuf[0] = '\0';
	if ((c = curl_easy_init()) == NULL)
		hg_fatal("out of memory");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "ftp,ftps,sftp");
	if (explicit)
		curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, curl_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)hg_conf.ssh_timeout);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, rl->r_timeout);
	curl_easy_setopt(c, CURLOPT_SSH_KNOWNHOSTS, hg_conf.known_hosts);
	if (hg_conf.deploy_ca_file[0] != '\0')
		curl_easy_setopt(c, CURLOPT_CAINFO, hg_conf.deploy_ca_file);
	secret = credential(h, rl, &kind, &user);
	if (secret != NULL) {
		curl_easy_setopt(c, CURLOPT_USERNAME, user);
		if (strcmp(kind, "password") == 0)
			curl_easy_setopt(c, CURLOPT_PASSWORD, secret);
		else if (write_secret_file(key, secret) == 0)
			curl_easy_setopt(c, CURLOPT_SSH_PRIVATE_KEYFILE, key);
	}
	cc = curl_easy_perform(c);
	if (secret != NULL)
		sodium_memzero(secret, strlen(secret));
	(void)unlink(key);
	curl_easy_cleanup(c);
	if (fclose(f) != 0 && cc == CURLE_OK) {
		snprintf(rl->r_msg, sizeof(rl->r_msg), "fetch: cannot write %.300s",
		    file);
		return -1;
	}
	if (cc != CURLE_OK) {
		snprintf(rl->r_msg, sizeof(rl->r_msg), "fetch: %.*s/%s: %s",
		    (int)ulen, rl->r_url, rl->r_source, errbuf[0] ? errbuf :
		    curl_easy_strerror(cc));
		return -1;
	}
	return 0;
}

/* ---- packing ---------------------------------------------------------------- */

/*
 * The package: a tar of what ships, update_source inside the tree (a
 * folder's content, or that one file) or the whole tree, without .git;
 * gzipped when that saves a tenth or more.  A tree of jars, images or
 * archives hardly compresses, and then gunzip on every host is CPU spent
 * for nothing (a fifth of a 100 MB package's time on the host, measured
 * by t/bench/ship.sh).
 */
static int
pack(struct host *g, struct rel *rl)
{
	char		 dir[4400], *name = ".", *slash, src[4400];
	char		 gz[sizeof(rl->r_pkg)];
	const char	*argv[] = { TAR, "-cf", rl->r_pkg, "--exclude=./.git",
			    "-C", dir, "--", name, NULL };
	const char	*gzip[] = { GZIP, "-k", "-f", "-n", "--", rl->r_pkg,
			    NULL };
	struct stat	 st, zst;

	snprintf(dir, sizeof(dir), "%s", rl->r_ws);
	if (rl->r_source != NULL && strcmp(rl->r_type, "GIT") == 0) {
		snprintf(src, sizeof(src), "%s/%s", rl->r_ws, rl->r_source);
		if (stat(src, &st) != 0) {
			snprintf(rl->r_msg, sizeof(rl->r_msg), "pack: "
			    "update_source %s is not in version %s",
			    rl->r_source, rl->r_version);
			return -1;
		}
		if (S_ISDIR(st.st_mode))
			snprintf(dir, sizeof(dir), "%s", src);
		else {
			slash = strrchr(src, '/');
			*slash = '\0';
			snprintf(dir, sizeof(dir), "%s", src);
			name = hg_printf(&g->h_w->w_arena, "%s", slash + 1);
			argv[7] = name;
		}
	}
	if (run_local(g, "pack", argv, NULL, NULL, NULL, rl->r_timeout,
	    rl->r_msg, sizeof(rl->r_msg)) != 0 ||
	    run_local(g, "pack", gzip, NULL, NULL, NULL, rl->r_timeout,
	    rl->r_msg, sizeof(rl->r_msg)) != 0)
		return -1;
	/* r_pkg is r_dir + "/release.tar": there is room for ".gz" */
	if (snprintf(gz, sizeof(gz), "%s.gz", rl->r_pkg) >= (int)sizeof(gz) ||
	    stat(rl->r_pkg, &st) != 0 || stat(gz, &zst) != 0) {
		snprintf(rl->r_msg, sizeof(rl->r_msg), "pack: cannot read "
		    "%.300s: %s", rl->r_pkg, strerror(errno));
		return -1;
	}
	if (zst.st_size * 10 <= st.st_size * 9) {
		unlink(rl->r_pkg);
		memcpy(rl->r_pkg, gz, sizeof(gz));
		rl->r_gz = 1;
		rl->r_size = (long long)zst.st_size;
	} else {
		unlink(gz);
		rl->r_size = (long long)st.st_size;
	}
	return 0;
}

/* The package's sha256 in hex (libsodium). */
static int
sha256_file(struct rel *rl)
{
	crypto_hash_sha256_state	 st;
	unsigned char			 buf[65536], out[crypto_hash_sha256_BYTES];
	ssize_t				 n;
	int				 fd;

	if ((fd = open(rl->r_pkg, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(rl->r_msg, sizeof(rl->r_msg), "pack: cannot read %.300s: %s",
		    rl->r_pkg, strerror(errno));
		return -1;
	}
	crypto_hash_sha256_init(&st);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		crypto_hash_sha256_update(&st, buf, (unsigned long long)n);
	close(fd);
	if (n < 0)
		return -1;
	crypto_hash_sha256_final(&st, out);
	sodium_bin2hex(rl->r_sha, sizeof(rl->r_sha), out, sizeof(out));
	return 0;
}

/* ---- global hooks ------------------------------------------------------------ */

/* Global hook k in the workspace, on the agent, as the agent's user. */
static int
global_hook(struct host *g, struct rel *rl, int k, char *msg, size_t msglen)
{
	const struct hook	*hk = &rl->r_hooks[k];
	const char		*argv[] = { hk->k_python ? PYTHON : BASH, "-",
				    NULL };
	char			*text, home[4400];
	const char		*env[] = { home, NULL };

	if (!hk->k_set)
		return 0;
	if ((text = rel_render(rl, &g->h_w->w_arena, k, NULL, NULL,
	    g->h_job->j_task, msg, msglen)) == NULL)
		return -1;
	snprintf(home, sizeof(home), "HOME=%s", rl->r_ws);
	say(g, 0, "%s: running on the agent in the workspace", stages[k]);
	return run_local(g, stages[k], argv, env, rl->r_ws, text,
	    rl->r_step_timeout, msg, msglen);
}

/* ---- the job's preparation ---------------------------------------------------- */

static int
prepare_upgrade(struct host *g, struct host *h, struct rel *rl)
{
	rm_tree(g, rl->r_dir);
	if (mkdirs(rl->r_ws, rl->r_msg, sizeof(rl->r_msg)) != 0)
		return -1;
	if ((strcmp(rl->r_type, "GIT") == 0 ? fetch_git(g, h, rl) :
	    fetch_ftp(g, h, rl)) != 0)
		return -1;
	if (global_hook(g, rl, HK_GPRE, rl->r_msg, sizeof(rl->r_msg)) != 0 ||
	    pack(g, rl) != 0 || sha256_file(rl) != 0)
		return -1;
	say(g, 0, "package of version %s: %s, %lld bytes, sha256 %s",
	    rl->r_version, rl->r_gz ? "tar.gz" : "tar", rl->r_size, rl->r_sha);
	return 0;
}

/*
 * A revert fetches nothing: an empty workspace, for global_post_exec to
 * run in (its cwd and HOME) as after an upgrade.
 */
static int
prepare_revert(struct host *g, struct rel *rl)
{
	rm_tree(g, rl->r_dir);
	return mkdirs(rl->r_ws, rl->r_msg, sizeof(rl->r_msg));
}

/*
 * The job's release, prepared by the first host that asks; the others
 * wait on the mutex and find it done.  1 ready (*out set), -1 failed
 * (r_msg says why).
 */
int
rel_prepare(struct host *h, struct rel **out)
{
	struct rel	*rl = rel_of(h->h_job);
	struct host	 g;
	struct timespec	 t0;

	*out = rl;
	pthread_mutex_lock(&rl->r_mu);
	if (rl->r_state == 0) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		agent_host(&g, h->h_w, h->h_job);
		rl->r_state = rel_load(h, rl) == 0 && (rl->r_upgrade ?
		    prepare_upgrade(&g, h, rl) : prepare_revert(&g, rl)) == 0 ?
		    1 : -1;
		if (rl->r_state < 0)
			say(&g, 1, "%s", rl->r_msg);
		agent_flush(&g);
		ev(rl->r_state > 0 ? HG_INFO : HG_WARN, h->h_job->j_task, NULL,
		    "prepare", ms_since(&t0), rl->r_state > 0 ? "ready" :
		    "failed", "%s", rl->r_state > 0 ? "release prepared" :
		    rl->r_msg);
	}
	pthread_mutex_unlock(&rl->r_mu);
	return rl->r_state;
}

/* ---- the task's end --------------------------------------------------------------- */

/*
 * The deploy task of sub-task j finishes when the sub-task finished and
 * every instance of its application runs the deploy task's version.
 */
static void
finish_dtask(struct worker *w, struct job *j)
{
	struct hg_rows *rs;

	if (hg_db_query(w->w_db, &w->w_arena, &rs, "SELECT d.id, d.app_id, "
	    "a.full_name, d.version FROM deploy_subtasks s JOIN deploy_tasks d "
	    "ON d.id = s.deploy_task_id JOIN applications a ON a.id = d.app_id "
	    "WHERE s.task_id = ?", "i", j->j_task) != 0 || rs->nrows == 0)
		return;
	if (hg_db_exec(w->w_db, "UPDATE deploy_tasks d SET d.status = "
	    "'finished', d.finished_time = UTC_TIMESTAMP() WHERE d.id = ? AND "
	    "d.status = 'running' AND (SELECT status FROM tasks WHERE id = ?) "
	    "= 'finished' AND NOT EXISTS (SELECT 1 FROM app_instances i WHERE "
	    "i.app_id = d.app_id AND i.version <> d.version)", "si",
	    HG_CELL(rs, 0, 0), j->j_task) != 0 || hg_db_affected(w->w_db) != 1)
		return;
	(void)hg_db_exec(w->w_db, "INSERT INTO audit_log (kind, op_type, "
	    "target_id, target_name, op_detail, operator) VALUES ('app', "
	    "'finish_deploy_task', ?, ?, ?, 'hangar-agent')", "sss",
	    HG_CELL(rs, 0, 1), HG_CELL(rs, 0, 2), hg_printf(&w->w_arena,
	    "finished deploy task %s (version \"%s\") of application \"%s\": "
	    "status: \"running\" -> \"finished\"; every instance runs version "
	    "\"%s\" after sub-task %lld", HG_CELL(rs, 0, 0), HG_CELL(rs, 0, 3),
	    HG_CELL(rs, 0, 2), HG_CELL(rs, 0, 3), j->j_task));
	ev(HG_INFO, j->j_task, NULL, "deploy", -1, "finished", "deploy task "
	    "%s finished: every instance runs its version", HG_CELL(rs, 0, 0));
}

int
release_end(struct worker *w, struct job *j)
{
	struct rel	*rl = j->j_rel;
	struct host	 g;
	char		 msg[1024];
	int		 done;

	/* the last host is recorded: one thread of one agent goes on */
	if (hg_db_exec(w->w_db, "UPDATE deploy_subtasks SET ended = 1 WHERE "
	    "task_id = ? AND ended = 0 AND NOT EXISTS (SELECT 1 FROM "
	    "task_hosts WHERE task_id = ? AND status IN ('pending', "
	    "'running'))", "ii", j->j_task, j->j_task) != 0 ||
	    hg_db_affected(w->w_db) != 1)
		return 0;
	agent_host(&g, w, j);
	if (rl != NULL && rl->r_state > 0 &&
	    global_hook(&g, rl, HK_GPOST, msg, sizeof(msg)) != 0) {
		say(&g, 1, "%s", msg);
		(void)hg_db_exec(w->w_db, "UPDATE tasks SET status = 'failed', "
		    "finished_time = UTC_TIMESTAMP() WHERE id = ? AND status = "
		    "'running'", "i", j->j_task);
	}
	agent_flush(&g);
	/*
	 * The task's end and the deploy task's finish in one transaction:
	 * whoever sees the sub-task finished sees the deploy task as it
	 * leaves it.  A failure leaves both to main.c's job_check.
	 */
	done = 0;
	if (hg_db_begin(w->w_db) == 0) {
		done = task_close(w->w_db, j->j_task);
		finish_dtask(w, j);
		if (hg_db_commit(w->w_db) != 0) {
			hg_db_rollback(w->w_db);
			done = 0;
		}
	}
	if (done)
		publish_task_end(w->w_db, j->j_task);
	if (rl != NULL && rl->r_dir[0] != '\0') {
		rm_tree(&g, rl->r_dir);	/* the workspace and package */
		g.h_out = NULL;
	}
	return done;
}
