/*
 * test_deploy_sources.c -- more of issue 12's sub-upgrade tasks end to
 * end, beside test_deploy_release.c (same helpers, releaselib.h): where a
 * release comes from and who runs it.
 *
 *   - git over HTTPS with a password credential: t/git-server.sh's
 *     start-https (nginx with TLS and basic auth in front of
 *     git-http-backend), its certificate signed by a CA of its own that
 *     this test's agent trusts by hangar.conf's deploy_ca_file; a wrong
 *     password fails the fetch, with git's own reason, before any host
 *     is touched;
 *   - an SFTP download (an FTP-type repository with an sftp:// URL) from
 *     an sshd test host, with a key credential;
 *   - a canary's HTTP health check, run with curl on the hosts against
 *     t/status-server.py: one answering 200 passes, one answering 500
 *     rolls the host back;
 *   - an application whose run_user is not the SSH user: the restart and
 *     a hook with a running_user run through sudo -n as that user
 *     (nobody); an unknown run_user fails the host at the stop step with
 *     sudo's reason.
 *
 *   - FTP over TLS from vsftpd (t/ftp-server.sh start-tls), its
 *     certificate signed by the HTTPS git server's CA: ftps:// (implicit
 *     TLS) and ftpes:// (explicit, AUTH TLS) download the release; plain
 *     ftp:// against the explicit server is refused at the login, and a
 *     server whose certificate the agent does not trust fails the fetch;
 *     neither touches the host.
 *
 * Hosts 127.0.0.131-134.  Ports (offsets from the runner's port, so that
 * runs on other port blocks do not meet): sshd 20000 + HANGAR_TEST_PORT %
 * 10000, git daemon 23000 + that, HTTPS git +1, health servers +2 (200)
 * and +3 (500); FTPS 22000 + that: implicit +0 (data +1), explicit +2 (+3),
 * implicit with an untrusted certificate +4 (+5).  All below Linux's
 * ephemeral ports (32768-60999), which an outgoing connection may hold.
 */
#include <signal.h>
#include <sys/prctl.h>
#include <time.h>

#include "releaselib.h"

#define H_FIRST		131
#define H_LAST		134
#define GIT_USER	"gitreader"
#define GIT_PASS	"right horse battery"

static int	 httpsport, okport, badport, ftpsport;
static char	 ftpsdir[700];
static pid_t	 agent, okserver, badserver;
static char	 cafile[800];
static char	 runas[300];	/* a folder anyone may write, on the hosts */

/* A password credential for the HTTPS server; its id. */
static long long
password_cred(const char *user, const char *pass)
{
	char		*sealed = stack_seal(pass);
	long long	 id = db_insert(fmt("INSERT INTO credentials (kind, name, "
			    "username, secret) VALUES ('password', '%s', '%s', "
			    "'%s')", uniq("httpscred"), user, sealed));

	free(sealed);
	return id;
}

/* The lines of task's output (all hosts) joined, for searching. */
static char *
output_of(long long task)
{
	return db_str(fmt("SELECT COALESCE(GROUP_CONCAT(text SEPARATOR '\\n'), "
	    "'') FROM task_output WHERE task_id = %lld", task));
}

