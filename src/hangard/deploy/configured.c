/*
 * configured.c -- whether an application can be deployed: it has deploy
 * settings of its own or follows a template (sql/082_deploy_config.sql),
 * and those settings are enabled.  Deploy tasks ask this before they are
 * created (API.md section 6: 400/10002 on application_id otherwise).
 */
#include "hangard.h"
#include "deploy.h"

int
hg_deploy_configured(struct hg_req *r, long long app_id)
{
	struct hg_rows	*rs;

	if (hg_sql(r, &rs, "SELECT c.enabled FROM deploy_configs c WHERE "
	    "c.app_id = ?i UNION ALL SELECT c.enabled FROM deploy_template_apps "
	    "l JOIN deploy_configs c ON c.template_id = l.template_id WHERE "
	    "l.app_id = ?i", app_id, app_id) != 0)
		return -1;
	return rs->nrows > 0 && hg_atoll(HG_CELL(rs, 0, 0)) == 1;
}
