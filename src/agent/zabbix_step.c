/*
 * zabbix_step.c -- the agent's Zabbix work: registering a host after its
 * init script, and the side effects of change-status.
 *
 * Both are steps in the sense of kinds.c: they take one host of a task,
 * return 0 or -1 with h_msg saying why, and are safe to repeat (host.save
 * updates the host Hangar registered; deleting one Zabbix no longer has is
 * not an error; stopping stopped instances changes nothing).  They need no
 * SSH.  Zabbix hosts are known by the hostid remembered at registration
 * (host_zabbix.zabbix_hostid), never by name: a Zabbix host Hangar did not
 * register is not touched, whatever the Hangar host is called.
 *
 * kinds.c calls zabbix_init_step() after a successful init script and
 * lists run_change_status() as the HG_TASK_STATUS ("change_status") kind.
 */
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "agent.h"
#include "valid.h"
#include "zabbix.h"

/* The task's options as JSON (an empty object when unreadable). */
static json_object *
task_opts(struct host *h)
{
	json_object *o = NULL;

	if (h->h_job->j_opts != NULL)
		o = json_tokener_parse(h->h_job->j_opts);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = json_object_new_object();
	}
	return hg_json_own(&h->h_w->w_arena, o);
}

static json_object *
names(json_object *opts, const char *key)
{
	json_object *a;

	if (!json_object_object_get_ex(opts, key, &a) ||
	    !json_object_is_type(a, json_type_array))
		return NULL;
	return a;
}

/* The Zabbix hostid Hangar registered h as (NULL: none, or unreadable). */
static const char *
zbx_hostid(struct host *h)
{
	struct hg_rows *rs;

	if (hg_db_query(h->h_w->w_db, &h->h_w->w_arena, &rs, "SELECT "
	    "zabbix_hostid FROM host_zabbix WHERE host_id = ?", "i",
	    h->h_id) != 0 || rs->nrows == 0)
		return NULL;
	return HG_CELL(rs, 0, 0);
}

/*
 * After the init script: register the host in Zabbix with the task's
 * zabbix_groups and zabbix_templates, and remember them on the host
 * (host_zabbix) for change-zabbix-opts, with the hostid it has there.  A
 * name Zabbix already has for a host Hangar did not register fails the
 * host.  An init task that names no group registers nothing.
 */
int
zabbix_init_step(struct host *h)
{
	struct hg_zbx	 z;
	json_object	*opts = task_opts(h), *g, *t;
	const char	*hostid;
	int		 rc;

	g = names(opts, "zabbix_groups");
	t = names(opts, "zabbix_templates");
	if (g == NULL || json_object_array_length(g) == 0) {
		snprintf(h->h_msg, sizeof(h->h_msg), "init script succeeded; "
		    "no Zabbix host group given, not registered in Zabbix");
		return 0;
	}
	if (t == NULL)
		t = hg_json_own(&h->h_w->w_arena, json_object_new_array());
	if ((rc = hg_zbx_open(&z, &h->h_w->w_arena)) == 0)
		rc = hg_zbx_host_save(&z, zbx_hostid(h), h->h_name, h->h_addr,
		    g, t, &hostid);
	hg_zbx_close(&z);
	if (rc != 0) {
		snprintf(h->h_msg, sizeof(h->h_msg), "init script succeeded but "
		    "Zabbix registration failed (%d): %s", rc, z.z_err);
		return -1;
	}
	if (hg_db_exec(h->h_w->w_db, "INSERT INTO host_zabbix (host_id, "
	    "zabbix_hostid, zabbix_groups, zabbix_templates) VALUES (?, ?, ?, "
	    "?) ON DUPLICATE KEY UPDATE zabbix_hostid = VALUES(zabbix_hostid), "
	    "zabbix_groups = VALUES(zabbix_groups), zabbix_templates = "
	    "VALUES(zabbix_templates), updated_time = UTC_TIMESTAMP()", "isss",
	    h->h_id, hostid, json_object_to_json_string_ext(g, JSON_C_TO_STRING_PLAIN),
	    json_object_to_json_string_ext(t, JSON_C_TO_STRING_PLAIN)) != 0) {
		snprintf(h->h_msg, sizeof(h->h_msg), "registered in Zabbix but "
		    "the database did not record it: %s",
		    hg_db_last_error(h->h_w->w_db));
		return -1;
	}
	snprintf(h->h_msg, sizeof(h->h_msg), "init script succeeded; "
	    "registered in Zabbix");
	return 0;
}

/*
 * Task kind change_status: the host's status already changed (hangard did
 * it); going offline stops its instances and removes from Zabbix the host
 * Hangar registered (by its hostid; none registered: nothing to remove).
 */
int
run_change_status(struct host *h)
{
	json_object	*opts = task_opts(h), *st;
	struct hg_zbx	 z;
	const char	*to, *hostid;
	long long	 stopped;
	int		 rc;

	to = json_object_object_get_ex(opts, "status", &st) ?
	    json_object_get_string(st) : "";
	if (strcmp(to, "offline") != 0) {
		snprintf(h->h_msg, sizeof(h->h_msg), "status %s: no side effects",
		    to);
		return 0;
	}
	if (hg_db_exec(h->h_w->w_db, "UPDATE app_instances SET status = "
	    "'stopped' WHERE host_id = ? AND status <> 'stopped'", "i",
	    h->h_id) != 0) {
		snprintf(h->h_msg, sizeof(h->h_msg), "cannot stop the instances "
		    "of %s: %s", h->h_name, hg_db_last_error(h->h_w->w_db));
		return -1;
	}
	stopped = (long long)hg_db_affected(h->h_w->w_db);
	if (!hg_zbx_configured()) {
		snprintf(h->h_msg, sizeof(h->h_msg), "offline: %lld instance(s) "
		    "stopped; Zabbix is not configured", stopped);
		return 0;
	}
	if ((hostid = zbx_hostid(h)) == NULL) {
		snprintf(h->h_msg, sizeof(h->h_msg), "offline: %lld instance(s) "
		    "stopped; not registered in Zabbix", stopped);
		return 0;
	}
	if ((rc = hg_zbx_open(&z, &h->h_w->w_arena)) == 0)
		rc = hg_zbx_host_delete(&z, hostid);
	hg_zbx_close(&z);
	if (rc == 0 && hg_db_exec(h->h_w->w_db, "UPDATE host_zabbix SET "
	    "zabbix_hostid = NULL WHERE host_id = ? AND zabbix_hostid = ?",
	    "is", h->h_id, hostid) != 0) {
		snprintf(h->h_msg, sizeof(h->h_msg), "offline: %lld instance(s) "
		    "stopped; removed from Zabbix but the database did not "
		    "record it: %s", stopped, hg_db_last_error(h->h_w->w_db));
		return -1;
	}
	if (rc != 0)
		snprintf(h->h_msg, sizeof(h->h_msg), "offline: %lld instance(s) "
		    "stopped; removing it from Zabbix failed (%d): %s", stopped,
		    rc, z.z_err);
	else
		snprintf(h->h_msg, sizeof(h->h_msg), "offline: %lld instance(s) "
		    "stopped; removed from Zabbix", stopped);
	return rc != 0 ? -1 : 0;
}
