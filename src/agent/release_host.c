/*
 * release_host.c -- a deploy sub-task on one host (the job's half done
 * once is release.c).  The release layout, under the settings' deploy_path:
 *
 *	releases/<version>/	one folder per release
 *	current			symlink to releases/<live version>
 *
 * Upgrade: upload the package over SFTP, check its sha256 on the host,
 * unpack it into releases/<version>/ (through a dot-named folder renamed
 * into place, so a half-unpacked release never has a version's name), run
 * pre_exec, switch `current` (a new symlink under a temporary name renamed
 * over it with mv -T: rename(2) is atomic, so at no instant is `current`
 * missing or half-written), restart the application with its stop_cmd and
 * startup_cmd as its run_user, run post_exec, and prune to keep_backups
 * releases (never the live one or the one it replaced).  Revert: the same
 * from pre_exec on, to a release that is still kept.
 *
 * Every value in a remote command is quoted for the shell (hg_shq), and
 * the version was checked (lib/release.c) before it got here; the rest of
 * each command is constant text.  A failed step fails the host with the
 * step's name, the exit status and the last lines of its output; the other
 * hosts go on.  Each instance's version and status are written with the
 * host's result, in the same transaction (h_record).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rel.h"
#include "release.h"
#include "ssh.h"

#define TAIL_LINES	5
#define PROBE_MAX	8192

/* One host's run, for h_record. */
struct hrun {
	struct rel	*x_rl;
	char		 x_old[16];	/* the instance's status before */
	int		 x_switched;	/* `current` names the new release */
	int		 x_restarted;	/* startup_cmd succeeded after it */
	int		 x_rolled_back;	/* switched back to x_prev */
	char		 x_prev[160];
};

/* In the result's transaction: the instance as this host leaves it. */
static int
record_instance(struct host *h, int ok)
{
	struct hrun	*x = h->h_data;
	struct rel	*rl = x->x_rl;

	if (ok || x->x_switched)
		return hg_db_exec(h->h_w->w_db, "UPDATE app_instances SET "
		    "version = ?, status = ? WHERE app_id = ? AND host_id = ?",
		    "ssii", x->x_rolled_back ? x->x_prev : rl->r_version, ok ||
		    x->x_restarted ? "running" : "stopped", rl->r_app, h->h_id);
	return hg_db_exec(h->h_w->w_db, "UPDATE app_instances SET status = ? "
	    "WHERE app_id = ? AND host_id = ?", "sii", x->x_old, rl->r_app,
	    h->h_id);
}

