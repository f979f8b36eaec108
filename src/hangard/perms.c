/*
 * perms.c -- the module permission table of API.md section 3, and the
 * checks the route table's declarations call for.
 *
 * Until resource and module grants exist (the authorization issue), a
 * non-superuser holds no module or resource permission: MODULE, APP and
 * HOST routes are the superuser's.  The table is already the full model so
 * that /auth/me/ reports every module and perm.
 */
#include <string.h>

#include "hangard.h"

struct module {
	const char		*m_name;
	const char		*m_label;	/* the seed's Chinese name */
	const char *const	 m_perms[12];
};

static const struct module modules[] = {
	{ "resource_request", "资源申请", { "enable_resource_req",
	    "approve_host_req", "approve_domain_req", "approve_ssl_cert_req",
	    "create_resource_req" } },
	{ "application", "应用管理", { "enable_app_mgmt", "view_app",
	    "create_app", "delete_app", "edit_app" } },
	{ "dns", "DNS管理", { "enable_dns_mgmt", "manage_dns_server" } },
	{ "resource", "资源管理", { "enable_host_mgmt", "add_host", "edit_host",
	    "delete_host", "manage_host", "enable_business_mgmt",
	    "view_business", "add_business", "delete_business" } },
	{ "navigator", "导航管理", { "enable_navigator", "view_navigator",
	    "manage_navigator" } },
	{ "common_tools", "常用工具", { "enable_common_tools",
	    "enable_cdn_refresher", "enable_jumpserver_log_mgmt" } },
	{ "deploy_template", "发布模板", { "enable_deploy_template_mgmt",
	    "manage_deploy_template", "manage_deploy_script",
	    "manage_credential" } },
};

/* {"module": {"perm": bool, ...}, ...}: the caller's effective perms. */
json_object *
hg_module_perms(struct hg_req *r)
{
	json_object	*out = json_object_new_object(), *m;
	size_t		 i, k;
	int		 all = r->r_user != NULL && r->r_user->u_superuser;

	for (i = 0; i < sizeof(modules) / sizeof(modules[0]); i++) {
		m = json_object_new_object();
		for (k = 0; modules[i].m_perms[k] != NULL; k++)
			json_object_object_add(m, modules[i].m_perms[k],
			    json_object_new_boolean(all));
		json_object_object_add(out, modules[i].m_name, m);
	}
	return out;
}

int
hg_authorize(struct hg_req *r)
{
	const struct hg_perm	*p = &r->r_route->rt_perm;
	struct hg_user		*u = r->r_user;

	switch (p->p_kind) {
	case HG_P_PUBLIC:
	case HG_P_LOGIN:
		return 0;
	case HG_P_SELF:
		if (u->u_superuser || (r->r_nparams > 0 && r->r_ids[0] == u->u_id))
			return 0;
		break;
	case HG_P_SUPER:
	case HG_P_MODULE:
	case HG_P_APP:
	case HG_P_HOST:
		if (u->u_superuser)
			return 0;
		break;
	}
	return hg_fail(r, HG_E_PERM, NULL);
}
