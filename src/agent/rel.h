/*
 * rel.h -- what the two halves of a deploy sub-task share: release.c
 * (once per job, on the agent: settings, fetch, global hooks, package, the
 * task's end) and release_host.c (each host: ship, switch, hooks, restart,
 * prune).  Nothing outside src/agent/release*.c includes it.
 */
#ifndef AGENT_RELEASE_H
#define AGENT_RELEASE_H

#include <pthread.h>

#include "agent.h"

enum { HK_GPRE, HK_PRE, HK_POST, HK_GPOST, HK__MAX };

/* One lifecycle hook: a deploy script and whom it runs as. */
struct hook {
	int	 k_set;
	char	*k_content;
	int	 k_python;	/* language python (else bash) */
	int	 k_jinja;	/* template_engine jinja (else none) */
	char	*k_user;	/* NULL: the settings' running_user */
};

/*
 * A deploy job's state, malloc'd for the job's life (j_rel) and filled
 * once, under r_mu, by the first of its hosts to start (rel_prepare).
 */
struct rel {
	pthread_mutex_t	 r_mu;
	int		 r_state;	/* 0 not yet, 1 ready, -1 failed */
	char		 r_msg[1024];	/* why it failed */
	int		 r_upgrade;
	long long	 r_dtask, r_app;
	char		*r_version, *r_source;
	long		 r_timeout;	/* the sub-task's (restart, ship) */
	char		*r_creator;
	/* canary batches: 0 one batch; the hosts in batch order */
	long		 r_batch, r_pause;
	char		*r_hc_http, *r_hc_cmd;	/* health check, or NULL */
	long		 r_hc_timeout, r_hc_retries;
	int		 r_rollback;
	long long	*r_ids;
	int		 r_nids;
	/* the application's deploy settings */
	char		*r_type, *r_url, *r_branch;
	long long	 r_cred;
	char		*r_path, *r_ruser;
	long		 r_step_timeout;	/* the settings' (hooks) */
	long		 r_keep;
	struct hook	 r_hooks[HK__MAX];
	/* the application */
	char		*r_appname, *r_run_user, *r_start, *r_stop;
	/* the agent's workspace for this task and its package */
	char		 r_dir[4096], r_ws[4200], r_pkg[4200];
	int		 r_gz;		/* r_pkg is a .tar.gz, else a .tar */
	long long	 r_size;	/* its bytes */
	char		 r_sha[65];
};

/* release.c */
int	 rel_prepare(struct host *, struct rel **);
/*
 * Hook stage k rendered for host (NULL: a global hook) with
 * previous_version prev (NULL: none): the text, or NULL with why in msg.
 */
char	*rel_render(struct rel *, struct hg_arena *, int k, const char *host,
	    const char *prev, long long task, char *msg, size_t msglen);

#endif