static pid_t
status_server(int port, int code)
{
	pid_t	pid;
	char	path[800], p[16], c[16];
	int	i;

	snprintf(path, sizeof(path), "%s/status-server.py", tdir);
	snprintf(p, sizeof(p), "%d", port);
	snprintf(c, sizeof(c), "%d", code);
	if ((pid = fork()) == 0) {
		/* gone with this test, whatever way it ends */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execl("/usr/bin/python3", "python3", path, p, c, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100; i++) {
		if (sh("curl -s -o /dev/null http://127.0.0.1:%d/", port) == 0)
			return pid;
		usleep(100000);
	}
	return -1;
}

/*
 * A GIT application over HTTPS with the right password: the release is
 * on the hosts; then the same with a wrong password: the fetch fails on
 * the agent, every host says why, and no host was touched.
 */
START_TEST(git_over_https_with_password)
{
	static const int octets[] = { H_FIRST, H_FIRST + 1 };
	struct app	 a, b;
	long long	 dt, t;
	char		*s, *out;
	int		 i;

	mkrepo("overhttps");
	mkapp(&a, "GIT", fmt("https://127.0.0.1:%d/overhttps.git", httpsport),
	    password_cred(GIT_USER, GIT_PASS), 5, 30, octets, 2);
	dt = mkdtask(&a, "v2");
	t = sub(dt, "upgrade", fmt("{\"instances\": %s, \"version\": \"v2\"}",
	    inst_json(&a, 0, 2)));
	s = wait_task(t, 90);
	ck_assert_msg(strcmp(s, "finished") == 0, "%s: %s", s,
	    host_status(t, a.hosts[0]));
	free(s);
	for (i = 0; i < 2; i++) {
		ck_assert_str_eq(current_of(octets[i], a.name), "releases/v2");
		expect_file(hpath(octets[i], fmt("%s/current/app.txt", a.name)),
		    "release 2\n");
		expect_instance(&a, i, "v2", "running");
	}
	out = output_of(t);
	ck_assert_ptr_null(strstr(out, GIT_PASS));
	free(out);

	mkapp(&b, "GIT", fmt("https://127.0.0.1:%d/overhttps.git", httpsport),
	    password_cred(GIT_USER, "not the password"), 5, 30, octets, 2);
	dt = mkdtask(&b, "v1");
	t = sub(dt, "upgrade", fmt("{\"instances\": %s, \"version\": \"v1\"}",
	    inst_json(&b, 0, 2)));
	s = wait_task(t, 90);
	ck_assert_str_eq(s, "failed");
	free(s);
	for (i = 0; i < 2; i++) {
		expect_msg_has(t, b.hosts[i], "fetch");
		expect_msg_has(t, b.hosts[i], "Authentication failed");
		/* never reached: no folder, no step on the host */
		ck_assert(!exists(hpath(octets[i], b.name)));
		expect_instance(&b, i, "", "running");
	}
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM task_output WHERE "
	    "task_id = %lld AND text IN ('[prepare]', '[upload]')", t)), 0);
	out = output_of(t);
	ck_assert_ptr_null(strstr(out, "not the password"));
	free(out);
	/* the first application is as it was */
	ck_assert_str_eq(current_of(octets[0], a.name), "releases/v2");
}
END_TEST

/*
 * An FTP-type repository with an sftp:// URL: the file is read over SFTP
 * from an sshd test host (its key pinned by a first deploy there) with a
 * key credential that names its user.
 */
