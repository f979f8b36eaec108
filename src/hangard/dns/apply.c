/*
 * apply.c -- POST /resource-request/domains/{id}/actions/apply/: put an
 * approved domain request's records on the DNS servers again (API.md
 * section 5, issue 14), and hg_dns_apply_queue (dnsapply.h), which the
 * approval calls too.  The work is hangar-agent's dns_apply task
 * (src/agent/dns_apply.c): the request answers at once with its task_id.
 *
 * Only an approved request can be applied: finished 30003, closed 30002,
 * rejected 30004, waiting for review 10015 (all 409).  Needs
 * approve_domain_req.
 */
#include <string.h>

#include "dnsapply.h"
#include "dnsmod.h"

int
hg_dns_apply_queue(struct hg_req *r, long long id, long long *task_id)
{
	long long	task;
	int		rc;

	if ((rc = hg_sql_exec(r, "UPDATE domain_requests SET apply_status = "
	    "'pending', apply_error = '' WHERE request_id = ?i", id)) != 0 ||
	    (rc = hg_task_new(r, "dns_apply", hg_printf(r->r_arena,
	    "{\"request_id\": %lld}", id), NULL, 0, &task)) != 0)
		return rc;
	if (task_id != NULL)
		*task_id = task;
	return 0;
}

static int
apply(struct hg_req *r)
{
	struct hg_rows	*rs;
	const char	*st;
	long long	 task;
	json_object	*o;
	int		 rc;

	if ((rc = hg_sql(r, &rs, "SELECT status FROM resource_requests WHERE "
	    "id = ?i AND kind = 'domain' FOR UPDATE", r->r_ids[0])) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no domain request with id %lld",
		    r->r_ids[0]);
	st = HG_CELL(rs, 0, 0);
	if (strcmp(st, "finished") == 0)
		return hg_fail_http(r, 409, 30003, "the request is already "
		    "finished");
	if (strcmp(st, "closed") == 0)
		return hg_fail_http(r, 409, 30002, "the request is already "
		    "closed");
	if (strcmp(st, "rejected") == 0)
		return hg_fail_http(r, 409, 30004, "the request is already "
		    "rejected");
	if (strcmp(st, "approved") != 0)
		return hg_fail(r, HG_E_STATE, "the request is %s; only an "
		    "approved request is applied", st);
	if ((rc = hg_dns_apply_queue(r, r->r_ids[0], &task)) != 0)
		return rc;
	o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string("success"));
	json_object_object_add(o, "task_id",
	    json_object_new_string(hg_printf(r->r_arena, "%lld", task)));
	return hg_reply(r, 200, o);
}

const struct hg_route hg_routes_dns_apply[] = {
	ROUTE("POST", "/resource-request/domains/{id}/actions/apply", apply,
	    PERM_MODULE("resource_request", "approve_domain_req")),
	ROUTES_END
};
