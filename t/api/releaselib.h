/*
 * releaselib.h -- what the end-to-end deploy tests share
 * (test_deploy_release.c, test_deploy_sources.c): the sshd test hosts in
 * private mode (t/sshd-hosts.sh: one absolute deploy_path is each host's
 * own folder, DIR/hI/srv, which the tests read directly), applications
 * with deploy settings and instances, deploy tasks and their sub-tasks,
 * waiting for them and checking what the hosts hold.
 *
 * The including test sets the folders and ports below in its main().
 */
#ifndef RELEASELIB_H
#define RELEASELIB_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "authlib.h"

static char	 dir[600];	/* this test's folder */
static char	 sshdir[700];	/* the sshd hosts */
static char	 gitdir[700];	/* git daemon's and the work tree */
static UNUSED char ftpdir[700];	/* the FTP server's */
static char	 priv[300];	/* the private deploy root, per host */
static char	 tdir[600];	/* t/ */
static int	 sshport, gitport;
static UNUSED int ftpport;

/* ---- helpers --------------------------------------------------------- */

static UNUSED int
sh(const char *f, ...) __attribute__((format(printf, 1, 2)));
static UNUSED int
sh(const char *f, ...)
{
	char	cmd[8192];
	va_list	ap;

	va_start(ap, f);
	vsnprintf(cmd, sizeof(cmd), f, ap);
	va_end(ap);
	return system(cmd);
}

/* Host i's view of path under the private root (a file of this machine). */
static UNUSED char *
hpath(int i, const char *rel)
{
	return fmt("%s/h%d/srv/%s", sshdir, i, rel);
}


static UNUSED int
exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

/* readlink of host i's <app>/current, "" when none. */
static UNUSED char *
current_of(int i, const char *app)
{
	static char	buf[8][512];
	static int	k;
	char		*b = buf[k++ % 8];
	ssize_t		 n = readlink(hpath(i, fmt("%s/current", app)), b, 511);

	b[n > 0 ? n : 0] = '\0';
	return b;
}

static UNUSED long long
credential(void)
{
	static long long id;
	char	*key, *sealed, path[800];
	FILE	*f;
	long	 n;

	if (id != 0)
		return id;
	snprintf(path, sizeof(path), "%s/client_key", sshdir);
	ck_assert((f = fopen(path, "r")) != NULL);
	key = calloc(1, 8192);
	n = (long)fread(key, 1, 8191, f);
	fclose(f);
	ck_assert_int_gt(n, 0);
	sealed = stack_seal(key);
	id = db_insert(fmt("INSERT INTO credentials (kind, name, secret) "
	    "VALUES ('ssh_key', '%s', '%s')", uniq("relkey"), sealed));
	free(sealed);
	free(key);
	return id;
}

static UNUSED long long
mkhost(int octet)
{
	long long id = db_insert(fmt("INSERT INTO hosts (name, host_type, "
	    "status, ssh_port, ssh_user, credential_id) VALUES ('%s', "
	    "'PHY_HOST', 'attached', %d, 'root', %lld)", uniq("relhost"),
	    sshport, credential()));

	db_exec(fmt("INSERT INTO host_addresses (host_id, address) VALUES "
	    "(%lld, '127.0.0.%d')", id, octet));
	return id;
}

/* A bare repository name.git on the git server with tags v1..v3 and a
 * branch head past v3 (not tagged). */
static UNUSED void
mkrepo(const char *name)
{
	const char *w = fmt("%s/work-%s", gitdir, name);
	const char *g = "git -c user.name=t -c user.email=t@example.com";
	int v;

	ck_assert_int_eq(sh("rm -rf '%s' && mkdir -p '%s' && git init -q -b main "
	    "'%s' && git init -q --bare '%s/repos/%s.git'", w, w, w, gitdir,
	    name), 0);
	for (v = 1; v <= 4; v++) {
		ck_assert_int_eq(sh("cd '%s' && mkdir -p web && echo 'release "
		    "%d' >app.txt && echo 'page %d' >web/index.html && git add -A "
		    "&& %s commit -qm r%d%s", w, v, v, g, v, v < 4 ?
		    fmt(" && git tag v%d", v) : ""), 0);
	}
	ck_assert_int_eq(sh("cd '%s' && git push -q '%s/repos/%s.git' main "
	    "--tags", w, gitdir, name), 0);
}

