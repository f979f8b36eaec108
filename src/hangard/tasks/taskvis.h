/*
 * taskvis.h -- which tasks the caller may see (tasks.c, host_tasks.c,
 * live.c).
 *
 * A task shows its hosts, their results and their output, so a caller who
 * does not see every host (superuser, or module-wide manage_host) sees a
 * task only when it may view every one of its hosts: with "at least one"
 * the other hosts' names, results and output would leak.  Per-host
 * view_host grants count only with the host module's switch
 * (enable_host_mgmt), as everywhere else.  A task with no hosts shows no
 * host, so it is visible to every caller who may use its route.  A task
 * the caller may not see does not exist for it (404) and is not counted
 * in lists.
 */
#ifndef HG_TASKVIS_H
#define HG_TASKVIS_H

/*
 * A condition "the caller may see task tcol", in typed SQL (sql.c).  Four
 * parameters, each ?i: the scope's all and sw (hg_task_scope), then the
 * user id twice (HG_SUBJECT_SQL: the user or one of its roles).
 */
#define HG_TASK_VISIBLE_SQL(tcol) "(?i = 1 OR NOT EXISTS (SELECT 1 FROM " \
	"task_hosts tv WHERE tv.task_id = " tcol " AND (?i = 0 OR " \
	"tv.host_id NOT IN (SELECT g.resource_id FROM resource_grants g " \
	"WHERE g.resource_type = 'host' AND g.perm = 'view_host' AND " \
	HG_SUBJECT_SQL "))))"

/*
 * The caller's task scope: *all 1 when it sees every host, *sw 1 when
 * it holds the host module's switch.  0, or an error code (error set).
 */
int	hg_task_scope(struct hg_req *, long long *all, long long *sw);

/*
 * May the caller read task's output (GET /tasks/{id}/output/, and its
 * WebSocket through GET /tasks/{id}/subscribe-check/)?  A host task by
 * HG_TASK_VISIBLE_SQL; a deploy sub-task (deploy_upgrade, deploy_revert)
 * by its application instead, as GET of its deploy task: the application
 * module's switch and view_app on it, whatever hosts the caller sees.
 * 0 with the task's status in *status; 10008 (not found) when there is
 * no such task for the caller; another code on failure (error set).
 */
int	hg_task_readable(struct hg_req *, long long task, const char **status);

#endif