START_TEST(sftp_download)
{
	static const int octets[] = { H_FIRST + 2 };
	struct app	 pin, a;
	long long	 cred, dt, t;
	char		*s, *key, path[800];
	FILE		*f;
	long		 n;

	/* a first deploy over SSH pins host H_FIRST + 2's key */
	mkrepo("pinsftp");
	mkapp(&pin, "GIT", fmt("git://127.0.0.1:%d/pinsftp.git", gitport), 0,
	    5, 30, octets, 1);
	t = sub(mkdtask(&pin, "v1"), "upgrade", fmt("{\"instances\": %s, "
	    "\"version\": \"v1\"}", inst_json(&pin, 0, 1)));
	s = wait_task(t, 90);
	ck_assert_str_eq(s, "finished");
	free(s);

	/* random bytes: gzip would not save a tenth, so it ships a plain tar */
	ck_assert_int_eq(sh("mkdir -p '%s/sftp/builds' && head -c 300000 "
	    "/dev/urandom >'%s/sftp/builds/app.war'", dir, dir), 0);
	snprintf(path, sizeof(path), "%s/client_key", sshdir);
	ck_assert((f = fopen(path, "r")) != NULL);
	key = calloc(1, 8192);
	n = (long)fread(key, 1, 8191, f);
	fclose(f);
	ck_assert_int_gt(n, 0);
	s = stack_seal(key);
	cred = db_insert(fmt("INSERT INTO credentials (kind, name, username, "
	    "secret) VALUES ('ssh_key', '%s', 'root', '%s')", uniq("sftpkey"),
	    s));
	free(s);
	free(key);
	mkapp(&a, "FTP", fmt("sftp://127.0.0.%d:%d%s/sftp", octets[0],
	    sshport, dir), cred, 5, 30, octets, 1);
	dt = mkdtask(&a, "b7");
	t = sub(dt, "upgrade", fmt("{\"instances\": %s, \"version\": \"b7\", "
	    "\"update_source\": \"builds/app.war\"}", inst_json(&a, 0, 1)));
	s = wait_task(t, 90);
	ck_assert_msg(strcmp(s, "finished") == 0, "%s: %s", s,
	    host_status(t, a.hosts[0]));
	free(s);
	ck_assert_int_eq(sh("cmp '%s/sftp/builds/app.war' '%s'", dir,
	    hpath(octets[0], fmt("%s/current/app.war", a.name))), 0);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM task_output WHERE "
	    "task_id = %lld AND host_id = 0 AND text LIKE 'package of version "
	    "b7: tar, %% bytes, sha256 %%'", t)), 1);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM task_output WHERE "
	    "task_id = %lld AND host_id = %lld AND text LIKE 'sha256 %%: ok'",
	    t, a.hosts[0])), 1);
}
END_TEST

/*
 * One sub-upgrade of a new FTP-type application from url, update_source
 * builds/app.bin, on host octet: the task's status; its host in *host.
 */
static char *
ftp_deploy(const char *url, int octet, struct app *a, long long *t)
{
	const int	 octets[] = { octet };

	mkapp(a, "FTP", url, 0, 5, 30, octets, 1);
	*t = sub(mkdtask(a, "f1"), "upgrade", fmt("{\"instances\": %s, "
	    "\"version\": \"f1\", \"update_source\": \"builds/app.bin\"}",
	    inst_json(a, 0, 1)));
	return wait_task(*t, 90);
}

START_TEST(ftps_download)
{
	static const char *const servers[] = { "implicit", "explicit",
	    "untrusted" };
	const int	 octet = H_FIRST + 3;
	struct app	 a;
	long long	 t;
	char		*s;
	size_t		 i;

	/* a binary file on every server */
	for (i = 0; i < sizeof(servers) / sizeof(servers[0]); i++)
		ck_assert_int_eq(sh("mkdir -p '%s/%s/files/builds' && head -c "
		    "200000 /dev/urandom >'%s/%s/files/builds/app.bin' && "
		    "chmod -R a+rX '%s/%s/files'", ftpsdir, servers[i], ftpsdir,
		    servers[i], ftpsdir, servers[i]), 0);

	s = ftp_deploy(fmt("ftps://127.0.0.1:%d/", ftpsport), octet, &a, &t);
	ck_assert_msg(strcmp(s, "finished") == 0, "%s: %s", s,
	    host_status(t, a.hosts[0]));
	free(s);
	ck_assert_int_eq(sh("cmp '%s/implicit/files/builds/app.bin' '%s'",
	    ftpsdir, hpath(octet, fmt("%s/current/app.bin", a.name))), 0);

	s = ftp_deploy(fmt("ftpes://127.0.0.1:%d", ftpsport + 2), octet, &a,
	    &t);
	ck_assert_msg(strcmp(s, "finished") == 0, "%s: %s", s,
	    host_status(t, a.hosts[0]));
	free(s);
	ck_assert_int_eq(sh("cmp '%s/explicit/files/builds/app.bin' '%s'",
	    ftpsdir, hpath(octet, fmt("%s/current/app.bin", a.name))), 0);

	/* the explicit server takes no login in the clear */
	s = ftp_deploy(fmt("ftp://127.0.0.1:%d/", ftpsport + 2), octet, &a, &t);
	ck_assert_str_eq(s, "failed");
	free(s);
	expect_msg_has(t, a.hosts[0], "530");
	ck_assert(!exists(hpath(octet, a.name)));

	/* nor does the agent trust a certificate of another CA */
	s = ftp_deploy(fmt("ftps://127.0.0.1:%d/", ftpsport + 4), octet, &a,
	    &t);
	ck_assert_str_eq(s, "failed");
	free(s);
	expect_msg_has(t, a.hosts[0], "certificate");
	ck_assert(!exists(hpath(octet, a.name)));
}
END_TEST