static void
note(struct host *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
note(struct host *h, const char *fmt, ...)
{
	char	buf[1024];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	host_output(h, 0, buf, strlen(buf));
}

/* The last lines h wrote since line `from`, joined by " | ". */
static void
last_lines(struct host *h, size_t from, char *dst, size_t len)
{
	struct outline	*o;
	size_t		 i = 0, skip;

	dst[0] = '\0';
	skip = h->h_nout - from > TAIL_LINES ? h->h_nout - TAIL_LINES : from;
	for (o = h->h_out; o != NULL; o = o->o_next, i++) {
		if (i < skip)
			continue;
		if (dst[0] != '\0')
			strncat(dst, " | ", len - strlen(dst) - 1);
		strncat(dst, o->o_text, len - strlen(dst) - 1);
	}
	if (dst[0] == '\0')
		snprintf(dst, len, "(none)");
}

/* Run step name's command; on failure h_msg says which, how and the tail. */
static int
step(struct host *h, const char *name, const char *cmd, const char *input,
    long timeout)
{
	size_t	from;
	char	why[512], last[400];

	note(h, "[%s]", name);
	from = h->h_nout;
	if (host_exec_t(h, cmd, input, timeout) == 0)
		return 0;
	snprintf(why, sizeof(why), "%.500s", h->h_msg);
	last_lines(h, from, last, sizeof(last));
	snprintf(h->h_msg, sizeof(h->h_msg), "step %s failed: %s; last "
	    "output: %s", name, why, last);
	return -1;
}

/* "sudo ... -- " to become user, or "" when the login user is that user. */
static const char *
as_user(struct host *h, const char *user)
{
	struct hg_arena *a = &h->h_w->w_arena;

	if (user == NULL || *user == '\0' || (h->h_user != NULL &&
	    strcmp(user, h->h_user) == 0))
		return "";
	return hg_printf(a, "sudo -n -H -u %s -- ", hg_shq(a, user));
}

/* Hook stage k on the host, in dir, as its user, under the settings' bound. */
static int
hook(struct host *h, struct rel *rl, int k, const char *name,
    const char *dir, const char *prev)
{
	struct hg_arena		*a = &h->h_w->w_arena;
	const struct hook	*hk = &rl->r_hooks[k];
	const char		*user;
	char			*text;

	if (!hk->k_set)
		return 0;
	if ((text = rel_render(rl, a, k, h->h_name, prev, h->h_job->j_task,
	    h->h_msg, sizeof(h->h_msg))) == NULL)
		return -1;
	user = hk->k_user != NULL ? hk->k_user : rl->r_ruser;
	return step(h, name, hg_printf(a, "cd -- %s && exec %s%s", hg_shq(a,
	    dir), as_user(h, user), hk->k_python ? "python3 -" : "bash -s"),
	    text, rl->r_step_timeout);
}

/* Output lines of a probe, kept in a buffer instead of the task's output. */
struct probe {
	char	p_buf[PROBE_MAX];
	size_t	p_len;
};

static void
probe_line(void *arg, int is_stderr, const char *line, size_t len)
{
	struct probe *p = arg;

	if (is_stderr || p->p_len + len + 2 > sizeof(p->p_buf))
		return;
	memcpy(p->p_buf + p->p_len, line, len);
	p->p_len += len;
	p->p_buf[p->p_len++] = '\n';
	p->p_buf[p->p_len] = '\0';
}

/*
 * What the host has: the live version (*prev, "" for none), whether
 * releases/<version> is kept, and the kept releases (for a message).
 */
static int
probe(struct host *h, struct rel *rl, char *prev, size_t prevlen,
    int *kept, char *list, size_t listlen)
{
	struct hg_arena	*a = &h->h_w->w_arena;
	struct probe	 p;
	const char	*d = hg_shq(a, rl->r_path), *l2, *l3;
	char		*t;
	int		 status;

	memset(&p, 0, sizeof(p));
	if (host_ssh(h) != 0)
		return -1;
	if (hg_ssh_run(h->h_ssh, hg_printf(a, "readlink -- %s/current "
	    "2>/dev/null || echo; if [ -d %s/releases/%s ]; then echo kept; "
	    "else echo missing; fi; ls -1 %s/releases 2>/dev/null | tr '\\n' "
	    "' '; echo", d, d, hg_shq(a, rl->r_version), d), NULL,
	    (int)rl->r_timeout, probe_line, &p, &status, h->h_msg,
	    sizeof(h->h_msg)) != HG_SSH_OK || status != 0 ||
	    (l2 = strchr(p.p_buf, '\n')) == NULL ||
	    (l3 = strchr(l2 + 1, '\n')) == NULL) {
		if (status != 0 && h->h_msg[0] == '\0')
			snprintf(h->h_msg, sizeof(h->h_msg), "step probe failed "
			    "with exit status %d", status);
		hg_ssh_close(h->h_ssh);
		h->h_ssh = NULL;
		return -1;
	}
	t = hg_printf(a, "%.*s", (int)(l2 - p.p_buf), p.p_buf);
	snprintf(prev, prevlen, "%s", strncmp(t, "releases/", 9) == 0 ?
	    t + 9 : "");
	*kept = strncmp(l2 + 1, "kept", 4) == 0;
	snprintf(list, listlen, "%.*s", (int)strcspn(l3 + 1, "\n"), l3 + 1);
	return 0;
}

/* Point `current` at releases/<version>, atomically. */
static int
switch_to(struct host *h, struct rel *rl, const char *name,
    const char *version)
{
	struct hg_arena	*a = &h->h_w->w_arena;
	const char	*tmp = hg_printf(a, ".current-%lld", h->h_job->j_task);

	return step(h, name, hg_printf(a, "cd -- %s && rm -f -- %s && "
	    "ln -s -- %s %s && mv -T -- %s current", hg_shq(a, rl->r_path), tmp,
	    hg_shq(a, hg_printf(a, "releases/%s", version)), tmp, tmp), NULL,
	    rl->r_timeout);
}

static int
switch_current(struct host *h, struct rel *rl, struct hrun *x)
{
	if (switch_to(h, rl, "switch", rl->r_version) != 0)
		return -1;
	x->x_switched = 1;
	return 0;
}

/* stop_cmd, then startup_cmd, in current, as the application's run_user. */
static int
restart(struct host *h, struct rel *rl, struct hrun *x)
{
	struct hg_arena	*a = &h->h_w->w_arena;
	const char	*cur = hg_shq(a, hg_printf(a, "%s/current", rl->r_path));
	const char	*who = as_user(h, rl->r_run_user);

	if (rl->r_stop[0] != '\0' && step(h, "stop", hg_printf(a, "cd -- %s "
	    "&& exec %sbash -c %s", cur, who, hg_shq(a, rl->r_stop)), NULL,
	    rl->r_timeout) != 0)
		return -1;
	if (rl->r_start[0] != '\0' && step(h, "start", hg_printf(a, "cd -- %s "
	    "&& exec %sbash -c %s", cur, who, hg_shq(a, rl->r_start)), NULL,
	    rl->r_timeout) != 0)
		return -1;
	x->x_restarted = 1;
	return 0;
}

/* ---- canary batches --------------------------------------------------- */

static void
nap_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * A host of batch b > 0 waits until every host of the batches before it
 * is done (its rank in host id order, as hosts are queued, so the earlier
 * batches hold the pool's threads first), then pause_seconds after the
 * last of them ended.  One that failed stops the rollout: this host is
 * then failed without being touched.  MySQL is the judge, so it holds for
 * hosts another agent ran.
 */
static int
gate(struct host *h, struct rel *rl)
{
	struct hg_rows	*rs;
	long long	 first;
	int		 rank, said = 0;

	if (rl->r_batch <= 0)
		return 0;
	for (rank = 0; rank < rl->r_nids && rl->r_ids[rank] != h->h_id; rank++)
		continue;
	if (rank < rl->r_batch || rank >= rl->r_nids)
		return 0;
	first = rl->r_ids[rank - rank % rl->r_batch];
	for (;;) {
		if (pool_stopping()) {
			snprintf(h->h_msg, sizeof(h->h_msg), "not run: the agent "
			    "stopped while this host waited for its batch");
			return -1;
		}
		if (hg_db_query(h->h_w->w_db, &h->h_w->w_arena, &rs, "SELECT "
		    "COALESCE(SUM(status IN ('pending', 'running')), 0), "
		    "COALESCE(SUM(status = 'failed'), 0), COALESCE("
		    "TIMESTAMPDIFF(SECOND, MAX(finished_time), UTC_TIMESTAMP()), "
		    "0) FROM task_hosts WHERE task_id = ? AND host_id < ?", "ii",
		    h->h_job->j_task, first) == 0 && rs->nrows == 1) {
			if (hg_atoll(HG_CELL(rs, 0, 1)) > 0) {
				snprintf(h->h_msg, sizeof(h->h_msg), "not run: the "
				    "rollout stopped because a host of an earlier "
				    "batch failed");
				return -1;
			}
			if (hg_atoll(HG_CELL(rs, 0, 0)) == 0 &&
			    hg_atoll(HG_CELL(rs, 0, 2)) >= rl->r_pause)
				return 0;
		}
		if (!said++)
			note(h, "waiting for batch %d's turn", rank /
			    (int)rl->r_batch + 1);
		nap_ms(200);
	}
}

/*
 * The health check on the host, tried 1 + retries times a second apart:
 * an HTTP URL fetched with curl, or a command run in `current` as the
 * application's run_user.  On failure with auto_rollback, `current` goes
 * back to the release it replaced and the application is restarted.
 */
static int
health(struct host *h, struct rel *rl, struct hrun *x, const char *prev)
{
	struct hg_arena	*a = &h->h_w->w_arena;
	const char	*cmd;
	char		 why[800];
	long		 i;

	if (rl->r_hc_http == NULL && rl->r_hc_cmd == NULL)
		return 0;
	cmd = rl->r_hc_http != NULL ? hg_printf(a, "curl -fsS -o /dev/null -m "
	    "%ld -- %s", rl->r_hc_timeout, hg_shq(a, rl->r_hc_http)) :
	    hg_printf(a, "cd -- %s && exec %sbash -c %s", hg_shq(a, hg_printf(a,
	    "%s/current", rl->r_path)), as_user(h, rl->r_run_user),
	    hg_shq(a, rl->r_hc_cmd));
	for (i = 0; i <= rl->r_hc_retries; i++) {
		if (i > 0)
			nap_ms(1000);
		if (step(h, "health_check", cmd, NULL, rl->r_hc_timeout + 5) ==
		    0) {
			note(h, "health check passed");
			return 0;
		}
	}
	snprintf(why, sizeof(why), "%.700s", h->h_msg);
	if (!rl->r_rollback || prev[0] == '\0') {
		snprintf(h->h_msg, sizeof(h->h_msg), "health check failed after "
		    "%ld tries (%s); the rollout stops", i, why);
		return -1;
	}
	note(h, "health check failed: rolling back to %s", prev);
	snprintf(x->x_prev, sizeof(x->x_prev), "%s", prev);
	x->x_restarted = 0;
	if (switch_to(h, rl, "rollback", prev) != 0)
		return -1;
	x->x_rolled_back = 1;
	if (restart(h, rl, x) != 0)
		return -1;
	snprintf(h->h_msg, sizeof(h->h_msg), "health check failed after %ld "
	    "tries (%.600s); rolled back to %s; the rollout stops", i, why,
	    prev);
	note(h, "rolled back to %s; the rollout stops", prev);
	return -1;
}

/* Keep keep_backups releases, newest first, and always new and prev. */
static int
prune(struct host *h, struct rel *rl, const char *prev)
{
	struct hg_arena *a = &h->h_w->w_arena;

	return step(h, "prune", hg_printf(a, "cd -- %s/releases || exit 0; "
	    "n=0; for r in $(ls -1t); do [ -d \"$r\" ] || continue; "
	    "n=$((n + 1)); [ \"$r\" = %s ] && continue; [ \"$r\" = %s ] && "
	    "continue; if [ \"$n\" -gt %ld ]; then rm -rf -- \"$r\" && "
	    "echo \"pruned release $r\"; fi; done", hg_shq(a, rl->r_path),
	    hg_shq(a, rl->r_version), hg_shq(a, prev), rl->r_keep), NULL,
	    rl->r_timeout);
}

/* The package onto the host, checked, unpacked into releases/<version>. */
static int
ship(struct host *h, struct rel *rl)
{
	struct hg_arena	*a = &h->h_w->w_arena;
	const char	*d = hg_shq(a, rl->r_path);
	const char	*pkg = hg_printf(a, ".hangar-%lld.tar%s",
			    h->h_job->j_task, rl->r_gz ? ".gz" : "");
	const char	*tmp = hg_printf(a, ".unpack-%lld", h->h_job->j_task);
	const char	*v = hg_shq(a, rl->r_version);
	char		 why[512];

	if (step(h, "prepare", hg_printf(a, "mkdir -p -- %s/releases", d),
	    NULL, rl->r_timeout) != 0)
		return -1;
	note(h, "[upload]");
	if (hg_ssh_upload(h->h_ssh, rl->r_pkg, hg_printf(a, "%s/releases/%s",
	    rl->r_path, pkg), why, sizeof(why)) != 0) {
		snprintf(h->h_msg, sizeof(h->h_msg), "step upload failed: %s",
		    why);
		return -1;
	}
	/*
	 * openssl when the host has it: it uses the CPU's SHA instructions,
	 * four times as fast as coreutils' sha256sum here.
	 */
	if (step(h, "verify", hg_printf(a, "cd -- %s/releases && if command "
	    "-v openssl >/dev/null 2>&1; then s=$(openssl dgst -sha256 -r < "
	    "%s); else s=$(sha256sum < %s); fi; s=${s%%%% *}; if [ \"$s\" = "
	    "%s ]; then echo 'sha256 %s: ok'; else echo \"sha256 mismatch: "
	    "expected %s, got $s\" >&2; rm -f -- %s; exit 1; fi", d, pkg, pkg,
	    rl->r_sha, rl->r_sha, rl->r_sha, pkg), NULL, rl->r_timeout) != 0)
		return -1;
	return step(h, "unpack", hg_printf(a, "cd -- %s/releases && rm -rf -- "
	    "%s && mkdir -- %s && tar -x%sf %s -C %s && rm -rf -- %s && mv -T "
	    "-- %s %s && touch -- %s && rm -f -- %s", d, tmp, tmp,
	    rl->r_gz ? "z" : "", pkg, tmp, v, tmp, v, v, pkg), NULL,
	    rl->r_timeout);
}

/* Mark the instance as being changed; its old status for a failure. */
static int
begin(struct host *h, struct rel *rl, struct hrun *x, const char *status)
{
	struct hg_rows *rs;

	memset(x, 0, sizeof(*x));
	x->x_rl = rl;
	snprintf(x->x_old, sizeof(x->x_old), "stopped");
	if (hg_db_query(h->h_w->w_db, &h->h_w->w_arena, &rs, "SELECT status "
	    "FROM app_instances WHERE app_id = ? AND host_id = ?", "ii",
	    rl->r_app, h->h_id) != 0 || rs->nrows == 0) {
		snprintf(h->h_msg, sizeof(h->h_msg), "host %s has no instance "
		    "of application \"%s\" any more", h->h_name, rl->r_appname);
		return -1;
	}
	snprintf(x->x_old, sizeof(x->x_old), "%s", HG_CELL(rs, 0, 0));
	(void)hg_db_exec(h->h_w->w_db, "UPDATE app_instances SET status = ? "
	    "WHERE app_id = ? AND host_id = ?", "sii", status, rl->r_app,
	    h->h_id);
	h->h_data = x;
	h->h_record = record_instance;
	return 0;
}

static int
run(struct host *h, int upgrade)
{
	struct hg_arena	*a = &h->h_w->w_arena;
	struct rel	*rl;
	struct hrun	*x = hg_alloc(a, sizeof(*x));
	char		 prev[160], list[1024];
	const char	*rp;
	int		 kept;

	if (rel_prepare(h, &rl) < 0) {
		snprintf(h->h_msg, sizeof(h->h_msg), "%.1000s", rl->r_msg);
		return -1;
	}
	if ((upgrade && gate(h, rl) != 0) ||
	    begin(h, rl, x, upgrade ? "updating" : "reverting") != 0 ||
	    probe(h, rl, prev, sizeof(prev), &kept, list, sizeof(list)) != 0)
		return -1;
	rp = hg_printf(a, "%s/releases/%s", rl->r_path, rl->r_version);
	note(h, "live release: %s", prev[0] ? prev : "(none)");
	if (!upgrade && !kept) {
		snprintf(h->h_msg, sizeof(h->h_msg), "version %s is not kept on "
		    "%.128s (kept: %.600s); nothing was changed", rl->r_version,
		    h->h_name, list[0] ? list : "none");
		return -1;
	}
	if (upgrade && strcmp(prev, rl->r_version) == 0)
		note(h, "release %s is live: its files are kept, the hooks and "
		    "the restart run again", rl->r_version);
	else if (upgrade && ship(h, rl) != 0)
		return -1;
	if (hook(h, rl, HK_PRE, "pre_exec", rp, prev[0] ? prev : NULL) != 0 ||
	    switch_current(h, rl, x) != 0 || restart(h, rl, x) != 0 ||
	    hook(h, rl, HK_POST, "post_exec", rp, prev[0] ? prev : NULL) != 0)
		return -1;
	if (upgrade && (health(h, rl, x, prev) != 0 || prune(h, rl, prev) != 0))
		return -1;
	snprintf(h->h_msg, sizeof(h->h_msg), "%s %s: version %s is live%s%s",
	    upgrade ? "upgraded" : "reverted", h->h_name, rl->r_version,
	    prev[0] ? ", replacing " : "", prev);
	return 0;
}

int
release_upgrade(struct host *h)
{
	return run(h, 1);
}

int
release_revert(struct host *h)
{
	return run(h, 0);
}
