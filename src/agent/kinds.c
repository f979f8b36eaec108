/*
 * kinds.c -- what each task kind does to one host.  The table at the end
 * is the only place a kind is bound to code: a new kind is a function and
 * a line.
 *
 * Power actions: a PHY_HOST is restarted and stopped over SSH with the
 * configured commands and started with the configured out-of-band command
 * run here (a stopped machine has no sshd to talk to); cloud hosts go
 * through the cloud adapter (lib/cloud.h).  An action with no configured
 * command fails the host and says which key to set: nothing has a built-in
 * default that could power off the wrong machine.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <sodium.h>

#include "agent.h"
#include "cloud.h"
#include "conf.h"
#include "queue.h"
#include "secret.h"

#define INIT_MAX	(1024 * 1024)

/* The cloud engineer's adapter, when it is linked in. */
#pragma weak hg_cloud_power

static int
is_phy(const struct host *h)
{
	return strcmp(h->h_type, "PHY_HOST") == 0;
}

static int
unset(struct host *h, const char *key, const char *what)
{
	snprintf(h->h_msg, sizeof(h->h_msg), "%s is not set in hangar.conf; "
	    "refusing to %s %s", key, what, h->h_name);
	return -1;
}

static const struct {
	const char		*p_name;
	enum hg_cloud_provider	 p_id;
} providers[] = {
	{ "ALIYUN", HG_CLOUD_ALIYUN },
	{ "TENCENT", HG_CLOUD_TENCENT },
	{ "CLOUDSTACK", HG_CLOUD_CLOUDSTACK },
};

static int
cloud(struct host *h, enum hg_power action)
{
	struct hg_cloud_account	 acct;
	struct hg_rows		*rs;
	char			*secret;
	size_t			 i;
	int			 rc;

	if (hg_cloud_power == NULL) {
		snprintf(h->h_msg, sizeof(h->h_msg), "cloud adapter not available");
		return -1;
	}
	if (h->h_cloud == 0 || hg_db_query(h->h_w->w_db, &h->h_w->w_arena, &rs,
	    "SELECT provider, endpoint, access_key, secret FROM cloud_accounts "
	    "WHERE id = ?", "i", h->h_cloud) != 0 || rs->nrows == 0) {
		snprintf(h->h_msg, sizeof(h->h_msg), "host %s has no cloud account",
		    h->h_name);
		return -1;
	}
	memset(&acct, 0, sizeof(acct));
	for (i = 0; i < sizeof(providers) / sizeof(providers[0]); i++)
		if (strcmp(providers[i].p_name, HG_CELL(rs, 0, 0)) == 0)
			acct.ca_provider = providers[i].p_id;
	if ((secret = hg_unseal(&h->h_w->w_arena, HG_CELL(rs, 0, 3))) == NULL) {
		snprintf(h->h_msg, sizeof(h->h_msg), "the cloud account of %s "
		    "cannot be decrypted", h->h_name);
		return -1;
	}
	acct.ca_endpoint = HG_CELL(rs, 0, 1);
	acct.ca_access_key = HG_CELL(rs, 0, 2);
	acct.ca_secret = secret;
	(void)hg_db_exec(h->h_w->w_db, "UPDATE task_hosts SET step = 'exec' "
	    "WHERE task_id = ? AND host_id = ? AND agent = ?", "iis",
	    h->h_job->j_task, h->h_id, agent_name);
	rc = hg_cloud_power(&acct, h->h_type, h->h_region, h->h_instance,
	    action, (int)hg_conf.command_timeout, h->h_msg, sizeof(h->h_msg));
	sodium_memzero(secret, strlen(secret));
	return rc == HG_CLOUD_OK ? 0 : -1;
}

static int
run_restart(struct host *h)
{
	h->h_os_status = "running";
	if (!is_phy(h))
		return cloud(h, HG_POWER_REBOOT);
	if (*hg_conf.power_restart_cmd == '\0')
		return unset(h, "power_restart_cmd", "restart");
	return host_exec(h, hg_conf.power_restart_cmd, NULL);
}

static int
run_stop(struct host *h)
{
	h->h_os_status = "stopped";
	if (!is_phy(h))
		return cloud(h, HG_POWER_STOP);
	if (*hg_conf.power_stop_cmd == '\0')
		return unset(h, "power_stop_cmd", "stop");
	return host_exec(h, hg_conf.power_stop_cmd, NULL);
}

static int
run_start(struct host *h)
{
	h->h_os_status = "running";
	if (!is_phy(h))
		return cloud(h, HG_POWER_START);
	if (*hg_conf.power_start_cmd == '\0')
		return unset(h, "power_start_cmd", "start");
	(void)hg_db_exec(h->h_w->w_db, "UPDATE task_hosts SET step = 'exec' "
	    "WHERE task_id = ? AND host_id = ? AND agent = ?", "iis",
	    h->h_job->j_task, h->h_id, agent_name);
	return host_local(h, hg_conf.power_start_cmd);
}

/* The local init_script, sent to "sh -s" on the host's stdin. */
static int
run_init(struct host *h)
{
	struct stat	 st;
	char		*buf;
	ssize_t		 n;
	size_t		 len = 0, max;
	int		 fd;

	if (*hg_conf.init_script == '\0')
		return unset(h, "init_script", "initialise");
	if ((fd = open(hg_conf.init_script, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(h->h_msg, sizeof(h->h_msg), "cannot read init_script "
		    "%s: %s", hg_conf.init_script, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || st.st_size > INIT_MAX) {
		close(fd);
		snprintf(h->h_msg, sizeof(h->h_msg), "init_script %s is not a "
		    "readable file of at most %d bytes", hg_conf.init_script,
		    INIT_MAX);
		return -1;
	}
	max = (size_t)st.st_size;
	buf = hg_alloc(&h->h_w->w_arena, max + 1);
	while (len < max && (n = read(fd, buf + len, max - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';
	h->h_os_status = "running";
	h->h_inited = 1;
	if (host_exec(h, "sh -s", buf) != 0)
		return -1;
	/* Then register the host in Zabbix (zabbix_step.c). */
	return zabbix_init_step(h);
}

static const struct kind kinds[] = {
	{ HG_TASK_RESTART, run_restart, NULL },
	{ HG_TASK_STOP, run_stop, NULL },
	{ HG_TASK_START, run_start, NULL },
	{ HG_TASK_INIT, run_init, NULL },
	{ HG_TASK_STATUS, run_change_status, NULL },
	{ HG_TASK_UPGRADE, release_upgrade, release_end },
	{ HG_TASK_REVERT, release_revert, release_end },
	{ NULL, NULL, NULL },
};

const struct kind *
kind_find(const char *name)
{
	const struct kind *k;

	for (k = kinds; k->k_name != NULL; k++)
		if (strcmp(k->k_name, name) == 0)
			return k;
	return NULL;
}