/*
 * A canary with an HTTP health check, curl on each host: against a
 * server answering 200 every batch passes; against one answering 500
 * the first batch's host fails its check, goes back to its previous
 * release, and the rollout stops before the next batch.
 */
START_TEST(http_health_check)
{
	static const int octets[] = { H_FIRST, H_FIRST + 1, H_FIRST + 2 };
	struct app	 a;
	long long	 dt, t;
	char		*s;
	int		 i;

	mkrepo("httphealth");
	mkapp(&a, "GIT", fmt("git://127.0.0.1:%d/httphealth.git", gitport), 0,
	    5, 30, octets, 3);
	dt = mkdtask(&a, "v3");
	t = sub(dt, "upgrade", fmt("{\"instances\": %s, \"version\": \"v1\", "
	    "\"batch_size\": 1, \"health_check\": {\"http\": "
	    "\"http://127.0.0.1:%d/health\", \"timeout\": 3}, "
	    "\"auto_rollback\": true}", inst_json(&a, 0, 3), okport));
	s = wait_task(t, 120);
	ck_assert_msg(strcmp(s, "finished") == 0, "%s: %s", s,
	    host_status(t, a.hosts[0]));
	free(s);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM task_output "
		    "WHERE task_id = %lld AND host_id = %lld AND text = 'health "
		    "check passed'", t, a.hosts[i])), 1);

	t = sub(dt, "upgrade", fmt("{\"instances\": %s, \"version\": \"v2\", "
	    "\"batch_size\": 1, \"health_check\": {\"http\": "
	    "\"http://127.0.0.1:%d/health\", \"timeout\": 3, \"retries\": 1}, "
	    "\"auto_rollback\": true}", inst_json(&a, 0, 3), badport));
	s = wait_task(t, 120);
	ck_assert_str_eq(s, "failed");
	free(s);
	expect_host(t, a.hosts[0], "failed: health check failed after 2 tries");
	expect_msg_has(t, a.hosts[0], "rolled back to v1; the rollout stops");
	/* curl's own reason is in the output: the 500 */
	ck_assert_int_gt(db_int(fmt("SELECT COUNT(*) FROM task_output WHERE "
	    "task_id = %lld AND host_id = %lld AND text LIKE '%%500%%'", t,
	    a.hosts[0])), 0);
	ck_assert_str_eq(current_of(octets[0], a.name), "releases/v1");
	expect_instance(&a, 0, "v1", "running");
	for (i = 1; i < 3; i++) {
		expect_host(t, a.hosts[i], "failed: not run: the rollout stopped");
		ck_assert_str_eq(current_of(octets[i], a.name), "releases/v1");
		ck_assert(!exists(hpath(octets[i], fmt("%s/releases/v2",
		    a.name))));
	}
}
END_TEST

/*
 * run_user nobody while the hosts are logged in as root: stop_cmd,
 * startup_cmd and a pre_exec hook with running_user nobody run as nobody
 * (sudo -n -H -u nobody); the hook without a running_user as the login
 * user.  An unknown run_user fails the host at the stop step with sudo's
 * reason, and `current` had already been switched (stop runs after the
 * switch), so the message names the step.
 */
