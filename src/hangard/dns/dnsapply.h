/*
 * dnsapply.h -- applying approved domain requests (API.md section 5):
 * what the resource requests module calls when it approves one.
 */
#ifndef HG_DNSAPPLY_H
#define HG_DNSAPPLY_H

#include "hangard.h"

/*
 * hg_dns_apply_queue -- in the request's transaction, mark domain request
 * id's apply as pending and queue a dns_apply task for hangar-agent
 * (src/agent/dns_apply.c), pushed after the commit.  The agent puts every
 * record not yet applied on the DNS server of the managed domain it falls
 * in, then finishes the request, or leaves it approved with apply_status
 * 'failed' and apply_error.  Call it after setting the request to
 * 'approved'.  0 or an error recorded on r; *task_id (may be NULL) gets
 * the task's id.
 */
int	hg_dns_apply_queue(struct hg_req *, long long id, long long *task_id);

#endif
