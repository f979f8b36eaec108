/*
 * operations.c -- /audit/...-operations/: the audit listings that belong
 * to no other family (操作审计).
 */
#include <string.h>

#include "hangard.h"

/*
 * The audit listings of applications, hosts, API tokens, credentials and
 * cloud accounts: one query over audit_log, filtered by kind.  Each kind
 * names its target its own way (app_name, hostname, token_name,
 * credential_name, cloud_account_name) and has its own set of op_type
 * values.
 */
enum { AQ_OPERATOR, AQ_NAME, AQ_OPTYPE, AQ_DETAIL, AQ_GT, AQ_LT, AQ__MAX };

#define AUDIT_FIELDS(namekey, namemax, ops) {				\
	[AQ_OPERATOR] = { "operator", HG_V_STR, 0, 0, 64 },		\
	[AQ_NAME] = { namekey, HG_V_STR, 0, 0, namemax },		\
	[AQ_OPTYPE] = { "op_type", HG_V_ENUM, 0, 0, 0, ops },		\
	[AQ_DETAIL] = { "op_detail", HG_V_STR, 0, 0, 1024 },		\
	[AQ_GT] = { "op_time__gt", HG_V_TIME, 0 },			\
	[AQ_LT] = { "op_time__lt", HG_V_TIME, HG_V_UPPER },		\
}

static const char *const app_ops[] = { "add", "update", "delete",
	"attach_host", "deatach_host", "change_deploy_setting", NULL };
static const char *const host_ops[] = { "add", "update", "delete",
	"attach_app", "deatach_app", "init", "start", "stop", "restart",
	"change_status", "change_zabbix_opts", NULL };
/* API tokens, credentials and cloud accounts are added, updated, deleted. */
static const char *const token_ops[] = { "add", "update", "delete", NULL };

static const struct hg_field app_q[AQ__MAX] = AUDIT_FIELDS("app_name", 1024,
    app_ops);
static const struct hg_field host_q[AQ__MAX] = AUDIT_FIELDS("hostname", 128,
    host_ops);
static const struct hg_field token_q[AQ__MAX] = AUDIT_FIELDS("token_name", 128,
    token_ops);
static const struct hg_field cred_q[AQ__MAX] = AUDIT_FIELDS("credential_name",
    128, token_ops);
static const struct hg_field cloud_q[AQ__MAX] = AUDIT_FIELDS(
    "cloud_account_name", 128, token_ops);

static const struct audit_view {
	const char		*av_path;
	const char		*av_kind;	/* audit_log.kind */
	const struct hg_field	*av_fields;
} views[] = {
	{ "/audit/app-operations", "app", app_q },
	{ "/audit/host-operations", "host", host_q },
	{ "/audit/auth-token-operations", "auth_token", token_q },
	{ "/audit/credential-operations", "credential", cred_q },
	{ "/audit/cloud-account-operations", "cloud_account", cloud_q },
};

static const struct audit_view *
view_of(struct hg_req *r)
{
	size_t i;

	for (i = 0; i < sizeof(views) / sizeof(views[0]) - 1; i++)
		if (strcmp(r->r_path, views[i].av_path) == 0)
			break;
	return &views[i];
}

static json_object *
op_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", hg_jint(HG_CELL(rs, i, 0)));
	json_object_object_add(o, view_of(r)->av_fields[AQ_NAME].f_name,
	    hg_jstr(HG_CELL(rs, i, 1)));
	json_object_object_add(o, "op_type", hg_jstr(HG_CELL(rs, i, 2)));
	json_object_object_add(o, "op_detail", hg_jstr(HG_CELL(rs, i, 3)));
	json_object_object_add(o, "op_time", hg_jtime(r, HG_CELL(rs, i, 4)));
	json_object_object_add(o, "operator", hg_jstr(HG_CELL(rs, i, 5)));
	return o;
}

/*
 * GET /audit/app-operations/, /audit/host-operations/,
 * .../auth-token-operations/, .../credential-operations/,
 * .../cloud-account-operations/
 */
static int
ops_list(struct hg_req *r)
{
	const struct audit_view	*av = view_of(r);
	struct hg_val		 v[AQ__MAX];
	struct hg_page		 pg;
	int			 rc;

	if ((rc = hg_query(r, av->av_fields, AQ__MAX, v)) != 0 ||
	    (rc = hg_page(r, &pg)) != 0)
		return rc;
	return hg_list_v0(r, &pg, op_json,
	    "SELECT id, target_name, op_type, op_detail, op_time, operator, "
	    "COUNT(*) OVER () FROM audit_log WHERE kind = ? "
	    "AND operator LIKE COALESCE(?, '%') "
	    "AND target_name LIKE COALESCE(?, '%') "
	    "AND op_type = COALESCE(?, op_type) "
	    "AND op_detail LIKE COALESCE(?, '%') "
	    "AND op_time >= COALESCE(?, op_time) AND op_time <= COALESCE(?, op_time) "
	    "ORDER BY id DESC LIMIT ? OFFSET ?", "sssssss", av->av_kind,
	    hg_like(r, &v[AQ_OPERATOR]), hg_like(r, &v[AQ_NAME]), v[AQ_OPTYPE].s,
	    hg_like(r, &v[AQ_DETAIL]), hg_qtime(r, &v[AQ_GT]),
	    hg_qtime(r, &v[AQ_LT]));
}

const struct hg_route hg_routes_audit[] = {
	ROUTE("GET", "/audit/app-operations", ops_list, PERM_SUPER),
	ROUTE("GET", "/audit/host-operations", ops_list, PERM_SUPER),
	ROUTE("GET", "/audit/auth-token-operations", ops_list, PERM_SUPER),
	ROUTE("GET", "/audit/credential-operations", ops_list, PERM_SUPER),
	ROUTE("GET", "/audit/cloud-account-operations", ops_list, PERM_SUPER),
	ROUTES_END
};
