/*
 * deploy.h -- the deploy module's interface to the rest of hangard.
 */
#ifndef HG_DEPLOY_H
#define HG_DEPLOY_H

#include "hangard.h"

/*
 * configured.c: 1 if application app_id has deploy settings usable for a
 * deploy (its own, or those of the template it follows, enabled), 0 if
 * not, -1 on error (already recorded on the request, as hg_sql records
 * it: the caller returns r->r_err).  Reads in the request's transaction.
 */
int	hg_deploy_configured(struct hg_req *r, long long app_id);

#endif