/* A deploy script; its id. */
static UNUSED long long
mkscript(const char *lang, const char *content)
{
	return db_insert(fmt("INSERT INTO deploy_scripts (name, language, "
	    "template_engine, content) VALUES ('%s', '%s', 'jinja', '%s')",
	    uniq("relscript"), lang, sqlq(content)));
}

struct app {
	long long	 id;
	long long	 config;
	char		 name[128];	/* also the folder under priv */
	long long	 hosts[16], inst[16];
	int		 octets[16];
	int		 n;
};

/*
 * An application deployed from repo url (GIT, branch main) to
 * priv/<name>, with a startup and stop command that log to the host's
 * HOME, instances on hosts octets[0..n).
 */
static UNUSED void
mkapp(struct app *a, const char *type, const char *url, long long cred,
    int keep, int timeout, const int *octets, int n)
{
	int i;

	memset(a, 0, sizeof(*a));
	snprintf(a->name, sizeof(a->name), "%s", uniq("relapp"));
	a->id = api_create("/applications/", "{\"name\": \"%s\"}", a->name);
	db_exec(fmt("UPDATE applications SET startup_cmd = 'echo \"start "
	    "$(basename \"$(pwd -P)\")\" >>\"$HOME/%s.log\"', stop_cmd = "
	    "'echo stop >>\"$HOME/%s.log\"' WHERE id = %lld", a->name, a->name,
	    a->id));
	a->config = db_insert(fmt("INSERT INTO deploy_configs (app_id, "
	    "repo_type, repo_url, repo_branch, credential_id, deploy_path, "
	    "timeout, keep_backups) VALUES (%lld, '%s', '%s', %s, %s, '%s/%s', "
	    "%d, %d)", a->id, type, url, strcmp(type, "GIT") == 0 ? "'main'" :
	    "NULL", cred ? fmt("%lld", cred) : "NULL", priv, a->name, timeout,
	    keep));
	for (i = 0; i < n; i++) {
		a->octets[i] = octets[i];
		a->hosts[i] = mkhost(octets[i]);
		a->inst[i] = db_insert(fmt("INSERT INTO app_instances (app_id, "
		    "host_id, status) VALUES (%lld, %lld, 'running')", a->id,
		    a->hosts[i]));
	}
	a->n = n;
}

static UNUSED void
hook(struct app *a, const char *stage, const char *lang, const char *content)
{
	db_exec(fmt("INSERT INTO deploy_config_hooks (config_id, stage, "
	    "script_id) VALUES (%lld, '%s', %lld)", a->config, stage,
	    mkscript(lang, content)));
}

/* A deploy task of a, running, for version; its id. */
static UNUSED long long
mkdtask(struct app *a, const char *version)
{
	return db_insert(fmt("INSERT INTO deploy_tasks (app_id, version, "
	    "description, level, package_source, planned_exec_time, status, "
	    "started_time) VALUES (%lld, '%s', 'd', 'A', 'src', 1, 'running', "
	    "UTC_TIMESTAMP())", a->id, version));
}