START_TEST(run_user_other_than_ssh_user)
{
	static const int octets[] = { H_FIRST + 3 };
	struct app	 a;
	long long	 dt, t;
	char		*s;

	mkrepo("runas");
	mkapp(&a, "GIT", fmt("git://127.0.0.1:%d/runas.git", gitport), 0, 5,
	    30, octets, 1);
	db_exec(fmt("UPDATE applications SET run_user = 'nobody', startup_cmd "
	    "= 'echo \"start $(id -un) $(basename \"$(pwd -P)\")\" "
	    ">>%s/%s.log', stop_cmd = 'echo \"stop $(id -un)\" >>%s/%s.log' "
	    "WHERE id = %lld", runas, a.name, runas, a.name, a.id));
	db_exec(fmt("INSERT INTO deploy_config_hooks (config_id, stage, "
	    "script_id, running_user) VALUES (%lld, 'pre_exec', %lld, "
	    "'nobody')", a.config, mkscript("bash", fmt("echo \"pre $(id -un) "
	    "$HOME\" >>%s/%s.log", runas, a.name))));
	hook(&a, "post_exec", "bash", fmt("echo \"post $(id -un)\" >>%s/%s.log",
	    runas, a.name));
	dt = mkdtask(&a, "v3");	/* still running after v2 */
	t = sub(dt, "upgrade", fmt("{\"instances\": %s, \"version\": \"v2\"}",
	    inst_json(&a, 0, 1)));
	s = wait_task(t, 90);
	ck_assert_msg(strcmp(s, "finished") == 0, "%s: %s", s,
	    host_status(t, a.hosts[0]));
	free(s);
	/* sudo -H: nobody's own HOME, not root's */
	expect_file(fmt("%s/%s.log", runas, a.name), "pre nobody /nonexistent\n"
	    "stop nobody\nstart nobody v2\npost root\n");

	db_exec(fmt("UPDATE applications SET run_user = 'hangar-no-such-user' "
	    "WHERE id = %lld", a.id));
	t = sub(dt, "upgrade", fmt("{\"instances\": %s, \"version\": \"v3\"}",
	    inst_json(&a, 0, 1)));
	s = wait_task(t, 90);
	ck_assert_str_eq(s, "failed");
	free(s);
	expect_host(t, a.hosts[0], "failed: step stop failed");
	expect_msg_has(t, a.hosts[0], "unknown user");
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM task_output WHERE "
	    "task_id = %lld AND text = '[start]'", t)), 0);
}
END_TEST

static TCase *
tc_sources(void)
{
	TCase *tc = tcase_create("deploy_sources");

	tcase_set_timeout(tc, 400);
	tcase_add_test(tc, git_over_https_with_password);
	tcase_add_test(tc, sftp_download);
	tcase_add_test(tc, ftps_download);
	tcase_add_test(tc, http_health_check);
	tcase_add_test(tc, run_user_other_than_ssh_user);
	return tc;
}

/*
 * This test's agent (agent_start's, outside a test: no ck_assert here):
 * the stack's config, and trust in the HTTPS server's CA.  -1 on failure.
 */
static pid_t
own_agent(void)
{
	char	conf[800], bin[800];
	pid_t	pid;

	snprintf(conf, sizeof(conf), "%s/agent-sources.conf", dir);
	if (sh("cat '%s/hangar.conf' >'%s' && printf '\\nagent_pid_file = "
	    "%s/agent-sources.pid\\nagent_log = %s/agent-sources.log\\n"
	    "deploy_ca_file = %s\\n' >>'%s'", getenv("HANGAR_DIR"), conf,
	    dir, dir, cafile, conf) != 0)
		return -1;
	snprintf(bin, sizeof(bin), "%s/hangar-agent", getenv("HANGAR_BIN"));
	if ((pid = fork()) == 0) {
		execl(bin, "hangar-agent", "-c", conf, (char *)NULL);
		_exit(127);
	}
	return pid;
}

