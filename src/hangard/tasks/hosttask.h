/*
 * hosttask.h -- what host_tasks.c lends host_status.c: the host an action
 * acts on, and the answers that name a task.  Nothing outside tasks/
 * includes it.
 */
#ifndef HG_HOSTTASK_H
#define HG_HOSTTASK_H

/*
 * What the actions read of a host, locked (HOST_LOCK, one ?i: the id):
 * declared here rather than taken from cmdb/hosts.c, whose Host object is
 * the inventory's.
 */
#define HOST_COLS(X) \
	X(HC_ID,	"id",		"id",		NONE)	\
	X(HC_NAME,	"name",		"name",		NONE)	\
	X(HC_TYPE,	"host_type",	"host_type",	NONE)	\
	X(HC_STATUS,	"status",	"status",	NONE)	\
	X(HC_OS,	"os_status",	"os_status",	NONE)
enum { HOST_COLS(HG_COL_ENUM) HC__MAX };
#define HOST_LOCK "SELECT " HOST_COLS(HG_COL_SQL) HG_NOCOUNT " FROM hosts " \
	"WHERE id = ?i FOR UPDATE"

/* The host of the route's {id}, locked; 404 if none. */
int	hg_task_path_host(struct hg_req *, struct hg_rows **);
/*
 * Host id named by a body's field, locked: it exists and the caller may
 * view it (10002 naming field otherwise, the same for both, so that a body
 * cannot probe for hosts), and the caller holds perm on it (403).
 */
int	hg_task_body_host(struct hg_req *, long long id, const char *field,
	    const char *perm, struct hg_rows **);
/*
 * Reply with task id of kind, when the caller may see it (404 otherwise);
 * with_id adds the seed's "task_id" (the answer of a create).
 */
int	hg_task_reply(struct hg_req *, const char *kind, long long id,
	    int status, int with_id);
/* {"task_id", "task_output"}: the answer of an action on one host. */
int	hg_task_id_reply(struct hg_req *, long long id);

#endif