/* The instances [{"id": N}, ...] of a, hosts [from, to). */
static UNUSED char *
inst_json(const struct app *a, int from, int to)
{
	static char	buf[2048];
	size_t		n = 0;
	int		i;

	n += (size_t)snprintf(buf + n, sizeof(buf) - n, "[");
	for (i = from; i < to; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s{\"id\": %lld}",
		    i > from ? ", " : "", a->inst[i]);
	snprintf(buf + n, sizeof(buf) - n, "]");
	return buf;
}

/* POST a sub-task (kind "upgrade" or "revert"): 201; its task id. */
static UNUSED long long
sub(long long dtask, const char *kind, const char *body)
{
	struct resp	*r = api("POST", fmt("/application/deploy-tasks/%lld/"
			    "sub-%s-tasks/", dtask, kind), admin_token(), body);
	long long	 id;

	ck_assert_msg(r->status == 201, "sub-%s: %ld %s", kind, r->status,
	    r->body);
	ck_assert_int_eq(jkeys(r->json, NULL), 2);
	ck_assert(json_object_is_type(jpath(r->json, "task_id"),
	    json_type_string));
	id = strtoll(jstr(r->json, "task_id"), NULL, 10);
	ck_assert_str_eq(jstr(r->json, "task_output"),
	    fmt("ws://127.0.0.1:%s/ws/tasks/%lld", getenv("HANGAR_TEST_PORT"),
	    id));
	resp_free(r);
	return id;
}

/* Wait for task to end; its status. */
static UNUSED char *
wait_task(long long task, int secs)
{
	char	*s;
	int	 i;

	for (i = 0; i < secs * 10; i++) {
		s = db_str(fmt("SELECT status FROM tasks WHERE id = %lld", task));
		ck_assert_ptr_nonnull(s);
		if (strcmp(s, "running") != 0)
			return s;
		free(s);
		usleep(100000);
	}
	ck_abort_msg("task %lld still running after %d s", task, secs);
	return NULL;
}

static UNUSED char *
host_status(long long task, long long host)
{
	return db_str(fmt("SELECT CONCAT(status, ': ', message) FROM task_hosts "
	    "WHERE task_id = %lld AND host_id = %lld", task, host));
}

#define expect_host(task, host, want) do {				\
	char *s_ = host_status((task), (host));				\
									\
	ck_assert_msg(s_ != NULL && strncmp(s_, (want), strlen(want)) == 0, \
	    "host %lld of task %lld: %s, want %s...", (long long)(host),	\
	    (long long)(task), s_ ? s_ : "no row", (want));		\
	free(s_);							\
} while (0)

#define expect_msg_has(task, host, part) do {				\
	char *s_ = host_status((task), (host));				\
									\
	ck_assert_msg(s_ != NULL && strstr(s_, (part)) != NULL,		\
	    "host %lld of task %lld: %s, want it to say %s",		\
	    (long long)(host), (long long)(task), s_ ? s_ : "no row", (part)); \
	free(s_);							\
} while (0)

static UNUSED void
expect_instance(const struct app *a, int i, const char *version,
    const char *status)
{
	char *s = db_str(fmt("SELECT CONCAT(version, '/', status) FROM "
	    "app_instances WHERE id = %lld", a->inst[i]));

	ck_assert_str_eq(s, fmt("%s/%s", version, status));
	free(s);
}

static UNUSED void
expect_file(const char *path, const char *want)
{
	char *s = slurp(path);

	ck_assert_msg(s != NULL, "no file %s", path);
	ck_assert_msg(strcmp(s, want) == 0, "%s holds \"%s\", want \"%s\"",
	    path, s, want);
	free(s);
}

/* An agent of this test's own (our child): the stack's config and extra. */
static UNUSED pid_t
agent_start(const char *name, const char *extra)
{
	char	conf[800], bin[800], *base;
	FILE	*f;
	pid_t	pid;

	snprintf(bin, sizeof(bin), "%s/hangar.conf", getenv("HANGAR_DIR"));
	ck_assert((base = slurp(bin)) != NULL);
	snprintf(conf, sizeof(conf), "%s/agent-%s.conf", dir, name);
	ck_assert((f = fopen(conf, "w")) != NULL);
	fprintf(f, "%s\nagent_pid_file = %s/agent-%s.pid\nagent_log = "
	    "%s/agent-%s.log\nclaim_timeout = 5\n%s\n", base, dir, name, dir,
	    name, extra);
	fclose(f);
	free(base);
	snprintf(bin, sizeof(bin), "%s/hangar-agent", getenv("HANGAR_BIN"));
	if ((pid = fork()) == 0) {
		execl(bin, "hangar-agent", "-c", conf, (char *)NULL);
		_exit(127);
	}
	ck_assert(pid > 0);
	return pid;
}

#endif