static void
stop_child(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
	}
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_sources };
	const char	*stack = getenv("HANGAR_STACK");
	char		 port[16];
	int		 failed = 1, base;

	if (getenv("HANGAR_DIR") == NULL || stack == NULL)
		return 1;
	base = (getenv("HANGAR_TEST_PORT") ? atoi(getenv("HANGAR_TEST_PORT")) :
	    18080) % 10000;
	sshport = 20000 + base;
	gitport = 23000 + base;	/* below the ephemeral ports (32768-) */
	httpsport = gitport + 1;
	okport = gitport + 2;
	badport = gitport + 3;
	ftpsport = 22000 + base;
	snprintf(dir, sizeof(dir), "%s/sources", getenv("HANGAR_DIR"));
	snprintf(sshdir, sizeof(sshdir), "%s/sshd", dir);
	snprintf(gitdir, sizeof(gitdir), "%s/git", dir);
	snprintf(priv, sizeof(priv), "/tmp/hangar-deploy-%d", sshport);
	snprintf(runas, sizeof(runas), "/tmp/hangar-runas-%d", sshport);
	snprintf(cafile, sizeof(cafile), "%s/https/ca.pem", gitdir);
	snprintf(ftpsdir, sizeof(ftpsdir), "%s/ftps", dir);
	snprintf(tdir, sizeof(tdir), "%.*s", (int)(strrchr(stack, '/') - stack),
	    stack);
	snprintf(port, sizeof(port), "%d", sshport);
	setenv("HANGAR_SSHD_PORT", port, 1);
	setenv("HANGAR_SSHD_PRIVATE", priv, 1);
	if (sh("rm -rf '%s' && mkdir -p '%s' -m 1777 '%s'", runas, dir,
	    runas) != 0 ||
	    sh("%s/sshd-hosts.sh start '%s' %d %d >/dev/null", tdir, sshdir,
	    H_FIRST, H_LAST) != 0 ||
	    sh("%s/git-server.sh start '%s' %d", tdir, gitdir, gitport) != 0 ||
	    sh("%s/git-server.sh start-https '%s' %d %s '%s'", tdir, gitdir,
	    httpsport, GIT_USER, GIT_PASS) != 0 ||
	    sh("%s/ftp-server.sh start-tls '%s/implicit' %d implicit "
	    "'%s/https'", tdir, ftpsdir, ftpsport, gitdir) != 0 ||
	    sh("%s/ftp-server.sh start-tls '%s/explicit' %d explicit "
	    "'%s/https'", tdir, ftpsdir, ftpsport + 2, gitdir) != 0 ||
	    sh("%s/ftp-server.sh start-tls '%s/untrusted' %d implicit -", tdir,
	    ftpsdir, ftpsport + 4) != 0 ||
	    (okserver = status_server(okport, 200)) < 0 ||
	    (badserver = status_server(badport, 500)) < 0) {
		fprintf(stderr, "test_deploy_sources: a test server did not "
		    "start\n");
		goto out;
	}
	/* this test's agent trusts the HTTPS server's CA */
	if (sh("%s/stack.sh stop-agent '%s' >/dev/null", tdir,
	    getenv("HANGAR_DIR")) != 0)
		goto out;
	if ((agent = own_agent()) < 0)
		goto out;
	failed = run_suite("deploy_sources", cases, 1);
	stop_child(agent);
	(void)sh("%s/stack.sh start-agent '%s' %s '%s' >/dev/null", tdir,
	    getenv("HANGAR_DIR"), getenv("HANGAR_TEST_PORT"),
	    getenv("HANGAR_BIN"));
out:
	stop_child(okserver);
	stop_child(badserver);
	(void)sh("%s/sshd-hosts.sh stop '%s'", tdir, sshdir);
	(void)sh("%s/git-server.sh stop '%s'", tdir, gitdir);
	(void)sh("for d in implicit explicit untrusted; do %s/ftp-server.sh "
	    "stop '%s/'$d; done", tdir, ftpsdir);
	(void)sh("rm -rf '%s'", runas);
	(void)rmdir(priv);
	return failed ? 1 : 0;
}
